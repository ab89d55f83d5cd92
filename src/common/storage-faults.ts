/**
 * A full or read-only data directory, recognised from SQLite's and the file system's error codes,
 * so every API answers it the same clear way instead of an unexplained 500: 507 Insufficient
 * Storage for a full disk, 503 Service Unavailable for a read-only one. Nothing was written in
 * either case (SQLite rolls the transaction back; files are written to a temporary name first).
 */
import fs from "node:fs";
import path from "node:path";
import { LodestoneError } from "./errors.ts";

export interface StorageFault {
  status: 503 | 507;
  /** Platform API error code. */
  code: "InsufficientStorage" | "ReadOnlyStorage";
  /** Search API (Elasticsearch-style) error type. */
  type: "insufficient_storage_exception" | "read_only_storage_exception";
  message: string;
}

const FULL = new Set(["SQLITE_FULL", "ENOSPC", "EDQUOT"]);
const READ_ONLY = new Set(["EROFS", "EACCES"]);

/** The storage fault behind `err`, or undefined when it is another kind of error. */
export function storageFault(err: unknown): StorageFault | undefined {
  const code = String((err as { code?: unknown } | null)?.code ?? "");
  const detail = err instanceof Error ? err.message : String(err);
  if (FULL.has(code))
    return {
      status: 507,
      code: "InsufficientStorage",
      type: "insufficient_storage_exception",
      message: `the data directory's disk is full (${code}: ${detail}); nothing was written — free space and retry`,
    };
  // SQLite reports a read-only file system as SQLITE_READONLY* or, for the WAL, SQLITE_IOERR_*
  // with the OS error in the message; fs calls report EROFS
  const readOnly =
    code.startsWith("SQLITE_READONLY") ||
    READ_ONLY.has(code) ||
    (code.startsWith("SQLITE_IOERR") && /read-only|readonly/i.test(detail));
  if (readOnly)
    return {
      status: 503,
      code: "ReadOnlyStorage",
      type: "read_only_storage_exception",
      message: `the data directory is read-only or not writable (${code}: ${detail}); nothing was written — make it writable and retry`,
    };
  return undefined;
}

/**
 * Creates `dir` if needed and checks that files can be written there, so a server started on a
 * read-only data directory stops with one clear sentence instead of a stack trace from whichever
 * module writes first.
 */
export function assertWritableDir(dir: string): void {
  const probe = path.join(dir, `.write-probe-${process.pid}`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(probe, "");
    fs.rmSync(probe);
  } catch (err) {
    const fault = storageFault(err);
    if (!fault) throw err;
    throw new LodestoneError(
      fault.status,
      fault.code,
      `cannot use the data directory ${dir}: ${fault.message}, or pass another --data-dir`,
    );
  }
}

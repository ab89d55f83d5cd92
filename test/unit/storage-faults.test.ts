import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { assertWritableDir, storageFault } from "../../src/common/storage-faults.ts";
import { tempDir } from "../helpers/platform.ts";

const sqlite = (code: string, message: string) => new Database.SqliteError(message, code);
const fsError = (code: string) => Object.assign(new Error(`${code}: operation failed`), { code });

test("a full disk is a 507 naming it, from SQLite or the file system", () => {
  for (const err of [
    sqlite("SQLITE_FULL", "database or disk is full"),
    fsError("ENOSPC"),
    fsError("EDQUOT"),
  ]) {
    const fault = storageFault(err);
    assert.equal(fault?.status, 507);
    assert.equal(fault?.code, "InsufficientStorage");
    assert.equal(fault?.type, "insufficient_storage_exception");
    assert.match(fault?.message ?? "", /disk is full .*free space and retry/);
  }
});

test("a read-only data directory is a 503 naming it", () => {
  for (const err of [
    sqlite("SQLITE_READONLY", "attempt to write a readonly database"),
    sqlite("SQLITE_READONLY_DBMOVED", "attempt to write a readonly database"),
    sqlite("SQLITE_IOERR_WRITE", "disk I/O error: read-only file system"),
    fsError("EROFS"),
  ]) {
    const fault = storageFault(err);
    assert.equal(fault?.status, 503, String(err));
    assert.equal(fault?.code, "ReadOnlyStorage");
    assert.match(fault?.message ?? "", /read-only or not writable/);
  }
});

test("other errors are not storage faults", () => {
  for (const err of [
    sqlite("SQLITE_CONSTRAINT_UNIQUE", "UNIQUE constraint failed"),
    sqlite("SQLITE_IOERR_READ", "disk I/O error"),
    fsError("ENOENT"),
    new Error("boom"),
    "text",
    null,
  ])
    assert.equal(storageFault(err), undefined, String(err));
});

test("assertWritableDir creates the folder and leaves no probe file", () => {
  const dir = path.join(tempDir(), "a", "b");
  assertWritableDir(dir);
  assert.deepEqual(fs.readdirSync(dir), []);
});

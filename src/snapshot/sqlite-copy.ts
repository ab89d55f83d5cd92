/**
 * Consistent copies of live SQLite databases through SQLite's online backup API: the copy is one
 * transaction's view even while a server writes (WAL), never a torn copy of the file and its WAL.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

/** The 16-byte header every SQLite database file starts with. */
const SQLITE_HEADER = "SQLite format 3\0";

export function isSqliteFile(file: string): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const head = Buffer.alloc(16);
    return fs.readSync(fd, head, 0, 16, 0) === 16 && head.toString("latin1") === SQLITE_HEADER;
  } finally {
    fs.closeSync(fd);
  }
}

/** Copies database `source` to `target` (a new file) with the online backup API. */
export async function backupDatabase(source: string, target: string): Promise<void> {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const db = new Database(source, { fileMustExist: true });
  try {
    await db.backup(target);
  } finally {
    db.close();
  }
  // the copy is a single self-contained file: no WAL beside it
  const copy = new Database(target);
  try {
    copy.pragma("journal_mode = DELETE");
  } finally {
    copy.close();
  }
}

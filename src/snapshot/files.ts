/**
 * Which files of a data directory a snapshot takes. Derived data (segment files and vector graphs,
 * caches), logs, SQLite's WAL/shared-memory files (the databases are copied whole through the
 * backup API) and half-written temporary objects stay out.
 */
import fs from "node:fs";
import path from "node:path";

const SKIPPED_DIRS = new Set(["cache", "logs", "search/indices", "oss/.tmp"]);
const SKIPPED_FILES = new Set(["search/cluster_uuid"]);
const SKIPPED_SUFFIXES = ["-wal", "-shm", "-journal", ".tmp", ".part"];

/** "/"-separated paths of the files to snapshot, relative to `root`, sorted. */
export function snapshotFiles(root: string): string[] {
  const out: string[] = [];
  const visit = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(child)) visit(child);
      } else if (
        entry.isFile() &&
        !SKIPPED_FILES.has(child) &&
        !entry.name.startsWith(".write-probe") &&
        !SKIPPED_SUFFIXES.some((s) => entry.name.endsWith(s))
      )
        out.push(child);
    }
  };
  visit("");
  return out.sort();
}

/** True when `dir` is missing or empty. */
export function isEmptyDir(dir: string): boolean {
  return !fs.existsSync(dir) || fs.readdirSync(dir).length === 0;
}

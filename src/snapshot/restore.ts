/**
 * Restores a snapshot folder into a data directory: every checksum is verified before anything is
 * written, and a non-empty directory is refused unless `force` (then its contents are replaced).
 * A server started on the result rebuilds the engine's segments and vector graphs from the
 * restored documents.
 */
import fs from "node:fs";
import path from "node:path";
import { LodestoneError } from "../common/errors.ts";
import { isEmptyDir } from "./files.ts";
import { dataPath, type SnapshotManifest, verifySnapshot } from "./manifest.ts";

export interface RestoreOptions {
  source: string;
  dataDir: string;
  force?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export function restoreSnapshot(opts: RestoreOptions): SnapshotManifest {
  const manifest = verifySnapshot(opts.source);
  const root = path.resolve(opts.dataDir);
  if (!isEmptyDir(root)) {
    if (!opts.force)
      throw new LodestoneError(
        409,
        "DataDirNotEmpty",
        `${root} is not empty; restore into a fresh directory, or pass --force to replace its contents (stop any server using it first)`,
        "data_dir",
      );
    for (const entry of fs.readdirSync(root))
      fs.rmSync(path.join(root, entry), { recursive: true, force: true });
  }
  fs.mkdirSync(root, { recursive: true });
  // databases last: a restore cut short leaves no database that points at missing files
  const ordered = [...manifest.files].sort(
    (a, b) => Number(a.path.endsWith(".db")) - Number(b.path.endsWith(".db")),
  );
  for (const [i, entry] of ordered.entries()) {
    const target = path.join(root, ...entry.path.split("/"));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(dataPath(opts.source, entry.path), target);
    opts.onProgress?.(i + 1, ordered.length);
  }
  return manifest;
}

/**
 * Takes a snapshot of a data directory into a new local folder, consistently even while a server
 * runs on it: databases first through SQLite's backup API (so every model folder and object they
 * name already exists — those are written before their records), then the other files, then the
 * manifest with every checksum, written last so a cut-short snapshot is recognisably incomplete.
 */
import fs from "node:fs";
import path from "node:path";
import { LodestoneError } from "../common/errors.ts";
import { sha256File } from "../common/file-hash.ts";
import { dataLayout } from "../config/layout.ts";
import { VERSION } from "../server/version.ts";
import { prepareEngineCopy } from "./engine-copy.ts";
import { isEmptyDir, snapshotFiles } from "./files.ts";
import { dataPath, FORMAT, FORMAT_VERSION, MANIFEST_FILE, type SnapshotManifest } from "./manifest.ts";
import { backupDatabase, isSqliteFile } from "./sqlite-copy.ts";

export interface CreateOptions {
  dataDir: string;
  /** A new (or empty) local folder. */
  dest: string;
  /** Index names or `*` patterns; all indices when absent. */
  indices?: string[];
  onProgress?: (done: number, total: number) => void;
}

/** The engine store, relative to the data directory. */
const ENGINE_DB = "search/engine.db";

export async function createSnapshot(opts: CreateOptions): Promise<SnapshotManifest> {
  const layout = dataLayout(opts.dataDir);
  if (!fs.existsSync(layout.dbFile) && !fs.existsSync(path.join(layout.root, ENGINE_DB)))
    throw new LodestoneError(
      400,
      "NotADataDirectory",
      `${layout.root} is not a Lodestone data directory (no lodestone.db); pass --data-dir`,
      "data_dir",
    );
  if (!isEmptyDir(opts.dest))
    throw new LodestoneError(
      409,
      "SnapshotExists",
      `${opts.dest} exists and is not empty; snapshot into a new folder`,
      "dest",
    );
  const files = snapshotFiles(layout.root);
  const databases = files.filter((f) => f.endsWith(".db") && isSqliteFile(path.join(layout.root, f)));
  const others = files.filter((f) => !databases.includes(f));
  let done = 0;
  const step = () => opts.onProgress?.(++done, files.length);
  for (const rel of databases) {
    await backupDatabase(path.join(layout.root, rel), dataPath(opts.dest, rel));
    step();
  }
  const indices = databases.includes(ENGINE_DB)
    ? prepareEngineCopy(dataPath(opts.dest, ENGINE_DB), opts.indices)
    : [];
  for (const rel of others) {
    const target = dataPath(opts.dest, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    try {
      fs.copyFileSync(path.join(layout.root, rel), target);
    } catch (err) {
      // deleted while we copied (a job workspace, an object): it is simply not in the snapshot
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    } finally {
      step();
    }
  }
  const manifest: SnapshotManifest = {
    format: FORMAT,
    format_version: FORMAT_VERSION,
    lodestone_version: VERSION,
    created_at: new Date().toISOString(),
    indices,
    files: files
      .filter((rel) => fs.existsSync(dataPath(opts.dest, rel)))
      .map((rel) => {
        const file = dataPath(opts.dest, rel);
        return { path: rel, bytes: fs.statSync(file).size, sha256: sha256File(file) };
      }),
  };
  const tmp = path.join(opts.dest, `${MANIFEST_FILE}.tmp`);
  fs.writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.renameSync(tmp, path.join(opts.dest, MANIFEST_FILE));
  return manifest;
}

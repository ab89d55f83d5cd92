/**
 * A snapshot's manifest (`manifest.json` at its root): what was taken, from which Lodestone, and
 * the size and SHA-256 of every file, so a restore refuses a snapshot that was changed or cut
 * short before it writes anything.
 */
import fs from "node:fs";
import path from "node:path";
import { LodestoneError } from "../common/errors.ts";
import { sha256File } from "../common/file-hash.ts";

export const MANIFEST_FILE = "manifest.json";
/** Files live under this folder of a snapshot, at their path relative to the data directory. */
export const DATA_FOLDER = "data";
export const FORMAT = "lodestone-snapshot";
export const FORMAT_VERSION = 1;

export interface SnapshotFile {
  /** "/"-separated, relative to the data directory. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface SnapshotIndex {
  name: string;
  docs: number;
}

export interface SnapshotManifest {
  format: typeof FORMAT;
  format_version: number;
  lodestone_version: string;
  created_at: string;
  /** The indices it holds (all of them unless `--indices` chose some). */
  indices: SnapshotIndex[];
  /** Platform state (jobs, models, endpoints, RAG apps, recommender, keys) is always included. */
  files: SnapshotFile[];
}

const invalid = (dir: string, what: string) =>
  new LodestoneError(400, "InvalidSnapshot", `${dir} is not a usable Lodestone snapshot: ${what}`);

/** Reads the manifest and checks every file against it; throws naming the first problem. */
export function verifySnapshot(dir: string): SnapshotManifest {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file)) throw invalid(dir, `${MANIFEST_FILE} is missing`);
  let manifest: SnapshotManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, "utf8")) as SnapshotManifest;
  } catch (err) {
    throw invalid(dir, `${MANIFEST_FILE} is not JSON (${(err as Error).message})`);
  }
  if (manifest.format !== FORMAT || !Array.isArray(manifest.files))
    throw invalid(dir, `${MANIFEST_FILE} is not a ${FORMAT} manifest`);
  if (manifest.format_version > FORMAT_VERSION)
    throw invalid(
      dir,
      `it has format version ${manifest.format_version}, newer than this Lodestone reads (${FORMAT_VERSION}); upgrade Lodestone`,
    );
  for (const entry of manifest.files) {
    const local = dataPath(dir, entry.path);
    if (!fs.existsSync(local)) throw invalid(dir, `${entry.path} is missing`);
    const bytes = fs.statSync(local).size;
    if (bytes !== entry.bytes)
      throw invalid(
        dir,
        `${entry.path} has ${bytes} bytes, the manifest says ${entry.bytes} (checksum mismatch)`,
      );
    if (sha256File(local) !== entry.sha256)
      throw invalid(dir, `${entry.path} does not match its SHA-256 in the manifest (checksum mismatch)`);
  }
  return manifest;
}

/** Where a data-directory-relative path lives inside a snapshot folder (refusing "..", absolute paths). */
export function dataPath(snapshotDir: string, relative: string): string {
  const parts = relative.split("/");
  if (!relative || relative.startsWith("/") || parts.some((p) => p === ".." || p === "" || p === "."))
    throw new LodestoneError(400, "InvalidSnapshot", `the manifest names an unsafe path: ${relative}`);
  return path.join(snapshotDir, DATA_FOLDER, ...parts);
}

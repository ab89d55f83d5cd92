/**
 * Where the shared datasets and anchors live: `LODESTONE_SHARED_DIR`, else `shared/` beside the
 * project root (the workspace layout), else the workspace's fixed location.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function sharedDir(): string {
  const candidates = [
    process.env.LODESTONE_SHARED_DIR,
    path.join(PROJECT_ROOT, "../shared"),
    "/work/shared",
  ].filter((c): c is string => !!c);
  return path.resolve(
    candidates.find((c) => fs.existsSync(path.join(c, "datasets"))) ?? (candidates[0] as string),
  );
}

export const SHARED_DIR = sharedDir();
export const DATASETS_DIR = path.join(SHARED_DIR, "datasets");
export const RESULTS_DIR = path.join(PROJECT_ROOT, "bench/results");

/** Where the shared datasets and anchors live (beside the project root; `LODESTONE_SHARED_DIR` overrides). */
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SHARED_DIR = path.resolve(
  process.env.LODESTONE_SHARED_DIR ?? path.join(PROJECT_ROOT, "../shared"),
);
export const DATASETS_DIR = path.join(SHARED_DIR, "datasets");
export const RESULTS_DIR = path.join(PROJECT_ROOT, "bench/results");

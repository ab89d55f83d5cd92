import path from "node:path";

/** Where everything lives inside the data directory. Every module asks here instead of joining paths. */
export interface DataLayout {
  root: string;
  /** SQLite database with platform metadata (jobs, models, endpoints, apps, instances). */
  dbFile: string;
  /** Local object storage: one folder per bucket. */
  ossRoot: string;
  /** Per-job working folders: staged input, output, script, logs. */
  jobsRoot: string;
  /** Server logs when not written to the terminal. */
  logsDir: string;
  /** Derived data that can be rebuilt (model caches and the like). */
  cacheDir: string;
  /** Registered models: one folder per model id, copied from object storage at registration. */
  modelsDir: string;
  /** The embedded search engine: its SQLite store, segment files and analysis config (synonyms files). */
  searchDir: string;
  /** Recommendation instances' trained models and training exports (src/recommend). */
  recommendDir: string;
}

export function dataLayout(dataDir: string): DataLayout {
  const root = path.resolve(dataDir);
  return {
    root,
    dbFile: path.join(root, "lodestone.db"),
    ossRoot: path.join(root, "oss"),
    jobsRoot: path.join(root, "jobs"),
    logsDir: path.join(root, "logs"),
    cacheDir: path.join(root, "cache"),
    searchDir: path.join(root, "search"),
    modelsDir: path.join(root, "models"),
    recommendDir: path.join(root, "recommend"),
  };
}

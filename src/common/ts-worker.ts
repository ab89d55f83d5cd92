/** Worker threads running TypeScript modules (through tsx, like the rest of Lodestone). */
import { Worker } from "node:worker_threads";

const ENTRY = new URL("./ts-worker-entry.mjs", import.meta.url);

/** Starts `module` (a URL of a .ts file) in a worker thread; `data` arrives as workerData. */
export function startTsWorker(module: URL, data: Record<string, unknown>): Worker {
  return new Worker(ENTRY, { workerData: { ...data, tsModule: module.href } });
}

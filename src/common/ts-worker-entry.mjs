// Entry of worker threads whose code is TypeScript: registers tsx's loader in the worker (it is
// not inherited from the parent), then loads the module named in workerData.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.tsModule);

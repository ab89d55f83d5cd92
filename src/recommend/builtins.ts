import { fileURLToPath } from "node:url";
import type { BuiltinScript } from "../jobs/scripts.ts";

/** The jobs the recommendation service runs (retraining), registered with the job runner. */
export const RECOMMEND_BUILTINS: BuiltinScript[] = [
  {
    name: "recommend-train",
    description: "trains a recommendation instance's recall models from a behaviour export (started by /v2)",
    file: fileURLToPath(new URL("./train-job.ts", import.meta.url)),
  },
];

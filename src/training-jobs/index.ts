import { fileURLToPath } from "node:url";
import type { BuiltinScript } from "../jobs/scripts.ts";

/** The model-training scripts, registered with the job runner by the platform. */
export const TRAINING_BUILTINS: BuiltinScript[] = [
  {
    name: "train-embedding",
    description:
      "fine-tunes the dual-encoder embedder (GloVe-initialised, InfoNCE with BM25 hard negatives); writes a model folder",
    file: fileURLToPath(new URL("./train-embedding.ts", import.meta.url)),
  },
  {
    name: "train-reranker",
    description: "trains the K-NRM reranker over BM25 candidates; writes a model folder",
    file: fileURLToPath(new URL("./train-reranker.ts", import.meta.url)),
  },
];

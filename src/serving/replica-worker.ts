/**
 * One endpoint replica: a worker thread that loads a model (a registered folder, or the built-in
 * base embedder) and answers embed and rerank requests, one batch at a time.
 */
import path from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { loadModelFolder } from "../models/artifacts.ts";
import { BASE_EMBEDDER_NAME, baseEmbedder } from "../models/base-embedder.ts";
import { loadGlove } from "../models/glove.ts";
import type { PairScorer, RerankCandidate, TextEncoder } from "../models/types.ts";

export interface ReplicaData {
  /** A model folder, or `builtin:<name>`. */
  model: string;
  cacheDir: string;
}

export type ReplicaRequest =
  | { id: number; op: "embed"; texts: string[] }
  | { id: number; op: "rerank"; query: string; candidates: RerankCandidate[] };

export type ReplicaReply =
  | { id: number; vectors: Float32Array }
  | { id: number; scores: Float32Array }
  | { id: number; error: string };

export type ReplicaReady = { ready: true; dimension?: number } | { ready: false; error: string };

const data = workerData as ReplicaData;
let encoder: TextEncoder | undefined;
let scorer: PairScorer | undefined;
try {
  if (data.model === `builtin:${BASE_EMBEDDER_NAME}`) {
    encoder = baseEmbedder(await loadGlove({ cacheDir: path.join(data.cacheDir, "glove") }));
  } else {
    const loaded = await loadModelFolder(data.model);
    if (loaded.kind === "embedding") encoder = loaded.encoder;
    else scorer = loaded.scorer;
  }
  parentPort?.postMessage({ ready: true, dimension: encoder?.dimension } satisfies ReplicaReady);
} catch (err) {
  parentPort?.postMessage({ ready: false, error: (err as Error).message } satisfies ReplicaReady);
}

parentPort?.on("message", (req: ReplicaRequest) => {
  try {
    if (req.op === "embed") {
      if (!encoder) throw new Error("this model is a reranker: it does not embed");
      const vectors = encoder.encode(req.texts);
      parentPort?.postMessage({ id: req.id, vectors } satisfies ReplicaReply, [
        vectors.buffer as ArrayBuffer,
      ]);
    } else {
      if (!scorer) throw new Error("this model is an embedder: it does not rerank");
      const scores = scorer.score(req.query, req.candidates);
      parentPort?.postMessage({ id: req.id, scores } satisfies ReplicaReply, [scores.buffer as ArrayBuffer]);
    }
  } catch (err) {
    parentPort?.postMessage({ id: req.id, error: (err as Error).message } satisfies ReplicaReply);
  }
});

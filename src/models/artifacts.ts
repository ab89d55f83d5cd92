import type { PairScorer, TextEncoder } from "./types.ts";

// replaced by the models module
export async function loadModelFolder(
  _dir: string,
): Promise<{ kind: "embedding"; encoder: TextEncoder } | { kind: "reranker"; scorer: PairScorer }> {
  throw new Error("model folders cannot be loaded yet");
}

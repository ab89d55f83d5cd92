/**
 * The gradients of one shard of a contrastive batch: its queries against its documents (their
 * positives first, then hard negatives) under InfoNCE. The main thread and the gradient workers
 * run the same function on their shards; `scale` (the shard's share of the batch) makes the sum
 * of the shards' gradients the gradient of the whole batch's mean loss.
 */
import type { Embedder, EmbedderGrads } from "../embedder.ts";
import { infoNce } from "../nn/infonce.ts";
import type { EncodedText } from "../tokenizer.ts";

export interface ContrastiveShard {
  queries: EncodedText[];
  /** queries.length positives (row i for query i), then hard negatives. */
  docs: EncodedText[];
  /** queries × docs, nonzero = not a negative for that query (another of its positives). */
  exclude: Uint8Array;
  temperature: number;
  scale: number;
}

export interface ShardLoss {
  loss: number;
  accuracy: number;
}

/** Accumulates the shard's gradients into the model's dense grads and `grads` (callers zero them). */
export function contrastiveGradients(
  model: Embedder,
  shard: ContrastiveShard,
  grads: EmbedderGrads,
): ShardLoss {
  const B = shard.queries.length;
  const N = shard.docs.length;
  const qFwd = model.forward(shard.queries);
  const dFwd = model.forward(shard.docs);
  const result = infoNce(qFwd.embeddings, dFwd.embeddings, B, N, model.dimension, shard.temperature, {
    exclude: shard.exclude,
  });
  if (shard.scale !== 1) {
    for (let i = 0; i < result.dQ.length; i++) result.dQ[i] = (result.dQ[i] as number) * shard.scale;
    for (let i = 0; i < result.dD.length; i++) result.dD[i] = (result.dD[i] as number) * shard.scale;
  }
  model.backward(qFwd, result.dQ, grads);
  model.backward(dFwd, result.dD, grads);
  return { loss: result.loss, accuracy: result.accuracy };
}

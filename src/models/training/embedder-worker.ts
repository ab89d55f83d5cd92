/**
 * A gradient worker thread: holds an Embedder whose weights are the main thread's (shared
 * memory), computes the gradients of the shards it is sent and posts them back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { Embedder, type EmbedderConfig } from "../embedder.ts";
import type { SharedParam } from "../nn/params.ts";
import { ModelTokenizer, Vocabulary } from "../tokenizer.ts";
import { type ContrastiveShard, contrastiveGradients } from "./contrastive-step.ts";

export interface EmbedderWorkerData {
  config: EmbedderConfig;
  tokenizer: unknown;
  words: string[];
  params: SharedParam[];
}

export interface ShardGradients {
  loss: number;
  accuracy: number;
  dense: { name: string; grad: Float32Array }[];
  word: { rows: Int32Array; values: Float32Array };
  ngram: { rows: Int32Array; values: Float32Array };
}

const data = workerData as EmbedderWorkerData;
const tokenizer = ModelTokenizer.fromJSON(data.tokenizer, new Vocabulary(data.words));
const params = Embedder.emptyParams(data.config);
params.adopt(data.params);
const model = new Embedder(data.config, tokenizer, params);
const grads = model.newGrads();

parentPort?.on("message", (shard: ContrastiveShard) => {
  model.params.zeroGrad();
  grads.word.clear();
  grads.ngram.clear();
  const { loss, accuracy } = contrastiveGradients(model, shard, grads);
  const dense = model.params
    .denseTensors()
    .map((t) => ({ name: t.name, grad: (t.grad as Float32Array).slice() }));
  const word = grads.word.toRows() as { rows: Int32Array; values: Float32Array };
  const ngram = grads.ngram.toRows() as { rows: Int32Array; values: Float32Array };
  const result: ShardGradients = { loss, accuracy, dense, word, ngram };
  parentPort?.postMessage(result, [
    ...dense.map((d) => d.grad.buffer as ArrayBuffer),
    word.rows.buffer as ArrayBuffer,
    word.values.buffer as ArrayBuffer,
    ngram.rows.buffer as ArrayBuffer,
    ngram.values.buffer as ArrayBuffer,
  ]);
});

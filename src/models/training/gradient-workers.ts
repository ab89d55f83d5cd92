/**
 * Data-parallel gradients on worker threads: the model's weights move into shared memory, each
 * worker computes one shard of every batch, and the main thread adds the shards' gradients and
 * takes the optimiser step (so the workers always read the current weights).
 */
import type { Worker } from "node:worker_threads";
import { startTsWorker } from "../../common/ts-worker.ts";
import type { Embedder, EmbedderGrads } from "../embedder.ts";
import type { ContrastiveShard } from "./contrastive-step.ts";
import type { EmbedderWorkerData, ShardGradients } from "./embedder-worker.ts";

export class GradientWorkers {
  private readonly workers: Worker[];

  constructor(
    private readonly model: Embedder,
    count: number,
  ) {
    const data: EmbedderWorkerData = {
      config: model.config,
      tokenizer: model.tokenizer.toJSON(),
      words: [...model.tokenizer.vocabulary.words],
      params: model.params.share(),
    };
    this.workers = Array.from({ length: count }, () =>
      startTsWorker(
        new URL("./embedder-worker.ts", import.meta.url),
        data as unknown as Record<string, unknown>,
      ),
    );
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs shard i on worker i and adds every result into the model's grads and `grads`. */
  async run(shards: ContrastiveShard[], grads: EmbedderGrads): Promise<{ loss: number; accuracy: number }[]> {
    const results = await Promise.all(shards.map((shard, i) => this.call(this.workers[i] as Worker, shard)));
    for (const r of results) {
      for (const d of r.dense) {
        const g = this.model.params.get(d.name).grad as Float32Array;
        for (let i = 0; i < g.length; i++) g[i] = (g[i] as number) + (d.grad[i] as number);
      }
      addRows(grads.word, r.word);
      addRows(grads.ngram, r.ngram);
    }
    return results.map((r) => ({ loss: r.loss, accuracy: r.accuracy }));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private call(worker: Worker, shard: ContrastiveShard): Promise<ShardGradients> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => {
        worker.off("message", onMessage);
        reject(err);
      };
      const onMessage = (result: ShardGradients) => {
        worker.off("error", onError);
        resolve(result);
      };
      worker.once("message", onMessage);
      worker.once("error", onError);
      worker.postMessage(shard);
    });
  }
}

function addRows(acc: EmbedderGrads["word"], g: { rows: Int32Array; values: Float32Array }): void {
  const dim = acc.dim;
  for (let r = 0; r < g.rows.length; r++) acc.add(g.rows[r] as number, g.values, r * dim);
}

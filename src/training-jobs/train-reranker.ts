/**
 * Built-in job `train-reranker`: fits the K-NRM-family reranker over BM25 top-k candidates of the
 * job's training queries and writes a model folder to the output (config.json, tokenizer files,
 * model.safetensors with the term encoder under `encoder.`, metrics.json, README.md).
 *
 * Hyper-parameters (all optional): embedder (a trained embedder's folder: a path inside the input
 * or an oss:// URL; default the untrained GloVe embedder), depth, epochs, lr, weight_decay,
 * patience, hidden, max_length, seed, plus the data options of train-embedding (pairs,
 * augment_per_doc, generated_per_doc, validation_share).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ApiClient } from "../cli/client.ts";
import { copyPaths } from "../cli/oss-client.ts";
import { jobContext, reportMetrics, reportProgress } from "../jobs/sdk.ts";
import { loadModelFolder, saveReranker } from "../models/artifacts.ts";
import type { Embedder } from "../models/embedder.ts";
import { Reranker } from "../models/reranker.ts";
import type { TrainingData } from "../models/training/data.ts";
import { initialEmbedderFor } from "../models/training/init-embedder.ts";
import { RERANKER_TRAINING_DEFAULTS, trainReranker } from "../models/training/train-reranker.ts";
import { isOssUrl } from "../storage/oss-url.ts";
import {
  corpusIndex,
  dataSummary,
  describeData,
  glove,
  metricSummary,
  numbers,
  trainingData,
} from "./common.ts";
import { rerankerCard } from "./model-card.ts";

const ctx = jobContext();
const d = RERANKER_TRAINING_DEFAULTS;
const hp = numbers(ctx, {
  depth: d.depth,
  epochs: d.epochs,
  lr: d.lr,
  weight_decay: d.weightDecay,
  patience: d.patience,
  hidden: 4,
  max_length: 256,
  seed: 3,
});
reportProgress(0, "reading training data");
const data = trainingData(ctx);
console.log(describeData(data));

async function termEncoder(data: TrainingData): Promise<Embedder> {
  const source = ctx.hyperParameters.embedder;
  if (!source) {
    reportProgress(0, "loading GloVe vectors (no embedder given: untrained term vectors)");
    return initialEmbedderFor(data, {
      glove: await glove(),
      dimension: 256,
    });
  }
  let dir = path.resolve(ctx.inputDir, source);
  let copy: string | undefined;
  let loaded: Awaited<ReturnType<typeof loadModelFolder>>;
  try {
    if (isOssUrl(source)) {
      if (!ctx.apiUrl)
        throw new Error("an oss:// embedder needs the platform API (run this script as a job)");
      copy = fs.mkdtempSync(path.join(os.tmpdir(), "lodestone-embedder-"));
      dir = copy;
      await copyPaths(new ApiClient(ctx.apiUrl), source.endsWith("/") ? source : `${source}/`, dir, true);
    } else if (!dir.startsWith(ctx.inputDir)) {
      throw new Error(
        `hyper-parameter embedder must be a folder inside the input or an oss:// URL, got ${source}`,
      );
    }
    loaded = await loadModelFolder(dir);
  } finally {
    // the model is read into memory: its copy is not left in the temporary folder
    if (copy) fs.rmSync(copy, { recursive: true, force: true });
  }
  if (loaded.kind !== "embedding")
    throw new Error(`hyper-parameter embedder: ${source} holds a reranker, not an embedder`);
  return loaded.encoder;
}

const embedder = await termEncoder(data);
const model = Reranker.create(embedder, { hidden: hp.hidden, maxLength: hp.max_length, seed: hp.seed });
const index = await corpusIndex(data);
reportProgress(
  0.05,
  `computing features for ${data.train.length + data.validation.length} queries × ${hp.depth} candidates`,
);
const result = trainReranker(
  model,
  data,
  index,
  { depth: hp.depth, epochs: hp.epochs, lr: hp.lr, weightDecay: hp.weight_decay, patience: hp.patience },
  (r) => {
    if (r.epoch % 10 === 0) {
      reportProgress(0.1 + (0.9 * r.epoch) / hp.epochs, `epoch ${r.epoch} loss ${r.loss.toFixed(4)}`);
      reportMetrics(
        { loss: r.loss, val_ndcg10: r.validation.ndcg10, val_mrr10: r.validation.mrr10 },
        r.epoch,
      );
    }
  },
);
await index.close();
const metrics = {
  data: dataSummary(data),
  hyper_parameters: hp,
  validation: { bm25: metricSummary(result.bm25), reranked: metricSummary(result.best) },
  best_epoch: result.bestEpoch,
  training_seconds: result.seconds,
};
saveReranker(model, ctx.outputDir, { metrics, card: rerankerCard(model.config, metrics) });
reportMetrics({ final_val_ndcg10: result.best.ndcg10, bm25_val_ndcg10: result.bm25.ndcg10 });
reportProgress(
  1,
  `validation nDCG@10: BM25 ${result.bm25.ndcg10.toFixed(4)} → reranked ${result.best.ndcg10.toFixed(4)}`,
);

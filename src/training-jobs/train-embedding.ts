/**
 * Built-in job `train-embedding`: fine-tunes the dual-encoder embedder on the job's input
 * (BEIR layout, pairs JSONL, or documents only) and writes a model folder to the output:
 * config.json, tokenizer.json, vocab.txt, model.safetensors, metrics.json, README.md.
 *
 * Hyper-parameters (all optional): dim (768), epochs, batch_size, lr, embedding_lr, temperature,
 * hard_negatives, hard_negative_depth, warmup_ratio, clip_norm, patience, seed, workers, max_length,
 * buckets, glove_words, init_seed, pairs (auto | generated), augment_per_doc, generated_per_doc,
 * validation_share.
 */
import { jobContext, reportMetrics, reportProgress } from "../jobs/sdk.ts";
import { saveEmbedder } from "../models/artifacts.ts";
import { DEFAULT_TOKENIZER_SETTINGS } from "../models/tokenizer.ts";
import { EMBEDDER_INIT_DEFAULTS, initialEmbedderFor } from "../models/training/init-embedder.ts";
import { EMBEDDER_TRAINING_DEFAULTS, trainEmbedder } from "../models/training/train-embedder.ts";
import {
  bm25Validation,
  corpusIndex,
  dataSummary,
  describeData,
  glove,
  metricSummary,
  numbers,
  trainingData,
} from "./common.ts";
import { embedderCard } from "./model-card.ts";

const ctx = jobContext();
const d = EMBEDDER_TRAINING_DEFAULTS;
const hp = numbers(ctx, {
  dim: 768,
  epochs: d.epochs,
  batch_size: d.batchSize,
  lr: d.lr,
  embedding_lr: d.embeddingLr,
  temperature: d.temperature,
  hard_negatives: d.hardNegatives,
  hard_negative_depth: d.hardNegativeDepth,
  warmup_ratio: d.warmupRatio,
  clip_norm: d.clipNorm,
  patience: d.patience,
  seed: d.seed,
  workers: d.workers,
  // a new embedder's defaults, so a job trains what bench/models measures
  max_length: DEFAULT_TOKENIZER_SETTINGS.maxLength,
  buckets: DEFAULT_TOKENIZER_SETTINGS.buckets,
  glove_words: EMBEDDER_INIT_DEFAULTS.gloveWords,
  init_seed: EMBEDDER_INIT_DEFAULTS.seed,
});
reportProgress(0, "reading training data");
const data = trainingData(ctx);
console.log(describeData(data));
reportProgress(0, "loading GloVe vectors");
const vectors = await glove();
const model = initialEmbedderFor(data, {
  glove: vectors,
  dimension: hp.dim,
  gloveWords: hp.glove_words,
  tokenizer: { maxLength: hp.max_length, buckets: hp.buckets },
  seed: hp.init_seed,
});
console.log(`vocabulary ${model.config.vocab_size} words, ${hp.buckets} n-gram buckets, ${hp.dim}-d output`);
const index = await corpusIndex(data);
const bm25 = bm25Validation(data, index);
const result = await trainEmbedder(
  model,
  data,
  index,
  {
    epochs: hp.epochs,
    batchSize: hp.batch_size,
    lr: hp.lr,
    embeddingLr: hp.embedding_lr,
    temperature: hp.temperature,
    hardNegatives: hp.hard_negatives,
    hardNegativeDepth: hp.hard_negative_depth,
    warmupRatio: hp.warmup_ratio,
    clipNorm: hp.clip_norm,
    patience: hp.patience,
    seed: hp.seed,
    workers: hp.workers,
  },
  {
    onStep: (s) => {
      if (s.step % 5 === 0 || s.step === s.totalSteps)
        reportProgress(
          s.step / s.totalSteps,
          `epoch ${s.epoch} step ${s.step}/${s.totalSteps} loss ${s.loss.toFixed(4)}`,
        );
    },
    onEpoch: (r) => {
      console.log(
        `epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, in-batch accuracy ${r.accuracy.toFixed(3)}, validation nDCG@10 ${r.validation.ndcg10.toFixed(4)} (${r.seconds.toFixed(1)} s)`,
      );
      reportMetrics(
        {
          loss: r.loss,
          accuracy: r.accuracy,
          val_ndcg10: r.validation.ndcg10,
          val_recall100: r.validation.recall100,
          val_mrr10: r.validation.mrr10,
        },
        r.epoch,
      );
    },
  },
);
await index.close();
const metrics = {
  data: dataSummary(data),
  hyper_parameters: hp,
  validation: {
    bm25: metricSummary(bm25),
    before: metricSummary(result.before),
    after: metricSummary(result.best),
  },
  best_epoch: result.bestEpoch,
  stopped_early: result.stoppedEarly,
  training_seconds: result.seconds,
  history: result.history.map((r) => ({
    epoch: r.epoch,
    loss: r.loss,
    accuracy: r.accuracy,
    ...metricSummary(r.validation),
  })),
};
saveEmbedder(model, ctx.outputDir, { metrics, card: embedderCard(model.config, metrics) });
reportMetrics({
  final_val_ndcg10: result.best.ndcg10,
  untrained_val_ndcg10: result.before.ndcg10,
  bm25_val_ndcg10: bm25.ndcg10,
});
reportProgress(
  1,
  `validation nDCG@10 ${result.before.ndcg10.toFixed(4)} → ${result.best.ndcg10.toFixed(4)} (BM25 ${bm25.ndcg10.toFixed(4)})`,
);

/**
 * What the built-in training scripts share: reading hyper-parameters, the training data, the
 * GloVe vectors (cached under the data directory) and a BM25 index of the training corpus from
 * the embedded engine, which models/ receives as a plain `CandidateRetriever`.
 */
import os from "node:os";
import path from "node:path";
import type { Bm25Index } from "../eval/bm25-index.ts";
import { openBm25Index } from "../eval/bm25-index.ts";
import { evaluateRun, type Metrics } from "../eval/metrics.ts";
import { type JobContext, numberParam } from "../jobs/sdk.ts";
import { loadGlove, type WordVectors } from "../models/glove.ts";
import {
  corpusAsBeir,
  loadTrainingData,
  type TrainingData,
  validationQrels,
} from "../models/training/data.ts";

/** Where derived data (the GloVe cache) lives: the server's cache folder, else the user's. */
export function cacheDir(): string {
  return process.env.LODESTONE_CACHE_DIR ?? path.join(os.homedir(), ".cache", "lodestone");
}

export function glove(): Promise<WordVectors> {
  return loadGlove({ cacheDir: path.join(cacheDir(), "glove") });
}

/** Numeric hyper-parameters, each with its default, read from the job (clear error when not a number). */
export function numbers<T extends Record<string, number>>(ctx: JobContext, defaults: T): T {
  const out: Record<string, number> = {};
  for (const [name, fallback] of Object.entries(defaults)) out[name] = numberParam(ctx, name, fallback);
  return out as T;
}

export function trainingData(ctx: JobContext): TrainingData {
  const mode = ctx.hyperParameters.pairs ?? "auto";
  if (mode !== "auto" && mode !== "generated")
    throw new Error(`hyper-parameter pairs must be "auto" or "generated", got ${JSON.stringify(mode)}`);
  const hp = numbers(ctx, { augment_per_doc: 1, generated_per_doc: 3, validation_share: 0.2, seed: 13 });
  return loadTrainingData(ctx.inputDir, {
    forceGenerated: mode === "generated",
    augmentPerDoc: hp.augment_per_doc,
    generatedPerDoc: hp.generated_per_doc,
    validationShare: hp.validation_share,
    seed: hp.seed,
  });
}

export function corpusIndex(data: TrainingData): Promise<Bm25Index> {
  return openBm25Index(corpusAsBeir(data));
}

/** BM25 alone on the validation queries: the baseline a trained model is compared with. */
export function bm25Validation(data: TrainingData, index: Bm25Index): Metrics {
  return evaluateRun(
    validationQrels(data),
    index.run(
      data.validation.map((q) => ({ id: q.id, text: q.text })),
      100,
    ),
  );
}

export function metricSummary(m: Metrics): Record<string, number> {
  return { ndcg10: m.ndcg10, recall100: m.recall100, mrr10: m.mrr10 };
}

/** What metrics.json records about the data a model was trained on. */
export function dataSummary(data: TrainingData) {
  return {
    source: data.source,
    documents: data.corpus.length,
    train_queries: data.train.length,
    validation_queries: data.validation.length,
  };
}

export function describeData(data: TrainingData): string {
  return `${data.source} data: ${data.corpus.length} documents, ${data.train.length} training queries, ${data.validation.length} validation queries`;
}

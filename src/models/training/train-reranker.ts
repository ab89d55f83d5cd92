/**
 * Fits the reranker's MLP with a listwise softmax loss (graded gains 2^g − 1) over each training
 * query's BM25 top-k candidates. Features are computed once (the term vectors are frozen), so an
 * epoch is one full-batch step; early stopping on the validation queries' reranked nDCG@10.
 */
import { evaluateRun, type Metrics, type Run } from "../../eval/metrics.ts";
import { AdamW, clipGradNorm } from "../nn/adamw.ts";
import { mlpBackward, mlpForward } from "../nn/mlp.ts";
import { listwiseSoftmaxLoss } from "../nn/ranking-losses.ts";
import { RERANKER_PARAM, type Reranker } from "../reranker.ts";
import type { CandidateRetriever } from "../types.ts";
import { type TrainingData, type TrainingQuery, validationQrels } from "./data.ts";

export interface RerankerTrainingOptions {
  /** BM25 candidates per query. */
  depth: number;
  epochs: number;
  lr: number;
  weightDecay: number;
  patience: number;
}

export const RERANKER_TRAINING_DEFAULTS: RerankerTrainingOptions = {
  depth: 100,
  epochs: 400,
  lr: 3e-3,
  weightDecay: 1e-2,
  patience: 60,
};

export interface RerankerEpochRecord {
  epoch: number;
  loss: number;
  validation: Metrics;
}

export interface RerankerTrainingResult {
  /** BM25 alone on the validation queries. */
  bm25: Metrics;
  before: Metrics;
  best: Metrics;
  bestEpoch: number;
  history: RerankerEpochRecord[];
  seconds: number;
}

/** One query's candidates with their features and labels. */
interface Group {
  query: TrainingQuery;
  ids: string[];
  bm25: number[];
  features: Float32Array;
  labels: Float32Array;
}

export function trainReranker(
  model: Reranker,
  data: TrainingData,
  retriever: CandidateRetriever,
  options: Partial<RerankerTrainingOptions> = {},
  onEpoch?: (record: RerankerEpochRecord) => void,
): RerankerTrainingResult {
  const opts = { ...RERANKER_TRAINING_DEFAULTS, ...options };
  const started = performance.now();
  const index = new Map(data.corpus.map((d, i) => [d.id, i]));
  const groupsOf = (queries: TrainingQuery[]) =>
    queries.map((query): Group => {
      const hits = retriever.search(query.text, opts.depth);
      const candidates = hits.map((h) => ({
        text: data.corpus[index.get(h.id) as number]?.text ?? "",
        bm25: h.score,
      }));
      return {
        query,
        ids: hits.map((h) => h.id),
        bm25: hits.map((h) => h.score),
        features: model.features(query.text, candidates),
        labels: Float32Array.from(hits.map((h) => query.positives.get(index.get(h.id) as number) ?? 0)),
      };
    });
  // Queries with no positive among the candidates teach nothing to a listwise loss.
  const train = groupsOf(data.train).filter((g) => g.labels.some((l) => l > 0));
  const validation = groupsOf(data.validation);
  if (train.length === 0)
    throw new Error(`no training query has a positive document in its BM25 top ${opts.depth}`);

  const stacked = concat(train.map((g) => g.features));
  model.fitStandardization(stacked);
  const x = model.standardize(stacked);
  const validationX = validation.map((g) => model.standardize(g.features.slice()));
  const labels = concat(train.map((g) => g.labels));
  const offsets = Int32Array.from([0, ...cumulative(train.map((g) => g.ids.length))]);
  const n = labels.length;

  const qrels = validationQrels(data);
  const evaluate = (score: (g: Group, i: number) => Float32Array | number[]): Metrics => {
    const run: Run = new Map();
    validation.forEach((g, i) => {
      const s = score(g, i);
      run.set(
        g.query.id,
        g.ids.map((id, j) => ({ id, score: s[j] as number })),
      );
    });
    return evaluateRun(qrels, run);
  };
  const rerankValidation = () =>
    evaluate((g, i) => model.scoreFeatures(validationX[i] as Float32Array, g.ids.length));
  const bm25 = evaluate((g) => g.bm25);
  const before = rerankValidation();
  const optimizer = new AdamW({ weightDecay: opts.weightDecay });
  const weights = model.mlpWeights();
  const grads = {
    w1: model.params.get(RERANKER_PARAM.w1).grad as Float32Array,
    b1: model.params.get(RERANKER_PARAM.b1).grad as Float32Array,
    w2: model.params.get(RERANKER_PARAM.w2).grad as Float32Array,
    b2: model.params.get(RERANKER_PARAM.b2).grad as Float32Array,
  };
  let best = before;
  let bestEpoch = 0;
  let bestWeights = model.params.snapshot();
  const history: RerankerEpochRecord[] = [];
  let stale = 0;
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    model.params.zeroGrad();
    const fwd = mlpForward(x, n, model.mlpShape, weights);
    // the residual feature's contribution has no parameters: same gradient w.r.t. the MLP output
    const { loss, dScores } = listwiseSoftmaxLoss(model.withResidual(fwd.scores, x, n), labels, offsets, {
      gain: "exp2",
    });
    mlpBackward(x, n, model.mlpShape, weights, fwd, dScores, grads);
    const dense = model.params.denseTensors();
    clipGradNorm(
      5,
      dense.map((t) => t.grad),
    );
    optimizer.step(opts.lr, dense);
    const validationMetrics = rerankValidation();
    const record = { epoch, loss, validation: validationMetrics };
    history.push(record);
    onEpoch?.(record);
    if (validationMetrics.ndcg10 > best.ndcg10) {
      best = validationMetrics;
      bestEpoch = epoch;
      bestWeights = model.params.snapshot();
      stale = 0;
    } else if (++stale >= opts.patience) break;
  }
  model.params.restore(bestWeights);
  return { bm25, before, best, bestEpoch, history, seconds: (performance.now() - started) / 1000 };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function cumulative(sizes: number[]): number[] {
  let s = 0;
  return sizes.map((n) => (s += n));
}

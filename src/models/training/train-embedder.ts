/**
 * Contrastive fine-tuning of the embedder: each step takes a batch of (query, positive) pairs,
 * adds BM25-mined hard negatives, and minimises InfoNCE over in-batch and hard negatives. AdamW
 * with warm-up and linear decay, global-norm clipping, and early stopping on the validation
 * queries' dense nDCG@10 (the best epoch's weights are kept).
 */
import os from "node:os";
import { buildDenseIndex } from "../../eval/dense.ts";
import { evaluateRun, type Metrics } from "../../eval/metrics.ts";
import type { Embedder } from "../embedder.ts";
import { PARAM } from "../embedder.ts";
import { AdamW, clipGradNorm, lrSchedule } from "../nn/adamw.ts";
import type { EncodedText } from "../tokenizer.ts";
import type { CandidateRetriever } from "../types.ts";
import { type ContrastiveShard, contrastiveGradients } from "./contrastive-step.ts";
import { corpusAsBeir, type TrainingData, type TrainingQuery, validationQrels } from "./data.ts";
import { GradientWorkers } from "./gradient-workers.ts";
import { mulberry32, seededShuffle } from "./random.ts";

export interface EmbedderTrainingOptions {
  epochs: number;
  /** Queries per step (each brings its positive and its hard negatives). */
  batchSize: number;
  /** Peak learning rate of the projection and token weights. */
  lr: number;
  /** Peak learning rate of the word and n-gram tables. */
  embeddingLr: number;
  temperature: number;
  /** BM25 hard negatives per query and step (0: in-batch negatives only). */
  hardNegatives: number;
  /** Hard negatives are drawn from the BM25 top this-many that are not positives. */
  hardNegativeDepth: number;
  warmupRatio: number;
  clipNorm: number;
  /** Epochs without a better validation nDCG@10 before stopping. */
  patience: number;
  seed: number;
  /** Worker threads computing shards of each batch alongside the main thread (0: none). */
  workers: number;
}

export const EMBEDDER_TRAINING_DEFAULTS: EmbedderTrainingOptions = {
  epochs: 20,
  batchSize: 64,
  lr: 2e-3,
  embeddingLr: 5e-3,
  temperature: 0.2,
  hardNegatives: 5,
  hardNegativeDepth: 30,
  warmupRatio: 0.1,
  clipNorm: 5,
  patience: 3,
  seed: 7,
  workers: Math.min(3, Math.max(0, os.availableParallelism() - 1)),
};

export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  validation: Metrics;
  seconds: number;
}

export interface StepInfo {
  epoch: number;
  step: number;
  totalSteps: number;
  loss: number;
  lr: number;
}

export interface TrainingCallbacks {
  onStep?(info: StepInfo): void;
  onEpoch?(record: EpochRecord): void;
}

export interface EmbedderTrainingResult {
  before: Metrics;
  history: EpochRecord[];
  bestEpoch: number;
  best: Metrics;
  stoppedEarly: boolean;
  seconds: number;
}

/** One (query, positive) training pair; a query with several positives gives several pairs. */
interface Pair {
  query: number;
  doc: number;
}

export async function trainEmbedder(
  model: Embedder,
  data: TrainingData,
  retriever: CandidateRetriever | undefined,
  options: Partial<EmbedderTrainingOptions> = {},
  callbacks: TrainingCallbacks = {},
): Promise<EmbedderTrainingResult> {
  const opts = { ...EMBEDDER_TRAINING_DEFAULTS, ...options };
  const started = performance.now();
  const random = mulberry32(opts.seed);
  const encode = (text: string) => model.tokenizer.encode(text);
  const docTokens = data.corpus.map((d) => encode(d.text));
  const queryTokens = data.train.map((q) => encode(q.text));
  const positiveTokens = data.train.map((q) =>
    q.positiveText === undefined ? undefined : encode(q.positiveText),
  );
  const hardPools = hardNegativePools(data, retriever, opts.hardNegativeDepth);
  const pairs: Pair[] = data.train.flatMap((q, query) =>
    [...q.positives.keys()].map((doc) => ({ query, doc })),
  );
  if (pairs.length === 0)
    throw new Error("no training pairs: every training query lacks a positive document");

  const stepsPerEpoch = Math.ceil(pairs.length / opts.batchSize);
  const totalSteps = stepsPerEpoch * opts.epochs;
  const schedule = lrSchedule({
    baseLr: 1,
    warmupSteps: Math.max(1, Math.round(totalSteps * opts.warmupRatio)),
    totalSteps,
    decay: "linear",
  });
  const optimizer = new AdamW({ weightDecay: 0 });
  const grads = model.newGrads();
  const validate = () => validationMetrics(model, data);
  const before = validate();
  let best = before;
  let bestEpoch = 0;
  let bestWeights = model.params.snapshot();
  const history: EpochRecord[] = [];
  let step = 0;
  let stale = 0;
  let stoppedEarly = false;

  const workers = opts.workers > 0 ? new GradientWorkers(model, opts.workers) : undefined;
  try {
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const epochStart = performance.now();
      const order = seededShuffle(pairs, random);
      let lossSum = 0;
      let accSum = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        const batch = order.slice(s * opts.batchSize, (s + 1) * opts.batchSize);
        const { loss, accuracy } = await trainStep(batch);
        lossSum += loss;
        accSum += accuracy;
        step++;
        callbacks.onStep?.({ epoch, step, totalSteps, loss, lr: schedule(step - 1) * opts.lr });
      }
      const validation = validate();
      const record: EpochRecord = {
        epoch,
        loss: lossSum / stepsPerEpoch,
        accuracy: accSum / stepsPerEpoch,
        validation,
        seconds: (performance.now() - epochStart) / 1000,
      };
      history.push(record);
      callbacks.onEpoch?.(record);
      if (validation.ndcg10 > best.ndcg10) {
        best = validation;
        bestEpoch = epoch;
        bestWeights = model.params.snapshot();
        stale = 0;
      } else if (++stale >= opts.patience) {
        stoppedEarly = epoch < opts.epochs;
        break;
      }
    }
  } finally {
    await workers?.close();
  }
  model.params.restore(bestWeights);
  return { before, history, bestEpoch, best, stoppedEarly, seconds: (performance.now() - started) / 1000 };

  async function trainStep(batch: Pair[]): Promise<{ loss: number; accuracy: number }> {
    const parts = 1 + (workers?.size ?? 0);
    const shards: ContrastiveShard[] = [];
    for (let p = 0; p < parts; p++) {
      const from = Math.floor((p * batch.length) / parts);
      const to = Math.floor(((p + 1) * batch.length) / parts);
      if (to > from) shards.push(shardOf(batch.slice(from, to), (to - from) / batch.length));
    }
    model.params.zeroGrad();
    grads.word.clear();
    grads.ngram.clear();
    const [local, ...remote] = shards as [ContrastiveShard, ...ContrastiveShard[]];
    const pending = workers && remote.length ? workers.run(remote, grads) : Promise.resolve([]);
    const losses = [contrastiveGradients(model, local, grads), ...(await pending)];
    const dense = model.params.denseTensors();
    const sparse = [
      { name: PARAM.word, data: model.params.get(PARAM.word).data, grad: grads.word.toRows() },
      { name: PARAM.ngram, data: model.params.get(PARAM.ngram).data, grad: grads.ngram.toRows() },
    ];
    const clip = clipGradNorm(
      opts.clipNorm,
      dense.map((t) => t.grad),
      sparse.map((t) => t.grad),
    );
    if (Number.isFinite(clip.norm)) {
      const scale = schedule(step);
      optimizer.step(opts.lr * scale, dense);
      optimizer.step(opts.embeddingLr * scale, [], sparse);
    }
    let loss = 0;
    let accuracy = 0;
    losses.forEach((l, i) => {
      loss += l.loss * (shards[i] as ContrastiveShard).scale;
      accuracy += l.accuracy * (shards[i] as ContrastiveShard).scale;
    });
    return { loss, accuracy };
  }

  /** A shard: its pairs' queries, their positives, then BM25 hard negatives for each query. */
  function shardOf(pairs: Pair[], scale: number): ContrastiveShard {
    const B = pairs.length;
    const docIds: number[] = pairs.map((p) => p.doc);
    const docs: EncodedText[] = pairs.map(
      (p) => positiveTokens[p.query] ?? (docTokens[p.doc] as EncodedText),
    );
    for (const p of pairs) {
      const pool = hardPools[p.query] as number[];
      for (let h = 0; h < opts.hardNegatives && pool.length > 0; h++) {
        const doc = pool[Math.floor(random() * pool.length)] as number;
        docIds.push(doc);
        docs.push(docTokens[doc] as EncodedText);
      }
    }
    const N = docIds.length;
    // Another row that is also a positive of query i (same document, or judged relevant) is no negative.
    const exclude = new Uint8Array(B * N);
    for (let i = 0; i < B; i++) {
      const q = data.train[(pairs[i] as Pair).query] as TrainingQuery;
      for (let j = 0; j < N; j++) if (j !== i && q.positives.has(docIds[j] as number)) exclude[i * N + j] = 1;
    }
    return {
      queries: pairs.map((p) => queryTokens[p.query] as EncodedText),
      docs,
      exclude,
      temperature: opts.temperature,
      scale,
    };
  }
}

/** For each training query, the BM25 top documents that are not among its positives. */
function hardNegativePools(
  data: TrainingData,
  retriever: CandidateRetriever | undefined,
  depth: number,
): number[][] {
  if (!retriever || depth <= 0) return data.train.map(() => []);
  const index = new Map(data.corpus.map((d, i) => [d.id, i]));
  return data.train.map((q) => {
    const pool: number[] = [];
    for (const hit of retriever.search(q.text, depth + q.positives.size)) {
      const doc = index.get(hit.id);
      if (doc !== undefined && !q.positives.has(doc) && pool.length < depth) pool.push(doc);
    }
    return pool;
  });
}

/** Dense retrieval over the whole corpus for the validation queries (nDCG@10, Recall@100, MRR@10). */
export function validationMetrics(model: Embedder, data: TrainingData): Metrics {
  const corpus = corpusAsBeir(data);
  const run = buildDenseIndex(model, corpus, { batchSize: 256 }).run(
    data.validation.map((q) => ({ id: q.id, text: q.text })),
    100,
  );
  return evaluateRun(validationQrels(data), run);
}

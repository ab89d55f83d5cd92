// Blending recall channels: each channel's candidate scores are min-max normalised per request
// (so channels on different scales are comparable), and the blend score is Σ weight × normalised
// score, an item missing from a channel's list scoring 0 there. fitBlend chooses the weights by
// coordinate search for nDCG@k on held-out interactions the caller provides (a validation split
// of training data — never the test set).
import { topK } from "./topk.ts";
import type { Scored } from "./types.ts";

export type BlendWeights = Record<string, number>;

/** Min-max normalised copy of a channel's scores (a single item, or all equal, scores 1). */
export function normaliseScores(scores: Float32Array): Float32Array {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of scores) {
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  const out = new Float32Array(scores.length);
  const span = hi - lo;
  for (let r = 0; r < scores.length; r++) out[r] = span > 0 ? ((scores[r] as number) - lo) / span : 1;
  return out;
}

/** The candidates of several channels as one matrix: union of items × normalised channel scores. */
export interface CandidateMatrix {
  channels: string[];
  items: Int32Array;
  /** items × channels, row-major */
  features: Float32Array;
}

export function candidateMatrix(
  lists: Readonly<Record<string, Scored>>,
  channels = Object.keys(lists),
): CandidateMatrix {
  const rowOf = new Map<number, number>();
  for (const c of channels)
    for (const i of lists[c]?.items ?? []) if (!rowOf.has(i)) rowOf.set(i, rowOf.size);
  const nc = channels.length;
  const items = new Int32Array(rowOf.size);
  for (const [i, r] of rowOf) items[r] = i;
  const features = new Float32Array(rowOf.size * nc);
  channels.forEach((c, ci) => {
    const list = lists[c];
    if (!list) return;
    const norm = normaliseScores(list.scores);
    list.items.forEach((i, r) => {
      features[(rowOf.get(i) as number) * nc + ci] = norm[r] as number;
    });
  });
  return { channels, items, features };
}

/** Blend of a candidate matrix with weights (missing weights are 0), best k first. */
export function blendMatrix(
  m: CandidateMatrix,
  weights: BlendWeights,
  k: number,
  exclude?: ReadonlySet<number>,
): Scored {
  const nc = m.channels.length;
  const w = m.channels.map((c) => weights[c] ?? 0);
  const scores = new Float32Array(m.items.length);
  for (let r = 0; r < m.items.length; r++) {
    let s = 0;
    for (let c = 0; c < nc; c++) s += (w[c] as number) * (m.features[r * nc + c] as number);
    scores[r] = s;
  }
  let skip: Set<number> | undefined;
  if (exclude?.size) {
    skip = new Set();
    m.items.forEach((i, r) => {
      if (exclude.has(i)) skip?.add(r);
    });
  }
  const top = topK(scores, k, skip);
  return { items: top.items.map((r) => m.items[r] as number), scores: top.scores };
}

/** Blends channel lists (as the channels returned them) with weights: the request-time entry point. */
export function blendScored(
  lists: Readonly<Record<string, Scored>>,
  weights: BlendWeights,
  k: number,
  exclude?: ReadonlySet<number>,
): Scored {
  return blendMatrix(candidateMatrix(lists), weights, k, exclude);
}

/** One validation request: what each channel proposed, and what the user really did next. */
export interface BlendExample {
  lists: Readonly<Record<string, Scored>>;
  /** held-out item indices */
  relevant: ReadonlySet<number>;
  /** held-out count (defaults to relevant.size; larger when some held-out items are unknown) */
  size?: number;
}

export interface FitBlendOptions {
  /** the cut-off of the nDCG the weights maximise (default 20) */
  k?: number;
  /** channels to weigh (default every channel seen in the examples) */
  channels?: string[];
  /** weights tried for each channel (default 0 … 4) */
  grid?: number[];
  /** coordinate-search sweeps (default 3) */
  rounds?: number;
}

export interface FitBlendResult {
  weights: BlendWeights;
  /** mean nDCG@k of the blend on the examples */
  ndcg: number;
  /** mean nDCG@k of each channel alone on the examples */
  single: Record<string, number>;
}

export const DEFAULT_GRID = [0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 4];

function meanNdcg(
  mats: readonly CandidateMatrix[],
  examples: readonly BlendExample[],
  weights: BlendWeights,
  k: number,
): number {
  let sum = 0;
  let idcgCache = new Float64Array(0);
  mats.forEach((m, e) => {
    const ex = examples[e] as BlendExample;
    const top = blendMatrix(m, weights, k);
    let dcg = 0;
    for (let r = 0; r < top.items.length; r++)
      if (ex.relevant.has(top.items[r] as number)) dcg += 1 / Math.log2(r + 2);
    const size = Math.min(k, ex.size ?? ex.relevant.size);
    if (idcgCache.length <= size) {
      idcgCache = new Float64Array(k + 1);
      for (let r = 0; r < k; r++) idcgCache[r + 1] = (idcgCache[r] as number) + 1 / Math.log2(r + 2);
    }
    const idcg = idcgCache[size] as number;
    sum += idcg > 0 ? dcg / idcg : 0;
  });
  return mats.length ? sum / mats.length : 0;
}

/**
 * Channel weights maximising mean nDCG@k over the examples: start from the best single channel,
 * then sweep the channels, trying each grid value with the others fixed, keeping improvements.
 */
export function fitBlend(examples: readonly BlendExample[], opts: FitBlendOptions = {}): FitBlendResult {
  const k = opts.k ?? 20;
  const grid = opts.grid ?? DEFAULT_GRID;
  const rounds = opts.rounds ?? 3;
  const channels = opts.channels ?? [...new Set(examples.flatMap((e) => Object.keys(e.lists)))].sort();
  if (channels.length === 0)
    throw new RangeError("fitBlend: no channel to weigh (the examples have no lists)");
  const mats = examples.map((e) => candidateMatrix(e.lists, channels));
  const single: Record<string, number> = {};
  let weights: BlendWeights = {};
  let best = Number.NEGATIVE_INFINITY;
  for (const c of channels) {
    single[c] = meanNdcg(mats, examples, { [c]: 1 }, k);
    if ((single[c] as number) > best) {
      best = single[c] as number;
      weights = Object.fromEntries(channels.map((d) => [d, d === c ? 1 : 0]));
    }
  }
  for (let round = 0; round < rounds; round++) {
    let improved = false;
    for (const c of channels) {
      for (const v of grid) {
        if (v === weights[c]) continue;
        const trial = { ...weights, [c]: v };
        if (Object.values(trial).every((x) => x === 0)) continue;
        const score = meanNdcg(mats, examples, trial, k);
        if (score > best + 1e-9) {
          best = score;
          weights = trial;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  return { weights, ndcg: best, single };
}

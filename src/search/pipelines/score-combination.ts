/**
 * Score normalization and combination for hybrid queries, as OpenSearch's neural-search plugin
 * computes them (NormalizationProcessor / RRFProcessor): each sub-query's top documents are
 * normalized across all indices searched (min_max, l2, z_score, or rrf ranks), then every
 * document's per-sub-query scores are combined (arithmetic, geometric or harmonic mean, or the RRF
 * sum). A document a sub-query did not return has score 0 for it. Arithmetic follows the plugin's
 * Java floats (Math.fround at each step) so scores match a cluster's.
 */
import { illegalArgument } from "../errors.ts";

const f = Math.fround;

/** Normalizes each sub-query's scores, given in rank order (best first). */
export type Normalizer = (lists: readonly (readonly number[])[]) => number[][];
/** Combines one document's normalized scores (one per sub-query, 0 where absent). */
export type Combiner = (scores: readonly number[]) => number;

/** min_max: (score − min) / (max − min); a 0 becomes 0.001 and a lone or flat result 1.0. */
export const minMax: Normalizer = (lists) =>
  lists.map((scores) => {
    const min = scores.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    const max = scores.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
    return scores.map((score) => {
      if (max === min) return 1;
      const normalized = f(f(score - min) / f(max - min));
      return normalized === 0 ? 0.001 : normalized;
    });
  });

/** l2: score / sqrt(Σ score²) over the sub-query's results (0 when they are all 0). */
export const l2: Normalizer = (lists) =>
  lists.map((scores) => {
    let sum = 0;
    for (const s of scores) sum = f(sum + f(s * s));
    const norm = f(Math.sqrt(sum));
    return scores.map((s) => (norm === 0 ? 0 : f(s / norm)));
  });

/**
 * z_score: (score − mean) / sample standard deviation; a score equal to the mean takes the maximum
 * score, a zero deviation the minimum, and a non-positive z-score becomes 0.001 (as the plugin does).
 */
export const zScore: Normalizer = (lists) =>
  lists.map((scores) => {
    const n = scores.length;
    const mean = scores.reduce((a, b) => a + b, 0) / n;
    const variance = n > 1 ? scores.reduce((a, s) => a + (s - mean) ** 2, 0) / (n - 1) : 0;
    const meanF = f(mean);
    const std = f(Math.sqrt(variance));
    const max = f(Math.max(...scores));
    const min = f(Math.min(...scores));
    return scores.map((s) => {
      if (meanF === s) return max;
      if (std === 0) return min;
      const z = f(f(s - meanF) / std);
      return z <= 0 ? 0.001 : z;
    });
  });

/** rrf: 1 / (rank_constant + rank), rank counted from 1 in the sub-query's results. */
export function rrf(rankConstant: number): Normalizer {
  // the plugin divides with BigDecimal to 10 places (HALF_UP) before taking the float
  const score = (position: number) => f(Number((1 / (rankConstant + position + 1)).toFixed(10)));
  return (lists) => lists.map((scores) => scores.map((_, position) => score(position)));
}

const weightOf = (weights: readonly number[], i: number) => (i < weights.length ? (weights[i] as number) : 1);

/** Σ wᵢ·sᵢ / Σ wᵢ (every sub-query counts, including those that did not return the document). */
export function arithmeticMean(weights: readonly number[] = []): Combiner {
  return (scores) => {
    let sum = 0;
    let sumOfWeights = 0;
    scores.forEach((s, i) => {
      if (s < 0) return;
      const w = weightOf(weights, i);
      sum = f(sum + f(s * w));
      sumOfWeights = f(sumOfWeights + w);
    });
    return sumOfWeights === 0 ? 0 : f(sum / sumOfWeights);
  };
}

/** exp(Σ wᵢ·ln sᵢ / Σ wᵢ) over the sub-queries that returned the document. */
export function geometricMean(weights: readonly number[] = []): Combiner {
  return (scores) => {
    let lnSum = 0;
    let sumOfWeights = 0;
    scores.forEach((s, i) => {
      if (s <= 0) return;
      const w = weightOf(weights, i);
      sumOfWeights = f(sumOfWeights + w);
      lnSum = f(lnSum + w * Math.log(s));
    });
    return sumOfWeights === 0 ? 0 : f(Math.exp(f(lnSum / sumOfWeights)));
  };
}

/** Σ wᵢ / Σ (wᵢ / sᵢ) over the sub-queries that returned the document. */
export function harmonicMean(weights: readonly number[] = []): Combiner {
  return (scores) => {
    let sumOfWeights = 0;
    let sumOfHarmonics = 0;
    scores.forEach((s, i) => {
      if (s <= 0) return;
      const w = weightOf(weights, i);
      sumOfWeights = f(sumOfWeights + w);
      sumOfHarmonics = f(sumOfHarmonics + f(w / s));
    });
    return sumOfHarmonics > 0 ? f(sumOfWeights / sumOfHarmonics) : 0;
  };
}

/** RRF: the (weighted) sum of the rank scores. */
export function rrfSum(weights: readonly number[] = []): Combiner {
  return (scores) => {
    let sum = 0;
    scores.forEach((s, i) => {
      if (s >= 0) sum = f(sum + f(s * weightOf(weights, i)));
    });
    return sum;
  };
}

/** Weights as the plugin accepts them: each in [0, 1], summing to 1 (within 0.01). */
export function validateWeights(weights: readonly number[], where: string): void {
  const shown = `[${weights.join(", ")}]`;
  if (weights.some((w) => !(w >= 0 && w <= 1)))
    throw illegalArgument(
      `${where}: all weights must be in range [0.0 ... 1.0], submitted weights: ${shown}`,
    );
  const sum = weights.reduce((a, w) => f(a + f(w)), 0);
  if (Math.abs(1 - sum) > 0.01)
    throw illegalArgument(
      `${where}: sum of weights for combination must be equal to 1.0, submitted weights: ${shown}`,
    );
}

/** A phase results processor's way of turning sub-query results into one ranking. */
export interface ScoreHybridizer {
  /** The processor and techniques, for errors and explain (e.g. "min_max, arithmetic_mean"). */
  processor: string;
  normalization: string;
  combination: string;
  normalize: Normalizer;
  combine: Combiner;
  /** Combination weights; empty means 1 for every sub-query. */
  weights: readonly number[];
}

export interface Fused<T> {
  item: T;
  score: number;
  /** Normalized score per sub-query; 0 where the sub-query did not return the item. */
  normalized: number[];
}

/**
 * Normalizes and combines sub-query results (each best first) into one list, best first; ties keep
 * the order `tieBreak` gives (first appearance by default).
 */
export function fuse<T>(
  lists: readonly (readonly { item: T; score: number }[])[],
  keyOf: (item: T) => string,
  hybridizer: ScoreHybridizer,
  tieBreak?: (a: T, b: T) => number,
): Fused<T>[] {
  if (hybridizer.weights.length && hybridizer.weights.length !== lists.length)
    throw illegalArgument(
      `${hybridizer.processor}: number of weights [${hybridizer.weights.length}] must match number of sub-queries [${lists.length}] in hybrid query`,
    );
  const normalized = hybridizer.normalize(lists.map((list) => list.map((r) => r.score)));
  const byKey = new Map<string, Fused<T>>();
  lists.forEach((list, q) => {
    list.forEach((r, rank) => {
      const key = keyOf(r.item);
      let entry = byKey.get(key);
      if (!entry) byKey.set(key, (entry = { item: r.item, score: 0, normalized: lists.map(() => 0) }));
      entry.normalized[q] = (normalized[q] as number[])[rank] as number;
    });
  });
  const fused = [...byKey.values()];
  for (const entry of fused) entry.score = hybridizer.combine(entry.normalized);
  return fused.sort((a, b) => b.score - a.score || (tieBreak ? tieBreak(a.item, b.item) : 0));
}

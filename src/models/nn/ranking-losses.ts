/**
 * Ranking losses over flat score arrays. Candidate lists are groups given by `offsets`
 * (G+1 entries: group g is scores[offsets[g] .. offsets[g+1])).
 */

import { sigmoid, softplus } from "./activations.ts";
import { allocLike, checkLength, type Vec } from "./tensor.ts";

export interface LossResult<T extends Vec> {
  loss: number;
  /** Gradient of the loss w.r.t. every score (zero for scores no pair/group uses). */
  dScores: T;
}

export interface PairwiseOptions {
  /** RankNet's σ: loss = log(1 + exp(−σ(s⁺ − s⁻))). Default 1. */
  sigma?: number;
  /** One weight per pair (e.g. |Δgain|); the loss is the weighted mean. Default all 1. */
  weights?: ArrayLike<number>;
}

/**
 * Pairwise logistic (RankNet) loss: for each pair k, scores[pos[k]] should beat scores[neg[k]];
 * loss = Σₖ wₖ · softplus(−σ(s⁺ − s⁻)) / Σₖ wₖ. For plain (pos, neg) score pairs, put them in one
 * array and pass the index pairs.
 */
export function pairwiseLogisticLoss<T extends Vec>(
  scores: T,
  pos: Int32Array,
  neg: Int32Array,
  options: PairwiseOptions = {},
): LossResult<T> {
  const sigma = options.sigma ?? 1;
  const weights = options.weights;
  const nPairs = pos.length;
  if (neg.length !== nPairs) throw new RangeError("pairwiseLogisticLoss: pos and neg differ in length");
  if (weights) checkLength(weights, nPairs, "pairwiseLogisticLoss weights");
  const dScores = allocLike(scores, scores.length);
  let total = 0;
  for (let k = 0; k < nPairs; k++) total += weights ? (weights[k] as number) : 1;
  if (!(total > 0)) return { loss: 0, dScores };
  let loss = 0;
  for (let k = 0; k < nPairs; k++) {
    const a = pos[k] as number;
    const b = neg[k] as number;
    const w = (weights ? (weights[k] as number) : 1) / total;
    const margin = sigma * ((scores[a] as number) - (scores[b] as number));
    loss += w * softplus(-margin);
    // d/dmargin softplus(−margin) = −σ(−margin)
    const g = -w * sigma * sigmoid(-margin);
    dScores[a] = (dScores[a] as number) + g;
    dScores[b] = (dScores[b] as number) - g;
  }
  return { loss, dScores };
}

/**
 * Every within-group pair (i, j) with labels[i] > labels[j]; `weights` are |labels[i] − labels[j]|
 * (pass them to pairwiseLogisticLoss for gain-weighted RankNet, or ignore them).
 */
export function pairsFromLabels(
  labels: ArrayLike<number>,
  offsets: Int32Array,
): { pos: Int32Array; neg: Int32Array; weights: Float64Array } {
  const pos: number[] = [];
  const neg: number[] = [];
  const weights: number[] = [];
  for (let g = 0; g + 1 < offsets.length; g++) {
    const start = offsets[g] as number;
    const end = offsets[g + 1] as number;
    for (let i = start; i < end; i++) {
      for (let j = start; j < end; j++) {
        const li = labels[i] as number;
        const lj = labels[j] as number;
        if (li > lj) {
          pos.push(i);
          neg.push(j);
          weights.push(li - lj);
        }
      }
    }
  }
  return { pos: Int32Array.from(pos), neg: Int32Array.from(neg), weights: Float64Array.from(weights) };
}

export interface ListwiseOptions {
  /** Target gain from a graded label: "linear" = label, "exp2" = 2^label − 1. Default "linear". */
  gain?: "linear" | "exp2";
  /** Scores are divided by this before the softmax. Default 1. */
  temperature?: number;
}

/**
 * Listwise softmax cross-entropy (ListNet top-one / TF-Ranking softmax loss) with graded labels:
 * per group, target t = gain / Σ gain and loss = −Σ tᵢ log softmax(s/τ)ᵢ; averaged over the
 * groups that have some positive gain (groups with none are skipped; `groups` counts the used).
 */
export function listwiseSoftmaxLoss<T extends Vec>(
  scores: T,
  labels: ArrayLike<number>,
  offsets: Int32Array,
  options: ListwiseOptions = {},
): LossResult<T> & { groups: number } {
  const exp2 = options.gain === "exp2";
  const invT = 1 / (options.temperature ?? 1);
  checkLength(labels, scores.length, "listwiseSoftmaxLoss labels");
  const nGroups = offsets.length - 1;
  const dScores = allocLike(scores, scores.length);
  let used = 0;
  for (let g = 0; g < nGroups; g++) {
    const start = offsets[g] as number;
    const end = offsets[g + 1] as number;
    let gains = 0;
    for (let i = start; i < end; i++) {
      const l = labels[i] as number;
      gains += exp2 ? 2 ** l - 1 : l;
    }
    if (gains > 0) used++;
  }
  if (used === 0) return { loss: 0, dScores, groups: 0 };
  let loss = 0;
  for (let g = 0; g < nGroups; g++) {
    const start = offsets[g] as number;
    const end = offsets[g + 1] as number;
    let gains = 0;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = start; i < end; i++) {
      const l = labels[i] as number;
      gains += exp2 ? 2 ** l - 1 : l;
      const s = (scores[i] as number) * invT;
      if (s > max) max = s;
    }
    if (!(gains > 0)) continue;
    let z = 0;
    for (let i = start; i < end; i++) z += Math.exp((scores[i] as number) * invT - max);
    const logZ = Math.log(z) + max;
    for (let i = start; i < end; i++) {
      const l = labels[i] as number;
      const t = (exp2 ? 2 ** l - 1 : l) / gains;
      const s = (scores[i] as number) * invT;
      if (t > 0) loss -= t * (s - logZ);
      dScores[i] = ((Math.exp(s - logZ) - t) * invT) / used;
    }
  }
  return { loss: loss / used, dScores, groups: used };
}

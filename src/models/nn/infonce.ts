/**
 * InfoNCE (contrastive cross-entropy) with in-batch and hard negatives.
 *
 * Q is B×d (queries), D is N×d (documents, N ≥ B): D[i] is the positive of Q[i]; every other row
 * of D — the other queries' positives and any extra hard negatives appended after row B — is a
 * negative for Q[i]. With logits ℓ = Q·Dᵀ / τ,
 *   loss = (1/B) Σᵢ [ −ℓ[i,i] + log Σⱼ exp ℓ[i,j] ].
 * Embeddings are expected L2-normalised (so ℓ·τ is a cosine), though nothing here requires it.
 */
import { allocLike, checkLength, matmul, matmulABt, matmulAtB, type Vec } from "./tensor.ts";

export interface InfoNceOptions {
  /**
   * B×N, nonzero = leave D[j] out of Q[i]'s softmax (known false negatives, e.g. a duplicate of
   * the positive elsewhere in the batch). The positive j = i is never excluded.
   */
  exclude?: Uint8Array;
}

export interface InfoNceResult<T extends Vec> {
  loss: number;
  /** B×d gradient of the loss w.r.t. Q. */
  dQ: T;
  /** N×d gradient of the loss w.r.t. D. */
  dD: T;
  /** Fraction of queries whose positive has the highest logit (ties count as misses). */
  accuracy: number;
}

export function infoNce<T extends Vec>(
  q: T,
  docs: T,
  B: number,
  N: number,
  d: number,
  temperature: number,
  options: InfoNceOptions = {},
): InfoNceResult<T> {
  if (N < B) throw new RangeError(`infoNce: N (${N}) must be ≥ B (${B})`);
  if (!(temperature > 0)) throw new RangeError(`infoNce: temperature must be > 0, got ${temperature}`);
  checkLength(q, B * d, "infoNce Q");
  checkLength(docs, N * d, "infoNce D");
  const { exclude } = options;
  if (exclude) checkLength(exclude, B * N, "infoNce exclude");
  const logits = matmulABt(q, docs, B, d, N, new Float64Array(B * N));
  const invT = 1 / temperature;
  let loss = 0;
  let correct = 0;
  // logits become dLoss/dLogits in place: (softmax − onehot) / B, then scaled by 1/τ for Q·Dᵀ
  for (let i = 0; i < B; i++) {
    const row = i * N;
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < N; j++) {
      const l = (logits[row + j] as number) * invT;
      logits[row + j] = l;
      if ((exclude && j !== i && exclude[row + j] !== 0) || l <= max) continue;
      max = l;
    }
    const pos = logits[row + i] as number;
    let bestOther = Number.NEGATIVE_INFINITY;
    let z = 0;
    for (let j = 0; j < N; j++) {
      if (exclude && j !== i && exclude[row + j] !== 0) {
        logits[row + j] = Number.NEGATIVE_INFINITY;
        continue;
      }
      const l = logits[row + j] as number;
      if (j !== i && l > bestOther) bestOther = l;
      const e = Math.exp(l - max);
      logits[row + j] = e;
      z += e;
    }
    if (pos > bestOther) correct++;
    loss += Math.log(z) + max - pos;
    const scale = invT / B;
    for (let j = 0; j < N; j++) {
      const l = logits[row + j] as number;
      const p = l === Number.NEGATIVE_INFINITY ? 0 : l / z;
      logits[row + j] = (p - (j === i ? 1 : 0)) * scale;
    }
  }
  const dQ = matmul(logits, docs, B, N, d, allocLike(q, B * d));
  const dD = matmulAtB(logits, q, B, N, d, allocLike(docs, N * d));
  return { loss: loss / B, dQ, dD, accuracy: correct / B };
}

/**
 * Weighted mean pooling over padded sequences: tokens x (B×L×d), positive per-token weights
 * w (B×L) and an optional mask (B×L, 0 = padding):
 *   pooled[b] = Σₜ m·w·x[b,t] / S[b],   S[b] = Σₜ m·w.
 * A sequence whose weight sum is not positive (all padding) pools to the zero vector and passes
 * no gradient.
 */
import { allocLike, checkLength, outBuffer, type Vec } from "./tensor.ts";

export interface WeightedPoolResult<T extends Vec> {
  /** B×d pooled vectors. */
  pooled: T;
  /** B weight sums S[b] (needed by the backward pass). */
  sums: Float64Array;
}

export function weightedMeanPoolForward<T extends Vec>(
  x: T,
  w: Vec,
  mask: Uint8Array | null,
  B: number,
  L: number,
  d: number,
  out?: T,
): WeightedPoolResult<T> {
  checkLength(x, B * L * d, "pool x");
  checkLength(w, B * L, "pool weights");
  if (mask) checkLength(mask, B * L, "pool mask");
  const pooled = outBuffer(out, x, B * d);
  pooled.fill(0, 0, B * d);
  const sums = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let t = 0; t < L; t++) {
      const bt = b * L + t;
      if (mask && mask[bt] === 0) continue;
      s += w[bt] as number;
    }
    sums[b] = s;
    if (!(s > 0)) continue;
    const o = b * d;
    for (let t = 0; t < L; t++) {
      const bt = b * L + t;
      if (mask && mask[bt] === 0) continue;
      const a = (w[bt] as number) / s;
      const xo = bt * d;
      for (let c = 0; c < d; c++) pooled[o + c] = (pooled[o + c] as number) + a * (x[xo + c] as number);
    }
  }
  return { pooled, sums };
}

/**
 * Backward of `weightedMeanPoolForward`, given its result: dX[b,t] = m·w/S · dP[b] and
 * dW[b,t] = m · (dP[b]·x[b,t] − dP[b]·pooled[b]) / S (both overwritten, padding gets 0).
 */
export function weightedMeanPoolBackward<T extends Vec>(
  x: Vec,
  w: Vec,
  mask: Uint8Array | null,
  forward: WeightedPoolResult<Vec>,
  dPooled: T,
  B: number,
  L: number,
  d: number,
): { dX: T; dW: T } {
  checkLength(dPooled, B * d, "pool dPooled");
  const dX = allocLike(dPooled, B * L * d);
  const dW = allocLike(dPooled, B * L);
  const { pooled, sums } = forward;
  for (let b = 0; b < B; b++) {
    const s = sums[b] as number;
    if (!(s > 0)) continue;
    const o = b * d;
    let gp = 0; // dP · pooled
    for (let c = 0; c < d; c++) gp += (dPooled[o + c] as number) * (pooled[o + c] as number);
    for (let t = 0; t < L; t++) {
      const bt = b * L + t;
      if (mask && mask[bt] === 0) continue;
      const a = (w[bt] as number) / s;
      const xo = bt * d;
      let gx = 0; // dP · x[b,t]
      for (let c = 0; c < d; c++) {
        const g = dPooled[o + c] as number;
        dX[xo + c] = a * g;
        gx += g * (x[xo + c] as number);
      }
      dW[bt] = (gx - gp) / s;
    }
  }
  return { dX, dW };
}

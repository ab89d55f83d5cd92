/**
 * K-NRM kernel pooling (Xiong et al., 2017). For each of P (query, document) pairs with a
 * similarity matrix s (Lq×Ld, padded), and K RBF kernels (μₖ, σₖ):
 *   Sᵢₖ = Σⱼ dmaskⱼ · exp(−(sᵢⱼ − μₖ)² / (2σₖ²))
 *   φₖ  = Σᵢ qmaskᵢ · log(max(ε, Sᵢₖ))
 * The K soft-match features φ feed the scoring MLP. μ and σ are fixed (not learned). Where
 * Sᵢₖ ≤ ε the clamp passes no gradient, as torch.clamp does.
 */
import { checkLength, outBuffer, type Vec } from "./tensor.ts";

export interface Kernels {
  mu: Float64Array;
  sigma: Float64Array;
}

/**
 * The usual K-NRM kernel set: one exact-match kernel (μ = 1, σ = `exactSigma`) and K − 1 soft
 * kernels with means spread evenly over (−1, 1) — for K = 11: 0.9, 0.7, …, −0.9 — and width σ.
 */
export function defaultKernels(K = 11, sigma = 0.1, exactSigma = 1e-3): Kernels {
  if (K < 2) throw new RangeError("defaultKernels: K must be ≥ 2");
  const mu = new Float64Array(K);
  const sg = new Float64Array(K);
  mu[0] = 1;
  sg[0] = exactSigma;
  const step = 2 / (K - 1);
  for (let k = 1; k < K; k++) {
    mu[k] = 1 - step / 2 - (k - 1) * step;
    sg[k] = sigma;
  }
  return { mu, sigma: sg };
}

export interface KernelPoolingShape {
  /** Number of (query, document) pairs. */
  P: number;
  /** Padded query length. */
  Lq: number;
  /** Padded document length. */
  Ld: number;
  /** Query mask: P×Lq, or Lq shared by all pairs; 0 = padding. Null: no padding. */
  qMask: Uint8Array | null;
  /** Document mask: P×Ld; 0 = padding. Null: no padding. */
  dMask: Uint8Array | null;
}

export interface KernelPoolingResult<T extends Vec> {
  /** P×K features. */
  features: T;
  /** P×Lq×K kernel sums Sᵢₖ (needed by the backward pass; 0 for masked query terms). */
  sums: Float64Array;
}

function maskLayout(shape: KernelPoolingShape): { qShared: boolean } {
  const { P, Lq, Ld, qMask, dMask } = shape;
  if (qMask && qMask.length !== Lq && qMask.length < P * Lq) {
    throw new RangeError(`kernel pooling: qMask needs ${Lq} or ${P * Lq} entries, has ${qMask.length}`);
  }
  if (dMask) checkLength(dMask, P * Ld, "kernel pooling dMask");
  return { qShared: qMask !== null && qMask.length === Lq && P > 1 };
}

export function kernelPoolingForward<T extends Vec>(
  sim: T,
  shape: KernelPoolingShape,
  kernels: Kernels,
  eps = 1e-10,
  out?: T,
): KernelPoolingResult<T> {
  const { P, Lq, Ld, qMask, dMask } = shape;
  const { qShared } = maskLayout(shape);
  checkLength(sim, P * Lq * Ld, "kernel pooling sim");
  const K = kernels.mu.length;
  const mu = kernels.mu;
  const inv2s2 = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const s = kernels.sigma[k] as number;
    inv2s2[k] = 1 / (2 * s * s);
  }
  const features = outBuffer(out, sim, P * K);
  features.fill(0, 0, P * K);
  const sums = new Float64Array(P * Lq * K);
  for (let p = 0; p < P; p++) {
    for (let i = 0; i < Lq; i++) {
      if (qMask && qMask[qShared ? i : p * Lq + i] === 0) continue;
      const so = (p * Lq + i) * K;
      const row = (p * Lq + i) * Ld;
      for (let j = 0; j < Ld; j++) {
        if (dMask && dMask[p * Ld + j] === 0) continue;
        const s = sim[row + j] as number;
        for (let k = 0; k < K; k++) {
          const t = s - (mu[k] as number);
          sums[so + k] = (sums[so + k] as number) + Math.exp(-t * t * (inv2s2[k] as number));
        }
      }
      for (let k = 0; k < K; k++) {
        const S = sums[so + k] as number;
        features[p * K + k] = (features[p * K + k] as number) + Math.log(Math.max(S, eps));
      }
    }
  }
  return { features, sums };
}

/** dSim (P×Lq×Ld, overwritten; zero at padding) from dFeatures (P×K). */
export function kernelPoolingBackward<T extends Vec>(
  sim: Vec,
  shape: KernelPoolingShape,
  kernels: Kernels,
  forward: KernelPoolingResult<Vec>,
  dFeatures: T,
  eps = 1e-10,
  dSim?: T,
): T {
  const { P, Lq, Ld, qMask, dMask } = shape;
  const { qShared } = maskLayout(shape);
  const K = kernels.mu.length;
  checkLength(dFeatures, P * K, "kernel pooling dFeatures");
  const mu = kernels.mu;
  const inv2s2 = new Float64Array(K);
  const invS2 = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const s = kernels.sigma[k] as number;
    inv2s2[k] = 1 / (2 * s * s);
    invS2[k] = 1 / (s * s);
  }
  const g = outBuffer(dSim, dFeatures, P * Lq * Ld);
  g.fill(0, 0, P * Lq * Ld);
  const dS = new Float64Array(K);
  const { sums } = forward;
  for (let p = 0; p < P; p++) {
    for (let i = 0; i < Lq; i++) {
      if (qMask && qMask[qShared ? i : p * Lq + i] === 0) continue;
      const so = (p * Lq + i) * K;
      let any = false;
      for (let k = 0; k < K; k++) {
        const S = sums[so + k] as number;
        const v = S > eps ? (dFeatures[p * K + k] as number) / S : 0;
        dS[k] = v;
        if (v !== 0) any = true;
      }
      if (!any) continue;
      const row = (p * Lq + i) * Ld;
      for (let j = 0; j < Ld; j++) {
        if (dMask && dMask[p * Ld + j] === 0) continue;
        const s = sim[row + j] as number;
        let acc = 0;
        for (let k = 0; k < K; k++) {
          const t = s - (mu[k] as number);
          acc -= (dS[k] as number) * Math.exp(-t * t * (inv2s2[k] as number)) * t * (invS2[k] as number);
        }
        g[row + j] = acc;
      }
    }
  }
  return g;
}

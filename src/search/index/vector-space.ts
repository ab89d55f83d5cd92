/**
 * Vector spaces of the k-NN plugin: the raw distance OpenSearch computes between a query vector and
 * a stored one, and how it turns that distance into a score (OpenSearch 2.x, faiss/nmslib engines):
 *   l2:           d = Σ(xᵢ − yᵢ)²          score = 1 / (1 + d)
 *   cosinesimil:  d = 1 − cos(x, y)        score = max((2 − d) / 2, 0)
 *   innerproduct: d = −x·y                 score = d ≥ 0 ? 1 / (1 + d) : 1 − d
 * plus the distance kernels the score script and painless functions use (l1, l∞). Kernels read
 * rows of a segment's Float32Array vector column in place: no per-document allocation.
 */
import type { SpaceType } from "../knn-method.ts";

export interface VectorSpace {
  readonly name: SpaceType;
  /** The usearch metric that orders candidates the same way. */
  readonly metric: "l2sq" | "cos" | "ip";
  /** Raw distance between `query` (of norm `queryNorm`) and `data[offset … offset + query.length)`. */
  distance(query: Float32Array, queryNorm: number, data: Float32Array, offset: number): number;
  score(distance: number): number;
  /** The score formula applied to this distance, for explanations. */
  formula(distance: number): string;
}

const RECIPROCAL = "1 / (1 + rawScore)";

export const SPACES: Record<SpaceType, VectorSpace> = {
  l2: {
    name: "l2",
    metric: "l2sq",
    distance: (q, _n, data, offset) => l2Squared(q, data, offset),
    score: (d) => Math.fround(1 / (1 + d)),
    formula: () => RECIPROCAL,
  },
  cosinesimil: {
    name: "cosinesimil",
    metric: "cos",
    distance: (q, n, data, offset) => 1 - cosine(q, n, data, offset),
    score: (d) => Math.fround(Math.max((2 - d) / 2, 0)),
    formula: () => "max((2 - rawScore) / 2, 0)",
  },
  innerproduct: {
    name: "innerproduct",
    metric: "ip",
    distance: (q, _n, data, offset) => -dot(q, data, offset),
    score: (d) => Math.fround(d >= 0 ? 1 / (1 + d) : 1 - d),
    formula: (d) => (d >= 0 ? RECIPROCAL : "-rawScore + 1"),
  },
};

export function norm(v: Float32Array): number {
  return Math.sqrt(dot(v, v, 0));
}

export function dot(q: Float32Array, data: Float32Array, offset: number): number {
  const n = q.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o = offset + i;
    s0 += (q[i] as number) * (data[o] as number);
    s1 += (q[i + 1] as number) * (data[o + 1] as number);
    s2 += (q[i + 2] as number) * (data[o + 2] as number);
    s3 += (q[i + 3] as number) * (data[o + 3] as number);
  }
  for (; i < n; i++) s0 += (q[i] as number) * (data[offset + i] as number);
  return s0 + s1 + s2 + s3;
}

export function l2Squared(q: Float32Array, data: Float32Array, offset: number): number {
  const n = q.length;
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const a = (q[i] as number) - (data[offset + i] as number);
    const b = (q[i + 1] as number) - (data[offset + i + 1] as number);
    s0 += a * a;
    s1 += b * b;
  }
  for (; i < n; i++) {
    const a = (q[i] as number) - (data[offset + i] as number);
    s0 += a * a;
  }
  return s0 + s1;
}

/** cos(q, row), computing the row's norm in the same pass; 0 when either vector is zero. */
export function cosine(q: Float32Array, queryNorm: number, data: Float32Array, offset: number): number {
  const n = q.length;
  let qv = 0;
  let vv = 0;
  for (let i = 0; i < n; i++) {
    const v = data[offset + i] as number;
    qv += (q[i] as number) * v;
    vv += v * v;
  }
  const denominator = queryNorm * Math.sqrt(vv);
  return denominator === 0 ? 0 : qv / denominator;
}

export function l1(q: Float32Array, data: Float32Array, offset: number): number {
  let s = 0;
  for (let i = 0; i < q.length; i++) s += Math.abs((q[i] as number) - (data[offset + i] as number));
  return s;
}

export function lInf(q: Float32Array, data: Float32Array, offset: number): number {
  let m = 0;
  for (let i = 0; i < q.length; i++)
    m = Math.max(m, Math.abs((q[i] as number) - (data[offset + i] as number)));
  return m;
}

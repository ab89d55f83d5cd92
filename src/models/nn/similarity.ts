/**
 * Cosine-similarity matrices between one query's term vectors and the term vectors of P candidate
 * documents (the K-NRM interaction matrix): q is Lq×d, docs is P×Ld×d (padded), and
 *   sim[p,i,j] = q̂ᵢ · d̂ₚⱼ,  x̂ = x / ‖x‖ (zero rows stay zero, see normalize.ts).
 * The backward pass goes through the normalisation, back to the raw term vectors.
 */
import { l2NormalizeBackward, l2NormalizeForward, type NormalizeResult } from "./normalize.ts";
import { allocLike, checkLength, matmul, matmulABt, matmulAtB, type Vec } from "./tensor.ts";

export interface CosineMatrixResult<T extends Vec> {
  /** P×Lq×Ld similarities. */
  sim: T;
  query: NormalizeResult<T>;
  docs: NormalizeResult<T>;
}

export function cosineMatrixForward<T extends Vec>(
  q: T,
  docs: T,
  P: number,
  Lq: number,
  Ld: number,
  d: number,
): CosineMatrixResult<T> {
  checkLength(q, Lq * d, "cosine q");
  checkLength(docs, P * Ld * d, "cosine docs");
  const query = l2NormalizeForward(q, Lq, d);
  const dn = l2NormalizeForward(docs, P * Ld, d);
  const sim = allocLike(q, P * Lq * Ld);
  for (let p = 0; p < P; p++) {
    matmulABt(query.y, dn.y.subarray(p * Ld * d, (p + 1) * Ld * d), Lq, d, Ld, sim.subarray(p * Lq * Ld));
  }
  return { sim, query, docs: dn };
}

/** Gradients w.r.t. the raw query term vectors (Lq×d) and document term vectors (P×Ld×d). */
export function cosineMatrixBackward<T extends Vec>(
  forward: CosineMatrixResult<Vec>,
  dSim: T,
  P: number,
  Lq: number,
  Ld: number,
  d: number,
): { dQ: T; dDocs: T } {
  checkLength(dSim, P * Lq * Ld, "cosine dSim");
  const qn = forward.query.y;
  const dn = forward.docs.y;
  const dQn = allocLike(dSim, Lq * d);
  const dDn = allocLike(dSim, P * Ld * d);
  for (let p = 0; p < P; p++) {
    const g = dSim.subarray(p * Lq * Ld, (p + 1) * Lq * Ld);
    // dQ̂ += G · D̂ₚ,  dD̂ₚ = Gᵀ · Q̂
    matmul(g, dn.subarray(p * Ld * d, (p + 1) * Ld * d), Lq, Ld, d, dQn, true);
    matmulAtB(g, qn, Lq, Ld, d, dDn.subarray(p * Ld * d, (p + 1) * Ld * d));
  }
  return {
    dQ: l2NormalizeBackward(forward.query, dQn, Lq, d),
    dDocs: l2NormalizeBackward(forward.docs, dDn, P * Ld, d),
  };
}

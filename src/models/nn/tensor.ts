/**
 * Typed-array basics shared by the layers: the `Vec` element type, allocation that follows the
 * caller's precision, and the three matrix products the layers need. Everything is row-major.
 *
 * Training runs in float32; gradient checks run the same code in float64, so every function takes
 * `Vec` and allocates its outputs with the precision of its main input. Sums are accumulated in
 * JavaScript numbers (float64) and rounded once when stored.
 *
 * Conventions used by every module in this folder:
 * - forward outputs and input gradients (dX) OVERWRITE their buffer (a fresh one unless `out` is
 *   given);
 * - parameter gradients (dW, db, …) ACCUMULATE (+=) into the buffer the caller passes, so several
 *   uses of one parameter in a step add up, and the caller zeroes them once per step.
 */

export type Vec = Float32Array | Float64Array;

/** A zeroed array of `n` elements with the same precision as `like`. */
export function allocLike<T extends Vec>(like: T, n: number): T {
  return (like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n)) as T;
}

/** `out` if given (checked to hold at least `n` elements), else a new zeroed array like `like`. */
export function outBuffer<T extends Vec>(out: T | undefined, like: T, n: number, what = "out"): T {
  if (out === undefined) return allocLike(like, n);
  if (out.length < n) throw new RangeError(`${what}: needs ${n} elements, has ${out.length}`);
  return out;
}

/** Throws unless `v` holds at least `n` elements (a cheap guard against shape mistakes). */
export function checkLength(v: ArrayLike<number>, n: number, what: string): void {
  if (v.length < n) throw new RangeError(`${what}: needs ${n} elements, has ${v.length}`);
}

/**
 * C (m×n) = A (m×k) · B (k×n). i-k-j order: the inner loop runs along contiguous rows of B and C.
 * With `accumulate`, C += A·B instead.
 */
export function matmul<T extends Vec>(
  a: Vec,
  b: Vec,
  m: number,
  k: number,
  n: number,
  out: T,
  accumulate = false,
): T {
  checkLength(a, m * k, "matmul A");
  checkLength(b, k * n, "matmul B");
  checkLength(out, m * n, "matmul C");
  if (!accumulate) out.fill(0, 0, m * n);
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    const cRow = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[aRow + p] as number;
      const bRow = p * n;
      for (let j = 0; j < n; j++) out[cRow + j] = (out[cRow + j] as number) + av * (b[bRow + j] as number);
    }
  }
  return out;
}

/**
 * C (m×n) = A (m×k) · Bᵀ where B is n×k. Dot-product order: both operands are read along
 * contiguous rows. With `accumulate`, C += A·Bᵀ.
 */
export function matmulABt<T extends Vec>(
  a: Vec,
  b: Vec,
  m: number,
  k: number,
  n: number,
  out: T,
  accumulate = false,
): T {
  checkLength(a, m * k, "matmulABt A");
  checkLength(b, n * k, "matmulABt B");
  checkLength(out, m * n, "matmulABt C");
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    for (let j = 0; j < n; j++) {
      const bRow = j * k;
      // four independent sums: one running sum waits on each add's latency (about 4× slower)
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let p = 0;
      for (; p + 3 < k; p += 4) {
        s0 += (a[aRow + p] as number) * (b[bRow + p] as number);
        s1 += (a[aRow + p + 1] as number) * (b[bRow + p + 1] as number);
        s2 += (a[aRow + p + 2] as number) * (b[bRow + p + 2] as number);
        s3 += (a[aRow + p + 3] as number) * (b[bRow + p + 3] as number);
      }
      for (; p < k; p++) s0 += (a[aRow + p] as number) * (b[bRow + p] as number);
      const s = s0 + s1 + (s2 + s3);
      const c = i * n + j;
      out[c] = accumulate ? (out[c] as number) + s : s;
    }
  }
  return out;
}

/**
 * C (k×n) = Aᵀ · B where A is m×k and B is m×n (the weight-gradient product). For each row i of
 * A and B, C[p,:] += A[i,p]·B[i,:], contiguous along B and C. With `accumulate`, C += Aᵀ·B.
 */
export function matmulAtB<T extends Vec>(
  a: Vec,
  b: Vec,
  m: number,
  k: number,
  n: number,
  out: T,
  accumulate = false,
): T {
  checkLength(a, m * k, "matmulAtB A");
  checkLength(b, m * n, "matmulAtB B");
  checkLength(out, k * n, "matmulAtB C");
  if (!accumulate) out.fill(0, 0, k * n);
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    const bRow = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[aRow + p] as number;
      const cRow = p * n;
      for (let j = 0; j < n; j++) out[cRow + j] = (out[cRow + j] as number) + av * (b[bRow + j] as number);
    }
  }
  return out;
}

/** Row-wise concatenation [A | B]: A is n×aDim, B is n×bDim, result n×(aDim+bDim). */
export function concatColumns<T extends Vec>(
  a: T,
  aDim: number,
  b: Vec,
  bDim: number,
  n: number,
  out?: T,
): T {
  checkLength(a, n * aDim, "concatColumns A");
  checkLength(b, n * bDim, "concatColumns B");
  const w = aDim + bDim;
  const y = outBuffer(out, a, n * w);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < aDim; c++) y[i * w + c] = a[i * aDim + c] as number;
    for (let c = 0; c < bDim; c++) y[i * w + aDim + c] = b[i * bDim + c] as number;
  }
  return y;
}

/** Backward of `concatColumns`: splits dY (n×(aDim+bDim)) into dA (n×aDim) and dB (n×bDim). */
export function splitColumns<T extends Vec>(dY: T, aDim: number, bDim: number, n: number): [T, T] {
  const w = aDim + bDim;
  checkLength(dY, n * w, "splitColumns dY");
  const dA = allocLike(dY, n * aDim);
  const dB = allocLike(dY, n * bDim);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < aDim; c++) dA[i * aDim + c] = dY[i * w + c] as number;
    for (let c = 0; c < bDim; c++) dB[i * bDim + c] = dY[i * w + aDim + c] as number;
  }
  return [dA, dB];
}

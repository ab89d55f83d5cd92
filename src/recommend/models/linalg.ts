// Dense symmetric positive-definite algebra over row-major Float64Arrays: the per-row solves of
// ALS (n ≈ 64) and the Gram-matrix inversion of EASE (n in the thousands). Every inner loop is a
// dot product over contiguous memory with four accumulators, which V8 runs about twice as fast as
// a plain loop (the adds no longer wait on each other).

/** Σ x[xo+k]·y[yo+k] for k < len. */
export function dot(x: Float64Array, xo: number, y: Float64Array, yo: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += (x[xo + k] as number) * (y[yo + k] as number);
    s1 += (x[xo + k + 1] as number) * (y[yo + k + 1] as number);
    s2 += (x[xo + k + 2] as number) * (y[yo + k + 2] as number);
    s3 += (x[xo + k + 3] as number) * (y[yo + k + 3] as number);
  }
  for (; k < len; k++) s0 += (x[xo + k] as number) * (y[yo + k] as number);
  return s0 + s1 + s2 + s3;
}

/**
 * In-place Cholesky factorisation A = L·Lᵀ of an n×n SPD matrix; the lower triangle of `a` becomes
 * L (the upper triangle is left as it was). Throws when A is not positive definite.
 */
export function choleskyInPlace(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      const s = (a[ri + j] as number) - dot(a, ri, a, rj, j);
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`matrix is not positive definite (pivot ${i} is ${s})`);
        a[ri + i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / (a[rj + j] as number);
      }
    }
  }
}

/** Solves L·Lᵀ x = b in place in `b`, with L from {@link choleskyInPlace}. */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    b[i] = ((b[i] as number) - dot(l, ri, b, 0, i)) / (l[ri + i] as number);
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i] as number;
    for (let k = i + 1; k < n; k++) s -= (l[k * n + i] as number) * (b[k] as number);
    b[i] = s / (l[i * n + i] as number);
  }
}

/**
 * The inverse of an n×n SPD matrix (full, symmetric), via Cholesky: A⁻¹ = L⁻ᵀ·L⁻¹, about n³/2
 * multiply-adds. `a` is overwritten and returned as the inverse.
 */
export function spdInverse(a: Float64Array, n: number): Float64Array {
  choleskyInPlace(a, n);
  // T = (L⁻¹)ᵀ stored by rows: T[j, i] = L⁻¹[i, j] = −(L[i, j..i) · T[j, j..i)) / L[i, i]
  const t = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    t[rj + j] = 1 / (a[rj + j] as number);
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      t[rj + i] = -dot(a, ri + j, t, rj + j, i - j) / (a[ri + i] as number);
    }
  }
  // A⁻¹[i, j] = Σ_{k ≥ max(i, j)} T[i, k]·T[j, k]
  const inv = a; // L is no longer needed
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) inv[ri + j] = dot(t, ri + i, t, j * n + i, n - i);
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) inv[i * n + j] = inv[j * n + i] as number;
  return inv;
}

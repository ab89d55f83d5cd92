/**
 * Row-wise L2 normalisation of an n×d matrix: y = x / ‖x‖. Rows whose norm is below `eps`
 * (e.g. padding rows of zeros) are left as zero vectors and receive zero gradient.
 */
import { checkLength, outBuffer, type Vec } from "./tensor.ts";

export interface NormalizeResult<T extends Vec> {
  y: T;
  /** The norm of each input row (0 for rows left at zero). */
  norms: Float64Array;
}

export function l2NormalizeForward<T extends Vec>(
  x: T,
  n: number,
  d: number,
  out?: T,
  eps = 1e-12,
): NormalizeResult<T> {
  checkLength(x, n * d, "normalize x");
  const y = outBuffer(out, x, n * d);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let ss = 0;
    for (let c = 0; c < d; c++) {
      const v = x[o + c] as number;
      ss += v * v;
    }
    const norm = Math.sqrt(ss);
    if (norm < eps) {
      y.fill(0, o, o + d);
      continue;
    }
    norms[i] = norm;
    const inv = 1 / norm;
    for (let c = 0; c < d; c++) y[o + c] = (x[o + c] as number) * inv;
  }
  return { y, norms };
}

/** dX = (dY − y·(y·dY)) / ‖x‖ per row (overwritten; zero for rows that were left at zero). */
export function l2NormalizeBackward<T extends Vec>(
  forward: NormalizeResult<Vec>,
  dY: T,
  n: number,
  d: number,
  dX?: T,
): T {
  checkLength(dY, n * d, "normalize dY");
  const { y, norms } = forward;
  const g = outBuffer(dX, dY, n * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    const norm = norms[i] as number;
    if (norm === 0) {
      g.fill(0, o, o + d);
      continue;
    }
    let dot = 0;
    for (let c = 0; c < d; c++) dot += (y[o + c] as number) * (dY[o + c] as number);
    const inv = 1 / norm;
    for (let c = 0; c < d; c++) g[o + c] = ((dY[o + c] as number) - (y[o + c] as number) * dot) * inv;
  }
  return g;
}

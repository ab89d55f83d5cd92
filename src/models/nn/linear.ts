/**
 * Fully connected layer over a batch: Y (n×out) = X (n×in) · Wᵀ + b, with W stored out×in
 * (the PyTorch / safetensors layout for a linear weight) and b of length `out`.
 */
import { checkLength, matmul, matmulABt, matmulAtB, outBuffer, type Vec } from "./tensor.ts";

export function linearForward<T extends Vec>(
  x: T,
  w: Vec,
  b: Vec | null,
  n: number,
  inDim: number,
  outDim: number,
  out?: T,
): T {
  checkLength(w, outDim * inDim, "linear W");
  const y = matmulABt(x, w, n, inDim, outDim, outBuffer(out, x, n * outDim));
  if (b) {
    checkLength(b, outDim, "linear b");
    for (let i = 0; i < n; i++) {
      const row = i * outDim;
      for (let o = 0; o < outDim; o++) y[row + o] = (y[row + o] as number) + (b[o] as number);
    }
  }
  return y;
}

/**
 * Backward of `linearForward`: returns dX (n×in, overwritten) and ACCUMULATES dW (out×in) and
 * db (out) — pass `null` for db when the layer has no bias, and for dW to skip it (frozen W).
 */
export function linearBackward<T extends Vec>(
  x: Vec,
  w: Vec,
  dY: T,
  n: number,
  inDim: number,
  outDim: number,
  dW: Vec | null,
  db: Vec | null,
  dX?: T,
): T {
  checkLength(dY, n * outDim, "linear dY");
  if (dW) matmulAtB(dY, x, n, outDim, inDim, dW, true);
  if (db) {
    checkLength(db, outDim, "linear db");
    for (let i = 0; i < n; i++) {
      const row = i * outDim;
      for (let o = 0; o < outDim; o++) db[o] = (db[o] as number) + (dY[row + o] as number);
    }
  }
  return matmul(dY, w, n, outDim, inDim, outBuffer(dX, dY, n * inDim, "linear dX"));
}

/**
 * Element-wise activations. Each backward returns dX = dY ⊙ f'(·) (overwriting `dX` if given);
 * tanh differentiates from its output, relu and softplus from their input.
 */
import { outBuffer, type Vec } from "./tensor.ts";

/** Logistic function, stable for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + eˣ), stable for large |x|. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function tanhForward<T extends Vec>(x: T, out?: T): T {
  const y = outBuffer(out, x, x.length);
  for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i] as number);
  return y;
}

/** From the forward OUTPUT y: dX = dY ⊙ (1 − y²). */
export function tanhBackward<T extends Vec>(y: Vec, dY: T, dX?: T): T {
  const g = outBuffer(dX, dY, dY.length);
  for (let i = 0; i < dY.length; i++) {
    const t = y[i] as number;
    g[i] = (dY[i] as number) * (1 - t * t);
  }
  return g;
}

export function reluForward<T extends Vec>(x: T, out?: T): T {
  const y = outBuffer(out, x, x.length);
  for (let i = 0; i < x.length; i++) y[i] = Math.max(x[i] as number, 0);
  return y;
}

/** From the forward INPUT x: dX = dY where x > 0, else 0. */
export function reluBackward<T extends Vec>(x: Vec, dY: T, dX?: T): T {
  const g = outBuffer(dX, dY, dY.length);
  for (let i = 0; i < dY.length; i++) g[i] = (x[i] as number) > 0 ? (dY[i] as number) : 0;
  return g;
}

export function softplusForward<T extends Vec>(x: T, out?: T): T {
  const y = outBuffer(out, x, x.length);
  for (let i = 0; i < x.length; i++) y[i] = softplus(x[i] as number);
  return y;
}

/** From the forward INPUT x: dX = dY ⊙ σ(x). */
export function softplusBackward<T extends Vec>(x: Vec, dY: T, dX?: T): T {
  const g = outBuffer(dX, dY, dY.length);
  for (let i = 0; i < dY.length; i++) g[i] = (dY[i] as number) * sigmoid(x[i] as number);
  return g;
}

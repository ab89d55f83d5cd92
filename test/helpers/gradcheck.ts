/**
 * Numerical gradient checks for the hand-written layers in src/models/nn: central differences in
 * float64 against the analytic gradient, relative error |a − n| / max(1e-8, |a| + |n|), worst
 * element reported. Inputs come from a seeded PRNG so a failure replays exactly.
 */
import { seededRandom } from "./random.ts";

export interface CheckedTensor {
  name: string;
  /** The values f reads (perturbed in place, restored afterwards). */
  data: Float64Array;
  /** The analytic gradient of f at the unperturbed point. */
  grad: Float64Array;
}

export interface GradCheckOptions {
  /** Central-difference step. Default 1e-6. */
  eps?: number;
  /** Check at most this many elements per tensor (a seeded random sample). Default 200. */
  maxPerTensor?: number;
  /** Seed for the element sample. Default 1. */
  seed?: number;
}

export interface GradCheckReport {
  maxRelError: number;
  /** The element with the largest relative error. */
  worst: { tensor: string; index: number; analytic: number; numeric: number } | null;
  checked: number;
}

export function relativeError(a: number, n: number): number {
  return Math.abs(a - n) / Math.max(1e-8, Math.abs(a) + Math.abs(n));
}

/** Compares each tensor's `grad` with central differences of `f` (which must read `data`). */
export function gradCheck(
  f: () => number,
  tensors: readonly CheckedTensor[],
  options: GradCheckOptions = {},
): GradCheckReport {
  const eps = options.eps ?? 1e-6;
  const maxPer = options.maxPerTensor ?? 200;
  const rng = seededRandom(options.seed ?? 1);
  const report: GradCheckReport = { maxRelError: 0, worst: null, checked: 0 };
  for (const t of tensors) {
    if (t.grad.length !== t.data.length) {
      throw new RangeError(`${t.name}: gradient has ${t.grad.length} elements, data ${t.data.length}`);
    }
    const n = t.data.length;
    const indices: number[] = [];
    if (n <= maxPer) for (let i = 0; i < n; i++) indices.push(i);
    else for (let i = 0; i < maxPer; i++) indices.push(Math.floor(rng() * n));
    for (const i of indices) {
      const orig = t.data[i] as number;
      t.data[i] = orig + eps;
      const fPlus = f();
      t.data[i] = orig - eps;
      const fMinus = f();
      t.data[i] = orig;
      const numeric = (fPlus - fMinus) / (2 * eps);
      const analytic = t.grad[i] as number;
      const err = relativeError(analytic, numeric);
      report.checked++;
      if (err > report.maxRelError || report.worst === null) {
        report.maxRelError = Math.max(report.maxRelError, err);
        report.worst = { tensor: t.name, index: i, analytic, numeric };
      }
    }
  }
  return report;
}

/** Throws with the worst element when the maximum relative error is not below `tolerance`. */
export function assertGradients(label: string, report: GradCheckReport, tolerance = 1e-3): void {
  if (!(report.maxRelError < tolerance)) {
    const w = report.worst;
    throw new Error(
      `${label}: gradient check failed, max relative error ${report.maxRelError.toExponential(3)}` +
        (w ? ` at ${w.tensor}[${w.index}] (analytic ${w.analytic}, numeric ${w.numeric})` : ""),
    );
  }
}

/** Seeded float64 arrays for inputs. */
export class RandomArrays {
  readonly rng: () => number;

  constructor(seed: number) {
    this.rng = seededRandom(seed);
  }

  /** U(lo, hi) values. */
  uniform(n: number, lo = -1, hi = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.rng();
    return out;
  }

  /** Values with |v| in [minAbs, maxAbs] and random sign (keeps clear of kinks such as relu's 0). */
  awayFromZero(n: number, minAbs = 0.05, maxAbs = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const m = minAbs + (maxAbs - minAbs) * this.rng();
      out[i] = this.rng() < 0.5 ? -m : m;
    }
    return out;
  }

  int(n: number): number {
    return Math.floor(this.rng() * n);
  }
}

/** Σ r ⊙ y: a scalar "loss" whose gradient w.r.t. y is r. */
export function dot(r: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (r[i] as number) * (y[i] as number);
  return s;
}

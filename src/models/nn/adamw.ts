/**
 * AdamW (Loshchilov & Hutter) with decoupled weight decay and bias correction, over named tensors:
 *   θ ← θ·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   θ ← θ − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)
 * (the order PyTorch's AdamW uses).
 *
 * Sparse tensors (lookup tables): only the rows in the SparseRows gradient are updated — their
 * moments, weight decay and parameters; untouched rows are left exactly as they were (no moment
 * decay, no weight decay). Each row keeps its OWN step count t for bias correction, so a row seen
 * for the first time after many steps gets a first-step-sized update, as if it had its own Adam.
 * (The "lazy Adam" of TF / PyTorch SparseAdam instead uses the global step for every row, which
 * makes the first updates of rare rows about √(1−β2)/(1−β1) ≈ 3× too large with default betas.)
 * Dense tensors likewise count their own steps. Moment buffers are allocated on first use with
 * the precision of the parameter.
 */
import type { SparseRows } from "./sparse.ts";
import { allocLike, type Vec } from "./tensor.ts";

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay, applied as θ·(1 − lr·wd). Default 0.01. */
  weightDecay?: number;
}

export interface DenseTensor {
  name: string;
  data: Vec;
  grad: Vec;
  /** Overrides the optimiser's weight decay (e.g. 0 for biases and norms). */
  weightDecay?: number;
}

export interface SparseTensor {
  name: string;
  /** nRows×grad.dim table. */
  data: Vec;
  grad: SparseRows;
  weightDecay?: number;
}

export interface AdamWState {
  m: Vec;
  v: Vec;
  /** Steps taken: one entry for a dense tensor, one per row for a sparse one. */
  steps: Int32Array;
  sparse: boolean;
}

export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly state = new Map<string, AdamWState>();

  constructor(options: AdamWOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
  }

  /** The optimiser state of a tensor (for checkpoints and tests), if it has been stepped. */
  stateOf(name: string): AdamWState | undefined {
    return this.state.get(name);
  }

  /** Restores a state saved from `stateOf` (e.g. when resuming training). */
  setState(name: string, state: AdamWState): void {
    this.state.set(name, state);
  }

  /** One update of every given tensor with learning rate `lr`. */
  step(lr: number, dense: readonly DenseTensor[], sparse: readonly SparseTensor[] = []): void {
    for (const t of dense) this.stepDense(lr, t);
    for (const t of sparse) this.stepSparse(lr, t);
  }

  private stateFor(name: string, data: Vec, sparse: boolean, nSteps: number): AdamWState {
    let s = this.state.get(name);
    if (!s) {
      s = {
        m: allocLike(data, data.length),
        v: allocLike(data, data.length),
        steps: new Int32Array(nSteps),
        sparse,
      };
      this.state.set(name, s);
    } else if (s.m.length !== data.length || s.sparse !== sparse || s.steps.length !== nSteps) {
      throw new RangeError(`AdamW: tensor ${name} changed shape or kind between steps`);
    }
    return s;
  }

  private stepDense(lr: number, t: DenseTensor): void {
    const { data, grad } = t;
    if (grad.length !== data.length) throw new RangeError(`AdamW: ${t.name} grad/data lengths differ`);
    const s = this.stateFor(t.name, data, false, 1);
    const step = ((s.steps[0] as number) + 1) | 0;
    s.steps[0] = step;
    this.update(lr, t.weightDecay ?? this.weightDecay, step, data, grad, 0, 0, data.length, s.m, s.v);
  }

  private stepSparse(lr: number, t: SparseTensor): void {
    const { data, grad } = t;
    const dim = grad.dim;
    if (dim <= 0 || data.length % dim !== 0)
      throw new RangeError(`AdamW: ${t.name} rows of ${dim} do not tile`);
    const nRows = data.length / dim;
    const s = this.stateFor(t.name, data, true, nRows);
    const wd = t.weightDecay ?? this.weightDecay;
    for (let r = 0; r < grad.rows.length; r++) {
      const row = grad.rows[r] as number;
      if (row < 0 || row >= nRows) throw new RangeError(`AdamW: ${t.name} row ${row} out of range`);
      const step = ((s.steps[row] as number) + 1) | 0;
      s.steps[row] = step;
      this.update(lr, wd, step, data, grad.values, r * dim, row * dim, dim, s.m, s.v);
    }
  }

  /** Updates data[at .. at+n) from grad[gAt .. gAt+n) at step `step`. */
  private update(
    lr: number,
    wd: number,
    step: number,
    data: Vec,
    grad: Vec,
    gAt: number,
    at: number,
    n: number,
    m: Vec,
    v: Vec,
  ): void {
    const b1 = this.beta1;
    const b2 = this.beta2;
    const stepSize = lr / (1 - b1 ** step);
    const invSqrtBc2 = 1 / Math.sqrt(1 - b2 ** step);
    const decay = 1 - lr * wd;
    const eps = this.eps;
    for (let i = 0; i < n; i++) {
      const k = at + i;
      const g = grad[gAt + i] as number;
      const mk = b1 * (m[k] as number) + (1 - b1) * g;
      const vk = b2 * (v[k] as number) + (1 - b2) * g * g;
      m[k] = mk;
      v[k] = vk;
      data[k] = (data[k] as number) * decay - (stepSize * mk) / (Math.sqrt(vk) * invSqrtBc2 + eps);
    }
  }
}

/** √(Σ g²) over every dense gradient and every sparse gradient row. */
export function globalGradNorm(dense: readonly Vec[], sparse: readonly SparseRows[] = []): number {
  let ss = 0;
  for (const g of dense) for (let i = 0; i < g.length; i++) ss += (g[i] as number) * (g[i] as number);
  for (const sg of sparse) {
    const n = sg.rows.length * sg.dim;
    for (let i = 0; i < n; i++) ss += (sg.values[i] as number) * (sg.values[i] as number);
  }
  return Math.sqrt(ss);
}

/**
 * Scales all gradients in place so their global L2 norm is at most `maxNorm`. Returns the norm
 * before clipping and the factor applied (1 when under the limit). A non-finite norm is returned
 * as is with scale 1 and nothing changed — the caller should skip that step.
 * Sparse gradients must have distinct rows (as SparseAccumulator produces) for the norm to be exact.
 */
export function clipGradNorm(
  maxNorm: number,
  dense: readonly Vec[],
  sparse: readonly SparseRows[] = [],
): { norm: number; scale: number } {
  const norm = globalGradNorm(dense, sparse);
  if (!Number.isFinite(norm) || norm <= maxNorm) return { norm, scale: 1 };
  const scale = maxNorm / (norm + 1e-12);
  for (const g of dense) for (let i = 0; i < g.length; i++) g[i] = (g[i] as number) * scale;
  for (const sg of sparse) {
    const n = sg.rows.length * sg.dim;
    for (let i = 0; i < n; i++) sg.values[i] = (sg.values[i] as number) * scale;
  }
  return { norm, scale };
}

export interface ScheduleOptions {
  baseLr: number;
  /** Steps of linear warm-up from baseLr/warmupSteps up to baseLr. 0 = none. */
  warmupSteps: number;
  /** Total optimiser steps; the rate reaches minLr at step = totalSteps. */
  totalSteps: number;
  /** After warm-up: "linear" or "cosine" decay to minLr, or "constant". Default "linear". */
  decay?: "linear" | "cosine" | "constant";
  /** Default 0. */
  minLr?: number;
}

/**
 * Learning rate for optimiser step `step` (0-based: the number of steps already taken).
 * Warm-up: lr = baseLr·(step+1)/warmupSteps for step < warmupSteps, so the last warm-up step is at
 * baseLr. Then decay from baseLr at step = warmupSteps to minLr at step = totalSteps (held after).
 */
export function lrSchedule(options: ScheduleOptions): (step: number) => number {
  const { baseLr, warmupSteps, totalSteps } = options;
  const decay = options.decay ?? "linear";
  const minLr = options.minLr ?? 0;
  if (warmupSteps < 0 || totalSteps < warmupSteps) {
    throw new RangeError("lrSchedule: need 0 ≤ warmupSteps ≤ totalSteps");
  }
  return (step: number): number => {
    if (step < warmupSteps) return (baseLr * (step + 1)) / warmupSteps;
    if (decay === "constant") return baseLr;
    const span = totalSteps - warmupSteps;
    const progress = span > 0 ? Math.min(1, (step - warmupSteps) / span) : 1;
    const f = decay === "cosine" ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
    return minLr + (baseLr - minLr) * f;
  };
}

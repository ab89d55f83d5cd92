// Implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008): alternating least squares
// with confidence c = 1 + α·w on observed cells and preference 1, 0 elsewhere; each row is an
// exact f×f Cholesky solve using the shared YᵀY trick, so a sweep costs O(nnz·f² + rows·f³).
import { mulberry32, normalInit } from "../../models/nn/params.ts";
import { type Csr, transpose, userItemMatrix } from "./csr.ts";
import { choleskyInPlace, choleskySolveInPlace, dot } from "./linalg.ts";
import { type ModelState, type PersistableModel, stateArray } from "./state.ts";
import { topK } from "./topk.ts";
import type { InteractionData, Scored, Trainer, TrainOptions } from "./types.ts";

export interface AlsOptions extends TrainOptions {
  factors?: number;
  iterations?: number;
  /** L2 regularisation λ */
  regularization?: number;
  /** confidence slope α */
  alpha?: number;
  /** per-row solver: "cg" (conjugate gradient warm-started from the last sweep, default) or "cholesky" (exact) */
  solver?: "cg" | "cholesky";
  /** conjugate-gradient steps per row and sweep (default 3) */
  cgSteps?: number;
}

export const ALS_DEFAULTS = {
  factors: 64,
  iterations: 12,
  regularization: 5,
  alpha: 10,
  seed: 42,
  cgSteps: 3,
};

export class AlsModel implements PersistableModel {
  readonly channel: string;
  /** YᵀY of the item factors, computed on the first fold-in and reused */
  private itemGram: Float64Array | undefined;
  constructor(
    readonly userIds: string[],
    readonly itemIds: string[],
    readonly factors: number,
    /** users × factors, row-major */
    readonly userFactors: Float32Array,
    /** items × factors, row-major */
    readonly itemFactors: Float32Array,
    readonly params: Record<string, unknown>,
    channel = "als",
  ) {
    this.channel = channel;
  }

  recommend(user: number, k: number, exclude?: ReadonlySet<number>): Scored {
    if (!(user >= 0 && user < this.userIds.length))
      return { items: new Int32Array(0), scores: new Float32Array(0) };
    return topK(
      this.scoreVector(this.userFactors.subarray(user * this.factors, (user + 1) * this.factors)),
      k,
      exclude,
    );
  }

  /** Folds the history in as a new user (one ALS half-step against the item factors). */
  recommendForHistory(
    items: Int32Array,
    weights: Float32Array,
    k: number,
    exclude?: ReadonlySet<number>,
  ): Scored {
    const f = this.factors;
    this.itemGram ??= gramOf(this.itemFactors, this.itemIds.length, f);
    const gram = this.itemGram;
    // items outside the model and non-positive weights carry no preference
    const keep: number[] = [];
    items.forEach((i, h) => {
      if (i >= 0 && i < this.itemIds.length && (weights[h] ?? 1) > 0) keep.push(h);
    });
    const indices = Int32Array.from(keep, (h) => items[h] as number);
    const values = Float32Array.from(keep, (h) => weights[h] ?? 1);
    const x = new Float32Array(f);
    solveRows(
      { rows: 1, cols: this.itemIds.length, indptr: Int32Array.of(0, keep.length), indices, values },
      this.itemFactors,
      gram,
      f,
      Number(this.params.regularization),
      Number(this.params.alpha),
      x,
    );
    return topK(this.scoreVector(x), k, exclude);
  }

  private scoreVector(x: Float32Array): Float32Array {
    const f = this.factors;
    const y = this.itemFactors;
    const scores = new Float32Array(this.itemIds.length);
    for (let i = 0; i < scores.length; i++) {
      let s = 0;
      const o = i * f;
      for (let c = 0; c < f; c++) s += (x[c] as number) * (y[o + c] as number);
      scores[i] = s;
    }
    return scores;
  }

  toState(): ModelState {
    return {
      channel: this.channel,
      kind: "als",
      userIds: this.userIds,
      itemIds: this.itemIds,
      params: { ...this.params, factors: this.factors },
      arrays: { userFactors: this.userFactors, itemFactors: this.itemFactors },
    };
  }

  static fromState(s: ModelState): AlsModel {
    const f = Number(s.params.factors);
    if (!(Number.isInteger(f) && f > 0))
      throw new Error(`model state of als: params.factors must be a positive integer`);
    return new AlsModel(
      s.userIds,
      s.itemIds,
      f,
      stateArray(s, "userFactors", Float32Array, s.userIds.length * f),
      stateArray(s, "itemFactors", Float32Array, s.itemIds.length * f),
      s.params,
      s.channel,
    );
  }
}

/** YᵀY (f×f, float64) of a rows × f factor matrix. */
function gramOf(y: Float32Array, rows: number, f: number): Float64Array {
  const g = new Float64Array(f * f);
  for (let r = 0; r < rows; r++) {
    const o = r * f;
    for (let a = 0; a < f; a++) {
      const ya = y[o + a] as number;
      if (ya === 0) continue;
      for (let b = 0; b <= a; b++) g[a * f + b] = (g[a * f + b] as number) + ya * (y[o + b] as number);
    }
  }
  for (let a = 0; a < f; a++) for (let b = a + 1; b < f; b++) g[a * f + b] = g[b * f + a] as number;
  return g;
}

/**
 * For every row u of `r`: x_u = (YᵀY + Yᵀ(C_u − I)Y + λI)⁻¹ Yᵀ C_u p_u, written into `out`.
 * Only the lower triangle of the system is built (Cholesky reads no more).
 */
function solveRows(
  r: Csr,
  y: Float32Array,
  gram: Float64Array,
  f: number,
  lambda: number,
  alpha: number,
  out: Float32Array,
): void {
  const a = new Float64Array(f * f);
  const b = new Float64Array(f);
  for (let u = 0; u < r.rows; u++) {
    const start = r.indptr[u] as number;
    const end = r.indptr[u + 1] as number;
    const o = u * f;
    if (start === end) {
      out.fill(0, o, o + f);
      continue;
    }
    a.set(gram);
    for (let d = 0; d < f; d++) a[d * f + d] = (a[d * f + d] as number) + lambda;
    b.fill(0);
    for (let p = start; p < end; p++) {
      const i = r.indices[p] as number;
      const c1 = alpha * (r.values[p] as number); // c − 1
      const yo = i * f;
      for (let s = 0; s < f; s++) {
        const ys = y[yo + s] as number;
        b[s] = (b[s] as number) + (1 + c1) * ys;
        const cys = c1 * ys;
        const row = s * f;
        for (let t = 0; t <= s; t++) a[row + t] = (a[row + t] as number) + cys * (y[yo + t] as number);
      }
    }
    choleskyInPlace(a, f);
    choleskySolveInPlace(a, f, b);
    for (let s = 0; s < f; s++) out[o + s] = b[s] as number;
  }
}

/**
 * The same systems as {@link solveRows}, approximately: `steps` conjugate-gradient steps from the
 * row's current value (Takács, Pilászy & Tikk 2011), O(steps·(f² + n_u·f)) per row instead of f³.
 */
function solveRowsCg(
  r: Csr,
  y: Float32Array,
  gram: Float64Array,
  f: number,
  lambda: number,
  alpha: number,
  out: Float32Array,
  steps: number,
): void {
  const x = new Float64Array(f);
  const res = new Float64Array(f);
  const dir = new Float64Array(f);
  const ad = new Float64Array(f);
  // A·v = (YᵀY + λI)·v + Σ_i (c_i − 1)(y_i·v) y_i
  const times = (start: number, end: number, v: Float64Array, into: Float64Array) => {
    for (let s = 0; s < f; s++) into[s] = lambda * (v[s] as number) + dot(gram, s * f, v, 0, f);
    for (let p = start; p < end; p++) {
      const yo = (r.indices[p] as number) * f;
      let yv = 0;
      for (let s = 0; s < f; s++) yv += (y[yo + s] as number) * (v[s] as number);
      const g = alpha * (r.values[p] as number) * yv;
      for (let s = 0; s < f; s++) into[s] = (into[s] as number) + g * (y[yo + s] as number);
    }
  };
  for (let u = 0; u < r.rows; u++) {
    const start = r.indptr[u] as number;
    const end = r.indptr[u + 1] as number;
    const o = u * f;
    for (let s = 0; s < f; s++) x[s] = out[o + s] as number;
    // residual b − A·x with b = Σ c_i y_i
    times(start, end, x, ad);
    for (let s = 0; s < f; s++) res[s] = -(ad[s] as number);
    for (let p = start; p < end; p++) {
      const yo = (r.indices[p] as number) * f;
      const c = 1 + alpha * (r.values[p] as number);
      for (let s = 0; s < f; s++) res[s] = (res[s] as number) + c * (y[yo + s] as number);
    }
    dir.set(res);
    let rs = dot(res, 0, res, 0, f);
    for (let step = 0; step < steps && rs > 1e-20; step++) {
      times(start, end, dir, ad);
      const a = rs / dot(dir, 0, ad, 0, f);
      for (let s = 0; s < f; s++) {
        x[s] = (x[s] as number) + a * (dir[s] as number);
        res[s] = (res[s] as number) - a * (ad[s] as number);
      }
      const next = dot(res, 0, res, 0, f);
      const beta = next / rs;
      for (let s = 0; s < f; s++) dir[s] = (res[s] as number) + beta * (dir[s] as number);
      rs = next;
    }
    for (let s = 0; s < f; s++) out[o + s] = x[s] as number;
  }
}

export const alsTrainer: Trainer<AlsModel> = {
  channel: "als",
  train(data: InteractionData, opts: AlsOptions = {}): AlsModel {
    const f = opts.factors ?? ALS_DEFAULTS.factors;
    const iterations = opts.iterations ?? ALS_DEFAULTS.iterations;
    const lambda = opts.regularization ?? ALS_DEFAULTS.regularization;
    const alpha = opts.alpha ?? ALS_DEFAULTS.alpha;
    const seed = opts.seed ?? ALS_DEFAULTS.seed;
    if (!(Number.isInteger(f) && f > 0))
      throw new RangeError(`als: factors must be a positive integer, got ${f}`);
    if (!(Number.isInteger(iterations) && iterations >= 0))
      throw new RangeError(`als: iterations must be a whole number, got ${iterations}`);
    if (!(lambda > 0)) throw new RangeError(`als: regularization must be > 0, got ${lambda}`);
    if (!(alpha >= 0)) throw new RangeError(`als: alpha must be ≥ 0, got ${alpha}`);
    const x = userItemMatrix(data);
    const xt = transpose(x);
    const nu = data.userIds.length;
    const ni = data.itemIds.length;
    const rng = mulberry32(seed);
    const users = new Float32Array(nu * f);
    const items = new Float32Array(ni * f);
    normalInit(users, 0.01, rng);
    normalInit(items, 0.01, rng);
    const solver = opts.solver ?? "cg";
    const cgSteps = opts.cgSteps ?? ALS_DEFAULTS.cgSteps;
    if (solver !== "cg" && solver !== "cholesky")
      throw new RangeError(`als: solver must be cg or cholesky, got ${solver}`);
    const solve = (r: Csr, other: Float32Array, rows: number, into: Float32Array) =>
      solver === "cg"
        ? solveRowsCg(r, other, gramOf(other, rows, f), f, lambda, alpha, into, cgSteps)
        : solveRows(r, other, gramOf(other, rows, f), f, lambda, alpha, into);
    for (let it = 0; it < iterations; it++) {
      solve(x, items, ni, users);
      solve(xt, users, nu, items);
    }
    return new AlsModel(data.userIds, data.itemIds, f, users, items, {
      iterations,
      regularization: lambda,
      alpha,
      seed,
      solver,
      cgSteps,
    });
  },
};

/**
 * Sparse row gradients for big lookup tables: only the rows a batch touched, each once, with their
 * gradient rows. The optimiser updates just these rows (see adamw.ts).
 */
import { allocLike, type Vec } from "./tensor.ts";

export interface SparseRows<T extends Vec = Vec> {
  /** Distinct table row indices, in order of first touch. */
  rows: Int32Array;
  /** rows.length × dim gradient values; values[r*dim .. (r+1)*dim) belongs to rows[r]. */
  values: T;
  dim: number;
}

/**
 * Collects per-row gradient contributions, summing repeated rows. Rows are found through a Map, or,
 * when the table's row count is given, through a dense Int32Array index (faster; worth it when the
 * accumulator is kept and `clear()`ed across steps).
 */
export class SparseAccumulator<T extends Vec = Vec> {
  readonly dim: number;
  private readonly slots: Map<number, number> | null;
  private readonly index: Int32Array | null;
  private rowIds: Int32Array;
  private vals: T;
  private count = 0;

  /** `like` sets the precision of the values (float32 for training, float64 for checks). */
  constructor(dim: number, like: T, options: { capacity?: number; tableRows?: number } = {}) {
    this.dim = dim;
    this.rowIds = new Int32Array(Math.max(options.capacity ?? 64, 4));
    this.vals = allocLike(like, this.rowIds.length * dim);
    if (options.tableRows !== undefined) {
      this.index = new Int32Array(options.tableRows).fill(-1);
      this.slots = null;
    } else {
      this.index = null;
      this.slots = new Map();
    }
  }

  get size(): number {
    return this.count;
  }

  /** Offset into `values()` of `row`'s gradient row, creating a zero row on first touch. */
  slot(row: number): number {
    const index = this.index;
    let s: number | undefined;
    if (index) {
      if (row < 0 || row >= index.length) throw new RangeError(`sparse row ${row} out of range`);
      s = index[row] as number;
      if (s < 0) s = undefined;
    } else {
      s = this.slots?.get(row);
    }
    if (s === undefined) {
      s = this.count++;
      if (s >= this.rowIds.length) this.grow();
      this.rowIds[s] = row;
      if (index) index[row] = s;
      else this.slots?.set(row, s);
    }
    return s * this.dim;
  }

  /** The live value buffer; re-read it after `slot()`, which may reallocate it. */
  values(): T {
    return this.vals;
  }

  /** values[row] += scale · src[srcOffset .. srcOffset+dim). */
  add(row: number, src: Vec, srcOffset: number, scale = 1): void {
    const o = this.slot(row);
    const v = this.vals;
    const d = this.dim;
    for (let c = 0; c < d; c++) v[o + c] = (v[o + c] as number) + scale * (src[srcOffset + c] as number);
  }

  /** The collected rows (copies, so the accumulator may be reused after `clear()`). */
  toRows(): SparseRows<T> {
    return {
      rows: this.rowIds.slice(0, this.count),
      values: this.vals.slice(0, this.count * this.dim) as T,
      dim: this.dim,
    };
  }

  clear(): void {
    if (this.index) for (let i = 0; i < this.count; i++) this.index[this.rowIds[i] as number] = -1;
    this.slots?.clear();
    this.vals.fill(0, 0, this.count * this.dim);
    this.count = 0;
  }

  private grow(): void {
    const rows = new Int32Array(this.rowIds.length * 2);
    rows.set(this.rowIds);
    const vals = allocLike(this.vals, rows.length * this.dim);
    vals.set(this.vals);
    this.rowIds = rows;
    this.vals = vals;
  }
}

/** Sums several sparse gradients of the same table into one with distinct rows. */
export function mergeSparseRows<T extends Vec>(parts: readonly SparseRows<T>[], like: T): SparseRows<T> {
  const first = parts[0];
  const dim = first ? first.dim : 0;
  const acc = new SparseAccumulator(dim, like);
  for (const p of parts) {
    if (p.dim !== dim) throw new RangeError(`mergeSparseRows: dim ${p.dim} ≠ ${dim}`);
    for (let r = 0; r < p.rows.length; r++) acc.add(p.rows[r] as number, p.values, r * dim);
  }
  return acc.toRows();
}

/** Dense nRows×dim copy of a sparse gradient (for tests and small tables). */
export function sparseToDense<T extends Vec>(g: SparseRows<T>, nRows: number): T {
  const out = allocLike(g.values, nRows * g.dim);
  for (let r = 0; r < g.rows.length; r++) {
    const o = (g.rows[r] as number) * g.dim;
    for (let c = 0; c < g.dim; c++) out[o + c] = (out[o + c] as number) + (g.values[r * g.dim + c] as number);
  }
  return out;
}

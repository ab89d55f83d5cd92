// Compressed sparse rows over typed arrays: the user × item matrix the trainers read, built once
// from the event arrays with duplicate (user, item) events summed.
import type { InteractionData } from "./types.ts";

export interface Csr {
  rows: number;
  cols: number;
  /** row r's entries are [indptr[r], indptr[r + 1]) */
  indptr: Int32Array;
  /** column indices, ascending within a row */
  indices: Int32Array;
  values: Float32Array;
}

export interface MatrixOptions {
  /** Weigh each event by 2^(−age / halfLife) (ms), age measured back from `now`. */
  halfLifeMs?: number;
  now?: number;
  /** Every present (user, item) cell becomes 1, whatever its events' weights. */
  binary?: boolean;
}

/** The time-decay factor of an event at `at`, seen from `now` (future events count fully). */
export function decay(at: number, now: number, halfLifeMs: number | undefined): number {
  if (!halfLifeMs || !(halfLifeMs > 0)) return 1;
  return 2 ** (-Math.max(0, now - at) / halfLifeMs);
}

/** The latest event time, the default `now` of time decay. */
export function latestEvent(data: InteractionData): number {
  let now = Number.NEGATIVE_INFINITY;
  for (let e = 0; e < data.at.length; e++) if ((data.at[e] as number) > now) now = data.at[e] as number;
  return Number.isFinite(now) ? now : 0;
}

/** The user × item matrix: cell = Σ weight × decay over the pair's events (zero cells dropped). */
export function userItemMatrix(data: InteractionData, opts: MatrixOptions = {}): Csr {
  const rows = data.userIds.length;
  const cols = data.itemIds.length;
  const now = opts.now ?? latestEvent(data);
  const n = data.user.length;
  // counting sort of events by user, then by item inside each user
  const order = new Int32Array(n);
  const start = new Int32Array(rows + 1);
  for (let e = 0; e < n; e++)
    start[(data.user[e] as number) + 1] = (start[(data.user[e] as number) + 1] as number) + 1;
  for (let r = 0; r < rows; r++) start[r + 1] = (start[r + 1] as number) + (start[r] as number);
  const fill = start.slice(0, rows);
  for (let e = 0; e < n; e++) {
    const u = data.user[e] as number;
    const q = fill[u] as number;
    fill[u] = q + 1;
    order[q] = e;
  }
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(n);
  const values = new Float32Array(n);
  let nnz = 0;
  const cell = new Float64Array(cols);
  const seen = new Int32Array(cols).fill(-1);
  const touched: number[] = [];
  for (let r = 0; r < rows; r++) {
    touched.length = 0;
    for (let p = start[r] as number; p < (start[r + 1] as number); p++) {
      const e = order[p] as number;
      const i = data.item[e] as number;
      if (seen[i] !== r) {
        seen[i] = r;
        cell[i] = 0;
        touched.push(i);
      }
      cell[i] =
        (cell[i] as number) + (data.weight[e] as number) * decay(data.at[e] as number, now, opts.halfLifeMs);
    }
    touched.sort((a, b) => a - b);
    for (const i of touched) {
      const v = cell[i] as number;
      if (!(v > 0)) continue;
      indices[nnz] = i;
      values[nnz] = opts.binary ? 1 : v;
      nnz++;
    }
    indptr[r + 1] = nnz;
  }
  return { rows, cols, indptr, indices: indices.slice(0, nnz), values: values.slice(0, nnz) };
}

/** The transpose (item × user for a user × item matrix). */
export function transpose(m: Csr): Csr {
  const nnz = m.indices.length;
  const indptr = new Int32Array(m.cols + 1);
  for (let p = 0; p < nnz; p++) {
    const c = (m.indices[p] as number) + 1;
    indptr[c] = (indptr[c] as number) + 1;
  }
  for (let c = 0; c < m.cols; c++) indptr[c + 1] = (indptr[c + 1] as number) + (indptr[c] as number);
  const fill = indptr.slice(0, m.cols);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r] as number; p < (m.indptr[r + 1] as number); p++) {
      const c = m.indices[p] as number;
      const q = fill[c] as number;
      fill[c] = q + 1;
      indices[q] = r;
      values[q] = m.values[p] as number;
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, values };
}

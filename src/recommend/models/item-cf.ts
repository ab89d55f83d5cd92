// Item-based collaborative filtering: cosine similarity between items' (time-decayed) user
// vectors, the top-N neighbours of each item kept as sparse rows; a user's score for an item is
// Σ over their history of weight × similarity.
import { type Csr, latestEvent, transpose, userItemMatrix } from "./csr.ts";
import { DAY_MS } from "./popular.ts";
import { csrArrays, type ModelState, type PersistableModel, rowOf, stateCsr } from "./state.ts";
import { topK } from "./topk.ts";
import type { InteractionData, Scored, Trainer, TrainOptions } from "./types.ts";

export interface ItemCfOptions extends TrainOptions {
  /** neighbours kept per item (default 100) */
  neighbours?: number;
  /** time-decay half-life of events in days (default none) */
  halfLifeDays?: number;
  /** shrinks similarities with few common users: sim × n / (n + shrink) (default 0) */
  shrink?: number;
}

export class ItemCfModel implements PersistableModel {
  readonly channel: string;
  constructor(
    readonly userIds: string[],
    readonly itemIds: string[],
    /** user histories (decayed weights) for recommend(user) */
    readonly history: Csr,
    /** neighbour rows: item i's neighbours and similarities */
    readonly neighbours: Csr,
    readonly params: Record<string, unknown>,
    channel = "item_cf",
  ) {
    this.channel = channel;
  }

  recommend(user: number, k: number, exclude?: ReadonlySet<number>): Scored {
    const h = rowOf(this.history.indptr, this.history.indices, this.history.values, user);
    return this.recommendForHistory(h.items, h.weights, k, exclude);
  }

  recommendForHistory(
    items: Int32Array,
    weights: Float32Array,
    k: number,
    exclude?: ReadonlySet<number>,
  ): Scored {
    return topK(this.scoreHistory(items, weights), k, exclude);
  }

  /** Dense scores; items no history item points to are −Infinity (not recommendable). */
  scoreHistory(items: Int32Array, weights: Float32Array): Float32Array {
    const scores = new Float32Array(this.itemIds.length).fill(Number.NEGATIVE_INFINITY);
    const { indptr, indices, values } = this.neighbours;
    for (let h = 0; h < items.length; h++) {
      const j = items[h] as number;
      const w = weights[h] ?? 1;
      if (!(j >= 0 && j < this.itemIds.length) || !(w > 0)) continue;
      for (let p = indptr[j] as number; p < (indptr[j + 1] as number); p++) {
        const i = indices[p] as number;
        const prev = scores[i] as number;
        scores[i] = (prev === Number.NEGATIVE_INFINITY ? 0 : prev) + w * (values[p] as number);
      }
    }
    return scores;
  }

  toState(): ModelState {
    return {
      channel: this.channel,
      kind: "item_cf",
      userIds: this.userIds,
      itemIds: this.itemIds,
      params: this.params,
      arrays: {
        ...csrArrays("history", this.history),
        ...csrArrays("neighbour", this.neighbours),
      },
    };
  }

  static fromState(s: ModelState): ItemCfModel {
    const ni = s.itemIds.length;
    const history = stateCsr(s, "history", s.userIds.length, ni);
    const neighbours = stateCsr(s, "neighbour", ni, ni);
    return new ItemCfModel(s.userIds, s.itemIds, history, neighbours, s.params, s.channel);
  }
}

/** Top-N cosine neighbours of every item: Σ_u n_u² work (co-occurrences through each user). */
export function cosineNeighbours(x: Csr, topN: number, shrink = 0): Csr {
  const xt = transpose(x);
  const ni = x.cols;
  const norm = new Float64Array(ni);
  for (let i = 0; i < ni; i++) {
    let s = 0;
    for (let p = xt.indptr[i] as number; p < (xt.indptr[i + 1] as number); p++)
      s += (xt.values[p] as number) ** 2;
    norm[i] = Math.sqrt(s);
  }
  const acc = new Float64Array(ni);
  const common = new Int32Array(ni);
  const touched = new Int32Array(ni);
  const sims = new Float32Array(ni);
  const indptr = new Int32Array(ni + 1);
  const outIdx: Int32Array[] = [];
  const outVal: Float32Array[] = [];
  let nnz = 0;
  for (let i = 0; i < ni; i++) {
    let nt = 0;
    for (let p = xt.indptr[i] as number; p < (xt.indptr[i + 1] as number); p++) {
      const u = xt.indices[p] as number;
      const vi = xt.values[p] as number;
      for (let q = x.indptr[u] as number; q < (x.indptr[u + 1] as number); q++) {
        const j = x.indices[q] as number;
        if (j === i) continue;
        if (common[j] === 0) touched[nt++] = j;
        common[j] = (common[j] as number) + 1;
        acc[j] = (acc[j] as number) + vi * (x.values[q] as number);
      }
    }
    sims.fill(Number.NEGATIVE_INFINITY);
    for (let t = 0; t < nt; t++) {
      const j = touched[t] as number;
      const c = common[j] as number;
      sims[j] =
        ((acc[j] as number) / ((norm[i] as number) * (norm[j] as number))) *
        (shrink > 0 ? c / (c + shrink) : 1);
      acc[j] = 0;
      common[j] = 0;
    }
    const top = topK(sims, Math.min(topN, nt));
    outIdx.push(top.items);
    outVal.push(top.scores);
    nnz += top.items.length;
    indptr[i + 1] = nnz;
  }
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  for (let i = 0; i < ni; i++) {
    indices.set(outIdx[i] as Int32Array, indptr[i] as number);
    values.set(outVal[i] as Float32Array, indptr[i] as number);
  }
  return { rows: ni, cols: ni, indptr, indices, values };
}

export const itemCfTrainer: Trainer<ItemCfModel> = {
  channel: "item_cf",
  train(data: InteractionData, opts: ItemCfOptions = {}): ItemCfModel {
    const neighbours = opts.neighbours ?? 100;
    if (!(Number.isInteger(neighbours) && neighbours > 0))
      throw new RangeError(`item_cf: neighbours must be a positive integer, got ${neighbours}`);
    const halfLifeDays = opts.halfLifeDays;
    const now = opts.now ?? latestEvent(data);
    const x = userItemMatrix(data, { now, halfLifeMs: halfLifeDays ? halfLifeDays * DAY_MS : undefined });
    const sims = cosineNeighbours(x, neighbours, opts.shrink ?? 0);
    return new ItemCfModel(data.userIds, data.itemIds, x, sims, {
      neighbours,
      halfLifeDays: halfLifeDays ?? null,
      shrink: opts.shrink ?? 0,
      now,
    });
  },
};

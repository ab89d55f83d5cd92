// EASE (Steck 2019): a closed-form item–item model B = I − P·diag(1/diag(P)) with
// P = (XᵀX + λI)⁻¹ and a zero diagonal. The inversion is O(n³) in plain TypeScript, so the model
// covers the `maxItems` items with the most users (at least `minUsers`); other items are not
// recommended by this channel (the other channels cover the long tail).
import { type Csr, userItemMatrix } from "./csr.ts";
import { spdInverse } from "./linalg.ts";
import { csrArrays, type ModelState, type PersistableModel, rowOf, stateArray, stateCsr } from "./state.ts";
import { topK } from "./topk.ts";
import type { InteractionData, Scored, Trainer, TrainOptions } from "./types.ts";

export interface EaseOptions extends TrainOptions {
  /** L2 regularisation λ of the Gram matrix (default 300: best of 200–1000 on the MovieLens validation split) */
  lambda?: number;
  /** most items modelled (default 2500: about 10 s of inversion here) */
  maxItems?: number;
  /** items need at least this many users to be modelled (default 2) */
  minUsers?: number;
}

export const EASE_DEFAULTS = { lambda: 300, maxItems: 2500, minUsers: 2 };

export class EaseModel implements PersistableModel {
  readonly channel: string;
  /** item index → row of `weights`, or −1 */
  private readonly slotOf: Int32Array;
  constructor(
    readonly userIds: string[],
    readonly itemIds: string[],
    readonly history: Csr,
    /** the modelled items (indices into itemIds) */
    readonly modelled: Int32Array,
    /** modelled × modelled, row-major: weights[a·n + b] = B[a → b] */
    readonly weights: Float32Array,
    readonly params: Record<string, unknown>,
    channel = "ease",
  ) {
    this.channel = channel;
    this.slotOf = new Int32Array(itemIds.length).fill(-1);
    modelled.forEach((item, slot) => {
      this.slotOf[item] = slot;
    });
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
    const n = this.modelled.length;
    const acc = new Float32Array(n);
    for (let h = 0; h < items.length; h++) {
      const slot = this.slotOf[items[h] as number] ?? -1;
      if (slot < 0) continue;
      const w = weights[h] ?? 1;
      const o = slot * n;
      for (let b = 0; b < n; b++) acc[b] = (acc[b] as number) + w * (this.weights[o + b] as number);
    }
    const scores = new Float32Array(this.itemIds.length).fill(Number.NEGATIVE_INFINITY);
    for (let b = 0; b < n; b++) scores[this.modelled[b] as number] = acc[b] as number;
    return topK(scores, k, exclude);
  }

  toState(): ModelState {
    return {
      channel: this.channel,
      kind: "ease",
      userIds: this.userIds,
      itemIds: this.itemIds,
      params: this.params,
      arrays: {
        ...csrArrays("history", this.history),
        modelled: this.modelled,
        weights: this.weights,
      },
    };
  }

  static fromState(s: ModelState): EaseModel {
    const modelled = stateArray(s, "modelled", Int32Array);
    const history = stateCsr(s, "history", s.userIds.length, s.itemIds.length);
    const weights = stateArray(s, "weights", Float32Array, modelled.length * modelled.length);
    return new EaseModel(s.userIds, s.itemIds, history, modelled, weights, s.params, s.channel);
  }
}

/** The items to model: most users first (ties by index), at least minUsers, at most maxItems. */
function chooseItems(x: Csr, maxItems: number, minUsers: number): Int32Array {
  const users = new Int32Array(x.cols);
  for (let p = 0; p < x.indices.length; p++) {
    const i = x.indices[p] as number;
    users[i] = (users[i] as number) + 1;
  }
  const order = Array.from({ length: x.cols }, (_, i) => i)
    .filter((i) => (users[i] as number) >= minUsers)
    .sort((a, b) => (users[b] as number) - (users[a] as number) || a - b)
    .slice(0, maxItems)
    .sort((a, b) => a - b);
  return Int32Array.from(order);
}

export const easeTrainer: Trainer<EaseModel> = {
  channel: "ease",
  train(data: InteractionData, opts: EaseOptions = {}): EaseModel {
    const lambda = opts.lambda ?? EASE_DEFAULTS.lambda;
    const maxItems = opts.maxItems ?? EASE_DEFAULTS.maxItems;
    const minUsers = opts.minUsers ?? EASE_DEFAULTS.minUsers;
    if (!(lambda > 0)) throw new RangeError(`ease: lambda must be > 0, got ${lambda}`);
    if (!(Number.isInteger(maxItems) && maxItems > 0))
      throw new RangeError(`ease: maxItems must be a positive integer, got ${maxItems}`);
    // binary user vectors: EASE's Gram matrix counts co-occurring users
    const x = userItemMatrix(data, { binary: true });
    const modelled = chooseItems(x, maxItems, Math.max(1, minUsers));
    const n = modelled.length;
    const slot = new Int32Array(x.cols).fill(-1);
    modelled.forEach((item, s) => {
      slot[item] = s;
    });
    const g = new Float64Array(n * n);
    const slots: number[] = [];
    for (let u = 0; u < x.rows; u++) {
      slots.length = 0;
      for (let p = x.indptr[u] as number; p < (x.indptr[u + 1] as number); p++) {
        const s = slot[x.indices[p] as number] as number;
        if (s >= 0) slots.push(s);
      }
      for (const a of slots) {
        const row = a * n;
        for (const b of slots) if (b <= a) g[row + b] = (g[row + b] as number) + 1;
      }
    }
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) g[a * n + b] = g[b * n + a] as number;
      g[a * n + a] = (g[a * n + a] as number) + lambda;
    }
    const p = spdInverse(g, n);
    const weights = new Float32Array(n * n);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++)
        if (a !== b) weights[a * n + b] = -(p[a * n + b] as number) / (p[b * n + b] as number);
    return new EaseModel(data.userIds, data.itemIds, x, modelled, weights, { lambda, maxItems, minUsers });
  },
};

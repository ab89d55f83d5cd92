// Popularity channels: "popular" ranks items by how many users interacted with them, "trending"
// by time-decayed interaction weight seen from `now` (events after `now` are ignored).
import { decay, latestEvent, userItemMatrix } from "./csr.ts";
import { type ModelState, type PersistableModel, stateArray } from "./state.ts";
import { topK } from "./topk.ts";
import type { InteractionData, Scored, Trainer, TrainOptions } from "./types.ts";

export const DAY_MS = 86_400_000;

/** A model whose score does not depend on the user: one score per item. */
export class ItemScoreModel implements PersistableModel {
  constructor(
    readonly channel: string,
    readonly userIds: string[],
    readonly itemIds: string[],
    readonly scores: Float32Array,
    readonly params: Record<string, unknown> = {},
  ) {}

  recommend(_user: number, k: number, exclude?: ReadonlySet<number>): Scored {
    return topK(this.scores, k, exclude);
  }

  recommendForHistory(
    _items: Int32Array,
    _weights: Float32Array,
    k: number,
    exclude?: ReadonlySet<number>,
  ): Scored {
    return topK(this.scores, k, exclude);
  }

  toState(): ModelState {
    return {
      channel: this.channel,
      kind: "item_score",
      userIds: this.userIds,
      itemIds: this.itemIds,
      params: this.params,
      arrays: { scores: this.scores },
    };
  }

  static fromState(s: ModelState): ItemScoreModel {
    return new ItemScoreModel(
      s.channel,
      s.userIds,
      s.itemIds,
      stateArray(s, "scores", Float32Array, s.itemIds.length),
      s.params,
    );
  }
}

/**
 * Distinct users per item (ties broken by total weight, scaled below one user), so that a few
 * users repeating one event cannot make an item popular.
 */
export const popularTrainer: Trainer<ItemScoreModel> = {
  channel: "popular",
  train(data: InteractionData): ItemScoreModel {
    const m = userItemMatrix(data);
    const users = new Float64Array(data.itemIds.length);
    const weight = new Float64Array(data.itemIds.length);
    for (let p = 0; p < m.indices.length; p++) {
      const i = m.indices[p] as number;
      users[i] = (users[i] as number) + 1;
      weight[i] = (weight[i] as number) + (m.values[p] as number);
    }
    let maxWeight = 0;
    for (const w of weight) if (w > maxWeight) maxWeight = w;
    const scores = new Float32Array(data.itemIds.length);
    for (let i = 0; i < scores.length; i++) {
      const u = users[i] as number;
      scores[i] = u > 0 ? u + (0.5 * (weight[i] as number)) / maxWeight : Number.NEGATIVE_INFINITY;
    }
    return new ItemScoreModel("popular", data.userIds, data.itemIds, scores);
  },
};

/** Σ weight × 2^(−age / halfLife); `halfLifeDays` option (default 7), `now` (default latest event). */
export const trendingTrainer: Trainer<ItemScoreModel> = {
  channel: "trending",
  train(data: InteractionData, opts: TrainOptions = {}): ItemScoreModel {
    const halfLifeDays = Number(opts.halfLifeDays ?? 7);
    if (!(halfLifeDays > 0))
      throw new RangeError(`trending: halfLifeDays must be > 0, got ${opts.halfLifeDays}`);
    const now = opts.now ?? latestEvent(data);
    const sums = new Float64Array(data.itemIds.length);
    for (let e = 0; e < data.item.length; e++) {
      const at = data.at[e] as number;
      if (at > now) continue;
      const i = data.item[e] as number;
      sums[i] = (sums[i] as number) + (data.weight[e] as number) * decay(at, now, halfLifeDays * DAY_MS);
    }
    const scores = new Float32Array(data.itemIds.length);
    for (let i = 0; i < scores.length; i++)
      scores[i] = (sums[i] as number) > 0 ? (sums[i] as number) : Number.NEGATIVE_INFINITY;
    return new ItemScoreModel("trending", data.userIds, data.itemIds, scores, { halfLifeDays, now });
  },
};

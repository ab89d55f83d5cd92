// The contract between recall models (pure computation over typed arrays) and the recommendation
// service that trains, stores and serves them. Kept stable: additive changes only.

/** Interactions as parallel typed arrays; users and items are dense indices into the id lists. */
export interface InteractionData {
  userIds: string[];
  itemIds: string[];
  /** per event: index into userIds */
  user: Int32Array;
  /** per event: index into itemIds */
  item: Int32Array;
  /** per event: the behaviour type's weight × value (≥ 0) */
  weight: Float32Array;
  /** per event: ms since epoch */
  at: Float64Array;
}

/** Top items, best first. */
export interface Scored {
  items: Int32Array;
  scores: Float32Array;
}

export type ChannelName = "item_cf" | "als" | "bpr" | "popular" | "trending" | "new_items" | (string & {});

export interface RecallModel {
  readonly channel: ChannelName;
  /** the item index space this model scores */
  readonly itemIds: string[];
  readonly userIds: string[];
  /** Items for a known user (index into userIds), excluding `exclude` item indices. */
  recommend(user: number, k: number, exclude?: ReadonlySet<number>): Scored;
  /** Items for an ad-hoc history (item indices with weights): new users, item-to-item. */
  recommendForHistory(
    items: Int32Array,
    weights: Float32Array,
    k: number,
    exclude?: ReadonlySet<number>,
  ): Scored;
}

export interface TrainOptions {
  /** reference time for time decay (ms since epoch); defaults to the latest event */
  now?: number;
  seed?: number;
  [k: string]: unknown;
}

export interface Trainer<M extends RecallModel = RecallModel> {
  channel: ChannelName;
  train(data: InteractionData, opts?: TrainOptions): M;
}

/** One interaction as it arrives from the behaviour store. */
export interface InteractionEvent {
  user: string;
  item: string;
  weight: number;
  at: number;
}

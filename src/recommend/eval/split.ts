// The temporal leave-last-out split of shared/datasets/README.md ("Recommendation protocol"),
// written to match shared/anchors/recsys/ease_anchor.py decision for decision: per user, positives
// ordered by (timestamp, item id as a string); users with ≥ 5 positives keep the first
// round(0.8·n) for training and the rest are test; other users are training only.
import { buildInteractionData } from "../models/data.ts";
import type { InteractionData } from "../models/types.ts";
import type { Positive } from "./movielens.ts";

export interface HeldOut {
  /** user index in the training data */
  user: number;
  /** held-out items known to the training data (item indices) */
  items: Set<number>;
  /** all held-out items, also those the training data never saw (they count as misses) */
  size: number;
}

export interface Split {
  train: Positive[];
  test: Positive[];
}

export const MIN_POSITIVES = 5;
export const TRAIN_SHARE = 0.8;

const byTimeThenItem = (a: Positive, b: Positive) =>
  a.at - b.at || (a.item < b.item ? -1 : a.item > b.item ? 1 : 0);

/** Splits every user's positives by time: the last 20% of users with ≥ 5 positives are held out. */
export function temporalSplit(positives: readonly Positive[]): Split {
  const byUser = new Map<string, Positive[]>();
  for (const p of positives) {
    let list = byUser.get(p.user);
    if (!list) byUser.set(p.user, (list = []));
    list.push(p);
  }
  const train: Positive[] = [];
  const test: Positive[] = [];
  for (const list of byUser.values()) {
    list.sort(byTimeThenItem);
    if (list.length < MIN_POSITIVES) {
      train.push(...list);
      continue;
    }
    const cut = Math.round(list.length * TRAIN_SHARE);
    train.push(...list.slice(0, cut));
    test.push(...list.slice(cut));
  }
  return { train, test };
}

/** Training interactions (weight 1 per positive) and the held-out sets keyed to their indices. */
export function prepareSplit(split: Split): { data: InteractionData; heldOut: HeldOut[] } {
  const data = sortIds(
    buildInteractionData(split.train.map((p) => ({ user: p.user, item: p.item, weight: 1, at: p.at }))),
  );
  const userIx = new Map(data.userIds.map((u, i) => [u, i]));
  const itemIx = new Map(data.itemIds.map((it, i) => [it, i]));
  const byUser = new Map<number, HeldOut>();
  for (const p of split.test) {
    const user = userIx.get(p.user);
    if (user === undefined) continue; // every test user has ≥ 4 training positives by construction
    let h = byUser.get(user);
    if (!h) byUser.set(user, (h = { user, items: new Set(), size: 0 }));
    const item = itemIx.get(p.item);
    if (item !== undefined && !h.items.has(item)) h.items.add(item);
    h.size++;
  }
  return { data, heldOut: [...byUser.values()].sort((a, b) => a.user - b.user) };
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Re-indexes users and items in id order (string order, as the anchor's `sorted()`), so that
 * models breaking score ties by lower index break them the same way on every run and platform.
 */
export function sortIds(data: InteractionData): InteractionData {
  const remap = (ids: string[]) => {
    const order = ids.map((_, i) => i).sort((a, b) => byString(ids[a] as string, ids[b] as string));
    const next = new Int32Array(ids.length);
    order.forEach((old, i) => {
      next[old] = i;
    });
    return { ids: order.map((i) => ids[i] as string), next };
  };
  const users = remap(data.userIds);
  const items = remap(data.itemIds);
  return {
    userIds: users.ids,
    itemIds: items.ids,
    user: data.user.map((u) => users.next[u] as number),
    item: data.item.map((i) => items.next[i] as number),
    weight: data.weight,
    at: data.at,
  };
}

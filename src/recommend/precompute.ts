/**
 * Precomputed lists: at training time, each known user's top items per channel (their own
 * behaviours excluded), saved beside the model. Serving a known user is then a lookup instead of
 * scoring every item, which is what keeps a factor model like ALS inside the latency budget.
 */
import fs from "node:fs";
import path from "node:path";
import { readSafetensorsFile, writeSafetensorsFile } from "../models/safetensors.ts";
import type { InteractionData, RecallModel } from "./models/types.ts";

/** Items kept per user and channel; requests for more fall back to live scoring. */
export const TOP_K = 100;
/** Users beyond this many (the most active first) are scored live. */
export const MAX_USERS = 50_000;

export interface TopLists {
  k: number;
  /** Row of each user (index into the model's userIds), or -1 when not precomputed. */
  row: Int32Array;
  /** rows × k item indices, -1 past a short list */
  items: Int32Array;
  scores: Float32Array;
}

const FILE = "top.safetensors";

/** Scores every (or the `MAX_USERS` most active) known users of a model. */
export function precompute(model: RecallModel, data: InteractionData, k = TOP_K): TopLists {
  const userIx = new Map(model.userIds.map((id, i) => [id, i]));
  const itemIx = new Map(model.itemIds.map((id, i) => [id, i]));
  // each user's items in the model's index space (to exclude) and activity (to rank users)
  const seen = model.userIds.map(() => new Set<number>());
  for (let e = 0; e < data.user.length; e++) {
    const u = userIx.get(data.userIds[data.user[e] as number] as string);
    const i = itemIx.get(data.itemIds[data.item[e] as number] as string);
    if (u !== undefined && i !== undefined) seen[u]?.add(i);
  }
  const users = model.userIds
    .map((_, u) => u)
    .sort((a, b) => (seen[b]?.size ?? 0) - (seen[a]?.size ?? 0))
    .slice(0, MAX_USERS);
  const row = new Int32Array(model.userIds.length).fill(-1);
  const items = new Int32Array(users.length * k).fill(-1);
  const scores = new Float32Array(users.length * k);
  for (const [r, u] of users.entries()) {
    row[u] = r;
    const top = model.recommend(u, k, seen[u]);
    items.set(top.items.subarray(0, k), r * k);
    scores.set(top.scores.subarray(0, k), r * k);
  }
  return { k, row, items, scores };
}

export function saveTop(top: TopLists, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  writeSafetensorsFile(
    path.join(dir, FILE),
    {
      row: { dtype: "I32", shape: [top.row.length], data: top.row },
      items: { dtype: "I32", shape: [top.items.length], data: top.items },
      scores: { dtype: "F32", shape: [top.scores.length], data: top.scores },
    },
    { k: String(top.k) },
  );
}

/** The lists saved in `dir`, or undefined when there are none. */
export function loadTop(dir: string): TopLists | undefined {
  let file: ReturnType<typeof readSafetensorsFile>;
  try {
    file = readSafetensorsFile(path.join(dir, FILE));
  } catch {
    return undefined;
  }
  const get = (name: string) => file.tensors.get(name)?.data;
  return {
    k: Number(file.metadata.k),
    row: get("row") as Int32Array,
    items: get("items") as Int32Array,
    scores: get("scores") as Float32Array,
  };
}

/** A user's precomputed list, best first, without padding; undefined when not precomputed. */
export function topFor(top: TopLists, user: number): { items: Int32Array; scores: Float32Array } | undefined {
  const r = top.row[user] ?? -1;
  if (r < 0) return undefined;
  const items = top.items.subarray(r * top.k, (r + 1) * top.k);
  let n = items.indexOf(-1);
  if (n < 0) n = top.k;
  return { items: items.subarray(0, n), scores: top.scores.subarray(r * top.k, r * top.k + n) };
}

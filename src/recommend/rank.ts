/**
 * One recommendation: recall from every channel, blend, filter, diversify, explore. Pure over the
 * data it is handed (models, catalog, the user's history, counts), so the service stays a thin
 * layer of I/O around it and tests can drive it directly.
 */
import type { Behavior, ItemStats } from "./behaviors.ts";
import type { CatalogItem, Neighbors } from "./catalog.ts";
import { categorySimilarity, mmr, neighborSimilarity } from "./diversity.ts";
import { DEFAULT_MAX_EXPOSURES, exploreSlots, isNew, type Random } from "./explore.ts";
import type { ItemPredicate } from "./filters.ts";
import { LIVE_BUDGET_MS, type ModelSet } from "./model-holder.ts";
import { topFor } from "./precompute.ts";
import type { DiversitySpec, ExploreSpec } from "./schema.ts";

/** Channel weights when the request and scene give none; a weight of 0 turns a channel off. */
export const DEFAULT_BLEND: Record<string, number> = {
  item_cf: 1,
  ease: 1,
  als: 1,
  bpr: 1,
  content: 0.8,
  questions: 0.8,
  trending: 0.4,
  popular: 0.3,
};

export interface RankInput {
  size: number;
  userId?: string;
  /** Item-to-item anchors (the request's `items`). */
  items?: string[];
  /** The user's behaviours other than exposures, newest first. */
  history: Behavior[];
  /** Weight of one history event (the instance's behaviour weights). */
  weightOf: (b: Behavior) => number;
  models: ModelSet;
  catalog: Map<string, CatalogItem>;
  neighbors: Map<string, Neighbors>;
  stats: Map<string, ItemStats>;
  /** Catalog items nobody acted on yet (exposures aside): exploration's pool, cached by the caller. */
  newItems: readonly string[];
  /** The questions channel's items, when the user asked RAG questions: [item, score]. */
  questions?: { query: string; hits: Array<[string, number]> };
  blend?: Record<string, number>;
  filter?: ItemPredicate;
  excludeSeen: boolean;
  explore?: ExploreSpec;
  diversity?: DiversitySpec;
  random: Random;
}

export interface Channel {
  channel: string;
  score: number;
}

export interface Ranked {
  item_id: string;
  score: number;
  channels: Channel[];
  why: string;
}

/** The channels that answer item-to-item requests (with content similarity). */
const ITEM_CHANNELS = new Set(["item_cf", "ease"]);

/** How many candidates each channel recalls per result slot. */
const RECALL_FACTOR = 5;
/** History events used as a new user's profile and as content anchors. */
const PROFILE = 50;
const ANCHORS = 10;

/** Recalls from the trained models: a known user's own vector, or the given history as a profile. */
function modelRecall(
  input: RankInput,
  k: number,
  profile: Map<string, number>,
): Map<string, Array<[string, number]>> {
  const out = new Map<string, Array<[string, number]>>();
  const anchors = input.items?.length ? new Map(input.items.map((id) => [id, 1])) : profile;
  // the models do not leave out what the user already has: say so (the filters would drop it later)
  const excluded = new Set([...anchors.keys(), ...input.history.map((b) => b.item_id)]);
  for (const [channel, loaded] of input.models.channels) {
    // "items like these" is what the item–item channels answer; user-taste models are left out
    if (input.items?.length && !ITEM_CHANNELS.has(channel)) continue;
    const u = input.userId === undefined || input.items?.length ? undefined : loaded.user.get(input.userId);
    const listed = u !== undefined && loaded.top && k <= loaded.top.k ? topFor(loaded.top, u) : undefined;
    // a model too slow to score live serves only the users it has lists for
    if (!listed && loaded.liveMs > LIVE_BUDGET_MS) continue;
    const exclude = new Set<number>();
    if (!listed)
      for (const id of excluded) {
        const i = loaded.item.get(id);
        if (i !== undefined) exclude.add(i);
      }
    let scored: { items: Int32Array; scores: Float32Array };
    if (listed) scored = listed;
    else if (u !== undefined) scored = loaded.model.recommend(u, k, exclude);
    else {
      const known = [...anchors].filter(([id]) => loaded.item.has(id));
      scored = loaded.model.recommendForHistory(
        Int32Array.from(known.map(([id]) => loaded.item.get(id) as number)),
        Float32Array.from(known.map(([, w]) => w)),
        k,
        exclude,
      );
    }
    const list: Array<[string, number]> = [];
    for (let i = 0; i < scored.items.length; i++)
      list.push([loaded.model.itemIds[scored.items[i] as number] as string, scored.scores[i] as number]);
    out.set(channel, list);
  }
  return out;
}

/** Content similarity: neighbours of the anchors, weighted by how much the user wanted each anchor. */
function contentRecall(
  neighbors: Map<string, Neighbors>,
  anchors: Map<string, number>,
): Array<[string, number]> {
  const scores = new Map<string, number>();
  for (const [anchor, w] of [...anchors].slice(0, ANCHORS))
    for (const [id, sim] of neighbors.get(anchor) ?? []) scores.set(id, (scores.get(id) ?? 0) + w * sim);
  return [...scores].sort((a, b) => b[1] - a[1]);
}

/** Before any training: items by how many positive behaviours they have. */
function countRecall(stats: Map<string, ItemStats>, k: number): Array<[string, number]> {
  return [...stats]
    .filter(([, s]) => s.positives > 0)
    .map(([id, s]): [string, number] => [id, s.positives])
    .sort((a, b) => b[1] - a[1])
    .slice(0, k);
}

const WHY: Record<string, string> = {
  item_cf: "people who acted on the same items acted on this",
  ease: "people who acted on the same items acted on this (EASE)",
  als: "matches your taste (matrix factorisation)",
  bpr: "matches your taste (pairwise ranking)",
  popular: "popular",
  trending: "trending now",
  content: "similar in content to what you looked at",
  questions: "answers what you asked",
  explore: "new item (exploration)",
};

export function rank(input: RankInput): { items: Ranked[]; explored: number } {
  const k = input.size * RECALL_FACTOR;
  // the user's profile: item → summed weight, most recent first
  const profile = new Map<string, number>();
  for (const b of input.history.slice(0, PROFILE)) {
    const w = input.weightOf(b);
    if (w > 0) profile.set(b.item_id, (profile.get(b.item_id) ?? 0) + w);
  }
  const recalls = modelRecall(input, k, profile);
  if (input.models.channels.size === 0) recalls.set("popular", countRecall(input.stats, k));
  const anchors = input.items?.length ? new Map(input.items.map((id) => [id, 1])) : profile;
  if (input.neighbors.size) recalls.set("content", contentRecall(input.neighbors, anchors));
  if (input.questions?.hits.length) recalls.set("questions", input.questions.hits);

  // blend: each channel's scores scaled to [0, 1] by its best, times the channel's weight (the
  // request's or scene's, else the one the training job learned, else the default)
  const blend = { ...DEFAULT_BLEND, ...input.models.blend, ...input.blend };
  const candidates = new Map<string, Ranked>();
  for (const [channel, list] of recalls) {
    const weight = blend[channel] ?? 1;
    const best = list.reduce((m, [, s]) => Math.max(m, s), 0);
    if (weight <= 0 || best <= 0) continue;
    for (const [id, s] of list) {
      if (s <= 0) continue;
      let c = candidates.get(id);
      if (!c) {
        c = { item_id: id, score: 0, channels: [], why: "" };
        candidates.set(id, c);
      }
      c.score += (weight * s) / best;
      c.channels.push({ channel, score: s / best });
    }
  }

  // filters: seen and disliked items, the catalog's status, the request's filter, cold items
  const seen = new Set<string>();
  for (const b of input.history) if (input.excludeSeen || b.type === "dislike") seen.add(b.item_id);
  for (const id of input.items ?? []) seen.add(id);
  const hasCatalog = input.catalog.size > 0;
  const maxExposures = input.explore?.max_exposures ?? DEFAULT_MAX_EXPOSURES;
  const allowed = (id: string) => {
    if (seen.has(id)) return false;
    const item = input.catalog.get(id);
    if (hasCatalog && !item?.active) return false;
    if (input.filter && (!item || !input.filter(item))) return false;
    return true;
  };
  // items nobody acted on reach results only through exploration
  const warm = (id: string) => (input.stats.get(id)?.actions ?? 0) > 0;
  let ranked = [...candidates.values()]
    .filter((c) => allowed(c.item_id) && (input.explore !== undefined || warm(c.item_id)))
    .sort((a, b) => b.score - a.score || (a.item_id < b.item_id ? -1 : 1));
  for (const c of ranked) {
    c.channels.sort((a, b) => b.score - a.score);
    c.why = WHY[c.channels[0]?.channel ?? ""] ?? c.channels[0]?.channel ?? "";
    if (c.channels[0]?.channel === "questions" && input.questions)
      c.why = `answers what you asked: "${input.questions.query}"`;
  }
  if (input.diversity) {
    const sim =
      input.diversity.by === "content"
        ? neighborSimilarity(input.neighbors)
        : categorySimilarity((id) => input.catalog.get(id)?.category);
    ranked = mmr(ranked.slice(0, input.size * 3), input.size, input.diversity.lambda, sim);
  }

  if (!input.explore) return { items: ranked.slice(0, input.size), explored: 0 };
  const accept = (id: string) =>
    !candidates.has(id) && isNew(input.stats.get(id), maxExposures) && allowed(id);
  const slots = exploreSlots(input.size, input.explore, input.newItems, accept, input.stats, input.random);
  const out: Ranked[] = [];
  let next = 0;
  for (let slot = 0; slot < input.size; slot++) {
    const explored = slots.get(slot);
    if (explored !== undefined)
      out.push({
        item_id: explored,
        score: 0,
        channels: [{ channel: "explore", score: 0 }],
        why: WHY.explore as string,
      });
    else if (next < ranked.length) out.push(ranked[next++] as Ranked);
  }
  return { items: out, explored: slots.size };
}

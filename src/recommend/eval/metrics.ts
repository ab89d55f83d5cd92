// Top-k recommendation metrics with the protocol's definitions (shared/datasets/README.md):
// Recall@k = hits / min(k, |held out|) and nDCG@k with binary gains, averaged over held-out users;
// coverage = share of the catalogue recommended to anyone; novelty = mean −log2 of the recommended
// items' popularity (share of training users who have the item). These differ from src/eval's
// IR metrics (Recall there divides by all relevant documents), hence their own module.
import type { Scored } from "../models/types.ts";
import type { HeldOut } from "./split.ts";

export interface TopNMetrics {
  users: number;
  recall: number;
  ndcg: number;
  coverage: number;
  novelty: number;
}

/** Binary-gain DCG of a list against held-out items, and the ideal DCG for `size` items. */
export function ndcgOf(items: Int32Array, relevant: ReadonlySet<number>, size: number, k: number): number {
  let dcg = 0;
  const n = Math.min(k, items.length);
  for (let r = 0; r < n; r++) if (relevant.has(items[r] as number)) dcg += 1 / Math.log2(r + 2);
  let idcg = 0;
  for (let r = 0; r < Math.min(k, size); r++) idcg += 1 / Math.log2(r + 2);
  return idcg > 0 ? dcg / idcg : 0;
}

export function recallOf(items: Int32Array, relevant: ReadonlySet<number>, size: number, k: number): number {
  let hits = 0;
  const n = Math.min(k, items.length);
  for (let r = 0; r < n; r++) if (relevant.has(items[r] as number)) hits++;
  const denominator = Math.min(k, size);
  return denominator > 0 ? hits / denominator : 0;
}

/** Share of users who have each item, the basis of novelty. */
export function itemPopularity(userCountByItem: Int32Array | Float64Array, users: number): Float64Array {
  const p = new Float64Array(userCountByItem.length);
  for (let i = 0; i < p.length; i++) p[i] = (userCountByItem[i] as number) / Math.max(1, users);
  return p;
}

/** Scores one list of recommendations per held-out user (lists in `heldOut` order). */
export function scoreLists(
  lists: readonly Scored[],
  heldOut: readonly HeldOut[],
  k: number,
  popularity: Float64Array,
): TopNMetrics {
  let recall = 0;
  let ndcg = 0;
  let novelty = 0;
  let noveltyUsers = 0;
  const recommended = new Uint8Array(popularity.length);
  heldOut.forEach((h, u) => {
    const items = (lists[u] as Scored).items.subarray(0, k);
    recall += recallOf(items, h.items, h.size, k);
    ndcg += ndcgOf(items, h.items, h.size, k);
    if (items.length === 0) return;
    let nov = 0;
    for (const i of items) {
      recommended[i] = 1;
      nov += -Math.log2(Math.max(popularity[i] as number, 1e-12));
    }
    novelty += nov / items.length;
    noveltyUsers++;
  });
  let covered = 0;
  for (const c of recommended) covered += c;
  const n = Math.max(1, heldOut.length);
  return {
    users: heldOut.length,
    recall: recall / n,
    ndcg: ndcg / n,
    coverage: covered / Math.max(1, popularity.length),
    novelty: noveltyUsers > 0 ? novelty / noveltyUsers : 0,
  };
}

/**
 * Maximal marginal relevance: reorders candidates so each next item balances its relevance against
 * its similarity to the items already chosen (λ = 1 keeps the relevance order, lower values spread
 * the result over categories or content).
 */
import type { Neighbors } from "./catalog.ts";

export interface Candidate {
  item_id: string;
  score: number;
}

export type Similarity = (a: string, b: string) => number;

export function mmr<C extends Candidate>(
  candidates: C[],
  size: number,
  lambda: number,
  sim: Similarity,
): C[] {
  const max = candidates.reduce((m, c) => Math.max(m, c.score), 0) || 1;
  const rest = [...candidates];
  const chosen: C[] = [];
  while (chosen.length < size && rest.length) {
    let bestAt = 0;
    let best = Number.NEGATIVE_INFINITY;
    for (const [i, c] of rest.entries()) {
      const redundancy = chosen.reduce((m, s) => Math.max(m, sim(c.item_id, s.item_id)), 0);
      const value = lambda * (c.score / max) - (1 - lambda) * redundancy;
      if (value > best) {
        best = value;
        bestAt = i;
      }
    }
    chosen.push(...rest.splice(bestAt, 1));
  }
  return chosen;
}

/** Jaccard similarity of `|`- or `,`-separated categories ("Action|Comedy"). */
export function categorySimilarity(category: (id: string) => string | null | undefined): Similarity {
  const sets = new Map<string, Set<string>>();
  const parts = (id: string) => {
    let s = sets.get(id);
    if (!s) {
      s = new Set(
        (category(id) ?? "")
          .split(/[|,]/)
          .map((p) => p.trim())
          .filter(Boolean),
      );
      sets.set(id, s);
    }
    return s;
  };
  return (a, b) => {
    const x = parts(a);
    const y = parts(b);
    if (x.size === 0 || y.size === 0) return 0;
    let both = 0;
    for (const p of x) if (y.has(p)) both++;
    return both / (x.size + y.size - both);
  };
}

/** Similarity from precomputed content neighbours (0 for pairs that are not neighbours). */
export function neighborSimilarity(neighbors: Map<string, Neighbors>): Similarity {
  return (a, b) => {
    const hit = neighbors.get(a)?.find(([id]) => id === b) ?? neighbors.get(b)?.find(([id]) => id === a);
    return hit ? hit[1] : 0;
  };
}

/**
 * IR metrics with trec_eval's conventions (the same as `shared/tools/ireval.py`): a run is ranked by
 * score descending, ties by document id descending; graded gains 2^g − 1 for nDCG; every judged
 * query counts, a query missing from the run scores 0.
 */

/** query id → document id → grade (> 0). */
export type Qrels = Map<string, Map<string, number>>;

export interface ScoredDoc {
  id: string;
  score: number;
}

/** query id → retrieved documents (any order; ranked here as trec_eval does). */
export type Run = Map<string, ScoredDoc[]>;

export interface Metrics {
  queries: number;
  ndcg10: number;
  recall100: number;
  mrr10: number;
}

/** trec_eval's ranking: score descending, then document id descending. */
export function trecRank(docs: readonly ScoredDoc[]): string[] {
  return [...docs]
    .sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((d) => d.id);
}

export function ndcgAt(ranked: readonly string[], judged: ReadonlyMap<string, number>, k: number): number {
  let dcg = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++)
    dcg += (2 ** (judged.get(ranked[i] as string) ?? 0) - 1) / Math.log2(i + 2);
  const ideal = [...judged.values()].sort((a, b) => b - a).slice(0, k);
  const idcg = ideal.reduce((sum, g, i) => sum + (2 ** g - 1) / Math.log2(i + 2), 0);
  return idcg > 0 ? dcg / idcg : 0;
}

export function recallAt(ranked: readonly string[], judged: ReadonlyMap<string, number>, k: number): number {
  if (judged.size === 0) return 0;
  let hits = 0;
  for (const id of ranked.slice(0, k)) if (judged.has(id)) hits++;
  return hits / judged.size;
}

export function reciprocalRankAt(
  ranked: readonly string[],
  judged: ReadonlyMap<string, number>,
  k: number,
): number {
  const i = ranked.slice(0, k).findIndex((id) => judged.has(id));
  return i < 0 ? 0 : 1 / (i + 1);
}

/** nDCG@10, Recall@100 and MRR@10 averaged over the judged queries. */
export function evaluateRun(qrels: Qrels, run: Run): Metrics {
  let ndcg = 0;
  let recall = 0;
  let mrr = 0;
  for (const [qid, judged] of qrels) {
    const ranked = trecRank(run.get(qid) ?? []);
    ndcg += ndcgAt(ranked, judged, 10);
    recall += recallAt(ranked, judged, 100);
    mrr += reciprocalRankAt(ranked, judged, 10);
  }
  const n = qrels.size || 1;
  return { queries: qrels.size, ndcg10: ndcg / n, recall100: recall / n, mrr10: mrr / n };
}

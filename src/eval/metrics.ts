/**
 * IR metrics with the conventions of the reference scorer `shared/tools/ireval.py` (trec_eval's
 * definitions): a run is ranked by score descending, ties by document id ascending (what
 * ireval.py's code does, `sorted(key=(-score, docid))`, whatever its docstring says); graded
 * gains 2^g − 1 for nDCG; every judged query counts and a query missing from the run scores 0.
 * A judgement counts as relevant when its grade is > 0 (trec_eval's default relevance level 1).
 */

/** query id → document id → grade (> 0). */
export type Qrels = Map<string, Map<string, number>>;

export interface ScoredDoc {
  id: string;
  score: number;
}

/** query id → retrieved documents (any order; ranked here as ireval.py ranks them). */
export type Run = Map<string, ScoredDoc[]>;

export interface EvaluateOptions {
  /** Cut-offs for nDCG@k, Recall@k and MRR@k (default 10 and 100). */
  ks?: readonly number[];
  /** Average precision over the top `mapCutoff` only (trec_eval's map_cut); default the whole run. */
  mapCutoff?: number;
}

/** Averages over the judged queries. */
export interface Metrics {
  queries: number;
  /** cut-off k → mean nDCG@k, for each requested k. */
  ndcg: Record<number, number>;
  /** cut-off k → mean Recall@k. */
  recall: Record<number, number>;
  /** cut-off k → mean reciprocal rank of the first relevant document in the top k. */
  mrr: Record<number, number>;
  /** Mean average precision (trec_eval's `map`, or `map_cut` with `mapCutoff`). */
  map: number;
  /** The three figures ireval.py prints, always computed (the benchmarks read them). */
  ndcg10: number;
  recall100: number;
  mrr10: number;
}

export const DEFAULT_KS: readonly number[] = [10, 100];

/**
 * ireval.py's ranking: score descending, then document id ascending. (Python compares strings by
 * code point and JavaScript by UTF-16 unit; they agree unless ids mix astral characters with
 * characters from U+E000 up.)
 */
export function rankDocs(docs: readonly ScoredDoc[]): ScoredDoc[] {
  return [...docs].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The document ids in {@link rankDocs} order. */
export function trecRank(docs: readonly ScoredDoc[]): string[] {
  return rankDocs(docs).map((d) => d.id);
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

/**
 * trec_eval's average precision: the precision at the rank of each relevant retrieved document
 * (within the top `k`, default all), summed, divided by the number of relevant documents — also
 * those never retrieved, so a run that misses half of them scores at most 0.5.
 */
export function averagePrecision(
  ranked: readonly string[],
  judged: ReadonlyMap<string, number>,
  k = Infinity,
): number {
  if (judged.size === 0) return 0;
  let hits = 0;
  let sum = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) {
    if (!judged.has(ranked[i] as string)) continue;
    hits++;
    sum += hits / (i + 1);
  }
  return sum / judged.size;
}

function checkCutoff(k: number, what: string): void {
  if (!(Number.isInteger(k) && k > 0) && k !== Infinity)
    throw new RangeError(`${what} must be a positive integer, got ${k}`);
}

export type MetricName = "ndcg" | "recall" | "mrr";

/** Each judged query's value of one metric at k, in the qrels' order (what paired comparisons read). */
export function perQueryMetric(qrels: Qrels, run: Run, metric: MetricName, k: number): number[] {
  checkCutoff(k, "a metric cut-off");
  const at = metric === "ndcg" ? ndcgAt : metric === "recall" ? recallAt : reciprocalRankAt;
  return [...qrels].map(([qid, judged]) => at(trecRank(run.get(qid) ?? []), judged, k));
}

/** nDCG@k, Recall@k and MRR@k for each k, and MAP, averaged over the judged queries. */
export function evaluateRun(qrels: Qrels, run: Run, opts: EvaluateOptions = {}): Metrics {
  const ks = [...new Set(opts.ks ?? DEFAULT_KS)];
  for (const k of ks) checkCutoff(k, "a metric cut-off");
  if (opts.mapCutoff !== undefined) checkCutoff(opts.mapCutoff, "the MAP cut-off");
  const sums = {
    ndcg: new Map<number, number>(ks.map((k) => [k, 0])),
    recall: new Map<number, number>(ks.map((k) => [k, 0])),
    mrr: new Map<number, number>(ks.map((k) => [k, 0])),
  };
  let map = 0;
  let ndcg10 = 0;
  let recall100 = 0;
  let mrr10 = 0;
  for (const [qid, judged] of qrels) {
    const ranked = trecRank(run.get(qid) ?? []);
    for (const k of ks) {
      sums.ndcg.set(k, (sums.ndcg.get(k) as number) + ndcgAt(ranked, judged, k));
      sums.recall.set(k, (sums.recall.get(k) as number) + recallAt(ranked, judged, k));
      sums.mrr.set(k, (sums.mrr.get(k) as number) + reciprocalRankAt(ranked, judged, k));
    }
    map += averagePrecision(ranked, judged, opts.mapCutoff);
    ndcg10 += ndcgAt(ranked, judged, 10);
    recall100 += recallAt(ranked, judged, 100);
    mrr10 += reciprocalRankAt(ranked, judged, 10);
  }
  const n = qrels.size || 1;
  const mean = (m: Map<number, number>) =>
    Object.fromEntries([...m].map(([k, sum]) => [k, sum / n])) as Record<number, number>;
  return {
    queries: qrels.size,
    ndcg: mean(sums.ndcg),
    recall: mean(sums.recall),
    mrr: mean(sums.mrr),
    map: map / n,
    ndcg10: ndcg10 / n,
    recall100: recall100 / n,
    mrr10: mrr10 / n,
  };
}

/**
 * Fusing two first-stage runs (typically BM25 and a dense retriever) into one hybrid run, the
 * offline counterpart of a normalization search pipeline: per-query min-max normalisation and a
 * weighted arithmetic mean, or reciprocal rank fusion; and choosing the weight on judged queries.
 */
import { evaluateRun, type Qrels, type Run, rankDocs, type ScoredDoc } from "./metrics.ts";

/**
 * Scales each query's scores to [0, 1]: (s − min) / (max − min). When every document of a query
 * has the same score (one document, or a flat list) they all get 1: each is that run's best.
 */
export function minMaxNormalize(run: Run): Run {
  const out: Run = new Map();
  for (const [qid, docs] of run) {
    let min = Infinity;
    let max = -Infinity;
    for (const d of docs) {
      if (d.score < min) min = d.score;
      if (d.score > max) max = d.score;
    }
    const span = max - min;
    out.set(
      qid,
      docs.map((d) => ({ id: d.id, score: span > 0 ? (d.score - min) / span : 1 })),
    );
  }
  return out;
}

export interface FuseOptions {
  /** Keep the top `depth` fused documents of each query (default all: the union of both runs). */
  depth?: number;
}

/** Every query of either run, run A's first. */
function queryIds(a: Run, b: Run): string[] {
  return [...new Set([...a.keys(), ...b.keys()])];
}

/** One score per document (a repeated document keeps its best score). */
function bestScores(docs: readonly ScoredDoc[] | undefined): Map<string, number> {
  const scores = new Map<string, number>();
  for (const d of docs ?? []) if (!(d.score <= (scores.get(d.id) ?? -Infinity))) scores.set(d.id, d.score);
  return scores;
}

function finish(scores: Map<string, number>, depth = Infinity): ScoredDoc[] {
  return rankDocs([...scores].map(([id, score]) => ({ id, score }))).slice(0, depth);
}

function checkWeight(weight: number): void {
  if (!(weight >= 0 && weight <= 1))
    throw new RangeError(`the fusion weight must be in [0, 1], got ${weight}`);
}

/**
 * Convex combination of two runs already normalised (see {@link minMaxNormalize}):
 * weightA · a + (1 − weightA) · b, where a document missing from one run gets 0 from it (the
 * bottom of that run's normalised range).
 */
export function combineNormalized(a: Run, b: Run, weightA: number, opts: FuseOptions = {}): Run {
  checkWeight(weightA);
  const out: Run = new Map();
  for (const qid of queryIds(a, b)) {
    const fused = new Map<string, number>();
    for (const [id, s] of bestScores(a.get(qid))) fused.set(id, weightA * s);
    for (const [id, s] of bestScores(b.get(qid))) fused.set(id, (fused.get(id) ?? 0) + (1 - weightA) * s);
    out.set(qid, finish(fused, opts.depth));
  }
  return out;
}

/** Min-max normalises both runs per query, then combines them with weight `weightA` on run A. */
export function fuseWeighted(a: Run, b: Run, weightA: number, opts: FuseOptions = {}): Run {
  return combineNormalized(minMaxNormalize(a), minMaxNormalize(b), weightA, opts);
}

export interface RrfOptions extends FuseOptions {
  /** The rank constant k of 1 / (k + rank); default 60 (Cormack et al.; Elasticsearch's default). */
  rankConstant?: number;
  /** Only each run's top `windowSize` documents take part (default all). */
  windowSize?: number;
}

/**
 * Reciprocal rank fusion: a document scores Σ 1 / (k + rank) over the runs that retrieved it,
 * rank counted from 1 in each run's ranking (score descending, ties by id, as the metrics rank).
 */
export function reciprocalRankFusion(runs: readonly Run[], opts: RrfOptions = {}): Run {
  const k = opts.rankConstant ?? 60;
  if (!(k >= 0)) throw new RangeError(`the RRF rank constant must be ≥ 0, got ${k}`);
  const ids = [...new Set(runs.flatMap((r) => [...r.keys()]))];
  const out: Run = new Map();
  for (const qid of ids) {
    const fused = new Map<string, number>();
    for (const run of runs) {
      const seen = new Set<string>();
      rankDocs(run.get(qid) ?? [])
        .slice(0, opts.windowSize ?? Infinity)
        .forEach((d, i) => {
          if (seen.has(d.id)) return; // a repeated document counts once, at its best rank
          seen.add(d.id);
          fused.set(d.id, (fused.get(d.id) ?? 0) + 1 / (k + i + 1));
        });
    }
    out.set(qid, finish(fused, opts.depth));
  }
  return out;
}

/** Weights 0, 0.05, …, 1. */
export const DEFAULT_WEIGHT_GRID: readonly number[] = Array.from({ length: 21 }, (_, i) => i / 20);

export interface TunedWeight {
  /** The weight on run A that maximised nDCG@10 (on a tie, the middle one of the tied weights). */
  weight: number;
  ndcg10: number;
  /** nDCG@10 at every weight tried, in grid order. */
  tried: { weight: number; ndcg10: number }[];
}

/**
 * Picks the weight on run A (for {@link fuseWeighted}) that maximises mean nDCG@10 over the
 * queries of `qrels`. Give it validation judgements, never the ones the fused run is reported on.
 */
export function tuneFusionWeight(
  qrels: Qrels,
  a: Run,
  b: Run,
  grid: readonly number[] = DEFAULT_WEIGHT_GRID,
): TunedWeight {
  if (grid.length === 0) throw new RangeError("the weight grid is empty");
  grid.forEach(checkWeight);
  if (qrels.size === 0) throw new RangeError("no judged queries to tune the fusion weight on");
  const only = (run: Run) => new Map([...run].filter(([qid]) => qrels.has(qid)));
  const na = minMaxNormalize(only(a));
  const nb = minMaxNormalize(only(b));
  const tried = grid.map((weight) => ({
    weight,
    ndcg10: evaluateRun(qrels, combineNormalized(na, nb, weight, { depth: 10 }), { ks: [10] }).ndcg10,
  }));
  // several weights often tie (a plateau): the middle one is the least sensitive to the choice
  const top = Math.max(...tried.map((t) => t.ndcg10));
  const ties = tried.filter((t) => t.ndcg10 >= top - 1e-12);
  const best = ties[(ties.length - 1) >> 1] as { weight: number; ndcg10: number };
  return { weight: best.weight, ndcg10: best.ndcg10, tried };
}

/**
 * A fixed held-out part of a split's queries (`fraction`, at least one): the queries whose ids hash
 * lowest (FNV-1a), so the choice does not depend on file order and survives added queries.
 * Tuning on these and training on the rest keeps the two apart.
 */
export function validationQueryIds(ids: readonly string[], fraction = 0.2): string[] {
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`fraction must be in (0, 1], got ${fraction}`);
  const fnv1a = (s: string) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
    return h;
  };
  const unique = [...new Set(ids)];
  const n = Math.max(1, Math.ceil(unique.length * fraction));
  return unique
    .map((id) => ({ id, h: fnv1a(id) }))
    .sort((x, y) => x.h - y.h || (x.id < y.id ? -1 : 1))
    .slice(0, n)
    .map((x) => x.id);
}

/**
 * The `hybrid` query (OpenSearch neural-search): up to five sub-queries, each run on its own for its
 * top documents (`pagination_depth`, else `size`), whose scores a search pipeline's phase results
 * processor normalizes and combines (normalization-processor, score-ranker-processor). Only valid
 * as the top-level query; total hits count every document some sub-query matches.
 */
import { illegalArgument, parsingError } from "../errors.ts";
import { isObject } from "../mapping.ts";
import { fuse, type ScoreHybridizer } from "../pipelines/score-combination.ts";
import { type Candidate, candidateKey, indexOrder } from "./candidates.ts";
import { compileQuery } from "./compile.ts";
import { describe, intParam } from "./dsl-values.ts";
import { type Explanation, explain } from "./explanation.ts";
import { NOT_TOP_LEVEL } from "./pipeline-clauses.ts";
import { visitQueries } from "./query-tree.ts";
import { applyRescore } from "./rescore.ts";
import {
  collectTop,
  compilePostFilter,
  explainWith,
  renderHits,
  resultWindow,
  type SearchRequest,
  type SearchTarget,
  searchResponse,
  sortCandidates,
} from "./search.ts";
import { BoolWeight, type Weight } from "./weights.ts";

export const MAX_SUB_QUERIES = 5;

export const NO_PIPELINE =
  'hybrid query needs a search pipeline that normalizes and combines its sub-query scores; create one with PUT /_search/pipeline/<id> {"phase_results_processors":[{"normalization-processor":{"normalization":{"technique":"min_max"},"combination":{"technique":"arithmetic_mean"}}}]} (or a score-ranker-processor for RRF) and search with ?search_pipeline=<id>, a "search_pipeline" object in the body, or the index.search.default_pipeline setting';

export interface HybridQuery {
  queries: unknown[];
  paginationDepth: number | undefined;
  filter: unknown;
}

/** The query's hybrid clause when it is the top-level query; a hybrid clause nested anywhere is a 400. */
export function topLevelHybrid(query: unknown): HybridQuery | undefined {
  visitQueries(query, (type, _spec, depth) => {
    if (type === "hybrid" && depth > 0) throw illegalArgument(NOT_TOP_LEVEL);
  });
  if (!isObject(query) || Object.keys(query).length !== 1 || query.hybrid === undefined) return undefined;
  return parseHybrid(query.hybrid);
}

function parseHybrid(spec: unknown): HybridQuery {
  if (!isObject(spec))
    throw parsingError(`[hybrid] query malformed, expected an object but found ${describe(spec)}`);
  for (const key of Object.keys(spec)) {
    if (!["queries", "pagination_depth", "filter", "boost", "_name"].includes(key))
      throw parsingError(`[hybrid] query does not support [${key}]`);
  }
  // regular boosts do not apply: weights of the combination technique do that job
  if (spec.boost !== undefined && Number(spec.boost) !== 1)
    throw parsingError("[hybrid] query does not support [boost]");
  const queries = Array.isArray(spec.queries)
    ? spec.queries
    : spec.queries === undefined
      ? []
      : [spec.queries];
  if (!queries.length) throw parsingError("[hybrid] requires 'queries' field with at least one clause");
  if (queries.length > MAX_SUB_QUERIES)
    throw parsingError(
      `Number of sub-queries exceeds maximum supported by [hybrid] query: ${queries.length} > ${MAX_SUB_QUERIES}`,
    );
  let paginationDepth: number | undefined;
  if (spec.pagination_depth !== undefined) {
    paginationDepth = intParam(spec.pagination_depth, "hybrid", "pagination_depth", 0);
    if (paginationDepth < 1) throw illegalArgument("pagination_depth should be greater than 0");
  }
  return { queries, paginationDepth, filter: spec.filter };
}

/** Adds a filter to a query: into a top-level hybrid's filter (applied to each sub-query), else a bool filter. */
export function addFilter(query: unknown, filter: unknown): unknown {
  if (isObject(query) && Object.keys(query).length === 1 && isObject(query.hybrid)) {
    const hybrid = query.hybrid;
    return {
      hybrid: { ...hybrid, filter: hybrid.filter === undefined ? filter : allOf(hybrid.filter, filter) },
    };
  }
  return query === undefined ? { bool: { filter: [filter] } } : { bool: { must: [query], filter: [filter] } };
}

/** A filter on one sub-query: a knn query takes it as its own filter (filtering before the top k). */
function filterSubQuery(query: unknown, filter: unknown): unknown {
  if (isObject(query) && Object.keys(query).length === 1 && isObject(query.knn)) {
    const entries = Object.entries(query.knn);
    if (entries.length === 1 && isObject(entries[0]?.[1])) {
      const [field, spec] = entries[0] as [string, Record<string, unknown>];
      return {
        knn: {
          [field]: { ...spec, filter: spec.filter === undefined ? filter : allOf(spec.filter, filter) },
        },
      };
    }
  }
  return { bool: { must: [query], filter: [filter] } };
}

const allOf = (a: unknown, b: unknown) => ({ bool: { filter: [a, b] } });

/** How many top documents each sub-query contributes (OpenSearch 2.19's rule). */
function subQueryDepth(hybrid: HybridQuery, req: SearchRequest, targets: SearchTarget[]): number {
  if (hybrid.paginationDepth !== undefined) {
    const window = resultWindow(targets);
    if (hybrid.paginationDepth > window)
      throw illegalArgument(
        "pagination_depth should be less than or equal to index.max_result_window setting",
      );
    return hybrid.paginationDepth;
  }
  if (req.from > 0) throw illegalArgument("pagination_depth param is missing in the search request");
  return req.size;
}

export function executeHybrid(
  targets: SearchTarget[],
  req: SearchRequest,
  hybrid: HybridQuery,
  hybridizer: ScoreHybridizer | undefined,
): Record<string, unknown> {
  const started = performance.now();
  if (!hybridizer) throw illegalArgument(NO_PIPELINE);
  if (req.searchAfter)
    throw illegalArgument("[search_after] cannot be used with a [hybrid] query; page with from/size");
  const depth = subQueryDepth(hybrid, req, targets);
  const subQueries =
    hybrid.filter === undefined
      ? hybrid.queries
      : hybrid.queries.map((q) => filterSubQuery(q, hybrid.filter));
  // weights[q][t]: sub-query q compiled for target t
  const weights = subQueries.map((q) => targets.map((t) => compileQuery(t.ctx, q)));
  const postFilters = compilePostFilter(targets, req.body.post_filter);
  // total hits and aggregations cover every document some sub-query matches
  const union = targets.map(
    (_, t) =>
      new BoolWeight(
        [],
        weights.map((w) => w[t] as Weight),
        [],
        [],
        1,
      ),
  );
  const all = collectTop(targets, union, {
    k: 0,
    postFilters,
    trackTotal: req.trackTotal,
    aggregate: req.aggs !== undefined,
  });
  const lists = weights.map((w) => {
    const collected = collectTop(targets, w, {
      k: depth,
      sort: req.sort,
      postFilters,
      trackTotal: req.trackTotal,
      aggregate: false,
    });
    let ranked = collected.ranked.slice(0, depth);
    // as the plugin does, rescoring applies to each sub-query's results before normalization
    if (req.rescore.length) ranked = applyRescore(targets, ranked, req.rescore).ranked;
    return ranked.map((c) => ({ item: c, score: c.score }));
  });
  let fused = fuse(lists, candidateKey, hybridizer, indexOrder);
  if (req.minScore !== undefined) fused = fused.filter((x) => x.score >= (req.minScore as number));
  let ranked: Candidate[] = fused.map((x) => ({ ...x.item, score: x.score }));
  const maxScore = ranked.reduce((m, c) => Math.max(m, c.score), Number.NEGATIVE_INFINITY);
  let sortValues: ((c: Candidate) => unknown[]) | undefined;
  if (req.sort) ({ ranked, sortValues } = sortCandidates(targets, ranked, req.sort));
  const byKey = new Map(fused.map((x) => [candidateKey(x.item), x]));
  const returnedBy = lists.map((list) => new Set(list.map((r) => candidateKey(r.item))));
  const hits = renderHits(targets, ranked.slice(req.from, req.from + req.size), req, {
    termsOf: (t) => ({
      collectTerms: (out) => {
        for (const w of weights) (w[t] as Weight).collectTerms(out);
      },
    }),
    explain: (c) => {
      const key = candidateKey(c);
      const x = byKey.get(key);
      const details: Explanation[] = [];
      weights.forEach((w, q) => {
        if (!returnedBy[q]?.has(key)) return;
        details.push(
          explain(x?.normalized[q] ?? 0, `${hybridizer.normalization} normalization of sub-query ${q + 1}:`, [
            explainWith(targets, w[c.target] as Weight, c),
          ]),
        );
      });
      return explain(c.score, `${hybridizer.combination} combination of:`, details);
    },
    sortValues,
  });
  return searchResponse(targets, req, {
    started,
    hits,
    // min_score counts only what passes it (OpenSearch 3's fix); otherwise the union of matches
    total: req.minScore === undefined ? all.total : fused.length,
    maxScore,
    aggregations: all.aggregations,
  });
}

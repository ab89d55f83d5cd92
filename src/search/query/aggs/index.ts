/**
 * Aggregations for the embedded engine, shaped like Elasticsearch 7.10's: request parsing and
 * validation (with ES's error messages), bucket aggregations (terms, range, date_range, histogram,
 * date_histogram, filter, filters, missing) with nested sub-aggregations, and metrics (avg, min,
 * max, sum, value_count, cardinality, stats, extended_stats, top_hits).
 *
 * The module knows nothing of the index: the query executor hands it the matching documents and
 * per-document field values through {@link AggregationContext}.
 */
import { type AggregationContext, type AggSpec, type Env, type Node, runNodes } from "./core.ts";
import { compileFilters, compileMissing } from "./filters.ts";
import { compileHistogram } from "./histogram.ts";
import { compileMetric } from "./metrics.ts";
import { parseAggs } from "./parse.ts";
import { compileRange } from "./range.ts";
import { compileTerms } from "./terms.ts";
import { compileTopHits } from "./top-hits.ts";

export { type AggregationContext, AggregationError } from "./core.ts";
export { javaDouble } from "./format.ts";

/** Runs the `aggs`/`aggregations` object of a search request over `ctx.docs`. */
export function runAggregations(aggs: unknown, ctx: AggregationContext): Record<string, unknown> {
  // The whole tree is parsed (and then compiled) before anything runs, so request errors come first.
  const specs = parseAggs(aggs, "");
  const env: Env = { ctx, buckets: 0, now: Date.now(), compile: (spec) => compile(spec, env) };
  const nodes = specs.map((s) => compile(s, env));
  return runNodes(nodes, ctx.docs);
}

/** Compilers by aggregation type; the remaining (metric) types share one. */
const COMPILERS: Record<string, (spec: AggSpec, env: Env) => Node> = {
  terms: compileTerms,
  range: compileRange,
  date_range: compileRange,
  histogram: compileHistogram,
  date_histogram: compileHistogram,
  filter: compileFilters,
  filters: compileFilters,
  missing: compileMissing,
  top_hits: compileTopHits,
};

function compile(spec: AggSpec, env: Env): Node {
  return (COMPILERS[spec.type] ?? compileMetric)(spec, env);
}

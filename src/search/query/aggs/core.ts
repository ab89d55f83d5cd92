/**
 * The vocabulary shared by the aggregation modules: the context the query executor provides, the
 * error type, parsed request nodes (`AggSpec`), compiled aggregations (`Node`) and the helpers every
 * aggregation uses to build its result.
 */
import type { Json } from "./util.ts";

export interface AggregationContext {
  /** Matching documents (opaque numeric doc handles, ascending) — all hits of the query, not just the returned page. */
  docs: Int32Array;
  /** Field type from the mapping: "text" | "keyword" | "long" | "integer" | "short" | "byte" | "double" | "float" | "half_float" | "scaled_float" | "date" | "boolean" | undefined (unmapped). */
  fieldType(field: string): string | undefined;
  /** Values of a keyword/boolean field of one doc (booleans as "true"/"false"). */
  keywordValues(field: string, doc: number): readonly string[];
  /** Values of a numeric/date field of one doc (dates as epoch millis). */
  numericValues(field: string, doc: number): readonly number[];
  /**
   * For top_hits: builds the hit objects of these docs (in the given order), applying the top_hits' own _source/size options. `scores` parallel to docs.
   *
   * `docs` are the bucket's docs in the top_hits' sort order, cut to the first `from + size` (later ones
   * cannot be on the page); the callee applies `options.from`/`options.size` and `_source`. `options` also
   * carries the rest of the top_hits body (highlight, docvalue_fields …) and `sort`, so that hits can
   * carry their sort values. `scores` is undefined when sorted on fields without `track_scores` (ES then
   * reports `_score: null`). Returns the hits object `{total, max_score, hits}` — the aggregation
   * overwrites `total` and `max_score` with the whole bucket's — or just the array of the page's hits.
   */
  hits(
    docs: Int32Array,
    scores: Float32Array | undefined,
    options: { _source?: unknown; from: number; size: number; sort?: unknown },
  ): unknown;
  /** Score of a doc in the current query (for top_hits default sort and max_score). */
  score(doc: number): number;
  /**
   * Optional, enables the `filter` and `filters` aggregations: the subset of `docs` (ascending) that
   * matches a query DSL clause. Called once per filter with all matching docs of the search.
   */
  filter?(query: unknown, docs: Int32Array): Int32Array;
  /** Optional: the mapping's `format` of a date field (key_as_string defaults to it, as in ES). */
  dateFormat?(field: string): string | undefined;
}

/** A request or execution error of an aggregation; `path` is the dotted aggregation-name path. */
export class AggregationError extends Error {
  /** Elasticsearch error type for the REST layer (parsing_exception, illegal_argument_exception …). */
  readonly type: string;
  constructor(
    message: string,
    readonly path: string,
    type = "illegal_argument_exception",
  ) {
    super(message);
    this.name = "AggregationError";
    this.type = type;
  }
}

/** An AggregationError of ES's `parsing_exception` type (malformed request structure). */
export function parsingError(message: string, path: string): AggregationError {
  return new AggregationError(message, path, "parsing_exception");
}

/** One parsed aggregation of the request tree. */
export interface AggSpec {
  name: string;
  path: string;
  type: string;
  body: Json;
  meta: Json | undefined;
  subs: AggSpec[];
}

/** State shared by all aggregations of one request. */
export interface Env {
  ctx: AggregationContext;
  /** Buckets created so far, for the search.max_buckets limit. */
  buckets: number;
  /** The request's `now`, for date math. */
  now: number;
  /** Compiles a (sub-)aggregation; passed in so that bucket aggregations need not import the dispatcher. */
  compile(spec: AggSpec): Node;
}

/** What an order path may read from an aggregation's result. */
export type Shape =
  | { kind: "single_value" }
  | { kind: "multi_value"; names: readonly string[] }
  | { kind: "single_bucket"; subs: readonly Node[] }
  | { kind: "other" };

/** A compiled aggregation: validated once, then run over any set of docs (one per parent bucket). */
export interface Node {
  name: string;
  path: string;
  type: string;
  shape: Shape;
  run(docs: Int32Array): Json;
}

const OTHER: Shape = { kind: "other" };

/** A Node for `spec` whose results get the request's `meta` added, as every aggregation's do. */
export function defineNode(spec: AggSpec, run: (docs: Int32Array) => Json, shape: Shape = OTHER): Node {
  return {
    name: spec.name,
    path: spec.path,
    type: spec.type,
    shape,
    run: (docs) => {
      const body = run(docs);
      return spec.meta === undefined ? body : { meta: spec.meta, ...body };
    },
  };
}

export function runNodes(nodes: readonly Node[], docs: Int32Array): Json {
  const out: Json = {};
  for (const node of nodes) out[node.name] = node.run(docs);
  return out;
}

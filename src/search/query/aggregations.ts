/**
 * Aggregations for the embedded engine, shaped like Elasticsearch 7.10's: request parsing and
 * validation (with ES's error messages), bucket aggregations (terms, range, date_range, histogram,
 * date_histogram, filter, filters, missing) with nested sub-aggregations, and metrics (avg, min,
 * max, sum, value_count, cardinality, stats, extended_stats, top_hits).
 *
 * The module knows nothing of the index: the query executor hands it the matching documents and
 * per-document field values through {@link AggregationContext}.
 */

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

type Json = Record<string, unknown>;

/** ES's `search.max_buckets` default (7.x). */
const MAX_BUCKETS = 65535;
/** ES's `index.max_inner_result_window` default. */
const MAX_INNER_RESULT_WINDOW = 100;
const DEFAULT_DATE_FORMAT = "strict_date_optional_time||epoch_millis";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Runs the `aggs`/`aggregations` object of a search request over `ctx.docs`. */
export function runAggregations(aggs: unknown, ctx: AggregationContext): Record<string, unknown> {
  const specs = parseAggs(aggs, "");
  const env: Env = { ctx, buckets: 0, now: Date.now() };
  const nodes = specs.map((s) => compile(s, env));
  return runNodes(nodes, ctx.docs);
}

// ---------------------------------------------------------------------------------------------
// Request parsing

interface AggSpec {
  name: string;
  path: string;
  type: string;
  body: Json;
  meta: Json | undefined;
  subs: AggSpec[];
}

interface Env {
  ctx: AggregationContext;
  buckets: number;
  now: number;
}

const BUCKET_TYPES = [
  "terms",
  "range",
  "date_range",
  "histogram",
  "date_histogram",
  "filter",
  "filters",
  "missing",
] as const;
const METRIC_TYPES = [
  "avg",
  "min",
  "max",
  "sum",
  "value_count",
  "cardinality",
  "stats",
  "extended_stats",
  "top_hits",
] as const;
const SUPPORTED = new Set<string>([...BUCKET_TYPES, ...METRIC_TYPES]);
/** Aggregation types Elasticsearch knows but this engine does not implement. */
const UNSUPPORTED = [
  "adjacency_matrix",
  "auto_date_histogram",
  "avg_bucket",
  "boxplot",
  "bucket_script",
  "bucket_selector",
  "bucket_sort",
  "children",
  "composite",
  "cumulative_cardinality",
  "cumulative_sum",
  "derivative",
  "diversified_sampler",
  "extended_stats_bucket",
  "geo_bounds",
  "geo_centroid",
  "geo_distance",
  "geohash_grid",
  "geotile_grid",
  "global",
  "inference",
  "ip_range",
  "matrix_stats",
  "max_bucket",
  "median_absolute_deviation",
  "min_bucket",
  "moving_avg",
  "moving_fn",
  "moving_percentiles",
  "nested",
  "normalize",
  "parent",
  "percentile_ranks",
  "percentiles",
  "percentiles_bucket",
  "rare_terms",
  "rate",
  "reverse_nested",
  "sampler",
  "scripted_metric",
  "serial_diff",
  "significant_terms",
  "significant_text",
  "stats_bucket",
  "string_stats",
  "sum_bucket",
  "t_test",
  "top_metrics",
  "variable_width_histogram",
  "weighted_avg",
];
const ALL_TYPES = [...SUPPORTED, ...UNSUPPORTED].sort();

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The JSON token name ES reports in "Expected [START_OBJECT] … but got a [X]" errors. */
function tokenName(v: unknown): string {
  if (Array.isArray(v)) return "START_ARRAY";
  if (v === null) return "VALUE_NULL";
  if (typeof v === "string") return "VALUE_STRING";
  if (typeof v === "number") return "VALUE_NUMBER";
  if (typeof v === "boolean") return "VALUE_BOOLEAN";
  return "START_OBJECT";
}

function parseAggs(aggs: unknown, parentPath: string): AggSpec[] {
  if (aggs === undefined || aggs === null) return [];
  if (!isObject(aggs)) {
    throw new AggregationError(
      `Expected [START_OBJECT] under [aggregations], but got a [${tokenName(aggs)}]`,
      parentPath,
      "parsing_exception",
    );
  }
  const out: AggSpec[] = [];
  for (const [name, def] of Object.entries(aggs)) {
    const path = parentPath ? `${parentPath}.${name}` : name;
    if (/[[\]>]/.test(name)) {
      throw new AggregationError(
        `Invalid aggregation name [${name}]. Aggregation names can contain any character except '[', ']', and '>'`,
        path,
        "parsing_exception",
      );
    }
    if (!isObject(def)) {
      throw new AggregationError(
        `Expected [START_OBJECT] under [${name}], but got a [${tokenName(def)}] in [${name}]`,
        path,
        "parsing_exception",
      );
    }
    let type: string | undefined;
    let body: Json = {};
    let meta: Json | undefined;
    let subsDef: unknown;
    let hasSubs = false;
    for (const [key, value] of Object.entries(def)) {
      if (key === "meta") {
        if (!isObject(value)) {
          throw new AggregationError(
            `Expected [START_OBJECT] under [meta], but got a [${tokenName(value)}] in [${name}]`,
            path,
            "parsing_exception",
          );
        }
        meta = value;
      } else if (key === "aggs" || key === "aggregations") {
        if (hasSubs) {
          throw new AggregationError(
            `Found two sub aggregation definitions under [${name}]`,
            path,
            "parsing_exception",
          );
        }
        hasSubs = true;
        subsDef = value;
      } else {
        if (type !== undefined) {
          throw new AggregationError(
            `Found two aggregation type definitions in [${name}]: [${type}] and [${key}]`,
            path,
            "parsing_exception",
          );
        }
        if (!SUPPORTED.has(key)) {
          if (UNSUPPORTED.includes(key)) {
            throw new AggregationError(
              `Aggregation type [${key}] is not supported by this engine (in [${name}])`,
              path,
            );
          }
          throw new AggregationError(
            `Unknown aggregation type [${key}]${didYouMean(key, ALL_TYPES)}`,
            path,
            "parsing_exception",
          );
        }
        if (!isObject(value)) {
          throw new AggregationError(
            `Expected [START_OBJECT] under [${key}], but got a [${tokenName(value)}] in [${name}]`,
            path,
            "parsing_exception",
          );
        }
        type = key;
        body = value;
      }
    }
    if (type === undefined) {
      throw new AggregationError(`Missing definition for aggregation [${name}]`, path, "parsing_exception");
    }
    const subs = parseAggs(subsDef, path);
    if (subs.length > 0 && (METRIC_TYPES as readonly string[]).includes(type)) {
      throw new AggregationError(
        `Aggregator [${name}] of type [${type}] cannot accept sub-aggregations`,
        path,
        "aggregation_initialization_exception",
      );
    }
    out.push({ name, path, type, body, meta, subs });
  }
  return out;
}

/** Lucene's LevenshteinDistance similarity, as ES uses for "did you mean" suggestions. */
function similarity(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return n === m ? 1 : 0;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let i = 0; i <= n; i++) prev[i] = i;
  for (let j = 1; j <= m; j++) {
    cur[0] = j;
    const cj = b.charCodeAt(j - 1);
    for (let i = 1; i <= n; i++) {
      const cost = a.charCodeAt(i - 1) === cj ? 0 : 1;
      cur[i] = Math.min((cur[i - 1] as number) + 1, (prev[i] as number) + 1, (prev[i - 1] as number) + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return 1 - (prev[n] as number) / Math.max(n, m);
}

function didYouMean(input: string, candidates: readonly string[]): string {
  const scored = candidates
    .map((c) => ({ c, s: similarity(input, c) }))
    .filter((x) => x.s > 0.7)
    .sort((x, y) => y.s - x.s || (x.c < y.c ? -1 : 1))
    .map((x) => x.c);
  if (scored.length === 0) return "";
  if (scored.length === 1) return ` did you mean [${scored[0]}]?`;
  return ` did you mean any of [${scored.join(", ")}]?`;
}

function checkParams(spec: AggSpec, allowed: readonly string[]): void {
  for (const key of Object.keys(spec.body)) {
    if (!allowed.includes(key)) {
      throw new AggregationError(
        `[${spec.type}] unknown field [${key}]${didYouMean(key, allowed)}`,
        spec.path,
        "x_content_parse_exception",
      );
    }
  }
}

function paramError(spec: AggSpec, key: string, expected: string, value: unknown): AggregationError {
  return new AggregationError(
    `[${spec.type}] failed to parse field [${key}] in [${spec.name}]: expected ${expected} but got ${JSON.stringify(value)}`,
    spec.path,
    "x_content_parse_exception",
  );
}

function numParam(spec: AggSpec, key: string): number | undefined {
  const v = spec.body[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n)) throw paramError(spec, key, "a number", v);
  return n;
}

function intParam(spec: AggSpec, key: string): number | undefined {
  const n = numParam(spec, key);
  if (n !== undefined && !Number.isInteger(n)) throw paramError(spec, key, "an integer", spec.body[key]);
  return n;
}

function boolParam(spec: AggSpec, key: string, dflt: boolean): boolean {
  const v = spec.body[key];
  if (v === undefined || v === null) return dflt;
  if (v === true || v === "true") return true;
  if (v === false || v === "false") return false;
  throw paramError(spec, key, "a boolean", v);
}

function strParam(spec: AggSpec, key: string): string | undefined {
  const v = spec.body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw paramError(spec, key, "a string", v);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Compiled aggregations

/** What an order path may read from an aggregation's result. */
type Shape =
  | { kind: "single_value" }
  | { kind: "multi_value"; names: readonly string[] }
  | { kind: "single_bucket"; subs: readonly Node[] }
  | { kind: "other" };

interface Node {
  name: string;
  path: string;
  type: string;
  shape: Shape;
  run(docs: Int32Array): Json;
}

function runNodes(nodes: readonly Node[], docs: Int32Array): Json {
  const out: Json = {};
  for (const node of nodes) out[node.name] = node.run(docs);
  return out;
}

function withMeta(spec: AggSpec, body: Json): Json {
  return spec.meta === undefined ? body : { meta: spec.meta, ...body };
}

function compile(spec: AggSpec, env: Env): Node {
  switch (spec.type) {
    case "terms":
      return compileTerms(spec, env);
    case "range":
    case "date_range":
      return compileRange(spec, env);
    case "histogram":
    case "date_histogram":
      return compileHistogram(spec, env);
    case "filter":
    case "filters":
      return compileFilters(spec, env);
    case "missing":
      return compileMissing(spec, env);
    case "top_hits":
      return compileTopHits(spec, env);
    default:
      return compileMetric(spec, env);
  }
}

function countBuckets(env: Env, spec: AggSpec, n: number): void {
  env.buckets += n;
  if (env.buckets > MAX_BUCKETS) {
    throw new AggregationError(
      `Trying to create too many buckets. Must be less than or equal to: [${MAX_BUCKETS}] but was [${env.buckets}]. This limit can be set by changing the [search.max_buckets] cluster level setting.`,
      spec.path,
      "too_many_buckets_exception",
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Values sources

type SourceKind = "keyword" | "boolean" | "number" | "date" | "unmapped";

interface Source {
  field: string;
  kind: SourceKind;
  /** Mapping type, for error messages. */
  mappingType: string | undefined;
  /** Whole-number field types (long, integer …). */
  integral: boolean;
  /** DocValueFormat-like formatter for *_as_string fields; undefined means ES's RAW format. */
  format: Formatter | undefined;
  /** The `missing` value of the request, if any. */
  missing: unknown;
}

type Formatter = (v: number) => string;

const INTEGRAL_TYPES = new Set(["long", "integer", "short", "byte", "unsigned_long"]);
const FLOAT_TYPES = new Set(["double", "float", "half_float", "scaled_float"]);
const KEYWORD_TYPES = new Set(["keyword", "constant_keyword", "wildcard", "ip", "version"]);

function textFieldError(field: string, path: string): AggregationError {
  return new AggregationError(
    `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`,
    path,
  );
}

/**
 * Resolves the `field` of a values-source aggregation. `allowed` lists the value kinds the
 * aggregation accepts; anything else is ES's "Field [x] of type [t] is not supported" error.
 */
function resolveSource(
  spec: AggSpec,
  env: Env,
  allowed: readonly SourceKind[],
  opts: { zone?: Zone; dateFormat?: string } = {},
): Source {
  if (spec.body.script !== undefined) {
    throw new AggregationError(`[${spec.path}][${spec.type}] scripts are not supported`, spec.path);
  }
  const field = spec.body.field;
  if (field === undefined || field === null || field === "") {
    throw new AggregationError(`[${spec.path}][${spec.type}] requires a field`, spec.path);
  }
  if (typeof field !== "string") throw paramError(spec, "field", "a string", field);
  const mappingType = env.ctx.fieldType(field);
  let kind: SourceKind;
  if (mappingType === undefined) kind = "unmapped";
  else if (mappingType === "text" || mappingType === "match_only_text")
    throw textFieldError(field, spec.path);
  else if (KEYWORD_TYPES.has(mappingType)) kind = "keyword";
  else if (mappingType === "boolean") kind = "boolean";
  else if (INTEGRAL_TYPES.has(mappingType) || FLOAT_TYPES.has(mappingType)) kind = "number";
  else if (mappingType === "date" || mappingType === "date_nanos") kind = "date";
  else kind = "unsupported" as SourceKind;
  if (kind !== "unmapped" && !allowed.includes(kind)) {
    throw new AggregationError(
      `Field [${field}] of type [${mappingType}] is not supported for aggregation [${spec.type}]`,
      spec.path,
    );
  }
  const formatParam = strParam(spec, "format");
  let format: Formatter | undefined;
  if (kind === "date") {
    const pattern = formatParam ?? opts.dateFormat ?? env.ctx.dateFormat?.(field) ?? DEFAULT_DATE_FORMAT;
    const df = compileDateFormat(pattern, spec);
    const zone = opts.zone ?? UTC;
    format = (v) => df.print(v, zone);
  } else if (kind === "boolean") {
    format = (v) => (v !== 0 ? "true" : "false");
  } else if (kind === "number" && formatParam !== undefined) {
    format = decimalFormatter(formatParam);
  }
  return {
    field,
    kind,
    mappingType,
    integral: mappingType !== undefined && INTEGRAL_TYPES.has(mappingType),
    format,
    missing: spec.body.missing ?? undefined,
  };
}

const EMPTY_NUMS: readonly number[] = [];
const EMPTY_STRS: readonly string[] = [];
const ONE: readonly number[] = [1];
const ZERO: readonly number[] = [0];

/** Numeric values of a doc (booleans as 1/0), with the `missing` value substituted. */
function numericGetter(src: Source, env: Env, spec: AggSpec): (doc: number) => readonly number[] {
  const { ctx } = env;
  const field = src.field;
  let missing: readonly number[] | undefined;
  if (src.missing !== undefined) missing = [parseNumericValue(src.missing, src, env, spec, "missing")];
  let get: (doc: number) => readonly number[];
  switch (src.kind) {
    case "number":
    case "date":
      get = (doc) => ctx.numericValues(field, doc);
      break;
    case "boolean":
      get = (doc) => {
        const vals = ctx.keywordValues(field, doc);
        if (vals.length === 0) return EMPTY_NUMS;
        if (vals.length === 1) return vals[0] === "true" ? ONE : ZERO;
        return vals.map((v) => (v === "true" ? 1 : 0)).sort((a, b) => a - b);
      };
      break;
    default:
      get = () => EMPTY_NUMS;
  }
  if (missing === undefined) return get;
  const m = missing;
  return (doc) => {
    const vals = get(doc);
    return vals.length === 0 ? m : vals;
  };
}

/** Keyword values of a doc, with the `missing` value substituted. */
function keywordGetter(src: Source, env: Env): (doc: number) => readonly string[] {
  const { ctx } = env;
  const field = src.field;
  const get = src.kind === "unmapped" ? () => EMPTY_STRS : (doc: number) => ctx.keywordValues(field, doc);
  if (src.missing === undefined) return get;
  const m = [String(src.missing)];
  return (doc) => {
    const vals = get(doc);
    return vals.length === 0 ? m : vals;
  };
}

/** Parses a request value (missing, include, bounds, range from/to) for a numeric/date/boolean source. */
function parseNumericValue(
  v: unknown,
  src: Source,
  env: Env,
  spec: AggSpec,
  key: string,
  zone = UTC,
): number {
  if (src.kind === "boolean") {
    if (v === true || v === "true" || v === 1) return 1;
    if (v === false || v === "false" || v === 0) return 0;
    throw new AggregationError(
      `Can't parse boolean value [${String(v)}], expected [true] or [false]`,
      spec.path,
    );
  }
  if (src.kind === "date") {
    const pattern = strParam(spec, "format") ?? env.ctx.dateFormat?.(src.field) ?? DEFAULT_DATE_FORMAT;
    return parseDateMath(v, pattern, zone, env.now, spec);
  }
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || Number.isNaN(n)) {
    throw new AggregationError(
      `[${spec.type}] failed to parse [${key}] value [${String(v)}] as a number`,
      spec.path,
    );
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Bucket ordering

interface OrderCrit {
  kind: "count" | "key" | "path";
  asc: boolean;
  /** For `path`: reads the value from the bucket's sub-aggregation results. */
  get?: (subs: Json) => number;
  path?: string;
}

interface RawBucket<K> {
  key: K;
  docs: Int32Array | undefined;
  count: number;
  subs?: Json;
}

/**
 * Parses `order` (`{"_count": "desc"}`, `[{"_key": "asc"}, …]`, `{"agg.metric": "desc"}`) and
 * appends ES's implicit `_key asc` tie-breaker.
 */
function parseOrder(spec: AggSpec, subs: readonly Node[], dflt: OrderCrit[]): OrderCrit[] {
  const raw = spec.body.order;
  let crits: OrderCrit[];
  if (raw === undefined || raw === null) crits = [...dflt];
  else {
    const list = Array.isArray(raw) ? raw : [raw];
    crits = [];
    for (const item of list) {
      if (!isObject(item)) throw paramError(spec, "order", "an object or an array of objects", raw);
      for (const [key, dirRaw] of Object.entries(item)) {
        const dir = typeof dirRaw === "string" ? dirRaw.toLowerCase() : dirRaw;
        if (dir !== "asc" && dir !== "desc") {
          throw new AggregationError(
            `Unknown order direction [${String(dirRaw)}]`,
            spec.path,
            "parsing_exception",
          );
        }
        const asc = dir === "asc";
        if (key === "_count") crits.push({ kind: "count", asc });
        else if (key === "_key" || key === "_term" || key === "_time") crits.push({ kind: "key", asc });
        else crits.push({ kind: "path", asc, path: key, get: compileOrderPath(key, subs, spec) });
      }
    }
    if (crits.length === 0) crits = [...dflt];
  }
  if (!crits.some((c) => c.kind === "key")) crits.push({ kind: "key", asc: true });
  return crits;
}

function invalidOrderPath(path: string, spec: AggSpec, why: string): AggregationError {
  return new AggregationError(`Invalid aggregation order path [${path}]. ${why}`, spec.path);
}

/** Resolves `a>b.metric` / `a>b[metric]` against the sub-aggregations; returns a reader of bucket results. */
function compileOrderPath(path: string, subs: readonly Node[], spec: AggSpec): (subs: Json) => number {
  const elements = path.split(">");
  const steps: string[] = [];
  let nodes = subs;
  let finalKey: string | undefined;
  let finalShape: Shape | undefined;
  for (let i = 0; i < elements.length; i++) {
    let el = elements[i] as string;
    let key: string | undefined;
    const bracket = /^(.*)\[([^\]]+)\]$/.exec(el);
    if (bracket) {
      el = bracket[1] as string;
      key = bracket[2];
    } else if (i === elements.length - 1 && el.includes(".")) {
      const dot = el.indexOf(".");
      key = el.slice(dot + 1);
      el = el.slice(0, dot);
    }
    const node = nodes.find((n) => n.name === el);
    if (!node) throw invalidOrderPath(path, spec, `Unknown aggregation [${el}]`);
    steps.push(el);
    if (i < elements.length - 1) {
      if (node.shape.kind !== "single_bucket") {
        throw invalidOrderPath(
          path,
          spec,
          "Buckets can only be sorted on a sub-aggregator path that is built out of zero or more single-bucket aggregations within the path and a final single-bucket or a metrics aggregation at the path end.",
        );
      }
      nodes = node.shape.subs;
      continue;
    }
    finalShape = node.shape;
    finalKey = key;
  }
  const shape = finalShape as Shape;
  let leafKey: string;
  if (shape.kind === "single_value") {
    if (finalKey !== undefined && finalKey !== "value") {
      throw invalidOrderPath(path, spec, `[${steps.at(-1)}] is a single-value metrics aggregation`);
    }
    leafKey = "value";
  } else if (shape.kind === "multi_value") {
    if (finalKey === undefined) {
      throw invalidOrderPath(
        path,
        spec,
        "When ordering on a multi-value metrics aggregation a metric name must be specified.",
      );
    }
    if (!shape.names.includes(finalKey)) {
      throw invalidOrderPath(
        path,
        spec,
        `Unknown metric name [${finalKey}] on multi-value metrics aggregation [${steps.at(-1)}]`,
      );
    }
    leafKey = finalKey;
  } else if (shape.kind === "single_bucket") {
    if (finalKey !== undefined && finalKey !== "_count" && finalKey !== "doc_count") {
      throw invalidOrderPath(
        path,
        spec,
        `Unknown key [${finalKey}] on single-bucket aggregation [${steps.at(-1)}]`,
      );
    }
    leafKey = "doc_count";
  } else {
    throw invalidOrderPath(
      path,
      spec,
      "Buckets can only be sorted on a sub-aggregator path that is built out of zero or more single-bucket aggregations within the path and a final single-bucket or a metrics aggregation at the path end.",
    );
  }
  return (subsJson) => {
    let cur: unknown = subsJson;
    for (const step of steps) cur = isObject(cur) ? cur[step] : undefined;
    const v = isObject(cur) ? cur[leafKey] : undefined;
    return typeof v === "number" ? v : Number.NaN;
  };
}

/** UTF-8 byte order (= code point order), as Lucene compares BytesRefs. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      const sa = ca >= 0xd800 && ca <= 0xdfff;
      const sb = cb >= 0xd800 && cb <= 0xdfff;
      if (sa !== sb) return sa ? 1 : -1;
      return ca - cb;
    }
  }
  return a.length - b.length;
}

function compareKeys(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return compareStrings(String(a), String(b));
}

/** ES's Comparators.compareDiscardNaN: NaN (empty metrics) sort last in both directions. */
function compareDiscardNaN(a: number, b: number, asc: boolean): number {
  const na = Number.isNaN(a);
  const nb = Number.isNaN(b);
  if (na || nb) return na === nb ? 0 : na ? 1 : -1;
  return asc ? a - b : b - a;
}

function bucketComparator<K extends string | number>(crits: readonly OrderCrit[]) {
  return (a: RawBucket<K>, b: RawBucket<K>): number => {
    for (const c of crits) {
      let r: number;
      if (c.kind === "count") r = c.asc ? a.count - b.count : b.count - a.count;
      else if (c.kind === "key") r = c.asc ? compareKeys(a.key, b.key) : compareKeys(b.key, a.key);
      else {
        const get = c.get as (subs: Json) => number;
        r = compareDiscardNaN(get(a.subs ?? {}), get(b.subs ?? {}), c.asc);
      }
      if (r !== 0) return r;
    }
    return 0;
  };
}

const needsSubResults = (crits: readonly OrderCrit[]) => crits.some((c) => c.kind === "path");
const isKeyAsc = (crits: readonly OrderCrit[]) => crits[0]?.kind === "key" && crits[0].asc;

/** Sub-aggregation results of a bucket (computed once; reused when ordering looked at them). */
function bucketSubs<K>(b: RawBucket<K>, subs: readonly Node[]): Json {
  if (b.subs === undefined) b.subs = subs.length === 0 ? {} : runNodes(subs, b.docs ?? EMPTY_DOCS);
  return b.subs;
}

const EMPTY_DOCS = new Int32Array(0);

function toDocs(list: number[] | undefined): Int32Array {
  return list === undefined ? EMPTY_DOCS : Int32Array.from(list);
}

// ---------------------------------------------------------------------------------------------
// terms

const TERMS_PARAMS = [
  "field",
  "size",
  "shard_size",
  "min_doc_count",
  "shard_min_doc_count",
  "order",
  "missing",
  "include",
  "exclude",
  "execution_hint",
  "collect_mode",
  "show_term_doc_count_error",
  "format",
  "value_type",
  "script",
];

function compileTerms(spec: AggSpec, env: Env): Node {
  checkParams(spec, TERMS_PARAMS);
  const src = resolveSource(spec, env, ["keyword", "boolean", "number", "date"]);
  const size = intParam(spec, "size") ?? 10;
  if (size <= 0) {
    throw new AggregationError(`[size] must be greater than 0. Found [${size}] in [${spec.name}]`, spec.path);
  }
  const shardSizeParam = intParam(spec, "shard_size");
  if (shardSizeParam !== undefined && shardSizeParam <= 0) {
    throw new AggregationError(
      `[shardSize] must be greater than 0. Found [${shardSizeParam}] in [${spec.name}]`,
      spec.path,
    );
  }
  const minDocCount = intParam(spec, "min_doc_count") ?? 1;
  if (minDocCount < 0) {
    throw new AggregationError(
      `[minDocCount] must be greater than or equal to 0. Found [${minDocCount}] in [${spec.name}]`,
      spec.path,
    );
  }
  const showError = boolParam(spec, "show_term_doc_count_error", false);
  const subs = spec.subs.map((s) => compile(s, env));
  const crits = parseOrder(spec, subs, [{ kind: "count", asc: false }]);
  const keyOrder = crits[0]?.kind === "key";
  const countDesc = crits[0]?.kind === "count" && !crits[0].asc;
  // ES: unless ordered by key, each shard returns size * 1.5 + 10 candidates (BucketUtils).
  const shardSize = Math.max(size, shardSizeParam ?? (keyOrder ? size : Math.floor(size * 1.5 + 10)));

  // An unmapped field with `missing` puts every doc in the missing bucket, typed by the value.
  let kind = src.kind;
  if (kind === "unmapped" && src.missing !== undefined)
    kind = typeof src.missing === "number" ? "number" : "keyword";
  const numericKeys = kind === "number" || kind === "date" || kind === "boolean";
  const accept = termFilter(spec, src, env, numericKeys);
  const orderBySubs = needsSubResults(crits);
  const wantDocs = subs.length > 0;

  return {
    name: spec.name,
    path: spec.path,
    type: spec.type,
    shape: { kind: "other" },
    run(docs) {
      let buckets: RawBucket<string | number>[];
      if (kind === "unmapped") buckets = [];
      else if (numericKeys) {
        const constant: readonly number[] = [Number(src.missing)];
        const get = src.kind === "unmapped" ? () => constant : numericGetter(src, env, spec);
        buckets = countTerms<number>(docs, get, wantDocs);
      } else buckets = countTerms<string>(docs, keywordGetter(src, env), wantDocs);
      if (accept) buckets = buckets.filter((b) => accept(b.key));
      if (orderBySubs) for (const b of buckets) bucketSubs(b, subs);
      buckets.sort(bucketComparator(crits));
      // Single-shard version of ES's shard-then-reduce: the shard keeps its top shard_size buckets
      // (the rest go to sum_other_doc_count), the reduce drops those under min_doc_count.
      let other = 0;
      for (let i = shardSize; i < buckets.length; i++)
        other += (buckets[i] as RawBucket<string | number>).count;
      const shardTop = buckets.slice(0, shardSize);
      const eligible = shardTop.filter((b) => b.count >= minDocCount);
      for (let i = size; i < eligible.length; i++) other += (eligible[i] as RawBucket<string | number>).count;
      const top = eligible.slice(0, size);
      let docCountError = 0;
      if (shardTop.length >= shardSize && shardTop.length > 0 && !keyOrder) {
        docCountError = countDesc ? (shardTop[shardTop.length - 1] as RawBucket<string | number>).count : -1;
      }
      countBuckets(env, spec, top.length);
      const out: Json[] = top.map((b) => {
        const bucket: Json = { key: b.key };
        if (numericKeys && src.format) bucket.key_as_string = src.format(b.key as number);
        bucket.doc_count = b.count;
        if (showError) bucket.doc_count_error_upper_bound = docCountError === -1 ? -1 : 0;
        Object.assign(bucket, bucketSubs(b, subs));
        return bucket;
      });
      return withMeta(spec, {
        doc_count_error_upper_bound: docCountError,
        sum_other_doc_count: other,
        buckets: out,
      });
    },
  };
}

/** Counts each distinct value of each doc once (Map counting, no per-doc allocation). */
function countTerms<K extends string | number>(
  docs: Int32Array,
  get: (doc: number) => readonly K[],
  wantDocs: boolean,
): RawBucket<K>[] {
  const counts = new Map<K, number>();
  const lists = wantDocs ? new Map<K, number[]>() : undefined;
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i] as number;
    const vals = get(doc);
    const n = vals.length;
    for (let j = 0; j < n; j++) {
      const v = vals[j] as K;
      if (j > 0 && n > 1) {
        let dup = false;
        for (let k = 0; k < j; k++) {
          if (vals[k] === v) {
            dup = true;
            break;
          }
        }
        if (dup) continue;
      }
      counts.set(v, (counts.get(v) ?? 0) + 1);
      if (lists) {
        const l = lists.get(v);
        if (l) l.push(doc);
        else lists.set(v, [doc]);
      }
    }
  }
  const out: RawBucket<K>[] = [];
  for (const [key, count] of counts)
    out.push({ key, count, docs: lists ? toDocs(lists.get(key)) : undefined });
  return out;
}

/** include/exclude: arrays of exact values, Lucene regular expressions, or {partition, num_partitions}. */
function termFilter(
  spec: AggSpec,
  src: Source,
  env: Env,
  numeric: boolean,
): ((key: string | number) => boolean) | undefined {
  const include = spec.body.include;
  const exclude = spec.body.exclude;
  if (include === undefined && exclude === undefined) return undefined;
  const regexNotAllowed = () =>
    new AggregationError(
      `Aggregation [${spec.name}] cannot support regular expression style include/exclude settings as they can only be applied to string fields. Use an array of numeric values for include/exclude clauses used to filter numeric fields`,
      spec.path,
    );
  const exact = (list: unknown[]): Set<string | number> =>
    new Set(
      list.map((v) =>
        numeric
          ? parseNumericValue(
              v,
              src.kind === "unmapped" ? { ...src, kind: "number" } : src,
              env,
              spec,
              "include",
            )
          : String(v),
      ),
    );
  let inc: ((key: string | number) => boolean) | undefined;
  let exc: ((key: string | number) => boolean) | undefined;
  if (typeof include === "string") {
    if (numeric) throw regexNotAllowed();
    const re = luceneRegex(include, spec);
    inc = (k) => re.test(k as string);
  } else if (Array.isArray(include)) {
    const set = exact(include);
    inc = (k) => set.has(k);
  } else if (isObject(include)) {
    const partition = include.partition;
    const num = include.num_partitions;
    if (
      typeof partition !== "number" ||
      typeof num !== "number" ||
      partition < 0 ||
      num <= 0 ||
      partition >= num
    ) {
      throw new AggregationError(
        `[include] partition based filtering requires [partition] and [num_partitions] with 0 <= partition < num_partitions`,
        spec.path,
      );
    }
    inc = (k) =>
      partitionOf(k, src.integral || src.kind === "date" || src.kind === "boolean", num) === partition;
  } else if (include !== undefined && include !== null) {
    throw paramError(spec, "include", "a string, an array or an object", include);
  }
  if (typeof exclude === "string") {
    if (numeric) throw regexNotAllowed();
    const re = luceneRegex(exclude, spec);
    exc = (k) => re.test(k as string);
  } else if (Array.isArray(exclude)) {
    const set = exact(exclude);
    exc = (k) => set.has(k);
  } else if (exclude !== undefined && exclude !== null) {
    throw paramError(spec, "exclude", "a string or an array", exclude);
  }
  return (k) => (inc === undefined || inc(k)) && (exc === undefined || !exc(k));
}

/** Lucene RegExp (ES include/exclude syntax) as an anchored JS RegExp. */
function luceneRegex(pattern: string, spec: AggSpec): RegExp {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next !== undefined) {
        out += /[A-Za-z0-9]/.test(next) && !/[dDsSwW]/.test(next) ? next : `\\${next}`;
        i++;
      }
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
    } else if (c === "@") out += "[\\s\\S]*";
    else if (c === "#") out += "(?!)";
    else if (c === '"') {
      const end = pattern.indexOf('"', i + 1);
      const lit = pattern.slice(i + 1, end === -1 ? undefined : end);
      out += lit.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      i = end === -1 ? pattern.length : end;
    } else if (c === "<") {
      const m = /^<(\d+)-(\d+)>/.exec(pattern.slice(i));
      if (!m) out += "<";
      else {
        const lo = Number(m[1]);
        const hi = Number(m[2]);
        const alts: string[] = [];
        for (let n = Math.min(lo, hi); n <= Math.max(lo, hi) && alts.length < 10000; n++)
          alts.push(String(n));
        out += `0*(?:${alts.join("|")})`;
        i += m[0].length - 1;
      }
    } else out += c;
  }
  try {
    return new RegExp(`^(?:${out})$`, "s");
  } catch (err) {
    throw new AggregationError(
      `Invalid regular expression [${pattern}]: ${(err as Error).message}`,
      spec.path,
    );
  }
}

/** ES's partitioned include: murmur3 (seed 31) of the term bytes, or BitMixer.mix64 of longs. */
function partitionOf(key: string | number, longKeys: boolean, num: number): number {
  let hash: number;
  if (typeof key === "string") hash = murmur3(new TextEncoder().encode(key), 31);
  else {
    const mask = (1n << 64n) - 1n;
    let z = longKeys ? BigInt.asUintN(64, BigInt(Math.trunc(key))) : sortableDoubleBits(key);
    z = ((z ^ (z >> 32n)) * 0x4cd6944c5cc20b6dn) & mask;
    z = ((z ^ (z >> 29n)) * 0xfc12c5b19d3259e9n) & mask;
    z = z ^ (z >> 32n);
    const signed = BigInt.asIntN(64, z);
    const m = BigInt(num);
    return Number(((signed % m) + m) % m);
  }
  return ((hash % num) + num) % num;
}

function sortableDoubleBits(v: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  let bits = view.getBigInt64(0);
  bits = bits ^ ((bits >> 63n) & 0x7fffffffffffffffn);
  return BigInt.asUintN(64, bits);
}

function murmur3(data: Uint8Array, seed: number): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h1 = seed | 0;
  const len = data.length;
  const rounded = len & ~3;
  for (let i = 0; i < rounded; i += 4) {
    let k1 =
      (data[i] as number) |
      ((data[i + 1] as number) << 8) |
      ((data[i + 2] as number) << 16) |
      ((data[i + 3] as number) << 24);
    k1 = Math.imul(k1, c1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, c2);
    h1 ^= k1;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }
  let k1 = 0;
  const tail = len & 3;
  if (tail === 3) k1 = ((data[rounded + 2] as number) & 0xff) << 16;
  if (tail >= 2) k1 |= ((data[rounded + 1] as number) & 0xff) << 8;
  if (tail >= 1) {
    k1 |= (data[rounded] as number) & 0xff;
    k1 = Math.imul(k1, c1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, c2);
    h1 ^= k1;
  }
  h1 ^= len;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 | 0;
}

// ---------------------------------------------------------------------------------------------
// range / date_range

interface RangeDef {
  key: string | undefined;
  from: number;
  to: number;
}

function compileRange(spec: AggSpec, env: Env): Node {
  checkParams(spec, ["field", "ranges", "keyed", "missing", "format", "time_zone", "value_type", "script"]);
  const isDateRange = spec.type === "date_range";
  const zone = parseZone(spec.body.time_zone, spec);
  const src = resolveSource(
    spec,
    env,
    isDateRange ? ["date", "number"] : ["number", "date", "boolean"],
    isDateRange ? { zone } : {},
  );
  const keyed = boolParam(spec, "keyed", false);
  // date_range always formats as dates, whatever the field.
  let format = src.format;
  let parseSrc = src;
  if (isDateRange && src.kind !== "date") {
    const df = compileDateFormat(strParam(spec, "format") ?? DEFAULT_DATE_FORMAT, spec);
    format = (v) => df.print(v, zone);
    parseSrc = { ...src, kind: "date" };
  } else if (src.kind === "unmapped") {
    parseSrc = { ...src, kind: isDateRange ? "date" : "number" };
  }
  const rangesRaw = spec.body.ranges;
  if (!Array.isArray(rangesRaw) || rangesRaw.length === 0) {
    throw new AggregationError(`No [ranges] specified for the [${spec.name}] aggregation`, spec.path);
  }
  const ranges: RangeDef[] = rangesRaw.map((r) => {
    if (!isObject(r)) throw paramError(spec, "ranges", "an array of objects", rangesRaw);
    for (const k of Object.keys(r)) {
      if (k !== "key" && k !== "from" && k !== "to") {
        throw new AggregationError(`[range] unknown field [${k}]`, spec.path, "x_content_parse_exception");
      }
    }
    const bound = (v: unknown, inf: number) =>
      v === undefined || v === null ? inf : parseNumericValue(v, parseSrc, env, spec, "ranges", zone);
    return {
      key: r.key === undefined || r.key === null ? undefined : String(r.key),
      from: bound(r.from, Number.NEGATIVE_INFINITY),
      to: bound(r.to, Number.POSITIVE_INFINITY),
    };
  });
  // ES sorts the ranges (by from, then to) and reports them in that order.
  ranges.sort((a, b) => a.from - b.from || a.to - b.to);
  const subs = spec.subs.map((s) => compile(s, env));
  const fmt = (v: number) => (format ? format(v) : javaDouble(v));

  return {
    name: spec.name,
    path: spec.path,
    type: spec.type,
    shape: { kind: "other" },
    run(docs) {
      const get = numericGetter(src, env, spec);
      const lists: number[][] = ranges.map(() => []);
      for (let i = 0; i < docs.length; i++) {
        const doc = docs[i] as number;
        const vals = get(doc);
        if (vals.length === 0) continue;
        for (let r = 0; r < ranges.length; r++) {
          const range = ranges[r] as RangeDef;
          for (const v of vals) {
            if (v >= range.from && v < range.to) {
              (lists[r] as number[]).push(doc);
              break;
            }
          }
        }
      }
      countBuckets(env, spec, ranges.length);
      const buckets = ranges.map((range, r) => {
        const key =
          range.key ??
          `${Number.isFinite(range.from) ? fmt(range.from) : "*"}-${Number.isFinite(range.to) ? fmt(range.to) : "*"}`;
        const b: Json = keyed ? {} : { key };
        if (Number.isFinite(range.from)) {
          b.from = range.from;
          if (format) b.from_as_string = format(range.from);
        }
        if (Number.isFinite(range.to)) {
          b.to = range.to;
          if (format) b.to_as_string = format(range.to);
        }
        const list = lists[r] as number[];
        b.doc_count = list.length;
        Object.assign(b, runNodes(subs, subs.length > 0 ? Int32Array.from(list) : EMPTY_DOCS));
        return [key, b] as const;
      });
      return withMeta(spec, {
        buckets: keyed ? Object.fromEntries(buckets) : buckets.map(([, b]) => b),
      });
    },
  };
}

/** Java's Double.toString, which ES uses for RAW-formatted doubles (range keys, histogram keyed keys). */
export function javaDouble(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes(".") ? s : `${s}.0`;
  }
  const [mant = "", exp = "0"] = n.toExponential().split("e");
  return `${mant.includes(".") ? mant : `${mant}.0`}E${Number(exp)}`;
}

/** A small java.text.DecimalFormat: `0.00`, `#,##0.0`, `#.###`, prefixes/suffixes, `%`. */
function decimalFormatter(pattern: string): Formatter {
  const m = /^([^#0,.%]*)([#0,]*)(?:\.([#0]*))?(.*)$/.exec(pattern);
  if (!m || (m[2] === "" && m[3] === undefined)) return (v) => javaDouble(v);
  const [, prefix = "", intPart = "", frac = "", suffix = ""] = m;
  const percent = suffix.includes("%");
  const minInt = (intPart.match(/0/g) ?? []).length;
  const lastComma = intPart.lastIndexOf(",");
  const group = lastComma === -1 ? 0 : intPart.length - lastComma - 1;
  const minFrac = (frac.match(/0/g) ?? []).length;
  const maxFrac = frac.length;
  return (value) => {
    let v = percent ? value * 100 : value;
    const neg = v < 0;
    v = Math.abs(v);
    let [ip = "0", fp = ""] = v.toFixed(maxFrac).split(".");
    fp = fp.replace(/0+$/, "");
    if (fp.length < minFrac) fp = fp.padEnd(minFrac, "0");
    if (ip === "0" && minInt === 0 && fp !== "") ip = "";
    ip = ip.padStart(minInt, "0");
    if (group > 0) ip = ip.replace(new RegExp(`\\B(?=(\\d{${group}})+(?!\\d))`, "g"), ",");
    const body = fp === "" ? ip || "0" : `${ip}.${fp}`;
    return `${neg && /[1-9]/.test(body) ? "-" : ""}${prefix}${body}${suffix}`;
  };
}

// ---------------------------------------------------------------------------------------------
// histogram / date_histogram

interface Rounding {
  /** Bucket key (start) of a value. */
  round(v: number): number;
  /** Key of the bucket after the one starting at `key`. */
  next(key: number): number;
}

const CALENDAR_UNITS: Record<string, CalUnit> = {
  second: "second",
  "1s": "second",
  minute: "minute",
  "1m": "minute",
  hour: "hour",
  "1h": "hour",
  day: "day",
  "1d": "day",
  week: "week",
  "1w": "week",
  month: "month",
  "1M": "month",
  quarter: "quarter",
  "1q": "quarter",
  year: "year",
  "1y": "year",
};

function compileHistogram(spec: AggSpec, env: Env): Node {
  const isDate = spec.type === "date_histogram";
  checkParams(
    spec,
    isDate
      ? [
          "field",
          "calendar_interval",
          "fixed_interval",
          "interval",
          "offset",
          "time_zone",
          "format",
          "min_doc_count",
          "extended_bounds",
          "hard_bounds",
          "keyed",
          "order",
          "missing",
          "value_type",
          "script",
        ]
      : [
          "field",
          "interval",
          "offset",
          "min_doc_count",
          "extended_bounds",
          "hard_bounds",
          "keyed",
          "order",
          "missing",
          "format",
          "value_type",
          "script",
        ],
  );
  const zone = isDate ? parseZone(spec.body.time_zone, spec) : UTC;
  const src = resolveSource(spec, env, isDate ? ["date", "number"] : ["number", "date", "boolean"], { zone });
  let format = src.format;
  let boundsSrc = src;
  if (isDate && src.kind !== "date") {
    // date_histogram on a numeric field treats values as epoch millis.
    const df = compileDateFormat(strParam(spec, "format") ?? DEFAULT_DATE_FORMAT, spec);
    format = (v) => df.print(v, zone);
    boundsSrc = { ...src, kind: "date" };
  } else if (src.kind === "unmapped") boundsSrc = { ...src, kind: isDate ? "date" : "number" };
  const rounding = isDate ? dateRounding(spec, zone) : numericRounding(spec);
  const minDocCount = intParam(spec, "min_doc_count") ?? 0;
  if (minDocCount < 0) {
    throw new AggregationError(
      `[minDocCount] must be greater than or equal to 0. Found [${minDocCount}] in [${spec.name}]`,
      spec.path,
    );
  }
  const keyed = boolParam(spec, "keyed", false);
  const bounds = (key: "extended_bounds" | "hard_bounds") => {
    const raw = spec.body[key];
    if (raw === undefined || raw === null) return undefined;
    if (!isObject(raw)) throw paramError(spec, key, "an object", raw);
    const parse = (v: unknown) =>
      v === undefined || v === null ? undefined : parseNumericValue(v, boundsSrc, env, spec, key, zone);
    const b = { min: parse(raw.min), max: parse(raw.max) };
    if (b.min !== undefined && b.max !== undefined && b.min > b.max) {
      throw new AggregationError(
        `[${key === "extended_bounds" ? "extended" : "hard"}_bounds.min][${b.min}] cannot be greater than [${key === "extended_bounds" ? "extended" : "hard"}_bounds.max][${b.max}] for histogram aggregation [${spec.name}]`,
        spec.path,
      );
    }
    return b;
  };
  const extended = bounds("extended_bounds");
  const hard = bounds("hard_bounds");
  const subs = spec.subs.map((s) => compile(s, env));
  const crits = parseOrder(spec, subs, [{ kind: "key", asc: true }]);
  const inHard = (key: number) =>
    hard === undefined ||
    ((hard.min === undefined || key >= hard.min) && (hard.max === undefined || key <= hard.max));

  return {
    name: spec.name,
    path: spec.path,
    type: spec.type,
    shape: { kind: "other" },
    run(docs) {
      const get = numericGetter(src, env, spec);
      const lists = new Map<number, number[]>();
      const counts = new Map<number, number>();
      const wantDocs = subs.length > 0;
      let lastLo = Number.NaN;
      let lastHi = Number.NaN;
      let lastKey = Number.NaN;
      for (let i = 0; i < docs.length; i++) {
        const doc = docs[i] as number;
        const vals = get(doc);
        let prevKey = Number.NaN;
        for (let j = 0; j < vals.length; j++) {
          const v = vals[j] as number;
          let key: number;
          if (v >= lastLo && v < lastHi) key = lastKey;
          else {
            key = rounding.round(v);
            if (isDate) {
              lastKey = key;
              lastLo = key;
              lastHi = rounding.next(key);
            }
          }
          if (key === prevKey || (vals.length > 2 && j > 1 && seenKey(vals, j, key, rounding))) continue;
          prevKey = key;
          if (!inHard(key)) continue;
          counts.set(key, (counts.get(key) ?? 0) + 1);
          if (wantDocs) {
            const l = lists.get(key);
            if (l) l.push(doc);
            else lists.set(key, [doc]);
          }
        }
      }
      let keys = [...counts.keys()].sort((a, b) => a - b);
      if (minDocCount === 0) {
        let lo = keys[0];
        let hi = keys[keys.length - 1];
        if (extended?.min !== undefined) {
          const k = rounding.round(extended.min);
          if (lo === undefined || k < lo) lo = k;
        }
        if (extended?.max !== undefined) {
          const k = rounding.round(extended.max);
          if (hi === undefined || k > hi) hi = k;
        }
        if (lo !== undefined && hi === undefined) hi = lo;
        if (hi !== undefined && lo === undefined) lo = hi;
        if (hard?.min !== undefined && lo !== undefined) lo = Math.max(lo, rounding.round(hard.min));
        if (hard?.max !== undefined && hi !== undefined) hi = Math.min(hi, rounding.round(hard.max));
        if (lo !== undefined && hi !== undefined) {
          const filled: number[] = [];
          for (let k = lo; k <= hi; k = rounding.next(k)) {
            // Checked while filling so that a tiny interval over a wide range fails fast.
            if (filled.length + 1 + env.buckets > MAX_BUCKETS) countBuckets(env, spec, filled.length + 1);
            if (inHard(k)) filled.push(k);
          }
          keys = filled;
        }
      }
      let buckets: RawBucket<number>[] = [];
      for (const key of keys) {
        const count = counts.get(key) ?? 0;
        if (count < minDocCount) continue;
        buckets.push({ key, count, docs: wantDocs ? toDocs(lists.get(key)) : undefined });
      }
      if (!isKeyAsc(crits)) {
        if (needsSubResults(crits)) for (const b of buckets) bucketSubs(b, subs);
        buckets = buckets.sort(bucketComparator(crits));
      }
      countBuckets(env, spec, buckets.length);
      const out = buckets.map((b) => {
        const bucket: Json = {};
        const keyString = format ? format(b.key) : javaDouble(b.key);
        if (format) bucket.key_as_string = keyString;
        bucket.key = b.key;
        bucket.doc_count = b.count;
        Object.assign(bucket, bucketSubs(b, subs));
        return [keyString, bucket] as const;
      });
      return withMeta(spec, { buckets: keyed ? Object.fromEntries(out) : out.map(([, b]) => b) });
    },
  };
}

/** Whether an earlier value of the doc already fell in bucket `key` (values need not be sorted). */
function seenKey(vals: readonly number[], j: number, key: number, rounding: Rounding): boolean {
  for (let k = 0; k < j - 1; k++) if (rounding.round(vals[k] as number) === key) return true;
  return false;
}

function numericRounding(spec: AggSpec): Rounding {
  const interval = numParam(spec, "interval");
  if (interval === undefined || !(interval > 0)) {
    throw new AggregationError(`[interval] must be >0 for histogram aggregation [${spec.name}]`, spec.path);
  }
  const offset = numParam(spec, "offset") ?? 0;
  const round = (v: number) => Math.floor((v - offset) / interval) * interval + offset;
  return {
    round,
    next: (key) => {
      // Index-based so that filled keys are bit-identical to collected ones.
      const idx = Math.round((key - offset) / interval) + 1;
      return idx * interval + offset;
    },
  };
}

function dateRounding(spec: AggSpec, zone: Zone): Rounding {
  const calendar = spec.body.calendar_interval;
  const fixed = spec.body.fixed_interval;
  const legacy = spec.body.interval;
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(calendar) && has(fixed)) {
    throw new AggregationError(
      "Cannot use [fixed_interval] with [calendar_interval] configuration option.",
      spec.path,
    );
  }
  if (has(legacy) && (has(calendar) || has(fixed))) {
    throw new AggregationError(
      "Cannot use [interval] with [fixed_interval] or [calendar_interval] configuration options.",
      spec.path,
    );
  }
  let base: Rounding;
  if (has(calendar)) {
    const unit = typeof calendar === "string" ? CALENDAR_UNITS[calendar] : undefined;
    if (!unit) {
      throw new AggregationError(
        `The supplied interval [${String(calendar)}] could not be parsed as a calendar interval.`,
        spec.path,
      );
    }
    base = calendarRounding(unit, zone);
  } else if (has(fixed)) {
    base = fixedRounding(parseTimeValue(fixed, "date_histogram.fixedInterval", spec), zone);
  } else if (has(legacy)) {
    const unit = typeof legacy === "string" ? CALENDAR_UNITS[legacy] : undefined;
    base = unit
      ? calendarRounding(unit, zone)
      : fixedRounding(parseTimeValue(legacy, "date_histogram.interval", spec), zone);
  } else {
    throw new AggregationError("Invalid interval specified, must be non-null and non-empty", spec.path);
  }
  const offsetRaw = spec.body.offset;
  if (offsetRaw === undefined || offsetRaw === null) return base;
  const offset = parseSignedTimeValue(offsetRaw, spec);
  if (offset === 0) return base;
  return {
    round: (v) => base.round(v - offset) + offset,
    next: (key) => base.next(key - offset) + offset,
  };
}

const TIME_UNITS: Record<string, number> = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY };

function parseTimeValue(v: unknown, setting: string, spec: AggSpec): number {
  if (typeof v === "number" && Number.isInteger(v) && v > 0) return v;
  const s = typeof v === "string" ? v.trim() : "";
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(s);
  if (!m) {
    throw new AggregationError(
      `failed to parse setting [${setting}] with value [${String(v)}] as a time value: unit is missing or unrecognized`,
      spec.path,
    );
  }
  const ms = Number(m[1]) * (TIME_UNITS[m[2] as string] as number);
  if (ms <= 0) {
    throw new AggregationError(`Zero or negative time interval [${String(v)}] not supported`, spec.path);
  }
  return ms;
}

function parseSignedTimeValue(v: unknown, spec: AggSpec): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  const s = typeof v === "string" ? v.trim() : "";
  const m = /^([+-]?)(\d+)(ms|s|m|h|d)$/.exec(s);
  if (!m) {
    throw new AggregationError(
      `failed to parse setting [date_histogram.offset] with value [${String(v)}] as a time value: unit is missing or unrecognized`,
      spec.path,
    );
  }
  return (m[1] === "-" ? -1 : 1) * Number(m[2]) * (TIME_UNITS[m[3] as string] as number);
}

function calendarRounding(unit: CalUnit, zone: Zone): Rounding {
  return {
    round: (v) => zone.toUtc(floorLocal(v + zone.offset(v), unit)),
    next: (key) => {
      const local = floorLocal(key + zone.offset(key), unit);
      const n = zone.toUtc(addLocal(local, unit, 1));
      return n > key ? n : zone.toUtc(addLocal(local, unit, 2));
    },
  };
}

function fixedRounding(interval: number, zone: Zone): Rounding {
  const round = (v: number) => {
    const off = zone.offset(v);
    return Math.floor((v + off) / interval) * interval - off;
  };
  return {
    round,
    next: (key) => {
      const n = round(key + interval);
      return n > key ? n : key + interval;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// filter / filters / missing

function compileFilters(spec: AggSpec, env: Env): Node {
  const { ctx } = env;
  const filterFn = ctx.filter?.bind(ctx);
  if (!filterFn) {
    throw new AggregationError(`Aggregation type [${spec.type}] is not supported by this engine`, spec.path);
  }
  const subs = spec.subs.map((s) => compile(s, env));
  /** Lazily evaluates a query once over all matching docs; buckets intersect with that set. */
  const matcher = (query: unknown) => {
    let set: Set<number> | undefined;
    return (docs: Int32Array): Int32Array => {
      if (!set) set = new Set(filterFn(query, ctx.docs));
      const s = set;
      const out: number[] = [];
      for (let i = 0; i < docs.length; i++) if (s.has(docs[i] as number)) out.push(docs[i] as number);
      return Int32Array.from(out);
    };
  };
  if (spec.type === "filter") {
    const match = matcher(spec.body);
    return {
      name: spec.name,
      path: spec.path,
      type: spec.type,
      shape: { kind: "single_bucket", subs },
      run(docs) {
        const matched = match(docs);
        return withMeta(spec, { doc_count: matched.length, ...runNodes(subs, matched) });
      },
    };
  }
  checkParams(spec, ["filters", "other_bucket", "other_bucket_key"]);
  const raw = spec.body.filters;
  const otherKey = strParam(spec, "other_bucket_key");
  const other = boolParam(spec, "other_bucket", otherKey !== undefined);
  let keyed: boolean;
  let filters: { key: string; match: (docs: Int32Array) => Int32Array }[];
  if (Array.isArray(raw)) {
    keyed = false;
    filters = raw.map((q, i) => ({ key: String(i), match: matcher(q) }));
  } else if (isObject(raw)) {
    keyed = true;
    filters = Object.keys(raw)
      .sort(compareStrings)
      .map((k) => ({ key: k, match: matcher(raw[k]) }));
  } else {
    throw new AggregationError(`[filters] requires a [filters] object or array in [${spec.name}]`, spec.path);
  }
  return {
    name: spec.name,
    path: spec.path,
    type: spec.type,
    shape: { kind: "other" },
    run(docs) {
      const entries: [string, Json][] = [];
      const inAny = other ? new Set<number>() : undefined;
      for (const f of filters) {
        const matched = f.match(docs);
        if (inAny) for (const d of matched) inAny.add(d);
        entries.push([f.key, { doc_count: matched.length, ...runNodes(subs, matched) }]);
      }
      if (inAny) {
        const rest = docs.filter((d) => !inAny.has(d));
        entries.push([otherKey ?? "_other_", { doc_count: rest.length, ...runNodes(subs, rest) }]);
      }
      countBuckets(env, spec, entries.length);
      return withMeta(spec, { buckets: keyed ? Object.fromEntries(entries) : entries.map(([, b]) => b) });
    },
  };
}

function compileMissing(spec: AggSpec, env: Env): Node {
  checkParams(spec, ["field", "value_type", "script"]);
  const src = resolveSource(spec, env, ["keyword", "boolean", "number", "date"]);
  const subs = spec.subs.map((s) => compile(s, env));
  const { ctx } = env;
  const hasValue =
    src.kind === "unmapped"
      ? () => false
      : src.kind === "keyword" || src.kind === "boolean"
        ? (doc: number) => ctx.keywordValues(src.field, doc).length > 0
        : (doc: number) => ctx.numericValues(src.field, doc).length > 0;
  return {
    name: spec.name,
    path: spec.path,
    type: spec.type,
    shape: { kind: "single_bucket", subs },
    run(docs) {
      const missing = docs.filter((d) => !hasValue(d));
      return withMeta(spec, { doc_count: missing.length, ...runNodes(subs, missing) });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Metrics

const METRIC_PARAMS = ["field", "missing", "format", "value_type", "script"];
const STATS_NAMES = ["count", "min", "max", "avg", "sum"];
const EXTENDED_NAMES = [
  ...STATS_NAMES,
  "sum_of_squares",
  "variance",
  "variance_population",
  "variance_sampling",
  "std_deviation",
  "std_deviation_population",
  "std_deviation_sampling",
  "std_upper",
  "std_lower",
  "std_upper_population",
  "std_lower_population",
  "std_upper_sampling",
  "std_lower_sampling",
];

interface NumericStats {
  count: number;
  sum: number;
  min: number;
  max: number;
  sumOfSquares: number;
}

/** Count, Kahan-compensated sum (as ES's CompensatedSum), min, max and sum of squares. */
function collectStats(
  docs: Int32Array,
  get: (doc: number) => readonly number[],
  squares: boolean,
): NumericStats {
  let count = 0;
  let sum = 0;
  let comp = 0;
  let sq = 0;
  let sqComp = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < docs.length; i++) {
    const vals = get(docs[i] as number);
    for (let j = 0; j < vals.length; j++) {
      const v = vals[j] as number;
      count++;
      if (Number.isFinite(v)) {
        const y = v - comp;
        const t = sum + y;
        comp = t - sum - y;
        sum = t;
      } else sum += v;
      if (squares) {
        const y2 = v * v - sqComp;
        const t2 = sq + y2;
        sqComp = t2 - sq - y2;
        sq = t2;
      }
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return { count, sum, min, max, sumOfSquares: sq };
}

function compileMetric(spec: AggSpec, env: Env): Node {
  const type = spec.type;
  const params =
    type === "extended_stats"
      ? [...METRIC_PARAMS, "sigma"]
      : type === "cardinality"
        ? [...METRIC_PARAMS, "precision_threshold", "execution_hint", "rehash"]
        : METRIC_PARAMS;
  checkParams(spec, params);
  const anyValue = type === "value_count" || type === "cardinality";
  const src = resolveSource(
    spec,
    env,
    anyValue ? ["keyword", "boolean", "number", "date"] : ["number", "date", "boolean"],
  );
  // Only dates (and explicit formats) get *_as_string fields in numeric metrics.
  const format = src.kind === "boolean" ? undefined : src.format;

  if (anyValue) {
    const numeric = src.kind === "number" || src.kind === "date";
    const keyword = src.kind === "keyword" || src.kind === "boolean";
    return {
      name: spec.name,
      path: spec.path,
      type,
      shape: { kind: "single_value" },
      run(docs) {
        let value = 0;
        if (type === "value_count") {
          if (numeric) {
            const get = numericGetter(src, env, spec);
            for (let i = 0; i < docs.length; i++) value += get(docs[i] as number).length;
          } else if (keyword || src.missing !== undefined) {
            const get = keywordGetter(src, env);
            for (let i = 0; i < docs.length; i++) value += get(docs[i] as number).length;
          }
        } else {
          const seen = new Set<string | number>();
          if (numeric) {
            const get = numericGetter(src, env, spec);
            for (let i = 0; i < docs.length; i++) for (const v of get(docs[i] as number)) seen.add(v);
          } else if (keyword || src.missing !== undefined) {
            const get = keywordGetter(src, env);
            for (let i = 0; i < docs.length; i++) for (const v of get(docs[i] as number)) seen.add(v);
          }
          value = seen.size;
        }
        return withMeta(spec, { value });
      },
    };
  }

  const sigma = type === "extended_stats" ? (numParam(spec, "sigma") ?? 2) : 2;
  if (sigma < 0) {
    throw new AggregationError(
      `[sigma] must be greater than or equal to 0. Found [${sigma}] in [${spec.name}]`,
      spec.path,
    );
  }
  const shape: Shape =
    type === "stats"
      ? { kind: "multi_value", names: STATS_NAMES }
      : type === "extended_stats"
        ? { kind: "multi_value", names: EXTENDED_NAMES }
        : { kind: "single_value" };
  return {
    name: spec.name,
    path: spec.path,
    type,
    shape,
    run(docs) {
      const get =
        src.kind === "unmapped" && src.missing === undefined
          ? () => EMPTY_NUMS
          : numericGetter(src, env, spec);
      const s = collectStats(docs, get, type === "extended_stats");
      const has = s.count > 0;
      const single = (value: number | null, asString: boolean): Json => {
        const out: Json = { value };
        if (asString && format && value !== null) out.value_as_string = format(value);
        return withMeta(spec, out);
      };
      switch (type) {
        case "avg":
          return single(has ? s.sum / s.count : null, has);
        case "sum":
          return single(s.sum, true);
        case "min":
          return single(has ? s.min : null, has);
        case "max":
          return single(has ? s.max : null, has);
      }
      const out: Json = {
        count: s.count,
        min: has ? s.min : null,
        max: has ? s.max : null,
        avg: has ? s.sum / s.count : null,
        sum: s.sum,
      };
      if (type === "extended_stats") {
        const avg = s.sum / s.count;
        const varPop = Math.max(0, s.sumOfSquares / s.count - avg * avg);
        const varSample =
          s.count > 1
            ? Math.max(0, (s.sumOfSquares - (s.sum * s.sum) / s.count) / (s.count - 1))
            : Number.NaN;
        const sdPop = Math.sqrt(varPop);
        const sdSample = Math.sqrt(varSample);
        const val = (v: number) => (has && Number.isFinite(v) ? v : null);
        Object.assign(out, {
          sum_of_squares: has ? s.sumOfSquares : null,
          variance: val(varPop),
          variance_population: val(varPop),
          variance_sampling: val(varSample),
          std_deviation: val(sdPop),
          std_deviation_population: val(sdPop),
          std_deviation_sampling: val(sdSample),
          std_deviation_bounds: {
            upper: val(avg + sigma * sdPop),
            lower: val(avg - sigma * sdPop),
            upper_population: val(avg + sigma * sdPop),
            lower_population: val(avg - sigma * sdPop),
            upper_sampling: val(avg + sigma * sdSample),
            lower_sampling: val(avg - sigma * sdSample),
          },
        });
      }
      if (has && format) {
        out.min_as_string = format(s.min);
        out.max_as_string = format(s.max);
        out.avg_as_string = format(s.sum / s.count);
        out.sum_as_string = format(s.sum);
      }
      return withMeta(spec, out);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// top_hits

const TOP_HITS_PARAMS = [
  "from",
  "size",
  "sort",
  "_source",
  "highlight",
  "explain",
  "stored_fields",
  "docvalue_fields",
  "fields",
  "version",
  "seq_no_primary_term",
  "script_fields",
  "track_scores",
];

interface SortCrit {
  kind: "score" | "doc" | "field";
  asc: boolean;
  field?: string;
  numeric?: boolean;
  mode?: string;
  missing?: unknown;
}

function compileTopHits(spec: AggSpec, env: Env): Node {
  checkParams(spec, TOP_HITS_PARAMS);
  const from = intParam(spec, "from") ?? 0;
  const size = intParam(spec, "size") ?? 3;
  if (from < 0)
    throw new AggregationError(`[from] parameter cannot be negative but was [${from}]`, spec.path);
  if (size < 0)
    throw new AggregationError(`[size] parameter cannot be negative but was [${size}]`, spec.path);
  if (from + size > MAX_INNER_RESULT_WINDOW) {
    throw new AggregationError(
      `Top hits result window is too large, the top hits aggregator [${spec.name}]'s from + size must be less than or equal to: [${MAX_INNER_RESULT_WINDOW}] but was [${from + size}]. This limit can be set by changing the [index.max_inner_result_window] index level setting.`,
      spec.path,
    );
  }
  const sort = parseSort(spec, env);
  const trackScores = boolParam(spec, "track_scores", false) || sort.some((c) => c.kind === "score");
  const { ctx } = env;
  return {
    name: spec.name,
    path: spec.path,
    type: spec.type,
    shape: { kind: "other" },
    run(docs) {
      const n = docs.length;
      const order = new Int32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      let scores: Float32Array | undefined;
      if (trackScores) {
        scores = new Float32Array(n);
        for (let i = 0; i < n; i++) scores[i] = ctx.score(docs[i] as number);
      }
      const keys = sort.map((c) => sortKeys(c, docs, env));
      const sc = scores;
      order.sort((a, b) => {
        for (let k = 0; k < sort.length; k++) {
          const c = sort[k] as SortCrit;
          let r: number;
          if (c.kind === "score") r = (sc?.[b] as number) - (sc?.[a] as number);
          else if (c.kind === "doc") r = (docs[a] as number) - (docs[b] as number);
          else r = compareSortValues((keys[k] as unknown[])[a], (keys[k] as unknown[])[b], c);
          if (c.kind !== "score" && !c.asc) r = -r;
          if (c.kind === "score" && c.asc) r = -r;
          if (r !== 0) return r;
        }
        return (docs[a] as number) - (docs[b] as number);
      });
      // The callee slices from/size; docs past from + size can never be on the page.
      const top = order.subarray(0, Math.min(from + size, n));
      const topDocs = new Int32Array(top.length);
      const topScores = sc ? new Float32Array(top.length) : undefined;
      for (let i = 0; i < top.length; i++) {
        topDocs[i] = docs[top[i] as number] as number;
        if (topScores && sc) topScores[i] = sc[top[i] as number] as number;
      }
      let maxScore: number | null = null;
      if (sc && n > 0) {
        maxScore = Number.NEGATIVE_INFINITY;
        for (let i = 0; i < n; i++) if ((sc[i] as number) > maxScore) maxScore = sc[i] as number;
      }
      const { from: _from, size: _size, ...rest } = spec.body;
      const built = ctx.hits(topDocs, topScores, { ...rest, from, size, sort: spec.body.sort });
      const total = { value: n, relation: "eq" };
      const hits = isObject(built)
        ? { ...built, total, max_score: maxScore }
        : { total, max_score: maxScore, hits: built ?? [] };
      return withMeta(spec, { hits });
    },
  };
}

function parseSort(spec: AggSpec, env: Env): SortCrit[] {
  const raw = spec.body.sort;
  if (raw === undefined || raw === null) return [{ kind: "score", asc: false }];
  const list = Array.isArray(raw) ? raw : [raw];
  const out: SortCrit[] = [];
  for (const item of list) {
    let field: string;
    let opts: Json = {};
    if (typeof item === "string") field = item;
    else if (isObject(item) && Object.keys(item).length === 1) {
      field = Object.keys(item)[0] as string;
      const v = item[field];
      if (typeof v === "string") opts = { order: v };
      else if (isObject(v)) opts = v;
      else throw paramError(spec, "sort", "a sort order or options object", item);
    } else throw paramError(spec, "sort", "a field name or an object with one field", item);
    const orderRaw = opts.order;
    const order = typeof orderRaw === "string" ? orderRaw.toLowerCase() : undefined;
    if (orderRaw !== undefined && order !== "asc" && order !== "desc") {
      throw new AggregationError(`Unknown sort order [${String(orderRaw)}]`, spec.path, "parsing_exception");
    }
    if (field === "_score") {
      out.push({ kind: "score", asc: order === "asc" });
      continue;
    }
    if (field === "_doc") {
      out.push({ kind: "doc", asc: order !== "desc" });
      continue;
    }
    const type = env.ctx.fieldType(field);
    if (type === "text") throw textFieldError(field, spec.path);
    const unmappedType = opts.unmapped_type;
    if (type === undefined && (unmappedType === undefined || unmappedType === null)) {
      throw new AggregationError(`No mapping found for [${field}] in order to sort on`, spec.path);
    }
    const t = type ?? String(unmappedType);
    out.push({
      kind: "field",
      asc: order !== "desc",
      field,
      numeric: t === "date" || INTEGRAL_TYPES.has(t) || FLOAT_TYPES.has(t),
      mode: typeof opts.mode === "string" ? opts.mode : undefined,
      missing: opts.missing ?? "_last",
    });
    if (type === undefined) (out[out.length - 1] as SortCrit).field = undefined;
  }
  return out;
}

/** Per-doc sort value of a field criterion (min for asc / max for desc over multi-values, like ES). */
function sortKeys(c: SortCrit, docs: Int32Array, env: Env): unknown[] {
  if (c.kind !== "field") return [];
  const field = c.field;
  const out = new Array<unknown>(docs.length);
  const mode = c.mode ?? (c.asc ? "min" : "max");
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i] as number;
    if (field === undefined) {
      out[i] = undefined;
      continue;
    }
    if (c.numeric) {
      const vals = env.ctx.numericValues(field, doc);
      if (vals.length === 0) out[i] = undefined;
      else if (mode === "sum" || mode === "avg" || mode === "median") {
        const sorted = [...vals].sort((a, b) => a - b);
        const sum = sorted.reduce((a, b) => a + b, 0);
        out[i] =
          mode === "sum"
            ? sum
            : mode === "avg"
              ? sum / sorted.length
              : sorted.length % 2
                ? sorted[(sorted.length - 1) / 2]
                : ((sorted[sorted.length / 2 - 1] as number) + (sorted[sorted.length / 2] as number)) / 2;
      } else out[i] = mode === "max" ? Math.max(...vals) : Math.min(...vals);
    } else {
      const vals = env.ctx.keywordValues(field, doc);
      if (vals.length === 0) out[i] = undefined;
      else {
        let best = vals[0] as string;
        for (const v of vals)
          if (mode === "max" ? compareStrings(v, best) > 0 : compareStrings(v, best) < 0) best = v;
        out[i] = best;
      }
    }
  }
  return out;
}

/** Compares in ascending terms; missing values go last (or first) regardless of direction, as in ES. */
function compareSortValues(a: unknown, b: unknown, c: SortCrit): number {
  const missing = c.missing;
  if (missing !== "_last" && missing !== "_first") {
    const m = c.numeric ? Number(missing) : String(missing);
    if (a === undefined) a = m;
    if (b === undefined) b = m;
  }
  if (a === undefined || b === undefined) {
    if (a === b) return 0;
    const aFirst = missing === "_first" ? -1 : 1;
    // The caller negates for desc; pre-compensate so missing stays where requested.
    const r = a === undefined ? aFirst : -aFirst;
    return c.asc ? r : -r;
  }
  if (typeof a === "number" && typeof b === "number") return a - b;
  return compareStrings(String(a), String(b));
}

// ---------------------------------------------------------------------------------------------
// Dates: time zones, calendar arithmetic, Java-style formats, date math

type CalUnit = "second" | "minute" | "hour" | "day" | "week" | "month" | "quarter" | "year";

interface Zone {
  readonly id: string;
  /** Offset from UTC (ms) in effect at a UTC instant. */
  offset(utc: number): number;
  /** UTC instant of a local wall-clock time (expressed as millis since the local epoch). */
  toUtc(local: number): number;
}

function fixedZone(id: string, offsetMs: number): Zone {
  return { id, offset: () => offsetMs, toUtc: (local) => local - offsetMs };
}

const UTC = fixedZone("Z", 0);

function formatOffsetId(ms: number): string {
  if (ms === 0) return "Z";
  const sign = ms < 0 ? "-" : "+";
  const abs = Math.abs(ms) / MINUTE;
  const h = Math.floor(abs / 60);
  const m = abs % 60;
  return `${sign}${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}

const zoneCache = new Map<string, Zone>();

/** `time_zone`: fixed offsets (`+08:00`, `-0530`, `UTC+1`), `UTC`/`Z`/`GMT`, or IANA ids (via Intl). */
function parseZone(spec: unknown, agg: AggSpec): Zone {
  if (spec === undefined || spec === null) return UTC;
  if (typeof spec !== "string" || spec.trim() === "")
    throw paramError(agg, "time_zone", "a time zone id", spec);
  const s = spec.trim();
  if (/^(?:Z|UTC|GMT|UT|Etc\/UTC|Etc\/GMT|Etc\/UCT|UCT|Zulu|Etc\/Zulu)$/i.test(s)) return UTC;
  const m = /^(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/i.exec(s);
  if (m) {
    const h = Number(m[2]);
    const min = Number(m[3] ?? 0);
    const sec = Number(m[4] ?? 0);
    if (h > 18 || min > 59 || sec > 59 || (h === 18 && (min > 0 || sec > 0))) {
      throw new AggregationError(`Zone offset not in valid range: -18:00 to +18:00`, agg.path);
    }
    const ms = (m[1] === "-" ? -1 : 1) * (h * HOUR + min * MINUTE + sec * SECOND);
    return fixedZone(formatOffsetId(ms), ms);
  }
  const cached = zoneCache.get(s);
  if (cached) return cached;
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: s,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      era: "short",
    });
  } catch {
    throw new AggregationError(`Unknown time-zone ID: ${s}`, agg.path);
  }
  const zone = ianaZone(fmt.resolvedOptions().timeZone, fmt);
  zoneCache.set(s, zone);
  return zone;
}

function ianaZone(id: string, fmt: Intl.DateTimeFormat): Zone {
  const SLOT = 15 * MINUTE;
  const cache = new Map<number, number>();
  const compute = (utc: number): number => {
    const parts: Record<string, string> = {};
    for (const p of fmt.formatToParts(new Date(utc))) parts[p.type] = p.value;
    let year = Number(parts.year);
    if (parts.era === "BC" || parts.era === "B") year = 1 - year;
    const local = Date.UTC(
      year,
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour) % 24,
      Number(parts.minute),
      Number(parts.second),
    );
    const d = new Date(local);
    if (year >= 0 && year < 100) d.setUTCFullYear(year);
    return d.getTime() - Math.floor(utc / SECOND) * SECOND;
  };
  const offset = (utc: number): number => {
    const slot = Math.floor(utc / SLOT);
    let o = cache.get(slot);
    if (o === undefined) {
      o = compute(slot * SLOT);
      cache.set(slot, o);
    }
    return o;
  };
  return {
    id,
    offset,
    toUtc: (local) => {
      let utc = local - offset(local);
      const o2 = offset(utc);
      if (local - o2 !== utc) {
        const alt = local - o2;
        // In a DST gap neither candidate maps back; take the later instant, like java.time.
        utc = alt + offset(alt) === local ? alt : Math.max(utc, alt);
      }
      return utc;
    },
  };
}

function floorLocal(local: number, unit: CalUnit): number {
  switch (unit) {
    case "second":
      return Math.floor(local / SECOND) * SECOND;
    case "minute":
      return Math.floor(local / MINUTE) * MINUTE;
    case "hour":
      return Math.floor(local / HOUR) * HOUR;
    case "day":
      return Math.floor(local / DAY) * DAY;
    case "week": {
      const day = Math.floor(local / DAY) * DAY;
      const dow = new Date(day).getUTCDay(); // 0 = Sunday; ISO weeks start on Monday
      return day - ((dow + 6) % 7) * DAY;
    }
    default: {
      const d = new Date(local);
      const y = d.getUTCFullYear();
      const m = d.getUTCMonth();
      const out = new Date(0);
      out.setUTCFullYear(y, unit === "year" ? 0 : unit === "quarter" ? m - (m % 3) : m, 1);
      return out.getTime();
    }
  }
}

function addLocal(local: number, unit: CalUnit, n: number): number {
  switch (unit) {
    case "second":
      return local + n * SECOND;
    case "minute":
      return local + n * MINUTE;
    case "hour":
      return local + n * HOUR;
    case "day":
      return local + n * DAY;
    case "week":
      return local + n * 7 * DAY;
    default: {
      const d = new Date(local);
      const months = unit === "year" ? 12 * n : unit === "quarter" ? 3 * n : n;
      const day = d.getUTCDate();
      d.setUTCDate(1);
      d.setUTCMonth(d.getUTCMonth() + months);
      // Clamp to the last day of the target month (Jan 31 + 1M = Feb 28/29), like java.time.
      const last = new Date(0);
      last.setUTCFullYear(d.getUTCFullYear(), d.getUTCMonth() + 1, 0);
      d.setUTCDate(Math.min(day, last.getUTCDate()));
      return d.getTime();
    }
  }
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** ES's built-in formats (java.time patterns used for printing). */
const NAMED_FORMATS: Record<string, string> = {
  strict_date_optional_time: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  date_optional_time: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  strict_date_optional_time_nanos: "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX",
  strict_date_time: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  date_time: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  strict_date_time_no_millis: "yyyy-MM-dd'T'HH:mm:ssXXX",
  date_time_no_millis: "yyyy-MM-dd'T'HH:mm:ssXXX",
  strict_date: "yyyy-MM-dd",
  date: "yyyy-MM-dd",
  year_month_day: "yyyy-MM-dd",
  strict_year_month_day: "yyyy-MM-dd",
  strict_year_month: "yyyy-MM",
  year_month: "yyyy-MM",
  strict_year: "yyyy",
  year: "yyyy",
  strict_date_hour: "yyyy-MM-dd'T'HH",
  date_hour: "yyyy-MM-dd'T'HH",
  strict_date_hour_minute: "yyyy-MM-dd'T'HH:mm",
  date_hour_minute: "yyyy-MM-dd'T'HH:mm",
  strict_date_hour_minute_second: "yyyy-MM-dd'T'HH:mm:ss",
  date_hour_minute_second: "yyyy-MM-dd'T'HH:mm:ss",
  strict_date_hour_minute_second_millis: "yyyy-MM-dd'T'HH:mm:ss.SSS",
  date_hour_minute_second_millis: "yyyy-MM-dd'T'HH:mm:ss.SSS",
  strict_date_hour_minute_second_fraction: "yyyy-MM-dd'T'HH:mm:ss.SSS",
  date_hour_minute_second_fraction: "yyyy-MM-dd'T'HH:mm:ss.SSS",
  basic_date: "yyyyMMdd",
  basic_date_time: "yyyyMMdd'T'HHmmss.SSSX",
  basic_date_time_no_millis: "yyyyMMdd'T'HHmmssX",
  strict_hour_minute_second: "HH:mm:ss",
  hour_minute_second: "HH:mm:ss",
  strict_hour_minute: "HH:mm",
  hour_minute: "HH:mm",
  strict_hour: "HH",
  hour: "HH",
  strict_time: "HH:mm:ss.SSSXXX",
  time: "HH:mm:ss.SSSXXX",
  strict_time_no_millis: "HH:mm:ssXXX",
  time_no_millis: "HH:mm:ssXXX",
};
/** Named formats parsed leniently as ISO 8601. */
const ISO_FORMATS = new Set([
  "strict_date_optional_time",
  "date_optional_time",
  "strict_date_optional_time_nanos",
  "strict_date_time",
  "date_time",
  "strict_date_time_no_millis",
  "date_time_no_millis",
  "strict_date",
  "date",
  "iso8601",
]);

type FmtToken = { lit: string } | { letter: string; count: number };

const PATTERN_LETTERS = "GuyDMLdQqYwWEecFahKkHmsSAnNVzOXxZp";

function tokenizePattern(pattern: string, spec: AggSpec): FmtToken[] {
  const out: FmtToken[] = [];
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i] as string;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        out.push({ lit: "'" });
        i += 2;
        continue;
      }
      out.push({ lit: pattern.slice(i + 1, end === -1 ? undefined : end).replace(/''/g, "'") });
      i = end === -1 ? pattern.length : end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      if (!PATTERN_LETTERS.includes(c)) {
        throw new AggregationError(`Invalid format: [${pattern}]: Unknown pattern letter: ${c}`, spec.path);
      }
      let j = i;
      while (pattern[j] === c) j++;
      out.push({ letter: c, count: j - i });
      i = j;
    } else if (c === "[" || c === "]") i++;
    else {
      out.push({ lit: c });
      i++;
    }
  }
  return out;
}

interface DateFormat {
  print(utc: number, zone: Zone): string;
  /** Parses with one of the `||` alternatives; undefined when none matches. */
  parse(text: string, zone: Zone): number | undefined;
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, "0");
  return n < 0 ? `-${s}` : s;
}

function printOffset(ms: number, letter: string, count: number): string {
  const sign = ms < 0 ? "-" : "+";
  const abs = Math.abs(ms) / MINUTE;
  const hh = pad(Math.floor(abs / 60), 2);
  const mm = pad(abs % 60, 2);
  if (letter === "Z") {
    if (count === 4) return ms === 0 ? "GMT" : `GMT${sign}${hh}:${mm}`;
    if (count === 5) return ms === 0 ? "Z" : `${sign}${hh}:${mm}`;
    return `${sign}${hh}${mm}`;
  }
  if (letter === "X" && ms === 0) return "Z";
  if (count === 1) return abs % 60 === 0 ? `${sign}${hh}` : `${sign}${hh}${mm}`;
  if (count === 2 || count === 4) return `${sign}${hh}${mm}`;
  return `${sign}${hh}:${mm}`;
}

function printTokens(tokens: readonly FmtToken[], utc: number, zone: Zone): string {
  const off = zone.offset(utc);
  const d = new Date(utc + off);
  let out = "";
  for (const t of tokens) {
    if ("lit" in t) {
      out += t.lit;
      continue;
    }
    const { letter, count } = t;
    switch (letter) {
      case "y":
      case "u":
      case "Y": {
        const y = d.getUTCFullYear();
        out += count === 2 ? pad(((y % 100) + 100) % 100, 2) : pad(y, count);
        break;
      }
      case "M":
      case "L": {
        const m = d.getUTCMonth();
        out += count >= 4 ? MONTHS[m] : count === 3 ? (MONTHS[m] as string).slice(0, 3) : pad(m + 1, count);
        break;
      }
      case "d":
        out += pad(d.getUTCDate(), count);
        break;
      case "D": {
        const yearStart = new Date(0);
        yearStart.setUTCFullYear(d.getUTCFullYear(), 0, 1);
        out += pad(Math.floor((d.getTime() - yearStart.getTime()) / DAY) + 1, count);
        break;
      }
      case "Q":
      case "q":
        out +=
          count >= 3
            ? `Q${Math.floor(d.getUTCMonth() / 3) + 1}`
            : pad(Math.floor(d.getUTCMonth() / 3) + 1, count);
        break;
      case "E":
      case "e":
      case "c": {
        const name = DAYS[d.getUTCDay()] as string;
        if ((letter === "e" || letter === "c") && count <= 2) out += String(((d.getUTCDay() + 6) % 7) + 1);
        else out += count >= 4 ? name : name.slice(0, 3);
        break;
      }
      case "a":
        out += d.getUTCHours() < 12 ? "AM" : "PM";
        break;
      case "H":
        out += pad(d.getUTCHours(), count);
        break;
      case "k":
        out += pad(d.getUTCHours() === 0 ? 24 : d.getUTCHours(), count);
        break;
      case "h":
        out += pad(d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12, count);
        break;
      case "K":
        out += pad(d.getUTCHours() % 12, count);
        break;
      case "m":
        out += pad(d.getUTCMinutes(), count);
        break;
      case "s":
        out += pad(d.getUTCSeconds(), count);
        break;
      case "S":
        out += pad(d.getUTCMilliseconds(), 3).padEnd(count, "0").slice(0, count);
        break;
      case "A":
        out += pad(utc + off - Math.floor((utc + off) / DAY) * DAY, count);
        break;
      case "n":
        out += pad(d.getUTCMilliseconds() * 1_000_000, count);
        break;
      case "N":
        out += pad((utc + off - Math.floor((utc + off) / DAY) * DAY) * 1_000_000, count);
        break;
      case "X":
      case "x":
      case "Z":
        out += printOffset(off, letter, count);
        break;
      case "O":
        out += off === 0 ? "GMT" : `GMT${printOffset(off, "x", 3)}`;
        break;
      case "V":
      case "z":
        out += zone.id;
        break;
      case "G":
        out += d.getUTCFullYear() > 0 ? "AD" : "BC";
        break;
      default:
        out += letter.repeat(count);
    }
  }
  return out;
}

function tokensRegex(tokens: readonly FmtToken[]): { re: RegExp; fields: string[] } {
  let src = "";
  const fields: string[] = [];
  for (const t of tokens) {
    if ("lit" in t) {
      src += t.lit.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      continue;
    }
    const { letter, count } = t;
    const num = (min: number, max: number) =>
      `(\\d{${count >= 2 ? Math.max(count, min) : min},${Math.max(count, max)}})`;
    switch (letter) {
      case "y":
      case "u":
      case "Y":
        src += count === 2 ? "(\\d{2})" : "([+-]?\\d{1,9})";
        fields.push(count === 2 ? "yy" : "y");
        break;
      case "M":
      case "L":
        src += count >= 3 ? `(${MONTHS.map((m) => (count === 3 ? m.slice(0, 3) : m)).join("|")})` : num(1, 2);
        fields.push(count >= 3 ? "MMM" : "M");
        break;
      case "d":
      case "H":
      case "h":
      case "k":
      case "K":
      case "m":
      case "s":
        src += num(1, 2);
        fields.push(letter);
        break;
      case "S":
        src += "(\\d{1,9})";
        fields.push("S");
        break;
      case "a":
        src += "(AM|PM|am|pm)";
        fields.push("a");
        break;
      case "E":
        src += `(${DAYS.map((d) => (count >= 4 ? d : d.slice(0, 3))).join("|")})`;
        fields.push("E");
        break;
      case "X":
      case "x":
      case "Z":
        src += "(Z|[+-]\\d{2}(?::?\\d{2})?)";
        fields.push("Z");
        break;
      default:
        src += "(\\S+?)";
        fields.push("?");
    }
  }
  return { re: new RegExp(`^${src}$`, "i"), fields };
}

function parseOffsetText(s: string): number {
  if (s === "Z" || s === "z") return 0;
  const sign = s.startsWith("-") ? -1 : 1;
  const digits = s.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * HOUR + Number(digits.slice(2, 4) || "0") * MINUTE);
}

const ISO_RE =
  /^([+-]\d{4,9}|\d{4})(?:-(\d{2})(?:-(\d{2})(?:[Tt ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

function localMillis(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  if (date.getUTCDate() !== d && h < 24) return undefined;
  return date.getTime();
}

function parseIso(text: string, zone: Zone): number | undefined {
  const m = ISO_RE.exec(text);
  if (!m) return undefined;
  const [, y = "0", mo = "1", d = "1", h = "0", mi = "0", s = "0", frac = "0", off] = m;
  const local = localMillis(
    Number(y),
    Number(mo),
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Number(frac.padEnd(3, "0").slice(0, 3)),
  );
  if (local === undefined) return undefined;
  return off === undefined ? zone.toUtc(local) : local - parseOffsetText(off);
}

const dateFormatCache = new Map<string, DateFormat>();

function compileDateFormat(pattern: string, spec: AggSpec): DateFormat {
  const cached = dateFormatCache.get(pattern);
  if (cached) return cached;
  const alternatives = pattern
    .split("||")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (alternatives.length === 0) throw new AggregationError(`Invalid format: [${pattern}]`, spec.path);
  const parsers: ((text: string, zone: Zone) => number | undefined)[] = [];
  let printer: ((utc: number, zone: Zone) => string) | undefined;
  for (const alt of alternatives) {
    if (alt === "epoch_millis" || alt === "epoch_second") {
      const scale = alt === "epoch_millis" ? 1 : SECOND;
      printer ??= (utc) => (scale === 1 ? String(utc) : String(utc / SECOND));
      parsers.push((text) => (/^-?\d+(?:\.\d+)?$/.test(text) ? Number(text) * scale : undefined));
      continue;
    }
    const named = NAMED_FORMATS[alt];
    const tokens = tokenizePattern(named ?? alt, spec);
    printer ??= (utc, zone) => printTokens(tokens, utc, zone);
    if (ISO_FORMATS.has(alt)) {
      parsers.push(parseIso);
      continue;
    }
    const { re, fields } = tokensRegex(tokens);
    parsers.push((text, zone) => {
      const m = re.exec(text);
      if (!m) return undefined;
      let y = 1970;
      let mo = 1;
      let d = 1;
      let h = 0;
      let mi = 0;
      let s = 0;
      let ms = 0;
      let pm: boolean | undefined;
      let off: number | undefined;
      fields.forEach((f, i) => {
        const v = m[i + 1] as string;
        switch (f) {
          case "y":
            y = Number(v);
            break;
          case "yy":
            y = 2000 + Number(v);
            break;
          case "M":
            mo = Number(v);
            break;
          case "MMM":
            mo = MONTHS.findIndex((n) => n.toLowerCase().startsWith(v.toLowerCase())) + 1;
            break;
          case "d":
            d = Number(v);
            break;
          case "H":
          case "k":
            h = Number(v) % 24;
            break;
          case "h":
          case "K":
            h = Number(v) % 12;
            break;
          case "m":
            mi = Number(v);
            break;
          case "s":
            s = Number(v);
            break;
          case "S":
            ms = Number(v.padEnd(3, "0").slice(0, 3));
            break;
          case "a":
            pm = v.toUpperCase() === "PM";
            break;
          case "Z":
            off = parseOffsetText(v);
            break;
        }
      });
      if (pm) h += 12;
      const local = localMillis(y, mo, d, h, mi, s, ms);
      if (local === undefined) return undefined;
      return off === undefined ? zone.toUtc(local) : local - off;
    });
  }
  const format: DateFormat = {
    print: printer ?? ((utc) => String(utc)),
    parse: (text, zone) => {
      for (const p of parsers) {
        const v = p(text, zone);
        if (v !== undefined) return v;
      }
      return undefined;
    },
  };
  dateFormatCache.set(pattern, format);
  return format;
}

const DATE_MATH_UNITS: Record<string, CalUnit> = {
  y: "year",
  M: "month",
  w: "week",
  d: "day",
  h: "hour",
  H: "hour",
  m: "minute",
  s: "second",
};

/** A date (number = epoch millis, or text in `pattern`) with ES date math: `now-1d/d`, `2020-01-01||+1M`. */
function parseDateMath(value: unknown, pattern: string, zone: Zone, now: number, spec: AggSpec): number {
  const fail = () =>
    new AggregationError(
      `failed to parse date field [${String(value)}] with format [${pattern}]`,
      spec.path,
      "parse_exception",
    );
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw fail();
    return pattern.split("||")[0]?.trim() === "epoch_second" ? value * SECOND : value;
  }
  if (typeof value !== "string" || value.trim() === "") throw fail();
  const text = value.trim();
  let anchor: number | undefined;
  let math: string;
  if (text.startsWith("now")) {
    anchor = now;
    math = text.slice(3);
  } else {
    const sep = text.indexOf("||");
    const dateText = sep === -1 ? text : text.slice(0, sep);
    math = sep === -1 ? "" : text.slice(sep + 2);
    anchor = compileDateFormat(pattern, spec).parse(dateText, zone);
    if (anchor === undefined) anchor = parseIso(dateText, zone);
    if (anchor === undefined && /^-?\d+$/.test(dateText)) anchor = Number(dateText);
  }
  if (anchor === undefined) throw fail();
  let t = anchor;
  let rest = math;
  while (rest.length > 0) {
    const m = /^(?:([+-])(\d*)([yMwdhHms])|\/([yMwdhHms]))/.exec(rest);
    if (!m) {
      throw new AggregationError(
        `operator not supported for date math [${math}]`,
        spec.path,
        "parse_exception",
      );
    }
    rest = rest.slice(m[0].length);
    const local = t + zone.offset(t);
    if (m[4] !== undefined) t = zone.toUtc(floorLocal(local, DATE_MATH_UNITS[m[4]] as CalUnit));
    else {
      const n = (m[1] === "-" ? -1 : 1) * (m[2] === "" ? 1 : Number(m[2]));
      t = zone.toUtc(addLocal(local, DATE_MATH_UNITS[m[3] as string] as CalUnit, n));
    }
  }
  return t;
}

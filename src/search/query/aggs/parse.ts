/**
 * Request parsing: the `aggs` tree into {@link AggSpec}s (with ES's parsing_exception messages and
 * "did you mean" suggestions), and the readers aggregations use to validate their parameters.
 */
import { AggregationError, type AggSpec, parsingError } from "./core.ts";
import { isAbsent, isObject, type Json, toNumber } from "./util.ts";

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
const METRIC_TYPES: readonly string[] = [
  "avg",
  "min",
  "max",
  "sum",
  "value_count",
  "cardinality",
  "stats",
  "extended_stats",
  "top_hits",
];
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

/** The JSON token name ES reports in "Expected [START_OBJECT] … but got a [X]" errors. */
function tokenName(v: unknown): string {
  if (Array.isArray(v)) return "START_ARRAY";
  if (v === null) return "VALUE_NULL";
  if (typeof v === "string") return "VALUE_STRING";
  if (typeof v === "number") return "VALUE_NUMBER";
  if (typeof v === "boolean") return "VALUE_BOOLEAN";
  return "START_OBJECT";
}

/** ES's "Expected [START_OBJECT] under [x], but got a [Y] in [name]" for a non-object value. */
function expectObject(value: unknown, under: string, path: string, inName?: string): asserts value is Json {
  if (isObject(value)) return;
  const where = inName === undefined ? "" : ` in [${inName}]`;
  throw parsingError(
    `Expected [START_OBJECT] under [${under}], but got a [${tokenName(value)}]${where}`,
    path,
  );
}

export function parseAggs(aggs: unknown, parentPath: string): AggSpec[] {
  if (isAbsent(aggs)) return [];
  expectObject(aggs, "aggregations", parentPath);
  const out: AggSpec[] = [];
  for (const [name, def] of Object.entries(aggs)) {
    const path = parentPath ? `${parentPath}.${name}` : name;
    if (/[[\]>]/.test(name)) {
      throw parsingError(
        `Invalid aggregation name [${name}]. Aggregation names can contain any character except '[', ']', and '>'`,
        path,
      );
    }
    expectObject(def, name, path, name);
    out.push(parseAgg(name, path, def));
  }
  return out;
}

function parseAgg(name: string, path: string, def: Json): AggSpec {
  let type: string | undefined;
  let body: Json = {};
  let meta: Json | undefined;
  let subsDef: unknown;
  let hasSubs = false;
  for (const [key, value] of Object.entries(def)) {
    if (key === "meta") {
      expectObject(value, "meta", path, name);
      meta = value;
    } else if (key === "aggs" || key === "aggregations") {
      if (hasSubs) throw parsingError(`Found two sub aggregation definitions under [${name}]`, path);
      hasSubs = true;
      subsDef = value;
    } else {
      if (type !== undefined) {
        throw parsingError(
          `Found two aggregation type definitions in [${name}]: [${type}] and [${key}]`,
          path,
        );
      }
      checkType(key, name, path);
      expectObject(value, key, path, name);
      type = key;
      body = value;
    }
  }
  if (type === undefined) throw parsingError(`Missing definition for aggregation [${name}]`, path);
  const subs = parseAggs(subsDef, path);
  if (subs.length > 0 && METRIC_TYPES.includes(type)) {
    throw new AggregationError(
      `Aggregator [${name}] of type [${type}] cannot accept sub-aggregations`,
      path,
      "aggregation_initialization_exception",
    );
  }
  return { name, path, type, body, meta, subs };
}

function checkType(type: string, name: string, path: string): void {
  if (SUPPORTED.has(type)) return;
  if (UNSUPPORTED.includes(type)) {
    throw new AggregationError(
      `Aggregation type [${type}] is not supported by this engine (in [${name}])`,
      path,
    );
  }
  throw parsingError(`Unknown aggregation type [${type}]${didYouMean(type, ALL_TYPES)}`, path);
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

// ---------------------------------------------------------------------------------------------
// Parameter readers

export function checkParams(spec: AggSpec, allowed: readonly string[]): void {
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

export function paramError(spec: AggSpec, key: string, expected: string, value: unknown): AggregationError {
  return new AggregationError(
    `[${spec.type}] failed to parse field [${key}] in [${spec.name}]: expected ${expected} but got ${JSON.stringify(value)}`,
    spec.path,
    "x_content_parse_exception",
  );
}

/** Reads an optional parameter; `convert` returns undefined for a value of the wrong kind. */
function readParam<T>(
  spec: AggSpec,
  key: string,
  expected: string,
  convert: (v: unknown) => T | undefined,
): T | undefined {
  const v = spec.body[key];
  if (isAbsent(v)) return undefined;
  const out = convert(v);
  if (out === undefined) throw paramError(spec, key, expected, v);
  return out;
}

export function numParam(spec: AggSpec, key: string): number | undefined {
  return readParam(spec, key, "a number", (v) => {
    const n = toNumber(v);
    return typeof n === "number" && Number.isFinite(n) ? n : undefined;
  });
}

export function intParam(spec: AggSpec, key: string): number | undefined {
  const n = numParam(spec, key);
  if (n !== undefined && !Number.isInteger(n)) throw paramError(spec, key, "an integer", spec.body[key]);
  return n;
}

export function boolParam(spec: AggSpec, key: string, dflt: boolean): boolean {
  const parsed = readParam(spec, key, "a boolean", (v) =>
    v === true || v === "true" ? true : v === false || v === "false" ? false : undefined,
  );
  return parsed ?? dflt;
}

export function strParam(spec: AggSpec, key: string): string | undefined {
  return readParam(spec, key, "a string", (v) => (typeof v === "string" ? v : undefined));
}

/**
 * ES's "[label] must be greater than 0" (or "… greater than or equal to 0" with `allowZero`) check of
 * a count-like parameter; `label` is ES's camelCase name (minDocCount, shardSize …).
 */
export function checkSign(spec: AggSpec, label: string, value: number | undefined, allowZero: boolean): void {
  if (value === undefined || (allowZero ? value >= 0 : value > 0)) return;
  throw new AggregationError(
    `[${label}] must be greater than ${allowZero ? "or equal to " : ""}0. Found [${value}] in [${spec.name}]`,
    spec.path,
  );
}

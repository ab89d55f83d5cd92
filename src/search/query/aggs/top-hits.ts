/** The top_hits aggregation: each bucket's best docs by score or by field sort, built by the context. */
import { AggregationError, type AggSpec, defineNode, type Env, type Node } from "./core.ts";
import { boolParam, checkParams, intParam, paramError } from "./parse.ts";
import { FLOAT_TYPES, INTEGRAL_TYPES, textFieldError } from "./sources.ts";
import { compareStrings, isAbsent, isObject, type Json } from "./util.ts";

/** ES's `index.max_inner_result_window` default. */
const MAX_INNER_RESULT_WINDOW = 100;

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

export function compileTopHits(spec: AggSpec, env: Env): Node {
  checkParams(spec, TOP_HITS_PARAMS);
  const from = intParam(spec, "from") ?? 0;
  const size = intParam(spec, "size") ?? 3;
  const notNegative = (name: string, value: number) => {
    if (value < 0)
      throw new AggregationError(`[${name}] parameter cannot be negative but was [${value}]`, spec.path);
  };
  notNegative("from", from);
  notNegative("size", size);
  if (from + size > MAX_INNER_RESULT_WINDOW) {
    throw new AggregationError(
      `Top hits result window is too large, the top hits aggregator [${spec.name}]'s from + size must be less than or equal to: [${MAX_INNER_RESULT_WINDOW}] but was [${from + size}]. This limit can be set by changing the [index.max_inner_result_window] index level setting.`,
      spec.path,
    );
  }
  const sort = parseSort(spec, env);
  const trackScores = boolParam(spec, "track_scores", false) || sort.some((c) => c.kind === "score");
  const { ctx } = env;
  const { from: _from, size: _size, ...rest } = spec.body;
  return defineNode(spec, (docs) => {
    const n = docs.length;
    let scores: Float32Array | undefined;
    if (trackScores) {
      scores = new Float32Array(n);
      for (let i = 0; i < n; i++) scores[i] = ctx.score(docs[i] as number);
    }
    const order = sortedOrder(docs, scores, sort, env);
    // The callee slices from/size; docs past from + size can never be on the page.
    const top = order.subarray(0, Math.min(from + size, n));
    const topDocs = new Int32Array(top.length);
    const topScores = scores ? new Float32Array(top.length) : undefined;
    for (let i = 0; i < top.length; i++) {
      topDocs[i] = docs[top[i] as number] as number;
      if (topScores && scores) topScores[i] = scores[top[i] as number] as number;
    }
    let maxScore: number | null = null;
    if (scores && n > 0) {
      maxScore = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < n; i++) if ((scores[i] as number) > maxScore) maxScore = scores[i] as number;
    }
    const built = ctx.hits(topDocs, topScores, { ...rest, from, size, sort: spec.body.sort });
    const total = { value: n, relation: "eq" };
    const hits = isObject(built)
      ? { ...built, total, max_score: maxScore }
      : { total, max_score: maxScore, hits: built ?? [] };
    return { hits };
  });
}

/** Indexes into `docs` in sort order (ties by doc, ascending). */
function sortedOrder(
  docs: Int32Array,
  scores: Float32Array | undefined,
  sort: readonly SortCrit[],
  env: Env,
): Int32Array {
  const order = new Int32Array(docs.length);
  for (let i = 0; i < docs.length; i++) order[i] = i;
  const keys = sort.map((c) => sortKeys(c, docs, env));
  order.sort((a, b) => {
    for (let k = 0; k < sort.length; k++) {
      const c = sort[k] as SortCrit;
      let r: number;
      if (c.kind === "score") r = (scores?.[b] as number) - (scores?.[a] as number);
      else if (c.kind === "doc") r = (docs[a] as number) - (docs[b] as number);
      else r = compareSortValues((keys[k] as unknown[])[a], (keys[k] as unknown[])[b], c);
      // Scores compare descending above, everything else ascending.
      if (c.kind === "score" ? c.asc : !c.asc) r = -r;
      if (r !== 0) return r;
    }
    return (docs[a] as number) - (docs[b] as number);
  });
  return order;
}

function parseSort(spec: AggSpec, env: Env): SortCrit[] {
  const raw = spec.body.sort;
  if (isAbsent(raw)) return [{ kind: "score", asc: false }];
  const out: SortCrit[] = [];
  for (const item of Array.isArray(raw) ? raw : [raw]) {
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
    if (field === "_score") out.push({ kind: "score", asc: order === "asc" });
    else if (field === "_doc") out.push({ kind: "doc", asc: order !== "desc" });
    else out.push(fieldSort(spec, env, field, opts, order !== "desc"));
  }
  return out;
}

function fieldSort(spec: AggSpec, env: Env, field: string, opts: Json, asc: boolean): SortCrit {
  const type = env.ctx.fieldType(field);
  if (type === "text") throw textFieldError(field, spec.path);
  const unmappedType = opts.unmapped_type;
  if (type === undefined && isAbsent(unmappedType)) {
    throw new AggregationError(`No mapping found for [${field}] in order to sort on`, spec.path);
  }
  const t = type ?? String(unmappedType);
  return {
    kind: "field",
    asc,
    // An unmapped field (sorted as unmapped_type) has no values: every doc is missing.
    field: type === undefined ? undefined : field,
    numeric: t === "date" || INTEGRAL_TYPES.has(t) || FLOAT_TYPES.has(t),
    mode: typeof opts.mode === "string" ? opts.mode : undefined,
    missing: opts.missing ?? "_last",
  };
}

/** Per-doc sort value of a field criterion (min for asc / max for desc over multi-values, like ES). */
function sortKeys(c: SortCrit, docs: Int32Array, env: Env): unknown[] {
  if (c.kind !== "field") return [];
  const field = c.field;
  const out = new Array<unknown>(docs.length);
  const mode = c.mode ?? (c.asc ? "min" : "max");
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i] as number;
    if (field === undefined) out[i] = undefined;
    else if (c.numeric) out[i] = numericSortValue(env.ctx.numericValues(field, doc), mode);
    else out[i] = keywordSortValue(env.ctx.keywordValues(field, doc), mode);
  }
  return out;
}

function numericSortValue(vals: readonly number[], mode: string): number | undefined {
  if (vals.length === 0) return undefined;
  if (mode !== "sum" && mode !== "avg" && mode !== "median") {
    return mode === "max" ? Math.max(...vals) : Math.min(...vals);
  }
  const sorted = [...vals].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  if (mode === "sum") return sum;
  if (mode === "avg") return sum / sorted.length;
  const mid = sorted.length / 2;
  return sorted.length % 2
    ? sorted[(sorted.length - 1) / 2]
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function keywordSortValue(vals: readonly string[], mode: string): string | undefined {
  if (vals.length === 0) return undefined;
  let best = vals[0] as string;
  for (const v of vals)
    if (mode === "max" ? compareStrings(v, best) > 0 : compareStrings(v, best) < 0) best = v;
  return best;
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

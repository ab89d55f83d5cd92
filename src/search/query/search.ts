/**
 * Executes a search request body against one or more indices: query and post_filter, scoring,
 * top-k selection (score desc, then index order like Lucene) or field sorts, rescoring, total hits,
 * `_source` filtering, explain, highlight and aggregations. Collecting candidates and rendering
 * hits are separate steps, so hybrid queries (hybrid.ts) collect per sub-query and render once.
 */
import { EngineError, illegalArgument, parsingError } from "../errors.ts";
import type { Segment } from "../index/segment.ts";
import { type FieldMapping, isObject } from "../mapping.ts";
import { type AggregationContext, AggregationError, runAggregations } from "./aggregations.ts";
import { type Candidate, indexOrder } from "./candidates.ts";
import { compileQuery } from "./compile.ts";
import type { QueryContext } from "./context.ts";
import { intParam } from "./dsl-values.ts";
import type { Explanation } from "./explanation.ts";
import { highlightField } from "./highlight.ts";
import { maxScoreTopK, type TermPostings } from "./max-score.ts";
import { applyRescore, parseRescore, type RescoreSpec, rescoreWindow } from "./rescore.ts";
import { applySourceFilter, parseSourceFilter, type SourceFilter, valuesAtPath } from "./source-filter.ts";
import { BoolWeight, TermWeight, type Weight } from "./weights.ts";

export type { Candidate } from "./candidates.ts";

export interface SearchTarget {
  name: string;
  ctx: QueryContext;
  source(id: string): Record<string, unknown> | undefined;
  maxResultWindow: number;
  versionOf(id: string): { version: number; seqNo: number } | undefined;
}

const BODY_KEYS = new Set([
  "query",
  "from",
  "size",
  "sort",
  "_source",
  "track_total_hits",
  "explain",
  "highlight",
  "aggs",
  "aggregations",
  "post_filter",
  "min_score",
  "search_after",
  "version",
  "seq_no_primary_term",
  "timeout",
  "terminate_after",
  "track_scores",
  "stored_fields",
  "docvalue_fields",
  "fields",
  "search_after",
  "profile",
  "indices_boost",
  "ext",
  "collapse",
  "rescore",
]);

/** Global doc handles across targets and segments for aggregations. */
export class DocSpace {
  readonly bases: number[] = [];
  readonly owners: { target: number; seg: Segment }[] = [];
  total = 0;
  constructor(targets: SearchTarget[]) {
    targets.forEach((t, ti) => {
      for (const seg of t.ctx.segments) {
        this.bases.push(this.total);
        this.owners.push({ target: ti, seg });
        this.total += seg.maxDoc;
      }
    });
  }
  locate(handle: number): { target: number; seg: Segment; doc: number; part: number } {
    let lo = 0;
    let hi = this.bases.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.bases[mid] as number) <= handle) lo = mid;
      else hi = mid - 1;
    }
    const owner = this.owners[lo] as { target: number; seg: Segment };
    return { ...owner, doc: handle - (this.bases[lo] as number), part: lo };
  }
}

/** A search body parsed once: what every way of running a search (plain, hybrid) shares. */
export interface SearchRequest {
  body: Record<string, unknown>;
  from: number;
  size: number;
  sourceFilter: SourceFilter;
  sort: SortSpec[] | undefined;
  trackTotal: unknown;
  trackScores: boolean;
  minScore: number | undefined;
  highlight: HighlightSpec | undefined;
  explain: boolean;
  aggs: unknown;
  rescore: RescoreSpec[];
  restTotalHitsAsInt: boolean;
  /** Sort values of the last hit of the previous page: hits sorting after them (deep paging). */
  searchAfter: unknown[] | undefined;
}

export function parseSearchRequest(
  targets: SearchTarget[],
  rawBody: unknown,
  params: Record<string, unknown> = {},
): SearchRequest {
  const body = rawBody === undefined || rawBody === null ? {} : rawBody;
  if (!isObject(body)) throw parsingError("request body must be a JSON object");
  for (const key of Object.keys(body)) {
    if (!BODY_KEYS.has(key)) throw parsingError(`Unknown key for a START_OBJECT in [${key}].`);
  }
  if (body.collapse !== undefined)
    throw parsingError("[collapse] is not supported by this engine; page with from/size or search_after");
  const from = body.from === undefined ? 0 : intParam(body.from, "search", "from");
  const size = body.size === undefined ? 10 : intParam(body.size, "search", "size");
  const sort = parseSort(body.sort);
  const searchAfter = parseSearchAfter(body.search_after, sort, from);
  const window = resultWindow(targets);
  if (from + size > window) {
    throw new EngineError(
      400,
      "illegal_argument_exception",
      `Result window is too large, from + size must be less than or equal to: [${window}] but was [${from + size}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.`,
    );
  }
  const rescore = parseRescore(body.rescore, window);
  if (rescore.length && sort)
    throw illegalArgument("Cannot use [sort] option in conjunction with [rescore].");
  return {
    body,
    from,
    size,
    sourceFilter: parseSourceFilter(body._source),
    sort,
    trackTotal: body.track_total_hits ?? 10_000,
    trackScores: !sort || body.track_scores === true || sort.some((s) => s.field === "_score"),
    minScore: body.min_score === undefined ? undefined : Number(body.min_score),
    highlight: body.highlight === undefined ? undefined : parseHighlight(body.highlight),
    explain: body.explain === true || params.explain === "true",
    aggs: body.aggs ?? body.aggregations,
    rescore,
    restTotalHitsAsInt: params.rest_total_hits_as_int === "true",
    searchAfter,
  };
}

/** `search_after`: one value per sort field, with `from` 0 (Elasticsearch's rules and messages). */
function parseSearchAfter(value: unknown, sort: SortSpec[] | undefined, from: number): unknown[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw parsingError("[search_after] must be an array of sort values");
  if (!sort)
    throw illegalArgument(
      "[search_after] needs a [sort] of one or more fields (with a unique tiebreaker such as _id)",
    );
  if (value.length !== sort.length)
    throw illegalArgument(`search_after has ${value.length} value(s) but sort has ${sort.length}.`);
  if (
    value.some((v) => v !== null && typeof v !== "number" && typeof v !== "string" && typeof v !== "boolean")
  )
    throw parsingError("[search_after] values must be numbers, strings, booleans or null");
  if (from !== 0) throw illegalArgument("`from` parameter must be set to 0 when `search_after` is used.");
  return value.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v));
}

/** The smallest max_result_window of the targets (ES caps at 10,000 regardless). */
export function resultWindow(targets: SearchTarget[]): number {
  return Math.min(...targets.map((t) => t.maxResultWindow), 10_000);
}

export function executeSearch(
  targets: SearchTarget[],
  rawBody: unknown,
  params: Record<string, unknown> = {},
): Record<string, unknown> {
  const started = performance.now();
  const req = parseSearchRequest(targets, rawBody, params);
  const weights = targets.map((t) => compileQuery(t.ctx, req.body.query));
  const collected = collectTop(targets, weights, {
    // rescoring looks at its whole window even when the page is smaller (as ES's shards collect)
    k: Math.max(req.from + req.size, rescoreWindow(req.rescore)),
    sort: req.sort,
    postFilters: compilePostFilter(targets, req.body.post_filter),
    minScore: req.minScore,
    trackTotal: req.trackTotal,
    aggregate: req.aggs !== undefined,
  });
  let ranked = collected.ranked;
  if (req.searchAfter && req.sort && collected.sortValues) {
    const { sort, searchAfter } = req;
    const valuesOf = collected.sortValues;
    ranked = ranked.filter((c) => compareValues(valuesOf(c), searchAfter, sort) > 0);
  }
  let maxScore = collected.maxScore;
  let explainHit = (c: Candidate) => explainWith(targets, weights[c.target] as Weight, c);
  if (req.rescore.length) {
    const rescored = applyRescore(targets, ranked, req.rescore);
    ranked = rescored.ranked;
    // ES reports the best rescored score as max_score
    if (ranked.length) maxScore = (ranked[0] as Candidate).score;
    const firstPass = explainHit;
    explainHit = (c) => rescored.explain(c, firstPass(c));
  }
  const hits = renderHits(targets, ranked.slice(req.from, req.from + req.size), req, {
    termsOf: (target) => weights[target] as Weight,
    explain: explainHit,
    sortValues: collected.sortValues,
  });
  return searchResponse(targets, req, {
    started,
    hits,
    total: collected.total,
    maxScore,
    aggregations: collected.aggregations,
  });
}

export function compilePostFilter(targets: SearchTarget[], postFilter: unknown): Weight[] | undefined {
  return postFilter === undefined ? undefined : targets.map((t) => compileQuery(t.ctx, postFilter, 0));
}

/** A document's explanation from its weight, or a bare "match" when the weight cannot explain it. */
export function explainWith(targets: SearchTarget[], weight: Weight, c: Candidate): Explanation {
  const seg = (targets[c.target] as SearchTarget).ctx.segments[c.seg] as Segment;
  return weight.explain(seg, c.doc) ?? { value: c.score, description: "match", details: [] };
}

export interface CollectOptions {
  /** How many of the best documents by score to keep (a sort keeps every match, in sort order). */
  k: number;
  sort?: SortSpec[];
  /** One post_filter weight per target: filters hits (and total) but not aggregations. */
  postFilters?: Weight[];
  minScore?: number;
  trackTotal: unknown;
  /** Record every match for aggregations. */
  aggregate: boolean;
}

export interface Collected {
  /** Best first: the top k by score (index order on ties, like Lucene), or every match in sort order. */
  ranked: Candidate[];
  /** The sort values of a ranked candidate, when sorting by fields. */
  sortValues?: (c: Candidate) => unknown[];
  total: number;
  maxScore: number;
  aggregations?: AggregationInput;
}

/** Every match of an aggregated search, as handles into a DocSpace. */
export interface AggregationInput {
  space: DocSpace;
  docs: number[];
  scores: Map<number, number>;
}

/** Scores the weights over every segment of every target and keeps the candidates a page needs. */
export function collectTop(targets: SearchTarget[], weights: Weight[], opts: CollectOptions): Collected {
  const { sort, postFilters, minScore, trackTotal } = opts;
  const space = opts.aggregate ? new DocSpace(targets) : undefined;
  const aggDocs: number[] = [];
  const aggScores = new Map<number, number>();
  const candidates: Candidate[] = [];
  let total = 0;
  let maxScore = Number.NEGATIVE_INFINITY;
  let part = 0;
  // top-k by score keeps only a bounded heap; field sorts keep all matches (sorted below)
  const k = opts.k;
  const heap = new TopK(Math.max(k, 0));
  // plain top-k over a disjunction of terms: MaxScore skips what cannot enter the page
  const pruneUpTo =
    !sort && !space && !postFilters && minScore === undefined && k > 0 && typeof trackTotal === "number"
      ? trackTotal + 1
      : undefined;
  targets.forEach((target, ti) => {
    const terms = pruneUpTo === undefined ? undefined : prunableTerms(weights[ti] as Weight);
    target.ctx.segments.forEach((seg, si) => {
      if (terms && pruneUpTo !== undefined) {
        const clauses = terms.map((t) => t.postings(seg)).filter((c): c is TermPostings => c !== null);
        const collector = {
          threshold: () => heap.threshold(),
          offer: (doc: number, score: number) => heap.offer(score, ti, si, doc),
        };
        const r = maxScoreTopK(seg, clauses, collector, total, pruneUpTo);
        total = r.counted;
        if (r.maxScore > maxScore) maxScore = r.maxScore;
        return;
      }
      const hits = (weights[ti] as Weight).hits(seg);
      const post = postFilters ? new Set((postFilters[ti] as Weight).hits(seg).docs) : undefined;
      const base = space ? (space.bases[part] as number) : 0;
      part++;
      for (let i = 0; i < hits.docs.length; i++) {
        const score = hits.scores[i] as number;
        if (minScore !== undefined && score < minScore) continue;
        const doc = hits.docs[i] as number;
        if (space) {
          aggDocs.push(base + doc);
          aggScores.set(base + doc, score);
        }
        if (post && !post.has(doc)) continue;
        total++;
        if (score > maxScore) maxScore = score;
        if (sort) candidates.push({ target: ti, seg: si, doc, score });
        else heap.offer(score, ti, si, doc);
      }
    });
  });
  const aggregations = space ? { space, docs: aggDocs, scores: aggScores } : undefined;
  if (!sort) return { ranked: heap.sorted(), total, maxScore, aggregations };
  return { ...sortCandidates(targets, candidates, sort), total, maxScore, aggregations };
}

/** Orders candidates by a field sort (`_score` being each candidate's score); returns their sort values. */
export function sortCandidates(
  targets: SearchTarget[],
  candidates: Candidate[],
  sort: SortSpec[],
): { ranked: Candidate[]; sortValues: (c: Candidate) => unknown[] } {
  const keyed = candidates.map((c) => ({
    c,
    keys: sort.map((s) => sortKey(targets[c.target] as SearchTarget, c, s)),
  }));
  keyed.sort((a, b) => compareKeys(a, b, sort));
  const byCandidate = new Map(keyed.map((x) => [x.c, x.keys]));
  return { ranked: keyed.map((x) => x.c), sortValues: (c) => byCandidate.get(c) ?? [] };
}

/** What rendering needs besides the request: terms to highlight, explanations, sort values. */
export interface HitDetails {
  /** The weight whose analysed terms are highlighted in a target's hits. */
  termsOf(target: number): Pick<Weight, "collectTerms">;
  explain(c: Candidate): Explanation;
  sortValues?: (c: Candidate) => unknown[];
}

/** ES hits for a ranked page: `_index`, `_id`, `_score`, `_source`, versions, sort values, explain, highlight. */
export function renderHits(
  targets: SearchTarget[],
  page: Candidate[],
  req: SearchRequest,
  details: HitDetails,
): Record<string, unknown>[] {
  const { body, sourceFilter, highlight } = req;
  return page.map((c) => {
    const target = targets[c.target] as SearchTarget;
    const seg = target.ctx.segments[c.seg] as Segment;
    const id = seg.ids[c.doc] as string;
    const hit: Record<string, unknown> = {
      _index: target.name,
      _id: id,
      _score: req.trackScores ? c.score : null,
    };
    const needSource = sourceFilter.enabled || highlight;
    const source = needSource ? target.source(id) : undefined;
    if (source && sourceFilter.enabled) hit._source = applySourceFilter(source, sourceFilter);
    if (body.version === true || body.seq_no_primary_term === true) {
      const v = target.versionOf(id);
      if (v && body.version === true) hit._version = v.version;
      if (v && body.seq_no_primary_term === true) {
        hit._seq_no = v.seqNo;
        hit._primary_term = 1;
      }
    }
    if (details.sortValues) hit.sort = details.sortValues(c);
    if (req.explain) {
      hit._shard = `[${target.name}][0]`;
      hit._node = "lodestone";
      hit._explanation = details.explain(c);
    }
    if (highlight && source) {
      const fragments = highlightHit(target, details.termsOf(c.target), source, highlight);
      if (fragments) hit.highlight = fragments;
    }
    return hit;
  });
}

/** The ES search response around rendered hits: took, _shards, hits.total, max_score, aggregations. */
export function searchResponse(
  targets: SearchTarget[],
  req: SearchRequest,
  result: {
    started: number;
    hits: Record<string, unknown>[];
    total: number;
    maxScore: number;
    aggregations?: AggregationInput;
  },
): Record<string, unknown> {
  const { total, maxScore } = result;
  const response: Record<string, unknown> = {
    took: Math.round(performance.now() - result.started),
    timed_out: false,
    _shards: { total: targets.length, successful: targets.length, skipped: 0, failed: 0 },
    hits: {
      ...totalHits(total, req.trackTotal, req.restTotalHitsAsInt),
      max_score: total && req.trackScores && Number.isFinite(maxScore) ? maxScore : null,
      hits: result.hits,
    },
  };
  if (req.trackTotal === false) delete (response.hits as Record<string, unknown>).total;
  if (req.aggs !== undefined && result.aggregations) {
    const { space, docs, scores } = result.aggregations;
    try {
      response.aggregations = runAggregations(
        req.aggs,
        aggregationContext(targets, space, Int32Array.from(docs), scores),
      );
    } catch (err) {
      if (err instanceof AggregationError)
        throw new EngineError(400, "illegal_argument_exception", err.message, { aggregation: err.path });
      throw err;
    }
  }
  return response;
}

function totalHits(total: number, track: unknown, asInt: boolean): Record<string, unknown> {
  let value = total;
  let relation = "eq";
  if (track !== true && track !== false) {
    const cap = Number(track);
    if (!Number.isInteger(cap) || cap < 0)
      throw parsingError(
        `[track_total_hits] must be a boolean or a non-negative integer, got ${JSON.stringify(track)}`,
      );
    if (total > cap) {
      value = cap;
      relation = "gte";
    }
  }
  return { total: asInt ? value : { value, relation } };
}

function prunableTerms(weight: Weight): TermWeight[] | undefined {
  if (weight instanceof TermWeight) return weight.terms.length === 1 ? [weight] : undefined;
  return weight instanceof BoolWeight ? weight.prunableTerms() : undefined;
}

/** Bounded min-heap of the best (score desc, then index order asc) candidates. */
class TopK {
  private readonly items: Candidate[] = [];
  constructor(readonly k: number) {}

  /** The score a new candidate must beat once the heap is full (ties go to earlier documents). */
  threshold(): number {
    return this.items.length === this.k ? (this.items[0] as Candidate).score : Number.NEGATIVE_INFINITY;
  }

  private worse(a: Candidate, b: Candidate): boolean {
    if (a.score !== b.score) return a.score < b.score;
    if (a.target !== b.target) return a.target > b.target;
    if (a.seg !== b.seg) return a.seg > b.seg;
    return a.doc > b.doc;
  }

  offer(score: number, target: number, seg: number, doc: number): void {
    if (this.k === 0) return;
    const items = this.items;
    if (items.length === this.k) {
      const top = items[0] as Candidate;
      if (score < top.score || (score === top.score && !this.worse(top, { score, target, seg, doc }))) return;
      items[0] = { score, target, seg, doc };
      this.siftDown(0);
      return;
    }
    items.push({ score, target, seg, doc });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(items[i] as Candidate, items[parent] as Candidate)) break;
      [items[i], items[parent]] = [items[parent] as Candidate, items[i] as Candidate];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const items = this.items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && this.worse(items[l] as Candidate, items[m] as Candidate)) m = l;
      if (r < items.length && this.worse(items[r] as Candidate, items[m] as Candidate)) m = r;
      if (m === i) return;
      [items[i], items[m]] = [items[m] as Candidate, items[i] as Candidate];
      i = m;
    }
  }

  sorted(): Candidate[] {
    return [...this.items].sort((a, b) => (this.worse(a, b) ? 1 : this.worse(b, a) ? -1 : 0));
  }
}

export interface SortSpec {
  field: string;
  order: "asc" | "desc";
  missing: "_last" | "_first" | unknown;
  mode: "min" | "max" | "avg" | "sum" | undefined;
}

function parseSort(spec: unknown): SortSpec[] | undefined {
  if (spec === undefined) return undefined;
  const list = Array.isArray(spec) ? spec : [spec];
  const out: SortSpec[] = [];
  for (const entry of list) {
    if (typeof entry === "string") {
      const [field = "", order] = entry.split(":");
      out.push({
        field,
        order: order === "desc" || (field === "_score" && order !== "asc") ? "desc" : "asc",
        missing: "_last",
        mode: undefined,
      });
      continue;
    }
    if (!isObject(entry) || Object.keys(entry).length !== 1)
      throw parsingError(
        `[sort] entries must be a field name or {field: options}, got ${JSON.stringify(entry)}`,
      );
    const [field, opts] = Object.entries(entry)[0] as [string, unknown];
    const o = typeof opts === "string" ? { order: opts } : isObject(opts) ? opts : {};
    const order = String(o.order ?? (field === "_score" ? "desc" : "asc"));
    if (order !== "asc" && order !== "desc")
      throw parsingError(`[sort] order must be asc or desc, got [${order}] for [${field}]`);
    out.push({ field, order, missing: o.missing ?? "_last", mode: o.mode as SortSpec["mode"] });
  }
  if (out.length === 1 && out[0]?.field === "_score" && out[0].order === "desc") return undefined;
  return out;
}

function sortKey(target: SearchTarget, c: Candidate, s: SortSpec): unknown {
  if (s.field === "_score") return c.score;
  if (s.field === "_doc") return c.doc;
  const seg = target.ctx.segments[c.seg] as Segment;
  if (s.field === "_id") return seg.ids[c.doc];
  const fm = target.ctx.mapping.fields.get(s.field);
  if (fm && fm.type === "text" && !fm.fielddata) throw fielddataError(s.field);
  const dv = seg.docValues.get(s.field);
  if (!dv) return null;
  const start = dv.start[c.doc] as number;
  const end = dv.start[c.doc + 1] as number;
  if (start === end) return null;
  if (dv.kind === "ordinal") {
    const vals: string[] = [];
    for (let i = start; i < end; i++) vals.push(dv.values[dv.ords[i] as number] as string);
    vals.sort();
    const pick = s.mode === "max" || (s.mode === undefined && s.order === "desc") ? vals.at(-1) : vals[0];
    return fm?.type === "boolean" ? (pick === "true" ? 1 : 0) : pick;
  }
  const vals = Array.from(dv.values.subarray(start, end));
  if (s.mode === "avg") return vals.reduce((a, b) => a + b, 0) / vals.length;
  if (s.mode === "sum") return vals.reduce((a, b) => a + b, 0);
  return s.mode === "max" || (s.mode === undefined && s.order === "desc")
    ? Math.max(...vals)
    : Math.min(...vals);
}

function fielddataError(field: string): EngineError {
  return new EngineError(
    400,
    "illegal_argument_exception",
    `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`,
  );
}

function compareKeys(
  a: { c: Candidate; keys: unknown[] },
  b: { c: Candidate; keys: unknown[] },
  sort: SortSpec[],
): number {
  return compareValues(a.keys, b.keys, sort) || indexOrder(a.c, b.c);
}

/** Sort values in sort order: negative when `a` sorts first, 0 when they are equal. */
function compareValues(a: readonly unknown[], b: readonly unknown[], sort: SortSpec[]): number {
  for (let i = 0; i < sort.length; i++) {
    const s = sort[i] as SortSpec;
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (x === null || y === null) {
      const missingFirst = s.missing === "_first";
      return (x === null ? 1 : -1) * (missingFirst ? -1 : 1);
    }
    // a string given for a numeric sort (a date as text, say) compares as the number it holds
    const [p, q] = typeof x === typeof y ? [x, y] : [Number(x), Number(y)];
    if (p === q) continue;
    const cmp = (p as number | string) < (q as number | string) ? -1 : 1;
    return s.order === "desc" ? -cmp : cmp;
  }
  return 0;
}

export interface HighlightSpec {
  fields: Map<string, Record<string, unknown>>;
  global: Record<string, unknown>;
}

function parseHighlight(spec: unknown): HighlightSpec {
  if (!isObject(spec) || spec.fields === undefined) throw parsingError("[highlight] requires [fields]");
  const fields = new Map<string, Record<string, unknown>>();
  const list = Array.isArray(spec.fields) ? spec.fields : [spec.fields];
  for (const entry of list) {
    if (!isObject(entry)) throw parsingError("[highlight] [fields] must be an object or an array of objects");
    for (const [name, opts] of Object.entries(entry)) fields.set(name, isObject(opts) ? opts : {});
  }
  const { fields: _omit, ...global } = spec;
  return { fields, global };
}

function highlightHit(
  target: SearchTarget,
  weight: Pick<Weight, "collectTerms">,
  source: Record<string, unknown>,
  spec: HighlightSpec,
): Record<string, string[]> | undefined {
  const terms = new Map<string, Set<string>>();
  weight.collectTerms(terms);
  const out: Record<string, string[]> = {};
  for (const [pattern, opts] of spec.fields) {
    const options = { ...spec.global, ...opts };
    const requireMatch = options.require_field_match !== false;
    for (const fm of target.ctx.mapping.resolveFields(pattern)) {
      if (fm.type !== "text" && fm.type !== "keyword") continue;
      const fieldTerms = requireMatch
        ? terms.get(fm.path)
        : new Set([...terms.values()].flatMap((s) => [...s]));
      if (!fieldTerms?.size && !(Number(options.no_match_size) > 0)) continue;
      const values = valuesAtPath(source, fm.parent ?? fm.path).map(String);
      if (!values.length) continue;
      const analyzer = analyzerOf(target, fm);
      const fragments = highlightField(
        { values, analyze: (text) => analyzer(text), terms: fieldTerms ?? new Set() },
        options as Parameters<typeof highlightField>[1],
      );
      if (fragments?.length) out[fm.path] = fragments;
    }
  }
  return Object.keys(out).length ? out : undefined;
}

function analyzerOf(
  target: SearchTarget,
  fm: FieldMapping,
): (text: string) => { start: number; end: number; term: string }[] {
  if (fm.type === "keyword") return (text) => [{ start: 0, end: text.length, term: text }];
  const analyzer = target.ctx.analyzer(fm.analyzer);
  return (text) => analyzer.analyze(text);
}

function aggregationContext(
  targets: SearchTarget[],
  space: DocSpace,
  docs: Int32Array,
  scores: Map<number, number>,
): AggregationContext {
  const mapping = (targets[0] as SearchTarget).ctx.mapping;
  return {
    docs,
    fieldType: (field) => mapping.fields.get(field)?.type,
    keywordValues(field, handle) {
      const { seg, doc } = space.locate(handle);
      const dv = seg.docValues.get(field);
      if (dv?.kind !== "ordinal") return [];
      const out: string[] = [];
      for (let i = dv.start[doc] as number; i < (dv.start[doc + 1] as number); i++)
        out.push(dv.values[dv.ords[i] as number] as string);
      return out;
    },
    numericValues(field, handle) {
      const { seg, doc } = space.locate(handle);
      const dv = seg.docValues.get(field);
      if (!dv) return [];
      if (dv.kind === "numeric")
        return Array.from(dv.values.subarray(dv.start[doc] as number, dv.start[doc + 1] as number));
      const out: number[] = [];
      for (let i = dv.start[doc] as number; i < (dv.start[doc + 1] as number); i++) {
        const v = dv.values[dv.ords[i] as number] as string;
        out.push(v === "true" ? 1 : v === "false" ? 0 : Number(v));
      }
      return out;
    },
    hits(hitDocs, hitScores, options) {
      const filter: SourceFilter = parseSourceFilter(options._source);
      const list = Array.from(hitDocs).map((handle, i) => {
        const { target, seg, doc } = space.locate(handle);
        const t = targets[target] as SearchTarget;
        const id = seg.ids[doc] as string;
        const source = filter.enabled ? t.source(id) : undefined;
        const hit: Record<string, unknown> = {
          _index: t.name,
          _id: id,
          _score: hitScores ? hitScores[i] : (scores.get(handle) ?? null),
        };
        if (source) hit._source = applySourceFilter(source, filter);
        return hit;
      });
      const page = list.slice(options.from, options.from + options.size);
      const best = Math.max(...list.map((h) => Number(h._score ?? 0)));
      return {
        total: { value: list.length, relation: "eq" },
        max_score: list.length ? best : null,
        hits: page,
      };
    },
    score: (handle) => scores.get(handle) ?? 0,
  };
}

/**
 * The query DSL: parses an Elasticsearch query object into weights, validating every key with
 * ES-style parsing errors. Boosts propagate down to the leaves (as Lucene's BoostQuery does), so
 * a boosted clause scores exactly like it would in Elasticsearch.
 */
import { EngineError, parsingError } from "../errors.ts";
import { parseDate, parseDateMath } from "../index/dates.ts";
import type { Segment } from "../index/segment.ts";
import { type FieldMapping, isObject, NUMERIC_TYPES } from "../mapping.ts";
import type { QueryContext } from "./context.ts";
import {
  asObject,
  boolParam,
  checkKeys,
  describe,
  intParam,
  numberParam,
  resolveMinimumShouldMatch,
  singleField,
  stringParam,
} from "./dsl-values.ts";
import { functionScoreQuery } from "./function-score.ts";
import { knnQuery } from "./knn.ts";
import { PIPELINE_CLAUSES } from "./pipeline-clauses.ts";
import { parseQueryString, parseSimpleQueryString, QueryStringError } from "./query-string.ts";
import { scriptScoreQuery } from "./script-score.ts";
import {
  docsOfTerms,
  fuzzyTerms,
  luceneRegExp,
  matchingTermIds,
  prefixTermIds,
  resolveFuzziness,
  wildcardToRegExp,
} from "./term-expansion.ts";
import { analyzeTerms, matchQuery, phraseQuery } from "./text-query.ts";
import {
  allDocs,
  BoolWeight,
  ConstantScoreWeight,
  DisMaxWeight,
  DocSetWeight,
  NoMatchWeight,
  TermWeight,
  type Weight,
} from "./weights.ts";

const f = Math.fround;
export const MAX_CLAUSES = 1024;

type Compiler = (ctx: QueryContext, body: Record<string, unknown>, boost: number) => Weight;

export function compileQuery(ctx: QueryContext, query: unknown, boost = 1): Weight {
  if (query === undefined) return matchAll(1 * boost);
  const body = asObject(query, "query");
  const keys = Object.keys(body);
  if (keys.length !== 1) {
    throw parsingError(
      keys.length === 0
        ? "query malformed, empty clause found"
        : `[${keys[0]}] malformed query, expected [END_OBJECT] but found [FIELD_NAME] ([${keys[1]}])`,
    );
  }
  const type = keys[0] as string;
  const compiler = COMPILERS[type];
  if (!compiler) {
    const hint = ["knn", "neural", "hybrid"].includes(type)
      ? " (vector queries need knn_vector fields and deployed models, which this engine version does not provide yet)"
      : `; supported: ${Object.keys(COMPILERS).sort().join(", ")}`;
    throw parsingError(`unknown query [${type}]${hint}`);
  }
  return compiler(ctx, asObject(body[type], type), boost);
}

function queryBoost(body: Record<string, unknown>, where: string, outer: number): number {
  return body.boost === undefined ? outer : f(outer * numberParam(body.boost, where, "boost"));
}

function matchAll(boost: number): Weight {
  return new DocSetWeight("*:*", allDocs, boost);
}

function field(ctx: QueryContext, name: string): FieldMapping | undefined {
  return ctx.mapping.fields.get(name);
}

/** Fields of a query's `fields` list (with ^boost and wildcards), or the index default fields. */
function resolveFieldList(
  ctx: QueryContext,
  spec: unknown,
  where: string,
): { field: FieldMapping; boost: number }[] {
  const list = spec === undefined ? ctx.defaultFields : Array.isArray(spec) ? spec : [spec];
  const out: { field: FieldMapping; boost: number }[] = [];
  for (const entry of list) {
    const s = stringParam(entry, where, "fields");
    const [name = "", boostText] = s.split("^");
    const boost = boostText === undefined ? 1 : numberParam(boostText, where, "fields boost");
    const fields = ctx.mapping
      .resolveFields(name)
      .filter((fm) => fm.index && (name !== "*" || fm.type === "text" || fm.type === "keyword"));
    for (const fm of fields) out.push({ field: fm, boost });
  }
  return out;
}

const COMMON = ["boost", "_name"];

const matchCompiler: Compiler = (ctx, body, boost) => {
  const [name, raw] = singleField(body, "match");
  const spec = isObject(raw) ? raw : { query: raw };
  checkKeys(
    spec,
    [
      ...COMMON,
      "query",
      "operator",
      "minimum_should_match",
      "analyzer",
      "fuzziness",
      "prefix_length",
      "max_expansions",
      "fuzzy_transpositions",
      "lenient",
      "zero_terms_query",
      "auto_generate_synonyms_phrase_query",
      "cutoff_frequency",
      "fuzzy_rewrite",
    ],
    "match",
  );
  if (spec.query === undefined || spec.query === null) throw parsingError("[match] requires query value");
  const b = queryBoost(spec, "match", boost);
  const fm = field(ctx, name);
  if (!fm) return unmapped(spec);
  if (fm.type !== "text" && fm.type !== "keyword")
    return exactValueQuery(ctx, fm, spec.query, b, spec.lenient === true);
  const operator = String(spec.operator ?? "or").toLowerCase();
  if (operator !== "or" && operator !== "and")
    throw parsingError(`[match] query: operator must be OR or AND, got [${String(spec.operator)}]`);
  const text = scalarText(spec.query, "match");
  const fuzz = spec.fuzziness;
  const prefixLength =
    spec.prefix_length === undefined ? 0 : intParam(spec.prefix_length, "match", "prefix_length");
  const maxExpansions =
    spec.max_expansions === undefined ? 50 : intParam(spec.max_expansions, "match", "max_expansions", 1);
  const weight = matchQuery(ctx, fm, text, {
    operator,
    boost: b,
    analyzer: spec.analyzer === undefined ? undefined : stringParam(spec.analyzer, "match", "analyzer"),
    minimumShouldMatch:
      spec.minimum_should_match === undefined
        ? undefined
        : (n) => Math.max(1, resolveMinimumShouldMatch(spec.minimum_should_match, n)),
    expand:
      fuzz === undefined
        ? undefined
        : (fieldName, term) =>
            fuzzyTerms(
              ctx.segments,
              fieldName,
              term,
              resolveFuzziness(fuzz, term),
              prefixLength,
              maxExpansions,
            ),
  });
  if (weight instanceof NoMatchWeight && String(spec.zero_terms_query ?? "none").toLowerCase() === "all")
    return matchAll(b);
  return weight;
};

function unmapped(spec: Record<string, unknown>): Weight {
  void spec;
  return new NoMatchWeight();
}

function scalarText(value: unknown, where: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw parsingError(
    `[${where}] unknown token [${Array.isArray(value) ? "START_ARRAY" : "START_OBJECT"}] after [query]`,
  );
}

/** Equality on numeric, date, boolean and keyword fields (term/match on non-text fields). */
function exactValueQuery(
  ctx: QueryContext,
  fm: FieldMapping,
  value: unknown,
  boost: number,
  lenient = false,
): Weight {
  if (fm.type === "keyword" || fm.type === "text") {
    const term =
      fm.type === "keyword" && fm.normalizer ? normalizeKeyword(ctx, fm, String(value)) : String(value);
    return new TermWeight(ctx, fm.path, [term], boost);
  }
  if (fm.type === "boolean") {
    const v =
      value === true || value === "true"
        ? "true"
        : value === false || value === "false"
          ? "false"
          : undefined;
    if (v === undefined) {
      if (lenient) return new NoMatchWeight();
      throw illegalValue(fm, value);
    }
    return new DocSetWeight(
      `${fm.path}:${v}`,
      (seg) => docsOfTerms(seg, fm.path, termIds(seg, fm.path, [v])),
      boost,
    );
  }
  if (fm.type === "knn_vector")
    throw parsingError(
      `field [${fm.path}] of type [knn_vector] does not support term queries; use a knn query`,
    );
  const n =
    fm.type === "date"
      ? parseDate(value, fm.format)
      : typeof value === "string" && value.trim()
        ? Number(value)
        : (value as number);
  if (typeof n !== "number" || !Number.isFinite(n)) {
    if (lenient) return new NoMatchWeight();
    throw illegalValue(fm, value);
  }
  return new DocSetWeight(
    `${fm.path}:[${n} TO ${n}]`,
    (seg) => numericMatches(seg, fm.path, (v) => v === n),
    boost,
  );
}

function illegalValue(fm: FieldMapping, value: unknown): EngineError {
  return new EngineError(
    400,
    "query_shard_exception",
    `failed to create query: For input string: "${String(value)}" (field [${fm.path}] is of type [${fm.type}])`,
    {
      index: undefined,
    },
  );
}

function normalizeKeyword(ctx: QueryContext, fm: FieldMapping, value: string): string {
  return ctx
    .analyzer(fm.normalizer as string)
    .analyze(value)
    .map((t) => t.term)
    .join("");
}

function termIds(seg: Segment, fieldName: string, terms: string[]): number[] {
  return terms.map((t) => seg.termId(fieldName, t)).filter((t) => t >= 0);
}

function numericMatches(seg: Segment, fieldName: string, test: (v: number) => boolean): Int32Array {
  const dv = seg.docValues.get(fieldName);
  if (dv?.kind !== "numeric") return new Int32Array(0);
  const out: number[] = [];
  for (let d = 0; d < seg.maxDoc; d++) {
    for (let i = dv.start[d] as number; i < (dv.start[d + 1] as number); i++) {
      if (test(dv.values[i] as number)) {
        out.push(d);
        break;
      }
    }
  }
  return Int32Array.from(out);
}

const matchPhraseCompiler: Compiler = (ctx, body, boost) => {
  const [name, raw] = singleField(body, "match_phrase");
  const spec = isObject(raw) ? raw : { query: raw };
  checkKeys(spec, [...COMMON, "query", "slop", "analyzer", "zero_terms_query"], "match_phrase");
  const b = queryBoost(spec, "match_phrase", boost);
  const fm = field(ctx, name);
  if (!fm) return new NoMatchWeight();
  if (fm.type !== "text") return exactValueQuery(ctx, fm, spec.query, b);
  const slop = spec.slop === undefined ? 0 : intParam(spec.slop, "match_phrase", "slop");
  return phraseQuery(
    ctx,
    fm,
    scalarText(spec.query, "match_phrase"),
    slop,
    b,
    spec.analyzer as string | undefined,
  );
};

const matchPhrasePrefixCompiler: Compiler = (ctx, body, boost) => {
  const [name, raw] = singleField(body, "match_phrase_prefix");
  const spec = isObject(raw) ? raw : { query: raw };
  checkKeys(
    spec,
    [...COMMON, "query", "slop", "analyzer", "max_expansions", "zero_terms_query"],
    "match_phrase_prefix",
  );
  const b = queryBoost(spec, "match_phrase_prefix", boost);
  const fm = field(ctx, name);
  if (!fm) return new NoMatchWeight();
  const tokens = analyzeTerms(
    ctx,
    fm,
    scalarText(spec.query, "match_phrase_prefix"),
    spec.analyzer as string | undefined,
  );
  if (!tokens.length) return new NoMatchWeight();
  const last = tokens.at(-1)?.term as string;
  const maxExpansions =
    spec.max_expansions === undefined
      ? 50
      : intParam(spec.max_expansions, "match_phrase_prefix", "max_expansions", 1);
  const prefixWeight = new DocSetWeight(
    `${fm.path}:${last}*`,
    (seg) => docsOfTerms(seg, fm.path, prefixTermIds(seg, fm.path, last).slice(0, maxExpansions)),
    b,
    { field: fm.path, values: [last] },
  );
  if (tokens.length === 1) return prefixWeight;
  const head = tokens
    .slice(0, -1)
    .map((t) => t.term)
    .join(" ");
  return new BoolWeight([phraseQuery(ctx, fm, head, Number(spec.slop ?? 0), b), prefixWeight], [], [], [], 0);
};

const multiMatchCompiler: Compiler = (ctx, body, boost) => {
  checkKeys(
    body,
    [
      ...COMMON,
      "query",
      "fields",
      "type",
      "operator",
      "minimum_should_match",
      "tie_breaker",
      "analyzer",
      "fuzziness",
      "prefix_length",
      "max_expansions",
      "lenient",
      "zero_terms_query",
      "slop",
      "auto_generate_synonyms_phrase_query",
    ],
    "multi_match",
  );
  if (body.query === undefined) throw parsingError("[multi_match] requires query value");
  const b = queryBoost(body, "multi_match", boost);
  const type = String(body.type ?? "best_fields");
  const text = scalarText(body.query, "multi_match");
  const fields = resolveFieldList(ctx, body.fields, "multi_match");
  if (fields.length > MAX_CLAUSES) throw tooManyClauses();
  const tie =
    body.tie_breaker === undefined
      ? type === "most_fields"
        ? 1
        : 0
      : numberParam(body.tie_breaker, "multi_match", "tie_breaker");
  const perField = (fm: FieldMapping, fieldBoost: number, operator: string): Weight => {
    const fb = f(b * fieldBoost);
    if (type === "phrase")
      return fm.type === "text"
        ? phraseQuery(ctx, fm, text, Number(body.slop ?? 0), fb)
        : exactValueQuery(ctx, fm, text, fb, true);
    if (type === "phrase_prefix") return matchPhrasePrefixCompiler(ctx, { [fm.path]: { query: text } }, fb);
    if (fm.type !== "text" && fm.type !== "keyword") return exactValueQuery(ctx, fm, text, fb, true);
    const spec: Record<string, unknown> = { query: text, operator };
    for (const k of ["minimum_should_match", "analyzer", "fuzziness", "prefix_length", "max_expansions"])
      if (body[k] !== undefined) spec[k] = body[k];
    return matchCompiler(ctx, { [fm.path]: spec }, fb);
  };
  const operator = String(body.operator ?? "or").toLowerCase();
  switch (type) {
    case "best_fields":
    case "phrase":
    case "phrase_prefix":
    case "bool_prefix":
      return new DisMaxWeight(
        fields.map((x) => perField(x.field, x.boost, operator)),
        tie,
      );
    case "most_fields":
      return new BoolWeight(
        [],
        fields.map((x) => perField(x.field, x.boost, operator)),
        [],
        [],
        1,
      );
    case "cross_fields": {
      // term-centric: each query term must match in any field (dis_max across fields per term)
      const firstText = fields.find((x) => x.field.type === "text")?.field;
      if (!firstText)
        return new DisMaxWeight(
          fields.map((x) => perField(x.field, x.boost, operator)),
          tie,
        );
      const terms = analyzeTerms(ctx, firstText, text, body.analyzer as string | undefined).map(
        (t) => t.term,
      );
      const clauses = [...new Set(terms)].map(
        (term) =>
          new DisMaxWeight(
            fields.map((x) => new TermWeight(ctx, x.field.path, [term], f(b * x.boost))),
            tie,
          ),
      );
      if (!clauses.length) return new NoMatchWeight();
      if (operator === "and") return new BoolWeight(clauses, [], [], [], 0);
      const msm =
        body.minimum_should_match === undefined
          ? 1
          : Math.max(1, resolveMinimumShouldMatch(body.minimum_should_match, clauses.length));
      return new BoolWeight([], clauses, [], [], msm);
    }
    default:
      throw parsingError(
        `[multi_match] query does not support type [${type}]; use best_fields, most_fields, cross_fields, phrase, phrase_prefix or bool_prefix`,
      );
  }
};

function tooManyClauses(): EngineError {
  return new EngineError(400, "too_many_clauses", `maxClauseCount is set to ${MAX_CLAUSES}`);
}

const boolCompiler: Compiler = (ctx, body, boost) => {
  checkKeys(
    body,
    [...COMMON, "must", "should", "filter", "must_not", "minimum_should_match", "adjust_pure_negative"],
    "bool",
  );
  const b = queryBoost(body, "bool", boost);
  const clauses = (key: string, clauseBoost: number): Weight[] => {
    const v = body[key];
    if (v === undefined) return [];
    const list = Array.isArray(v) ? v : [v];
    if (list.length > MAX_CLAUSES) throw tooManyClauses();
    return list.map((q) => compileQuery(ctx, q, clauseBoost));
  };
  const must = clauses("must", b);
  const should = clauses("should", b);
  const filter = clauses("filter", 0);
  const mustNot = clauses("must_not", 0);
  const msm =
    body.minimum_should_match !== undefined
      ? resolveMinimumShouldMatch(body.minimum_should_match, should.length)
      : must.length + filter.length === 0 && should.length > 0
        ? 1
        : 0;
  if (must.length + should.length + filter.length === 0 && mustNot.length === 0) return matchAll(b);
  if (must.length + should.length + filter.length === 0)
    return new BoolWeight([], [], [matchAll(0)], mustNot, 0);
  return new BoolWeight(must, should, filter, mustNot, msm);
};

const termCompiler: Compiler = (ctx, body, boost) => {
  const [name, raw] = singleField(body, "term");
  const spec = isObject(raw) ? raw : { value: raw };
  checkKeys(spec, [...COMMON, "value", "case_insensitive"], "term");
  if (spec.value === undefined || spec.value === null || isObject(spec.value) || Array.isArray(spec.value)) {
    throw parsingError(
      `[term] query on field [${name}] requires a scalar value, got ${describe(spec.value)}`,
    );
  }
  const b = queryBoost(spec, "term", boost);
  const fm = field(ctx, name);
  if (!fm) return name === "_id" ? idsWeight(ctx, [String(spec.value)], b) : new NoMatchWeight();
  if (spec.case_insensitive === true && (fm.type === "keyword" || fm.type === "text")) {
    const re = wildcardToRegExp(String(spec.value).replace(/[*?\\]/g, "\\$&"), true);
    return new DocSetWeight(
      `${name}:${String(spec.value)}`,
      (seg) => docsOfTerms(seg, fm.path, matchingTermIds(seg, fm.path, re)),
      b,
    );
  }
  return exactValueQuery(ctx, fm, spec.value, b);
};

const termsCompiler: Compiler = (ctx, body, boost) => {
  const [name, raw] = singleField(body, "terms");
  if (!Array.isArray(raw))
    throw parsingError(`[terms] query requires an array of values for field [${name}], got ${describe(raw)}`);
  if (raw.length > 65536)
    throw parsingError(
      `The number of terms [${raw.length}] used in the Terms Query request has exceeded the allowed maximum of [65536]`,
    );
  const b = queryBoost(body, "terms", boost);
  const fm = field(ctx, name);
  if (!fm) return name === "_id" ? idsWeight(ctx, raw.map(String), b) : new NoMatchWeight();
  if (fm.type === "keyword" || fm.type === "text" || fm.type === "boolean") {
    const values = raw.map((v) =>
      fm.type === "keyword" && fm.normalizer ? normalizeKeyword(ctx, fm, String(v)) : String(v),
    );
    return new DocSetWeight(
      `${name}:(${values.join(" ")})`,
      (seg) => docsOfTerms(seg, fm.path, termIds(seg, fm.path, values)),
      b,
      { field: fm.path, values },
    );
  }
  const nums = new Set(raw.map((v) => (fm.type === "date" ? parseDate(v, fm.format) : Number(v))));
  return new DocSetWeight(
    `${name}:(${[...nums].join(" ")})`,
    (seg) => numericMatches(seg, fm.path, (v) => nums.has(v)),
    b,
  );
};

const rangeCompiler: Compiler = (ctx, body, boost) => {
  const [name, raw] = singleField(body, "range");
  const spec = asObject(raw, "range");
  checkKeys(
    spec,
    [
      ...COMMON,
      "gt",
      "gte",
      "lt",
      "lte",
      "from",
      "to",
      "include_lower",
      "include_upper",
      "format",
      "time_zone",
      "relation",
    ],
    "range",
  );
  const b = queryBoost(spec, "range", boost);
  const fm = field(ctx, name);
  if (!fm) return new NoMatchWeight();
  const lowerInc = spec.gte !== undefined || (spec.from !== undefined && spec.include_lower !== false);
  const upperInc = spec.lte !== undefined || (spec.to !== undefined && spec.include_upper !== false);
  const lowerRaw = spec.gte ?? spec.gt ?? spec.from;
  const upperRaw = spec.lte ?? spec.lt ?? spec.to;
  if (fm.type === "keyword" || fm.type === "text") {
    const lo = lowerRaw === undefined || lowerRaw === null ? undefined : String(lowerRaw);
    const hi = upperRaw === undefined || upperRaw === null ? undefined : String(upperRaw);
    return new DocSetWeight(
      `${name}:range`,
      (seg) => {
        const terms = seg.inverted.get(fm.path)?.terms ?? [];
        const ids: number[] = [];
        for (let t = lo === undefined ? 0 : seg.seekTerm(fm.path, lo); t < terms.length; t++) {
          const term = terms[t] as string;
          if (lo !== undefined && (term < lo || (!lowerInc && term === lo))) continue;
          if (hi !== undefined && (term > hi || (!upperInc && term === hi))) break;
          ids.push(t);
        }
        return docsOfTerms(seg, fm.path, ids);
      },
      b,
    );
  }
  if (!NUMERIC_TYPES.has(fm.type) && fm.type !== "date")
    throw parsingError(`[range] query is not supported on field [${name}] of type [${fm.type}]`);
  const bound = (v: unknown, up: boolean): number | undefined => {
    if (v === undefined || v === null) return undefined;
    const n =
      fm.type === "date"
        ? parseDateMath(v, (spec.format as string | undefined) ?? fm.format, ctx.now, up)
        : Number(v);
    if (n === undefined || !Number.isFinite(n)) {
      throw new EngineError(
        400,
        "parse_exception",
        `failed to parse ${fm.type === "date" ? "date" : "number"} field [${String(v)}] for range on [${name}]`,
      );
    }
    return n;
  };
  const lo = bound(lowerRaw, !lowerInc);
  const hi = bound(upperRaw, upperInc);
  return new DocSetWeight(
    `${name}:${lowerInc ? "[" : "{"}${lo ?? "*"} TO ${hi ?? "*"}${upperInc ? "]" : "}"}`,
    (seg) =>
      numericMatches(
        seg,
        fm.path,
        (v) =>
          (lo === undefined || (lowerInc ? v >= lo : v > lo)) &&
          (hi === undefined || (upperInc ? v <= hi : v < hi)),
      ),
    b,
  );
};

const existsCompiler: Compiler = (ctx, body, boost) => {
  checkKeys(body, [...COMMON, "field"], "exists");
  const name = stringParam(body.field, "exists", "field");
  const b = queryBoost(body, "exists", boost);
  const fields = ctx.mapping.objects.has(name)
    ? ctx.mapping.resolveFields(`${name}.*`)
    : ctx.mapping.resolveFields(name);
  if (!fields.length) return new NoMatchWeight();
  return new DocSetWeight(
    `exists(${name})`,
    (seg) => {
      const out: number[] = [];
      for (let d = 0; d < seg.maxDoc; d++) {
        for (const fm of fields) {
          const inv = seg.inverted.get(fm.path);
          const dv = seg.docValues.get(fm.path);
          const vec = seg.vectors.get(fm.path);
          if (
            (inv && (inv.lengths[d] as number) > 0) ||
            (dv && (dv.start[d + 1] as number) > (dv.start[d] as number)) ||
            vec?.present[d]
          ) {
            out.push(d);
            break;
          }
        }
      }
      return Int32Array.from(out);
    },
    b,
  );
};

function idsWeight(ctx: QueryContext, ids: string[], boost: number): Weight {
  return new DocSetWeight(`_id:(${ids.join(" ")})`, (seg) => ctx.docsWithIds(seg, ids), boost);
}

const idsCompiler: Compiler = (ctx, body, boost) => {
  checkKeys(body, [...COMMON, "values", "type"], "ids");
  if (!Array.isArray(body.values)) throw parsingError("[ids] query requires [values] to be an array");
  return idsWeight(ctx, body.values.map(String), queryBoost(body, "ids", boost));
};

function multiTermCompiler(kind: "prefix" | "wildcard" | "regexp"): Compiler {
  return (ctx, body, boost) => {
    const [name, raw] = singleField(body, kind);
    const spec = isObject(raw) ? raw : { value: raw };
    checkKeys(
      spec,
      [
        ...COMMON,
        "value",
        kind === "wildcard" ? "wildcard" : "value",
        "rewrite",
        "case_insensitive",
        "flags",
        "max_determinized_states",
      ],
      kind,
    );
    const value = stringParam(spec.value ?? spec.wildcard, kind, "value");
    const b = queryBoost(spec, kind, boost);
    const fm = field(ctx, name);
    if (!fm) return new NoMatchWeight();
    if (fm.type !== "keyword" && fm.type !== "text")
      throw parsingError(
        `[${kind}] query is only supported on keyword and text fields, [${name}] is [${fm.type}]`,
      );
    const ci = spec.case_insensitive === true;
    let ids: (seg: Segment) => number[];
    if (kind === "prefix" && !ci) ids = (seg) => prefixTermIds(seg, fm.path, value);
    else {
      const re =
        kind === "regexp"
          ? luceneRegExp(value, ci)
          : wildcardToRegExp(kind === "prefix" ? `${value.replace(/[*?\\]/g, "\\$&")}*` : value, ci);
      const literal = ci || kind === "regexp" ? "" : (/^[^*?\\]*/.exec(value)?.[0] ?? "");
      ids = (seg) => matchingTermIds(seg, fm.path, re, literal);
    }
    return new DocSetWeight(`${name}:${value}`, (seg) => docsOfTerms(seg, fm.path, ids(seg)), b);
  };
}

const fuzzyCompiler: Compiler = (ctx, body, boost) => {
  const [name, raw] = singleField(body, "fuzzy");
  const spec = isObject(raw) ? raw : { value: raw };
  checkKeys(
    spec,
    [...COMMON, "value", "fuzziness", "prefix_length", "max_expansions", "transpositions", "rewrite"],
    "fuzzy",
  );
  const value = scalarText(spec.value, "fuzzy");
  const b = queryBoost(spec, "fuzzy", boost);
  const fm = field(ctx, name);
  if (!fm) return new NoMatchWeight();
  const variants = fuzzyTerms(
    ctx.segments,
    fm.path,
    value,
    resolveFuzziness(spec.fuzziness, value),
    spec.prefix_length === undefined ? 0 : intParam(spec.prefix_length, "fuzzy", "prefix_length"),
    spec.max_expansions === undefined ? 50 : intParam(spec.max_expansions, "fuzzy", "max_expansions", 1),
  );
  if (!variants.length) return new NoMatchWeight();
  return new BoolWeight(
    [],
    variants.map((v) => new TermWeight(ctx, fm.path, [v.term], f(b * v.boost))),
    [],
    [],
    1,
  );
};

const constantScoreCompiler: Compiler = (ctx, body, boost) => {
  checkKeys(body, [...COMMON, "filter"], "constant_score");
  if (body.filter === undefined) throw parsingError("[constant_score] requires a 'filter' element");
  return new ConstantScoreWeight(
    compileQuery(ctx, body.filter, 0),
    queryBoost(body, "constant_score", boost),
  );
};

const disMaxCompiler: Compiler = (ctx, body, boost) => {
  checkKeys(body, [...COMMON, "queries", "tie_breaker"], "dis_max");
  if (!Array.isArray(body.queries) || body.queries.length === 0)
    throw parsingError("[dis_max] requires 'queries' field with at least one clause");
  const b = queryBoost(body, "dis_max", boost);
  const tie = body.tie_breaker === undefined ? 0 : numberParam(body.tie_breaker, "dis_max", "tie_breaker");
  return new DisMaxWeight(
    body.queries.map((q) => compileQuery(ctx, q, b)),
    tie,
  );
};

const boostingCompiler: Compiler = (ctx, body, boost) => {
  checkKeys(body, [...COMMON, "positive", "negative", "negative_boost"], "boosting");
  if (body.positive === undefined || body.negative === undefined)
    throw parsingError("[boosting] query requires 'positive' and 'negative'");
  const negBoost = numberParam(body.negative_boost, "boosting", "negative_boost");
  const positive = compileQuery(ctx, body.positive, queryBoost(body, "boosting", boost));
  const negative = compileQuery(ctx, body.negative, 0);
  return functionScoreQuery.demote(positive, negative, negBoost);
};

function queryStringCompiler(kind: "query_string" | "simple_query_string"): Compiler {
  return (ctx, body, boost) => {
    if (typeof body.query !== "string") throw parsingError(`[${kind}] requires a string [query]`);
    let dsl: object;
    try {
      const params = { ...body } as Parameters<typeof parseQueryString>[0];
      if (!body.fields && !body.default_field) (params as Record<string, unknown>).fields = ctx.defaultFields;
      dsl =
        kind === "query_string"
          ? parseQueryString(params)
          : parseSimpleQueryString(params as Parameters<typeof parseSimpleQueryString>[0]);
    } catch (err) {
      if (err instanceof QueryStringError) {
        throw new EngineError(400, "query_shard_exception", `Failed to parse query [${body.query}]`, {
          caused_by: { type: "parse_exception", reason: err.message },
        });
      }
      throw err;
    }
    return compileQuery(ctx, dsl, boost);
  };
}

const COMPILERS: Record<string, Compiler> = {
  match_all: (_ctx, body, boost) => {
    checkKeys(body, COMMON, "match_all");
    return matchAll(queryBoost(body, "match_all", boost));
  },
  match_none: () => new NoMatchWeight(),
  match: matchCompiler,
  match_phrase: matchPhraseCompiler,
  match_phrase_prefix: matchPhrasePrefixCompiler,
  multi_match: multiMatchCompiler,
  bool: boolCompiler,
  term: termCompiler,
  terms: termsCompiler,
  range: rangeCompiler,
  exists: existsCompiler,
  ids: idsCompiler,
  prefix: multiTermCompiler("prefix"),
  wildcard: multiTermCompiler("wildcard"),
  regexp: multiTermCompiler("regexp"),
  fuzzy: fuzzyCompiler,
  constant_score: constantScoreCompiler,
  dis_max: disMaxCompiler,
  boosting: boostingCompiler,
  function_score: (ctx, body, boost) => functionScoreQuery.compile(ctx, body, boost, compileQuery),
  knn: (ctx, body, boost) => knnQuery(ctx, body, boost, compileQuery),
  script_score: (ctx, body, boost) => scriptScoreQuery(ctx, body, boost, compileQuery),
  query_string: queryStringCompiler("query_string"),
  simple_query_string: queryStringCompiler("simple_query_string"),
  ...PIPELINE_CLAUSES,
};

export { boolParam };

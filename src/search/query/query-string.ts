/**
 * `query_string` and `simple_query_string`: translate the query text into ordinary query DSL
 * (match, multi_match, match_phrase, prefix, wildcard, regexp, range, exists, bool, dis_max …)
 * shaped like the Lucene queries Elasticsearch 7.10's QueryStringQueryParser and
 * SimpleQueryStringQueryParser build, so compile.ts scores them the way ES does.
 *
 * Field patterns (`*`, `name.*`) cannot be expanded here (no mapping), so clauses on patterns use
 * DSL queries that expand patterns themselves (multi_match, exists); wildcard, regexp and range
 * clauses need concrete field names.
 */
import { describe } from "./dsl-values.ts";
import {
  discardEscapes,
  escapeQuery,
  parseSimpleFlags,
  QueryStringError,
  type SimpleNode,
  scanSimpleQuery,
  TOKEN_IMAGE,
  type Token,
  type TokenKind,
  tokenize,
} from "./query-string-lexer.ts";

export { QueryStringError };

export interface QueryStringParams {
  query: string;
  fields?: string[];
  default_field?: string;
  [k: string]: unknown;
}

type Dsl = Record<string, unknown>;
type Occur = "must" | "should" | "must_not";
interface FieldEntry {
  name: string;
  boost: number;
}

/** The parameters both parsers use, validated and defaulted. */
type Options = ReturnType<typeof readOptions>;

const words = (s: string): string[] => s.trim().split(/\s+/);
const QUERY_STRING_KEYS = words(`query default_field fields default_operator analyzer quote_analyzer
  allow_leading_wildcard max_determinized_states enable_position_increments escape fuzzy_prefix_length
  fuzzy_max_expansions fuzzy_rewrite phrase_slop fuzziness boost type tie_breaker analyze_wildcard rewrite
  minimum_should_match quote_field_suffix lenient time_zone _name auto_generate_synonyms_phrase_query
  fuzzy_transpositions`);
// locale, lowercase_expanded_terms and all_fields are deprecated no-ops ES still accepts
const SIMPLE_KEYS = words(`query fields default_operator analyzer flags lenient analyze_wildcard
  minimum_should_match quote_field_suffix auto_generate_synonyms_phrase_query fuzzy_prefix_length
  fuzzy_max_expansions fuzzy_transpositions boost _name locale lowercase_expanded_terms all_fields`);
const TYPES = words("best_fields most_fields cross_fields phrase phrase_prefix bool_prefix");
/** Types under which a text clause on one field is just a match query. */
const MATCH_TYPES = new Set(words("best_fields most_fields cross_fields"));

/** Reads a parameter of the given kind (null counts as absent); a wrong type is a QueryStringError. */
function param<T>(
  where: string,
  raw: Record<string, unknown>,
  key: string,
  kind: "string" | "boolean" | "number" | "int" | "scalar",
): T | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (kind === "scalar" && (typeof v === "string" || typeof v === "number")) return v as T;
  if (kind === "string" && typeof v === "string") return v as T;
  if (kind === "boolean" && (typeof v === "boolean" || v === "true" || v === "false"))
    return (v === true || v === "true") as T;
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (kind === "number" && typeof n === "number" && Number.isFinite(n)) return n as T;
  if (kind === "int" && typeof n === "number" && Number.isInteger(n) && n >= 0) return n as T;
  const what = {
    string: "a string",
    boolean: "true or false",
    number: "a number",
    int: "a non-negative integer",
    scalar: "a string or number",
  };
  throw new QueryStringError(`[${where}] [${key}] must be ${what[kind]}, got ${describe(v)}`);
}

function fieldEntry(where: string, spec: unknown): FieldEntry {
  if (typeof spec !== "string")
    throw new QueryStringError(`[${where}] [fields] must be an array of strings, got ${describe(spec)}`);
  const at = spec.indexOf("^");
  const boost = at < 0 ? 1 : Number(spec.slice(at + 1));
  if (at >= 0 && (spec.slice(at + 1).trim() === "" || !Number.isFinite(boost))) {
    throw new QueryStringError(`[${where}] invalid boost in field [${spec}]`);
  }
  return { name: at < 0 ? spec : spec.slice(0, at), boost };
}

function readOptions(where: string, params: QueryStringParams, allowed: readonly string[]) {
  if (typeof params?.query !== "string") throw new QueryStringError(`[${where}] requires a string [query]`);
  // the same checks, in the same words, as ES's fromXContent
  for (const [key, value] of Object.entries(params)) {
    if (Array.isArray(value)) {
      if (key !== "fields") throw new QueryStringError(`[${where}] query does not support [${key}]`);
    } else if (typeof value === "object" && value !== null) {
      throw new QueryStringError(`[${where}] unknown token [START_OBJECT] after [${key}]`);
    } else if (!allowed.includes(key) || key === "fields") {
      const unknown = where === "query_string" ? "query does not support" : "unsupported field";
      throw new QueryStringError(`[${where}] ${unknown} [${key}]`);
    }
  }
  const str = (key: string) => param<string>(where, params, key, "string");
  const bool = (key: string) => param<boolean>(where, params, key, "boolean");
  const int = (key: string) => param<number>(where, params, key, "int");
  const defaultField = str("default_field");
  if (params.fields?.length && defaultField !== undefined) {
    throw new QueryStringError("cannot use [fields] parameter in conjunction with [default_field]");
  }
  const operator = str("default_operator")?.toLowerCase() ?? "or";
  if (operator !== "or" && operator !== "and") {
    throw new QueryStringError(
      `[${where}] [default_operator] must be AND or OR, not [${str("default_operator")}]`,
    );
  }
  const type = str("type")?.toLowerCase() ?? "best_fields";
  if (!TYPES.includes(type))
    throw new QueryStringError(`[${where}] query type [${type}] does not exist; use ${TYPES.join(", ")}`);
  for (const key of ["analyze_wildcard", "enable_position_increments", "escape"]) bool(key); // validated, no effect
  param(where, params, "boost", "number");
  str("_name");
  const fields = (params.fields ?? []).map((f) => fieldEntry(where, f));
  const and = operator === "and";
  const [analyzer, lenient] = [str("analyzer"), bool("lenient")];
  return {
    where,
    fields: fields.length ? fields : [{ name: defaultField ?? "*", boost: 1 }],
    defaultField,
    and,
    type,
    tie: param<number>(where, params, "tie_breaker", "number"),
    lenient,
    msm: param<string | number>(where, params, "minimum_should_match", "scalar"),
    fuzziness: param<string | number>(where, params, "fuzziness", "scalar") ?? "AUTO",
    phraseSlop: int("phrase_slop") ?? 0,
    quoteSuffix: str("quote_field_suffix"),
    allowLeadingWildcard: bool("allow_leading_wildcard") ?? true,
    // options passed through to the generated queries, by their DSL names
    text: {
      operator: and ? "and" : undefined,
      analyzer,
      lenient,
      auto_generate_synonyms_phrase_query: bool("auto_generate_synonyms_phrase_query"),
    },
    phrase: { analyzer: str("quote_analyzer") ?? analyzer },
    fuzzy: {
      prefix_length: int("fuzzy_prefix_length"),
      max_expansions: int("fuzzy_max_expansions"),
      analyzer,
      lenient,
    },
    fuzzyMatch: { fuzzy_transpositions: bool("fuzzy_transpositions"), fuzzy_rewrite: str("fuzzy_rewrite") },
    rewrite: str("rewrite"),
    regexp: { max_determinized_states: int("max_determinized_states") },
    range: { time_zone: str("time_zone") },
  };
}

// ---- DSL builders shared by both parsers --------------------------------------------------

/** Drops undefined values so the DSL only carries options actually set. */
function defined(obj: Dsl): Dsl {
  for (const k of Object.keys(obj)) if (obj[k] === undefined) delete obj[k];
  return obj;
}

const isPattern = (name: string): boolean => name.includes("*");
const fieldString = (e: FieldEntry): string => (e.boost === 1 ? e.name : `${e.name}^${e.boost}`);
const tieFor = (o: Options): number =>
  o.tie ?? (o.type === "most_fields" || o.type === "bool_prefix" ? 1 : 0);
/** The one concrete field a clause targets, when single-field queries can be used. */
const singleField = (entries: FieldEntry[]): FieldEntry | undefined =>
  entries.length === 1 && !isPattern((entries[0] as FieldEntry).name) ? entries[0] : undefined;
/** ES normalizes prefix/wildcard terms with the field's analyzer (lowercasing text fields); lacking the mapping, ignore case. */
const caseFold = (value: string): true | undefined => (value !== value.toLowerCase() ? true : undefined);

/** A field-level query (`{match: {title: {...}}}`) carrying the field's boost. */
const leaf = (type: string, e: FieldEntry, spec: Dsl): Dsl => ({
  [type]: { [e.name]: defined({ ...spec, boost: e.boost === 1 ? undefined : e.boost }) },
});
/** A multi_match over the entries; it expands patterns and applies `^boost`s itself. */
const multiMatch = (entries: FieldEntry[], spec: Dsl): Dsl => ({
  multi_match: defined({ ...spec, fields: entries.map(fieldString) }),
});

/** The object holding a query's `boost` and `_name`: the field spec of field-level queries, else the body. */
function optionsTarget(q: Dsl): Dsl | undefined {
  const [type, body] = Object.entries(q)[0] as [string, Dsl];
  if (type === "match_none") return undefined;
  const fieldLevel = ["match", "match_phrase", "prefix", "wildcard", "regexp", "range"].includes(type);
  return fieldLevel ? (Object.values(body)[0] as Dsl) : body;
}

function withBoost(q: Dsl, boost: number | undefined): Dsl {
  const target = boost === undefined || boost === 1 ? undefined : optionsTarget(q);
  if (target) target.boost = ((target.boost as number | undefined) ?? 1) * (boost as number);
  return q;
}

function disMax(queries: Dsl[], tie: number): Dsl {
  return queries.length === 1
    ? (queries[0] as Dsl)
    : { dis_max: defined({ queries, tie_breaker: tie || undefined }) };
}

/** Analysed text, as ES's MultiMatchQuery builds it for the parser's type over the fields. */
function textQuery(o: Options, entries: FieldEntry[], text: string, type = o.type): Dsl {
  const single = singleField(entries);
  if (single && MATCH_TYPES.has(type)) return leaf("match", single, { query: text, ...o.text });
  const slop = (type === "phrase" || type === "phrase_prefix") && o.phraseSlop ? o.phraseSlop : undefined;
  const typeName = type === "best_fields" ? undefined : type;
  return multiMatch(entries, { query: text, type: typeName, tie_breaker: o.tie, slop, ...o.text });
}

function phraseQuery(o: Options, entries: FieldEntry[], text: string, slop: number): Dsl {
  const fields = o.quoteSuffix ? entries.map((e) => ({ ...e, name: e.name + o.quoteSuffix })) : entries;
  const spec = { query: text, slop: slop || undefined, ...o.phrase };
  const single = singleField(fields);
  return single
    ? leaf("match_phrase", single, spec)
    : multiMatch(fields, { ...spec, type: "phrase", tie_breaker: o.tie });
}

/** Fuzzy terms through match's fuzziness, so the field's analyzer normalizes the term as in ES. */
function fuzzyQuery(
  o: Options,
  entries: FieldEntry[],
  text: string,
  fuzziness: string | number,
  tie: number,
): Dsl {
  const spec = { query: text, fuzziness, ...o.fuzzy };
  const single = singleField(entries);
  return single
    ? leaf("match", single, { ...spec, ...o.fuzzyMatch })
    : multiMatch(entries, { ...spec, tie_breaker: tie || undefined });
}

/** A prefix query per field; on a pattern, multi_match phrase_prefix expands the fields instead. */
function prefixQuery(o: Options, entries: FieldEntry[], value: string, tie: number): Dsl {
  const one = (e: FieldEntry): Dsl =>
    isPattern(e.name)
      ? multiMatch([e], { query: value, type: "phrase_prefix", tie_breaker: tie || undefined })
      : leaf("prefix", e, { value, case_insensitive: caseFold(value), rewrite: o.rewrite });
  return disMax(entries.map(one), tie);
}

/** Term-level queries (wildcard, regexp, range) per field, dis_max'ed; these need concrete fields. */
function perField(o: Options, entries: FieldEntry[], type: string, spec: Dsl): Dsl {
  const one = (e: FieldEntry): Dsl => {
    if (!isPattern(e.name)) return leaf(type, e, spec);
    if (o.lenient) return { match_none: {} };
    const advice = "list the fields in [fields] or [default_field], or write field:term";
    throw new QueryStringError(
      `[${o.where}] cannot build a ${type} query on the field pattern [${e.name}]: ${advice}`,
    );
  };
  return disMax(entries.map(one), tieFor(o));
}

/** minimum_should_match applies to the top-level boolean query only, as in ES; then boost and _name. */
function finish(q: Dsl, o: Options, params: QueryStringParams): Dsl {
  const bool = q.bool as Dsl | undefined;
  if (o.msm !== undefined && bool && Array.isArray(bool.should)) bool.minimum_should_match = o.msm;
  else if (o.msm !== undefined && q.match) (optionsTarget(q) as Dsl).minimum_should_match = o.msm;
  withBoost(q, params.boost === undefined || params.boost === null ? undefined : Number(params.boost));
  const target = typeof params._name === "string" ? optionsTarget(q) : undefined;
  if (target) target._name = params._name;
  return q;
}

// ---- query_string --------------------------------------------------------------------------

interface Clause {
  occur: Occur;
  q: Dsl;
}
type Conj = "none" | "and" | "or";
type Mod = "none" | "req" | "not";

const TERM_START = words(
  "BAREOPER STAR QUOTED TERM PREFIXTERM WILDTERM REGEXPTERM RANGEIN_START RANGEEX_START NUMBER",
) as TokenKind[];
const CLAUSE_START: TokenKind[] = ["NOT", "PLUS", "MINUS", "LPAREN", ...TERM_START];
const QUERY_CONTINUE: TokenKind[] = ["AND", "OR", ...CLAUSE_START];
/** Lucene's disallowedPostMultiTerm: a term followed by one of these does not join a whitespace run. */
const ENDS_MULTI_TERM = new Set<TokenKind>(["COLON", "STAR", "FUZZY_SLOP", "CARAT", "AND", "OR"]);
const RANGE_BOUND: TokenKind[] = ["RANGE_GOOP", "RANGE_QUOTED", "RANGE_TO"];
const MAX_DEPTH = 256;

/** Recursive descent over Lucene's classic grammar (Query, MultiTerm, Clause, Term), building DSL. */
class QueryStringParser {
  private readonly tokens: Token[];
  private at = 0;
  private depth = 0;

  constructor(
    private readonly query: string,
    private readonly o: Options,
  ) {
    this.tokens = tokenize(query);
  }

  parse(): Dsl {
    const q = this.parseQuery(this.o.defaultField ?? null);
    this.expect(["EOF"], ["EOF", ...QUERY_CONTINUE]);
    return q;
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.at + ahead, this.tokens.length - 1)] as Token;
  }

  /** Consumes a token of one of `kinds`, else throws Lucene's ParseException text listing `expected`. */
  private expect(kinds: TokenKind[], expected = kinds): Token {
    const t = this.peek();
    if (!kinds.includes(t.kind)) {
      const encountered = t.kind === "EOF" ? "<EOF>" : ` ${TOKEN_IMAGE[t.kind]} "${t.image} "`;
      const list = expected.map((k) => `    ${TOKEN_IMAGE[k]} ...`).join("\n");
      const one = expected.length > 1 ? " one of" : "";
      throw this.fail(
        `Encountered "${encountered}" at line 1, column ${t.pos}.\nWas expecting${one}:\n${list}`,
      );
    }
    this.at++;
    return t;
  }

  private fail(message: string): QueryStringError {
    return new QueryStringError(`Cannot parse '${this.query}': ${message}`);
  }

  private text(image: string): string {
    try {
      return discardEscapes(image);
    } catch (err) {
      throw err instanceof QueryStringError ? this.fail(err.message) : err;
    }
  }

  private parseQuery(field: string | null): Dsl {
    const clauses: Clause[] = [];
    let first: Dsl | undefined;
    if (this.atMultiTerm()) this.multiTerm(field, clauses);
    else {
      const mods = this.modifiers();
      const q = this.clause(field);
      this.addClause(clauses, "none", mods, q);
      if (mods === "none") first = q;
    }
    for (;;) {
      if (this.atMultiTerm()) this.multiTerm(field, clauses);
      else if (QUERY_CONTINUE.includes(this.peek().kind)) {
        const conj = this.conjunction();
        const mods = this.modifiers();
        this.addClause(clauses, conj, mods, this.clause(field));
      } else break;
    }
    if (clauses.length === 1 && first) return first;
    // a lone required or optional clause scores exactly like the clause itself
    if (clauses.length === 1 && clauses[0]?.occur !== "must_not") return (clauses[0] as Clause).q;
    const bool: Record<string, Dsl[]> = {};
    for (const c of clauses) {
      const list = bool[c.occur] ?? [];
      list.push(c.q);
      bool[c.occur] = list;
    }
    return { bool };
  }

  private atMultiTerm(): boolean {
    return (
      this.peek().kind === "TERM" && this.peek(1).kind === "TERM" && !ENDS_MULTI_TERM.has(this.peek(2).kind)
    );
  }

  /** Bare terms separated by whitespace only are analysed together: whitespace is not an operator. */
  private multiTerm(field: string | null, clauses: Clause[]): void {
    const run = [this.text((this.tokens[this.at++] as Token).image)];
    while (this.peek().kind === "TERM" && !ENDS_MULTI_TERM.has(this.peek(1).kind)) {
      run.push(this.text((this.tokens[this.at++] as Token).image));
    }
    // Lucene flattens a one-field run into term clauses, which minimum_should_match then counts
    const flatten = this.o.msm !== undefined && !this.o.and && MATCH_TYPES.has(this.o.type);
    if (flatten && field !== "_exists_" && singleField(this.fields(field))) {
      for (const w of run) this.addClause(clauses, "none", "none", this.fieldQuery(field, w));
    } else this.addClause(clauses, "none", "none", this.fieldQuery(field, run.join(" ")));
  }

  /** Lucene's QueryParserBase.addClause: AND/OR, +/-/NOT and the default operator decide each occur. */
  private addClause(clauses: Clause[], conj: Conj, mods: Mod, q: Dsl): void {
    const last = clauses.at(-1);
    if (last && last.occur !== "must_not") {
      if (conj === "and") last.occur = "must";
      else if (conj === "or" && this.o.and) last.occur = "should";
    }
    const prohibited = mods === "not";
    const required = this.o.and
      ? !prohibited && conj !== "or"
      : mods === "req" || (conj === "and" && !prohibited);
    clauses.push({ occur: prohibited ? "must_not" : required ? "must" : "should", q });
  }

  private conjunction(): Conj {
    const kind = this.peek().kind;
    if (kind !== "AND" && kind !== "OR") return "none";
    this.at++;
    return kind === "AND" ? "and" : "or";
  }

  private modifiers(): Mod {
    const kind = this.peek().kind;
    if (kind !== "PLUS" && kind !== "MINUS" && kind !== "NOT") return "none";
    this.at++;
    return kind === "PLUS" ? "req" : "not";
  }

  private clause(outer: string | null): Dsl {
    let field = outer;
    const first = this.peek();
    if ((first.kind === "TERM" || first.kind === "STAR") && this.peek(1).kind === "COLON") {
      this.at += 2;
      field = first.kind === "STAR" ? "*" : this.text(first.image);
    }
    if (this.peek().kind !== "LPAREN") return this.term(field);
    // bounded so hostile input gets a parse error, not a stack overflow
    if (++this.depth > MAX_DEPTH) throw this.fail(`more than ${MAX_DEPTH} nested groups`);
    this.at++;
    const q = this.parseQuery(field);
    this.expect(["RPAREN"], ["RPAREN", ...QUERY_CONTINUE]);
    this.depth--;
    return withBoost(q, this.optionalBoost());
  }

  private optionalBoost(): number | undefined {
    if (this.peek().kind !== "CARAT") return undefined;
    this.at++;
    return Number(this.expect(["NUMBER"]).image);
  }

  private term(field: string | null): Dsl {
    const t = this.expect(TERM_START, CLAUSE_START);
    if (t.kind === "RANGEIN_START" || t.kind === "RANGEEX_START")
      return this.range(field, t.kind === "RANGEIN_START");
    // `^boost` and `~slop` may come in either order
    let boost = this.optionalBoost();
    const slop = this.peek().kind === "FUZZY_SLOP" ? (this.tokens[this.at++] as Token).image : undefined;
    boost ??= this.optionalBoost();
    const o = this.o;
    const entries = this.fields(field);
    let q: Dsl;
    if (t.kind === "QUOTED") {
      const given = slop === undefined ? Number.NaN : Math.trunc(Number.parseFloat(slop.slice(1)));
      q = this.phrase(field, this.text(t.image.slice(1, -1)), Number.isNaN(given) ? o.phraseSlop : given);
    } else if (t.kind === "STAR" || t.kind === "WILDTERM") q = this.wildcard(field, t.image);
    else if (t.kind === "PREFIXTERM") q = prefixQuery(o, entries, this.text(t.image.slice(0, -1)), tieFor(o));
    else if (t.kind === "REGEXPTERM") {
      q = perField(o, entries, "regexp", { value: t.image.slice(1, -1), rewrite: o.rewrite, ...o.regexp });
    } else {
      const text = this.text(t.kind === "BAREOPER" ? t.image.charAt(0) : t.image);
      // `~` alone takes the fuzziness parameter; `~N` is an edit distance capped at 2 (Fuzziness.asDistance)
      const edits = slop && slop.length > 1 ? Math.min(2, Math.trunc(Number(slop.slice(1)))) : o.fuzziness;
      q = slop === undefined ? this.fieldQuery(field, text) : fuzzyQuery(o, entries, text, edits, tieFor(o));
    }
    return withBoost(q, boost);
  }

  private range(field: string | null, includeLower: boolean): Dsl {
    const bound = (t: Token): string | undefined => {
      const v =
        t.kind === "RANGE_QUOTED"
          ? this.text(t.image.slice(1, -1))
          : t.image === "*"
            ? "*"
            : this.text(t.image);
      return v === "*" ? undefined : v;
    };
    const lower = bound(this.expect(RANGE_BOUND));
    this.expect(["RANGE_TO"]);
    const upper = bound(this.expect(RANGE_BOUND));
    const includeUpper = this.expect(["RANGEIN_END", "RANGEEX_END"]).kind === "RANGEIN_END";
    const q = this.rangeQuery(field, {
      [includeLower ? "gte" : "gt"]: lower,
      [includeUpper ? "lte" : "lt"]: upper,
    });
    return withBoost(q, this.optionalBoost());
  }

  private rangeQuery(field: string | null, bounds: Dsl): Dsl {
    return perField(this.o, this.fields(field), "range", { ...bounds, ...this.o.range });
  }

  private fields(field: string | null): FieldEntry[] {
    return field === null ? this.o.fields : [{ name: field, boost: 1 }];
  }

  /** ES's getFieldQuery for unquoted text: `_exists_`, one-sided ranges after a field (`>5`, `<=x`), else analysed text. */
  private fieldQuery(field: string | null, text: string): Dsl {
    if (field === "_exists_") return { exists: { field: text } };
    if (field !== null && text.length > 1 && (text[0] === ">" || text[0] === "<")) {
      const inclusive = text.length > 2 && text[1] === "=";
      const key = `${text[0] === ">" ? "gt" : "lt"}${inclusive ? "e" : ""}`;
      return this.rangeQuery(field, { [key]: text.slice(inclusive ? 2 : 1) });
    }
    return textQuery(this.o, this.fields(field), text);
  }

  private phrase(field: string | null, text: string, slop: number): Dsl {
    return field === "_exists_"
      ? { exists: { field: text } }
      : phraseQuery(this.o, this.fields(field), text, slop);
  }

  private wildcard(field: string | null, raw: string): Dsl {
    const o = this.o;
    if (raw === "*") {
      // `*` alone: everything on the all-fields pattern, else "the field has a value"
      if (field === "*" || (field === null && o.fields.some((e) => e.name === "*"))) return { match_all: {} };
      const exists = (e: FieldEntry): Dsl => ({
        exists: defined({ field: e.name, boost: e.boost === 1 ? undefined : e.boost }),
      });
      return disMax(this.fields(field).map(exists), tieFor(o));
    }
    if (!o.allowLeadingWildcard && (raw[0] === "*" || raw[0] === "?")) {
      throw this.fail("'*' or '?' not allowed as first character in WildcardQuery");
    }
    return perField(o, this.fields(field), "wildcard", {
      value: raw,
      case_insensitive: caseFold(raw),
      rewrite: o.rewrite,
    });
  }
}

/** Translates a `query_string` body into query DSL; syntax errors throw QueryStringError. */
export function parseQueryString(params: QueryStringParams): object {
  const o = readOptions("query_string", params, QUERY_STRING_KEYS);
  const text = params.escape === true || params.escape === "true" ? escapeQuery(params.query) : params.query;
  if (text.trim() === "") return { match_none: {} };
  return finish(new QueryStringParser(text, o).parse(), o, params);
}

// ---- simple_query_string -------------------------------------------------------------------

/** ES's SimpleQueryStringQueryParser: most_fields text; prefix and fuzzy dis_max'ed with tie 1; phrases. */
function simpleToDsl(o: Options, node: SimpleNode): Dsl {
  switch (node.kind) {
    case "text":
      return textQuery(o, o.fields, node.text, "most_fields");
    case "prefix":
      return prefixQuery(o, o.fields, node.text, 1);
    case "fuzzy":
      return fuzzyQuery(o, o.fields, node.text, node.edits, 1);
    case "phrase":
      return phraseQuery(o, o.fields, node.text, node.slop);
    case "not":
      return { bool: { must_not: [simpleToDsl(o, node.clause)], should: [{ match_all: {} }] } };
    case "bool":
      return { bool: { [node.occur]: node.clauses.map((c) => simpleToDsl(o, c)) } };
  }
}

/** Translates a `simple_query_string` body into query DSL; it never fails on query syntax. */
export function parseSimpleQueryString(params: QueryStringParams): object {
  const o = readOptions("simple_query_string", params, SIMPLE_KEYS);
  const node = scanSimpleQuery(params.query, parseSimpleFlags(params.flags), o.and ? "must" : "should");
  return node ? finish(simpleToDsl(o, node), o, params) : { match_none: {} };
}

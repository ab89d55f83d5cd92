/**
 * The lexical layer of both query-string syntaxes.
 *
 * `query_string`: a tokenizer following Lucene's classic QueryParser grammar (QueryParser.jj): the
 * same token kinds, longest-match rule and lexical states (default, boost after `^`, range inside
 * `[`/`{`), so inputs split exactly where Lucene splits them. Error messages copy Lucene's wording
 * and 0-based columns, as Elasticsearch reports them.
 *
 * `simple_query_string`: a port of Lucene's SimpleQueryParser character scanner, which never fails
 * and returns a small syntax tree that query-string.ts turns into query DSL.
 */

export class QueryStringError extends Error {}

export type TokenKind =
  | "EOF"
  | "AND"
  | "OR"
  | "NOT"
  | "PLUS"
  | "MINUS"
  | "BAREOPER"
  | "LPAREN"
  | "RPAREN"
  | "COLON"
  | "STAR"
  | "CARAT"
  | "QUOTED"
  | "TERM"
  | "FUZZY_SLOP"
  | "PREFIXTERM"
  | "WILDTERM"
  | "REGEXPTERM"
  | "RANGEIN_START"
  | "RANGEEX_START"
  | "NUMBER"
  | "RANGE_TO"
  | "RANGEIN_END"
  | "RANGEEX_END"
  | "RANGE_QUOTED"
  | "RANGE_GOOP";

export interface Token {
  kind: TokenKind;
  image: string;
  /** 0-based offset in the query (Lucene's "column"). */
  pos: number;
}

/** How JavaCC names each kind in "Encountered …" / "Was expecting …" messages. */
export const TOKEN_IMAGE: Record<TokenKind, string> = {
  EOF: "<EOF>",
  AND: "<AND>",
  OR: "<OR>",
  NOT: "<NOT>",
  PLUS: '"+"',
  MINUS: '"-"',
  BAREOPER: "<BAREOPER>",
  LPAREN: '"("',
  RPAREN: '")"',
  COLON: '":"',
  STAR: '"*"',
  CARAT: '"^"',
  QUOTED: "<QUOTED>",
  TERM: "<TERM>",
  FUZZY_SLOP: "<FUZZY_SLOP>",
  PREFIXTERM: "<PREFIXTERM>",
  WILDTERM: "<WILDTERM>",
  REGEXPTERM: "<REGEXPTERM>",
  RANGEIN_START: '"["',
  RANGEEX_START: '"{"',
  NUMBER: "<NUMBER>",
  RANGE_TO: '"TO"',
  RANGEIN_END: '"]"',
  RANGEEX_END: '"}"',
  RANGE_QUOTED: "<RANGE_QUOTED>",
  RANGE_GOOP: "<RANGE_GOOP>",
};

const WHITESPACE = new Set([" ", "\t", "\n", "\r", "\u3000"]);
const NOT_TERM_START = new Set([
  ...WHITESPACE,
  "+",
  "-",
  "!",
  "(",
  ")",
  ":",
  "^",
  "[",
  "]",
  '"',
  "{",
  "}",
  "~",
  "*",
  "?",
  "\\",
  "/",
]);
const isTermStart = (c: string): boolean => !NOT_TERM_START.has(c);
const isTermChar = (c: string): boolean => isTermStart(c) || c === "-" || c === "+";
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

function lexicalError(query: string, pos: number, after: string): QueryStringError {
  const c = query[pos];
  const encountered = c === undefined ? "<EOF> " : `${JSON.stringify(c)} (${c.charCodeAt(0)}), `;
  return new QueryStringError(
    `Cannot parse '${query}': Lexical error at line 1, column ${pos + 1}.  Encountered: ${encountered}after : ${JSON.stringify(after)}`,
  );
}

/** Digits with an optional fraction, as NUMBER and the number part of FUZZY_SLOP accept. */
function numberEnd(s: string, i: number): number {
  let j = i;
  while (isDigit(s[j])) j++;
  if (j > i && s[j] === "." && isDigit(s[j + 1])) {
    j++;
    while (isDigit(s[j])) j++;
  }
  return j;
}

/** A quoted run starting at `i` (the opening quote); returns the index after the closing quote. */
function quotedEnd(query: string, i: number): number {
  let j = i + 1;
  while (j < query.length && query[j] !== '"') j += query[j] === "\\" ? 2 : 1;
  if (j >= query.length) throw lexicalError(query, query.length, query.slice(i));
  return j + 1;
}

/** Term-like tokens: TERM, PREFIXTERM (one trailing `*`), WILDTERM, STAR, or AND/OR as `&&`/`||`. */
function wordToken(query: string, i: number): Token {
  let j = i;
  const wild: number[] = [];
  while (j < query.length) {
    const c = query[j] as string;
    if (c === "\\") {
      if (j + 1 >= query.length) throw lexicalError(query, j + 1, query.slice(i, j + 1));
      j += 2;
    } else if (c === "*" || c === "?") {
      wild.push(j);
      j++;
    } else if (isTermChar(c)) j++;
    else break;
  }
  const image = query.slice(i, j);
  if (!wild.length) {
    if (image === "&&") return { kind: "AND", image, pos: i };
    if (image === "||") return { kind: "OR", image, pos: i };
    return { kind: "TERM", image, pos: i };
  }
  if (image === "*") return { kind: "STAR", image, pos: i };
  const prefix = wild.length === 1 && wild[0] === j - 1 && wild[0] !== i;
  return { kind: prefix ? "PREFIXTERM" : "WILDTERM", image, pos: i };
}

const SINGLE: Record<string, TokenKind> = {
  "(": "LPAREN",
  ")": "RPAREN",
  ":": "COLON",
  "^": "CARAT",
  "[": "RANGEIN_START",
  "{": "RANGEEX_START",
};

/** Splits a query into Lucene tokens, ending with an EOF token; throws Lucene's lexical errors. */
export function tokenize(query: string): Token[] {
  const out: Token[] = [];
  let state: "default" | "boost" | "range" = "default";
  let i = 0;
  const push = (kind: TokenKind, end: number): void => {
    out.push({ kind, image: query.slice(i, end), pos: i });
    i = end;
  };
  for (;;) {
    if (state !== "boost") while (i < query.length && WHITESPACE.has(query[i] as string)) i++;
    if (i >= query.length) break;
    const c = query[i] as string;
    if (state === "boost") {
      const end = numberEnd(query, i);
      if (end === i) throw lexicalError(query, i, "");
      push("NUMBER", end);
      state = "default";
    } else if (state === "range") {
      if (c === "]" || c === "}") {
        push(c === "]" ? "RANGEIN_END" : "RANGEEX_END", i + 1);
        state = "default";
        continue;
      }
      let goop = i;
      while (goop < query.length && !" ]}".includes(query[goop] as string)) goop++;
      let quoted = -1;
      if (c === '"') {
        let j = i + 1;
        while (j < query.length && query[j] !== '"') j += query[j] === "\\" && query[j + 1] === '"' ? 2 : 1;
        if (j < query.length && j > i + 1) quoted = j + 1;
      }
      // longest match wins; on a tie the earlier declaration ("TO", then quoted) does
      if (quoted >= goop) push("RANGE_QUOTED", quoted);
      else push(query.slice(i, goop) === "TO" ? "RANGE_TO" : "RANGE_GOOP", goop);
    } else if (SINGLE[c]) {
      const kind = SINGLE[c] as TokenKind;
      push(kind, i + 1);
      if (kind === "CARAT") state = "boost";
      if (kind === "RANGEIN_START" || kind === "RANGEEX_START") state = "range";
    } else if (c === "+" || c === "-" || c === "!") {
      if (i + 1 < query.length && WHITESPACE.has(query[i + 1] as string)) push("BAREOPER", i + 2);
      else push(c === "+" ? "PLUS" : c === "-" ? "MINUS" : "NOT", i + 1);
    } else if (c === '"') push("QUOTED", quotedEnd(query, i));
    else if (c === "~") push("FUZZY_SLOP", numberEnd(query, i + 1));
    else if (c === "/") {
      let j = i + 1;
      while (j < query.length && query[j] !== "/") j += query[j] === "\\" && query[j + 1] === "/" ? 2 : 1;
      if (j >= query.length) throw lexicalError(query, i, "");
      push("REGEXPTERM", j + 1);
    } else if (c === "]" || c === "}") throw lexicalError(query, i, "");
    else {
      const t = wordToken(query, i);
      const keyword = t.kind === "TERM" && (t.image === "AND" || t.image === "OR" || t.image === "NOT");
      out.push(keyword ? { ...t, kind: t.image as TokenKind } : t);
      i += t.image.length;
    }
  }
  out.push({ kind: "EOF", image: "", pos: query.length });
  return out;
}

/** Lucene's discardEscapeChar: drops backslashes and decodes `\uXXXX`. */
export function discardEscapes(input: string): string {
  let out = "";
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as string;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = input[++i];
    if (next === undefined) throw new QueryStringError("Term can not end with escape character.");
    if (next !== "u") {
      out += next;
      continue;
    }
    const hex = input.slice(i + 1, i + 5);
    if (hex.length < 4) throw new QueryStringError("Truncated unicode escape sequence.");
    const bad = [...hex].find((h) => !/[0-9a-fA-F]/.test(h));
    if (bad !== undefined) throw new QueryStringError(`Non-hex character in Unicode escape sequence: ${bad}`);
    out += String.fromCharCode(Number.parseInt(hex, 16));
    i += 4;
  }
  return out;
}

/** Lucene's QueryParser.escape (the `escape: true` parameter): every syntax character gets a backslash. */
export function escapeQuery(s: string): string {
  return s.replace(/[\\+\-!():^[\]"{}~*?|&/]/g, "\\$&");
}

// ---- simple_query_string -------------------------------------------------------------------

/** Lucene's SimpleQueryParser operator bits, in order; ES adds SLOP as another name for NEAR. */
const SIMPLE_FLAGS: Record<string, number> = Object.fromEntries(
  "AND NOT OR PREFIX PHRASE PRECEDENCE ESCAPE WHITESPACE FUZZY NEAR"
    .split(" ")
    .map((name, i) => [name, 1 << i]),
);
SIMPLE_FLAGS.SLOP = SIMPLE_FLAGS.NEAR as number;

/** The `flags` parameter: `ALL`, `NONE` or names joined by `|` (case-insensitive), or the bit mask itself. */
export function parseSimpleFlags(value: unknown): number {
  if (value === undefined || value === null) return -1;
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : -1;
  if (typeof value !== "string") {
    throw new QueryStringError(
      `[simple_query_string] [flags] must be a string or number, got ${JSON.stringify(value)}`,
    );
  }
  let flags = 0;
  for (const name of value.split("|").map((s) => s.trim().toUpperCase())) {
    if (name === "ALL") return -1;
    if (name === "NONE") return 0;
    const bit = SIMPLE_FLAGS[name];
    if (bit === undefined && name !== "")
      throw new QueryStringError(`Unknown simple_query_string flag [${name}]`);
    flags |= bit ?? 0;
  }
  return value.trim() === "" ? -1 : flags;
}

export type SimpleNode =
  | { kind: "text" | "prefix"; text: string }
  | { kind: "fuzzy"; text: string; edits: number }
  | { kind: "phrase"; text: string; slop: number }
  | { kind: "not"; clause: SimpleNode }
  | { kind: "bool"; occur: "must" | "should"; clauses: SimpleNode[] };

interface SimpleState {
  index: number;
  end: number;
  top?: SimpleNode;
  current?: "must" | "should";
  previous?: "must" | "should";
  not: number;
  depth: number;
}

const SIMPLE_WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

/** Lucene's SimpleQueryParser, quirks included (unbalanced `(`/`"` are ignored, `()` resets the operator). */
class SimpleScanner {
  constructor(
    private readonly data: string,
    private readonly flags: number,
    private readonly defaultOccur: "must" | "should",
  ) {}

  private has(flag: string): boolean {
    return (this.flags & (SIMPLE_FLAGS[flag] as number)) !== 0;
  }

  parseSubQuery(state: SimpleState): void {
    while (state.index < state.end) {
      const c = this.data[state.index] as string;
      // past a sane depth `(` is skipped like an unbalanced one (each level rescans its text)
      if (c === "(" && this.has("PRECEDENCE") && state.depth >= 256) state.index++;
      else if (c === "(" && this.has("PRECEDENCE")) this.consumeSubQuery(state);
      else if (c === ")" && this.has("PRECEDENCE")) state.index++;
      else if (c === '"' && this.has("PHRASE")) this.consumePhrase(state);
      else if ((c === "+" && this.has("AND")) || (c === "|" && this.has("OR"))) {
        if (!state.current && state.top) state.current = c === "+" ? "must" : "should";
        state.index++;
      } else if (c === "-" && this.has("NOT")) {
        state.not++;
        state.index++;
        continue; // the count applies to the next clause
      } else if (SIMPLE_WHITESPACE.has(c) && this.has("WHITESPACE")) state.index++;
      else this.consumeToken(state);
      state.not = 0;
    }
  }

  private consumeSubQuery(state: SimpleState): void {
    const start = ++state.index;
    let depth = 1;
    for (; state.index < state.end; state.index++) {
      const c = this.data[state.index];
      if (c === "\\" && this.has("ESCAPE")) state.index++;
      else if (c === "(") depth++;
      else if (c === ")" && --depth === 0) break;
    }
    if (state.index >= state.end)
      state.index = start; // unbalanced: the `(` is ignored
    else if (state.index === start) {
      state.current = undefined; // `()`
      state.index++;
    } else {
      const sub: SimpleState = { index: start, end: state.index, not: 0, depth: state.depth + 1 };
      this.parseSubQuery(sub);
      this.buildQueryTree(state, sub.top);
      state.index++;
    }
  }

  private consumePhrase(state: SimpleState): void {
    const start = ++state.index;
    let text = "";
    let hasSlop = false;
    while (state.index < state.end) {
      const c = this.data[state.index] as string;
      if (c === "\\" && this.has("ESCAPE")) {
        if (++state.index < state.end) text += this.data[state.index++];
        continue;
      }
      if (c === '"') {
        if (state.index + 1 < state.end && this.data[state.index + 1] === "~" && this.has("NEAR")) {
          state.index++;
          hasSlop = state.index + 1 < state.end;
        }
        break;
      }
      text += c;
      state.index++;
    }
    if (state.index >= state.end)
      state.index = start; // unterminated: the `"` is ignored
    else if (state.index === start) {
      state.current = undefined; // `""`
      state.index++;
    } else {
      const slop = hasSlop ? this.parseFuzziness(state) : 0;
      // an empty phrase analyses to nothing, and Lucene skips the null query
      if (text) this.buildQueryTree(state, { kind: "phrase", text, slop });
      state.index++;
    }
  }

  private consumeToken(state: SimpleState): void {
    let text = "";
    let prefix = false;
    let fuzzy = false;
    while (state.index < state.end) {
      const c = this.data[state.index] as string;
      if (c === "\\" && this.has("ESCAPE")) {
        prefix = false;
        if (++state.index < state.end) text += this.data[state.index++];
        continue;
      }
      if (this.tokenFinished(state)) break;
      if (text && c === "~" && this.has("FUZZY")) {
        fuzzy = true;
        break;
      }
      prefix = text !== "" && c === "*" && this.has("PREFIX");
      text += c;
      state.index++;
    }
    if (!text) return;
    if (fuzzy) {
      const edits = Math.min(this.parseFuzziness(state), 2);
      this.buildQueryTree(state, edits === 0 ? { kind: "text", text } : { kind: "fuzzy", text, edits });
    } else
      this.buildQueryTree(
        state,
        prefix ? { kind: "prefix", text: text.slice(0, -1) } : { kind: "text", text },
      );
  }

  /** The number after `~` (state.index is on the `~`) up to the end of the token; `~` alone means 2. */
  private parseFuzziness(state: SimpleState): number {
    let digits = "";
    while (state.index < state.end) {
      state.index++;
      if (state.index < state.end) {
        if (this.tokenFinished(state)) break;
        digits += this.data[state.index];
      }
    }
    if (digits === "") return 2;
    return /^[+-]?\d+$/.test(digits) ? Math.max(0, Number(digits)) : 0;
  }

  private tokenFinished(state: SimpleState): boolean {
    const c = this.data[state.index] as string;
    return (
      (c === '"' && this.has("PHRASE")) ||
      (c === "|" && this.has("OR")) ||
      (c === "+" && this.has("AND")) ||
      ((c === "(" || c === ")") && this.has("PRECEDENCE")) ||
      (SIMPLE_WHITESPACE.has(c) && this.has("WHITESPACE"))
    );
  }

  /** Left to right: a change of operator makes everything so far one clause of a new boolean. */
  private buildQueryTree(state: SimpleState, clause: SimpleNode | undefined): void {
    if (!clause) return;
    const branch: SimpleNode = state.not % 2 === 1 ? { kind: "not", clause } : clause;
    if (!state.top) state.top = branch;
    else {
      const occur = state.current ?? this.defaultOccur;
      if (state.previous !== occur) state.top = { kind: "bool", occur, clauses: [state.top] };
      if (state.top.kind === "bool") state.top.clauses.push(branch);
      state.previous = occur;
    }
    state.current = undefined;
  }
}

/** Scans a simple_query_string; undefined when nothing searchable is left (ES then matches nothing). */
export function scanSimpleQuery(
  data: string,
  flags: number,
  defaultOccur: "must" | "should",
): SimpleNode | undefined {
  const state: SimpleState = { index: 0, end: data.length, not: 0, depth: 0 };
  new SimpleScanner(data, flags, defaultOccur).parseSubQuery(state);
  return state.top;
}

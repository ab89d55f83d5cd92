/**
 * Multi-term queries (prefix, wildcard, regexp, fuzzy) expand to the indexed terms they match.
 * Wildcards and regexps become anchored JS regexps checked to stay linear (no backreferences or
 * lookarounds, which Lucene's regexp syntax does not have either).
 */
import { setFlagsFromString } from "node:v8";
import { EngineError, illegalArgument } from "../errors.ts";
import type { Segment } from "../index/segment.ts";

/** Elasticsearch's `index.max_regex_length` default; wildcards get the same bound. */
const MAX_PATTERN = 1000;

// Patterns come from requests, and V8's backtracking engine takes exponential time on shapes such
// as `(a+)+b` or `(a|a)*b` (Lucene compiles them to automata and does not). The `l` flag, which
// this V8 flag enables, runs a regexp on V8's linear-time engine, and refuses patterns it cannot
// run that way (large counted repetitions of groups): those get a 400, as Lucene's
// too-complex-to-determinize error does. The linear engine takes no other flags, so
// case-insensitive matching lowercases the term and the pattern instead of using `i`.
setFlagsFromString("--enable-experimental-regexp-engine");

/** What multi-term queries test terms with (a RegExp, or one that lowercases first). */
export interface TermMatcher {
  test(term: string): boolean;
}

function linearMatcher(source: string, caseInsensitive: boolean, original: string): TermMatcher {
  let re: RegExp;
  try {
    re = new RegExp(source, "l");
  } catch {
    throw new EngineError(
      400,
      "too_complex_to_determinize_exception",
      `[${original}] is too complex to match in linear time (large counted repetitions such as {20} of a group or {1,1000}); simplify the pattern`,
    );
  }
  return caseInsensitive ? { test: (term) => re.test(term.toLowerCase()) } : re;
}

export function wildcardToRegExp(pattern: string, caseInsensitive = false): TermMatcher {
  if (pattern.length > MAX_PATTERN)
    throw illegalArgument(`wildcard pattern is longer than ${MAX_PATTERN} characters`);
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  let re = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === "\\" && i + 1 < p.length) re += escapeRegExpChar(p[++i] as string);
    else if (c === "*") re += "[^]*";
    else if (c === "?") re += "[^]";
    else re += escapeRegExpChar(c);
  }
  return linearMatcher(`^${re}$`, caseInsensitive, pattern);
}

function escapeRegExpChar(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

export function luceneRegExp(pattern: string, caseInsensitive = false): TermMatcher {
  if (pattern.length > MAX_PATTERN) {
    throw illegalArgument(
      `The length of regex [${pattern.length}] used in the Regexp Query request has exceeded the allowed maximum of [${MAX_PATTERN}]. This maximum can be set by changing the [index.max_regex_length] index level setting.`,
    );
  }
  if (/\(\?|\\[1-9]|\\k</.test(pattern)) {
    throw illegalArgument(
      `regexp [${pattern}] uses a construct Lucene's regexp syntax does not support (groups with ?, backreferences)`,
    );
  }
  // Lucene syntax: `@` any string, `<n-m>` numeric ranges and `#` empty are rare; `.`/`*`/`+`/`?`/`{}`/`[]`/`|`/`()` map directly
  const translated = (caseInsensitive ? pattern.toLowerCase() : pattern).replace(/(^|[^\\])@/g, "$1[^]*");
  try {
    // validated with the u flag (strict syntax), matched without it (the linear engine needs no flags)
    new RegExp(`^(?:${translated})$`, "u");
  } catch (err) {
    throw illegalArgument(`invalid regexp [${pattern}]: ${(err as Error).message}`);
  }
  return linearMatcher(`^(?:${translated})$`, caseInsensitive, pattern);
}

/** Term ids in a segment's field whose term starts with prefix. */
export function prefixTermIds(seg: Segment, field: string, prefix: string): number[] {
  const terms = seg.inverted.get(field)?.terms;
  if (!terms) return [];
  const out: number[] = [];
  for (let t = seg.seekTerm(field, prefix); t < terms.length && (terms[t] as string).startsWith(prefix); t++)
    out.push(t);
  return out;
}

export function matchingTermIds(seg: Segment, field: string, re: TermMatcher, literalPrefix = ""): number[] {
  const terms = seg.inverted.get(field)?.terms;
  if (!terms) return [];
  const out: number[] = [];
  for (let t = literalPrefix ? seg.seekTerm(field, literalPrefix) : 0; t < terms.length; t++) {
    const term = terms[t] as string;
    if (literalPrefix && !term.startsWith(literalPrefix)) break;
    if (term.length <= 1024 && re.test(term)) out.push(t);
  }
  return out;
}

/** Live docs of a segment having any of the given terms, ascending. */
export function docsOfTerms(seg: Segment, field: string, termIds: number[]): Int32Array {
  const inv = seg.inverted.get(field);
  if (!inv || !termIds.length) return new Int32Array(0);
  if (termIds.length === 1) {
    const t = termIds[0] as number;
    return inv.postDocs.slice(inv.postStart[t] as number, inv.postStart[t + 1] as number);
  }
  const mark = new Uint8Array(seg.maxDoc);
  for (const t of termIds)
    for (let p = inv.postStart[t] as number; p < (inv.postStart[t + 1] as number); p++)
      mark[inv.postDocs[p] as number] = 1;
  const out: number[] = [];
  for (let d = 0; d < seg.maxDoc; d++) if (mark[d]) out.push(d);
  return Int32Array.from(out);
}

/** Damerau-Levenshtein distance capped at max+1 (enough for fuzzy matching decisions). */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, (prev2[j - 2] as number) + 1);
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    for (let j = 0; j <= b.length; j++) prev2[j] = prev[j] as number;
    prev = cur;
  }
  return prev[b.length] as number;
}

/** ES fuzziness: `AUTO` (0 for 1–2 chars, 1 for 3–5, 2 above), `AUTO:low,high`, or 0/1/2. */
export function resolveFuzziness(spec: unknown, term: string): number {
  const s = String(spec ?? "AUTO").toUpperCase();
  if (s.startsWith("AUTO")) {
    const [low, high] = s.includes(":") ? (s.split(":")[1] as string).split(",").map(Number) : [3, 6];
    const len = [...term].length;
    return len < (low ?? 3) ? 0 : len < (high ?? 6) ? 1 : 2;
  }
  const n = Number(s);
  if (!Number.isFinite(n) || n < 0)
    throw illegalArgument(`fuzziness must be AUTO, 0, 1 or 2, got [${String(spec)}]`);
  return Math.min(2, Math.trunc(n));
}

/** Terms within the edit distance over all segments, closest first, at most maxExpansions. */
export function fuzzyTerms(
  segments: readonly Segment[],
  field: string,
  term: string,
  edits: number,
  prefixLength: number,
  maxExpansions: number,
): { term: string; boost: number }[] {
  if (edits === 0) return [{ term, boost: 1 }];
  const prefix = term.slice(0, prefixLength);
  const found = new Map<string, number>();
  for (const seg of segments) {
    const terms = seg.inverted.get(field)?.terms;
    if (!terms) continue;
    for (let t = prefix ? seg.seekTerm(field, prefix) : 0; t < terms.length; t++) {
      const candidate = terms[t] as string;
      if (prefix && !candidate.startsWith(prefix)) break;
      if (found.has(candidate)) continue;
      const d = editDistance(term, candidate, edits);
      if (d <= edits) found.set(candidate, d);
    }
  }
  return [...found]
    .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxExpansions)
    .map(([t, d]) => ({
      term: t,
      boost: d === 0 ? 1 : Math.max(0, 1 - d / Math.min(t.length, term.length)),
    }));
}

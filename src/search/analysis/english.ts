/**
 * Lucene 8.7 `StandardAnalyzer` and `EnglishAnalyzer`, token for token (terms, offsets, positions, types).
 *
 * EnglishAnalyzer.createComponents (8.7): StandardTokenizer → EnglishPossessiveFilter → LowerCaseFilter →
 * StopFilter(ENGLISH_STOP_WORDS_SET) → [SetKeywordMarkerFilter if stem exclusions] → PorterStemFilter.
 * StandardAnalyzer (8.x): StandardTokenizer(255) → LowerCaseFilter → StopFilter(empty set).
 * `bench/bm25/analyzer-parity.ts` compares both against the real Lucene jars.
 */
import { porterStem } from "./porter-stemmer.ts";
import { AsciiSpans, isAscii, scanAscii, tokenizeAscii, tokenizeDfa } from "./standard-tokenizer.ts";
import { TokenCache } from "./token-cache.ts";
import type { TermSink, Token, TokenFilter } from "./types.ts";

/** Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET (= StopAnalyzer's classic list). */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set([
  "a",
  "an",
  "and",
  "are",
  "as",
  "at",
  "be",
  "but",
  "by",
  "for",
  "if",
  "in",
  "into",
  "is",
  "it",
  "no",
  "not",
  "of",
  "on",
  "or",
  "such",
  "that",
  "the",
  "their",
  "then",
  "there",
  "these",
  "they",
  "this",
  "to",
  "was",
  "will",
  "with",
]);

// ---------------------------------------------------------------------------------------------------------
// Lower-casing

/**
 * Lower-cases like Lucene's LowerCaseFilter: `Character.toLowerCase` per code point (simple, locale-free
 * case mapping). JS `toLowerCase()` applies the full mapping, which differs only for U+0130 (İ → "i̇",
 * Java gives "i") and the context-dependent final sigma (Σ → ς at a word end, Java always gives σ).
 */
export function lowerCaseTerm(term: string): string {
  const n = term.length;
  let i = 0;
  for (; i < n; i++) {
    const c = term.charCodeAt(i);
    if (c >= 0x80) break;
    if (c >= 0x41 && c <= 0x5a) {
      // ASCII with an upper-case letter: keep scanning for non-ASCII, else the plain lower-case is exact.
      for (let q = i + 1; q < n; q++) if (term.charCodeAt(q) >= 0x80) return lowerCaseUnicode(term);
      return term.toLowerCase();
    }
  }
  return i === n ? term : lowerCaseUnicode(term);
}

function lowerCaseUnicode(term: string): string {
  if (term.indexOf("\u0130") < 0 && term.indexOf("\u03a3") < 0) return term.toLowerCase();
  let out = "";
  for (const ch of term) {
    if (ch === "\u0130") out += "i";
    else if (ch === "\u03a3") out += "\u03c3";
    else out += ch.toLowerCase();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Filters (each returns new token objects; input tokens are not mutated)

/** Lucene LowerCaseFilter. */
export const lowercaseFilter: TokenFilter = (tokens) => {
  const out: Token[] = new Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    out[i] = { ...t, term: lowerCaseTerm(t.term) };
  }
  return out;
};

/**
 * Lucene StopFilter (position increments enabled): drops tokens whose term is in `words`; the following
 * token keeps its position, so the gap stays visible to phrase queries.
 */
export function stopFilter(words: ReadonlySet<string>): TokenFilter {
  return (tokens) => tokens.filter((t) => !words.has(t.term));
}

/** Strips a trailing 's / ’s / ＇s (either case of s), like Lucene 8.7 EnglishPossessiveFilter. */
export function stripPossessive(term: string): string {
  const n = term.length;
  if (n < 2) return term;
  const last = term.charCodeAt(n - 1);
  if (last !== 0x73 && last !== 0x53) return term;
  const q = term.charCodeAt(n - 2);
  return q === 0x27 || q === 0x2019 || q === 0xff07 ? term.slice(0, n - 2) : term;
}

/** Lucene EnglishPossessiveFilter (offsets keep covering the apostrophe and s). */
export const englishPossessiveFilter: TokenFilter = (tokens) =>
  tokens.map((t) => {
    const term = stripPossessive(t.term);
    return term === t.term ? t : { ...t, term };
  });

/** Lucene PorterStemFilter: stems every token not marked `keyword`. */
export const porterStemFilter: TokenFilter = (tokens) =>
  tokens.map((t) => {
    if (t.keyword) return t;
    const term = porterStem(t.term);
    return term === t.term ? t : { ...t, term };
  });

// ---------------------------------------------------------------------------------------------------------
// Ready analyzers

/**
 * StandardTokenizer(255) + LowerCaseFilter. ASCII text is lower-cased as a whole before scanning (same
 * lengths, same character classes, so the same tokens and offsets); other text per term, as Lucene does.
 */
function tokenizeLowerCased(text: string): Token[] {
  if (isAscii(text)) return tokenizeAscii(text.toLowerCase(), 255);
  const tokens = tokenizeDfa(text, 255);
  for (const t of tokens) t.term = lowerCaseTerm(t.term);
  return tokens;
}

/** Lucene 8.7 StandardAnalyzer (no stop words): StandardTokenizer(255) + LowerCaseFilter. */
export function standardAnalyze(text: string): Token[] {
  return tokenizeLowerCased(text);
}

const standardTerms = new TokenCache((token) => token);

/** `standardAnalyze`'s terms for indexing (Analyzer.indexTerms). */
export function standardIndexTerms(text: string, sink: TermSink): void {
  if (isAscii(text)) memoTerms(standardTerms, text.toLowerCase(), sink);
  else pushTokens(tokenizeLowerCased(text), sink);
}

/** Possessive, stop word and stem of one lower-cased token (null: a stop word). */
function englishTerm(token: string): string | null {
  const term = stripPossessive(token);
  return ENGLISH_STOP_WORDS.has(term) ? null : porterStem(term);
}

const englishTerms = new TokenCache(englishTerm);
const spans = new AsciiSpans();

/**
 * Lucene 8.7 EnglishAnalyzer: StandardTokenizer + EnglishPossessiveFilter + LowerCaseFilter +
 * StopFilter(ENGLISH_STOP_WORDS) + PorterStemFilter, fused into one pass over the tokenizer's output.
 * (Lower-casing before stripping the possessive is equivalent: the filter accepts 's' and 'S' alike.)
 * ASCII text maps each token's span through a memo, so stop words and repeated words cost no substring.
 */
export function englishAnalyze(text: string): Token[] {
  if (!isAscii(text)) return englishFilter(tokenizeDfa(text, 255));
  const lower = text.toLowerCase();
  scanAscii(lower, 255, spans);
  const tokens: Token[] = [];
  for (let i = 0; i < spans.count; i++) {
    const start = spans.start[i] as number;
    const end = spans.end[i] as number;
    const term = englishTerms.get(lower, start, end);
    if (term === null) continue;
    tokens.push({ term, start, end, position: i, type: spans.numeric[i] ? "<NUM>" : "<ALPHANUM>" });
  }
  return tokens;
}

/** `englishAnalyze`'s terms for indexing (Analyzer.indexTerms). */
export function englishIndexTerms(text: string, sink: TermSink): void {
  if (isAscii(text)) memoTerms(englishTerms, text.toLowerCase(), sink);
  else pushTokens(englishFilter(tokenizeDfa(text, 255)), sink);
}

/** Scans lower-cased ASCII and hands over each kept token's memoised term with its memo key. */
function memoTerms(memo: TokenCache, lower: string, sink: TermSink): void {
  scanAscii(lower, 255, spans);
  for (let i = 0; i < spans.count; i++) {
    const key = memo.entry(lower, spans.start[i] as number, spans.end[i] as number);
    const term = memo.value(key);
    if (term !== null) sink.push(term, i, key, memo);
  }
}

function pushTokens(tokens: Token[], sink: TermSink): void {
  for (const t of tokens) sink.push(t.term, t.position, -1, undefined);
}

/** The english filters over tokenizer output that is not lower-cased yet. */
function englishFilter(tokens: Token[]): Token[] {
  let w = 0;
  for (let r = 0; r < tokens.length; r++) {
    const t = tokens[r] as Token;
    const term = englishTerm(lowerCaseTerm(t.term));
    if (term === null) continue;
    t.term = term;
    tokens[w++] = t;
  }
  tokens.length = w;
  return tokens;
}

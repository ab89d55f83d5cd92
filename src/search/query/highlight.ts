/**
 * Field highlighting modelled on Elasticsearch 7.10's `unified` highlighter (Lucene's UnifiedHighlighter
 * with ES's CustomFieldHighlighter, BoundedBreakIteratorScanner and CustomPassageFormatter): a passage is
 * opened around each match that falls outside the previous one, passages are scored with Lucene's BM25-like
 * PassageScorer, the best `number_of_fragments` are kept and returned in text order (or by score).
 */
import { illegalArgument, parsingError } from "../errors.ts";

type Token = { start: number; end: number; term: string };

export interface HighlightInput {
  values: string[];
  analyze: (text: string) => Token[];
  terms: Set<string>;
}

interface Options {
  pre: string;
  post: string;
  html: boolean;
  fragmentSize: number;
  fragments: number;
  noMatchSize: number;
  byScore: boolean;
  scanner: string;
  boundaryChars: string;
  maxScan: number;
  locale: string;
  maxOffset: number;
}

interface Passage {
  start: number;
  end: number;
  matches: Token[];
  score: number;
  global: number; // start offset in the values joined by a separator, as ES scores them
  text: string;
}

// biome-ignore format: one long list reads better than 25 lines
const KNOWN_OPTIONS = new Set([
  "pre_tags", "post_tags", "tags_schema", "encoder", "fragment_size", "number_of_fragments", "no_match_size",
  "order", "fragmenter", "boundary_scanner", "boundary_chars", "boundary_max_scan", "boundary_scanner_locale",
  "type", "highlight_query", "highlight_filter", "require_field_match", "max_analyzed_offset", "phrase_limit",
  "force_source", "matched_fields", "fragment_offset", "options",
]);

// Elasticsearch's index.highlight.max_analyzed_offset default.
const DEFAULT_MAX_ANALYZED_OFFSET = 1_000_000;

export function highlightField(
  input: HighlightInput,
  options: Record<string, unknown>,
): string[] | undefined {
  const o = parseOptions(options);
  const { values, terms } = input;
  const contentLength = values.reduce((n, v) => n + v.length, 0) + Math.max(0, values.length - 1);
  if (contentLength > o.maxOffset) {
    throw illegalArgument(
      `The length of the text to be analyzed for highlighting [${contentLength}] has exceeded the allowed maximum of [${o.maxOffset}]. ` +
        "This maximum can be set by changing the [index.highlight.max_analyzed_offset] index level setting " +
        "or the [max_analyzed_offset] highlight option.",
    );
  }
  // Matched tokens per value, in offset order; term frequencies over the whole field feed the scorer.
  const matches = values.map((v) =>
    terms.size
      ? input.analyze(v).filter((t) => terms.has(t.term) && t.end > t.start && t.end <= v.length)
      : [],
  );
  const freq = new Map<string, number>();
  for (const list of matches) {
    list.sort((a, b) => a.start - b.start || a.end - b.end);
    for (const t of list) freq.set(t.term, (freq.get(t.term) ?? 0) + 1);
  }
  let all: Passage[] = [];
  let base = 0;
  values.forEach((text, i) => {
    for (const p of passagesOf(text, matches[i] ?? [], o)) {
      p.global = base + p.start;
      p.score = scorePassage(p, contentLength, freq);
      all.push(p);
    }
    base += text.length + 1;
  });
  if (!all.length) return noMatch(values, o);
  // Keep the best passages (number_of_fragments 0 = one whole-value passage per value), then text order.
  const keep = o.fragments === 0 ? values.length : o.fragments;
  all = all.sort((a, b) => b.score - a.score || a.global - b.global).slice(0, keep);
  all.sort((a, b) => a.global - b.global);
  if (o.byScore) all.sort((a, b) => b.score - a.score); // stable: ties stay in text order
  const out = all.map((p) => format(p, o)).filter((s) => s.length > 0);
  return out.length ? out : undefined;
}

/** Opens a passage at each match not covered by the current one, like Lucene's FieldHighlighter. */
function passagesOf(text: string, matches: Token[], o: Options): Passage[] {
  const out: Passage[] = [];
  if (!matches.length) return out;
  const bounds = boundsFinder(text, o);
  let cur: Passage | undefined;
  for (const m of matches) {
    if (!cur || m.start >= cur.end) {
      const [start, end] = bounds(m.start, m.end);
      cur = {
        start: Math.max(0, start),
        end: Math.min(text.length, end),
        matches: [],
        score: 0,
        global: 0,
        text,
      };
      out.push(cur);
    }
    cur.matches.push(m);
  }
  return out;
}

/** Returns a function giving [start, end) of the passage opened by a match; called with increasing offsets. */
function boundsFinder(text: string, o: Options): (start: number, end: number) => [number, number] {
  if (o.fragments === 0) return () => [0, text.length];
  const sentences = lazyBoundaries(text, "sentence", o.locale);
  const words = lazyBoundaries(text, "word", o.locale);
  if (o.scanner === "word") return (s) => [preceding(words(), s + 1), following(words(), s, text.length)];
  if (o.scanner === "chars") return charsBounds(text, o);
  // ES BoundedBreakIteratorScanner: the sentence holding the match, plus following sentences while the whole
  // stays within fragment_size; a sentence that is still too long is cut at word boundaries around the match.
  const max = o.fragmentSize;
  let winStart = -1;
  let winEnd = -1;
  let inStart = -1;
  let inEnd = -1;
  return (s) => {
    const off = s + 1;
    if (off > winStart && off < winEnd) {
      inStart = inEnd;
      inEnd = winEnd;
    } else {
      winStart = inStart = preceding(sentences(), off);
      winEnd = inEnd = following(sentences(), s, text.length);
      while (max > 0 && inEnd - inStart < max && inEnd < text.length) {
        const next = following(sentences(), inEnd, text.length);
        if (next - inStart > max) break;
        winEnd = inEnd = next;
      }
    }
    if (max > 0 && inEnd - inStart > max) {
      if (off - max > inStart) inStart = Math.max(inStart, preceding(words(), off - max));
      const remaining = Math.max(0, max - (off - inStart));
      if (off + remaining < winEnd)
        inEnd = Math.min(winEnd, following(words(), off + remaining, text.length));
    }
    return [inStart, inEnd];
  };
}

/** fvh-style windows: fragment_size chars from a little before the match, widened to boundary_chars. */
function charsBounds(text: string, o: Options): (start: number, end: number) => [number, number] {
  const isBoundary = (i: number) => o.boundaryChars.includes(text.charAt(i));
  let lastEnd = 0;
  return (s, e) => {
    const rawStart = Math.max(s - 6, lastEnd); // 6 = Lucene's SimpleFragListBuilder margin
    const rawEnd = Math.max(rawStart + o.fragmentSize, e);
    lastEnd = rawEnd;
    // scan left (Lucene's SimpleBoundaryScanner); reaching the text start counts as a boundary
    let i = rawStart;
    for (let n = o.maxScan; i > 0 && n > 0 && !isBoundary(i - 1); n--) i--;
    const start = i === 0 || (i > 0 && isBoundary(i - 1)) ? i : rawStart;
    let end = Math.min(rawEnd, text.length);
    for (let i = end, n = o.maxScan; i < text.length && n > 0; i++, n--) {
      if (isBoundary(i)) {
        end = i;
        break;
      }
    }
    return [start, end];
  };
}

const segmenters = new Map<string, Intl.Segmenter>();

function lazyBoundaries(text: string, granularity: "sentence" | "word", locale: string): () => number[] {
  let cached: number[] | undefined;
  return () => {
    if (cached) return cached;
    const key = `${granularity}:${locale}`;
    let seg = segmenters.get(key);
    if (!seg) segmenters.set(key, (seg = new Intl.Segmenter(locale, { granularity })));
    cached = Array.from(seg.segment(text), (s) => s.index);
    cached.push(text.length);
    return cached;
  };
}

/** Last boundary strictly before `offset` (0 if none), like java.text.BreakIterator#preceding. */
function preceding(bounds: number[], offset: number): number {
  let lo = 0;
  let hi = bounds.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = bounds[mid] as number;
    if (b < offset) {
      found = b;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** First boundary strictly after `offset` (`fallback` if none), like java.text.BreakIterator#following. */
function following(bounds: number[], offset: number, fallback: number): number {
  let lo = 0;
  let hi = bounds.length - 1;
  let found = fallback;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = bounds[mid] as number;
    if (b > offset) {
      found = b;
      hi = mid - 1;
    } else lo = mid + 1;
  }
  return found;
}

/** Lucene's PassageScorer (k1 1.2, b 0.75, pivot 87): BM25 over distinct terms, shorter and earlier wins. */
function scorePassage(p: Passage, contentLength: number, freq: Map<string, number>): number {
  const counts = new Map<string, number>();
  for (const m of p.matches) counts.set(m.term, (counts.get(m.term) ?? 0) + 1);
  const numDocs = 1 + contentLength / 87;
  const norm = 1.2 * (0.25 + (0.75 * (p.end - p.start)) / 87);
  let score = 0;
  for (const [term, f] of counts) {
    score += (f / (f + norm)) * 2.2 * Math.log(1 + (numDocs + 0.5) / ((freq.get(term) ?? 1) + 0.5));
  }
  return score * (1 + 1 / Math.log(87 + p.global));
}

function format(p: Passage, o: Options): string {
  const enc = o.html ? escapeHtml : (s: string) => s;
  const { text, matches } = p;
  let out = "";
  let pos = p.start;
  for (let i = 0; i < matches.length; i++) {
    const start = Math.max(pos, (matches[i] as Token).start);
    let end = (matches[i] as Token).end;
    // overlapping tokens (synonyms, n-grams) become one highlighted span
    while (i + 1 < matches.length && (matches[i + 1] as Token).start < end)
      end = Math.max(end, (matches[++i] as Token).end);
    end = Math.min(end, p.end);
    if (end <= start) continue;
    out += enc(text.slice(pos, start)) + o.pre + enc(text.slice(start, end)) + o.post;
    pos = end;
  }
  return javaTrim(out + enc(text.slice(pos, Math.max(pos, p.end))));
}

/** no_match_size: the start of the first non-empty value, extended to the next word boundary. */
function noMatch(values: string[], o: Options): string[] | undefined {
  const text = values.find((v) => v.length > 0);
  if (o.noMatchSize <= 0 || text === undefined) return undefined;
  let end = text.length;
  if (o.noMatchSize < end) end = following(lazyBoundaries(text, "word", o.locale)(), o.noMatchSize, end);
  let snippet = text.slice(0, end);
  // ES cuts the whole-value (number_of_fragments 0) summary down to its first sentence
  if (o.fragments === 0)
    snippet = snippet.slice(0, following(lazyBoundaries(snippet, "sentence", o.locale)(), 0, end));
  snippet = javaTrim(o.html ? escapeHtml(snippet) : snippet);
  return snippet ? [snippet] : undefined;
}

const HTML_ENTITIES: Record<string, string> = {
  '"': "&quot;",
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  "'": "&#x27;",
  "/": "&#x2F;",
};

/** Lucene's SimpleHTMLEncoder (which also escapes ' and /). */
function escapeHtml(s: string): string {
  return s.replace(/["&<>'/]/g, (c) => HTML_ENTITIES[c] ?? c);
}

/** String#trim as Java does it (chars <= U+0020 only), so a trailing NBSP survives as in ES. */
function javaTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 32) a++;
  while (b > a && s.charCodeAt(b - 1) <= 32) b--;
  return s.slice(a, b);
}

function parseOptions(o: Record<string, unknown>): Options {
  for (const key of Object.keys(o)) {
    if (!KNOWN_OPTIONS.has(key)) throw parsingError(`[highlight] unknown field [${key}]`);
  }
  const type = choice(o, "type", ["unified", "plain", "fvh"], "unified");
  choice(o, "fragmenter", ["span", "simple"], "span");
  const scanner = choice(
    o,
    "boundary_scanner",
    ["sentence", "word", "chars"],
    type === "fvh" ? "chars" : "sentence",
  );
  if (scanner === "chars" && type === "unified") {
    throw illegalArgument(
      "Invalid boundary scanner type: chars; [boundary_scanner] must be [sentence] or [word] for the unified highlighter",
    );
  }
  const order = choice(o, "order", ["none", "score"], "none");
  const encoder = choice(o, "encoder", ["default", "html"], "default");
  for (const name of ["require_field_match", "force_source", "highlight_filter"]) bool(o, name);
  for (const name of ["phrase_limit", "fragment_offset"]) int(o, name, 0);
  for (const name of ["highlight_query", "options"]) {
    if (
      o[name] !== undefined &&
      (typeof o[name] !== "object" || o[name] === null || Array.isArray(o[name]))
    ) {
      throw parsingError(`[highlight] [${name}] must be an object`);
    }
  }
  strings(o, "matched_fields");
  const locale = str(o, "boundary_scanner_locale") ?? "und";
  try {
    new Intl.Segmenter(locale);
  } catch {
    throw illegalArgument(
      `[boundary_scanner_locale] must be a valid language tag such as [en-US], got [${locale}]`,
    );
  }
  let pre = "<em>";
  let post = "</em>";
  const schema = str(o, "tags_schema");
  if (schema === "styled")
    pre = '<em class="hlt1">'; // unified uses only the first tag of each list
  else if (schema !== undefined && schema !== "default") {
    throw illegalArgument(`Unknown tag schema [${schema}]; [tags_schema] must be [styled] or [default]`);
  }
  const preTags = strings(o, "pre_tags");
  const postTags = strings(o, "post_tags");
  if (preTags && !postTags) throw parsingError("pre_tags are set but post_tags are not set");
  if (preTags?.length === 0 || postTags?.length === 0)
    throw parsingError("pre_tags or post_tags must not be empty");
  return {
    pre: preTags?.[0] ?? pre,
    post: postTags?.[0] ?? post,
    html: encoder === "html",
    fragmentSize: int(o, "fragment_size", 100),
    fragments: int(o, "number_of_fragments", 5),
    noMatchSize: int(o, "no_match_size", 0),
    byScore: order === "score",
    scanner,
    boundaryChars: str(o, "boundary_chars") ?? ".,!? \t\n",
    maxScan: int(o, "boundary_max_scan", 20),
    locale,
    maxOffset: int(o, "max_analyzed_offset", DEFAULT_MAX_ANALYZED_OFFSET, 1),
  };
}

function int(o: Record<string, unknown>, name: string, fallback: number, min = 0): number {
  const v = o[name];
  if (v === undefined || v === null) return fallback;
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v; // ES accepts numeric strings
  if (typeof n !== "number" || !Number.isInteger(n) || n < min) {
    throw parsingError(
      `[highlight] failed to parse field [${name}]: expected an integer >= ${min}, got [${String(v)}]`,
    );
  }
  return n;
}

function bool(o: Record<string, unknown>, name: string): void {
  const v = o[name];
  if (v !== undefined && v !== null && v !== true && v !== false && v !== "true" && v !== "false") {
    throw parsingError(
      `[highlight] failed to parse field [${name}]: expected [true] or [false], got [${String(v)}]`,
    );
  }
}

function str(o: Record<string, unknown>, name: string): string | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string")
    throw parsingError(`[highlight] failed to parse field [${name}]: expected a string`);
  return v;
}

function choice(o: Record<string, unknown>, name: string, allowed: string[], fallback: string): string {
  const v = str(o, name)?.toLowerCase() ?? fallback;
  if (!allowed.includes(v)) {
    throw illegalArgument(
      `[highlight] unknown value [${String(o[name])}] for [${name}], expected one of [${allowed.join(", ")}]`,
    );
  }
  return v;
}

function strings(o: Record<string, unknown>, name: string): string[] | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  const list = Array.isArray(v) ? v : [v]; // like ES, a single string stands for a one-element list
  if (!list.every((x) => typeof x === "string")) {
    throw parsingError(
      `[highlight] failed to parse field [${name}]: expected a string or an array of strings`,
    );
  }
  return list as string[];
}

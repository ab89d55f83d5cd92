// Highlighting as Elasticsearch 7.10's `unified` highlighter does it (Lucene's UnifiedHighlighter with ES's
// CustomFieldHighlighter, BoundedBreakIteratorScanner and CustomPassageFormatter): a passage opens at each
// match not covered by the previous one, passages are scored with Lucene's BM25-like PassageScorer, and the
// best `number_of_fragments` come back in text order (or by score). `plain` and `fvh` use the same code.
import { illegalArgument, parsingError } from "../errors.ts";

type Token = { start: number; end: number; term: string };

export interface HighlightInput {
  values: string[];
  analyze: (text: string) => Token[];
  terms: Set<string>;
}

// `text`: the value holding the passage; `global`: its start in all values joined by a char (what ES scores).
type Passage = { text: string; start: number; end: number; matches: Token[]; global: number; score: number };

type Kind = "int" | "positive" | "bool" | "string" | "strings" | "object" | readonly string[];

const kinds = (kind: Kind, names: string[]) => Object.fromEntries(names.map((n) => [n, kind]));

// Every option Elasticsearch accepts in a highlight (global or per field), with the shape of its value.
const OPTION_KINDS: Record<string, Kind> = {
  ...kinds("int", ["fragment_size", "number_of_fragments", "no_match_size", "boundary_max_scan"]),
  ...kinds("bool", ["highlight_filter", "require_field_match", "force_source"]),
  ...kinds("string", ["boundary_chars", "boundary_scanner_locale"]),
  ...kinds("strings", ["pre_tags", "post_tags", "matched_fields"]),
  ...kinds("object", ["highlight_query", "options"]),
  ...kinds("int", ["phrase_limit", "fragment_offset"]),
  max_analyzed_offset: "positive",
  tags_schema: ["styled", "default"],
  encoder: ["default", "html"],
  order: ["none", "score"],
  fragmenter: ["span", "simple"],
  boundary_scanner: ["sentence", "word", "chars"],
  type: ["unified", "plain", "fvh"],
};

// Elasticsearch's default for index.highlight.max_analyzed_offset, and how to raise it.
const DEFAULT_MAX_ANALYZED_OFFSET = 1_000_000;
const RAISE_LIMIT = "Raise it via [index.highlight.max_analyzed_offset] or the [max_analyzed_offset] option.";

export function highlightField(input: HighlightInput, opts: Record<string, unknown>): string[] | undefined {
  const o = parseOptions(opts);
  const { values, terms } = input;
  const contentLength = values.reduce((n, v) => n + v.length, 0) + Math.max(0, values.length - 1);
  if (contentLength > o.maxOffset) {
    const why = `The length [${contentLength}] of the text to highlight has exceeded [${o.maxOffset}]`;
    throw illegalArgument(`${why} - maximum allowed to be analyzed for highlighting. ${RAISE_LIMIT}`);
  }
  // Matched tokens per value in offset order; their counts over the whole field weigh terms in the scorer.
  const isMatch = (t: Token, v: string) => terms.has(t.term) && t.end > t.start && t.end <= v.length;
  const byOffset = (a: Token, b: Token) => a.start - b.start || a.end - b.end;
  const matched = (v: string) => input.analyze(v).filter((t) => isMatch(t, v));
  const matches = values.map((v) => (terms.size ? matched(v).sort(byOffset) : []));
  const freq = new Map<string, number>();
  for (const t of matches.flat()) freq.set(t.term, (freq.get(t.term) ?? 0) + 1);
  const passages: Passage[] = [];
  let base = 0;
  values.forEach((text, i) => {
    for (const p of passagesOf(text, matches[i] ?? [], o)) {
      p.global = base + p.start;
      p.score = scorePassage(p, contentLength, freq);
      passages.push(p);
    }
    base += text.length + 1;
  });
  if (!passages.length) return noMatch(values, o);
  // Keep the best passages (number_of_fragments 0: one whole-value passage per value), back in text order.
  passages.sort((a, b) => b.score - a.score || a.global - b.global);
  const kept = passages.slice(0, o.fragments === 0 ? values.length : o.fragments);
  kept.sort((a, b) => a.global - b.global);
  if (o.byScore) kept.sort((a, b) => b.score - a.score); // stable, so ties stay in text order
  const out = kept.map((p) => format(p, o)).filter((s) => s.length > 0);
  return out.length ? out : undefined;
}

/** Opens a passage at each match starting at or after the current one's end (Lucene FieldHighlighter). */
function passagesOf(text: string, matches: Token[], o: Options): Passage[] {
  const out: Passage[] = [];
  const bounds = matches.length ? boundsFinder(text, o) : undefined;
  let cur: Passage | undefined;
  for (const m of matches) {
    if (bounds && (!cur || m.start >= cur.end)) {
      const [start, end] = bounds(m.start, m.end);
      cur = { text, start, end, matches: [], global: 0, score: 0 };
      out.push(cur);
    }
    cur?.matches.push(m);
  }
  return out;
}

/** Returns the [start, end) of the passage a match opens; must be called with increasing offsets. */
function boundsFinder(text: string, o: Options): (start: number, end: number) => [number, number] {
  if (o.fragments === 0) return () => [0, text.length];
  const sentences = lazyBoundaries(text, "sentence", o.locale);
  const words = lazyBoundaries(text, "word", o.locale);
  if (o.scanner === "word") return (s) => [preceding(words(), s + 1), following(words(), s, text.length)];
  if (o.scanner === "chars") return charsBounds(text, o);
  // ES 7.10 BoundedBreakIteratorScanner: the sentence holding the match plus following sentences while the
  // whole fits in fragment_size; a single sentence that is too long is cut at word boundaries near the match.
  const max = o.fragmentSize;
  let [winStart, winEnd, inStart, inEnd] = [-1, -1, -1, -1];
  return (s) => {
    const off = s + 1;
    if (off > winStart && off < winEnd) {
      [inStart, inEnd] = [inEnd, winEnd]; // continue inside the long sentence cut previously
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
      if (off + remaining < winEnd) inEnd = Math.min(winEnd, following(words(), off + remaining, winEnd));
    }
    return [inStart, inEnd];
  };
}

/** fvh-style windows: fragment_size chars from just before the match, moved out to boundary_chars. */
function charsBounds(text: string, o: Options): (start: number, end: number) => [number, number] {
  const isBoundary = (i: number) => o.boundaryChars.includes(text.charAt(i));
  let lastEnd = 0;
  return (s, e) => {
    const rawStart = Math.max(s - 6, lastEnd); // 6: Lucene SimpleFragListBuilder's margin
    const rawEnd = Math.max(rawStart + o.fragmentSize, e);
    lastEnd = rawEnd;
    // Lucene SimpleBoundaryScanner: scan at most boundary_max_scan chars; the text start counts as a boundary
    let [start, n] = [rawStart, o.maxScan];
    for (; start > 0 && n > 0 && !isBoundary(start - 1); n--) start--;
    if (start > 0 && n === 0) start = rawStart; // scanned boundary_max_scan chars without finding one
    let end = Math.min(rawEnd, text.length);
    for (n = o.maxScan; end < text.length && n > 0 && !isBoundary(end); n--) end++;
    if (n === 0) end = Math.min(rawEnd, text.length);
    return [start, end];
  };
}

/** Boundary offsets (including 0 and text.length), computed on first use only. */
function lazyBoundaries(text: string, granularity: "sentence" | "word", locale: string): () => number[] {
  let cached: number[] | undefined;
  return () => {
    if (cached) return cached;
    const seg = new Intl.Segmenter(locale, { granularity });
    cached = [...Array.from(seg.segment(text), (s) => s.index), text.length];
    return cached;
  };
}

/** Index of the first boundary >= x. */
function lowerBound(bounds: number[], x: number): number {
  let [lo, hi] = [0, bounds.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((bounds[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** java.text.BreakIterator#preceding: the last boundary strictly before x (0 if none). */
const preceding = (bounds: number[], x: number) => bounds[lowerBound(bounds, x) - 1] ?? 0;

/** java.text.BreakIterator#following: the first boundary strictly after x (`fallback` if none). */
const following = (bounds: number[], x: number, fb: number) => bounds[lowerBound(bounds, x + 1)] ?? fb;

/** Lucene's PassageScorer (k1 1.2, b 0.75, pivot 87): BM25 over distinct terms; shorter and earlier wins. */
function scorePassage(p: Passage, contentLength: number, freq: Map<string, number>): number {
  const counts = new Map<string, number>();
  for (const m of p.matches) counts.set(m.term, (counts.get(m.term) ?? 0) + 1);
  const numDocs = 1 + contentLength / 87;
  const lengthNorm = 1.2 * (0.25 + (0.75 * (p.end - p.start)) / 87);
  const weight = (term: string) => 2.2 * Math.log(1 + (numDocs + 0.5) / ((freq.get(term) ?? 1) + 0.5));
  let score = 0;
  for (const [term, f] of counts) score += (f / (f + lengthNorm)) * weight(term);
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
    // overlapping tokens (synonyms, n-grams) make one highlighted span; adjacent ones stay separate
    while ((matches[i + 1]?.start ?? end) < end) end = Math.max(end, (matches[++i] as Token).end);
    end = Math.min(end, p.end);
    if (end <= start) continue;
    out += enc(text.slice(pos, start)) + o.pre + enc(text.slice(start, end)) + o.post;
    pos = end;
  }
  return javaTrim(out + enc(text.slice(pos, Math.max(pos, p.end))));
}

/** no_match_size: the start of the first non-empty value, up to the first word boundary after N chars. */
function noMatch(values: string[], o: Options): string[] | undefined {
  const text = values.find((v) => v.length > 0);
  if (o.noMatchSize <= 0 || text === undefined) return undefined;
  let end = text.length;
  if (o.noMatchSize < end) end = following(lazyBoundaries(text, "word", o.locale)(), o.noMatchSize, end);
  let snippet = text.slice(0, end);
  // with number_of_fragments 0, ES shortens this summary to its first sentence
  if (o.fragments === 0) snippet = snippet.slice(0, lazyBoundaries(snippet, "sentence", o.locale)()[1]);
  snippet = javaTrim(o.html ? escapeHtml(snippet) : snippet);
  return snippet ? [snippet] : undefined;
}

const ENTITY = { '"': "quot", "&": "amp", "<": "lt", ">": "gt", "'": "#x27", "/": "#x2F" };

/** Lucene's SimpleHTMLEncoder, which ES uses for `encoder: html` (it escapes ' and / too). */
const escapeHtml = (s: string) => s.replace(/["&<>'/]/g, (c) => `&${ENTITY[c as keyof typeof ENTITY]};`);

// biome-ignore lint/suspicious/noControlCharactersInRegex: ES trims snippets with Java's trim (U+0000-U+0020)
const javaTrim = (s: string) => s.replace(/^[\u0000- ]+|[\u0000- ]+$/g, "");

type Options = ReturnType<typeof parseOptions>;

function parseOptions(raw: Record<string, unknown>) {
  const o = validate(raw);
  const type = (o.type as string | undefined) ?? "unified";
  const scanner = (o.boundary_scanner as string | undefined) ?? (type === "fvh" ? "chars" : "sentence");
  const unsupported =
    "Invalid boundary scanner type: chars; use [sentence] or [word] with the unified highlighter";
  if (scanner === "chars" && type === "unified") throw illegalArgument(unsupported);
  if (o.pre_tags && !o.post_tags) throw parsingError("pre_tags are set but post_tags are not set");
  const locale = (o.boundary_scanner_locale as string | undefined) ?? "und";
  try {
    new Intl.Segmenter(locale);
  } catch {
    throw illegalArgument(`[boundary_scanner_locale] must be a language tag like [en-US], got [${locale}]`);
  }
  const int = (name: string, fallback: number) => (o[name] as number | undefined) ?? fallback;
  const tags = (name: string) => (o[name] as string[] | undefined)?.[0];
  return {
    // the unified highlighter only uses the first pre and post tag
    pre: tags("pre_tags") ?? (o.tags_schema === "styled" ? '<em class="hlt1">' : "<em>"),
    post: tags("post_tags") ?? "</em>",
    html: o.encoder === "html",
    fragmentSize: int("fragment_size", 100),
    fragments: int("number_of_fragments", 5),
    noMatchSize: int("no_match_size", 0),
    byScore: o.order === "score",
    scanner,
    boundaryChars: (o.boundary_chars as string | undefined) ?? ".,!? \t\n",
    maxScan: int("boundary_max_scan", 20),
    locale,
    maxOffset: int("max_analyzed_offset", DEFAULT_MAX_ANALYZED_OFFSET),
  };
}

/** Checks every option against OPTION_KINDS and returns them normalised (numbers, booleans, lists). */
function validate(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(raw)) {
    const kind = OPTION_KINDS[name];
    if (!kind) throw parsingError(`[highlight] unknown field [${name}]`);
    if (v === undefined || v === null) continue;
    const fail = (expected: string) =>
      parsingError(`[highlight] failed to parse [${name}]: expected ${expected}, got ${JSON.stringify(v)}`);
    if (kind === "int" || kind === "positive") {
      const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v; // ES accepts numeric strings
      const min = kind === "int" ? 0 : 1;
      if (typeof n !== "number" || !Number.isInteger(n) || n < min) throw fail(`an integer >= ${min}`);
      out[name] = n;
    } else if (kind === "bool") {
      if (typeof v !== "boolean" && v !== "true" && v !== "false") throw fail("true or false");
      out[name] = v === true || v === "true";
    } else if (kind === "string") {
      if (typeof v !== "string") throw fail("a string");
      out[name] = v;
    } else if (kind === "strings") {
      const list: unknown[] = Array.isArray(v) ? v : [v]; // a single string stands for a one-element list
      if (!list.length || list.some((x) => typeof x !== "string")) throw fail("a non-empty array of strings");
      out[name] = list;
    } else if (kind === "object") {
      if (typeof v !== "object" || Array.isArray(v)) throw fail("an object");
    } else {
      const s = typeof v === "string" ? v.toLowerCase() : "";
      if (!kind.includes(s)) throw fail(`one of [${kind.join(", ")}]`);
      out[name] = s;
    }
  }
  return out;
}

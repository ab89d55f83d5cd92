/**
 * Splits a passage into sentences for the extractive answerer. Every sentence is a verbatim piece
 * of the passage (modulo whitespace), so an answer built from them quotes and never rewrites.
 *
 * Markdown is read line by line first: headings, list items, table rows and lines of fenced code
 * are units of their own (their markers `#`, `-`, `1.` and `>` are left out, which keeps the rest
 * verbatim); table separator rows and fences are dropped. Prose is then cut after `.`, `!`, `?`,
 * `…` (and `。！？`) followed by whitespace, except
 *  - inside `code spans`, and when the next word starts lower-case (most abbreviations);
 *  - after known abbreviations ("e.g.", "i.e.", "vs.", "Dr.", "No. 5", "etc." before lower case),
 *    single initials ("J. Smith") and dotted acronyms ("U.S.");
 *  - in decimals and names like "3.14" or "engine.db", which have no whitespace after the dot.
 */

export type SentenceKind = "prose" | "heading" | "list" | "code" | "table";

export interface Sentence {
  /** The sentence with runs of whitespace collapsed to one space. */
  text: string;
  kind: SentenceKind;
}

interface Block {
  kind: SentenceKind;
  lines: string[];
}

const FENCE = /^(```|~~~)/;
const HEADING = /^#{1,6}\s+(.*?)(?:\s+#+)?$/;
const LIST_ITEM = /^(?:[-*+•]|\d{1,3}[.)])\s+(.*)$/;
const TABLE_SEPARATOR = /^\|?[\s:|-]+\|?$/;
const HAS_WORD = /[\p{L}\p{N}]/u;

export function splitSentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  for (const block of blocks(text)) {
    const joined = block.lines.join(" ");
    const pieces = block.kind === "prose" || block.kind === "list" ? splitProse(joined) : [joined];
    for (const piece of pieces) {
      const normal = normalizeSpace(piece);
      if (HAS_WORD.test(normal)) out.push({ text: normal, kind: block.kind });
    }
  }
  return out;
}

export function normalizeSpace(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Groups lines into Markdown blocks; consecutive plain lines (wrapped prose) form one block. */
function blocks(text: string): Block[] {
  const out: Block[] = [];
  let current: Block | undefined;
  let fence: string | undefined;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    let line = raw.trim();
    if (fence !== undefined) {
      if (line.startsWith(fence)) fence = undefined;
      else if (line !== "") out.push({ kind: "code", lines: [line] });
      continue;
    }
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      fence = fenceMatch[1];
      current = undefined;
      continue;
    }
    line = line.replace(/^(?:>\s?)+/, "");
    if (line === "") {
      current = undefined;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      out.push({ kind: "heading", lines: [heading[1] ?? ""] });
      current = undefined;
      continue;
    }
    if (line.startsWith("|")) {
      if (!TABLE_SEPARATOR.test(line)) out.push({ kind: "table", lines: [line] });
      current = undefined;
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item) {
      current = { kind: "list", lines: [item[1] ?? ""] };
      out.push(current);
      continue;
    }
    if (current) current.lines.push(line);
    else {
      current = { kind: "prose", lines: [line] };
      out.push(current);
    }
  }
  return out;
}

const TERMINATORS = ".!?…";
const CJK_TERMINATORS = "。！？";
const CLOSERS = "\"')]}*_”’」』）";
/** Abbreviations (lower case, without the final dot) after which a dot does not end a sentence. */
const ABBREVIATIONS = new Set([
  "e.g",
  "i.e",
  "cf",
  "vs",
  "viz",
  "approx",
  "incl",
  "esp",
  "resp",
  "ca",
  "al",
  "mr",
  "mrs",
  "ms",
  "dr",
  "prof",
  "st",
  "jr",
  "sr",
  "fig",
  "figs",
  "eq",
  "vol",
  "pp",
  "inc",
  "ltd",
  "co",
  "corp",
  "dept",
]);

function splitProse(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inCode = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === "`") {
      // A lone backtick is punctuation, not the start of a span that would swallow the rest.
      if (inCode || text.indexOf("`", i + 1) !== -1) inCode = !inCode;
      continue;
    }
    if (inCode) continue;
    const cjk = CJK_TERMINATORS.includes(ch);
    if (!cjk && !TERMINATORS.includes(ch)) continue;
    let end = i + 1;
    while (end < text.length && (TERMINATORS + CJK_TERMINATORS).includes(text.charAt(end))) end++;
    while (end < text.length && CLOSERS.includes(text.charAt(end))) end++;
    if (!cjk) {
      if (end < text.length && !/\s/.test(text.charAt(end))) {
        i = end - 1;
        continue;
      }
      let next = end;
      while (next < text.length && /\s/.test(text.charAt(next))) next++;
      const following = text.charAt(next);
      if (following === "" || /\p{Ll}/u.test(following)) continue;
      if (ch === "." && end === i + 1 && isAbbreviation(text, i, following)) continue;
    }
    out.push(text.slice(start, end));
    start = end;
    i = end - 1;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

/** Whether the dot at `dot` closes an abbreviation rather than a sentence. */
function isAbbreviation(text: string, dot: number, following: string): boolean {
  let from = dot;
  while (from > 0 && !/\s/.test(text.charAt(from - 1))) from--;
  const word = text.slice(from, dot).replace(/^[^\p{L}\p{N}]+/u, "");
  const lower = word.toLowerCase();
  if (ABBREVIATIONS.has(lower)) return true;
  if (lower === "no" || lower === "nos") return /\p{N}/u.test(following);
  if (lower === "etc") return !/\p{Lu}/u.test(following);
  if (/^\p{Lu}$/u.test(word)) return true;
  return /^(?:\p{L}\.)+\p{L}$/u.test(word);
}

/**
 * Splits a passage into sentences for the extractive answerer. Every sentence is a verbatim piece
 * of the passage (modulo whitespace), so an answer built from them quotes and never rewrites.
 *
 * Markdown is read line by line first: headings, list items, table rows and lines of fenced code
 * are units of their own (their markers `#`, `-`, `1.` and `>` are left out, which keeps the rest
 * verbatim); table separator rows and fences are dropped. Prose is then cut where
 * common/sentence-ends.ts says a sentence ends.
 */
import { sentenceEnds } from "../common/sentence-ends.ts";

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

function splitProse(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const end of sentenceEnds(text)) {
    out.push(text.slice(start, end));
    start = end;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

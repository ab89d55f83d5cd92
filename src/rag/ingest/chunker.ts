/**
 * Structure-aware chunking. Blocks are grouped by section (heading path, page, JSON record): a
 * chunk never holds text of two groups. Within a group, blocks (paragraphs) are packed in order
 * while the chunk stays within `size` tokens (see tokens.ts); a block too long for one chunk is
 * cut at sentence ends (code: at line ends), and a sentence still too long at token boundaries.
 * Every chunk after the first of its group starts with the last `overlap` tokens of the one
 * before it. A chunk's text is exactly `text.slice(start, end)` of the extracted document.
 */

import { lineSpans, sentenceSpans } from "./sentences.ts";
import { type TokenSpans, tokenAt, tokenSpans } from "./tokens.ts";
import type { Block, Chunk, ChunkingOptions, ExtractedDocument } from "./types.ts";

export const DEFAULT_CHUNKING: ChunkingOptions = { size: 200, overlap: 30 };

/** A piece that is never split further: token range [from, to) of the document. */
interface Unit {
  from: number;
  to: number;
}

export const SECTION_SEPARATOR = " › ";

/** Blocks that may share a chunk: consecutive, with the same headings, page, title and record. */
function groups(blocks: Block[]): Block[][] {
  const out: Block[][] = [];
  const key = (b: Block) => JSON.stringify([b.headings, b.page ?? null, b.title ?? null, b.record ?? null]);
  let last = "";
  for (const block of blocks) {
    const k = key(block);
    if (k !== last || !out.length) out.push([]);
    out.at(-1)?.push(block);
    last = k;
  }
  return out;
}

/** Token ranges of a block's pieces, each at most `max` tokens. */
function units(text: string, spans: TokenSpans, block: Block, max: number): Unit[] {
  const range = (s: number, e: number): Unit => ({ from: tokenAt(spans, s), to: tokenAt(spans, e) });
  const whole = range(block.start, block.end);
  if (whole.to - whole.from <= max) return whole.to > whole.from ? [whole] : [];
  const pieces = block.kind === "code" ? lineSpans : sentenceSpans;
  const out: Unit[] = [];
  for (const [s, e] of pieces(text, block.start, block.end)) {
    const piece = range(s, e);
    for (let from = piece.from; from < piece.to; from += max)
      out.push({ from, to: Math.min(from + max, piece.to) });
  }
  return out;
}

export function validateChunking(opts: ChunkingOptions): string | undefined {
  if (!Number.isInteger(opts.size) || opts.size < 1)
    return `chunk size must be a positive integer, got ${opts.size}`;
  if (!Number.isInteger(opts.overlap) || opts.overlap < 0 || opts.overlap * 2 > opts.size)
    return `chunk overlap must be an integer from 0 to half the chunk size (${Math.floor(opts.size / 2)}), got ${opts.overlap}`;
  return undefined;
}

export function chunkDocument(doc: ExtractedDocument, opts: ChunkingOptions = DEFAULT_CHUNKING): Chunk[] {
  const invalid = validateChunking(opts);
  if (invalid) throw new RangeError(invalid);
  const spans = tokenSpans(doc.text);
  const chunks: Chunk[] = [];
  // pieces leave room for the overlap carried into the chunk they start
  const maxUnit = opts.size - opts.overlap;
  for (const group of groups(doc.blocks)) {
    const first = group[0] as Block;
    const emit = (from: number, to: number) => {
      const start = spans.starts[from] as number;
      const end = spans.ends[to - 1] as number;
      chunks.push({
        ordinal: chunks.length,
        text: doc.text.slice(start, end),
        start,
        end,
        tokens: to - from,
        title: first.title ?? doc.title,
        section: first.headings.join(SECTION_SEPARATOR),
        ...(first.page !== undefined && { page: first.page }),
        ...(first.record !== undefined && { record: first.record }),
      });
    };
    let from = -1;
    let to = -1;
    for (const block of group) {
      for (const unit of units(doc.text, spans, block, maxUnit)) {
        if (from < 0) {
          from = unit.from;
          to = unit.to;
        } else if (unit.to - from <= opts.size) to = unit.to;
        else {
          emit(from, to);
          from = Math.max(from, to - opts.overlap);
          // pieces are at most size - overlap, so this only bites where text outside any
          // block (a title heading) sits between two blocks of a group
          from = Math.max(from, unit.to - opts.size);
          to = unit.to;
        }
      }
    }
    if (from >= 0) emit(from, to);
  }
  return chunks;
}

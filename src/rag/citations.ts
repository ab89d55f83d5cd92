/**
 * Citations of an answer: every `[n]` marker maps to the n-th chunk given to the LLM. The text
 * before a marker (back to the previous marker or sentence end) is what the answer took from that
 * chunk; the built-in answerer quotes sentences verbatim (whitespace collapsed), so it is found in
 * the chunk and its character offsets become the citation's `quote`. An upstream model's
 * paraphrase is not found, and its citation has no quote.
 */
import type { Chunk } from "./retrieval.ts";

export interface Citation {
  n: number;
  chunk_id: string;
  index: string;
  source: string;
  title: string;
  section?: string;
  page?: number;
  score: number;
  /** The whole chunk text. */
  text: string;
  /** Character offsets in `text` of the quoted sentence(s): the first start to the last end. */
  quote?: { start: number; end: number };
  /** Each quoted sentence's offsets, in the order the answer quotes them. */
  quotes?: { start: number; end: number }[];
}

const MARKER = /\s*\[(\d{1,3})\]/g;

/** The answer's claims: each run of text with the passage numbers cited right after it (none for a trailing uncited run). */
export function citedClaims(answer: string): { text: string; n: number[] }[] {
  const claims: { text: string; n: number[] }[] = [];
  let last = 0;
  for (const m of answer.matchAll(MARKER)) {
    const text = answer.slice(last, m.index).trim();
    const n = Number(m[1]);
    if (text === "" && claims.length > 0) (claims.at(-1) as { n: number[] }).n.push(n);
    else claims.push({ text, n: [n] });
    last = (m.index as number) + m[0].length;
  }
  // text after the last marker cites nothing
  const rest = answer.slice(last).trim();
  if (rest) claims.push({ text: rest, n: [] });
  return claims;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Where `quote` occurs in `text`, any run of whitespace matching any other; undefined if nowhere. */
export function locate(text: string, quote: string): { start: number; end: number } | undefined {
  const words = quote.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return undefined;
  const m = new RegExp(words.map(escapeRegExp).join("\\s+")).exec(text);
  return m ? { start: m.index, end: m.index + m[0].length } : undefined;
}

/** The chunk a citation shows, without its quote. */
export function citationOf(chunk: Chunk, n: number): Citation {
  return {
    n,
    chunk_id: chunk.id,
    index: chunk.index,
    source: chunk.source,
    title: chunk.title,
    ...(chunk.section !== undefined && { section: chunk.section }),
    ...(chunk.page !== undefined && { page: chunk.page }),
    score: chunk.score,
    text: chunk.text,
  };
}

/** The chunks the answer cites, in order of first citation, with the offsets of what it quotes. */
export function citationsFor(answer: string, chunks: readonly Chunk[]): Citation[] {
  const byN = new Map<number, Citation>();
  for (const claim of citedClaims(answer)) {
    for (const n of claim.n) {
      const chunk = chunks[n - 1];
      if (!chunk) continue; // a number the model made up
      const citation = byN.get(n) ?? citationOf(chunk, n);
      byN.set(n, citation);
      const span = claim.text ? locate(chunk.text, claim.text) : undefined;
      if (!span) continue;
      citation.quotes = [...(citation.quotes ?? []), span];
      citation.quote = citation.quote
        ? { start: Math.min(citation.quote.start, span.start), end: Math.max(citation.quote.end, span.end) }
        : span;
    }
  }
  return [...byN.values()];
}

/**
 * Where sentences end in prose: after `.`, `!`, `?`, `…` (and `。！？`), with any closing quotes
 * and brackets, followed by whitespace, except
 *  - inside `code spans`, and when the next word starts lower-case (most abbreviations);
 *  - after known abbreviations ("e.g.", "i.e.", "vs.", "Dr.", "No. 5", "etc." before lower case),
 *    single initials ("J. Smith") and dotted acronyms ("U.S.");
 *  - in decimals and names like "3.14" or "engine.db", which have no whitespace after the dot.
 * `。！？` end a sentence wherever they are. The answerer (serving/sentences.ts) and the chunker
 * (rag/ingest/sentences.ts) both cut here, so a chunk boundary is always a sentence boundary of
 * the answerer too.
 */

const TERMINATORS = ".!?…";
const CJK_TERMINATORS = "。！？";
const CLOSERS = "\"')]}*_”’」』）";
/** Abbreviations (lower case, without the final dot) after which a dot does not end a sentence. */
const ABBREVIATIONS = new Set(
  "e.g i.e cf vs viz approx incl esp resp ca al mr mrs ms dr prof st jr sr fig figs eq vol pp inc ltd co corp dept".split(
    " ",
  ),
);

/** The offsets just after each sentence of text[from, to) but the last (which ends at `to`). */
export function sentenceEnds(text: string, from = 0, to = text.length): number[] {
  const ends: number[] = [];
  let start = from;
  let inCode = false;
  for (let i = from; i < to; i++) {
    const ch = text.charAt(i);
    if (ch === "`") {
      // A lone backtick is punctuation, not the start of a span that would swallow the rest.
      const close = text.indexOf("`", i + 1);
      if (inCode || (close !== -1 && close < to)) inCode = !inCode;
      continue;
    }
    if (inCode) continue;
    const cjk = CJK_TERMINATORS.includes(ch);
    if (!cjk && !TERMINATORS.includes(ch)) continue;
    let end = i + 1;
    while (end < to && (TERMINATORS + CJK_TERMINATORS).includes(text.charAt(end))) end++;
    while (end < to && CLOSERS.includes(text.charAt(end))) end++;
    if (!cjk) {
      if (end < to && !/\s/.test(text.charAt(end))) {
        i = end - 1;
        continue;
      }
      let next = end;
      while (next < to && /\s/.test(text.charAt(next))) next++;
      const following = next < to ? text.charAt(next) : "";
      if (following === "" || /\p{Ll}/u.test(following)) continue;
      if (ch === "." && end === i + 1 && isAbbreviation(text, i, start, following)) continue;
    }
    ends.push(end);
    start = end;
    i = end - 1;
  }
  return ends;
}

/** Whether the dot at `dot` closes an abbreviation rather than a sentence (`from`: the sentence's start). */
function isAbbreviation(text: string, dot: number, from: number, following: string): boolean {
  let start = dot;
  while (start > from && !/\s/.test(text.charAt(start - 1))) start--;
  const word = text.slice(start, dot).replace(/^[^\p{L}\p{N}]+/u, "");
  const lower = word.toLowerCase();
  if (ABBREVIATIONS.has(lower)) return true;
  if (lower === "no" || lower === "nos") return /\p{N}/u.test(following);
  if (lower === "etc") return !/\p{Lu}/u.test(following);
  if (/^\p{Lu}$/u.test(word)) return true;
  return /^(?:\p{L}\.)+\p{L}$/u.test(word);
}

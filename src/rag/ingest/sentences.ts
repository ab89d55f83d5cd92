/**
 * Sentence boundaries as offsets, for splitting a paragraph that does not fit in one chunk. A
 * sentence ends after `.`, `!`, `?` or `…` (with closing quotes/brackets) followed by whitespace
 * and a character that is not lower case, unless the dot closes a common abbreviation ("e.g.",
 * "Dr.") or an initial ("J. Smith"); `。！？` end a sentence wherever they are.
 * (serving/sentences.ts applies similar rules for the answerer but returns normalised strings,
 * not offsets.)
 */

const TERMINATORS = ".!?…";
const CJK_TERMINATORS = "。！？";
const CLOSERS = "\"')]}*_”’」』）";
const ABBREVIATIONS = new Set(
  "e.g i.e cf vs viz approx incl esp etc al mr mrs ms dr prof st jr sr fig figs eq vol pp inc ltd co corp dept no".split(
    " ",
  ),
);

function isAbbreviation(text: string, dot: number, from: number): boolean {
  let start = dot;
  while (start > from && !/\s/.test(text.charAt(start - 1))) start--;
  const word = text.slice(start, dot).replace(/^[^\p{L}\p{N}]+/u, "");
  return ABBREVIATIONS.has(word.toLowerCase()) || /^\p{Lu}$/u.test(word) || /^(?:\p{L}\.)+\p{L}$/u.test(word);
}

/** [start, end) spans of the sentences in text[from, to), trimmed of surrounding whitespace. */
export function sentenceSpans(text: string, from: number, to: number): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const push = (s: number, e: number) => {
    while (s < e && /\s/.test(text.charAt(s))) s++;
    while (e > s && /\s/.test(text.charAt(e - 1))) e--;
    if (e > s) spans.push([s, e]);
  };
  let start = from;
  for (let i = from; i < to; i++) {
    const ch = text.charAt(i);
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
      if (next >= to || /\p{Ll}/u.test(text.charAt(next))) continue;
      if (ch === "." && end === i + 1 && isAbbreviation(text, i, start)) continue;
    }
    push(start, end);
    start = end;
    i = end - 1;
  }
  push(start, to);
  return spans;
}

/** [start, end) spans of the non-blank lines in text[from, to) (how code is split). */
export function lineSpans(text: string, from: number, to: number): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let start = from;
  for (let i = from; i <= to; i++) {
    if (i === to || text.charAt(i) === "\n") {
      if (text.slice(start, i).trim()) spans.push([start, i]);
      start = i + 1;
    }
  }
  return spans;
}

/**
 * Sentence and line spans as offsets, for splitting a paragraph that does not fit in one chunk.
 * Sentences end where the answerer's do (common/sentence-ends.ts).
 */
import { sentenceEnds } from "../../common/sentence-ends.ts";

/** [start, end) spans of the sentences in text[from, to), trimmed of surrounding whitespace. */
export function sentenceSpans(text: string, from: number, to: number): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let start = from;
  for (const end of [...sentenceEnds(text, from, to), to]) {
    let [s, e] = [start, end];
    while (s < e && /\s/.test(text.charAt(s))) s++;
    while (e > s && /\s/.test(text.charAt(e - 1))) e--;
    if (e > s) spans.push([s, e]);
    start = end;
  }
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

/**
 * The token that chunk sizes and overlaps count: a run of letters, digits and combining marks
 * (with inner apostrophes, so "don't" is one token), a single CJK ideograph or kana (those
 * scripts do not separate words with spaces), or any other single non-space character
 * (punctuation, symbols). "Hello, world." is four tokens. Whitespace never counts.
 */

/** Token boundaries as parallel offset arrays into the text: token i is text.slice(starts[i], ends[i]). */
export interface TokenSpans {
  starts: number[];
  ends: number[];
}

const TOKEN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}\p{M}]+)*|[^\s]/gu;
const CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/** The tokens of `text` between `from` and `to` (offsets stay those of the whole text). */
export function tokenSpans(text: string, from = 0, to = text.length): TokenSpans {
  const starts: number[] = [];
  const ends: number[] = [];
  const re = new RegExp(TOKEN.source, "gu");
  re.lastIndex = from;
  for (let m = re.exec(text); m && m.index < to; m = re.exec(text)) {
    const word = m[0];
    // a word run that swallowed ideographs stops before them (each ideograph is its own token)
    const cut = word.length > 1 && !CJK.test(word) ? cjkIndex(word) : -1;
    const end = Math.min(m.index + (cut > 0 ? cut : word.length), to);
    starts.push(m.index);
    ends.push(end);
    re.lastIndex = end;
  }
  return { starts, ends };
}

function cjkIndex(word: string): number {
  const m = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.exec(word);
  return m ? m.index : -1;
}

export function countTokens(text: string): number {
  return tokenSpans(text).starts.length;
}

/** Index of the first token starting at or after `offset` (binary search). */
export function tokenAt(spans: TokenSpans, offset: number): number {
  let lo = 0;
  let hi = spans.starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((spans.starts[mid] as number) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

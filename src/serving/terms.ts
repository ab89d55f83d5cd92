/**
 * Content terms for the extractive answerer: lower-cased words without stop words, stemmed, so that
 * a question and a passage sentence can be compared word by word ("writes" ~ "write",
 * "durable" ~ "durability"). Chinese and Japanese runs become character bigrams, the usual
 * dictionary-free way to match them.
 *
 * The stop list is broader than Lucene's 33 words because questions are full of function words
 * ("what", "does", "how", "should") that say nothing about the answer.
 */
import { porterStem } from "../search/analysis/porter-stemmer.ts";

export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again against all also am an and any are aren as at be because been before being below " +
    "between both but by can cannot could couldn did didn do does doesn doing don down during each either else " +
    "etc ever every few for from further get gets got had hadn has hasn have haven having he her here hers herself " +
    "him himself his how i if in into is isn it its itself just let may me might more most much must mustn my myself " +
    "neither no nor not of off on once only or other otherwise our ours ourselves out over own per please " +
    "rather same shall shan she should shouldn so some such than that the their theirs them themselves then there " +
    "these they this those though through thus to too under until up upon us very via was wasn we were weren what " +
    "whatever when whenever where whereas whether which while who whom whose why will with within without " +
    "would wouldn yes yet you your yours yourself yourselves tell explain describe"
  ).split(" "),
);

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+|[\p{L}\p{N}]+/gu;

/** The content terms of `text`, in order, repeats kept (term frequency matters to BM25). */
export function contentTerms(text: string): string[] {
  const out: string[] = [];
  for (const match of text.toLowerCase().matchAll(TOKEN)) {
    const word = match[0];
    if (CJK.test(word)) {
      if (word.length === 1) out.push(word);
      for (let i = 0; i + 1 < word.length; i++) out.push(word.slice(i, i + 2));
      continue;
    }
    // Single letters are possessive "s", variable names and list labels, never an answer's subject.
    if (word.length === 1 && !/\p{N}/u.test(word)) continue;
    if (STOP_WORDS.has(word)) continue;
    out.push(/^[a-z]+$/.test(word) ? porterStem(word) : word);
  }
  return out;
}

/**
 * The content terms of the words in `text` that look like names: with a digit, or with a capital
 * letter when not the first word of a sentence ("Mongolia", "PostgreSQL", "1998", "BM25").
 * Capitals say nothing in Title Case Questions, so then only digits count.
 */
export function namedTerms(text: string): string[] {
  const words = text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
  const titleCase = words.filter((w) => /^\P{L}*\p{Lu}/u.test(w)).length > words.length / 2;
  const out: string[] = [];
  let sentenceStart = true;
  for (const word of words) {
    const bare = word.replace(/^[^\p{L}\p{N}]+/u, "");
    const capital = !sentenceStart && !titleCase && /\p{Lu}/u.test(bare);
    if (capital || /\p{N}/u.test(bare)) out.push(...contentTerms(bare));
    sentenceStart = /[.!?:;]["')\]]*$/.test(word);
  }
  return out;
}

/** Whitespace-separated words: the unit of `maxTokens` and of usage counts. */
export function countWords(text: string): number {
  const words = text.match(/\S+/g);
  return words ? words.length : 0;
}

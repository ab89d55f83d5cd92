/** ngram and edge_ngram token filters: character n-grams of each term (code point based). */
import { type FilterFactory, notForSynonyms } from "../components.ts";
import { forEachGram, ngramBounds } from "../ngrams.ts";
import type { Token, TokenFilter } from "../types.ts";

/** The grams take the place of the term; `preserveOriginal` keeps it too when it is not one of them. */
function ngramFilter(min: number, max: number, preserveOriginal: boolean, edgesOnly: boolean): TokenFilter {
  return (tokens) => {
    const out: Token[] = [];
    for (const t of tokens) {
      const cps = [...t.term];
      let emitted = false;
      forEachGram(cps.length, min, max, edgesOnly, (a, n) => {
        out.push({ ...t, term: cps.slice(a, a + n).join("") });
        emitted = true;
      });
      if (preserveOriginal && (cps.length < min || cps.length > max || !emitted)) out.push(t);
    }
    return out;
  };
}

export const ngram: FilterFactory = (p, env) => {
  const [min, max] = ngramBounds(p, env, true, "NGram Token Filter");
  return notForSynonyms("ngram", ngramFilter(min, max, p.bool("preserve_original", false), false), env);
};

export const edgeNgram: FilterFactory = (p, env) => {
  const [min, max] = ngramBounds(p, env, false, "EdgeNGram Token Filter");
  p.ignore("side");
  return notForSynonyms("edge_ngram", ngramFilter(min, max, p.bool("preserve_original", false), true), env);
};

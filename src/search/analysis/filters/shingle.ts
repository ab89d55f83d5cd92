/** shingle: word n-grams over token positions (Lucene's ShingleFilter). */
import { type FilterFactory, notForSynonyms } from "../components.ts";
import { settingsError } from "../settings-validation.ts";
import type { Token, TokenFilter } from "../types.ts";

interface ShingleOptions {
  min: number;
  max: number;
  outputUnigrams: boolean;
  ifNoShingles: boolean;
  separator: string;
  filler: string;
}

/** Lucene ShingleFilter (token_separator, filler_token for holes, output_unigrams …). */
function shingleFilter(o: ShingleOptions): TokenFilter {
  return (tokens) => {
    if (tokens.length === 0) return tokens;
    const byPos = new Map<number, Token>();
    for (const t of tokens) if (!byPos.has(t.position)) byPos.set(t.position, t);
    const maxPos = Math.max(...byPos.keys());
    const out: Token[] = [];
    let shingles = 0;
    for (const t of tokens) {
      if (o.outputUnigrams) out.push(t);
      if (byPos.get(t.position) !== t) continue;
      for (let size = o.min; size <= o.max; size++) {
        const lastPos = t.position + size - 1;
        if (lastPos > maxPos) break;
        const last = byPos.get(lastPos);
        if (!last) continue;
        const words: string[] = [];
        for (let p = t.position; p <= lastPos; p++) words.push(byPos.get(p)?.term ?? o.filler);
        out.push({
          term: words.join(o.separator),
          start: t.start,
          end: last.end,
          position: t.position,
          positionLength: size,
          type: "shingle",
        });
        shingles++;
      }
    }
    if (!o.outputUnigrams && shingles === 0 && o.ifNoShingles) return tokens;
    return out;
  };
}

export const shingle: FilterFactory = (p, env) => {
  const min = p.int("min_shingle_size", 2, 2);
  const max = p.int("max_shingle_size", 2, 2);
  const key = `${p.key}.max_shingle_size`;
  if (max < min) {
    throw settingsError(key, `max_shingle_size [${max}] must not be less than min_shingle_size [${min}]`);
  }
  const limit = env.opts.maxShingleDiff ?? 3;
  if (max - min > limit) {
    throw settingsError(
      key,
      `In Shingle TokenFilter the difference between max_shingle_size and min_shingle_size (and +1 if outputting unigrams) must be less than or equal to: [${limit}] but was [${max - min}]. This limit can be set by changing the [index.max_shingle_diff] index level setting.`,
    );
  }
  const filter = shingleFilter({
    min,
    max,
    outputUnigrams: p.bool("output_unigrams", true),
    ifNoShingles: p.bool("output_unigrams_if_no_shingles", false),
    separator: p.string("token_separator", " "),
    filler: p.string("filler_token", "_"),
  });
  return notForSynonyms("shingle", filter, env);
};

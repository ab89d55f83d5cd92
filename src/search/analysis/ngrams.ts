/** What the n-gram tokenizers and token filters share: their size settings and the order of their grams. */
import type { Env } from "./config-files.ts";
import type { Params } from "./params.ts";
import { settingsError } from "./settings-validation.ts";

/** `min_gram` / `max_gram`; `limitDiff` (ngram, not edge_ngram) also checks `index.max_ngram_diff`. */
export function ngramBounds(p: Params, env: Env, limitDiff: boolean, what: string): [number, number] {
  const min = p.int("min_gram", 1, 1);
  const max = p.int("max_gram", 2, 1);
  if (max < min) {
    throw settingsError(`${p.key}.max_gram`, `max_gram [${max}] must not be less than min_gram [${min}]`);
  }
  const limit = env.opts.maxNgramDiff ?? 1;
  if (limitDiff && max - min > limit) {
    throw settingsError(
      `${p.key}.max_gram`,
      `The difference between max_gram and min_gram in ${what} must be less than or equal to: [${limit}] but was [${max - min}]. This limit can be set by changing the [index.max_ngram_diff] index level setting.`,
    );
  }
  return [min, max];
}

/**
 * Calls `emit(from, size)` for each gram of `min`…`max` of `count` items, in Lucene's order (by start,
 * then size); edge n-grams only start at 0.
 */
export function forEachGram(
  count: number,
  min: number,
  max: number,
  edgesOnly: boolean,
  emit: (from: number, size: number) => void,
): void {
  for (let a = 0; a < count && (!edgesOnly || a === 0); a++) {
    for (let n = min; n <= max && a + n <= count; n++) emit(a, n);
  }
}

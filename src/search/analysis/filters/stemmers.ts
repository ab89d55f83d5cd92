/** Stemming filters: stemmer (by language), porter_stem, kstem and english_possessive. */
import type { FilterFactory } from "../components.ts";
import { englishPossessiveFilter, porterStemFilter } from "../english.ts";
import { lookup, settingsError, unknownName } from "../settings-validation.ts";
import type { TokenFilter } from "../types.ts";
import { mapTerms } from "./term-filters.ts";

/** Lucene's EnglishMinimalStemmer (plural "s" only). */
function minimalEnglishStem(w: string): string {
  const n = w.length;
  if (n < 3 || w[n - 1] !== "s") return w;
  switch (w[n - 2]) {
    case "u":
    case "s":
      return w;
    case "e":
      if (n > 3 && w[n - 3] === "i" && w[n - 4] !== "a" && w[n - 4] !== "e") return `${w.slice(0, n - 3)}y`;
      if (w[n - 3] === "i" || w[n - 3] === "a" || w[n - 3] === "o" || w[n - 3] === "e") return w;
      return w.slice(0, n - 1);
    default:
      return w.slice(0, n - 1);
  }
}

const VOWEL = /[aeiou]/;
/**
 * An approximation of KStem (`light_english`, `kstem`) without its dictionary: plurals, -ies/-ied,
 * and -ed/-ing with consonant undoubling. Conservative: it leaves a word alone when unsure.
 */
function lightEnglishStem(w: string): string {
  if (w.length < 4 || !/^[a-z]+$/.test(w)) return w;
  if (w.endsWith("ies") && w.length > 4) return `${w.slice(0, -3)}y`;
  if (w.endsWith("sses")) return w.slice(0, -2);
  if (/(?:ch|sh|x|z)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith("s") && !/(?:ss|us|is)$/.test(w)) return w.slice(0, -1);
  if (w.endsWith("ied") && w.length > 4) return `${w.slice(0, -3)}y`;
  const suffix = w.endsWith("ing") ? 3 : w.endsWith("ed") && !w.endsWith("eed") ? 2 : 0;
  if (suffix) {
    const stem = w.slice(0, -suffix);
    if (stem.length < 3 || !VOWEL.test(stem)) return w;
    if (/([b-df-hj-np-tv-z])\1$/.test(stem) && !/(?:ll|ss|zz)$/.test(stem)) return stem.slice(0, -1);
    return stem;
  }
  return w;
}

const kstemFilter = mapTerms(lightEnglishStem, true);

const STEMMERS: Record<string, TokenFilter> = {
  english: porterStemFilter,
  porter: porterStemFilter,
  light_english: kstemFilter,
  kstem: kstemFilter,
  minimal_english: mapTerms(minimalEnglishStem, true),
  possessive_english: englishPossessiveFilter,
};

const KSTEM_APPROXIMATED = "is approximated here: plurals, -ed and -ing only";

export const stemmer: FilterFactory = (p, env) => {
  const language = p.string("language") ?? p.string("name") ?? "porter";
  const filter = lookup(STEMMERS, language);
  if (!filter) {
    throw settingsError(
      `${p.key}.${p.has("language") ? "language" : "name"}`,
      `unsupported stemmer language ${unknownName(language, Object.keys(STEMMERS))}; supported: [${Object.keys(STEMMERS).join(", ")}]`,
    );
  }
  if (language === "light_english" || language === "kstem")
    env.opts.warn(`${p.key}: stemmer [${language}] (KStem) ${KSTEM_APPROXIMATED}`);
  return filter;
};

export const porterStem: FilterFactory = () => porterStemFilter;

export const kstem: FilterFactory = (p, env) => {
  env.opts.warn(`${p.key}: kstem ${KSTEM_APPROXIMATED}`);
  return kstemFilter;
};

export const englishPossessive: FilterFactory = () => englishPossessiveFilter;

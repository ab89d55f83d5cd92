/**
 * Analyzers: the built-in ones (standard, simple, whitespace, keyword, stop, english, pattern, IK),
 * usable by name or as a `type` with parameters, and custom ones (`tokenizer` + `char_filter` +
 * `filter`).
 */
import { assemble, filtered, fnAnalyzer } from "./chain.ts";
import type { Factory } from "./components.ts";
import { makeEnv } from "./config-files.ts";
import {
  ENGLISH_STOP_WORDS,
  englishAnalyze,
  englishIndexTerms,
  englishPossessiveFilter,
  lowercaseFilter,
  porterStemFilter,
  standardAnalyze,
  standardIndexTerms,
  stopFilter,
} from "./english.ts";
import { keywordMarker } from "./filters/keyword-marker.ts";
import { NO_STOP_WORDS, stopwordsParam } from "./filters/stop.ts";
import { ikMaxWordTokenizer, ikSmartTokenizer } from "./ik.ts";
import { javaRegex } from "./java-regex.ts";
import { Params } from "./params.ts";
import type { Resolver } from "./resolver.ts";
import { lookup, settingsError, show, unknownName } from "./settings-validation.ts";
import { standardTokenizer } from "./standard-tokenizer.ts";
import {
  keywordTokenizer,
  lowercaseTokenizer,
  maxTokenLength,
  patternTokenizer,
  whitespaceTokenizer,
} from "./tokenizers.ts";
import type { AnalysisOptions, RegistryAnalyzer, TokenFilter } from "./types.ts";

/** A built-in analyzer type; the analyzer is named `env.name`. */
type AnalyzerFactory = Factory<RegistryAnalyzer>;

/** A stop filter only when there are stop words to remove. */
const stopFilters = (stop: ReadonlySet<string>): TokenFilter[] => (stop.size ? [stopFilter(stop)] : []);

const ANALYZER_TYPES: Record<string, AnalyzerFactory> = {
  standard: (p, env) => {
    const stop = stopwordsParam(p, env, NO_STOP_WORDS);
    const maxLen = maxTokenLength(p);
    if (stop.size === 0 && maxLen === 255) return fnAnalyzer(env.name, standardAnalyze, standardIndexTerms);
    return fnAnalyzer(env.name, filtered(standardTokenizer(maxLen), [lowercaseFilter, ...stopFilters(stop)]));
  },
  simple: (_p, env) => fnAnalyzer(env.name, lowercaseTokenizer),
  whitespace: (p, env) => fnAnalyzer(env.name, whitespaceTokenizer(maxTokenLength(p))),
  keyword: (_p, env) => fnAnalyzer(env.name, keywordTokenizer),
  stop: (p, env) => {
    const stop = stopwordsParam(p, env, ENGLISH_STOP_WORDS);
    return fnAnalyzer(env.name, filtered(lowercaseTokenizer, [stopFilter(stop)]));
  },
  english: (p, env) => {
    const stop = stopwordsParam(p, env, ENGLISH_STOP_WORDS);
    const exclusions = new Set(p.list("stem_exclusion") ?? []);
    if (stop === ENGLISH_STOP_WORDS && exclusions.size === 0)
      return fnAnalyzer(env.name, englishAnalyze, englishIndexTerms);
    const chain: TokenFilter[] = [englishPossessiveFilter, lowercaseFilter, stopFilter(stop)];
    if (exclusions.size) chain.push(keywordMarker(exclusions, undefined, false));
    chain.push(porterStemFilter);
    return fnAnalyzer(env.name, filtered(standardTokenizer(255), chain));
  },
  pattern: (p, env) => {
    const re = javaRegex(p.string("pattern", "\\W+"), p.string("flags"), `${p.key}.pattern`);
    const lower = p.bool("lowercase", true);
    const stop = stopwordsParam(p, env, NO_STOP_WORDS);
    const filters = [...(lower ? [lowercaseFilter] : []), ...stopFilters(stop)];
    return fnAnalyzer(env.name, filtered(patternTokenizer(re, -1), filters));
  },
  ik_max_word: (_p, env) => fnAnalyzer(env.name, ikMaxWordTokenizer()),
  ik_smart: (_p, env) => fnAnalyzer(env.name, ikSmartTokenizer()),
};

export const BUILTIN_ANALYZERS = Object.keys(ANALYZER_TYPES);
const builtinAnalyzerCache = new Map<string, RegistryAnalyzer>();

/** A built-in analyzer by name, with default parameters (built once per process). */
export function builtinAnalyzer(name: string, opts: AnalysisOptions): RegistryAnalyzer | undefined {
  const factory = lookup(ANALYZER_TYPES, name);
  if (!factory) return undefined;
  let analyzer = builtinAnalyzerCache.get(name);
  if (!analyzer) {
    analyzer = factory(new Params(`analyzer [${name}]`, {}, `analyzer type [${name}]`), makeEnv(opts, name));
    builtinAnalyzerCache.set(name, analyzer);
  }
  return analyzer;
}

/** `index.analysis.analyzer.<name>`: a custom chain, or a built-in type with parameters. */
export function compileAnalyzer(
  name: string,
  raw: Record<string, unknown>,
  key: string,
  resolver: Resolver,
): RegistryAnalyzer {
  const opts = resolver.opts;
  const type = raw.type ?? (raw.tokenizer !== undefined ? "custom" : undefined);
  if (type === undefined) {
    throw settingsError(
      `${key}.tokenizer`,
      `analyzer [${name}] must specify either an analyzer type, or a tokenizer`,
    );
  }
  if (typeof type !== "string")
    throw settingsError(`${key}.type`, `expected a string but got [${show(type)}]`);
  if (type === "custom") {
    const p = new Params(key, raw, "a custom analyzer");
    p.ignore("tokenizer", "filter", "char_filter");
    if (raw.tokenizer === undefined || raw.tokenizer === null) {
      throw settingsError(`${key}.tokenizer`, `custom analyzer [${name}] must specify a tokenizer`);
    }
    const gap = p.int("position_increment_gap", 100, 0);
    const charFilters = resolver.charFilters(raw.char_filter, `${key}.char_filter`);
    const tokenizer = resolver.tokenizer(raw.tokenizer, `${key}.tokenizer`);
    const filters = resolver.filters(raw.filter, `${key}.filter`);
    p.warnUnknown(opts.warn);
    return assemble(name, charFilters, tokenizer, filters, gap);
  }
  const factory = lookup(ANALYZER_TYPES, type);
  if (!factory) {
    const known = ["custom", ...BUILTIN_ANALYZERS];
    throw settingsError(
      `${key}.type`,
      `unknown analyzer type ${unknownName(type, known)}; known types: [${known.join(", ")}]`,
    );
  }
  const p = new Params(key, raw, `analyzer type [${type}]`);
  const gap = p.int("position_increment_gap", 100, 0);
  const analyzer = factory(p, makeEnv(opts, name));
  p.warnUnknown(opts.warn);
  return { ...analyzer, positionIncrementGap: gap };
}

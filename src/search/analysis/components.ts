/**
 * What tokenizer, char_filter and filter definitions compile to, and how a kind's types are looked up.
 * A filter also says how it behaves while synonym rules are parsed with the chain that precedes a
 * synonym filter (ES analyzes rule words with that chain).
 */
import type { Env } from "./config-files.ts";
import type { MappedCharFilter } from "./offset-map.ts";
import type { Params } from "./params.ts";
import type { Kind } from "./settings-validation.ts";
import type { TokenFilter, Tokenizer } from "./types.ts";

export interface TokenizerDef {
  id: string;
  tokenize: Tokenizer;
}

export interface CharFilterDef {
  id: string;
  apply: MappedCharFilter;
  /** Allowed in normalizers (works on the whole text without splitting it). */
  normalizing: boolean;
}

/** A filter as applied to synonym rules: a filter, null (skipped) or an error message (cannot be used). */
export type RuleStep = TokenFilter | null | { error: string };

/** The part of an analyzer before a filter: what synonym rules are analyzed with. */
export interface Chain {
  id: string;
  describe: string;
  analyzer: string;
  charFilters: MappedCharFilter[];
  tokenizer: Tokenizer;
  /** Each preceding filter as used to parse synonyms. */
  filters: RuleStep[];
}

export interface FilterDef {
  id: string;
  type: string;
  isSynonym: boolean;
  updateable: boolean;
  normalizing: boolean;
  create(chain: Chain): TokenFilter;
  /** The filter as applied to synonym rules when it precedes a synonym filter. */
  forSynonyms(): RuleStep;
}

export const simpleFilter = (
  id: string,
  type: string,
  filter: TokenFilter,
  normalizing = false,
): FilterDef => ({
  id,
  type,
  isSynonym: false,
  updateable: false,
  normalizing,
  create: () => filter,
  forSynonyms: () => filter,
});

/** A filter that produces several tokens per word (n-grams, shingles), which synonym rules cannot be parsed with. */
export const notForSynonyms = (type: string, filter: TokenFilter, env: Env): FilterDef => ({
  ...simpleFilter("", type, filter),
  forSynonyms: () => ({ error: `token filter [${env.name}] cannot be used to parse synonyms` }),
});

/** Builds a component from a definition's parameters. */
export type Factory<T> = (p: Params, env: Env) => T;

export type TokenizerFactory = Factory<Tokenizer>;
export type CharFilterFactory = Factory<Omit<CharFilterDef, "id">>;
/** A bare TokenFilter is a simple filter. */
export type FilterFactory = Factory<FilterDef | TokenFilter>;

/** The types of one kind of component. */
export interface ComponentTypes<F> {
  kind: Kind;
  types: Record<string, F>;
  /** Types that cannot be used by bare name, with the settings they need. */
  needsSettings: Record<string, string>;
  /** Types usable by bare name. */
  builtins: string[];
}

export function componentTypes<F>(
  kind: Kind,
  types: Record<string, F>,
  needsSettings: Record<string, string> = {},
): ComponentTypes<F> {
  return { kind, types, needsSettings, builtins: Object.keys(types).filter((t) => !(t in needsSettings)) };
}

/**
 * Normalizers (for keyword fields): the whole text as one token through char filters and token
 * filters that work on it without splitting it.
 */
import { assemble, tokenizerDef } from "./chain.ts";
import { simpleFilter } from "./components.ts";
import { lowercaseFilter } from "./english.ts";
import { Params } from "./params.ts";
import type { Resolver } from "./resolver.ts";
import { settingsError, show } from "./settings-validation.ts";
import { keywordTokenizer } from "./tokenizers.ts";
import type { RegistryAnalyzer } from "./types.ts";

/** Filter types a normalizer may use. */
const NORMALIZING_FILTER_TYPES = new Set(["lowercase", "uppercase", "asciifolding", "trim"]);

const wholeText = tokenizerDef("keyword", keywordTokenizer);

/** The built-in `lowercase` normalizer. */
export const lowercaseNormalizer = (): RegistryAnalyzer =>
  assemble("lowercase", [], wholeText, [simpleFilter("lowercase", "lowercase", lowercaseFilter, true)], 100);

/** `index.analysis.normalizer.<name>`: char filters and filters that keep the text whole. */
export function compileNormalizer(
  name: string,
  raw: Record<string, unknown>,
  key: string,
  resolver: Resolver,
): RegistryAnalyzer {
  if (raw.type !== undefined && raw.type !== "custom") {
    throw settingsError(`${key}.type`, `unknown normalizer type [${show(raw.type)}]; known types: [custom]`);
  }
  if (raw.tokenizer !== undefined) {
    throw settingsError(`${key}.tokenizer`, `custom normalizer [${name}] cannot configure a tokenizer`);
  }
  const p = new Params(key, raw, "a custom normalizer");
  p.ignore("filter", "char_filter");
  const charFilters = resolver.charFilters(raw.char_filter, `${key}.char_filter`, (def, ref, itemKey) => {
    if (!def.normalizing) {
      throw settingsError(itemKey, `custom normalizer [${name}] may not use char filter [${show(ref)}]`);
    }
  });
  const filters = resolver.filters(raw.filter, `${key}.filter`, (def, ref, itemKey) => {
    if (!def.normalizing && !NORMALIZING_FILTER_TYPES.has(def.type)) {
      throw settingsError(
        itemKey,
        `custom normalizer [${name}] may not use filter [${show(ref)}]; normalizers accept: [${[...NORMALIZING_FILTER_TYPES].join(", ")}]`,
      );
    }
  });
  p.warnUnknown(resolver.opts.warn);
  return assemble(name, charFilters, wholeText, filters, 100);
}

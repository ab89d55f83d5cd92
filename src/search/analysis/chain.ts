/**
 * An analyzer as a chain: char filters (with offset correction), a tokenizer, then token filters. Each
 * filter is created for the chain before it, which is what synonym filters parse their rules with.
 */
import type { Chain, CharFilterDef, FilterDef, RuleStep, TokenizerDef } from "./components.ts";
import { correctOffsets, type Mapped } from "./offset-map.ts";
import type { RegistryAnalyzer, Token, TokenFilter, Tokenizer } from "./types.ts";

export const tokenizerDef = (id: string, tokenize: Tokenizer): TokenizerDef => ({ id, tokenize });

/** An analyzer given as a function (built-ins that fuse their chain), with the default gap. */
export const fnAnalyzer = (
  name: string,
  analyze: (text: string) => Token[],
  indexTerms?: RegistryAnalyzer["indexTerms"],
): RegistryAnalyzer =>
  indexTerms
    ? { name, positionIncrementGap: 100, analyze, indexTerms }
    : { name, positionIncrementGap: 100, analyze };

/** Applies `filters` in order to the tokenizer's output. */
export const filtered = (tokenize: Tokenizer, filters: TokenFilter[]) => (text: string) =>
  filters.reduce((tokens, f) => f(tokens), tokenize(text));

/** `_anonymous_` is the name of `_analyze` chains: their errors and warnings name no analyzer. */
export function assemble(
  name: string,
  charFilters: CharFilterDef[],
  tokenizer: TokenizerDef,
  filterDefs: FilterDef[],
  positionIncrementGap: number,
): RegistryAnalyzer {
  const mapped = charFilters.map((c) => c.apply);
  const filters: TokenFilter[] = [];
  const ruleSteps: RuleStep[] = [];
  const ids = [...charFilters.map((c) => c.id), tokenizer.id];
  for (const def of filterDefs) {
    const before = filterDefs.slice(0, filters.length).map((f) => f.id);
    const chain: Chain = {
      id: [...ids, ...before].join("|"),
      describe: `tokenizer [${tokenizer.id}]${charFilters.length ? `, char_filter [${charFilters.map((c) => c.id).join(", ")}]` : ""}, filter [${before.join(", ")}]`,
      analyzer: name === "_anonymous_" ? "" : name,
      charFilters: mapped,
      tokenizer: tokenizer.tokenize,
      filters: [...ruleSteps],
    };
    filters.push(def.create(chain));
    ruleSteps.push(def.forSynonyms());
  }
  const analyzeFiltered = filtered(tokenizer.tokenize, filters);
  return {
    name,
    positionIncrementGap,
    analyze(text: string): Token[] {
      const maps: Mapped[] = [];
      let current = text;
      for (const cf of mapped) {
        const m = cf(current);
        maps.push(m);
        current = m.text;
      }
      return correctOffsets(analyzeFiltered(current), maps);
    },
  };
}

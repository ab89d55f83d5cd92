/**
 * `index.analysis` settings → analyzers, as Elasticsearch builds them (Lucene 8.7 behaviour): built-in
 * analyzers, tokenizers, char filters and token filters, the index's custom ones, and `_analyze`'s
 * one-off chains. Settings are validated with errors that name the full settings key and list what
 * exists; "almost right" settings (a synonyms filter without a type, unused definitions, misspelt
 * parameters) are accepted with a warning where the intent is clear.
 *
 * The public entry points; the pieces: index-registry.ts (an index's registry), analyzers.ts and
 * normalizers.ts, resolver.ts (component references), tokenizers.ts, char-filters.ts, token-filters.ts
 * (filters/…), chain.ts, settings-validation.ts and params.ts.
 */
import { builtinAnalyzer } from "./analyzers.ts";
import { assemble } from "./chain.ts";
import { IndexRegistry } from "./index-registry.ts";
import { Resolver } from "./resolver.ts";
import { toList } from "./settings-validation.ts";
import type {
  AnalysisOptions,
  AnalysisRegistry,
  Analyzer,
  IndexAnalysisRegistry,
  RegistryAnalyzer,
} from "./types.ts";

export { AnalysisSettingsError } from "./settings-validation.ts";
export type { AnalysisOptions, AnalysisRegistry, IndexAnalysisRegistry, RegistryAnalyzer } from "./types.ts";

export function buildAnalysisRegistry(analysis: unknown, opts: AnalysisOptions): IndexAnalysisRegistry {
  return new IndexRegistry(analysis, opts);
}

/** Build a one-off analyzer from an `_analyze` request body ({tokenizer, filter, char_filter} with names or inline definitions). */
export function buildAdHocAnalyzer(
  spec: { tokenizer?: unknown; filter?: unknown; char_filter?: unknown },
  registry: AnalysisRegistry,
  opts: AnalysisOptions,
): Analyzer {
  const resolver =
    registry instanceof IndexRegistry ? registry.resolverFor(opts) : new Resolver(opts, undefined);
  const noTokenizer = spec.tokenizer === undefined || spec.tokenizer === null;
  if (
    noTokenizer &&
    toList(spec.filter, "filter").length === 0 &&
    toList(spec.char_filter, "char_filter").length === 0
  ) {
    return builtinAnalyzer("standard", opts) as RegistryAnalyzer;
  }
  const charFilters = resolver.charFilters(spec.char_filter, "char_filter");
  const filterRefs = toList(spec.filter, "filter");
  // No tokenizer but filters: a normalizer-like chain over the whole text, as ES does.
  const tokenizer = resolver.tokenizer(noTokenizer ? "keyword" : spec.tokenizer, "tokenizer");
  const filters = resolver.filters(filterRefs, "filter");
  return assemble("_anonymous_", charFilters, tokenizer, filters, 100);
}

/**
 * An index's analyzers: the built-ins plus those defined in `index.analysis`, with the
 * "almost right" settings handled the way the user evidently meant. A synonym filter that no
 * analyzer uses (as in `PUT /rag-docs/_settings {"index.analysis.filter.synonyms.synonyms":[…]}`)
 * is applied at search time to every text field's search analyzer, with a warning saying so.
 */
import {
  type AnalysisRegistry,
  AnalysisSettingsError,
  buildAdHocAnalyzer,
  buildAnalysisRegistry,
} from "../analysis/registry.ts";
import type { Analyzer } from "../analysis/types.ts";
import { EngineError, illegalArgument } from "../errors.ts";
import { type FlatSettings, settingsSubtree } from "../settings.ts";

/** Chains equal to the built-in analyzers, so search-time filters can be appended to them. */
const BUILTIN_CHAINS: Record<string, { tokenizer: unknown; filter: unknown[] }> = {
  standard: { tokenizer: "standard", filter: ["lowercase"] },
  english: {
    tokenizer: "standard",
    filter: [
      { type: "stemmer", language: "possessive_english" },
      "lowercase",
      { type: "stop", stopwords: "_english_" },
      "porter_stem",
    ],
  },
  simple: { tokenizer: "lowercase", filter: [] },
  whitespace: { tokenizer: "whitespace", filter: [] },
  keyword: { tokenizer: "keyword", filter: [] },
  stop: { tokenizer: "lowercase", filter: [{ type: "stop", stopwords: "_english_" }] },
  ik_max_word: { tokenizer: "ik_max_word", filter: [] },
  ik_smart: { tokenizer: "ik_smart", filter: [] },
};

export class IndexAnalysis {
  readonly registry: AnalysisRegistry;
  readonly warnings: string[] = [];
  private readonly searchTime = new Map<string, Analyzer>();
  private readonly orphans: string[];
  private readonly analysis: Record<string, unknown>;

  constructor(
    settings: FlatSettings,
    readonly configDir: string,
  ) {
    this.analysis = settingsSubtree(settings, "index.analysis");
    try {
      this.registry = buildAnalysisRegistry(this.analysis, { configDir, warn: (m) => this.warnings.push(m) });
    } catch (err) {
      if (err instanceof AnalysisSettingsError) throw illegalArgument(err.message, { key: err.key });
      throw err;
    }
    this.orphans = this.registry.orphanSynonymFilters();
    if (this.orphans.length) {
      this.warnings.push(
        `synonym filter${this.orphans.length > 1 ? "s" : ""} [${this.orphans.join(", ")}] ${this.orphans.length > 1 ? "are" : "is"} not used by any analyzer; applied at search time to the search analyzer of every text field. Reference ${this.orphans.length > 1 ? "them" : "it"} from an analyzer's "filter" list to control where ${this.orphans.length > 1 ? "they apply" : "it applies"}.`,
      );
    }
  }

  has(name: string): boolean {
    return this.registry.get(name) !== undefined;
  }

  get(name: string): Analyzer {
    const analyzer = this.registry.get(name);
    if (!analyzer) {
      throw new EngineError(
        400,
        "illegal_argument_exception",
        `failed to find analyzer [${name}]; available: [${this.registry.names().join(", ")}]`,
      );
    }
    return analyzer;
  }

  /** The analyzer a field's queries use: its search analyzer plus unattached synonym filters. */
  searchAnalyzer(name: string): Analyzer {
    if (!this.orphans.length) return this.get(name);
    let analyzer = this.searchTime.get(name);
    if (analyzer) return analyzer;
    const custom = (this.analysis.analyzer as Record<string, Record<string, unknown>> | undefined)?.[name];
    const chain = custom
      ? { tokenizer: custom.tokenizer, filter: [...toList(custom.filter)], char_filter: custom.char_filter }
      : BUILTIN_CHAINS[name];
    if (!chain) return this.get(name);
    analyzer = buildAdHocAnalyzer({ ...chain, filter: [...chain.filter, ...this.orphans] }, this.registry, {
      configDir: this.configDir,
      warn: () => {},
    });
    this.searchTime.set(name, analyzer);
    return analyzer;
  }
}

function toList(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

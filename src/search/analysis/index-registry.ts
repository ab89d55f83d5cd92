/**
 * An index's analysis registry: its `index.analysis` definitions compiled (components, analyzers,
 * normalizers), over the built-ins.
 */
import { BUILTIN_ANALYZERS, builtinAnalyzer, compileAnalyzer } from "./analyzers.ts";
import type { FilterDef } from "./components.ts";
import { lowercaseFilter } from "./english.ts";
import { compileNormalizer, lowercaseNormalizer } from "./normalizers.ts";
import { type CustomComponents, compileComponent, emptyUsage, Resolver } from "./resolver.ts";
import { analysisSections, type Kind, settingsError } from "./settings-validation.ts";
import { standardTokenizer } from "./standard-tokenizer.ts";
import type { AnalysisOptions, Analyzer, IndexAnalysisRegistry, RegistryAnalyzer } from "./types.ts";

const KINDS: Kind[] = ["tokenizer", "char_filter", "filter"];

export class IndexRegistry implements IndexAnalysisRegistry {
  private readonly custom: CustomComponents = {
    tokenizer: new Map(),
    char_filter: new Map(),
    filter: new Map(),
    used: emptyUsage(),
  };
  private readonly analyzers = new Map<string, RegistryAnalyzer>();
  private readonly normalizers = new Map<string, RegistryAnalyzer>();
  private readonly resolver: Resolver;

  constructor(
    analysis: unknown,
    private readonly opts: AnalysisOptions,
  ) {
    this.resolver = new Resolver(opts, this.custom);
    const section = analysisSections(analysis, opts.warn);
    for (const kind of KINDS) {
      const defs = this.custom[kind] as Map<string, unknown>;
      for (const [n, def, key] of section(kind)) defs.set(n, compileComponent(kind, n, def, key, opts));
    }
    for (const [n, def, key] of section("analyzer")) {
      if (n.startsWith("_")) throw settingsError(key, `analyzer name must not start with '_'`);
      this.analyzers.set(n, compileAnalyzer(n, def, key, this.resolver));
    }
    for (const [n, def, key] of section("normalizer")) {
      this.normalizers.set(n, compileNormalizer(n, def, key, this.resolver));
    }
    this.checkOrphanSynonymRules();
    this.warnUnused();
  }

  /** Orphan synonym filters get applied at search time; check their rules now, with a standard chain. */
  private checkOrphanSynonymRules(): void {
    for (const name of this.orphanSynonymFilters()) {
      (this.custom.filter.get(name) as FilterDef).create({
        id: "orphan-check",
        describe: "tokenizer [standard], filter [lowercase]",
        analyzer: "",
        charFilters: [],
        tokenizer: standardTokenizer(255),
        filters: [lowercaseFilter],
      });
    }
  }

  private warnUnused(): void {
    for (const kind of KINDS) {
      for (const name of this.custom[kind].keys()) {
        if (this.custom.used[kind].has(name)) continue;
        if (kind === "filter" && this.custom.filter.get(name)?.isSynonym) continue; // see orphanSynonymFilters
        this.opts.warn(`index.analysis.${kind}.${name} is defined but not used by any analyzer`);
      }
    }
  }

  /** A resolver over this index's definitions, for `_analyze` (usage is not recorded). */
  resolverFor(opts: AnalysisOptions): Resolver {
    return new Resolver(opts, { ...this.custom, used: emptyUsage() });
  }

  get(name: string): Analyzer | undefined {
    return this.analyzers.get(name) ?? builtinAnalyzer(name, this.opts);
  }

  names(): string[] {
    return [...new Set([...BUILTIN_ANALYZERS, ...this.analyzers.keys()])];
  }

  getNormalizer(name: string): Analyzer | undefined {
    return this.normalizers.get(name) ?? (name === "lowercase" ? lowercaseNormalizer() : undefined);
  }

  normalizerNames(): string[] {
    return [...new Set(["lowercase", ...this.normalizers.keys()])];
  }

  updateableFilters(): string[] {
    return [...this.custom.filter.values()].filter((f) => f.updateable).map((f) => f.id);
  }

  orphanSynonymFilters(): string[] {
    return [...this.custom.filter.values()]
      .filter((f) => f.isSynonym && !this.custom.used.filter.has(f.id))
      .map((f) => f.id);
  }
}

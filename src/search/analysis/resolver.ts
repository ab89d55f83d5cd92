/**
 * Resolution of tokenizer, char_filter and filter references (a name, or an inline definition) to
 * compiled components: the index's custom definitions first (their use is recorded), then built-in
 * types usable by bare name (compiled once per resolver).
 */
import { CHAR_FILTERS } from "./char-filters.ts";
import {
  type CharFilterDef,
  type ComponentTypes,
  type Factory,
  type FilterDef,
  simpleFilter,
  type TokenizerDef,
} from "./components.ts";
import { makeEnv } from "./config-files.ts";
import { Params } from "./params.ts";
import {
  componentType,
  isObject,
  type Kind,
  settingsError,
  show,
  toList,
  unknownReference,
} from "./settings-validation.ts";
import { TOKEN_FILTERS } from "./token-filters.ts";
import { TOKENIZERS } from "./tokenizers.ts";
import type { AnalysisOptions } from "./types.ts";

interface Defs {
  tokenizer: TokenizerDef;
  char_filter: CharFilterDef;
  filter: FilterDef;
}

/** The index's custom components, and which of them analyzers use. */
export interface CustomComponents {
  tokenizer: Map<string, TokenizerDef>;
  char_filter: Map<string, CharFilterDef>;
  filter: Map<string, FilterDef>;
  used: Record<Kind, Set<string>>;
}

export const emptyUsage = (): Record<Kind, Set<string>> => ({
  tokenizer: new Set(),
  char_filter: new Set(),
  filter: new Set(),
});

/** A definition's factory run on its parameters, which are then checked for unknown ones. */
function build<F extends Factory<unknown>>(
  types: ComponentTypes<F>,
  name: string,
  raw: Record<string, unknown>,
  key: string,
  opts: AnalysisOptions,
): { type: string; made: ReturnType<F> } {
  const type = componentType(types.kind, name, raw, key, types.types, opts);
  const p = new Params(key, raw, `${types.kind} type [${type}]`);
  const made = (types.types[type] as F)(p, makeEnv(opts, name)) as ReturnType<F>;
  p.warnUnknown(opts.warn);
  return { type, made };
}

const COMPILE: {
  [K in Kind]: (name: string, raw: Record<string, unknown>, key: string, opts: AnalysisOptions) => Defs[K];
} = {
  tokenizer: (name, raw, key, opts) => ({ id: name, tokenize: build(TOKENIZERS, name, raw, key, opts).made }),
  char_filter: (name, raw, key, opts) => ({ id: name, ...build(CHAR_FILTERS, name, raw, key, opts).made }),
  filter: (name, raw, key, opts) => {
    const { type, made } = build(TOKEN_FILTERS, name, raw, key, opts);
    const def = typeof made === "function" ? simpleFilter(name, type, made) : made;
    return { ...def, id: name, type };
  },
};

const TYPES: Record<Kind, ComponentTypes<unknown>> = {
  tokenizer: TOKENIZERS,
  char_filter: CHAR_FILTERS,
  filter: TOKEN_FILTERS,
};

/** Compiles a component definition: custom (`index.analysis.<kind>.<name>`), inline, or a built-in type by name. */
export const compileComponent = <K extends Kind>(
  kind: K,
  name: string,
  raw: Record<string, unknown>,
  key: string,
  opts: AnalysisOptions,
): Defs[K] => COMPILE[kind](name, raw, key, opts);

type Check<D> = (def: D, ref: unknown, key: string) => void;

export class Resolver {
  private inline = 0;
  private readonly builtins = new Map<string, Defs[Kind]>();

  constructor(
    readonly opts: AnalysisOptions,
    readonly custom: CustomComponents | undefined,
  ) {}

  tokenizer(ref: unknown, key: string): TokenizerDef {
    return this.resolve("tokenizer", ref, key);
  }

  charFilter(ref: unknown, key: string): CharFilterDef {
    return this.resolve("char_filter", ref, key);
  }

  filter(ref: unknown, key: string): FilterDef {
    return this.resolve("filter", ref, key);
  }

  /** A list setting of char filter references; `check` vets each one as it is resolved. */
  charFilters(value: unknown, key: string, check?: Check<CharFilterDef>): CharFilterDef[] {
    return this.list("char_filter", value, key, check);
  }

  /** A list setting of filter references; `check` vets each one as it is resolved. */
  filters(value: unknown, key: string, check?: Check<FilterDef>): FilterDef[] {
    return this.list("filter", value, key, check);
  }

  private list<K extends Kind>(kind: K, value: unknown, key: string, check?: Check<Defs[K]>): Defs[K][] {
    return toList(value, key).map((ref, i) => {
      const itemKey = `${key}[${i}]`;
      const def = this.resolve(kind, ref, itemKey);
      check?.(def, ref, itemKey);
      return def;
    });
  }

  private resolve<K extends Kind>(kind: K, ref: unknown, key: string): Defs[K] {
    if (isObject(ref)) return compileComponent(kind, `inline#${++this.inline}`, ref, key, this.opts);
    if (typeof ref !== "string") {
      throw settingsError(key, `expected a ${kind} name or definition but got [${show(ref)}]`);
    }
    const custom = this.custom?.[kind].get(ref) as Defs[K] | undefined;
    if (custom) {
      this.custom?.used[kind].add(ref);
      return custom;
    }
    const { builtins, needsSettings } = TYPES[kind];
    if (!builtins.includes(ref)) {
      const customNames = [...(this.custom?.[kind].keys() ?? [])];
      throw unknownReference(kind, ref, key, customNames, builtins, needsSettings);
    }
    const id = `${kind}:${ref}`;
    let def = this.builtins.get(id) as Defs[K] | undefined;
    if (!def) {
      def = compileComponent(kind, ref, { type: ref }, key, this.opts);
      this.builtins.set(id, def);
    }
    return def;
  }
}

/**
 * synonym and synonym_graph filters. As in ES, rule words are analyzed with the chain that precedes
 * the filter in each analyzer using it (so the rules are parsed once per distinct chain).
 */
import type { Chain, FilterDef, FilterFactory } from "../components.ts";
import type { Env } from "../config-files.ts";
import { settingsError } from "../settings-validation.ts";
import {
  parseSynonyms,
  type SynonymMap,
  SynonymParseError,
  type SynonymPhraseAnalyzer,
  synonymFilter,
  synonymGraphFilter,
} from "../synonyms.ts";
import type { TokenFilter } from "../types.ts";

/** Analyzes a rule phrase with `chain`; phrases must analyze to consecutive positions. */
function chainPhraseAnalyzer(chain: Chain, key: string, filterName: string): SynonymPhraseAnalyzer {
  const filters: TokenFilter[] = [];
  for (const f of chain.filters) {
    if (f === null) continue;
    if ("error" in f) throw settingsError(key, `${f.error}, which precedes synonym filter [${filterName}]`);
    filters.push(f);
  }
  return (phrase) => {
    let text = phrase;
    for (const cf of chain.charFilters) text = cf(text).text;
    let tokens = chain.tokenizer(text);
    for (const f of filters) tokens = f(tokens);
    let prev = -1;
    for (const t of tokens) {
      const inc = t.position - prev;
      if (inc !== 1) {
        throw new Error(
          `term: [${phrase}] analyzed to a token ([${t.term}]) with position increment != 1 (got: ${inc})`,
        );
      }
      prev = t.position;
    }
    return tokens.map((t) => t.term);
  };
}

interface RuleOptions {
  rules: string | string[];
  rulesKey: string;
  expand: boolean;
  lenient: boolean;
  format: "solr" | "wordnet";
}

/** The rules parsed for one chain; errors name the rules' settings key and the chain. */
function buildMap(o: RuleOptions, chain: Chain, env: Env): SynonymMap {
  const analyze = chainPhraseAnalyzer(chain, o.rulesKey, env.name);
  const inAnalyzer = chain.analyzer ? ` for analyzer [${chain.analyzer}]` : "";
  const skipped: string[] = [];
  let map: SynonymMap;
  try {
    map = parseSynonyms(o.rules, {
      expand: o.expand,
      lenient: o.lenient,
      format: o.format,
      analyze,
      onSkip: (m) => skipped.push(m),
    });
  } catch (e) {
    if (e instanceof SynonymParseError) {
      throw settingsError(
        o.rulesKey,
        `failed to build synonyms${inAnalyzer}: ${e.message}. Rule words are analyzed with the chain before the filter (${chain.describe}); set "lenient": true to skip such rules`,
      );
    }
    throw e;
  }
  if (skipped.length) {
    env.opts.warn(
      `${o.rulesKey}: lenient: ${skipped.length} synonym phrase${skipped.length > 1 ? "s" : ""} ignored${chain.analyzer ? ` in analyzer [${chain.analyzer}]` : ""}, e.g. ${skipped[0]}`,
    );
  }
  return map;
}

function synonymFilterType(graph: boolean): FilterFactory {
  return (p, env): FilterDef => {
    const type = graph ? "synonym_graph" : "synonym";
    const src = p.rules("synonyms");
    const expand = p.bool("expand", true);
    const lenient = p.bool("lenient", false);
    const updateable = p.bool("updateable", false);
    const ignoreCase = p.bool("ignore_case", false);
    const format = p.string("format", "solr");
    p.ignore("tokenizer");
    if (format !== "solr" && format !== "wordnet") {
      throw settingsError(
        `${p.key}.format`,
        `unknown synonyms format [${format}]; supported: [solr, wordnet]`,
      );
    }
    const rulesKey = p.rulesKey(src, type);
    if (src.inline && src.path !== undefined) {
      env.opts.warn(`${p.key}: both synonyms and synonyms_path are set; the inline synonyms are used`);
    }
    const rules = src.inline ?? env.readFile(rulesKey, src.path as string);
    const options: RuleOptions = { rules, rulesKey, expand, lenient, format };
    const maps = new Map<string, SynonymMap>();
    const mapFor = (chain: Chain) => {
      let map = maps.get(chain.id);
      if (!map) {
        map = buildMap(options, chain, env);
        maps.set(chain.id, map);
      }
      return map;
    };
    return {
      id: "",
      type,
      isSynonym: true,
      updateable,
      normalizing: false,
      create: (chain) => (graph ? synonymGraphFilter : synonymFilter)(mapFor(chain), { ignoreCase }),
      // A synonym filter before another one is skipped while parsing the later one's rules (as ES does).
      forSynonyms: () => null,
    };
  };
}

export const synonym = synonymFilterType(false);
export const synonymGraph = synonymFilterType(true);

/**
 * Check 4: analysis and similarity settings that change nothing. A filter in
 * `index.analysis.filter.*` must be in the filter list of an analyzer (or normalizer) that a field
 * uses; a synonym filter that is not is the usual reason "ai" does not find "artificial
 * intelligence". Lodestone applies synonym filters that no analyzer lists at search time to every
 * text field (a warning, since a cluster would ignore them); elsewhere it is an error.
 */
import { isObject } from "../search/mapping.ts";
import { settingsSubtree } from "../search/settings.ts";
import type { ClusterState, IndexState } from "./cluster.ts";
import type { Finding } from "./findings.ts";
import { type MappedField, mappedFields } from "./mappings.ts";

const TEXT_TYPES = new Set(["text", "match_only_text", "search_as_you_type"]);
const SYNONYM_TYPES = new Set(["synonym", "synonym_graph"]);

/** A filter list as settings hold it: an array, a comma-separated string, or flat `filter.0` keys. */
function names(list: unknown): string[] {
  if (typeof list === "string") return list.split(",").map((s) => s.trim());
  const items = Array.isArray(list) ? list : isObject(list) ? Object.values(list) : [];
  return items.filter((s): s is string => typeof s === "string");
}

/** Analyzers the index's text fields use; `default`/`default_search` serve fields that name none. */
function usedAnalyzers(fields: MappedField[]): Set<string> {
  const used = new Set<string>();
  for (const f of fields.filter((f) => TEXT_TYPES.has(f.type))) {
    for (const key of ["analyzer", "search_analyzer", "search_quote_analyzer"])
      if (typeof f.params[key] === "string") used.add(f.params[key]);
    if (f.params.analyzer === undefined) used.add("default");
    if (f.params.search_analyzer === undefined) used.add("default_search");
  }
  return used;
}

function isSynonymFilter(def: Record<string, unknown>): boolean {
  // a typeless filter listing synonyms is taken as synonym_graph by Lodestone
  if (def.type === undefined) return def.synonyms !== undefined || def.synonyms_path !== undefined;
  return SYNONYM_TYPES.has(String(def.type));
}

function checkFilters(index: IndexState, fields: MappedField[], lodestone: boolean): Finding[] {
  const analysis = settingsSubtree(index.settings, "index.analysis");
  const filters = isObject(analysis.filter) ? analysis.filter : {};
  const chains = [
    ...Object.entries(isObject(analysis.analyzer) ? analysis.analyzer : {}).map(([name, def]) => ({
      name,
      kind: "analyzer",
      filters: names(isObject(def) ? def.filter : undefined),
    })),
    ...Object.entries(isObject(analysis.normalizer) ? analysis.normalizer : {}).map(([name, def]) => ({
      name,
      kind: "normalizer",
      filters: names(isObject(def) ? def.filter : undefined),
    })),
  ];
  const analyzersInUse = usedAnalyzers(fields);
  const normalizersInUse = new Set(
    fields.flatMap((f) => (typeof f.params.normalizer === "string" ? [f.params.normalizer] : [])),
  );
  const inUse = (c: (typeof chains)[number]) =>
    (c.kind === "analyzer" ? analyzersInUse : normalizersInUse).has(c.name);
  // a search analyzer with synonyms must otherwise analyse as the field does, or nothing matches
  const textFields = fields.filter((f) => TEXT_TYPES.has(f.type));
  const analyzersOf = textFields.length
    ? `the fields' analyzers (${textFields.map((f) => `${f.path}: ${f.params.search_analyzer ?? f.params.analyzer ?? "standard"}`).join(", ")})`
    : "the text fields' analyzer";

  const findings: Finding[] = [];
  for (const [filter, def] of Object.entries(filters)) {
    const users = chains.filter((c) => c.filters.includes(filter));
    if (users.some(inUse)) continue;
    const synonym = isObject(def) && isSynonymFilter(def);
    const what = `${synonym ? "synonym filter" : "filter"} [${filter}] of index [${index.name}]`;
    const details = { index: index.name, filter, analyzers: users.map((u) => u.name) };
    const how = `define a custom analyzer with the tokenizer and filters of ${analyzersOf} and "${filter}" after any lowercase filter (POST /${index.name}/_close, PUT /${index.name}/_settings, POST /${index.name}/_open), then make it the "search_analyzer" of those fields (PUT /${index.name}/_mapping)`;
    if (users.length === 0) {
      const lenient = synonym && lodestone;
      findings.push({
        check: "analysis",
        level: synonym && !lodestone ? "error" : "warning",
        message: `${what} is attached to no analyzer${lenient ? ": Lodestone applies it at search time to every text field, but an OpenSearch cluster would ignore it" : synonym ? ": its synonyms are never applied" : ": it changes nothing"}`,
        fix: `add it to an analyzer's filter list and set that analyzer on the text fields: ${how}`,
        details,
      });
      continue;
    }
    const list = users.map((u) => `${u.kind} [${u.name}]`).join(", ");
    findings.push({
      check: "analysis",
      level: synonym ? "error" : "warning",
      message: `${what} is used only by ${list}, which no field uses${synonym ? ": its synonyms are never applied" : ": it changes nothing"}`,
      fix: `set ${users.length > 1 ? "one of them" : `[${users[0]?.name}]`} on the fields that need it (text fields: "analyzer" or "search_analyzer"; keyword fields: "normalizer")`,
      details,
    });
  }
  return findings;
}

function checkSimilarities(index: IndexState, fields: MappedField[]): Finding[] {
  const similarities = Object.keys(settingsSubtree(index.settings, "index.similarity"));
  const used = new Set(fields.map((f) => f.params.similarity).filter((s) => typeof s === "string"));
  return similarities
    .filter((name) => name !== "default" && !used.has(name))
    .map((name) => ({
      check: "similarity",
      level: "warning" as const,
      message: `similarity [${name}] of index [${index.name}] is used by no field: it changes nothing`,
      fix: `set "similarity": "${name}" on the fields that should score with it (a field's similarity is fixed: create a new index and reindex), or remove the setting`,
      details: { index: index.name, similarity: name },
    }));
}

export function checkAnalysis(state: ClusterState): Finding[] {
  const findings: Finding[] = [];
  let filters = 0;
  for (const index of state.indices) {
    const fields = mappedFields(index.mappings);
    filters += Object.keys(settingsSubtree(index.settings, "index.analysis.filter")).length;
    findings.push(...checkFilters(index, fields, state.lodestone), ...checkSimilarities(index, fields));
  }
  if (findings.length) return findings;
  return [
    {
      check: "analysis",
      level: "ok",
      message: `${filters} custom filter(s) across ${state.indices.length} index(es), all used by analyzers that fields use`,
    },
  ];
}

/**
 * The scratch index the settings stages change: a copy of the tuned index (same settings and
 * mappings, no ingest pipelines, documents copied with their vectors), so trying a BM25 k1/b or a
 * synonym set never closes the index users search. Each tuned field gets a multi-field
 * `<field>.lodestone_tuned` with its own similarity (`lodestone_tuned_<similarity>`, starting
 * from the field's k1/b): the lexical query searches it, while everything else that reads the
 * field — a reranker's BM25 feature above all, which was trained on the field's own scoring —
 * keeps the original. Settings change as Elasticsearch allows it: close, PUT _settings, open.
 * When the synonyms stage runs, the sub-field's search analyzer is the field's own chain with a
 * synonym_graph filter after lowercasing.
 */
import { isObject } from "../../search/mapping.ts";
import { valuesAtPath } from "../../search/query/source-filter.ts";
import { type FlatSettings, flattenSettings, nestSettings } from "../../search/settings.ts";
import { type Bm25Params, similaritySettings } from "./config.ts";
import { TuneRequestError } from "./request.ts";
import { postNdjson, type SearchTransport } from "./transport.ts";

type Obj = Record<string, unknown>;

/** Copied settings: what decides scoring and analysis; pipelines and identity stay behind. */
const KEPT = [/^index\.analysis\./, /^index\.similarity\./, /^index\.knn/, /^index\.max_result_window$/];

export const SYNONYM_FILTER = "lodestone_tune_synonyms";
export const TUNED_SUBFIELD = "lodestone_tuned";
// synonym filters refuse an empty rule list; this rule maps a token no text contains onto itself
const NO_SYNONYMS = ["lodestone_tune_none => lodestone_tune_none"];

export interface SourceIndex {
  name: string;
  settings: FlatSettings;
  mappings: Obj;
  count: number;
}

export interface ScratchIndex {
  name: string;
  /** Tuned similarity name → its BM25 parameters (the source field's, to start with). */
  similarity: Record<string, Bm25Params>;
  /** Tuned field → the sub-field the lexical query searches. */
  queryFields: Record<string, string>;
  /** The mappings a proposal adds to the tuned fields (the sub-fields). */
  subFieldMappings: Record<string, Obj>;
  /** Fields the synonyms stage can change, or why it cannot. */
  synonyms: { fields: string[] } | { unavailable: string };
  /** Field texts copied (the synonyms stage builds its vocabulary from them). */
  texts: string[];
}

/** The mapping of a dotted field path (`title`, `title.english`, `meta.title`). */
export function fieldMapping(mappings: Obj, path: string): Obj | undefined {
  let node: Obj | undefined = mappings;
  const parts = path.split(".");
  for (let i = 0; i < parts.length && node; i++) {
    const props: unknown = node.properties;
    const fields: unknown = node.fields;
    const part = parts[i] as string;
    node =
      isObject(props) && isObject(props[part])
        ? props[part]
        : isObject(fields) && isObject(fields[part])
          ? fields[part]
          : undefined;
  }
  return node;
}

export async function readSourceIndex(t: SearchTransport, index: string): Promise<SourceIndex> {
  const settings = await t.json<Record<string, { settings: Obj }>>("GET", `/${index}/_settings`, {
    query: { flat_settings: true },
  });
  const name = Object.keys(settings)[0];
  if (!name) throw new TuneRequestError("index", `no index [${index}]`);
  const mappings = await t.json<Record<string, { mappings: Obj }>>("GET", `/${index}/_mapping`);
  const count = await t.json<{ count: number }>("GET", `/${index}/_count`);
  return {
    name,
    settings: flattenSettings(settings[name]?.settings),
    mappings: mappings[name]?.mappings ?? {},
    count: count.count,
  };
}

/** Each tuned field's similarity name and its current k1/b (Elasticsearch's defaults 1.2/0.75). */
export function similaritiesOf(source: SourceIndex, fields: string[]): Record<string, Bm25Params> {
  const out: Record<string, Bm25Params> = {};
  for (const field of fields) {
    const mapping = fieldMapping(source.mappings, field);
    if (mapping?.type !== "text")
      throw new TuneRequestError("fields", `[${field}] is not a text field of ${source.name}`);
    const name = typeof mapping.similarity === "string" ? mapping.similarity : "default";
    if (name === "BM25" || name === "boolean") continue; // built-ins have fixed parameters
    const value = (key: string, fallback: number) => {
      const v = Number(source.settings[`index.similarity.${name}.${key}`]);
      return Number.isFinite(v) ? v : fallback;
    };
    out[name] = { k1: value("k1", 1.2), b: value("b", 0.75) };
  }
  return out;
}

/** A filter list setting: a list, or one name (as Elasticsearch accepts it). */
const names = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];

/** The field's analyzer as a custom chain with the synonym filter after lowercasing, when known. */
function chainWithSynonyms(source: SourceIndex, analyzer: string): Obj | undefined {
  if (analyzer === "english")
    return {
      type: "custom",
      tokenizer: "standard",
      filter: [
        "lodestone_tune_possessive",
        "lowercase",
        SYNONYM_FILTER,
        "lodestone_tune_stop",
        "porter_stem",
      ],
    };
  if (analyzer === "standard")
    return { type: "custom", tokenizer: "standard", filter: ["lowercase", SYNONYM_FILTER] };
  const prefix = `index.analysis.analyzer.${analyzer}.`;
  if (source.settings[`${prefix}type`] !== "custom" && source.settings[`${prefix}tokenizer`] === undefined)
    return undefined;
  const filters = names(source.settings[`${prefix}filter`]);
  const at = filters.indexOf("lowercase") + 1;
  return {
    type: "custom",
    tokenizer: source.settings[`${prefix}tokenizer`],
    ...(source.settings[`${prefix}char_filter`] !== undefined && {
      char_filter: names(source.settings[`${prefix}char_filter`]),
    }),
    filter: [...filters.slice(0, at), SYNONYM_FILTER, ...filters.slice(at)],
  };
}

function synonymAnalysis(source: SourceIndex, fields: string[], mappings: Obj): { analysis: Obj } | string {
  const analyzers: Obj = {};
  for (const field of fields) {
    const mapping = fieldMapping(mappings, field) as Obj;
    const name = (mapping.search_analyzer ?? mapping.analyzer ?? "standard") as string;
    const chain = chainWithSynonyms(source, name);
    if (!chain) return `the analyzer [${name}] of [${field}] is neither english, standard nor a custom chain`;
    analyzers[`lodestone_tune_${field.replace(/\W/g, "_")}`] = chain;
    mapping.search_analyzer = `lodestone_tune_${field.replace(/\W/g, "_")}`;
  }
  return {
    analysis: {
      analyzer: analyzers,
      filter: {
        [SYNONYM_FILTER]: { type: "synonym_graph", synonyms: NO_SYNONYMS },
        lodestone_tune_possessive: { type: "stemmer", language: "possessive_english" },
        lodestone_tune_stop: { type: "stop", stopwords: "_english_" },
      },
    },
  };
}

/** Adds `<field>.lodestone_tuned` to each field (tunable similarity), returning what the copy needs. */
function addTunedSubFields(source: SourceIndex, fields: string[], mappings: Obj) {
  const original = similaritiesOf(source, fields);
  const similarity: Record<string, Bm25Params> = {};
  const queryFields: Record<string, string> = {};
  const subFieldMappings: Record<string, Obj> = {};
  for (const field of fields) {
    const mapping = fieldMapping(mappings, field) as Obj;
    const name = typeof mapping.similarity === "string" ? mapping.similarity : "default";
    const params = original[name];
    const tuned = params ? `lodestone_tuned_${name}` : name; // built-ins keep their fixed parameters
    if (params) similarity[tuned] = params;
    const sub: Obj = { type: "text", similarity: tuned };
    for (const key of ["analyzer", "search_analyzer", "search_quote_analyzer", "position_increment_gap"])
      if (mapping[key] !== undefined) sub[key] = mapping[key];
    mapping.fields = { ...(isObject(mapping.fields) ? mapping.fields : {}), [TUNED_SUBFIELD]: sub };
    queryFields[field] = `${field}.${TUNED_SUBFIELD}`;
    subFieldMappings[field] = { fields: { [TUNED_SUBFIELD]: structuredClone(sub) } };
  }
  return { similarity, queryFields, subFieldMappings };
}

const PAGE = 500;

/** Creates the scratch copy (replacing an old one) and copies every document into it. */
export async function createScratch(
  t: SearchTransport,
  source: SourceIndex,
  scratch: string,
  fields: string[],
  withSynonyms: boolean,
  onProgress?: (copied: number, total: number) => void,
): Promise<ScratchIndex> {
  const window = Number(source.settings["index.max_result_window"] ?? 10_000);
  if (source.count > window)
    throw new TuneRequestError(
      "index",
      `${source.name} has ${source.count} documents, more than its index.max_result_window (${window}) the copy pages through; raise that setting for the tuning run`,
    );
  const kept = Object.fromEntries(
    Object.entries(source.settings).filter(([k]) => KEPT.some((re) => re.test(k))),
  );
  const mappings = structuredClone(source.mappings);
  mappings._meta = {
    ...(isObject(mappings._meta) ? mappings._meta : {}),
    lodestone_tune_copy_of: source.name,
  };
  const tuned = addTunedSubFields(source, fields, mappings);
  const flat: FlatSettings = { ...kept, ...similaritySettings(tuned.similarity) };
  let synonyms: ScratchIndex["synonyms"] = { unavailable: "the synonyms stage was not requested" };
  if (withSynonyms) {
    const analysis = synonymAnalysis(source, Object.values(tuned.queryFields), mappings);
    if (typeof analysis === "string") synonyms = { unavailable: analysis };
    else {
      Object.assign(flat, flattenSettings(analysis));
      synonyms = { fields: Object.values(tuned.queryFields) };
    }
  }
  const settings = nestSettings(flat, false);
  await t.json("DELETE", `/${scratch}`).catch(() => undefined);
  await t.json("PUT", `/${scratch}`, { body: { settings, mappings } });
  const texts: string[] = [];
  for (let from = 0; from < source.count; from += PAGE) {
    const page = await t.json<{ hits: { hits: Array<{ _id: string; _source: Obj }> } }>(
      "POST",
      `/${source.name}/_search`,
      { body: { from, size: PAGE, sort: ["_doc"], query: { match_all: {} } } },
    );
    const lines = page.hits.hits.flatMap((h) => [{ index: { _id: h._id } }, h._source]);
    for (const h of page.hits.hits)
      for (const f of fields)
        for (const v of valuesAtPath(h._source, f)) if (typeof v === "string") texts.push(v);
    if (lines.length) {
      const res = await postNdjson<{
        errors: boolean;
        items: Array<Record<string, { error?: { reason?: string } }>>;
      }>(t, `/${scratch}/_bulk`, lines);
      if (res.errors) {
        const failed = res.items.map((i) => Object.values(i)[0]).find((x) => x?.error);
        throw new Error(`copying into ${scratch} failed: ${failed?.error?.reason ?? "see the server log"}`);
      }
    }
    onProgress?.(Math.min(from + PAGE, source.count), source.count);
  }
  await t.json("POST", `/${scratch}/_refresh`);
  return {
    name: scratch,
    similarity: tuned.similarity,
    queryFields: tuned.queryFields,
    subFieldMappings: tuned.subFieldMappings,
    synonyms,
    texts,
  };
}

/** Static settings change the Elasticsearch way: close, PUT _settings, open. */
export async function putStaticSettings(t: SearchTransport, index: string, settings: Obj): Promise<void> {
  await t.json("POST", `/${index}/_close`);
  try {
    await t.json("PUT", `/${index}/_settings`, { body: settings });
  } finally {
    await t.json("POST", `/${index}/_open`);
  }
}

export function synonymSettings(rules: string[]): Obj {
  return { [`index.analysis.filter.${SYNONYM_FILTER}.synonyms`]: rules.length ? rules : NO_SYNONYMS };
}

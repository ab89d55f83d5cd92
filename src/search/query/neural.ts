/**
 * The `neural` query (OpenSearch neural-search): a knn query whose vector is the embedding of
 * `query_text` by a deployed model. Before a search runs, every neural clause of the request
 * (anywhere: bool clauses, hybrid sub-queries, knn filters, post_filter, rescore) is checked against
 * the index mappings and the model service, all texts are embedded in one batch per model, and each
 * clause is rewritten to `{"knn": {field: {vector, k, filter, boost …}}}`.
 */
import { illegalArgument, parsingError } from "../errors.ts";
import { isObject } from "../mapping.ts";
import type { SearchModelInfo, SearchModels } from "../models.ts";
import { embedTexts, requireModel } from "../pipelines/model-calls.ts";
import { describe, intParam, numberParam, singleField, stringParam } from "./dsl-values.ts";
import { rewriteQuery, visitQueries } from "./query-tree.ts";
import type { SearchTarget } from "./search.ts";

export const DEFAULT_K = 10;

export interface NeuralClause {
  field: string;
  queryText: string;
  modelId: string | undefined;
  k: number | undefined;
  minScore: number | undefined;
  maxDistance: number | undefined;
  filter: unknown;
  boost: number | undefined;
  name: string | undefined;
  methodParameters: unknown;
}

const KEYS = [
  "query_text",
  "query_image",
  "model_id",
  "k",
  "min_score",
  "max_distance",
  "filter",
  "boost",
  "_name",
  "method_parameters",
];

/** Parses one `neural` clause with the plugin's validation and messages. */
export function parseNeural(spec: unknown): NeuralClause {
  if (!isObject(spec))
    throw parsingError(`[neural] query malformed, expected an object but found ${describe(spec)}`);
  const [field, raw] = singleField(spec, "neural", []);
  if (!isObject(raw)) throw parsingError(`[neural] query malformed: [${field}] must be an object`);
  for (const key of Object.keys(raw))
    if (!KEYS.includes(key)) throw parsingError(`[neural] query does not support [${key}]`);
  if (raw.query_image !== undefined)
    throw illegalArgument(
      "[neural] query_image is not supported: this engine serves text embedding models only; send query_text",
    );
  if (typeof raw.query_text !== "string" || raw.query_text.trim() === "")
    throw illegalArgument("Either query text or image text must be provided for neural query");
  const given = ["k", "min_score", "max_distance"].filter((key) => raw[key] !== undefined);
  if (given.length > 1) throw illegalArgument("Only one of k, max_distance, or min_score can be provided");
  return {
    field,
    queryText: raw.query_text,
    modelId: raw.model_id === undefined ? undefined : stringParam(raw.model_id, "neural", "model_id"),
    k: raw.k !== undefined ? intParam(raw.k, "neural", "k", 1) : given.length ? undefined : DEFAULT_K,
    minScore: raw.min_score === undefined ? undefined : numberParam(raw.min_score, "neural", "min_score"),
    maxDistance:
      raw.max_distance === undefined ? undefined : numberParam(raw.max_distance, "neural", "max_distance"),
    filter: raw.filter,
    boost: raw.boost === undefined ? undefined : numberParam(raw.boost, "neural", "boost"),
    name: raw._name === undefined ? undefined : stringParam(raw._name, "neural", "_name"),
    methodParameters: raw.method_parameters,
  };
}

/** Default model ids from a neural_query_enricher: per field first, then the pipeline-wide one. */
export interface NeuralDefaults {
  modelId: string | undefined;
  fieldModels: Record<string, string>;
}

/** Fills `model_id` into neural clauses that lack one (the neural_query_enricher processor). */
export function applyNeuralDefaults(query: unknown, defaults: NeuralDefaults): unknown {
  return rewriteQuery(query, (type, spec) => {
    if (type !== "neural" || !isObject(spec)) return undefined;
    const entries = Object.entries(spec);
    if (entries.length !== 1) return undefined;
    const [field, raw] = entries[0] as [string, unknown];
    if (!isObject(raw) || raw.model_id !== undefined) return undefined;
    const modelId = defaults.fieldModels[field] ?? defaults.modelId;
    if (modelId === undefined) return undefined;
    const filter = raw.filter === undefined ? {} : { filter: applyNeuralDefaults(raw.filter, defaults) };
    return { neural: { [field]: { ...raw, ...filter, model_id: modelId } } };
  });
}

/** Where a search body holds queries: query, post_filter and rescore queries. */
function mapBodyQueries(
  body: Record<string, unknown>,
  fn: (query: unknown) => unknown,
): Record<string, unknown> {
  const out = { ...body };
  if (body.query !== undefined) out.query = fn(body.query);
  if (body.post_filter !== undefined) out.post_filter = fn(body.post_filter);
  const rescoreQuery = (r: unknown) =>
    isObject(r) && isObject(r.query) && r.query.rescore_query !== undefined
      ? { ...r, query: { ...r.query, rescore_query: fn(r.query.rescore_query) } }
      : r;
  if (Array.isArray(body.rescore)) out.rescore = body.rescore.map(rescoreQuery);
  else if (body.rescore !== undefined) out.rescore = rescoreQuery(body.rescore);
  return out;
}

export function hasNeural(body: Record<string, unknown>): boolean {
  let found = false;
  mapBodyQueries(body, (q) => {
    visitQueries(q, (type) => {
      if (type === "neural") found = true;
    });
    return q;
  });
  return found;
}

/**
 * Rewrites every neural clause of a search body into a knn clause: validates fields and models
 * first (no model is called for a request that would fail), then embeds once per model.
 */
export async function embedNeuralQueries(
  body: Record<string, unknown>,
  targets: SearchTarget[],
  models: () => SearchModels,
): Promise<Record<string, unknown>> {
  const clauses = new Map<unknown, NeuralClause>();
  mapBodyQueries(body, (q) => {
    visitQueries(q, (type, spec) => {
      if (type === "neural") clauses.set(spec, parseNeural(spec));
    });
    return q;
  });
  if (!clauses.size) return body;
  const service = models();
  const byModel = new Map<string, { info: SearchModelInfo; texts: string[] }>();
  for (const clause of clauses.values()) {
    if (clause.modelId === undefined)
      throw illegalArgument(
        "model id must be provided in neural query or a default model id must be set in search request processor (neural_query_enricher)",
      );
    let group = byModel.get(clause.modelId);
    if (!group) {
      group = { info: requireModel(service, clause.modelId, "embedding", "[neural] query"), texts: [] };
      byModel.set(clause.modelId, group);
    }
    checkField(targets, clause.field, clause.modelId, group.info.dimension);
    if (!group.texts.includes(clause.queryText)) group.texts.push(clause.queryText);
  }
  const vectors = new Map<string, Float32Array>();
  await Promise.all(
    [...byModel].map(async ([modelId, { texts }]) => {
      const embedded = await embedTexts(service, modelId, texts);
      texts.forEach((text, i) => {
        vectors.set(`${modelId}\u0000${text}`, embedded[i] as Float32Array);
      });
    }),
  );
  const rewrite = (query: unknown): unknown =>
    rewriteQuery(query, (type, spec) => {
      const clause = type === "neural" ? clauses.get(spec) : undefined;
      if (!clause) return undefined;
      const vector = vectors.get(`${clause.modelId}\u0000${clause.queryText}`) as Float32Array;
      checkField(targets, clause.field, clause.modelId as string, vector.length);
      return knnClause(clause, vector, clause.filter === undefined ? undefined : rewrite(clause.filter));
    });
  return mapBodyQueries(body, rewrite);
}

/** The field must be a knn_vector (in every index that maps it) whose dimension is the model's. */
function checkField(
  targets: SearchTarget[],
  field: string,
  modelId: string,
  dimension: number | undefined,
): void {
  let mapped = false;
  for (const target of targets) {
    const fm = target.ctx.mapping.fields.get(field);
    if (!fm) continue;
    mapped = true;
    if (fm.type !== "knn_vector")
      throw illegalArgument(
        `[neural] field [${field}] in index [${target.name}] is of type [${fm.type}]; neural queries search knn_vector fields`,
      );
    if (dimension !== undefined && fm.dimension !== dimension)
      throw illegalArgument(
        `model ${modelId} produces ${dimension}-dimensional vectors but field [${field}] has dimension ${fm.dimension} (index [${target.name}])`,
      );
  }
  if (!mapped)
    throw illegalArgument(
      `[neural] field [${field}] is not mapped in [${targets.map((t) => t.name).join(", ")}]; map it as a knn_vector with the model's dimension`,
    );
}

function knnClause(clause: NeuralClause, vector: Float32Array, filter: unknown): Record<string, unknown> {
  const spec: Record<string, unknown> = { vector: Array.from(vector) };
  if (clause.k !== undefined) spec.k = clause.k;
  if (clause.minScore !== undefined) spec.min_score = clause.minScore;
  if (clause.maxDistance !== undefined) spec.max_distance = clause.maxDistance;
  if (filter !== undefined) spec.filter = filter;
  if (clause.boost !== undefined) spec.boost = clause.boost;
  if (clause.name !== undefined) spec._name = clause.name;
  if (clause.methodParameters !== undefined) spec.method_parameters = clause.methodParameters;
  return { knn: { [clause.field]: spec } };
}

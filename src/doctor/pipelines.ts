/**
 * What pipelines refer to: the models their processors call, the fields text_embedding writes
 * (through `pipeline` processors too) and the pipelines they run.
 */
import { isObject } from "../search/mapping.ts";
import type { ClusterState, Pipelines } from "./cluster.ts";

export interface ProcessorRef {
  /** The ingest or search pipeline holding it. */
  pipeline: string;
  type: string;
  config: Record<string, unknown>;
}

const SEARCH_SECTIONS = ["request_processors", "response_processors", "phase_results_processors"];

/** The processors of a list, with their `on_failure` handlers, depth first. */
function processorsIn(list: unknown, pipeline: string): ProcessorRef[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) => {
    if (!isObject(entry)) return [];
    return Object.entries(entry).flatMap(([type, config]) =>
      isObject(config) ? [{ pipeline, type, config }, ...processorsIn(config.on_failure, pipeline)] : [],
    );
  });
}

export function ingestProcessors(id: string, body: Record<string, unknown>): ProcessorRef[] {
  return [...processorsIn(body.processors, id), ...processorsIn(body.on_failure, id)];
}

export function searchProcessors(id: string, body: Record<string, unknown>): ProcessorRef[] {
  return SEARCH_SECTIONS.flatMap((section) => processorsIn(body[section], id));
}

export type ModelKind = "embedding" | "reranker";

export interface ModelUse {
  modelId: string;
  /** What the processor needs the model to be (undefined: any model will do). */
  kind?: ModelKind;
  /** For messages: `ingest pipeline [p] (text_embedding)`. */
  where: string;
}

const INGEST_MODEL_KINDS: Record<string, ModelKind | undefined> = {
  text_embedding: "embedding",
  text_image_embedding: "embedding",
  sparse_encoding: undefined,
};

/** Every model reference of every ingest and search pipeline. */
export function modelUses(state: ClusterState): ModelUse[] {
  const uses: ModelUse[] = [];
  for (const [id, body] of Object.entries(state.ingestPipelines))
    for (const p of ingestProcessors(id, body))
      if (p.type in INGEST_MODEL_KINDS && typeof p.config.model_id === "string")
        uses.push({
          modelId: p.config.model_id,
          kind: INGEST_MODEL_KINDS[p.type],
          where: `ingest pipeline [${id}] (${p.type})`,
        });
  for (const [id, body] of Object.entries(state.searchPipelines))
    for (const p of searchProcessors(id, body)) {
      const where = `search pipeline [${id}] (${p.type})`;
      if (p.type === "neural_query_enricher") {
        const perField = isObject(p.config.neural_field_default_id) ? p.config.neural_field_default_id : {};
        for (const modelId of [p.config.default_model_id, ...Object.values(perField)])
          if (typeof modelId === "string") uses.push({ modelId, kind: "embedding", where });
      } else if (p.type === "rerank" && isObject(p.config.ml_opensearch)) {
        const modelId = p.config.ml_opensearch.model_id;
        if (typeof modelId === "string") uses.push({ modelId, kind: "reranker", where });
      }
    }
  return uses;
}

/**
 * The target paths of a text_embedding `field_map`: nested maps reach into objects and `a.b`
 * keys are nested maps too, as the engine reads them, so `{"a.b": "t"}` writes `a.t`.
 */
function fieldMapTargets(map: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(map).flatMap(([key, value]) => {
    const parent = key.includes(".") ? `${key.slice(0, key.lastIndexOf("."))}.` : "";
    if (typeof value === "string") return [`${prefix}${parent}${value}`];
    return isObject(value) ? fieldMapTargets(value, `${prefix}${key}.`) : [];
  });
}

export interface EmbeddingTarget {
  modelId: string;
  /** Dotted path of the field the vectors go to. */
  path: string;
  /** The pipeline whose text_embedding processor writes it (a `pipeline` processor may lead there). */
  pipeline: string;
}

/** What a pipeline writes with text_embedding, following its `pipeline` processors (once each). */
export function embeddingTargets(
  id: string,
  pipelines: Pipelines,
  seen = new Set<string>(),
): EmbeddingTarget[] {
  const body = pipelines[id];
  if (!body || seen.has(id)) return [];
  seen.add(id);
  return ingestProcessors(id, body).flatMap((p) => {
    if (p.type === "pipeline" && typeof p.config.name === "string")
      return embeddingTargets(p.config.name, pipelines, seen);
    if (p.type !== "text_embedding" || typeof p.config.model_id !== "string" || !isObject(p.config.field_map))
      return [];
    const modelId = p.config.model_id;
    return fieldMapTargets(p.config.field_map).map((path) => ({ modelId, path, pipeline: id }));
  });
}

/** `pipeline` processors naming an ingest pipeline that does not exist (templated names are not known). */
export function missingPipelineRefs(pipelines: Pipelines): Array<{ pipeline: string; name: string }> {
  return Object.entries(pipelines).flatMap(([id, body]) =>
    ingestProcessors(id, body).flatMap((p) => {
      const name = p.config.name;
      if (p.type !== "pipeline" || typeof name !== "string" || name.includes("{{") || name in pipelines)
        return [];
      return [{ pipeline: id, name }];
    }),
  );
}

/**
 * Registry models as ML Commons model documents (what `GET /_plugins/_ml/models/{id}` and
 * `_search` return): the function name, the state derived from the model's endpoints, and
 * `model_config` from the registered config.json.
 */
import type { EndpointRecord, EndpointStatus } from "./endpoints.ts";
import { isConnector } from "./endpoints.ts";
import type { MlFunctionName } from "./ml-tasks.ts";
import type { ModelRecord } from "./registry.ts";
import { bestEndpoint, servedWithoutEndpoint } from "./search-models.ts";

export type MlModelState = "REGISTERED" | "DEPLOYING" | "DEPLOYED" | "UNDEPLOYED" | "DEPLOY_FAILED";

export type MlModelDocument = Record<string, unknown> & {
  name: string;
  model_id: string;
  algorithm: MlFunctionName;
  model_state: MlModelState;
};

const STATE_BY_STATUS: Record<EndpointStatus, MlModelState> = {
  Running: "DEPLOYED",
  Creating: "DEPLOYING",
  Failed: "DEPLOY_FAILED",
  Stopped: "UNDEPLOYED",
};

/** ML Commons' function: local embedders and rerankers; upstream (and chat) models are REMOTE. */
export function functionNameOf(model: ModelRecord): MlFunctionName {
  if (isConnector(model) || model.kind === "chat") return "REMOTE";
  return model.kind === "embedding" ? "TEXT_EMBEDDING" : "TEXT_SIMILARITY";
}

/**
 * A model's state from its endpoints (or from the one endpoint an `ep-…` id names): built-in and
 * connector models are always served, so always DEPLOYED.
 */
export function modelState(
  model: ModelRecord,
  endpoints: EndpointRecord[],
  byEndpoint: boolean,
): MlModelState {
  if (!byEndpoint && servedWithoutEndpoint(model)) return "DEPLOYED";
  const best = bestEndpoint(endpoints);
  return best ? STATE_BY_STATUS[best.status] : "REGISTERED";
}

/**
 * The ML Commons document of a model. `endpoints` are the model's endpoints, or only the one an
 * `ep-…` id named (`named`), whose state the document then reports.
 */
export function modelDocument(
  model: ModelRecord,
  endpoints: EndpointRecord[],
  named: EndpointRecord | undefined,
  node: string,
): MlModelDocument {
  const scope = named ? [named] : endpoints;
  const state = modelState(model, scope, named !== undefined);
  const best = bestEndpoint(scope);
  const config = modelConfig(model);
  const connector = isConnector(model) ? connectorView(model) : undefined;
  return {
    name: model.name,
    model_id: model.id,
    ...(named ? { endpoint_id: named.id } : {}),
    algorithm: functionNameOf(model),
    function_name: functionNameOf(model),
    version: String(model.version),
    model_state: state,
    ...(config ? { model_config: config } : {}),
    ...(connector ? { connector } : {}),
    ...(typeof model.config.connector_id === "string" ? { connector_id: model.config.connector_id } : {}),
    source: model.source,
    endpoint_ids: endpoints.map((e) => e.id),
    created_time: model.createdAt,
    last_updated_time: Math.max(model.createdAt, ...scope.map((e) => e.updatedAt)),
    ...(best && state === "DEPLOYED" ? { last_deployed_time: best.updatedAt } : {}),
    ...(best && state === "UNDEPLOYED" ? { last_undeployed_time: best.updatedAt } : {}),
    ...(state === "DEPLOYED"
      ? { planning_worker_node_count: 1, current_worker_node_count: 1, planning_worker_nodes: [node] }
      : {}),
  };
}

function modelConfig(model: ModelRecord): Record<string, unknown> | undefined {
  const dimension = model.config.dimension;
  const embedding =
    model.kind === "embedding" && typeof dimension === "number" ? { embedding_dimension: dimension } : {};
  if (isConnector(model)) return model.kind === "embedding" ? embedding : undefined;
  if (model.kind === "chat") return undefined;
  return {
    model_type: String(model.config.architecture),
    ...embedding,
    framework_type: "LODESTONE",
  };
}

/** The upstream a connector model calls (the API key itself is never stored). */
function connectorView(model: ModelRecord): Record<string, unknown> {
  const { type, base_url, model: upstream, api_key_env, style } = model.config;
  return {
    type,
    base_url,
    model: upstream,
    ...(api_key_env ? { api_key_env } : {}),
    ...(style ? { style } : {}),
  };
}

/**
 * The engine's model service (search/models.ts) over the platform's registry and endpoints: neural
 * queries, `text_embedding` processors and rerank processors name an endpoint (`ep-…`) or a model
 * (`m-…`, or a model name as the inference API accepts), and get vectors or scores back, or a
 * SearchModelError whose status and message say what is wrong and what to do.
 */
import { isLodestoneError } from "../common/errors.ts";
import { SearchModelError, type SearchModelInfo, type SearchModels } from "../search/models.ts";
import { bm25Scores } from "./bm25-lite.ts";
import { ConnectorError } from "./connectors/http.ts";
import {
  aliasTarget,
  type EndpointManager,
  type EndpointRecord,
  isConnector,
  type Served,
} from "./endpoints.ts";
import type { ModelKind, ModelRecord, ModelRegistry } from "./registry.ts";

/** What an id names: a model and the endpoint that serves it or would (if it has any). */
export interface ModelTarget {
  model: ModelRecord;
  /** The endpoint named by an `ep-…` id, or the model's best endpoint (see `bestEndpoint`). */
  endpoint: EndpointRecord | undefined;
  /** Whether the id named the endpoint itself. */
  byEndpoint: boolean;
}

/** Built-in and connector models are served by the server itself, with or without an endpoint. */
export function servedWithoutEndpoint(model: ModelRecord): boolean {
  return model.builtin || isConnector(model);
}

/** The endpoint an inference call would use or wait for: Running, else Creating, else the newest. */
export function bestEndpoint(endpoints: EndpointRecord[]): EndpointRecord | undefined {
  const rank = (e: EndpointRecord) => (e.status === "Running" ? 2 : e.status === "Creating" ? 1 : 0);
  return endpoints.reduce<EndpointRecord | undefined>(
    (best, e) =>
      !best || rank(e) > rank(best) || (rank(e) === rank(best) && e.updatedAt > best.updatedAt) ? e : best,
    undefined,
  );
}

/** Resolves an `ep-…` id, an `m-…` id or a model name; undefined when it names nothing. */
export function locateModel(
  registry: ModelRegistry,
  endpoints: EndpointManager,
  id: string,
): ModelTarget | undefined {
  if (id.startsWith("ep-")) {
    const endpoint = endpoints.list().find((e) => e.id === id);
    const model = endpoint && registry.find(endpoint.modelId);
    return endpoint && model ? { model, endpoint, byEndpoint: true } : undefined;
  }
  const model = registry.find(id) ?? registry.latestByName(id);
  if (!model) return undefined;
  const endpoint = bestEndpoint(endpoints.list().filter((e) => e.modelId === model.id));
  return { model, endpoint, byEndpoint: false };
}

/**
 * What serves calls to `id`: its target, or for a remote model whose connector calls this
 * platform's own endpoint, that endpoint's (so a cluster-style remote model id embeds and reranks
 * exactly as the endpoint id does, without an HTTP round trip).
 */
export function locateServing(
  registry: ModelRegistry,
  endpoints: EndpointManager,
  id: string,
): ModelTarget | undefined {
  const target = locateModel(registry, endpoints, id);
  const alias = target && aliasTarget(target.model);
  return alias ? locateModel(registry, endpoints, alias) : target;
}

/** Why a call to the target would not be served now, and what to do; undefined when it would. */
export function unavailability(target: ModelTarget): string | undefined {
  const { model, endpoint } = target;
  if (target.byEndpoint && endpoint) {
    const id = endpoint.id;
    switch (endpoint.status) {
      case "Running":
        return undefined;
      case "Creating":
        return `endpoint ${id} is still starting (Creating); retry once GET /v1/endpoints/${id} says Running`;
      case "Stopped":
        return `endpoint ${id} is Stopped; start it with POST /v1/endpoints/${id}/start`;
      case "Failed":
        return `endpoint ${id} failed${endpoint.reason ? ` (${endpoint.reason})` : ""}; start it again with POST /v1/endpoints/${id}/start`;
    }
  }
  if (endpoint?.status === "Running" || servedWithoutEndpoint(model)) return undefined;
  if (endpoint?.status === "Creating")
    return `model ${model.id} is being deployed (endpoint ${endpoint.id} is Creating); retry once it is Running`;
  const deploy = `model ${model.id} is not deployed; deploy it with POST /_plugins/_ml/models/${model.id}/_deploy or POST /v1/endpoints {"model_id":"${model.id}"}`;
  return endpoint?.status === "Stopped"
    ? `${deploy}, or start its stopped endpoint with POST /v1/endpoints/${endpoint.id}/start`
    : deploy;
}

const KIND_NAMES: Record<ModelKind, string> = {
  embedding: "an embedding model",
  reranker: "a reranker",
  chat: "a chat model",
};

export class PlatformSearchModels implements SearchModels {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly endpoints: EndpointManager,
  ) {}

  describe(id: string): SearchModelInfo | undefined {
    const target = locateServing(this.registry, this.endpoints, id);
    if (!target) return undefined;
    const { model } = target;
    const hint = unavailability(target);
    const dimension = model.kind === "embedding" ? Number(model.config.dimension) : Number.NaN;
    return {
      id,
      kind: model.kind,
      ...(Number.isInteger(dimension) && dimension > 0 ? { dimension } : {}),
      available: hint === undefined,
      ...(hint ? { hint } : {}),
    };
  }

  async embed(id: string, texts: string[]): Promise<Float32Array[]> {
    const served = this.serve(id, "embedding");
    if (texts.length === 0) return [];
    const flat = await modelCall(() => this.endpoints.embed(served, texts));
    const dim = flat.length / texts.length;
    // views into the one array this call got back: no copies
    return texts.map((_, i) => flat.subarray(i * dim, (i + 1) * dim));
  }

  async rerank(
    id: string,
    query: string,
    documents: string[],
    lexical?: readonly number[],
  ): Promise<number[]> {
    const served = this.serve(id, "reranker");
    if (documents.length === 0) return [];
    // the reranker takes BM25 among its features: the index's when the engine gives it, else
    // estimated over these documents as /v1/rerank does
    const bm25 = lexical?.length === documents.length ? lexical : bm25Scores(query, documents);
    const candidates = documents.map((text, i) => ({ text, bm25: bm25[i] as number }));
    return Array.from(await modelCall(() => this.endpoints.rerank(served, query, candidates)));
  }

  /** The runtime that serves `id` as a model of `kind`, or the SearchModelError saying why not. */
  private serve(id: string, kind: ModelKind): Served {
    const target = locateServing(this.registry, this.endpoints, id);
    if (!target)
      throw new SearchModelError(
        400,
        `unknown model id [${id}]: no endpoint or model has it; list models with POST /_plugins/_ml/models/_search or GET /v1/models`,
      );
    const { model } = target;
    if (model.kind !== kind)
      throw new SearchModelError(
        400,
        `model id [${id}] is ${KIND_NAMES[model.kind]} (${model.name}), not ${KIND_NAMES[kind]}`,
      );
    const hint = unavailability(target);
    if (hint) throw new SearchModelError(409, hint);
    try {
      return this.endpoints.resolve(target.byEndpoint && target.endpoint ? target.endpoint.id : model.id);
    } catch (err) {
      throw toSearchModelError(err);
    }
  }
}

async function modelCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toSearchModelError(err);
  }
}

/** A serving failure as the engine reports it: 400 bad id, 409 not running, 503 overloaded, 502 upstream. */
export function toSearchModelError(err: unknown): SearchModelError {
  if (err instanceof SearchModelError) return err;
  if (err instanceof ConnectorError)
    return new SearchModelError(502, `the upstream model server failed: ${err.message}`);
  if (isLodestoneError(err)) return new SearchModelError(engineStatus(err.status), err.message);
  return new SearchModelError(502, `the model failed: ${err instanceof Error ? err.message : String(err)}`);
}

function engineStatus(status: number): number {
  if (status === 409 || status === 503) return status;
  if (status === 429) return 503;
  if (status >= 500) return 502;
  // an unknown id (404 on the platform API) is a bad request to the engine
  return 400;
}

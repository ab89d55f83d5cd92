/**
 * The OpenSearch ML Commons API (2.x) mapped onto the registry and endpoints, for scripts written
 * against a cluster: `_register` copies an `oss://` model folder into the registry (or records an
 * upstream connector, inline or created with `connectors/_create`) as a task, `_deploy` starts (or resumes) an endpoint, `_undeploy` stops
 * them, `_predict` embeds or scores through the same model service neural queries use. Model ids
 * are the registry's `m-…`; an endpoint's `ep-…` is accepted wherever a model id is. Errors are
 * EngineErrors, or become them through `mlError`, so the search port answers in OpenSearch's shape.
 */
import { errorMessage, isLodestoneError } from "../common/errors.ts";
import { EngineError, illegalArgument, isEngineError } from "../search/errors.ts";
import { SearchModelError, type SearchModels } from "../search/models.ts";
import { ConnectorError } from "./connectors/http.ts";
import type { EndpointManager, EndpointRecord } from "./endpoints.ts";
import { connectorCall, type MlConnectorStore } from "./ml-connectors.ts";
import { functionNameOf, type MlModelDocument, modelDocument } from "./ml-model-docs.ts";
import { searchModelDocuments } from "./ml-model-search.ts";
import {
  embeddingInputs,
  parseRegister,
  predictRequest,
  type RegisterRequest,
  similarityInputs,
} from "./ml-requests.ts";
import type { MlFunctionName, MlTask, MlTaskStore } from "./ml-tasks.ts";
import type { ModelRecord, ModelRegistry } from "./registry.ts";
import { locateModel, type ModelTarget, servedWithoutEndpoint } from "./search-models.ts";

export interface MlCommonsOptions {
  registry: ModelRegistry;
  endpoints: EndpointManager;
  /** The model service `_predict` calls (the one the engine uses). */
  models: SearchModels;
  tasks: MlTaskStore;
  connectors: MlConnectorStore;
  /** The node name tasks and undeploy results report. */
  node: string;
}

const PREDICT_ALGORITHMS: Record<string, MlFunctionName> = {
  text_embedding: "TEXT_EMBEDDING",
  text_similarity: "TEXT_SIMILARITY",
};

export class MlCommons {
  /** Registrations still running (`close` waits for them before the database closes). */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly opts: MlCommonsOptions) {}

  /** Starts a registration task and answers at once, as OpenSearch does; `deploy` deploys after. */
  register(body: unknown, deploy: boolean): { task_id: string; status: "CREATED" } {
    const request = parseRegister(body);
    const task = this.opts.tasks.create("REGISTER_MODEL", request.functionName ?? null, null);
    const run = this.runRegistration(task, request, deploy).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return { task_id: task.id, status: "CREATED" };
  }

  /** Serves the model (a new endpoint, or its stopped one resumed) and waits until it runs. */
  async deploy(
    id: string,
  ): Promise<{ task_id: string; task_type: "DEPLOY_MODEL"; status: "COMPLETED" | "FAILED" }> {
    const target = this.target(id);
    const functionName = functionNameOf(target.model);
    const task = this.opts.tasks.create("DEPLOY_MODEL", functionName, target.model.id);
    let failure: string | undefined;
    try {
      failure = await this.bringUp(target);
    } catch (err) {
      this.opts.tasks.fail(task.id, errorMessage(err));
      throw err;
    }
    if (failure) this.opts.tasks.fail(task.id, failure);
    else this.opts.tasks.complete(task.id, target.model.id, functionName);
    return { task_id: task.id, task_type: "DEPLOY_MODEL", status: failure ? "FAILED" : "COMPLETED" };
  }

  /** Stops the model's running endpoints (or the one an `ep-…` id names); they can be deployed again. */
  async undeploy(id: string): Promise<Record<string, { stats: Record<string, string> }>> {
    const target = this.target(id);
    const scope = target.byEndpoint && target.endpoint ? [target.endpoint] : this.endpointsOf(target.model);
    const live = scope.filter(isLive);
    for (const endpoint of live) await this.opts.endpoints.stop(endpoint.id);
    return live.length ? { [this.opts.node]: { stats: { [id]: "UNDEPLOYED" } } } : {};
  }

  getModel(id: string): MlModelDocument {
    const target = this.target(id);
    return modelDocument(
      target.model,
      this.endpointsOf(target.model),
      target.byEndpoint ? target.endpoint : undefined,
      this.opts.node,
    );
  }

  /** Deletes a model that is not deployed, with its stopped or failed endpoints. */
  async deleteModel(id: string) {
    const target = this.target(id);
    const { model } = target;
    if (target.byEndpoint)
      throw illegalArgument(
        `${id} is an endpoint, not a model: delete it with DELETE /v1/endpoints/${id} on the platform API, or delete its model ${model.id} here`,
      );
    const endpoints = this.endpointsOf(model);
    const live = endpoints.filter(isLive);
    if (live.length)
      throw new EngineError(
        400,
        "status_exception",
        `model ${model.id} is deployed (endpoint ${live.map((e) => e.id).join(", ")}); undeploy it first with POST /_plugins/_ml/models/${model.id}/_undeploy, then delete it`,
      );
    // the registry refuses built-ins before anything is removed
    this.opts.registry.delete(model.id, []);
    for (const endpoint of endpoints) await this.opts.endpoints.delete(endpoint.id);
    return {
      _index: ".plugins-ml-model",
      _id: model.id,
      result: "deleted",
      _shards: { total: 1, successful: 1, failed: 0 },
    };
  }

  searchModels(body: unknown) {
    const started = Date.now();
    const endpoints = this.opts.endpoints.list();
    const docs = this.opts.registry.list().map((m) =>
      modelDocument(
        m,
        endpoints.filter((e) => e.modelId === m.id),
        undefined,
        this.opts.node,
      ),
    );
    return searchModelDocuments(docs, body, () => Date.now() - started);
  }

  /**
   * `{"text_docs"}` → one `sentence_embedding` per text for embedding models; `{"query_text",
   * "text_docs"}` → one `similarity` per document for rerankers. `algorithm` comes from
   * `/_plugins/_ml/_predict/{algorithm}/{model_id}` and must fit the model.
   */
  async predict(id: string, body: unknown, algorithm?: string) {
    const info = this.opts.models.describe(id);
    if (!info) throw modelNotFound(id);
    const request = predictRequest(body);
    const expected =
      info.kind === "embedding" ? "TEXT_EMBEDDING" : info.kind === "reranker" ? "TEXT_SIMILARITY" : "REMOTE";
    if (algorithm !== undefined) {
      const wanted = PREDICT_ALGORITHMS[algorithm.toLowerCase()];
      if (!wanted)
        throw illegalArgument(
          `_predict/${algorithm} is not supported; use _predict/text_embedding or _predict/text_similarity`,
        );
      if (wanted !== expected) throw illegalArgument(`model ${id} is a ${expected} model, not ${wanted}`);
    }
    if (info.kind === "embedding") {
      const vectors = await this.opts.models.embed(id, embeddingInputs(request));
      return {
        inference_results: vectors.map((v) => ({
          output: [
            { name: "sentence_embedding", data_type: "FLOAT32", shape: [v.length], data: Array.from(v) },
          ],
        })),
      };
    }
    if (info.kind === "reranker") {
      const { query, documents } = similarityInputs(request);
      const scores = await this.opts.models.rerank(id, query, documents);
      return {
        inference_results: scores.map((score) => ({
          output: [{ name: "similarity", data_type: "FLOAT32", shape: [1], data: [score] }],
        })),
      };
    }
    throw illegalArgument(
      `model ${id} is a ${info.kind} model; _predict serves embedding (TEXT_EMBEDDING) and reranker (TEXT_SIMILARITY) models, chat models answer POST /v1/chat/completions on the platform API`,
    );
  }

  getTask(id: string) {
    const task = this.opts.tasks.find(id);
    if (!task) throw new EngineError(404, "status_exception", `Failed to find task [${id}]`);
    return taskView(task, this.opts.node);
  }

  /** Waits for registrations in flight, so that none writes to a closed database. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async runRegistration(task: MlTask, request: RegisterRequest, deploy: boolean): Promise<void> {
    const { registry, tasks } = this.opts;
    let model: ModelRecord;
    try {
      const { source } = request;
      model =
        "url" in source
          ? await registry.register(request.name, source.url)
          : "connector" in source
            ? await registry.registerConnector(request.name, source.connector)
            : await this.registerRemote(request.name, source.connectorId);
      const mismatch = registrationMismatch(model, request);
      if (mismatch) {
        registry.delete(model.id, []);
        tasks.fail(task.id, mismatch);
        return;
      }
      tasks.complete(task.id, model.id, functionNameOf(model));
    } catch (err) {
      tasks.fail(task.id, errorMessage(err));
      return;
    }
    // the deploy task records its own outcome
    if (deploy) await this.deploy(model.id).catch(() => {});
  }

  /**
   * A remote model from a stored connector. A connector calling this platform's own
   * `/v1/embeddings` or `/v1/rerank` with `model` naming a local endpoint (or model) stands for it
   * (how the OpenSearch backend's connectors look when the cluster is this engine); any other is
   * an upstream OpenAI-compatible embeddings or Cohere-compatible rerank server.
   */
  private async registerRemote(name: string, connectorId: string): Promise<ModelRecord> {
    const connector = this.opts.connectors.get(connectorId);
    const call = connectorCall(connector);
    const local = call.lodestonePath && call.model ? this.targetOrNone(call.model) : undefined;
    if (!local)
      return this.opts.registry.registerConnector(
        name,
        { ...call.spec, connector_id: connectorId },
        call.apiKey,
      );
    if (local.model.kind !== call.kind)
      throw illegalArgument(
        `connector ${connectorId} calls ${call.kind === "embedding" ? "/v1/embeddings" : "/v1/rerank"} with ${call.model}, which is ${local.model.kind === "embedding" ? "an embedding model" : `a ${local.model.kind} model`}`,
      );
    const dimension = Number(local.model.config.dimension);
    return this.opts.registry.registerAlias(name, {
      id: call.model as string,
      kind: local.model.kind,
      ...(Number.isInteger(dimension) && dimension > 0 ? { dimension } : {}),
      connectorId,
      url: call.spec.base_url,
    });
  }

  createConnector(body: unknown) {
    return this.opts.connectors.create(body);
  }

  getConnector(id: string) {
    return this.opts.connectors.view(id);
  }

  deleteConnector(id: string) {
    const users = this.opts.registry
      .list()
      .filter((m) => m.config.connector_id === id)
      .map((m) => m.id);
    return this.opts.connectors.delete(id, users);
  }

  searchConnectors(body: unknown) {
    return this.opts.connectors.search(body);
  }

  registerModelGroup(body: unknown) {
    return this.opts.connectors.registerGroup(body);
  }

  searchModelGroups(body: unknown) {
    return this.opts.connectors.searchGroups(body);
  }

  /** Starts serving a target; the reason when its endpoint did not reach Running. */
  private async bringUp(target: ModelTarget): Promise<string | undefined> {
    const { endpoints } = this.opts;
    if (!target.byEndpoint && servedWithoutEndpoint(target.model)) return undefined;
    // resuming a Running or Creating endpoint changes nothing
    const started = target.endpoint
      ? endpoints.resume(target.endpoint.id)
      : endpoints.create(target.model.id);
    const settled = await endpoints.settled(started.id);
    if (settled.status === "Running") return undefined;
    return `endpoint ${settled.id} is ${settled.status}${settled.reason ? ` (${settled.reason})` : ""}; see GET /v1/endpoints/${settled.id}`;
  }

  private target(id: string): ModelTarget {
    const target = this.targetOrNone(id);
    if (!target) throw modelNotFound(id);
    return target;
  }

  private targetOrNone(id: string): ModelTarget | undefined {
    return locateModel(this.opts.registry, this.opts.endpoints, id);
  }

  private endpointsOf(model: ModelRecord): EndpointRecord[] {
    return this.opts.endpoints.list().filter((e) => e.modelId === model.id);
  }
}

/** Errors of the registry, endpoints and model service in OpenSearch's shape (others pass through). */
export function mlError(err: unknown): unknown {
  if (isEngineError(err)) return err;
  if (err instanceof SearchModelError || isLodestoneError(err))
    return new EngineError(
      err.status,
      err.status === 400 ? "illegal_argument_exception" : "status_exception",
      err.message,
    );
  if (err instanceof ConnectorError)
    return new EngineError(502, "status_exception", `the upstream model server failed: ${err.message}`);
  return err;
}

function modelNotFound(id: string): EngineError {
  return new EngineError(
    404,
    "status_exception",
    `Failed to find model [${id}]; list models with POST /_plugins/_ml/models/_search or GET /v1/models`,
  );
}

function isLive(endpoint: EndpointRecord): boolean {
  return endpoint.status === "Running" || endpoint.status === "Creating";
}

function taskView(task: MlTask, node: string) {
  return {
    ...(task.modelId ? { model_id: task.modelId } : {}),
    task_type: task.taskType,
    ...(task.functionName ? { function_name: task.functionName } : {}),
    state: task.state,
    worker_node: [node],
    create_time: task.createdAt,
    last_update_time: task.updatedAt,
    is_async: true,
    ...(task.error ? { error: task.error } : {}),
  };
}

/** Why a registered model does not match what the request declared; undefined when it does. */
function registrationMismatch(model: ModelRecord, request: RegisterRequest): string | undefined {
  const actual = functionNameOf(model);
  if (request.functionName && request.functionName !== actual)
    return `function_name is ${request.functionName} but ${model.source} holds a ${actual} model (${model.kind})`;
  const dimension = model.config.dimension;
  if (request.dimension !== undefined && dimension !== request.dimension)
    return `model_config.embedding_dimension is ${request.dimension} but the model's config.json says ${dimension ?? "no dimension"}`;
  return undefined;
}

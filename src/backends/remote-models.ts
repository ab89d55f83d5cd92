/**
 * Lodestone endpoints as ML Commons remote models on an OpenSearch 2.x cluster: one `http`
 * connector per endpoint calling the platform's OpenAI-compatible `/v1/embeddings` (OpenAI
 * embedding pre/post-processing, so neural queries and text_embedding processors work) or its
 * Cohere-compatible `/v1/rerank` (Cohere rerank pre/post-processing: a TEXT_SIMILARITY model for
 * the rerank search processor), registered as a `remote` model in the `lodestone` model group and
 * deployed. Idempotent: the model's name holds the endpoint id and a digest of its connector, so
 * a second run finds the model with `models/_search` and creates nothing.
 */
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiError } from "../common/http-client.ts";
import type { EndpointRef } from "./types.ts";

/** How the cluster reaches the platform. */
export interface PlatformAccess {
  /** The platform API's URL as the cluster sees it (`search.platformUrl`). */
  url: string;
  /** Lodestone's API key when the platform requires one: stored in the connector's credential. */
  apiKey?: string;
}

/** One JSON request to the cluster (rejects with an ApiError on non-2xx). */
export type ClusterRequest = <T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
) => Promise<T>;

export const MODEL_GROUP = "lodestone";
const ML = "/_plugins/_ml";
const TASK_TIMEOUT_MS = 120_000;

const ACTIONS = {
  embedding: {
    path: "/v1/embeddings",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ML Commons placeholders, filled by the cluster
    request_body: '{ "input": ${parameters.input}, "model": "${parameters.model}" }',
    pre_process_function: "connector.pre_process.openai.embedding",
    post_process_function: "connector.post_process.openai.embedding",
  },
  rerank: {
    path: "/v1/rerank",
    request_body:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ML Commons placeholders, filled by the cluster
      '{ "documents": ${parameters.documents}, "query": "${parameters.query}", "model": "${parameters.model}", "top_n": ${parameters.top_n} }',
    pre_process_function: "connector.pre_process.cohere.rerank",
    post_process_function: "connector.post_process.cohere.rerank",
  },
} as const;

/** The `connectors/_create` body for an endpoint (name filled in by `remoteModelName`). */
export function connectorBody(endpoint: EndpointRef, platform: PlatformAccess): Record<string, unknown> {
  const action = ACTIONS[endpoint.kind];
  const headers: Record<string, string> = { "content-type": "application/json" };
  // biome-ignore lint/suspicious/noTemplateCurlyInString: ML Commons placeholders, filled by the cluster
  if (platform.apiKey) headers.Authorization = "Bearer ${credential.lodestone_api_key}";
  const what = endpoint.kind === "embedding" ? "OpenAI-compatible embeddings" : "Cohere-compatible rerank";
  return {
    name: remoteModelName(endpoint, platform),
    description: `Lodestone endpoint ${endpoint.endpointId} (${endpoint.name}): ${what}`,
    version: "1",
    protocol: "http",
    parameters: { model: endpoint.endpointId },
    ...(platform.apiKey ? { credential: { lodestone_api_key: platform.apiKey } } : {}),
    actions: [
      {
        action_type: "predict",
        method: "POST",
        url: `${platform.url.replace(/\/+$/, "")}${action.path}`,
        headers,
        request_body: action.request_body,
        pre_process_function: action.pre_process_function,
        post_process_function: action.post_process_function,
      },
    ],
  };
}

/**
 * `lodestone-<endpoint id>-<digest>`: the digest covers what the connector calls (URL, kind, API
 * key), so pointing the platform elsewhere or rotating its key makes a new model, not a stale one.
 */
export function remoteModelName(endpoint: EndpointRef, platform: PlatformAccess): string {
  const digest = createHash("sha256")
    .update(JSON.stringify([endpoint.kind, platform.url.replace(/\/+$/, ""), platform.apiKey ?? ""]))
    .digest("hex")
    .slice(0, 8);
  return `lodestone-${endpoint.endpointId}-${digest}`;
}

interface SearchHits {
  hits?: { hits?: Array<{ _id: string; _source?: Record<string, unknown> }> };
}

interface MlTask {
  state?: string;
  model_id?: string;
  error?: string;
}

export class RemoteModels {
  private readonly ids = new Map<string, Promise<string>>();
  private group: Promise<string> | undefined;
  private readonly pollMs: number;

  constructor(
    private readonly request: ClusterRequest,
    private readonly platform: PlatformAccess,
    opts: { pollMs?: number | undefined } = {},
  ) {
    this.pollMs = opts.pollMs ?? 500;
  }

  /** The deployed remote model calling `endpoint`, created on first use (once per process). */
  modelIdFor(endpoint: EndpointRef): Promise<string> {
    const key = `${endpoint.kind}:${endpoint.endpointId}`;
    let id = this.ids.get(key);
    if (!id) {
      id = this.ensure(endpoint);
      this.ids.set(key, id);
      // a failure is not remembered: the next call tries again
      id.catch(() => this.ids.delete(key));
    }
    return id;
  }

  private async ensure(endpoint: EndpointRef): Promise<string> {
    const connector = connectorBody(endpoint, this.platform);
    const name = connector.name as string;
    const existing = await this.findByName(`${ML}/models/_search`, name);
    if (existing) {
      if (existing._source?.model_state !== "DEPLOYED") await this.deploy(existing._id);
      return existing._id;
    }
    const modelGroupId = await this.modelGroup();
    const { connector_id } = await this.request<{ connector_id: string }>(
      "POST",
      `${ML}/connectors/_create`,
      connector,
    );
    const registered = await this.request<{ task_id?: string; model_id?: string }>(
      "POST",
      `${ML}/models/_register`,
      {
        name,
        function_name: "remote",
        model_group_id: modelGroupId,
        description: connector.description,
        connector_id,
      },
    );
    const modelId =
      registered.model_id ?? (await this.task(registered.task_id, `registering ${name}`)).model_id;
    if (!modelId) throw new Error(`registering ${name} on the cluster returned no model_id`);
    await this.deploy(modelId);
    return modelId;
  }

  /** The `lodestone` model group's id, registered when the cluster has none. */
  private modelGroup(): Promise<string> {
    this.group ??= (async () => {
      const found = await this.findByName(`${ML}/model_groups/_search`, MODEL_GROUP);
      if (found) return found._id;
      const created = await this.request<{ model_group_id: string }>("POST", `${ML}/model_groups/_register`, {
        name: MODEL_GROUP,
        description: "Lodestone endpoints (embedders and rerankers) as remote models",
      });
      return created.model_group_id;
    })();
    this.group.catch(() => {
      this.group = undefined;
    });
    return this.group;
  }

  private async deploy(modelId: string): Promise<void> {
    const deployed = await this.request<{ task_id?: string; status?: string }>(
      "POST",
      `${ML}/models/${modelId}/_deploy`,
    );
    if (deployed.status !== "COMPLETED") await this.task(deployed.task_id, `deploying model ${modelId}`);
  }

  /** Polls an ML Commons task until it completes; a FAILED task throws its error. */
  private async task(taskId: string | undefined, what: string): Promise<MlTask> {
    if (!taskId) throw new Error(`${what}: the cluster returned no task_id`);
    const deadline = Date.now() + TASK_TIMEOUT_MS;
    for (;;) {
      const task = await this.request<MlTask>("GET", `${ML}/tasks/${taskId}`);
      if (task.state === "COMPLETED") return task;
      if (task.state === "FAILED" || task.state === "COMPLETED_WITH_ERROR")
        throw new Error(`${what} failed on the cluster (task ${taskId}): ${task.error ?? task.state}`);
      if (Date.now() > deadline)
        throw new Error(`${what}: task ${taskId} is still ${task.state} after ${TASK_TIMEOUT_MS / 1000} s`);
      await sleep(this.pollMs);
    }
  }

  /** The hit whose `name` is exactly `name` (model chunks left out), or undefined; 404 = no index yet. */
  private async findByName(route: string, name: string) {
    const body = { query: { term: { "name.keyword": name } }, size: 100 };
    const result = await this.request<SearchHits>("POST", route, body).catch((err) => {
      if (err instanceof ApiError && err.status === 404) return {} as SearchHits;
      throw err;
    });
    return (result.hits?.hits ?? []).find(
      (h) => h._source?.name === name && h._source?.chunk_number === undefined,
    );
  }
}

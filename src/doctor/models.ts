/**
 * What a pipeline's `model_id` names, and whether it serves: through the platform for `ep-…`
 * endpoints (status and failure reason), else through ML Commons (`GET /_plugins/_ml/models/{id}`),
 * which a real cluster and Lodestone's search port both answer. Each id is looked up once.
 */
import { isObject } from "../search/mapping.ts";
import { curlPost, type DoctorClient, errorText, statusOf } from "./findings.ts";

export type ModelState = "running" | "starting" | "stopped" | "failed" | "not_deployed";

export interface ModelDescription {
  id: string;
  /** False when the id names nothing; undefined when the lookup itself failed (`lookupError`). */
  found?: boolean;
  lookupError?: string;
  name?: string;
  /** embedding, reranker, remote, sparse, chat, … */
  kind?: string;
  dimension?: number;
  state?: ModelState;
  reason?: string;
  /** The request that starts it, when it is not running. */
  startFix?: string;
}

const ML_KINDS: Record<string, string> = {
  TEXT_EMBEDDING: "embedding",
  TEXT_SIMILARITY: "reranker",
  REMOTE: "remote",
  SPARSE_ENCODING: "sparse",
  SPARSE_TOKENIZE: "sparse",
};

const ML_STATES: Record<string, ModelState> = {
  DEPLOYED: "running",
  PARTIALLY_DEPLOYED: "running",
  DEPLOYING: "starting",
  REGISTERING: "starting",
  DEPLOY_FAILED: "failed",
  REGISTERED: "not_deployed",
  UNDEPLOYED: "stopped",
};

const ENDPOINT_STATES: Record<string, ModelState> = {
  Running: "running",
  Creating: "starting",
  Stopped: "stopped",
  Failed: "failed",
};

export class ModelDirectory {
  private readonly cache = new Map<string, Promise<ModelDescription>>();

  /** `mlCommons`: the cluster has the ML plugin, so its model API can be asked. */
  constructor(
    private readonly search: DoctorClient,
    private readonly platform: DoctorClient | undefined,
    private readonly mlCommons: boolean,
  ) {}

  describe(id: string): Promise<ModelDescription> {
    let found = this.cache.get(id);
    if (!found) {
      found = this.lookup(id).catch((err) =>
        statusOf(err) === 404 ? { id, found: false } : { id, lookupError: errorText(err) },
      );
      this.cache.set(id, found);
    }
    return found;
  }

  private async lookup(id: string): Promise<ModelDescription> {
    if (this.platform && id.startsWith("ep-")) return this.endpoint(this.platform, id);
    if (!this.mlCommons)
      return { id, lookupError: "the cluster has no ML Commons plugin (opensearch-ml) to describe it" };
    return this.mlModel(id);
  }

  private async endpoint(platform: DoctorClient, id: string): Promise<ModelDescription> {
    const endpoint = await platform.json<{ model_id: string; status: string; reason: string | null }>(
      "GET",
      `/v1/endpoints/${encodeURIComponent(id)}`,
    );
    const model = await platform.json<{ model_name: string; kind: string; dimension: number | null }>(
      "GET",
      `/v1/models/${encodeURIComponent(endpoint.model_id)}`,
    );
    const state = ENDPOINT_STATES[endpoint.status] ?? "failed";
    return {
      id,
      found: true,
      name: model.model_name,
      kind: model.kind,
      dimension: model.dimension ?? undefined,
      state,
      reason: endpoint.reason ?? undefined,
      startFix:
        state === "stopped" || state === "failed"
          ? `lodestone --url ${platform.baseUrl} endpoints start ${id} --wait`
          : undefined,
    };
  }

  private async mlModel(id: string): Promise<ModelDescription> {
    const doc = await this.search.json("GET", `/_plugins/_ml/models/${encodeURIComponent(id)}`);
    const fn = String(doc.function_name ?? doc.algorithm ?? "");
    const config = isObject(doc.model_config) ? doc.model_config : {};
    const dimension = Number(config.embedding_dimension);
    const state = ML_STATES[String(doc.model_state)] ?? "not_deployed";
    const modelId = typeof doc.model_id === "string" ? doc.model_id : id;
    const deploy = [curlPost(`${this.search.baseUrl}/_plugins/_ml/models/${id}/_deploy`)];
    // a Lodestone model (not an endpoint) can also get an endpoint from the CLI
    if (this.platform && !id.startsWith("ep-")) deploy.push(`lodestone endpoints deploy ${modelId} --wait`);
    return {
      id,
      found: true,
      name: typeof doc.name === "string" ? doc.name : undefined,
      kind: ML_KINDS[fn] ?? fn.toLowerCase(),
      dimension: Number.isFinite(dimension) && dimension > 0 ? dimension : undefined,
      state,
      startFix: state === "running" || state === "starting" ? undefined : deploy.join(", or "),
    };
  }
}

/**
 * Inference endpoints (Bailian-style `ep-…`): an endpoint serves one registered model with N
 * replicas (worker threads) behind a micro-batcher. States: Creating → Running, or Failed with
 * the reason; Stopped after a graceful shutdown is not a state users see, because endpoints that
 * were Creating or Running come back when the server starts again. Built-in models are served
 * without an endpoint (started on first use).
 */
import { badRequest, errorMessage, LodestoneError, notFound } from "../common/errors.ts";
import { newId } from "../common/ids.ts";
import type { RerankCandidate } from "../models/types.ts";
import type { Db } from "../state/db.ts";
import { ANSWERER_MODEL, ExtractiveAnswerer } from "./answerer.ts";
import { EmbeddingBatcher } from "./batcher.ts";
import type { ChatProvider } from "./chat-types.ts";
import { type ConnectorSpec, connectorClient } from "./connector-models.ts";
import type { ModelRecord, ModelRegistry } from "./registry.ts";
import { Replica } from "./replica.ts";

export const ENDPOINT_STATUSES = ["Creating", "Running", "Failed", "Stopped"] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

/** Per-endpoint micro-batching (defaults from the manager's options). */
export interface BatchingOptions {
  maxBatch?: number;
  maxWaitMs?: number;
}

export interface EndpointRecord {
  id: string;
  modelId: string;
  status: EndpointStatus;
  replicas: number;
  batching: BatchingOptions;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface EndpointOptions {
  cacheDir: string;
  maxBatch?: number;
  maxWaitMs?: number;
  maxReplicas?: number;
  /** The API key of an upstream registered through an ML Commons connector (kept with the connector). */
  connectorKey?: (connectorId: string) => string | undefined;
  /** Told the duration of every embed and rerank call (the platform's metrics record it). */
  observeCall?: (call: ModelCall) => void;
}

/** One finished model call, for latency metrics. */
export interface ModelCall {
  /** The endpoint id, or the built-in model's name. */
  endpoint: string;
  kind: "embed" | "rerank";
  seconds: number;
  ok: boolean;
}

/** What serves a model once it is running. */
interface Runtime {
  model: ModelRecord;
  replicas: Replica[];
  batcher?: EmbeddingBatcher;
  dimension: number;
  chat?: ChatProvider;
  rerank?: (query: string, candidates: RerankCandidate[]) => Promise<Float32Array>;
  ready: Promise<void>;
}

interface EndpointRow {
  id: string;
  model_id: string;
  status: EndpointStatus;
  replicas: number;
  options: string;
  reason_message: string | null;
  created_at: number;
  updated_at: number;
}

/** The model an inference call resolved to, ready to use. */
export interface Served {
  /** What the response's `model` field shows: the endpoint id, or the built-in model's name. */
  name: string;
  model: ModelRecord;
  runtime: Runtime;
}

export class EndpointManager {
  private readonly runtimes = new Map<string, Runtime>();
  private readonly builtins = new Map<string, Runtime>();

  constructor(
    private readonly db: Db,
    private readonly registry: ModelRegistry,
    private readonly opts: EndpointOptions,
  ) {}

  /** Brings back the endpoints that were Creating or Running when the server last stopped. */
  restore(): void {
    for (const e of this.list()) if (e.status === "Creating" || e.status === "Running") this.start(e);
  }

  create(modelId: string, replicas = 1, batching: BatchingOptions = {}): EndpointRecord {
    const model = this.registry.get(modelId);
    const max = this.opts.maxReplicas ?? 8;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > max)
      throw badRequest(
        "invalid_replicas",
        `replicas must be an integer from 1 to ${max}, got ${replicas}`,
        "replicas",
      );
    const now = Date.now();
    const record: EndpointRecord = {
      id: newId("ep-", 12),
      modelId: model.id,
      status: "Creating",
      replicas,
      batching,
      reason: null,
      createdAt: now,
      updatedAt: now,
    };
    this.db
      .prepare(
        "INSERT INTO endpoints (id, model_id, status, replicas, options, reason_message, created_at, updated_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)",
      )
      .run(record.id, record.modelId, record.status, replicas, JSON.stringify(batching), now, now);
    this.start(record);
    return record;
  }

  list(): EndpointRecord[] {
    return (this.db.prepare("SELECT * FROM endpoints ORDER BY created_at, id").all() as EndpointRow[]).map(
      fromRow,
    );
  }

  get(id: string): EndpointRecord {
    const row = this.db.prepare("SELECT * FROM endpoints WHERE id = ?").get(id) as EndpointRow | undefined;
    if (!row)
      throw notFound(
        "endpoint_not_found",
        `no endpoint ${id}; list them with GET /v1/endpoints`,
        "endpoint_id",
      );
    return fromRow(row);
  }

  /** Endpoints (not deleted) serving a model: registry deletion is refused while there are any. */
  servingModel(modelId: string): string[] {
    return this.list()
      .filter((e) => e.modelId === modelId)
      .map((e) => e.id);
  }

  /** Stops serving (replicas end) but keeps the endpoint; it stays Stopped across restarts. */
  async stop(id: string): Promise<EndpointRecord> {
    this.get(id);
    await this.stopRuntime(id);
    this.setStatus(id, "Stopped", null);
    return this.get(id);
  }

  /** Starts a Stopped or Failed endpoint again (Creating, then Running). */
  resume(id: string): EndpointRecord {
    const endpoint = this.get(id);
    if (endpoint.status === "Creating" || endpoint.status === "Running") return endpoint;
    this.start(endpoint);
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    this.get(id);
    this.db.prepare("DELETE FROM endpoints WHERE id = ?").run(id);
    await this.stopRuntime(id);
  }

  /** Waits until an endpoint has left Creating (for tests and `--wait`). */
  async settled(id: string): Promise<EndpointRecord> {
    await this.runtimes.get(id)?.ready.catch(() => {});
    return this.get(id);
  }

  /** Resolves an inference call's `model`: an endpoint id, a model id, or a model name. */
  resolve(ref: string, param = "model"): Served {
    if (ref.startsWith("ep-")) {
      const endpoint = this.get(ref);
      return { name: ref, model: this.registry.get(endpoint.modelId), runtime: this.running(endpoint) };
    }
    const model = this.registry.find(ref) ?? this.registry.latestByName(ref);
    if (!model)
      throw notFound(
        "model_not_found",
        `no endpoint or model ${ref}; list them with GET /v1/endpoints or GET /v1/models`,
        param,
      );
    const alias = aliasTarget(model);
    if (alias) return this.resolve(alias, param);
    const endpoint = this.list().find((e) => e.modelId === model.id && e.status === "Running");
    if (endpoint) return { name: endpoint.id, model, runtime: this.running(endpoint) };
    // built-ins and upstream connectors are served without an endpoint
    if (model.builtin || isConnector(model))
      return { name: model.name, model, runtime: this.builtinRuntime(model) };
    throw new LodestoneError(
      409,
      "model_not_deployed",
      `model ${model.name} (${model.id}) has no running endpoint; deploy it with POST /v1/endpoints {"model_id":"${model.id}"}`,
      param,
    );
  }

  async embed(served: Served, texts: string[]): Promise<Float32Array> {
    if (served.model.kind !== "embedding")
      throw badRequest(
        "wrong_model_kind",
        `${served.name} serves a ${served.model.kind} model, not an embedding model`,
        "model",
      );
    await served.runtime.ready;
    return this.timed(served, "embed", (served.runtime.batcher as EmbeddingBatcher).embed(texts));
  }

  async rerank(served: Served, query: string, candidates: RerankCandidate[]): Promise<Float32Array> {
    if (served.model.kind !== "reranker")
      throw badRequest(
        "wrong_model_kind",
        `${served.name} serves a ${served.model.kind} model, not a reranker`,
        "model",
      );
    await served.runtime.ready;
    return this.timed(
      served,
      "rerank",
      (served.runtime.rerank as NonNullable<Runtime["rerank"]>)(query, candidates),
    );
  }

  private async timed<T>(served: Served, kind: ModelCall["kind"], call: Promise<T>): Promise<T> {
    const observe = this.opts.observeCall;
    if (!observe) return call;
    const started = performance.now();
    let ok = false;
    try {
      const result = await call;
      ok = true;
      return result;
    } finally {
      observe({ endpoint: served.name, kind, seconds: (performance.now() - started) / 1000, ok });
    }
  }

  /** Replicas and batcher queue of a running endpoint (undefined when it is not running here). */
  load(id: string): { replicas: number; queuedTexts: number; inFlightBatches: number } | undefined {
    const runtime = this.runtimes.get(id);
    if (!runtime) return undefined;
    const load = runtime.batcher?.load ?? { queuedTexts: 0, inFlightBatches: 0 };
    return { replicas: runtime.replicas.length, ...load };
  }

  chat(served: Served): ChatProvider {
    if (!served.runtime.chat)
      throw badRequest(
        "wrong_model_kind",
        `${served.name} serves a ${served.model.kind} model, not a chat model`,
        "model",
      );
    return served.runtime.chat;
  }

  async close(): Promise<void> {
    for (const id of [...this.runtimes.keys()]) await this.stopRuntime(id);
    for (const r of this.builtins.values()) await Promise.all(r.replicas.map((x) => x.close()));
    this.builtins.clear();
  }

  private running(endpoint: EndpointRecord): Runtime {
    const runtime = this.runtimes.get(endpoint.id);
    if (endpoint.status !== "Running" || !runtime)
      throw new LodestoneError(
        409,
        "endpoint_not_running",
        `endpoint ${endpoint.id} is ${endpoint.status}${endpoint.reason ? ` (${endpoint.reason})` : ""}; it serves requests once Running`,
        "model",
      );
    return runtime;
  }

  private start(endpoint: EndpointRecord): void {
    const model = this.registry.find(endpoint.modelId);
    if (!model) {
      this.setStatus(endpoint.id, "Failed", `model ${endpoint.modelId} no longer exists`);
      return;
    }
    const runtime = this.launch(
      model,
      endpoint.replicas,
      model.builtin ? undefined : this.registry.folder(model.id),
    );
    this.runtimes.set(endpoint.id, runtime);
    this.setStatus(endpoint.id, "Creating", null);
    runtime.ready.then(
      () => {
        if (this.runtimes.get(endpoint.id) === runtime) this.setStatus(endpoint.id, "Running", null);
      },
      (err) => {
        this.setStatus(endpoint.id, "Failed", errorMessage(err));
        void this.stopRuntime(endpoint.id);
      },
    );
  }

  private builtinRuntime(model: ModelRecord): Runtime {
    let runtime = this.builtins.get(model.id);
    if (!runtime) {
      runtime = this.launch(model, 1, undefined);
      this.builtins.set(model.id, runtime);
    }
    return runtime;
  }

  private launch(
    model: ModelRecord,
    replicas: number,
    folder: string | undefined,
    batching: BatchingOptions = {},
  ): Runtime {
    if (isConnector(model)) return this.connectorRuntime(model);
    if (model.kind === "chat") {
      if (model.name !== ANSWERER_MODEL)
        throw badRequest("unsupported_model", `no chat provider for ${model.name}`);
      return { model, replicas: [], dimension: 0, chat: new ExtractiveAnswerer(), ready: Promise.resolve() };
    }
    const source = folder ?? `builtin:${model.name}`;
    const workers = Array.from(
      { length: replicas },
      () => new Replica({ model: source, cacheDir: this.opts.cacheDir }),
    );
    const runtime: Runtime = {
      model,
      replicas: workers,
      dimension: Number(model.config.dimension ?? 0),
      ready: Promise.all(workers.map((w) => w.ready)).then((infos) => {
        if (infos[0]?.dimension) runtime.dimension = infos[0].dimension;
      }),
    };
    runtime.ready.catch(() => {});
    runtime.rerank = (query, candidates) => leastLoaded(workers).rerank(query, candidates);
    if (model.kind === "embedding")
      runtime.batcher = new EmbeddingBatcher(
        (texts) => leastLoaded(workers).embed(texts),
        () => runtime.dimension,
        {
          maxBatch: batching.maxBatch ?? this.opts.maxBatch ?? 256,
          maxWaitMs: batching.maxWaitMs ?? this.opts.maxWaitMs ?? 0,
          // two batches per replica: one computing while the next is posted to it
          concurrency: 2 * replicas,
        },
      );
    return runtime;
  }

  private connectorRuntime(model: ModelRecord): Runtime {
    const spec = model.config as unknown as ConnectorSpec;
    const key = spec.connector_id ? this.opts.connectorKey?.(spec.connector_id) : undefined;
    const client = connectorClient(model.name, spec, key);
    const runtime: Runtime = {
      model,
      replicas: [],
      dimension: Number(model.config.dimension ?? 0),
      ready: Promise.resolve(),
    };
    if (client.kind === "chat") runtime.chat = client.chat;
    else if (client.kind === "reranker")
      runtime.rerank = (query, candidates) =>
        client.rerank.rerank(
          query,
          candidates.map((c) => c.text),
        );
    else
      runtime.batcher = new EmbeddingBatcher(
        (texts) => client.embeddings.embed(texts),
        () => runtime.dimension,
        { maxBatch: this.opts.maxBatch ?? 256, maxWaitMs: this.opts.maxWaitMs ?? 0, concurrency: 4 },
      );
    return runtime;
  }

  private async stopRuntime(id: string): Promise<void> {
    const runtime = this.runtimes.get(id);
    this.runtimes.delete(id);
    if (runtime) await Promise.all(runtime.replicas.map((r) => r.close()));
  }

  private setStatus(id: string, status: EndpointStatus, reason: string | null): void {
    this.db
      .prepare("UPDATE endpoints SET status = ?, reason_message = ?, updated_at = ? WHERE id = ?")
      .run(status, reason, Date.now(), id);
  }
}

export function isConnector(model: ModelRecord): boolean {
  return model.source.startsWith("connector:");
}

/** The source of a remote model whose connector calls one of this platform's own endpoints. */
export const LODESTONE_CONNECTOR = "connector:lodestone";

/** The endpoint (or model) such a remote model stands for: it is served by it, with no HTTP call. */
export function aliasTarget(model: ModelRecord): string | undefined {
  return model.source === LODESTONE_CONNECTOR ? String(model.config.target) : undefined;
}

function leastLoaded(replicas: Replica[]): Replica {
  const alive = replicas.filter((r) => r.alive);
  if (alive.length === 0)
    throw new LodestoneError(503, "endpoint_unavailable", "every replica of this endpoint has failed");
  return alive.reduce((a, b) => (b.load < a.load ? b : a));
}

function fromRow(row: EndpointRow): EndpointRecord {
  return {
    id: row.id,
    modelId: row.model_id,
    status: row.status,
    replicas: row.replicas,
    batching: JSON.parse(row.options) as BatchingOptions,
    reason: row.reason_message,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

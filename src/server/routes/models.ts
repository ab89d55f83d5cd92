/**
 * Bailian-compatible model registry and endpoints: `POST /v1/models {"model_name","oss_path"}` →
 * `{"model_id":"m-…"}`, `POST /v1/endpoints {"model_id"}` → `{"endpoint_id":"ep-…","status"}`,
 * with GET (list and one) and DELETE for both. Model lists also carry OpenAI's fields (`id`,
 * `object`, `created`, `owned_by`) so OpenAI clients can list them.
 */
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { badRequest } from "../../common/errors.ts";
import { CONNECTOR_TYPES, type ConnectorSpec } from "../../serving/connector-models.ts";
import type { EndpointRecord } from "../../serving/endpoints.ts";
import type { ModelRecord } from "../../serving/registry.ts";
import type { Platform } from "../platform-types.ts";
import { ragModelEntries } from "./rag.ts";

const Connector = Type.Object(
  {
    type: Type.Union(CONNECTOR_TYPES.map((t) => Type.Literal(t))),
    base_url: Type.String({ minLength: 1, maxLength: 2048 }),
    model: Type.String({ minLength: 1, maxLength: 256 }),
    api_key_env: Type.Optional(Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$" })),
    style: Type.Optional(Type.Union([Type.Literal("tei"), Type.Literal("cohere")])),
    dimensions: Type.Optional(Type.Integer({ minimum: 1, maximum: 65536 })),
    timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 600000 })),
  },
  { additionalProperties: false },
);
const RegisterBody = Type.Object(
  {
    model_name: Type.String({ minLength: 1, maxLength: 64 }),
    oss_path: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    connector: Type.Optional(Connector),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);
const DeployBody = Type.Object(
  {
    model_id: Type.String({ minLength: 1, maxLength: 128 }),
    replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 8 })),
    max_batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096 })),
    max_wait_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  },
  { additionalProperties: false },
);
const ModelParams = Type.Object({ model_id: Type.String({ minLength: 1, maxLength: 128 }) });
const EndpointParams = Type.Object({ endpoint_id: Type.String({ minLength: 1, maxLength: 128 }) });

export function modelView(m: ModelRecord) {
  return {
    id: m.id,
    object: "model",
    created: Math.floor(m.createdAt / 1000),
    owned_by: m.builtin ? "lodestone" : "user",
    model_id: m.id,
    model_name: m.name,
    version: m.version,
    kind: m.kind,
    source: m.source,
    builtin: m.builtin,
    dimension: typeof m.config.dimension === "number" ? m.config.dimension : null,
    config: m.config,
  };
}

export function endpointView(e: EndpointRecord) {
  return {
    endpoint_id: e.id,
    model_id: e.modelId,
    status: e.status,
    replicas: e.replicas,
    max_batch_size: e.batching.maxBatch ?? null,
    max_wait_ms: e.batching.maxWaitMs ?? null,
    reason: e.reason,
    created_at: new Date(e.createdAt).toISOString(),
    updated_at: new Date(e.updatedAt).toISOString(),
  };
}

export function modelRoutes(app: FastifyInstance, platform: Platform): void {
  const { models, endpoints } = platform;
  app.post("/v1/models", { schema: { body: RegisterBody } }, async (req, reply) => {
    const body = req.body as { model_name: string; oss_path?: string; connector?: ConnectorSpec };
    if ((body.oss_path === undefined) === (body.connector === undefined))
      throw badRequest(
        "invalid_model_source",
        "give either oss_path (a trained model folder) or connector (an upstream server), not both or neither",
        body.oss_path === undefined ? "oss_path" : "connector",
      );
    const model = body.connector
      ? await models.registerConnector(body.model_name, body.connector)
      : await models.register(body.model_name, body.oss_path as string);
    return reply.code(201).send(modelView(model));
  });
  // RAG apps answer as models too: rag:<name> on /v1/chat/completions
  app.get("/v1/models", async () => ({
    object: "list",
    data: [...models.list().map(modelView), ...ragModelEntries(platform.rag)],
  }));
  app.get("/v1/models/:model_id", { schema: { params: ModelParams } }, async (req) =>
    modelView(models.get((req.params as { model_id: string }).model_id)),
  );
  app.delete("/v1/models/:model_id", { schema: { params: ModelParams } }, async (req) => {
    const id = (req.params as { model_id: string }).model_id;
    models.delete(id, endpoints.servingModel(id));
    return { model_id: id, deleted: true };
  });

  app.post("/v1/endpoints", { schema: { body: DeployBody } }, async (req, reply) => {
    const body = req.body as {
      model_id: string;
      replicas?: number;
      max_batch_size?: number;
      max_wait_ms?: number;
    };
    const batching = {
      ...(body.max_batch_size !== undefined ? { maxBatch: body.max_batch_size } : {}),
      ...(body.max_wait_ms !== undefined ? { maxWaitMs: body.max_wait_ms } : {}),
    };
    return reply.code(201).send(endpointView(endpoints.create(body.model_id, body.replicas ?? 1, batching)));
  });
  app.get("/v1/endpoints", async () => ({ data: endpoints.list().map(endpointView) }));
  app.get("/v1/endpoints/:endpoint_id", { schema: { params: EndpointParams } }, async (req) =>
    endpointView(endpoints.get((req.params as { endpoint_id: string }).endpoint_id)),
  );
  app.post("/v1/endpoints/:endpoint_id/stop", { schema: { params: EndpointParams } }, async (req) =>
    endpointView(await endpoints.stop((req.params as { endpoint_id: string }).endpoint_id)),
  );
  app.post("/v1/endpoints/:endpoint_id/start", { schema: { params: EndpointParams } }, async (req) =>
    endpointView(endpoints.resume((req.params as { endpoint_id: string }).endpoint_id)),
  );
  app.delete("/v1/endpoints/:endpoint_id", { schema: { params: EndpointParams } }, async (req) => {
    const id = (req.params as { endpoint_id: string }).endpoint_id;
    await endpoints.delete(id);
    return { endpoint_id: id, deleted: true };
  });
}

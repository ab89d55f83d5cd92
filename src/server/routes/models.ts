/**
 * Bailian-compatible model registry and endpoints: `POST /v1/models {"model_name","oss_path"}` →
 * `{"model_id":"m-…"}`, `POST /v1/endpoints {"model_id"}` → `{"endpoint_id":"ep-…","status"}`,
 * with GET (list and one) and DELETE for both. Model lists also carry OpenAI's fields (`id`,
 * `object`, `created`, `owned_by`) so OpenAI clients can list them.
 */
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { EndpointRecord } from "../../serving/endpoints.ts";
import type { ModelRecord } from "../../serving/registry.ts";
import type { Platform } from "../platform-types.ts";

const RegisterBody = Type.Object(
  {
    model_name: Type.String({ minLength: 1, maxLength: 64 }),
    oss_path: Type.String({ minLength: 1, maxLength: 2048 }),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);
const DeployBody = Type.Object(
  {
    model_id: Type.String({ minLength: 1, maxLength: 128 }),
    replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 8 })),
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
    reason: e.reason,
    created_at: new Date(e.createdAt).toISOString(),
    updated_at: new Date(e.updatedAt).toISOString(),
  };
}

export function modelRoutes(app: FastifyInstance, platform: Platform): void {
  const { models, endpoints } = platform;
  app.post("/v1/models", { schema: { body: RegisterBody } }, async (req, reply) => {
    const body = req.body as { model_name: string; oss_path: string };
    const model = await models.register(body.model_name, body.oss_path);
    return reply.code(201).send(modelView(model));
  });
  app.get("/v1/models", async () => ({ object: "list", data: models.list().map(modelView) }));
  app.get("/v1/models/:model_id", { schema: { params: ModelParams } }, async (req) =>
    modelView(models.get((req.params as { model_id: string }).model_id)),
  );
  app.delete("/v1/models/:model_id", { schema: { params: ModelParams } }, async (req) => {
    const id = (req.params as { model_id: string }).model_id;
    models.delete(id, endpoints.servingModel(id));
    return { model_id: id, deleted: true };
  });

  app.post("/v1/endpoints", { schema: { body: DeployBody } }, async (req, reply) => {
    const body = req.body as { model_id: string; replicas?: number };
    return reply.code(201).send(endpointView(endpoints.create(body.model_id, body.replicas ?? 1)));
  });
  app.get("/v1/endpoints", async () => ({ data: endpoints.list().map(endpointView) }));
  app.get("/v1/endpoints/:endpoint_id", { schema: { params: EndpointParams } }, async (req) =>
    endpointView(endpoints.get((req.params as { endpoint_id: string }).endpoint_id)),
  );
  app.delete("/v1/endpoints/:endpoint_id", { schema: { params: EndpointParams } }, async (req) => {
    const id = (req.params as { endpoint_id: string }).endpoint_id;
    await endpoints.delete(id);
    return { endpoint_id: id, deleted: true };
  });
}

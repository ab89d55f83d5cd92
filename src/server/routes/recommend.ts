/**
 * The AIRec-compatible recommendation API (docs/recommend.md): instances, scenes, datasources,
 * behaviours, training and `POST /v2/recommend`. Answers are `{request_id, result}` as AIRec's
 * (`requestId`/`result`); errors are the platform's one error shape, naming the field.
 */
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { badRequest } from "../../common/errors.ts";
import { checkDatasource, InstanceBody, RecommendBody, SceneBody } from "../../recommend/schema.ts";
import type { RecommendService } from "../../recommend/service.ts";

const Id = Type.String({ minLength: 1, maxLength: 128 });
const InstanceParams = Type.Object({ id: Id });
const SceneParams = Type.Object({ id: Id, scene_id: Id });
const DatasourceParams = Type.Object({ id: Id, ds: Id });
const BehaviorQuery = Type.Object(
  {
    user_id: Type.String({ minLength: 1, maxLength: 256 }),
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  },
  { additionalProperties: false },
);

const ListQuery = Type.Object(
  { index: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) },
  { additionalProperties: false },
);
const UsersQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) },
  { additionalProperties: false },
);

/** The most events one push may carry. */
export const MAX_BEHAVIORS = 10_000;

export function recommendRoutes(app: FastifyInstance, rec: RecommendService): void {
  const ok = (requestId: string, result: unknown) => ({ request_id: requestId, result });
  const params = (req: { params: unknown }) => req.params as Static<typeof InstanceParams>;

  app.post("/v2/instances", { schema: { body: InstanceBody } }, async (req, reply) =>
    reply.code(201).send(ok(req.id, rec.instances.create(req.body as Static<typeof InstanceBody>))),
  );
  // ?index=<name>: the instances whose catalog is that search index (the console's "related" panel)
  app.get("/v2/instances", { schema: { querystring: ListQuery } }, async (req) => {
    const { index } = req.query as Static<typeof ListQuery>;
    const all = rec.instances.list();
    if (index === undefined) return ok(req.id, all);
    return ok(
      req.id,
      all.filter((i) =>
        rec.datasources.list(i.instance_id).some((d) => d.type === "elasticsearch" && d.index === index),
      ),
    );
  });
  app.get("/v2/instances/:id", { schema: { params: InstanceParams } }, async (req) =>
    ok(req.id, rec.describe(rec.instances.get(params(req).id))),
  );
  app.delete("/v2/instances/:id", { schema: { params: InstanceParams } }, async (req) => {
    rec.deleteInstance(params(req).id);
    return ok(req.id, { deleted: true });
  });

  app.post(
    "/v2/instances/:id/scenes",
    { schema: { params: InstanceParams, body: SceneBody } },
    async (req, reply) =>
      reply
        .code(201)
        .send(ok(req.id, rec.instances.createScene(params(req).id, req.body as Static<typeof SceneBody>))),
  );
  app.get("/v2/instances/:id/scenes", { schema: { params: InstanceParams } }, async (req) =>
    ok(req.id, rec.instances.scenes(params(req).id)),
  );
  app.get("/v2/instances/:id/scenes/:scene_id", { schema: { params: SceneParams } }, async (req) => {
    const p = req.params as Static<typeof SceneParams>;
    return ok(req.id, rec.instances.scene(p.id, p.scene_id, "scene_id"));
  });
  app.delete("/v2/instances/:id/scenes/:scene_id", { schema: { params: SceneParams } }, async (req) => {
    const p = req.params as Static<typeof SceneParams>;
    rec.instances.deleteScene(p.id, p.scene_id);
    return ok(req.id, { deleted: true });
  });

  app.post("/v2/instances/:id/datasources", { schema: { params: InstanceParams } }, async (req, reply) =>
    reply.code(201).send(ok(req.id, rec.addDatasource(params(req).id, checkDatasource(req.body)))),
  );
  app.get("/v2/instances/:id/datasources", { schema: { params: InstanceParams } }, async (req) => {
    rec.instances.get(params(req).id);
    return ok(req.id, rec.datasources.list(params(req).id));
  });
  app.get("/v2/instances/:id/datasources/:ds", { schema: { params: DatasourceParams } }, async (req) => {
    const p = req.params as Static<typeof DatasourceParams>;
    return ok(req.id, rec.datasources.get(p.id, p.ds));
  });
  app.delete("/v2/instances/:id/datasources/:ds", { schema: { params: DatasourceParams } }, async (req) => {
    const p = req.params as Static<typeof DatasourceParams>;
    rec.deleteDatasource(p.id, p.ds);
    return ok(req.id, { deleted: true });
  });
  // syncs now and answers when done (a failed sync is a 200 whose state says "failed" and why)
  app.post(
    "/v2/instances/:id/datasources/:ds/sync",
    { schema: { params: DatasourceParams } },
    async (req) => {
      const p = req.params as Static<typeof DatasourceParams>;
      const ds = await rec.sync(p.id, p.ds).catch(() => rec.datasources.get(p.id, p.ds));
      return ok(req.id, ds);
    },
  );

  app.post("/v2/instances/:id/behaviors", { schema: { params: InstanceParams } }, async (req) => {
    const body = req.body as unknown;
    const events = Array.isArray(body) ? body : (body as { behaviors?: unknown } | null)?.behaviors;
    if (!Array.isArray(events))
      throw badRequest(
        "InvalidParameter",
        'body must be {"behaviors": [events]} or an array of events ({user_id, item_id, type, …})',
        "behaviors",
      );
    if (events.length > MAX_BEHAVIORS)
      throw badRequest(
        "InvalidParameter",
        `body.behaviors has ${events.length} events; send at most ${MAX_BEHAVIORS} per request`,
        "behaviors",
      );
    return ok(req.id, rec.push(params(req).id, events));
  });
  app.get(
    "/v2/instances/:id/behaviors",
    { schema: { params: InstanceParams, querystring: BehaviorQuery } },
    async (req) => {
      const q = req.query as Static<typeof BehaviorQuery>;
      rec.instances.get(params(req).id);
      rec.flushExposures();
      return ok(req.id, rec.behaviors.list(params(req).id, q.user_id, q));
    },
  );

  // the users who acted lately, for the console's user picker
  app.get(
    "/v2/instances/:id/users",
    { schema: { params: InstanceParams, querystring: UsersQuery } },
    async (req) => {
      rec.instances.get(params(req).id);
      return ok(req.id, rec.behaviors.users(params(req).id, (req.query as Static<typeof UsersQuery>).limit));
    },
  );

  app.post("/v2/instances/:id/train", { schema: { params: InstanceParams } }, async (req, reply) => {
    const body = (req.body ?? {}) as { channels?: unknown };
    if (typeof body !== "object" || Array.isArray(body) || Object.keys(body).some((k) => k !== "channels"))
      throw badRequest("InvalidParameter", 'body must be empty or {"channels": ["item_cf", …]}', "channels");
    if (
      body.channels !== undefined &&
      !(Array.isArray(body.channels) && body.channels.every((c) => typeof c === "string"))
    )
      throw badRequest("InvalidParameter", "body.channels must be an array of channel names", "channels");
    return reply.code(202).send(ok(req.id, await rec.train(params(req).id, body as { channels?: string[] })));
  });

  app.post("/v2/recommend", { schema: { body: RecommendBody } }, async (req) =>
    rec.recommend(req.body as Static<typeof RecommendBody>, req.id),
  );
}

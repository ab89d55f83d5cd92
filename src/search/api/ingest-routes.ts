/** `_ingest/pipeline`: create, read, delete and simulate ingest pipelines (OpenSearch 2.x paths and bodies). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SearchEngine } from "../engine.ts";
import { boolParam, checkParams, jsonBody, requireBody, send } from "./http.ts";

type Req = FastifyRequest<{ Params: Record<string, string> }>;

export function ingestRoutes(app: FastifyInstance, engine: SearchEngine): void {
  const get = (req: Req, reply: FastifyReply) => {
    checkParams(req, ["summary"]);
    const { found, body } = engine.ingest.get(req.params.id);
    // OpenSearch answers an unknown id with 404 and an empty object
    return send(reply, req, body, found ? 200 : 404);
  };
  app.get("/_ingest/pipeline", get);
  app.get("/_ingest/pipeline/:id", get);
  app.put("/_ingest/pipeline/:id", (req: Req, reply) => {
    checkParams(req, []);
    return send(
      reply,
      req,
      engine.ingest.put(req.params.id as string, requireBody(req, "pipeline definition")),
    );
  });
  app.delete("/_ingest/pipeline/:id", (req: Req, reply) => {
    checkParams(req, []);
    return send(reply, req, engine.ingest.delete(req.params.id as string));
  });
  const simulate = async (req: Req, reply: FastifyReply) => {
    const q = checkParams(req, ["verbose"]);
    const result = await engine.ingest.simulate(req.params.id, jsonBody(req), boolParam(q.verbose) === true);
    return send(reply, req, result);
  };
  for (const method of ["get", "post"] as const) {
    app[method]("/_ingest/pipeline/_simulate", simulate);
    app[method]("/_ingest/pipeline/:id/_simulate", simulate);
  }
}

/** `/_search/pipeline` (OpenSearch 2.x search pipelines): create or replace, get, delete. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SearchEngine } from "../engine.ts";
import { checkParams, requireBody, send } from "./http.ts";

type Req = FastifyRequest<{ Params: Record<string, string> }>;

export function searchPipelineRoutes(app: FastifyInstance, engine: SearchEngine): void {
  const get = (req: Req, reply: FastifyReply) => {
    checkParams(req, []);
    // OpenSearch answers 404 with an empty object when no pipeline matches
    const { found, body } = engine.searchPipelines.get(req.params.id);
    return send(reply, req, body, found ? 200 : 404);
  };
  app.get("/_search/pipeline", get);
  app.get("/_search/pipeline/:id", get);
  app.put("/_search/pipeline/:id", (req: Req, reply) => {
    checkParams(req, []);
    const body = requireBody(req, "search pipeline definition");
    return send(reply, req, engine.searchPipelines.put(req.params.id as string, body));
  });
  app.delete("/_search/pipeline/:id", (req: Req, reply) => {
    checkParams(req, []);
    return send(reply, req, engine.searchPipelines.delete(req.params.id as string));
  });
}

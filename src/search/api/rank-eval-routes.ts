/** `GET|POST /_rank_eval` and `/{index}/_rank_eval`: ranking evaluation (rank-eval.ts). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SearchEngine } from "../engine.ts";
import { illegalArgument } from "../errors.ts";
import { rankEval } from "../rank-eval.ts";
import { checkParams, requireBody, send } from "./http.ts";

type Req = FastifyRequest<{ Params: Record<string, string> }>;

const SEARCH_TYPES = ["query_then_fetch", "dfs_query_then_fetch"];

export function rankEvalRoutes(app: FastifyInstance, engine: SearchEngine): void {
  const handler = async (req: Req, reply: FastifyReply) => {
    const q = checkParams(req, ["search_type", "search_pipeline"]);
    // one shard per index: both search types score alike, so the value is only checked
    if (q.search_type !== undefined && !SEARCH_TYPES.includes(q.search_type))
      throw illegalArgument(`No search type for [${q.search_type}]`);
    const body = requireBody(req, "rank evaluation specification");
    const params = q.search_pipeline === undefined ? {} : { search_pipeline: q.search_pipeline };
    return send(reply, req, await rankEval(engine, req.params.index ?? "_all", body, params));
  };
  for (const method of ["get", "post"] as const) {
    app[method]("/_rank_eval", handler);
    app[method]("/:index/_rank_eval", handler);
  }
}

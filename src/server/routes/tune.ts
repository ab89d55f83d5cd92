/**
 * `POST /_lodestone/tune` on the search port: the relevance tuner (src/eval/tune) run on the
 * server, against the engine it is mounted on (requests go through Fastify's inject, so they take
 * the same path, pipelines and errors as any client's). It answers when tuning is done.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { parseTuneRequest, TuneRequestError } from "../../eval/tune/request.ts";
import type { SearchTransport } from "../../eval/tune/transport.ts";
import { tune } from "../../eval/tune/tuner.ts";
import { checkParams, jsonBody, send } from "../../search/api/http.ts";
import { EngineError, illegalArgument } from "../../search/errors.ts";

/** The engine's own REST API, in process: a non-2xx answer becomes the EngineError it describes. */
function injectTransport(app: FastifyInstance): SearchTransport {
  return {
    async json<T>(method: string, path: string, opts: Parameters<SearchTransport["json"]>[2] = {}) {
      const query = Object.entries(opts.query ?? {}).filter(([, v]) => v !== undefined);
      const url = query.length
        ? `${path}?${new URLSearchParams(query.map(([k, v]) => [k, String(v)]))}`
        : path;
      const raw = opts.rawBody !== undefined;
      const res = await app.inject({
        method: method as "GET",
        url,
        ...((raw || opts.body !== undefined) && {
          payload: raw ? opts.rawBody : JSON.stringify(opts.body),
          headers: {
            "content-type": raw ? (opts.contentType ?? "application/x-ndjson") : "application/json",
          },
        }),
      });
      const body = res.body ? JSON.parse(res.body) : {};
      if (res.statusCode >= 300) {
        const error = body?.error ?? {};
        throw new EngineError(
          res.statusCode,
          error.type ?? "exception",
          `${method} ${path}: ${error.reason ?? res.body}`,
        );
      }
      return body as T;
    },
  };
}

export function tuneRoutes(app: FastifyInstance): void {
  const transport = injectTransport(app);
  app.post("/_lodestone/tune", async (req: FastifyRequest, reply) => {
    checkParams(req, []);
    let request: ReturnType<typeof parseTuneRequest>;
    try {
      request = parseTuneRequest(jsonBody(req));
    } catch (err) {
      if (err instanceof TuneRequestError) throw illegalArgument(err.message);
      throw err;
    }
    try {
      return send(reply, req, await tune(transport, request));
    } catch (err) {
      if (err instanceof TuneRequestError) throw illegalArgument(err.message);
      throw err;
    }
  });
}

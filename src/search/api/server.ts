/** The Fastify server of the ES-compatible API: raw bodies (JSON and NDJSON), ES error bodies, 404s. */

import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { acceptableRequestId, REQUEST_ID_HEADER } from "../../common/request-context.ts";
import { type StorageFault, storageFault } from "../../common/storage-faults.ts";
import type { SearchEngine } from "../engine.ts";
import { EngineError, errorBody, isEngineError } from "../errors.ts";
import { send } from "./http.ts";
import { searchRoutes } from "./routes.ts";

export interface SearchServerOptions {
  bodyLimit: number;
  version: string;
  /** A logger to share (the platform's); none when absent. */
  logger?: FastifyBaseLogger;
  /**
   * Registers routes of APIs the engine does not implement itself (the platform's ML Commons
   * routes), so that search/ needs no import of them. They share the raw-text body parser, the
   * ES error bodies and the 404 handler.
   */
  plugins?: (app: FastifyInstance) => void;
  /** Adds hooks before any route (the platform's request metrics), so search/ needs no import of them. */
  instrument?: (app: FastifyInstance) => void;
}

export function buildSearchApp(engine: SearchEngine, opts: SearchServerOptions): FastifyInstance {
  const app = Fastify({
    // lines of this server carry server: "search" in the log it shares with the platform
    ...(opts.logger ? { loggerInstance: opts.logger.child({ server: "search" }) } : { logger: false }),
    // the caller's id (a platform request's, or an Elasticsearch client's X-Opaque-Id) is the
    // request id, so one request can be followed from the platform's log lines into these
    genReqId: (req) => {
      const given = req.headers[REQUEST_ID_HEADER] ?? req.headers["x-opaque-id"];
      return acceptableRequestId(given) ? given : randomUUID();
    },
    bodyLimit: opts.bodyLimit,
    // HEAD routes are declared explicitly (index and document existence answer 200/404, not a GET body)
    exposeHeadRoutes: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 4096 },
  });
  app.addHook("onSend", async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    const opaque = request.headers["x-opaque-id"];
    if (typeof opaque === "string") reply.header("x-opaque-id", opaque);
  });
  opts.instrument?.(app);
  app.removeAllContentTypeParsers();
  // every body is read as text: JSON, NDJSON and whatever content type clients send
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));
  // Elasticsearch clients send GET _search, _count, _msearch … with a body (Kibana Dev Tools,
  // curl -XGET -d); Fastify reads no body for GET, so read it here, within the same limit.
  app.addHook("preValidation", async (req) => {
    if (req.method !== "GET" || req.body !== undefined || !hasBody(req.headers)) return;
    req.body = await readRawBody(req.raw, opts.bodyLimit);
  });
  app.setErrorHandler((err, req, reply) => {
    let engineError: EngineError;
    if (isEngineError(err)) engineError = err;
    else if ((err as { statusCode?: number }).statusCode === 413) {
      engineError = bodyTooLarge(opts.bodyLimit);
    } else if (
      (err as { statusCode?: number }).statusCode &&
      (err as { statusCode: number }).statusCode < 500
    ) {
      engineError = new EngineError(
        (err as { statusCode: number }).statusCode,
        "illegal_argument_exception",
        (err as Error).message,
      );
    } else if (storageFault(err)) {
      const fault = storageFault(err) as StorageFault;
      req.log.error({ err }, fault.message);
      engineError = new EngineError(fault.status, fault.type, fault.message);
    } else {
      req.log.error({ err }, "search request failed");
      engineError = new EngineError(500, "exception", `internal error: ${(err as Error).message}`);
    }
    return send(reply, req, errorBody(engineError), engineError.status);
  });
  app.setNotFoundHandler((req, reply) => {
    const err = new EngineError(
      404,
      "no_handler_found_exception",
      `no handler found for uri [${req.url.split("?")[0]}] and method [${req.method}]`,
    );
    return send(reply, req, errorBody(err), 404);
  });
  searchRoutes(app, engine, { version: opts.version });
  // routes may be added until the app is ready; the not-found handler only sees unmatched ones
  opts.plugins?.(app);
  return app;
}

/** Elasticsearch's answer to a body over `http.max_content_length`. */
function bodyTooLarge(limit: number): EngineError {
  return new EngineError(
    413,
    "content_too_long_exception",
    `request body is larger than the limit of ${limit} bytes`,
  );
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  return Number(headers["content-length"] ?? 0) > 0 || headers["transfer-encoding"] !== undefined;
}

function readRawBody(stream: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stream.destroy();
        reject(bodyTooLarge(limit));
      } else chunks.push(chunk);
    });
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
  });
}

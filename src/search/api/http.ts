/** HTTP plumbing for the ES-compatible API: body parsing, query-parameter checks, warnings, errors. */
import type { FastifyReply, FastifyRequest } from "fastify";
import { EngineError, illegalArgument } from "../errors.ts";
import { checkJsonDepth } from "../json-depth.ts";

/** Parameters every endpoint accepts (ES's common options and what clients add). */
const COMMON_PARAMS = [
  "pretty",
  "human",
  "error_trace",
  "filter_path",
  "format",
  "source",
  "source_content_type",
  "timeout",
  "master_timeout",
  "cluster_manager_timeout",
  "wait_for_active_shards",
  "ignore_unavailable",
  "allow_no_indices",
  "expand_wildcards",
  "ignore_throttled",
  "local",
  "routing",
  "preference",
];

export function checkParams(req: FastifyRequest, allowed: readonly string[]): Record<string, string> {
  const query = req.query as Record<string, string>;
  for (const key of Object.keys(query)) {
    if (!COMMON_PARAMS.includes(key) && !allowed.includes(key)) {
      throw illegalArgument(`request [${req.url.split("?")[0]}] contains unrecognized parameter: [${key}]`);
    }
  }
  return query;
}

/** The JSON body (or the `source` query parameter GET clients use); undefined when empty. */
export function jsonBody(req: FastifyRequest): unknown {
  let raw = req.body as string | undefined;
  const query = req.query as Record<string, string>;
  if ((raw === undefined || raw === "") && query.source) raw = query.source;
  if (raw === undefined || raw === "" || /^\s*$/.test(raw)) return undefined;
  checkJsonDepth(raw);
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new EngineError(
      400,
      "parse_exception",
      `Failed to parse content to map: ${(err as Error).message}`,
      {
        caused_by: { type: "json_parse_exception", reason: (err as Error).message },
      },
    );
  }
}

export function rawBody(req: FastifyRequest): string {
  const raw = req.body as string | undefined;
  if (raw === undefined || raw === "")
    throw new EngineError(400, "parse_exception", "request body is required");
  return raw;
}

export function requireBody(req: FastifyRequest, what: string): unknown {
  const body = jsonBody(req);
  if (body === undefined) throw new EngineError(400, "parse_exception", `request body is required (${what})`);
  return body;
}

export function send(
  reply: FastifyReply,
  req: FastifyRequest,
  body: unknown,
  status = 200,
  warnings: string[] = [],
): FastifyReply {
  for (const w of warnings) reply.header("Warning", `299 Lodestone "${w.replace(/["\\]/g, "'")}"`);
  const pretty = (req.query as Record<string, string>).pretty !== undefined;
  return reply
    .code(status)
    .header("content-type", "application/json; charset=UTF-8")
    .send(pretty ? `${JSON.stringify(body, null, 2)}\n` : JSON.stringify(body));
}

export function boolParam(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  return value === "" || value === "true";
}

export function intQuery(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw illegalArgument(`Failed to parse int parameter [${name}] with value [${value}]`);
  return n;
}

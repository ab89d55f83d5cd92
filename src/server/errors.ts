import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isLodestoneError } from "../common/errors.ts";
import { storageFault } from "../common/storage-faults.ts";
import { ConnectorError } from "../serving/connectors/http.ts";

/**
 * The platform API's one error shape, the one OpenAI-compatible clients already parse:
 * `{"error":{"type","code","message","param"},"request_id"}`.
 */
export interface ErrorBody {
  error: { type: string; code: string; message: string; param: string | null };
  request_id: string;
}

const TYPE_BY_STATUS: Record<number, string> = {
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  409: "conflict_error",
  429: "rate_limit_error",
};

function errorType(status: number): string {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? "server_error" : "invalid_request_error");
}

export function errorBody(
  status: number,
  code: string,
  message: string,
  param: string | null,
  requestId: string,
): ErrorBody {
  return { error: { type: errorType(status), code, message, param }, request_id: requestId };
}

/** Turns a Fastify schema-validation failure into a message naming the field and what it expects. */
function describeValidation(err: FastifyError): { message: string; param: string | null } {
  const first = err.validation?.[0];
  if (!first) return { message: err.message, param: null };
  const where = err.validationContext ?? "body";
  const missing = (first.params as { missingProperty?: string }).missingProperty;
  const extra = (first.params as { additionalProperty?: string }).additionalProperty;
  const pathParts = first.instancePath.split("/").filter(Boolean);
  if (missing) pathParts.push(missing);
  if (extra) pathParts.push(extra);
  const param = pathParts.join(".") || null;
  const field = param ? `${where}.${param}` : where;
  if (missing) return { message: `${field} is required`, param };
  if (extra) return { message: `${field} is not a known field`, param };
  return { message: `${field} ${first.message ?? "is invalid"}`, param };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((thrown: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    // an upstream model server's failure is a 502 (504 on timeout), never our own 500
    const err =
      thrown instanceof ConnectorError ? (thrown.toLodestoneError() as unknown as FastifyError) : thrown;
    if (isLodestoneError(err)) {
      if (err.status >= 500) request.log.error({ err }, err.message);
      return reply
        .status(err.status)
        .send(errorBody(err.status, err.code, err.message, err.param ?? null, request.id));
    }
    if (err.validation) {
      const { message, param } = describeValidation(err);
      return reply.status(400).send(errorBody(400, "InvalidParameter", message, param, request.id));
    }
    const fault = storageFault(err);
    if (fault) {
      request.log.error({ err }, fault.message);
      return reply
        .status(fault.status)
        .send(errorBody(fault.status, fault.code, fault.message, null, request.id));
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, "request failed");
      return reply
        .status(500)
        .send(errorBody(500, "InternalError", "internal server error; see the server log", null, request.id));
    }
    const code =
      status === 413 ? "RequestTooLarge" : status === 415 ? "UnsupportedMediaType" : "InvalidRequest";
    return reply.status(status).send(errorBody(status, code, err.message, null, request.id));
  });
  app.setNotFoundHandler((request, reply) => {
    const message = `no route ${request.method} ${request.url.split("?")[0]}; see docs/ for the API`;
    return reply.status(404).send(errorBody(404, "RouteNotFound", message, null, request.id));
  });
}

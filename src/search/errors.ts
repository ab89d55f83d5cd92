/**
 * Errors of the embedded engine, shaped like Elasticsearch's: a `type` such as
 * `illegal_argument_exception`, a `reason`, an HTTP status, and optional extra fields
 * (index, index_uuid, line, col …) that the REST layer copies into the error body.
 */
export class EngineError extends Error {
  readonly status: number;
  readonly type: string;
  readonly extra: Record<string, unknown>;

  constructor(status: number, type: string, reason: string, extra: Record<string, unknown> = {}) {
    super(reason);
    this.name = "EngineError";
    this.status = status;
    this.type = type;
    this.extra = extra;
  }
}

export const illegalArgument = (reason: string, extra?: Record<string, unknown>) =>
  new EngineError(400, "illegal_argument_exception", reason, extra);

export const parsingError = (reason: string, extra?: Record<string, unknown>) =>
  new EngineError(400, "parsing_exception", reason, extra);

export const mapperParsing = (reason: string) => new EngineError(400, "mapper_parsing_exception", reason);

export const indexNotFound = (index: string) =>
  new EngineError(404, "index_not_found_exception", `no such index [${index}]`, {
    "resource.type": "index_or_alias",
    "resource.id": index,
    index,
  });

export const indexClosed = (index: string) =>
  new EngineError(400, "index_closed_exception", "closed", { index });

export const versionConflict = (index: string, reason: string) =>
  new EngineError(409, "version_conflict_engine_exception", reason, { index });

export function isEngineError(err: unknown): err is EngineError {
  return err instanceof EngineError;
}

/** The Elasticsearch error body for an error (`{"error":{root_cause,type,reason,…},"status"}`). */
export function errorBody(err: EngineError): { error: Record<string, unknown>; status: number } {
  const cause = { type: err.type, reason: err.message, ...err.extra };
  return { error: { root_cause: [cause], ...cause }, status: err.status };
}

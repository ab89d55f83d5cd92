/**
 * The one error type every module throws for problems the caller can fix or should know about.
 * It carries an HTTP status so the server can answer without knowing which module raised it,
 * and `param` names the offending field, as OpenAI-style error bodies do.
 */
export class LodestoneError extends Error {
  readonly status: number;
  readonly code: string;
  readonly param: string | undefined;

  constructor(status: number, code: string, message: string, param?: string) {
    super(message);
    this.name = "LodestoneError";
    this.status = status;
    this.code = code;
    this.param = param;
  }
}

export const badRequest = (code: string, message: string, param?: string) =>
  new LodestoneError(400, code, message, param);
export const notFound = (code: string, message: string, param?: string) =>
  new LodestoneError(404, code, message, param);
export const conflict = (code: string, message: string, param?: string) =>
  new LodestoneError(409, code, message, param);

export function isLodestoneError(err: unknown): err is LodestoneError {
  return err instanceof LodestoneError;
}

/** The message of anything thrown, for logs and user-facing reasons. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

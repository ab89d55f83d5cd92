/** What every check returns and the HTTP clients the checks are given. */

export type Level = "ok" | "warning" | "error";

export interface Finding {
  /** Which check found it: connection, plugins, dimensions, pipelines, models, analysis, similarity, latency. */
  check: string;
  level: Level;
  message: string;
  /** What to do about it: a command or request where there is one. */
  fix?: string;
  /** Structured facts (index, field, model, numbers) for scripts reading `--json`. */
  details?: Record<string, unknown>;
}

/**
 * A JSON-over-HTTP client (the CLI's ApiClient fits): `json` rejects on a non-2xx answer with an
 * error carrying the HTTP `status`.
 */
export interface DoctorClient {
  readonly baseUrl: string;
  json<T = Record<string, unknown>>(
    method: string,
    path: string,
    opts?: { body?: unknown; query?: Record<string, string | number | boolean | undefined> },
  ): Promise<T>;
}

/** The HTTP status of a failed request, when the server answered at all. */
export function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `curl` for a POST without a body, so a fix can be pasted as it is. */
export const curlPost = (url: string) => `curl -X POST ${url}`;

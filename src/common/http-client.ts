/**
 * A small JSON-over-HTTP client of Lodestone's APIs (the platform API and the
 * Elasticsearch/OpenSearch-compatible search API), and the errors it throws: `ApiError` carries
 * the HTTP status and the server's own message. The CLI and backends/embedded.ts use it.
 */
import { requestIdHeaders } from "./request-context.ts";

/** A failure to show the user: the message says what went wrong and what to do next. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  body?: unknown;
  /** Raw bytes or a stream to send instead of JSON. */
  rawBody?: BodyInit;
  /** The content type of `rawBody` (default application/octet-stream). */
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
}

/** A thin client of the platform HTTP API used by every command that is not `serve`. */
export class ApiClient {
  /** `apiKey` (default `LODESTONE_API_KEY`) is sent as `Authorization: Bearer <key>`. */
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string | undefined = process.env.LODESTONE_API_KEY || undefined,
  ) {}

  async json<T = Record<string, unknown>>(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<T> {
    const response = await this.send(method, path, opts);
    if (response.status === 204) return {} as T;
    return (await response.json()) as T;
  }

  async send(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const url = new URL(path, `${this.baseUrl}/`);
    for (const [key, value] of Object.entries(opts.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    // inside a server request, the call carries its id (the RAG app's search calls)
    const headers: Record<string, string> = requestIdHeaders();
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    const init: RequestInit & { duplex?: string } = { method, headers };
    if (opts.rawBody !== undefined) {
      init.body = opts.rawBody;
      headers["content-type"] = opts.contentType ?? "application/octet-stream";
      init.duplex = "half";
    } else if (opts.body !== undefined) {
      init.body = JSON.stringify(opts.body);
      headers["content-type"] = "application/json";
    }
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new CliError(
        `cannot reach the Lodestone server at ${this.baseUrl} (${why}); start it with "lodestone serve" or pass --url`,
      );
    }
    if (!response.ok) throw await toError(response);
    return response;
  }
}

/** The server's error, as the server worded it (its messages name the field and the fix). */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message, 1);
  }
}

async function toError(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as {
      error?: { code?: string; message?: string; type?: string; reason?: string };
    };
    if (body.error?.message && response.status === 401)
      return new ApiError(
        401,
        body.error.code ?? "Error",
        `${body.error.message}; give it to this command with LODESTONE_API_KEY or --api-key`,
      );
    if (body.error?.message)
      return new ApiError(response.status, body.error.code ?? "Error", body.error.message);
    // the search API answers with Elasticsearch's error shape
    if (body.error?.reason)
      return new ApiError(response.status, body.error.type ?? "Error", body.error.reason);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(response.status, "HttpError", `HTTP ${response.status}: ${text.slice(0, 300)}`);
}

/** Reads a server-sent-events stream, yielding each event's parsed JSON data. */
export async function* readEvents<T>(response: Response): AsyncGenerator<T> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split("\n")
        .filter((line) => line.startsWith("data: "))
        .map((line) => line.slice(6))
        .join("\n");
      if (data) yield JSON.parse(data) as T;
      end = buffer.indexOf("\n\n");
    }
  }
}

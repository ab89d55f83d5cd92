/**
 * A real OpenSearch 2.x cluster as the backend, through the official client
 * (`@opensearch-project/opensearch`): basic auth (the password from an environment variable) or an
 * API key, TLS verification that can be turned off for self-signed demo clusters, and a request
 * timeout. Cluster errors become `ApiError`s with OpenSearch's reason and HTTP status, so the
 * workflow's 404 checks and the user's messages work as with the embedded engine. Lodestone
 * endpoints become ML Commons remote models (remote-models.ts).
 */
import { Client, type ClientOptions } from "@opensearch-project/opensearch";
import { ApiError, CliError, type RequestOptions } from "../common/http-client.ts";
import { clusterDescription } from "./embedded.ts";
import { type PlatformAccess, RemoteModels } from "./remote-models.ts";
import type { BackendDescription, EndpointRef, SearchBackend } from "./types.ts";

export interface OpenSearchOptions {
  url: string;
  username?: string;
  password?: string;
  /** Sent as `Authorization: ApiKey <key>`. */
  apiKey?: string;
  tlsRejectUnauthorized?: boolean;
  requestTimeoutMs?: number;
  /** How the cluster reaches Lodestone's /v1/embeddings and /v1/rerank. */
  platform: PlatformAccess;
  /** Between two polls of an ML Commons task (tests make it short). */
  pollMs?: number;
}

export class OpenSearchBackend implements SearchBackend {
  readonly kind = "opensearch";
  readonly baseUrl: string;
  private readonly client: Client;
  private readonly remote: RemoteModels;

  constructor(opts: OpenSearchOptions) {
    this.baseUrl = opts.url.replace(/\/+$/, "");
    const options: ClientOptions = {
      node: this.baseUrl,
      requestTimeout: opts.requestTimeoutMs ?? 60_000,
      ssl: { rejectUnauthorized: opts.tlsRejectUnauthorized ?? true },
    };
    if (opts.username) options.auth = { username: opts.username, password: opts.password ?? "" };
    if (opts.apiKey) options.headers = { authorization: `ApiKey ${opts.apiKey}` };
    this.client = new Client(options);
    this.remote = new RemoteModels((method, path, body) => this.json(method, path, { body }), opts.platform, {
      pollMs: opts.pollMs,
    });
  }

  async json<T = Record<string, unknown>>(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<T> {
    const querystring = Object.fromEntries(
      Object.entries(opts.query ?? {}).filter(([, value]) => value !== undefined),
    );
    const payload =
      opts.rawBody !== undefined ? { bulkBody: await rawText(opts.rawBody) } : { body: opts.body as object };
    try {
      const response = await this.client.transport.request({ method, path, querystring, ...payload });
      const body = response.body as unknown;
      return (body === "" || body === undefined || body === null ? {} : body) as T;
    } catch (err) {
      throw this.clusterError(err, method, path);
    }
  }

  modelIdFor(endpoint: EndpointRef): Promise<string> {
    return this.remote.modelIdFor(endpoint);
  }

  async describe(): Promise<BackendDescription> {
    return clusterDescription(this, await this.json("GET", "/"));
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** The cluster's own error (reason, type, status), or why the cluster could not be reached. */
  private clusterError(err: unknown, method: string, path: string): Error {
    const e = err as { name?: string; message?: string; meta?: { statusCode?: number; body?: unknown } };
    if (e.name === "ResponseError" && e.meta) {
      const status = e.meta.statusCode ?? 500;
      const { type, reason } = errorReason(e.meta.body);
      return new ApiError(status, type, `${reason} (OpenSearch HTTP ${status} on ${method} ${path})`);
    }
    if (e.name === "ConnectionError" || e.name === "TimeoutError" || e.name === "NoLivingConnectionsError")
      return new CliError(
        `cannot reach the OpenSearch cluster at ${this.baseUrl} (${e.message}); check search.url and that the cluster is up`,
      );
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** OpenSearch's error bodies: `{error: {type, reason, root_cause}}`, ML Commons' `{error: {reason, details}}` or `{error: "…"}`. */
export function errorReason(body: unknown): { type: string; reason: string } {
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error === "string") return { type: "Error", reason: error };
  if (error && typeof error === "object") {
    const e = error as {
      type?: string;
      reason?: string;
      details?: string;
      root_cause?: Array<{ reason?: string }>;
    };
    const root = e.root_cause?.[0]?.reason;
    const reason = [e.reason, e.details, root !== e.reason ? root : undefined].filter(Boolean).join(": ");
    return { type: e.type ?? "Error", reason: reason || JSON.stringify(error) };
  }
  const text = typeof body === "string" ? body : JSON.stringify(body ?? "");
  return { type: "HttpError", reason: text.slice(0, 300) || "no error body" };
}

async function rawText(body: BodyInit): Promise<string> {
  return typeof body === "string" ? body : new Response(body).text();
}

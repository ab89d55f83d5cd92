/**
 * The embedded engine (Lodestone's own search port) as a backend: plain HTTP through the CLI's
 * client, and endpoint ids used as model ids as they are (the engine resolves `ep-…` itself).
 */
import { ApiClient, type RequestOptions } from "../common/http-client.ts";
import type { BackendDescription, EndpointRef, SearchBackend } from "./types.ts";

export class EmbeddedBackend implements SearchBackend {
  readonly kind = "embedded";
  private readonly client: ApiClient;

  /** `apiKey` defaults to `LODESTONE_API_KEY`, as the CLI's. */
  constructor(
    readonly baseUrl: string,
    apiKey?: string,
  ) {
    this.client = apiKey === undefined ? new ApiClient(baseUrl) : new ApiClient(baseUrl, apiKey);
  }

  json<T = Record<string, unknown>>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    return this.client.json<T>(method, path, opts);
  }

  async modelIdFor(endpoint: EndpointRef): Promise<string> {
    return endpoint.endpointId;
  }

  async describe(): Promise<BackendDescription> {
    return clusterDescription(this, await this.json("GET", "/"));
  }

  async close(): Promise<void> {}
}

/** A backend's description from the cluster's `GET /` answer (the embedded engine's says opensearch too). */
export function clusterDescription(
  backend: SearchBackend,
  info: Record<string, unknown>,
): BackendDescription {
  const version = (info.version ?? {}) as Record<string, unknown>;
  return {
    backend: backend.kind,
    url: backend.baseUrl,
    cluster_name: String(info.cluster_name ?? ""),
    version: String(version.number ?? ""),
    distribution: String(version.distribution ?? ""),
  };
}

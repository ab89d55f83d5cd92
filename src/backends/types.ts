/**
 * The search backend every feature that indexes or searches goes through: a JSON transport with
 * the signature of the CLI's `ApiClient.json` (so code written against the embedded engine's REST
 * API runs unchanged on a cluster), plus what differs between backends: which model id a neural
 * query, a text_embedding processor or a rerank processor names for a Lodestone endpoint.
 */
import type { RequestOptions } from "../common/http-client.ts";

export type BackendKind = "embedded" | "opensearch";

/** A deployed Lodestone endpoint that the search layer calls. */
export interface EndpointRef {
  /** `ep-…` */
  endpointId: string;
  kind: "embedding" | "rerank";
  /** The embedding dimension (embedding endpoints). */
  dimension?: number | null;
  /** A readable name (the registered model's), for descriptions on the cluster. */
  name: string;
}

export interface BackendDescription {
  backend: BackendKind;
  url: string;
  cluster_name: string;
  /** `version.number` of `GET /`. */
  version: string;
  /** `version.distribution`: "opensearch", or "lodestone" for the embedded engine. */
  distribution: string;
}

export interface SearchBackend {
  readonly kind: BackendKind;
  /** The search API's URL (without credentials). */
  readonly baseUrl: string;
  /**
   * One request to the Elasticsearch/OpenSearch REST API; the parsed JSON answer. A non-2xx
   * answer rejects with an `ApiError` carrying the HTTP status and the server's reason.
   */
  json<T = Record<string, unknown>>(method: string, path: string, opts?: RequestOptions): Promise<T>;
  /**
   * The model id to put into neural queries, text_embedding processors and rerank processors for
   * a Lodestone endpoint: the `ep-…` id itself on the embedded engine; on OpenSearch, an ML Commons
   * remote model calling the endpoint through a connector (created once, found again by name).
   */
  modelIdFor(endpoint: EndpointRef): Promise<string>;
  describe(): Promise<BackendDescription>;
  close(): Promise<void>;
}

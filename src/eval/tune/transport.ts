/**
 * The one thing the tuner needs from a search layer: JSON requests to an Elasticsearch/OpenSearch
 * REST API (the same signature as the CLI's ApiClient.json). The CLI client, a search backend
 * (embedded engine or a remote cluster) and the engine's in-process route all fit it, so tuning
 * runs wherever the index lives.
 */
export interface SearchRequestOptions {
  body?: unknown;
  /** NDJSON (`_bulk`, `_msearch`) sent as given. */
  rawBody?: string;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
}

export interface SearchTransport {
  json<T = Record<string, unknown>>(method: string, path: string, opts?: SearchRequestOptions): Promise<T>;
}

/** POSTs NDJSON lines (each a JSON value) to `path`. */
export function postNdjson<T>(
  transport: SearchTransport,
  path: string,
  lines: unknown[],
  query?: SearchRequestOptions["query"],
): Promise<T> {
  return transport.json<T>("POST", path, {
    rawBody: `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`,
    contentType: "application/x-ndjson",
    query,
  });
}

/**
 * What an API key's scope allows. Routes are matched by their registered pattern (Fastify's
 * `routeOptions.url`), so `/docs/_search` and `/:index/_search` are the same route.
 *
 * - `read`: reads — GET/HEAD anywhere, searches (`_search`, `_count`, `_msearch`, `_rank_eval`,
 *   `_analyze`, `_explain`, `_mget`, search templates, ML Commons `_search`), and on the platform
 *   RAG answers and retrieval, recommendations, embeddings, rerank and chat completions.
 * - `search`: everything on the search API (indices, documents, pipelines, ML Commons), plus
 *   what `read` allows on the platform and pushing RAG feedback and recommendation behaviours.
 * - `admin`: everything.
 */
export const KEY_SCOPES = ["read", "search", "admin"] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

export function isKeyScope(value: unknown): value is KeyScope {
  return typeof value === "string" && (KEY_SCOPES as readonly string[]).includes(value);
}

/** Search API routes that only read, whatever their method. */
const SEARCH_READS =
  /(^|\/)(_search|_count|_msearch|_rank_eval|_analyze|_mget|_explain\/:id|_validate\/query|_field_caps|_search\/template|_msearch\/template|_render\/template)$/;

/** Platform routes that answer questions without changing anything an admin set up. */
const PLATFORM_READS = new Set([
  "/v1/rag/apps/:app/chat",
  "/v1/rag/apps/:app/retrieve",
  "/v1/chat/completions",
  "/v1/embeddings",
  "/v1/rerank",
  "/v2/recommend",
]);

/** Platform routes a `search` key may also write: the signals search applications send back. */
const PLATFORM_SIGNALS = new Set(["/v1/rag/apps/:app/feedback", "/v2/instances/:id/behaviors"]);

export function scopeAllows(
  scope: KeyScope,
  server: "platform" | "search",
  method: string,
  route: string,
): boolean {
  if (scope === "admin") return true;
  if (method === "GET" || method === "HEAD") return true;
  if (server === "search") return scope === "search" || SEARCH_READS.test(route);
  if (PLATFORM_READS.has(route)) return true;
  return scope === "search" && PLATFORM_SIGNALS.has(route);
}

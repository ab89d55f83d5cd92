/**
 * What a RAG app needs from the model service, as an interface the server wires to its endpoints
 * (src/server/rag-models.ts): describing an endpoint (for validation and OpenSearch model ids),
 * reranking texts, and a chat provider. rag/ never reaches into serving's runtimes itself.
 */
import type { ChatProvider } from "../serving/chat-types.ts";

export interface ModelInfo {
  /** `embedding`, `reranker` or `chat`. */
  kind: string;
  /** A readable name (the registered model's). */
  name: string;
  dimension: number | null;
}

export interface RagModels {
  /** What an endpoint (`ep-…`) or model id/name serves; throws a 404 LodestoneError naming `param` when unknown. */
  describe(ref: string, param: string): ModelInfo;
  /** One relevance score per text, in input order. */
  rerank(ref: string, query: string, texts: string[]): Promise<ArrayLike<number>>;
  /** The built-in answerer, or the chat model behind `ref`. */
  chat(ref: string | null): ChatProvider;
}

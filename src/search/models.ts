/**
 * What the engine needs from a model service: embed query texts and documents (neural queries,
 * `text_embedding` ingest processors), score query–document pairs (the `rerank` search response
 * processor) and describe a model id (dimension checks). The engine knows nothing of how models
 * are served: the platform hands it an implementation backed by its endpoints (serving/), tests
 * hand it fakes. Ids are whatever the service accepts — endpoint ids (`ep-…`) or model ids (`m-…`).
 */

export type SearchModelKind = "embedding" | "reranker" | "chat" | "other";

export interface SearchModelInfo {
  /** The id as given (ep-… or m-…). */
  id: string;
  kind: SearchModelKind;
  /** Output dimension of an embedding model. */
  dimension?: number;
  /** Whether a call would be served now (a stopped endpoint or an undeployed model is not). */
  available: boolean;
  /** What to do when it is not available, e.g. "start it with POST /v1/endpoints/ep-…/start". */
  hint?: string;
}

export interface SearchModels {
  /** Describes a model or endpoint id; undefined when the id is unknown. */
  describe(id: string): SearchModelInfo | undefined;
  /** One vector per text, in order. Rejects with a SearchModelError when the id cannot serve. */
  embed(id: string, texts: string[]): Promise<Float32Array[]>;
  /**
   * One relevance score per document for `query` (higher is better), in order. `lexical` gives each
   * document's BM25 score for the query from the index, when the caller has it: rerankers take BM25
   * among their features, and the index's statistics beat any estimate from a few documents.
   */
  rerank(id: string, query: string, documents: string[], lexical?: readonly number[]): Promise<number[]>;
}

/** A model call that failed for a reason the caller should see (unknown id, stopped endpoint …). */
export class SearchModelError extends Error {
  constructor(
    /** HTTP status to answer with: 400 unknown/wrong kind, 409 stopped, 503 overloaded, 502 upstream. */
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "SearchModelError";
  }
}

/**
 * The interfaces other modules use to reach a model without knowing its internals: the engine,
 * evaluation and serving hold a `TextEncoder` or a `PairScorer`; training is handed a
 * `CandidateRetriever` (BM25 from the engine) instead of importing the engine.
 */

/** Turns texts into L2-normalised vectors, row-major: text i is `out.subarray(i*dim, (i+1)*dim)`. */
export interface TextEncoder {
  readonly dimension: number;
  encode(texts: readonly string[]): Float32Array;
}

/** A document as the reranker sees it: its text and the first-stage (BM25) score. */
export interface RerankCandidate {
  text: string;
  bm25: number;
}

/** Scores query–document pairs; higher is more relevant. One score per candidate, in order. */
export interface PairScorer {
  score(query: string, candidates: readonly RerankCandidate[]): Float32Array;
}

export interface RetrievedDoc {
  id: string;
  score: number;
}

/** First-stage retrieval (BM25) over the training corpus: hard negatives and rerank candidates. */
export interface CandidateRetriever {
  search(query: string, k: number): RetrievedDoc[];
}

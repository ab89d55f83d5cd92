/**
 * First-stage and reranked runs over a BEIR dataset: BM25 from the embedded engine (see
 * `bm25-index.ts`), exact dense retrieval with any `TextEncoder`, and reranking a run's top
 * documents with any `PairScorer`. The models come in through the interfaces of
 * `models/types.ts`; nothing here knows how they are built.
 */
import type { BeirDoc, BeirQuery } from "./beir.ts";
import { type Bm25IndexOptions, openBm25Index } from "./bm25-index.ts";
import type { Run } from "./metrics.ts";

export { documentText } from "./beir.ts";
export {
  BM25_DEFAULTS,
  type Bm25Index,
  type Bm25IndexOptions,
  MAX_BM25_DEPTH,
  openBm25Index,
} from "./bm25-index.ts";
export {
  buildDenseIndex,
  type DenseIndex,
  type DenseOptions,
  denseRun,
  encodeAll,
  type Progress,
  type RerankTexts,
  rerankRun,
} from "./dense.ts";

/**
 * BM25 top-`k` for every query: indexes the corpus into a temporary engine (k1 0.9, b 0.4,
 * english analyzer unless given), runs the queries, closes and removes it. To keep the index
 * (more query sets, or a `CandidateRetriever` for training) use `openBm25Index`.
 */
export async function bm25Run(
  data: { corpus: readonly BeirDoc[]; queries: readonly BeirQuery[] },
  k = 1000,
  opts: Bm25IndexOptions = {},
): Promise<Run> {
  const index = await openBm25Index(data.corpus, opts);
  try {
    return index.run(data.queries, k);
  } finally {
    await index.close();
  }
}

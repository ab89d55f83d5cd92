/**
 * Exact dense retrieval with any `TextEncoder` and reranking a run's top documents with any
 * `PairScorer`: plain computation over the interfaces of `models/types.ts` (no engine), so model
 * training can validate with the same code that `lodestone eval` reports with.
 */
import type { PairScorer, TextEncoder } from "../models/types.ts";
import { type BeirDoc, type BeirQuery, documentText } from "./beir.ts";
import { type Run, rankDocs, type ScoredDoc } from "./metrics.ts";

/** Called as work advances: `done` of `total` units (documents or queries). */
export type Progress = (done: number, total: number) => void;

/** Encodes texts in batches into one row-major matrix (row i = text i). */
export function encodeAll(
  encoder: TextEncoder,
  texts: readonly string[],
  batchSize = 64,
  onProgress?: Progress,
): Float32Array {
  if (!(Number.isInteger(batchSize) && batchSize > 0))
    throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  const dim = encoder.dimension;
  if (!(Number.isInteger(dim) && dim > 0)) throw new Error(`the encoder's dimension is ${dim}`);
  const out = new Float32Array(texts.length * dim);
  for (let i = 0; i < texts.length; i += batchSize) {
    const batch = texts.slice(i, i + batchSize);
    const vectors = encoder.encode(batch);
    if (vectors.length !== batch.length * dim)
      throw new Error(
        `the encoder returned ${vectors.length} numbers for ${batch.length} texts of dimension ${dim} (expected ${batch.length * dim})`,
      );
    out.set(vectors, i * dim);
    onProgress?.(Math.min(i + batchSize, texts.length), texts.length);
  }
  return out;
}

/** The `k` highest inner products of `query` with the rows of `matrix`, best first. */
function topKInnerProduct(
  query: Float32Array,
  matrix: Float32Array,
  dim: number,
  k: number,
): { row: number; score: number }[] {
  const rows = matrix.length / dim;
  const size = Math.min(k, rows);
  // a min-heap of the best `size` so far: O(rows · log k) instead of sorting every row
  const heapScore = new Float64Array(size);
  const heapRow = new Int32Array(size);
  let filled = 0;
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < filled && (heapScore[l] as number) < (heapScore[m] as number)) m = l;
      if (r < filled && (heapScore[r] as number) < (heapScore[m] as number)) m = r;
      if (m === i) return;
      [heapScore[i], heapScore[m]] = [heapScore[m] as number, heapScore[i] as number];
      [heapRow[i], heapRow[m]] = [heapRow[m] as number, heapRow[i] as number];
      i = m;
    }
  };
  for (let row = 0; row < rows; row++) {
    let s = 0;
    const base = row * dim;
    for (let j = 0; j < dim; j++) s += (query[j] as number) * (matrix[base + j] as number);
    if (filled < size) {
      // sift up
      let i = filled++;
      heapScore[i] = s;
      heapRow[i] = row;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if ((heapScore[p] as number) <= (heapScore[i] as number)) break;
        [heapScore[i], heapScore[p]] = [heapScore[p] as number, heapScore[i] as number];
        [heapRow[i], heapRow[p]] = [heapRow[p] as number, heapRow[i] as number];
        i = p;
      }
    } else if (size > 0 && s > (heapScore[0] as number)) {
      heapScore[0] = s;
      heapRow[0] = row;
      siftDown(0);
    }
  }
  return Array.from({ length: filled }, (_, i) => ({
    row: heapRow[i] as number,
    score: heapScore[i] as number,
  })).sort((a, b) => b.score - a.score || a.row - b.row);
}

export interface DenseOptions {
  /** Texts per `encode` call (default 64). */
  batchSize?: number;
  onProgress?: Progress;
}

/** A corpus encoded once, searched exactly (inner product over every document). */
export interface DenseIndex {
  readonly dimension: number;
  readonly size: number;
  /** Every query's top `k` (the queries are encoded in batches). */
  run(queries: readonly BeirQuery[], k: number, opts?: DenseOptions): Run;
}

export function buildDenseIndex(
  encoder: TextEncoder,
  corpus: readonly BeirDoc[],
  opts: DenseOptions = {},
): DenseIndex {
  const dim = encoder.dimension;
  const matrix = encodeAll(encoder, corpus.map(documentText), opts.batchSize, opts.onProgress);
  const ids = corpus.map((d) => d.id);
  return {
    dimension: dim,
    size: ids.length,
    run(queries, k, runOpts = {}) {
      if (!(Number.isInteger(k) && k > 0)) throw new RangeError(`k must be a positive integer, got ${k}`);
      const vectors = encodeAll(
        encoder,
        queries.map((q) => q.text),
        runOpts.batchSize ?? opts.batchSize,
        runOpts.onProgress,
      );
      const run: Run = new Map();
      queries.forEach((q, i) => {
        const top = topKInnerProduct(vectors.subarray(i * dim, (i + 1) * dim), matrix, dim, k);
        run.set(
          q.id,
          top.map((t): ScoredDoc => ({ id: ids[t.row] as string, score: t.score })),
        );
      });
      return run;
    },
  };
}

/**
 * Dense top-`k` for every query: the corpus is encoded in batches into a Float32Array matrix and
 * each query scored exactly against every document (inner product; the encoder's vectors are
 * L2-normalised, so this is cosine similarity).
 */
export function denseRun(
  encoder: TextEncoder,
  corpus: readonly BeirDoc[],
  queries: readonly BeirQuery[],
  k: number,
  opts: DenseOptions = {},
): Run {
  return buildDenseIndex(encoder, corpus, opts).run(queries, k, opts);
}

export interface RerankTexts {
  corpus: readonly BeirDoc[];
  queries: readonly BeirQuery[];
}

/**
 * Reorders each query's top `depth` documents of `firstStage` by `scorer` (one call per query;
 * a candidate's `bm25` is its first-stage score). Documents below the depth stay, in their
 * first-stage order, scored below every reranked one (min reranked score − 1, − 2, …), so
 * Recall and MAP over the whole run still count them.
 */
export function rerankRun(
  scorer: PairScorer,
  firstStage: Run,
  depth: number,
  texts: RerankTexts,
  onProgress?: Progress,
): Run {
  if (!(Number.isInteger(depth) && depth > 0))
    throw new RangeError(`rerank depth must be a positive integer, got ${depth}`);
  const docs = new Map<string, BeirDoc>();
  for (const d of texts.corpus) if (!docs.has(d.id)) docs.set(d.id, d);
  const queries = new Map(texts.queries.map((q) => [q.id, q.text]));
  const out: Run = new Map();
  let done = 0;
  for (const [qid, retrieved] of firstStage) {
    const query = queries.get(qid);
    if (query === undefined) throw new Error(`query ${qid} of the first-stage run has no text`);
    const ranked = rankDocs(retrieved);
    const head = ranked.slice(0, depth);
    const candidates = head.map((d) => {
      const doc = docs.get(d.id);
      if (!doc) throw new Error(`document ${d.id} (query ${qid}) is not in the corpus`);
      return { text: documentText(doc), bm25: d.score };
    });
    const scores = candidates.length ? scorer.score(query, candidates) : new Float32Array(0);
    if (scores.length !== candidates.length)
      throw new Error(`the reranker returned ${scores.length} scores for ${candidates.length} candidates`);
    let min = Infinity;
    const reranked: ScoredDoc[] = head.map((d, i) => {
      const score = scores[i] as number;
      if (!Number.isFinite(score)) throw new Error(`the reranker scored ${d.id} (query ${qid}) ${score}`);
      if (score < min) min = score;
      return { id: d.id, score };
    });
    const tail = ranked.slice(depth).map((d, i) => ({ id: d.id, score: min - 1 - i }));
    out.set(qid, [...rankDocs(reranked), ...tail]);
    onProgress?.(++done, firstStage.size);
  }
  return out;
}

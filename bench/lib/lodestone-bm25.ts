/**
 * The BM25 benchmark's and the parity tests' view of the shared indexing in
 * `src/eval/bm25-index.ts` (title and text in one `contents` field, BM25 with the given k1/b,
 * english or standard analyzer, `match` queries), with the timings the benchmark reports.
 */
import type { BeirDataset } from "../../src/eval/beir.ts";
import { openBm25Index } from "../../src/eval/bm25-index.ts";
import type { Run } from "../../src/eval/metrics.ts";
import type { SearchEngine } from "../../src/search/engine.ts";
import type { AnchorOptions } from "./lucene-anchor.ts";

export interface LodestoneBm25 {
  engine: SearchEngine;
  index: string;
  indexMs: number;
  /** Runs all queries once (top `topK`), returns the run and the elapsed time. */
  runQueries(topK: number): { run: Run; queryMs: number };
  close(): Promise<void>;
}

export async function indexWithLodestone(
  data: BeirDataset,
  opts: Pick<AnchorOptions, "k1" | "b" | "analyzer">,
  dataDir?: string,
): Promise<LodestoneBm25> {
  const bm25 = await openBm25Index(data.corpus, { ...opts, dataDir, index: "bench" });
  return {
    engine: bm25.engine,
    index: bm25.index,
    indexMs: bm25.indexMs,
    runQueries(topK) {
      const t0 = performance.now();
      const run = bm25.run(data.queries, topK);
      return { run, queryMs: performance.now() - t0 };
    },
    close: () => bm25.close(),
  };
}

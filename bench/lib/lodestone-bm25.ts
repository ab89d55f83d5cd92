/**
 * Indexes a BEIR dataset into the embedded engine exactly as the Lucene anchor does (title and text
 * in one `contents` field, BM25 with the given k1/b, english or standard analyzer) and runs every
 * query as a `match` query. Used by the BM25 benchmark and the parity tests.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BeirDataset } from "../../src/eval/beir.ts";
import type { Run, ScoredDoc } from "../../src/eval/metrics.ts";
import { SearchEngine } from "../../src/search/engine.ts";
import type { AnchorOptions } from "./lucene-anchor.ts";

export interface LodestoneBm25 {
  engine: SearchEngine;
  index: string;
  indexMs: number;
  /** Runs all queries once (top `topK`), returns the run and the elapsed time. */
  runQueries(topK: number): { run: Run; queryMs: number };
  close(): Promise<void>;
}

const BATCH = 5_000;
const DUPLICATE_MARK = "\u0000dup";

export function bm25IndexBody(opts: Pick<AnchorOptions, "k1" | "b" | "analyzer">): Record<string, unknown> {
  return {
    settings: {
      "index.similarity.default.type": "BM25",
      "index.similarity.default.k1": opts.k1,
      "index.similarity.default.b": opts.b,
    },
    mappings: {
      properties: { id: { type: "keyword" }, contents: { type: "text", analyzer: opts.analyzer } },
    },
  };
}

export async function indexWithLodestone(
  data: BeirDataset,
  opts: Pick<AnchorOptions, "k1" | "b" | "analyzer">,
  dataDir?: string,
): Promise<LodestoneBm25> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "lodestone-bm25-"));
  const engine = await SearchEngine.open({ dataDir: dir });
  const index = "bench";
  engine.createIndex(index, bm25IndexBody(opts));
  // Lucene's anchor adds a repeated corpus id as another document; an _id is unique here, so a
  // repeat gets a suffix that runQueries strips again: both engines then hold the same documents.
  const seen = new Map<string, number>();
  const started = performance.now();
  for (let i = 0; i < data.corpus.length; i += BATCH) {
    const lines: unknown[] = [];
    for (const d of data.corpus.slice(i, i + BATCH)) {
      const n = seen.get(d.id) ?? 0;
      seen.set(d.id, n + 1);
      lines.push(
        { index: { _id: n ? `${d.id}${DUPLICATE_MARK}${n}` : d.id } },
        { contents: `${d.title} ${d.text}` },
      );
    }
    const res = engine.bulk(lines, { index });
    if (res.errors)
      throw new Error(
        `bulk indexing failed: ${JSON.stringify((res.items as unknown[]).find((it) => JSON.stringify(it).includes('"error"')))}`,
      );
  }
  engine.refresh(index);
  const indexMs = performance.now() - started;
  return {
    engine,
    index,
    indexMs,
    runQueries(topK) {
      const run: Run = new Map();
      const t0 = performance.now();
      for (const q of data.queries) {
        const res = engine.search(index, {
          query: { match: { contents: q.text } },
          size: topK,
          _source: false,
        });
        const hits = (res.hits as { hits: { _id: string; _score: number }[] }).hits;
        run.set(
          q.id,
          hits.map((h): ScoredDoc => ({ id: h._id.split(DUPLICATE_MARK)[0] as string, score: h._score })),
        );
      }
      return { run, queryMs: performance.now() - t0 };
    },
    async close() {
      await engine.close();
      if (!dataDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

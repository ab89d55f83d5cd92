/**
 * A BEIR corpus in the embedded engine, in-process, indexed exactly as the Lucene anchor indexes it
 * (title and text in one `contents` field, BM25 with the given k1/b, one analyzer) and queried
 * with `match` queries. Shared by `lodestone eval`, the BM25 benchmark and the parity tests, and
 * handed to training as a `CandidateRetriever` (hard negatives, rerank candidates).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CandidateRetriever, RetrievedDoc } from "../models/types.ts";
import { SearchEngine } from "../search/engine.ts";
import { type BeirDoc, type BeirQuery, documentText } from "./beir.ts";
import type { Run } from "./metrics.ts";

export interface Bm25Settings {
  k1: number;
  b: number;
  /** A built-in analyzer name: `english`, `standard`, … */
  analyzer: string;
}

/** The reference settings (the Lucene anchor's and the published Cranfield figures'). */
export const BM25_DEFAULTS: Readonly<Bm25Settings> = { k1: 0.9, b: 0.4, analyzer: "english" };

export interface Bm25IndexOptions extends Partial<Bm25Settings> {
  /** Engine data folder; default a temporary one, removed by `close()`. */
  dataDir?: string;
  /** Index name (default `beir`). */
  index?: string;
}

/** The engine's result window: `size` cannot exceed it. */
export const MAX_BM25_DEPTH = 10_000;

export interface Bm25Index extends CandidateRetriever {
  readonly engine: SearchEngine;
  readonly index: string;
  /** Time to bulk-index the corpus and refresh, in ms. */
  readonly indexMs: number;
  /** The top `k` documents for one query text, best first. */
  search(query: string, k: number): RetrievedDoc[];
  /** Every query's top `k`. */
  run(queries: readonly BeirQuery[], k: number): Run;
  /** Closes the engine; removes the data folder when it was a temporary one. */
  close(): Promise<void>;
}

const BATCH = 5_000;
const DUPLICATE_MARK = "\u0000dup";

export function bm25IndexBody(opts: Bm25Settings): Record<string, unknown> {
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

export async function openBm25Index(
  corpus: readonly BeirDoc[],
  opts: Bm25IndexOptions = {},
): Promise<Bm25Index> {
  const settings: Bm25Settings = {
    k1: opts.k1 ?? BM25_DEFAULTS.k1,
    b: opts.b ?? BM25_DEFAULTS.b,
    analyzer: opts.analyzer ?? BM25_DEFAULTS.analyzer,
  };
  const temporary = opts.dataDir === undefined;
  const dir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "lodestone-bm25-"));
  const index = opts.index ?? "beir";
  let engine: SearchEngine | undefined;
  const cleanUp = async () => {
    await engine?.close();
    if (temporary) fs.rmSync(dir, { recursive: true, force: true });
  };
  let indexMs: number;
  try {
    engine = await SearchEngine.open({ dataDir: dir });
    engine.createIndex(index, bm25IndexBody(settings));
    // Lucene's anchor adds a repeated corpus id as another document; an _id is unique here, so a
    // repeat gets a suffix that search strips again: both engines then hold the same documents.
    const seen = new Map<string, number>();
    const started = performance.now();
    for (let i = 0; i < corpus.length; i += BATCH) {
      const lines: unknown[] = [];
      for (const d of corpus.slice(i, i + BATCH)) {
        const n = seen.get(d.id) ?? 0;
        seen.set(d.id, n + 1);
        lines.push(
          { index: { _id: n ? `${d.id}${DUPLICATE_MARK}${n}` : d.id } },
          { contents: documentText(d) },
        );
      }
      const res = engine.bulk(lines, { index });
      if (res.errors)
        throw new Error(
          `bulk indexing failed: ${JSON.stringify((res.items as unknown[]).find((it) => JSON.stringify(it).includes('"error"')))}`,
        );
    }
    engine.refresh(index);
    indexMs = performance.now() - started;
  } catch (err) {
    await cleanUp();
    throw err;
  }
  const open = engine;
  const search = (query: string, k: number): RetrievedDoc[] => {
    if (!(Number.isInteger(k) && k > 0 && k <= MAX_BM25_DEPTH))
      throw new RangeError(`k must be an integer from 1 to ${MAX_BM25_DEPTH}, got ${k}`);
    const res = open.search(index, { query: { match: { contents: query } }, size: k, _source: false });
    const hits = (res.hits as { hits: { _id: string; _score: number }[] }).hits;
    return hits.map((h) => ({ id: h._id.split(DUPLICATE_MARK)[0] as string, score: h._score }));
  };
  return {
    engine: open,
    index,
    indexMs,
    search,
    run(queries, k) {
      return new Map(queries.map((q) => [q.id, search(q.text, k)]));
    },
    close: cleanUp,
  };
}

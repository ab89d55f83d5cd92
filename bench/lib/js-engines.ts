/**
 * The JavaScript search libraries the BM25 benchmark compares against, each at its defaults over
 * one `contents` field (title and text), answering the same queries.
 */
import { create, insertMultiple, search } from "@orama/orama";
import MiniSearch from "minisearch";
import type { BeirDataset } from "../../src/eval/beir.ts";
import type { Run } from "../../src/eval/metrics.ts";

export interface EngineRun {
  name: string;
  indexMs: number;
  queryMs: number;
  run: Run;
}

export async function runOrama(data: BeirDataset, topK: number): Promise<EngineRun> {
  const t0 = performance.now();
  const db = create({ schema: { key: "string", contents: "string" } as const });
  // Orama keeps its own ids; the corpus id is a stored property
  await insertMultiple(
    db,
    data.corpus.map((d) => ({ key: d.id, contents: `${d.title} ${d.text}` })),
    5_000,
  );
  const indexMs = performance.now() - t0;
  const run: Run = new Map();
  const t1 = performance.now();
  for (const q of data.queries) {
    const res = await search(db, { term: q.text, properties: ["contents"], limit: topK });
    run.set(
      q.id,
      res.hits.map((h) => ({ id: String(h.document.key), score: h.score })),
    );
  }
  return { name: "Orama", indexMs, queryMs: performance.now() - t1, run };
}

export function runMiniSearch(data: BeirDataset, topK: number): EngineRun {
  const t0 = performance.now();
  const ms = new MiniSearch<{ n: number; contents: string }>({ fields: ["contents"], idField: "n" });
  // MiniSearch refuses repeated ids: number the documents and map back
  ms.addAll(data.corpus.map((d, n) => ({ n, contents: `${d.title} ${d.text}` })));
  const indexMs = performance.now() - t0;
  const run: Run = new Map();
  const t1 = performance.now();
  for (const q of data.queries) {
    const hits = ms.search(q.text).slice(0, topK);
    run.set(
      q.id,
      hits.map((h) => ({ id: (data.corpus[h.id as number] as { id: string }).id, score: h.score })),
    );
  }
  return { name: "MiniSearch", indexMs, queryMs: performance.now() - t1, run };
}

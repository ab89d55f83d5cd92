/**
 * MaxScore pruning returns exactly what exhaustive scoring returns: the same documents, scores and
 * order, for every Cranfield query at several page sizes, before and after deletes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DATASETS_DIR } from "../../bench/lib/paths.ts";
import { loadBeir } from "../../src/eval/beir.ts";
import { SearchEngine } from "../../src/search/engine.ts";
import { tempDir } from "../helpers/platform.ts";

type Hit = { _id: string; _score: number };

test("pruned top-k equals exhaustive top-k (ids, scores, order, max_score)", async () => {
  const data = loadBeir(`${DATASETS_DIR}/cranfield`, "test");
  const engine = await SearchEngine.open({ dataDir: tempDir() });
  try {
    engine.createIndex("c", { mappings: { properties: { body: { type: "text", analyzer: "english" } } } });
    // 8 variants of every document (each drops different words, so scores differ and also tie),
    // loaded in several refreshes: many windows of documents and several segments to prune across
    const docs = data.corpus.flatMap((d) =>
      Array.from({ length: 8 }, (_, r) => ({
        id: `${d.id}-${r}`,
        body: `${d.title} ${d.text}`
          .split(" ")
          .filter((_, i) => r === 0 || i % (r + 2) !== 0)
          .join(" "),
      })),
    );
    for (let i = 0; i < docs.length; i += 4000) {
      const lines = docs.slice(i, i + 4000).flatMap((d) => [{ index: { _id: d.id } }, { body: d.body }]);
      engine.bulk(lines, { index: "c", refresh: true });
    }
    const queries = data.queries;
    const compare = (label: string) => {
      for (const q of queries) {
        for (const size of [1, 10, 100]) {
          const body = { query: { match: { body: q.text } }, size, _source: false };
          // track_total_hits 0: pruning starts at once; true: every match is scored
          const pruned = engine.search("c", { ...body, track_total_hits: 0 }) as {
            hits: { hits: Hit[]; max_score: number };
          };
          const exact = engine.search("c", { ...body, track_total_hits: true }) as {
            hits: { hits: Hit[]; max_score: number };
          };
          const show = (h: Hit[]) => h.map((x) => `${x._id}:${x._score}`).join(" ");
          assert.equal(show(pruned.hits.hits), show(exact.hits.hits), `${label} query ${q.id} size ${size}`);
          assert.equal(pruned.hits.max_score, exact.hits.max_score, `${label} max_score, query ${q.id}`);
        }
      }
    };
    compare("all documents");
    const deletes = docs.filter((_, i) => i % 3 === 0).map((d) => ({ delete: { _id: d.id } }));
    engine.bulk(deletes, { index: "c", refresh: true });
    compare("after deleting a third");
  } finally {
    await engine.close();
  }
});

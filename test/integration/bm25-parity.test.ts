/**
 * BM25 parity with Lucene 8.7: the anchor in ../shared/anchors/lucene and the embedded engine index
 * the same corpus (title + text in one field, k1 0.9, b 0.4) and answer the same queries; rankings
 * must agree and scores must equal Lucene's times (1 + k1), as Elasticsearch's LegacyBM25Similarity
 * computes them.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { indexWithLodestone } from "../../bench/lib/lodestone-bm25.ts";
import { runLuceneAnchor } from "../../bench/lib/lucene-anchor.ts";
import { compareRuns } from "../../bench/lib/parity.ts";
import { DATASETS_DIR } from "../../bench/lib/paths.ts";
import { loadBeir } from "../../src/eval/beir.ts";
import { evaluateRun } from "../../src/eval/metrics.ts";

const K1 = 0.9;
const B = 0.4;

async function parity(dataset: string, analyzer: "english" | "standard", topK: number) {
  const data = loadBeir(`${DATASETS_DIR}/${dataset}`, "test");
  const lucene = runLuceneAnchor(data, { k1: K1, b: B, analyzer, topK });
  const ours = await indexWithLodestone(data, { k1: K1, b: B, analyzer });
  try {
    const { run } = ours.runQueries(topK);
    return {
      ours: evaluateRun(data.qrels, run),
      lucene: evaluateRun(data.qrels, lucene.run),
      parity: compareRuns(run, lucene.run, 10, 1 + K1),
    };
  } finally {
    await ours.close();
  }
}

type ParityResult = Awaited<ReturnType<typeof parity>>;

/** nDCG@10 like Lucene's, the same top 10 on ≥ 99% of queries, scores within 1e-4 (relative). */
function assertParity(r: ParityResult): void {
  assert.ok(
    Math.abs(r.ours.ndcg10 - r.lucene.ndcg10) <= 0.0005,
    `nDCG@10 ${r.ours.ndcg10} vs Lucene ${r.lucene.ndcg10}`,
  );
  assert.ok(
    r.parity.sameTopKPct >= 99,
    `same top-10 on ${r.parity.sameTopKPct}%: ${JSON.stringify(r.parity.differing.slice(0, 3))}`,
  );
  assert.ok(r.parity.maxRelScoreDiff <= 1e-4, `max relative score difference ${r.parity.maxRelScoreDiff}`);
}

describe("BM25 scores and rankings equal Lucene 8.7's", () => {
  test("Cranfield, english analyzer: nDCG@10 0.3419, same top-10, scores within 1e-4", async () => {
    const r = await parity("cranfield", "english", 1000);
    assert.ok(Math.abs(r.ours.ndcg10 - 0.3419) <= 0.0005, `nDCG@10 ${r.ours.ndcg10}`);
    assert.ok(
      Math.abs(r.ours.recall100 - r.lucene.recall100) < 1e-9,
      `Recall@100 ${r.ours.recall100} vs ${r.lucene.recall100}`,
    );
    assertParity(r);
  });

  test("Cranfield, standard analyzer", async () => {
    assertParity(await parity("cranfield", "standard", 1000));
  });

  test("debian-packages (60,238 documents, 2,000 queries): same top-10 on ≥ 99% of queries", async () => {
    assertParity(await parity("debian-packages", "english", 10));
  });
});

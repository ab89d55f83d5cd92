/**
 * `lodestone quickstart --no-serve --json` end to end: it starts the platform, trains and deploys
 * an embedder and a reranker on docs/, indexes rag-docs and compares retrieval on held-out
 * questions, where hybrid + rerank beats BM25, and tunes relevance (changes kept only when the
 * validation questions improve too); a second run reuses every job, model, endpoint, the index
 * and the tuning. Then, on the same data directory, `lodestone serve` and a real browser: a new
 * user opens the server's URL, asks the docs app about Lodestone and opens a citation
 * (docs/console.md; screenshot in test-artifacts/quickstart-chat-citation.png).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { TuneReport } from "../../src/eval/tune/tuner.ts";
import type { WorkflowReport } from "../../src/workflow/runner.ts";
import { askAndOpenCitation } from "../browser/flows.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { api, tempDir } from "../helpers/platform.ts";
import { killServer, runCli, spawnServer, waitFor } from "../helpers/server-process.ts";

const quickstart = (dataDir: string) =>
  runCli(["quickstart", "--data-dir", dataDir, "--port", "0", "--search-port", "0", "--no-serve", "--json"], {
    timeoutMs: 600_000,
  });

/** The data directory the quickstart ran on, for the console test after it. */
let quickstartDir: string | undefined;

test("quickstart trains, deploys, indexes and compares retrieval; a second run reuses everything", async () => {
  const dataDir = tempDir();
  quickstartDir = dataDir;
  const first = await quickstart(dataDir);
  assert.equal(first.code, 0, first.stderr);
  const report = JSON.parse(first.stdout) as WorkflowReport;
  assert.deepEqual(
    report.evaluation.map((r) => r.label),
    ["BM25 (match)", "neural", "hybrid (min_max)", "hybrid + rerank", "tuned", "BM25 tuned"],
  );
  // tuning: every proposed change raised both the training and the held-out (validation) metric
  const tuning = report.tuning[0] as TuneReport;
  assert.equal(tuning.train_queries, 100);
  assert.equal(tuning.scratch_index, "rag-docs-tuned");
  assert.deepEqual(
    tuning.stages.map((s) => s.stage),
    ["bm25", "clauses", "synonyms", "prf", "hybrid", "rerank"],
  );
  // (hybrid and rerank choose on the held-out questions by cross-validation: their after.heldout
  // is the out-of-fold figure, and the training figure does not decide)
  const TOLERANCE = 1e-9;
  for (const s of tuning.stages.filter((x) => x.status === "accepted")) {
    if (s.chosen_on === "train")
      assert.ok((s.after?.train as number) > (s.before?.train as number), JSON.stringify(s));
    assert.ok((s.after?.heldout as number) > (s.before?.heldout as number) + TOLERANCE, JSON.stringify(s));
  }
  for (const s of tuning.stages.filter((x) => x.status === "rejected"))
    assert.ok(
      (s.after?.heldout as number) <= (s.before?.heldout as number) + TOLERANCE ||
        /lowered the whole search/.test(s.reason ?? ""),
      JSON.stringify(s),
    );
  assert.ok(report.data.test_queries >= 30, `${report.data.test_queries} test queries`);
  // each row against BM25, and tuned against the hybrid + rerank search it started from, paired;
  // "BM25 tuned" is the tuned lexical query alone
  assert.deepEqual(
    report.comparisons.map((c) => `${c.after} vs ${c.before}`),
    [
      "neural vs bm25",
      "hybrid vs bm25",
      "hybrid_rerank vs bm25",
      "tuned vs bm25",
      "tuned vs hybrid_rerank",
      "tuned_bm25 vs bm25",
    ],
  );
  const means = new Map(report.evaluation.map((r) => [r.name, r.ndcg10]));
  for (const c of report.comparisons) {
    assert.equal(c.difference.queries, report.data.test_queries);
    const gap = (means.get(c.after) as number) - (means.get(c.before) as number);
    assert.ok(Math.abs(c.difference.delta - gap) < 1e-9, JSON.stringify(c));
  }
  assert.equal(report.index.name, "rag-docs");
  assert.equal(report.models.embedder.dimension, 256);
  assert.match(report.models.embedder.endpoint_id, /^ep-/);
  assert.match(report.models.reranker.model_id, /^m-/);
  assert.ok(report.jobs.embedder.trained && report.jobs.reranker.trained);
  const ndcg = Object.fromEntries(report.evaluation.map((r) => [r.name, r.ndcg10]));
  assert.ok(
    (ndcg.hybrid_rerank as number) > (ndcg.bm25 as number),
    `hybrid + rerank ${ndcg.hybrid_rerank} should beat BM25 ${ndcg.bm25}`,
  );

  // the docs RAG app over rag-docs (hybrid with the trained models, built-in answerer)
  assert.deepEqual(
    report.apps.map((a) => [a.name, a.status]),
    [["docs", "created"]],
  );

  const second = await quickstart(dataDir);
  assert.equal(second.code, 0, second.stderr);
  const again = JSON.parse(second.stdout) as WorkflowReport;
  assert.equal(again.jobs.embedder.trained, false);
  assert.equal(again.jobs.reranker.trained, false);
  assert.equal(again.jobs.embedder.id, report.jobs.embedder.id);
  assert.deepEqual(again.models, {
    embedder: { ...report.models.embedder, reused: true },
    reranker: { ...report.models.reranker, reused: true },
  });
  assert.equal(again.index.reused, true);
  assert.deepEqual(
    again.evaluation.map((r) => r.ndcg10),
    report.evaluation.map((r) => r.ndcg10),
  );
  assert.deepEqual(again.apps, [
    { ...(report.apps[0] as WorkflowReport["apps"][number]), status: "unchanged" },
  ]);
  // the stored tuning report is reused, not tuned again
  assert.equal((again.tuning[0] as TuneReport).seconds, tuning.seconds);
});

test("after quickstart, the console answers a question about Lodestone with a citation that opens its chunk", async () => {
  assert.ok(quickstartDir, "the quickstart test ran first");
  const served = await spawnServer(quickstartDir);
  const browser = await launchBrowser();
  try {
    // the endpoints come back with the server; the app needs its embedder and reranker running
    await waitFor(
      async () => {
        const { body } = await api<{ data: { status: string }[] }>(served.url, "GET", "/v1/endpoints");
        return body.data.length >= 2 && body.data.every((e) => e.status === "Running") ? true : undefined;
      },
      60_000,
      "the quickstart's endpoints to run",
    );
    const page = await browser.page();
    const opened = await askAndOpenCitation(
      page,
      served.url,
      "How do I stop a training job?",
      "quickstart-chat-citation",
    );
    // a passage of the docs, shown with the sentences the answer quotes from it highlighted
    assert.match(opened.chunkId, /^[\w./-]+\.md#\d+$/);
    assert.match(opened.facts, /rag-docs/);
    assert.ok(opened.chunk.length > 0);
    assert.ok(opened.marks.length > 0, "the answer quotes the cited chunk");
    const words = (s: string) => s.replace(/\s+/g, " ").trim();
    for (const mark of opened.marks) assert.ok(words(opened.answer).includes(words(mark)), mark);
    assert.deepEqual(page.errors, []);
  } finally {
    await browser.close();
    await killServer(served, "SIGTERM");
  }
});

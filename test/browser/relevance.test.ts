/**
 * The relevance lab in a real browser, on a small index with trained models: judged queries from a
 * BEIR folder in object storage, `_rank_eval` per query and per retrieval mode with its chart, and
 * tuning with train vs held-out per stage.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { screenshot } from "../helpers/browser.ts";
import { INDEX, JUDGED, useSearchFixture } from "./fixtures.ts";

const fx = useSearchFixture();

test("relevance lab: judged queries from a BEIR folder, _rank_eval per query and per retrieval mode", async () => {
  // the judgements as a BEIR folder in object storage, as workflows write them
  const objects = fx.server.platform.objects;
  await objects.createBucket("judged", { ifNotExists: true });
  const queries = JUDGED.map((q) => JSON.stringify({ _id: q.id, text: q.query_text })).join("\n");
  await objects.putObject("judged", "beir/queries.jsonl", `${queries}\n`);
  const qrels = JUDGED.flatMap((q) => q.ratings.map((r) => `${q.id}\t${r._id}\t${r.rating}`));
  await objects.putObject(
    "judged",
    "beir/qrels/dev.tsv",
    `query-id\tcorpus-id\tscore\n${qrels.join("\n")}\n`,
  );
  const page = await fx.browser.page();
  await page.goto(`${fx.server.url}/console/#/relevance`);
  await page.getByLabel("Index").selectOption(INDEX);
  await page.getByLabel("Or a BEIR folder in object storage").fill("oss://judged/beir/");
  await page.getByRole("button", { name: "Load from storage" }).click();
  await page.getByText("4 judged queries from oss://judged/beir/ (dev).").waitFor();
  assert.deepEqual(JSON.parse(await page.getByLabel(/^Judgements/).inputValue()), JUDGED);
  await page.getByLabel("Metric").selectOption("mrr");
  await page.getByRole("button", { name: "Run _rank_eval" }).click();
  const heading = page.getByRole("heading", { level: 2, name: /^MRR@10 \(bm25\): / });
  await heading.waitFor();
  // each judged query has a row; BM25 ranks each query's one relevant document first here
  assert.equal(
    await page.locator(".table-wrap tbody tr").count(),
    JUDGED.length,
    (await page.locator(".table-wrap tbody tr").allTextContents()).join("\n"),
  );
  assert.match((await heading.textContent()) ?? "", /: 1$/);
  await page.getByRole("button", { name: "Compare all modes" }).click();
  await page.getByRole("heading", { level: 2, name: /per retrieval mode/ }).waitFor();
  await page.locator("figure.chart-figure canvas").waitFor();
  const rows = await page.locator(".table-wrap tbody tr").allTextContents();
  assert.equal(rows.length, 4);
  for (const row of rows) assert.doesNotMatch(row, /–/, `every mode measured: ${row}`);
  await screenshot(page, "relevance-lab");
  assert.deepEqual(page.errors, []);
});

test("relevance lab: tune, with train vs held-out per stage charted", async () => {
  const page = await fx.browser.page();
  await page.goto(`${fx.server.url}/console/#/relevance`);
  await page.getByLabel("Index").selectOption(INDEX);
  await page.getByLabel(/^Judgements/).fill(JSON.stringify(JUDGED));
  for (const stage of ["synonyms", "prf", "hybrid", "rerank"])
    await page.getByLabel(stage, { exact: true }).uncheck();
  await page.getByLabel("Held-out share").fill("0.5");
  await page.getByRole("button", { name: "Run tune" }).click();
  await page
    .getByRole("heading", { level: 2, name: /^Tuned ndcg@10: held-out/ })
    .waitFor({ timeout: 45_000 });
  await page.locator("figure.chart-figure canvas").waitFor();
  const stages = await page.locator(".table-wrap tbody tr td:first-child").allTextContents();
  assert.deepEqual(stages, ["bm25", "clauses"]);
  const label = (await page.locator("figure.chart-figure .chart").getAttribute("aria-label")) ?? "";
  assert.match(label, /^ndcg@10 per stage: train vs held-out\. baseline: train \d/);
  // whether the held-out gain is more than noise, paired over the held-out queries
  assert.match(
    (await page.locator("[data-paired]").textContent()) ?? "",
    /^Paired over the \d+ held-out queries: [+−]\d\.\d{4} \(95% CI .* randomization p [\d.]+\): (a real gain|a real loss|within noise)\.$/,
  );
  await screenshot(page, "relevance-tune");
  assert.deepEqual(page.errors, []);
});

/**
 * The search playground and the relevance lab in a real browser, on a small index with trained
 * models: one query in four retrieval modes side by side (each with hits, scores and an explain
 * that opens), the phone layout without sideways scrolling, and `_rank_eval` of judged queries
 * per mode with its chart.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { RunningPlatform } from "../../src/server/platform.ts";
import {
  horizontalOverflow,
  launchBrowser,
  PHONE,
  screenshot,
  type TestBrowser,
} from "../helpers/browser.ts";
import { startTestPlatform } from "../helpers/platform.ts";
import { DOCS } from "../helpers/small-models.ts";
import { INDEX, JUDGED, seedSearchFixture } from "./fixtures.ts";

let server: RunningPlatform;
let browser: TestBrowser;
let models: { embedder: string; reranker: string };

before(async () => {
  [server, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
  models = await seedSearchFixture(server);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const MODES = ["bm25", "neural", "hybrid", "rerank"];

test("compare retrieval modes: four columns with scored hits and an explain", async () => {
  const page = await browser.page();
  await page.goto(`${server.url}/console/#/search/${INDEX}`);
  // the query settings come from the index: text fields, vector field, model, pipelines
  const settings = page.locator("details.settings");
  await settings.locator("summary").click();
  await page.waitForFunction(
    () => (document.querySelector<HTMLInputElement>('input[name="model_id"]')?.value ?? "") !== "",
  );
  assert.equal(await page.getByLabel("Text fields (multi_match)").inputValue(), "title, content");
  assert.equal(await page.getByLabel("Vector field").inputValue(), "embedding");
  assert.equal(await page.getByLabel("Embedding model id").inputValue(), models.embedder);
  assert.equal(await page.getByLabel("Hybrid search pipeline").inputValue(), `${INDEX}-hybrid`);
  assert.equal(await page.getByLabel("Rerank search pipeline").inputValue(), `${INDEX}-hybrid-rerank`);

  await page.getByLabel("Query", { exact: true }).fill("supersonic shock waves");
  await page.getByLabel("Query", { exact: true }).press("Enter");
  for (const mode of MODES) {
    const column = page.locator(`section.column[data-mode="${mode}"]`);
    await column.locator("li.hit").first().waitFor();
    assert.equal(await column.locator(".error").count(), 0, `${mode}: ${await column.textContent()}`);
    const score = Number(await column.locator("li.hit .score").first().textContent());
    assert.ok(Number.isFinite(score) && score > 0, `${mode} top score ${score}`);
  }
  // BM25 and hybrid put the shock-wave document first
  assert.equal(await page.locator('[data-mode="bm25"] li.hit strong').first().textContent(), "Shock waves");
  assert.equal(await page.locator('[data-mode="hybrid"] li.hit strong').first().textContent(), "Shock waves");
  // the title heads the hit; its text comes from the body field
  assert.equal(await page.locator('[data-mode="bm25"] li.hit .snippet').first().textContent(), DOCS[1]);
  const explain = page.locator('[data-mode="bm25"] li.hit details.explain').first();
  await explain.locator("summary").click();
  const tree = explain.locator("ul.explanation");
  await tree.waitFor();
  assert.match((await tree.textContent()) ?? "", /weight\(|sum of|score/i);
  await screenshot(page, "search-playground");
  assert.deepEqual(page.errors, []);
});

test("the playground on a phone: no sideways scrolling, columns stacked", async () => {
  const page = await browser.page(PHONE);
  await page.goto(`${server.url}/console/#/search/${INDEX}`);
  await page.waitForFunction(
    () => (document.querySelector<HTMLInputElement>('input[name="model_id"]')?.value ?? "") !== "",
  );
  await page.getByLabel("Query", { exact: true }).fill("heat transfer");
  await page.getByRole("button", { name: "Search" }).click();
  await page.locator('[data-mode="rerank"] li.hit').first().waitFor();
  await page.locator('[data-mode="bm25"] li.hit details.explain summary').first().click();
  assert.equal(await horizontalOverflow(page), 0);
  const boxes = await Promise.all(MODES.map((m) => page.locator(`[data-mode="${m}"]`).boundingBox()));
  for (const box of boxes)
    assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, JSON.stringify(box));
  await screenshot(page, "search-playground-phone");
});

test("relevance lab: judged queries from a BEIR folder, _rank_eval per query and per retrieval mode", async () => {
  // the judgements as a BEIR folder in object storage, as workflows write them
  const objects = server.platform.objects;
  await objects.createBucket("judged", { ifNotExists: true });
  const queries = JUDGED.map((q) => JSON.stringify({ _id: q.id, text: q.query_text })).join("\n");
  await objects.putObject("judged", "beir/queries.jsonl", `${queries}\n`);
  const qrels = JUDGED.flatMap((q) => q.ratings.map((r) => `${q.id}\t${r._id}\t${r.rating}`));
  await objects.putObject(
    "judged",
    "beir/qrels/dev.tsv",
    `query-id\tcorpus-id\tscore\n${qrels.join("\n")}\n`,
  );
  const page = await browser.page();
  await page.goto(`${server.url}/console/#/relevance`);
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
  const page = await browser.page();
  await page.goto(`${server.url}/console/#/relevance`);
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
  await screenshot(page, "relevance-tune");
  assert.deepEqual(page.errors, []);
});

test("models and endpoints, and the index browser: documents and _analyze", async () => {
  const page = await browser.page();
  await page.goto(`${server.url}/console/#/models`);
  const endpoints = page.getByRole("region", { name: "Endpoints" });
  await endpoints.getByText(models.embedder).waitFor();
  assert.equal(await endpoints.getByText("Running").count(), 2);
  assert.equal(await endpoints.getByRole("button", { name: `Stop ${models.reranker}` }).count(), 1);
  await page
    .getByRole("region", { name: "Models" })
    .getByRole("button", { name: "Deploy lab-embedder" })
    .waitFor();

  await page.getByRole("link", { name: "Indices" }).click();
  await page.getByRole("link", { name: INDEX, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: `Index ${INDEX}` }).waitFor();
  await page.locator("summary", { hasText: "Documents" }).click();
  await page.getByText("Documents 1–4 of 4").waitFor();
  await page.locator("summary", { hasText: "Mapping" }).click();
  await page
    .getByLabel("Mapping")
    .getByText(/"knn_vector"/)
    .waitFor();
  await page.locator("summary", { hasText: "Analyze" }).click();
  await page.getByLabel("Analyzer").selectOption("english");
  await page.getByLabel("Text").fill("Running the training jobs");
  await page.getByRole("button", { name: "Analyze" }).click();
  const tokens = await page
    .getByRole("region", { name: "Tokens" })
    .locator("tbody td:first-child")
    .allTextContents();
  assert.deepEqual(tokens, ["run", "train", "job"]);
  await screenshot(page, "index-browser");
  assert.deepEqual(page.errors, []);
});

test("every page: each control labelled, each button named, no sideways scrolling on a phone or a laptop", async () => {
  const routes = ["chat", "search/lab", "relevance", "jobs", "models", "indices", `indices/${INDEX}`];
  for (const viewport of [PHONE, { width: 1366, height: 768 }]) {
    const page = await browser.page(viewport);
    for (const route of routes) {
      await page.goto(`${server.url}/console/#/${route}`);
      await page.locator("main h1").waitFor();
      await page.waitForLoadState("networkidle");
      // open every collapsible part so what it holds is checked too
      for (const summary of await page.locator("main details:not([open]) > summary").all())
        await summary.click();
      await page.waitForLoadState("networkidle");
      const problems = await page.evaluate(() => {
        const out: string[] = [];
        for (const el of document.querySelectorAll<HTMLInputElement>("input, select, textarea")) {
          const named =
            (el.labels?.length ?? 0) > 0 ||
            el.getAttribute("aria-label") ||
            el.getAttribute("aria-labelledby");
          if (!named) out.push(`unlabelled ${el.tagName.toLowerCase()} ${el.name}`);
        }
        for (const el of document.querySelectorAll("button, a[href]")) {
          const name = (el.getAttribute("aria-label") ?? el.textContent ?? "").trim();
          if (!name) out.push(`unnamed ${el.tagName.toLowerCase()} ${el.outerHTML.slice(0, 80)}`);
        }
        return out;
      });
      assert.deepEqual(problems, [], `#/${route}`);
      assert.equal(await horizontalOverflow(page), 0, `#/${route} at ${viewport.width}px`);
    }
    assert.deepEqual(page.errors, []);
  }
});

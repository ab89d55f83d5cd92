/**
 * The search playground in a real browser, on a small index with trained models: one query in
 * four retrieval modes side by side (each with hits, scores and an explain that opens), and the
 * phone layout without sideways scrolling.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { horizontalOverflow, PHONE, screenshot } from "../helpers/browser.ts";
import { DOCS } from "../helpers/small-models.ts";
import { INDEX, useSearchFixture } from "./fixtures.ts";

const fx = useSearchFixture();
const MODES = ["bm25", "neural", "hybrid", "rerank"];

test("compare retrieval modes: four columns with scored hits and an explain", async () => {
  const page = await fx.browser.page();
  await page.goto(`${fx.server.url}/console/#/search/${INDEX}`);
  // the query settings come from the index: text fields, vector field, model, pipelines
  const settings = page.locator("details.settings");
  await settings.locator("summary").click();
  await page.waitForFunction(
    () => (document.querySelector<HTMLInputElement>('input[name="model_id"]')?.value ?? "") !== "",
  );
  assert.equal(await page.getByLabel("Text fields (multi_match)").inputValue(), "title, content");
  assert.equal(await page.getByLabel("Vector field").inputValue(), "embedding");
  assert.equal(await page.getByLabel("Embedding model id").inputValue(), fx.models.embedder);
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
  const page = await fx.browser.page(PHONE);
  await page.goto(`${fx.server.url}/console/#/search/${INDEX}`);
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

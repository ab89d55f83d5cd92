/**
 * The models and index pages in a real browser, and every page's accessibility basics: labelled
 * controls, named buttons and links, no sideways scrolling at phone and laptop widths.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { horizontalOverflow, PHONE, screenshot } from "../helpers/browser.ts";
import { INDEX, useSearchFixture } from "./fixtures.ts";

const fx = useSearchFixture();

test("models and endpoints, and the index browser: documents and _analyze", async () => {
  const page = await fx.browser.page();
  await page.goto(`${fx.server.url}/console/#/models`);
  const endpoints = page.getByRole("region", { name: "Endpoints" });
  await endpoints.getByText(fx.models.embedder).waitFor();
  assert.equal(await endpoints.getByText("Running").count(), 2);
  assert.equal(await endpoints.getByRole("button", { name: `Stop ${fx.models.reranker}` }).count(), 1);
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
    const page = await fx.browser.page(viewport);
    for (const route of routes) {
      await page.goto(`${fx.server.url}/console/#/${route}`);
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

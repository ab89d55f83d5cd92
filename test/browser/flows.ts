/**
 * Browser flows shared by the console's tests (and the quickstart's end-to-end test): what a new
 * user does, step by step, through the page's labels and roles.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { screenshot } from "../helpers/browser.ts";

export interface OpenedCitation {
  /** The answer's text as shown. */
  answer: string;
  chunkId: string;
  heading: string;
  /** The chunk text shown in the dialog. */
  chunk: string;
  /** The highlighted (quoted) spans. */
  marks: string[];
  facts: string;
}

/**
 * Opens the console at `baseUrl` (the server's root redirects to it), asks the default app
 * `question`, clicks the answer's first citation and reads the dialog; leaves the dialog open and
 * saves a screenshot of it as `shot`.
 */
export async function askAndOpenCitation(
  page: Page,
  baseUrl: string,
  question: string,
  shot: string,
): Promise<OpenedCitation> {
  await page.goto(`${baseUrl}/`);
  assert.equal(new URL(page.url()).pathname, "/console/");
  await page
    .getByLabel("App")
    .filter({ has: page.locator('option[value="docs"]') })
    .waitFor();
  assert.equal(await page.getByLabel("App").inputValue(), "docs");
  await page.getByLabel("Question").fill(question);
  await page.getByRole("button", { name: "Ask" }).click();
  const answer = page.locator(".turn .answer").last();
  const cite = answer.locator(".answer-text button.cite").first();
  await cite.waitFor({ timeout: 60_000 });
  const chunkId = (await cite.getAttribute("data-chunk")) ?? "";
  await cite.click();
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  const opened = {
    answer: (await answer.locator(".answer-text").textContent()) ?? "",
    chunkId,
    heading: (await dialog.getByRole("heading").textContent()) ?? "",
    chunk: (await dialog.locator(".chunk").textContent()) ?? "",
    marks: await dialog.locator("mark").allTextContents(),
    facts: (await dialog.locator("dl.facts").textContent()) ?? "",
  };
  await screenshot(page, shot);
  return opened;
}

/**
 * The console's chat in a real browser against a RAG app (hybrid + rerank, built-in answerer) on a
 * small index with trained models: ask, get an answer with citations, open a citation and see the
 * chunk with the quoted sentence highlighted, rate it, follow up in the same session, read the
 * trace; keyboard only; and on a phone without sideways scrolling.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { horizontalOverflow, PHONE, screenshot } from "../helpers/browser.ts";
import { api } from "../helpers/platform.ts";
import { INDEX, useSearchFixture } from "./fixtures.ts";
import { askAndOpenCitation } from "./flows.ts";

const JOBS_DOC = {
  title: "Stopping jobs",
  section: "Jobs",
  source: "docs/jobs.md",
  content:
    "Jobs run one script each and keep their logs. Stop a running job with lodestone dlc stop-job and its id. The job then reaches the Stopped state.",
};
const QUOTED = "Stop a running job with lodestone dlc stop-job and its id.";

// the fixture index, a document about jobs, and the docs app over the index
const fx = useSearchFixture(async ({ server, models }) => {
  const put = await api(server.searchUrl, "PUT", `/${INDEX}/_doc/jobs.md%234?refresh=true`, JOBS_DOC);
  assert.ok(put.status < 300, JSON.stringify(put.body));
  const created = await api(server.url, "POST", "/v1/rag/apps", {
    name: "docs",
    index: INDEX,
    retrieval: {
      mode: "hybrid",
      model_id: models.embedder,
      search_pipeline: `${INDEX}-hybrid`,
      k: 3,
      candidates: 10,
    },
    rerank: { model_id: models.reranker, depth: 5 },
    llm: { provider: "builtin" },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
});

interface Interaction {
  type: string;
  item_id: string | null;
}

test("ask, open a citation with the quote highlighted, rate, follow up, read the trace", async () => {
  const page = await fx.browser.page();
  const opened = await askAndOpenCitation(
    page,
    fx.server.url,
    "How do I stop a running job?",
    "chat-citation",
  );
  assert.match(opened.answer, /stop-job/);
  assert.equal(opened.chunkId, "jobs.md#4");
  assert.match(opened.heading, /^\[\d\] Stopping jobs › Jobs$/);
  assert.equal(opened.chunk, JOBS_DOC.content);
  assert.match(opened.facts, /docs\/jobs\.md/);
  // every highlighted span is a sentence the answer quotes, the one about stopping among them
  assert.ok(opened.marks.includes(QUOTED), JSON.stringify(opened.marks));
  for (const mark of opened.marks)
    assert.ok(opened.answer.includes(mark), `${mark} is quoted in ${opened.answer}`);
  const answer = page.locator(".turn .answer").first();
  const dialog = page.getByRole("dialog");
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });

  await answer.getByRole("button", { name: "Helpful", exact: true }).click();
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll(".feedback button")]
        .find((b) => b.textContent === "Helpful")
        ?.getAttribute("aria-pressed") === "true",
  );
  // the click and the rating reached the interaction log
  let events: Interaction[] = [];
  for (let i = 0; i < 50 && !events.some((e) => e.type === "like"); i++) {
    events = (await api<{ events: Interaction[] }>(fx.server.url, "GET", "/v1/rag/interactions?app=docs"))
      .body.events;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(
    events.some((e) => e.type === "click" && e.item_id === "jobs.md#4"),
    JSON.stringify(events),
  );
  assert.ok(
    events.some((e) => e.type === "like"),
    JSON.stringify(events),
  );

  // a follow-up continues the session
  await page.getByLabel("Question").fill("What state does it reach?");
  await page.getByLabel("Question").press("Enter");
  await page.locator(".turn .answer .who").nth(1).waitFor();
  const sessionId = await page.locator("[data-session]").getAttribute("data-session");
  assert.match(sessionId ?? "", /\S/);
  const session = await api<{ turns: unknown[] }>(
    fx.server.url,
    "GET",
    `/v1/rag/apps/docs/sessions/${sessionId}`,
  );
  assert.equal(session.body.turns.length, 2, JSON.stringify(session.body));

  const trace = page.locator("details.trace").first();
  await trace.locator("summary").click();
  const stages = await trace.locator("tbody tr td:first-child").allTextContents();
  assert.deepEqual(stages, ["retrieve", "rerank", "generate"]);
  assert.equal(await trace.locator("tbody tr:first-child td:nth-child(2)").textContent(), "hybrid");
  await screenshot(page, "chat-answer");

  // the retrieval mode can be overridden per question
  await page.getByLabel("Retrieval mode", { exact: true }).selectOption("bm25");
  await page.getByLabel("Question").fill("How do I stop a running job?");
  await page.getByLabel("Question").press("Enter");
  await page.locator(".turn .answer .who").nth(2).waitFor();
  const third = page.locator("details.trace").nth(2);
  await third.locator("summary").click();
  assert.equal(await third.locator("tbody tr:first-child td:nth-child(2)").textContent(), "bm25");
  assert.deepEqual(page.errors, []);
});

test("chat with the keyboard only: Enter asks, a citation opens with focus in the dialog, Escape returns", async () => {
  const page = await fx.browser.page();
  await page.goto(`${fx.server.url}/console/#/chat`);
  await page
    .getByLabel("App")
    .filter({ has: page.locator('option[value="docs"]') })
    .waitFor();
  const focused = () =>
    page.evaluate(
      () => document.activeElement?.getAttribute("name") ?? document.activeElement?.className ?? "",
    );
  for (let i = 0; i < 20 && (await focused()) !== "question"; i++) await page.keyboard.press("Tab");
  assert.equal(await focused(), "question");
  await page.keyboard.type("How do I stop a running job?");
  await page.keyboard.press("Enter");
  await page.locator(".answer-text button.cite").first().waitFor();
  // focus is back on the question; Tab moves on into the answer's citations
  assert.equal(await focused(), "question");
  for (let i = 0; i < 20 && (await focused()) !== "cite"; i++) await page.keyboard.press("Tab");
  assert.equal(await focused(), "cite");
  const chunk = await page.evaluate(() => document.activeElement?.getAttribute("data-chunk"));
  await page.keyboard.press("Enter");
  await page.getByRole("dialog").waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.closest("dialog") !== null), true);
  // the focus ring is visible on the focused control
  await page.keyboard.press("Tab");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
  assert.notEqual(outline, "none");
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "detached" });
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-chunk")), chunk);
  assert.deepEqual(page.errors, []);
});

test("chat on a phone, answers not streamed: no sideways scrolling, the citation dialog fits", async () => {
  const page = await fx.browser.page(PHONE);
  await page.goto(`${fx.server.url}/console/#/chat`);
  await page
    .getByLabel("App")
    .filter({ has: page.locator('option[value="docs"]') })
    .waitFor();
  await page.getByLabel("Stream the answer").uncheck();
  await page.getByLabel("Question").fill("How do I stop a running job?");
  await page.getByLabel("Question").press("Enter");
  await page.locator(".answer-text button.cite").first().click();
  assert.match((await page.locator(".chunk mark").first().textContent()) ?? "", /\S/);
  const box = await page.getByRole("dialog").boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, JSON.stringify(box));
  assert.equal(await horizontalOverflow(page), 0);
  await screenshot(page, "chat-phone");
});

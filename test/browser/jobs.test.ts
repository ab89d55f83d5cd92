/**
 * The console's jobs pages in a real browser: a short training-like job (it reports progress and
 * a falling loss) is followed on its page until it succeeds, with its loss curve drawn and its
 * log shown; the list shows it too.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { RunningPlatform } from "../../src/server/platform.ts";
import { launchBrowser, screenshot, type TestBrowser } from "../helpers/browser.ts";
import { api, startTestPlatform } from "../helpers/platform.ts";

// eight "epochs" of 250 ms: long enough to watch it run, short enough for a test
const TRAIN_SCRIPT = `
const epochs = 8;
let loss = 2;
for (let epoch = 1; epoch <= epochs; epoch++) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  loss *= 0.7;
  console.log("epoch " + epoch + " loss " + loss.toFixed(4));
  console.log("##lodestone " + JSON.stringify({ progress: epoch / epochs, message: "epoch " + epoch + "/" + epochs, metrics: { loss, accuracy: 1 - loss / 3 }, step: epoch }));
}
`;

let server: RunningPlatform;
let browser: TestBrowser;

before(async () => {
  [server, browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("watch a job run to Succeeded with its loss curve and log", async () => {
  const created = await api<{ JobId: string }>(server.url, "POST", "/api/v1/jobs", {
    DisplayName: "browser-train",
    Script: "train.mjs",
    ScriptContent: TRAIN_SCRIPT,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const jobId = created.body.JobId;
  const page = await browser.page();
  await page.goto(`${server.url}/console/#/jobs`);
  const link = page.getByRole("link", { name: "browser-train" });
  await link.waitFor();
  await link.click();
  await page.getByRole("heading", { level: 1, name: `Job ${jobId}` }).waitFor();
  // the page follows the job's event stream to its end
  await page.locator('[data-status="Succeeded"]').waitFor({ timeout: 20_000 });
  // one loss chart, one accuracy chart, drawn by uPlot on canvases
  await page.locator("figure.chart-figure canvas").nth(1).waitFor();
  assert.equal(await page.locator("figure.chart-figure figcaption").first().textContent(), "Loss");
  const label = await page.locator("figure.chart-figure .chart").first().getAttribute("aria-label");
  assert.match(label ?? "", /^Loss: loss from 1\.400 to 0\.1153 over 8 points$/);
  await page.getByText("epoch 8 loss 0.1153").waitFor();
  assert.match((await page.locator("progress").first().getAttribute("value")) ?? "", /^1$/);
  await screenshot(page, "jobs-succeeded");
  await page.getByRole("link", { name: "← All jobs" }).click();
  const row = page.locator("tr", { has: page.getByRole("link", { name: "browser-train" }) });
  assert.equal(await row.locator("[data-status]").textContent(), "Succeeded");
  assert.deepEqual(page.errors, []);
});

test("run a built-in script from the jobs page's form, keyboard only", async () => {
  await server.platform.objects.createBucket("corpus", { ifNotExists: true });
  await server.platform.objects.putObject(
    "corpus",
    "data/a.md",
    Buffer.from("Lodestone trains models.\nIt serves them.\n"),
  );
  const page = await browser.page();
  await page.goto(`${server.url}/console/#/jobs`);
  await page.locator("details.new-job summary").focus();
  await page.keyboard.press("Enter");
  await page.getByLabel("Script").selectOption("corpus-stats");
  await page.getByLabel("Name").fill("console-stats");
  await page.getByLabel("OSS input").fill("oss://corpus/data/");
  await page.getByLabel("OSS output").fill("oss://corpus/stats/");
  await page.getByLabel(/^Hyper-parameters/).fill("top=3");
  await page.getByLabel("OSS output").press("Enter");
  await page.getByRole("heading", { level: 1, name: /^Job dlc/ }).waitFor();
  await page.locator('[data-status="Succeeded"]').waitFor({ timeout: 20_000 });
  const stats = await server.platform.objects.getObject("corpus", "stats/stats.json");
  const chunks: Buffer[] = [];
  for await (const chunk of stats.body) chunks.push(chunk as Buffer);
  assert.equal(JSON.parse(Buffer.concat(chunks).toString()).documents, 1);
  assert.deepEqual(page.errors, []);
});

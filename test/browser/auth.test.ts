/**
 * The console on a server that requires API keys: its page loads without one, the first refused
 * call asks for the key in a dialog, the key is kept in the browser for the next visit, and a
 * wrong key is refused with the server's message.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { KeyStore } from "../../src/server/auth.ts";
import type { RunningPlatform } from "../../src/server/platform.ts";
import { launchBrowser, type TestBrowser } from "../helpers/browser.ts";
import { startTestPlatform } from "../helpers/platform.ts";

let server: RunningPlatform;
let browser: TestBrowser;
let key: string;

before(async () => {
  [server, browser] = await Promise.all([startTestPlatform({ "auth.required": true }), launchBrowser()]);
  key = new KeyStore(server.platform.db).create("browser").key;
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("the console asks for the API key once and keeps it", async () => {
  const page = await browser.page();
  await page.goto(`${server.url}/console/#/jobs`);
  const dialog = page.getByRole("dialog", { name: "API key needed" });
  await dialog.waitFor();
  assert.match((await dialog.textContent()) ?? "", /requires an API key/);
  // focus starts in the key field, so typing and Enter are enough
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("name")), "api-key");
  await page.keyboard.type(key);
  await page.keyboard.press("Enter");
  await page.getByText("No jobs yet.", { exact: false }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem("lodestone.apiKey")), key);
  await page.reload();
  await page.getByText("No jobs yet.", { exact: false }).waitFor();
  assert.equal(await dialog.count(), 0);

  // a wrong key: asked again once, then the server's message is shown
  await page.evaluate(() => localStorage.setItem("lodestone.apiKey", "lsk-wrong"));
  await page.goto(`${server.url}/console/#/indices`);
  await dialog.waitFor();
  await page.keyboard.press("Escape");
  await page
    .getByRole("alert")
    .filter({ hasText: /invalid API key/ })
    .waitFor();
});

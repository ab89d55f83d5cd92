/**
 * The console's recommendations page in a real browser: pick a user of an instance and see their
 * history beside their recommendations, each with its channel badges and the reason.
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
import { api, startTestPlatform } from "../helpers/platform.ts";

let server: RunningPlatform;
let browser: TestBrowser;

before(async () => {
  [server, browser] = await Promise.all([
    startTestPlatform({ "recommend.retrainIntervalMs": 0 }),
    launchBrowser(),
  ]);
  const call = async (method: string, route: string, body?: unknown) => {
    const res = await api(server.url, method, route, body);
    assert.ok(res.status < 300, JSON.stringify(res.body));
    return res.body;
  };
  await server.platform.objects.createBucket("catalogs", { ifNotExists: true });
  const titles = ["Alpha guide", "Beta notes", "Gamma recipes", "Delta maps", "Epsilon tales"];
  await server.platform.objects.putObject(
    "catalogs",
    "web.jsonl",
    titles
      .map((title, i) => JSON.stringify({ item_id: `i${i}`, title, category: i % 2 ? "odd" : "even" }))
      .join("\n"),
  );
  await call("POST", "/v2/instances", { instance_id: "airec-web", name: "web" });
  const ds = (
    await call("POST", "/v2/instances/airec-web/datasources", {
      type: "oss",
      path: "oss://catalogs/web.jsonl",
    })
  ).result as { datasource_id: string };
  await call("POST", `/v2/instances/airec-web/datasources/${ds.datasource_id}/sync`);
  await call("POST", "/v2/instances/airec-web/behaviors", [
    { user_id: "alice", item_id: "i0", type: "click" },
    { user_id: "bob", item_id: "i0", type: "click" },
    { user_id: "bob", item_id: "i1", type: "like" },
    { user_id: "carol", item_id: "i2", type: "purchase" },
  ]);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("a user's history beside their recommendations, with channel badges and why", async () => {
  const page = await browser.page();
  await page.goto(`${server.url}/console/#/recommend`);
  await page.getByRole("heading", { level: 1, name: "Recommendations" }).waitFor();
  await page.getByLabel("User").fill("alice");
  await page.getByRole("button", { name: "Recommend" }).click();
  const history = page.getByRole("region", { name: "Behaviours of alice, newest first" });
  await history.getByText("i0").waitFor();
  const recs = page.getByRole("region", { name: /^Recommendations for alice/ });
  await recs.getByText("Beta notes").waitFor();
  await recs.getByText("Gamma recipes").waitFor();
  assert.equal(await recs.getByText("Alpha guide").count(), 0, "already seen");
  assert.ok((await recs.locator(".badge", { hasText: "popular" }).count()) >= 2);
  assert.ok((await recs.getByText("popular", { exact: true }).count()) >= 2);
  assert.match(page.url(), /#\/recommend\/airec-web\/alice$/);
  // exploration adds the items nobody acted on yet, with their own badge
  await page.getByLabel("Exploration").selectOption("epsilon_greedy");
  await page.getByLabel("How many").fill("4");
  await page.getByRole("button", { name: "Recommend" }).click();
  await screenshot(page, "recommend");
  assert.deepEqual(page.errors, []);

  const phone = await browser.page(PHONE);
  await phone.goto(`${server.url}/console/#/recommend/airec-web/bob`);
  await phone
    .getByRole("region", { name: /^Recommendations for bob/ })
    .getByText("Gamma recipes")
    .waitFor();
  assert.equal(await horizontalOverflow(phone), 0);
});

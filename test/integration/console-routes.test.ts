/**
 * Serving the web console: `/` redirects to it, files under web/ with their content types and
 * revalidation (ETag → 304), TypeScript modules transpiled on request, uPlot from node_modules,
 * nothing outside web/ (traversal, dotfiles, web/tsconfig.json, unknown types); the search API
 * pass-through (method, path, query, JSON and NDJSON bodies, the engine's status and errors); and
 * with API keys required the console's files stay open while the pass-through needs a key.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { KeyStore } from "../../src/server/auth.ts";
import { startTestPlatform } from "../helpers/platform.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;

describe("console routes", () => {
  let server: Running;
  before(async () => {
    server = await startTestPlatform();
  });
  after(() => server.close());

  const get = (url: string, headers: Record<string, string> = {}) =>
    server.app.inject({ method: "GET", url, headers });

  test("/ and /console redirect to /console/, which is the console's page", async () => {
    for (const url of ["/", "/console"]) {
      const res = await get(url);
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, "/console/");
    }
    const page = await get("/console/");
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers["content-type"], "text/html; charset=utf-8");
    assert.match(page.body, /<script type="module" src="\/console\/src\/main\.ts">/);
  });

  test("TypeScript modules are served as JavaScript, revalidated by ETag", async () => {
    const res = await get("/console/src/pages/chat.ts");
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], "text/javascript; charset=utf-8");
    assert.equal(res.headers["cache-control"], "no-cache");
    // types are gone, imports kept as the browser resolves them
    assert.match(res.body, /from "\.\.\/api\.ts"/);
    assert.doesNotMatch(res.body, /^interface |: HTMLElement\)/m);
    const etag = String(res.headers.etag);
    const again = await get("/console/src/pages/chat.ts", { "if-none-match": etag });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, "");
    const css = await get("/console/styles.css");
    assert.equal(css.headers["content-type"], "text/css; charset=utf-8");
    const uplot = await get("/console/vendor/uPlot.esm.js");
    assert.equal(uplot.statusCode, 200);
    assert.equal(uplot.headers["content-type"], "text/javascript; charset=utf-8");
    assert.match(String(uplot.headers["cache-control"]), /max-age=/);
    assert.match(uplot.body, /export \{ uPlot as default \}|export default/);
  });

  test("nothing outside web/ and its known file types is served", async () => {
    for (const url of [
      "/console/../package.json",
      "/console/%2e%2e/package.json",
      "/console/src/%2e%2e/%2e%2e/package.json",
      "/console/..%2fpackage.json",
      "/console/tsconfig.json",
      "/console/.hidden.css",
      "/console/src/missing.ts",
      "/console/vendor/uPlot.d.ts",
      "/console/vendor/..%2f..%2fpackage.json",
      "/console/%25",
    ]) {
      const res = await get(url);
      assert.equal(res.statusCode, 404, `${url}: ${res.statusCode} ${res.body.slice(0, 80)}`);
      assert.doesNotMatch(res.body, /"dependencies"/, url);
    }
  });

  test("the search pass-through forwards method, path, query and body", async () => {
    const base = "/console/api/search";
    const created = await server.app.inject({
      method: "PUT",
      url: `${base}/notes`,
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ mappings: { properties: { body: { type: "text" } } } }),
    });
    assert.equal(created.statusCode, 200, created.body);
    const bulk = await server.app.inject({
      method: "POST",
      url: `${base}/notes/_bulk?refresh=true`,
      headers: { "content-type": "application/x-ndjson" },
      payload:
        '{"index":{"_id":"a"}}\n{"body":"hybrid search"}\n{"index":{"_id":"b"}}\n{"body":"job logs"}\n',
    });
    assert.equal(bulk.statusCode, 200, bulk.body);
    assert.equal(JSON.parse(bulk.body).errors, false);
    const ids = (body: string) => JSON.parse(body).hits.hits.map((h: { _id: string }) => h._id);
    const found = await server.app.inject({
      method: "POST",
      url: `${base}/notes/_search`,
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ query: { match: { body: "search" } } }),
    });
    assert.equal(found.statusCode, 200, found.body);
    assert.deepEqual(ids(found.body), ["a"]);
    const byQueryString = await get(`${base}/notes/_search?q=body:logs`);
    assert.deepEqual(ids(byQueryString.body), ["b"]);
    const cat = await get(`${base}/_cat/indices?format=json&h=index`);
    assert.deepEqual(JSON.parse(cat.body), [{ index: "notes" }]);
    // the engine's errors and statuses come back as they are
    const missing = await get(`${base}/nope/_search`);
    assert.equal(missing.statusCode, 404);
    assert.equal(JSON.parse(missing.body).error.type, "index_not_found_exception");
    const bad = await server.app.inject({
      method: "POST",
      url: `${base}/notes/_search`,
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    assert.equal(bad.statusCode, 400);
    // only the engine's own paths: a full URL in the path stays a path on the search API
    const smuggled = await get(`${base}/http://example.com/`);
    assert.equal(smuggled.statusCode, 404);
    assert.match(smuggled.body, /"status":\s*404|index_not_found|no handler/);
  });
});

describe("console routes with API keys required", () => {
  let server: Running;
  let key: string;
  before(async () => {
    server = await startTestPlatform({ "auth.required": true });
    key = new KeyStore(server.platform.db).create("console").key;
  });
  after(() => server.close());

  test("the console's files are open; its API calls need the key", async () => {
    for (const url of ["/", "/console/", "/console/src/main.ts", "/console/vendor/uPlot.min.css"]) {
      const res = await server.app.inject({ method: "GET", url });
      assert.ok(res.statusCode === 200 || res.statusCode === 302, `${url}: ${res.statusCode}`);
    }
    const denied = await server.app.inject({ method: "GET", url: "/console/api/search/_cat/indices" });
    assert.equal(denied.statusCode, 401);
    const allowed = await server.app.inject({
      method: "GET",
      url: "/console/api/search/_cat/indices?format=json",
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(allowed.statusCode, 200);
    assert.equal((await server.app.inject({ method: "GET", url: "/api/v1/jobs" })).statusCode, 401);
  });
});

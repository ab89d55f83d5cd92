/**
 * API keys on both servers when bound beyond loopback: every registered route of the platform API
 * and of the search API refuses a request without a key (health checks and the console's files
 * excepted), in each server's error shape; the three ways to send a key; scoped keys (read,
 * search, admin) get 403 outside their scope; per-key rate limits answer 429 with Retry-After.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { KeyStore } from "../../src/server/auth.ts";
import { probe, startTestPlatform, tempDir } from "../helpers/platform.ts";
import { allRoutes } from "../helpers/routes.ts";
import { runCli } from "../helpers/server-process.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;

const call = (
  base: string,
  method: string,
  route: string,
  headers: Record<string, string> = {},
  body?: unknown,
) => probe(base, method, route, { headers, body });

const PUBLIC_PLATFORM = (url: string) =>
  ["/health", "/health/live", "/health/ready", "/"].includes(url) ||
  (url.startsWith("/console") && !url.startsWith("/console/api"));

describe("every route of both servers needs a key off loopback", () => {
  let server: Running;
  let admin: string;
  before(async () => {
    server = await startTestPlatform({ host: "0.0.0.0" });
    admin = new KeyStore(server.platform.db).create("admin").key;
  });
  after(() => server?.close());

  test("platform API and search API: 401 without a key on every registered route", async () => {
    const platformRoutes = allRoutes(server.app);
    const searchRoutes = allRoutes(server.searchApp);
    assert.ok(platformRoutes.length > 80, `platform routes: ${platformRoutes.length}`);
    assert.ok(searchRoutes.length > 100, `search routes: ${searchRoutes.length}`);
    assert.ok(searchRoutes.some((r) => r.method === "POST" && r.url === "/x1/_search"));
    assert.ok(searchRoutes.some((r) => r.url.startsWith("/_plugins/_ml/models")));
    let checked = 0;
    for (const { method, url } of platformRoutes) {
      const res = await call(server.url, method, url);
      checked++;
      if (PUBLIC_PLATFORM(url)) {
        assert.notEqual(res.status, 401, `${method} ${url} is public`);
        continue;
      }
      assert.equal(res.status, 401, `platform ${method} ${url} answered ${res.status} without a key`);
      if (method !== "HEAD") assert.equal((res.body.error as { code: string }).code, "invalid_api_key");
    }
    for (const { method, url } of searchRoutes) {
      const res = await call(server.searchUrl, method, url);
      checked++;
      assert.equal(res.status, 401, `search ${method} ${url} answered ${res.status} without a key`);
      assert.match(res.headers.get("www-authenticate") ?? "", /ApiKey/);
      if (method === "HEAD") continue;
      const error = res.body.error as { type: string; reason: string };
      assert.equal(error.type, "security_exception", `${method} ${url}`);
      assert.match(error.reason, /requires an API key/);
      assert.equal(res.body.status, 401);
    }
    // unknown routes too, so that they do not reveal what exists
    assert.equal((await call(server.searchUrl, "GET", "/no/such/route/here")).status, 401);
    console.log(
      `routes checked without a key: ${checked} (${platformRoutes.length} platform, ${searchRoutes.length} search)`,
    );
  });

  test("the search API takes the key as Bearer, x-api-key and Elasticsearch's ApiKey base64(id:key)", async () => {
    const info = new KeyStore(server.platform.db).list()[0];
    const encoded = Buffer.from(`${info?.id}:${admin}`).toString("base64");
    const forms: Record<string, string>[] = [
      { authorization: `Bearer ${admin}` },
      { "x-api-key": admin },
      { authorization: `ApiKey ${encoded}` },
      { authorization: `ApiKey ${admin}` },
    ];
    for (const headers of forms) {
      const res = await call(server.searchUrl, "GET", "/_cluster/health", headers);
      assert.equal(res.status, 200, JSON.stringify(headers));
    }
    const wrong = await call(server.searchUrl, "GET", "/_cluster/health", {
      authorization: `ApiKey ${Buffer.from("key-x:lsk-wrong").toString("base64")}`,
    });
    assert.equal(wrong.status, 401);
    assert.match((wrong.body.error as { reason: string }).reason, /invalid API key/);
  });

  test("the console's search pass-through forwards the caller's key to the search API", async () => {
    const denied = await call(server.url, "GET", "/console/api/search/_cat/indices?format=json");
    assert.equal(denied.status, 401);
    const allowed = await call(server.url, "GET", "/console/api/search/_cat/indices?format=json", {
      authorization: `Bearer ${admin}`,
    });
    assert.equal(allowed.status, 200);
  });
});

describe("scoped keys", () => {
  let server: Running;
  const keys: Record<"read" | "search" | "admin", string> = { read: "", search: "", admin: "" };
  before(async () => {
    server = await startTestPlatform({ "auth.required": true });
    const store = new KeyStore(server.platform.db);
    for (const scope of ["read", "search", "admin"] as const) keys[scope] = store.create(scope, scope).key;
    const bearer = { authorization: `Bearer ${keys.admin}` };
    assert.equal(
      (
        await call(server.searchUrl, "PUT", "/docs", bearer, {
          mappings: { properties: { title: { type: "text" } } },
        })
      ).status,
      200,
    );
    assert.equal(
      (await call(server.searchUrl, "PUT", "/docs/_doc/1?refresh=true", bearer, { title: "alpha" })).status,
      201,
    );
    assert.equal(
      (
        await call(server.url, "POST", "/v1/rag/apps", bearer, {
          name: "app",
          index: "docs",
          retrieval: { mode: "bm25", text_fields: ["title"], content_field: "title" },
        })
      ).status,
      201,
    );
  });
  after(() => server?.close());

  const as = (scope: keyof typeof keys) => ({ authorization: `Bearer ${keys[scope]}` });

  test("read: searches, counts, msearch, rank_eval, GETs and RAG answers; no writes on either server", async () => {
    const reads: Array<[string, string, string, unknown?]> = [
      [server.searchUrl, "POST", "/docs/_search", { query: { match: { title: "alpha" } } }],
      [server.searchUrl, "GET", "/docs/_search"],
      [server.searchUrl, "POST", "/docs/_count", {}],
      [server.searchUrl, "GET", "/docs/_mapping"],
      [server.url, "POST", "/v1/rag/apps/app/chat", { query: "alpha?" }],
      [server.url, "GET", "/v1/rag/apps"],
    ];
    for (const [base, method, route, body] of reads) {
      const res = await call(base, method, route, as("read"), body);
      assert.ok(res.status < 400, `read key ${method} ${route} → ${res.status} ${JSON.stringify(res.body)}`);
    }
    const writes: Array<[string, string, string, unknown?]> = [
      [server.searchUrl, "PUT", "/docs/_doc/2", { title: "beta" }],
      [server.searchUrl, "DELETE", "/docs"],
      [server.searchUrl, "PUT", "/docs/_settings", { index: { number_of_replicas: 0 } }],
      [server.searchUrl, "POST", "/_bulk", undefined],
      [server.url, "POST", "/v1/rag/apps", { name: "b", index: "docs" }],
      [server.url, "DELETE", "/v1/rag/apps/app"],
      [server.url, "PUT", "/v1/oss/bucket"],
    ];
    for (const [base, method, route, body] of writes) {
      const res = await call(base, method, route, as("read"), body);
      assert.equal(res.status, 403, `read key ${method} ${route} → ${res.status}`);
      const error = res.body.error as { type: string; reason?: string; message?: string; code?: string };
      const message = error.reason ?? error.message ?? "";
      assert.match(message, /scope "read", which does not allow/);
      if (base === server.searchUrl) assert.equal(error.type, "security_exception");
      else assert.equal(error.code, "insufficient_scope");
    }
    assert.equal(
      (await call(server.searchUrl, "GET", "/docs/_doc/2", as("admin"))).status,
      404,
      "nothing written",
    );
  });

  test("search: the whole search API, platform reads and feedback; not platform admin", async () => {
    assert.equal(
      (await call(server.searchUrl, "PUT", "/docs/_doc/3", as("search"), { title: "gamma" })).status,
      201,
    );
    assert.equal(
      (await call(server.url, "POST", "/v1/rag/apps/app/retrieve", as("search"), { query: "gamma" })).status,
      200,
    );
    assert.equal(
      (await call(server.url, "POST", "/v1/rag/apps", as("search"), { name: "c", index: "docs" })).status,
      403,
    );
    assert.equal(
      (
        await call(server.url, "POST", "/v1/models", as("search"), {
          model_name: "x",
          oss_path: "oss://b/m/",
        })
      ).status,
      403,
    );
  });

  test("admin: everything", async () => {
    assert.equal((await call(server.url, "PUT", "/v1/oss/adminbucket", as("admin"))).status < 300, true);
    assert.equal((await call(server.searchUrl, "DELETE", "/docs/_doc/3", as("admin"))).status, 200);
  });

  test("lodestone keys create --scope; list shows scopes; a wrong scope is a usage error", async () => {
    const dataDir = tempDir();
    const created = await runCli([
      "keys",
      "create",
      "dash",
      "--scope",
      "read",
      "--data-dir",
      dataDir,
      "--json",
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).scope, "read");
    const plain = await runCli(["keys", "create", "ops", "--data-dir", dataDir]);
    assert.match(plain.stderr, /scope admin/);
    const listed = await runCli(["keys", "list", "--data-dir", dataDir, "--json"]);
    assert.deepEqual(
      JSON.parse(listed.stdout).keys.map((k: { name: string; scope: string }) => `${k.name}:${k.scope}`),
      ["dash:read", "ops:admin"],
    );
    const bad = await runCli(["keys", "create", "x", "--scope", "root", "--data-dir", dataDir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--scope must be one of read, search, admin/);
  });
});

describe("per-key rate limits", () => {
  let server: Running;
  let key: string;
  before(async () => {
    server = await startTestPlatform({
      "auth.required": true,
      "limits.ratePerKey": 2,
      "limits.rateBurst": 5,
    });
    key = new KeyStore(server.platform.db).create("limited", "read").key;
  });
  after(() => server?.close());

  test("a key gets its burst, then 429 with Retry-After on both servers, then tokens again", async () => {
    const headers = { authorization: `Bearer ${key}` };
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call(server.url, "GET", "/v1/models", headers)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    const platform = await call(server.url, "GET", "/v1/models", headers);
    assert.equal(platform.status, 429);
    assert.equal((platform.body.error as { type: string }).type, "rate_limit_error");
    assert.ok(Number(platform.headers.get("retry-after")) >= 1);
    // one bucket per key across both servers
    const search = await call(server.searchUrl, "GET", "/_cluster/health", headers);
    assert.equal(search.status, 429);
    assert.equal((search.body.error as { type: string }).type, "es_rejected_execution_exception");
    assert.match((search.body.error as { reason: string }).reason, /limits\.ratePerKey/);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await call(server.url, "GET", "/v1/models", headers)).status, 200);
  });

  test("on loopback without keys, requests are not limited", async () => {
    const open = await startTestPlatform({ "limits.ratePerKey": 2, "limits.rateBurst": 2 });
    try {
      for (let i = 0; i < 10; i++) assert.equal((await call(open.url, "GET", "/v1/models")).status, 200);
    } finally {
      await open.close();
    }
  });
});

describe("the platform's own calls to the search API when keys are required", () => {
  let server: Running;
  let key: string;
  before(async () => {
    server = await startTestPlatform({ "auth.required": true });
    key = new KeyStore(server.platform.db).create("own-calls").key;
  });
  after(() => server?.close());

  test("RAG answers and an embedded recommendation datasource's sync use the platform's own key", async () => {
    const auth = { authorization: `Bearer ${key}` };
    assert.equal(
      (
        await call(server.searchUrl, "PUT", "/items", auth, {
          mappings: { properties: { title: { type: "text" } } },
        })
      ).status,
      200,
    );
    for (const id of ["a", "b"]) {
      assert.equal(
        (await call(server.searchUrl, "PUT", `/items/_doc/${id}?refresh=true`, auth, { title: `item ${id}` }))
          .status,
        201,
      );
    }
    const app = await call(server.url, "POST", "/v1/rag/apps", auth, {
      name: "own",
      index: "items",
      retrieval: { mode: "bm25", text_fields: ["title"], content_field: "title" },
    });
    assert.equal(app.status, 201, JSON.stringify(app.body));
    const ask = await call(server.url, "POST", "/v1/rag/apps/own/chat", auth, { query: "item a" });
    assert.equal(ask.status, 200, JSON.stringify(ask.body));
    const instance = await call(server.url, "POST", "/v2/instances", auth, { instance_id: "airec-own" });
    assert.ok(instance.status < 300, JSON.stringify(instance.body));
    const ds = await call(server.url, "POST", "/v2/instances/airec-own/datasources", auth, {
      type: "elasticsearch",
      endpoint: server.searchUrl,
      index: "items",
    });
    assert.equal(ds.status, 201, JSON.stringify(ds.body));
    const dsId = (ds.body.result as { datasource_id: string }).datasource_id;
    const synced = await call(server.url, "POST", `/v2/instances/airec-own/datasources/${dsId}/sync`, auth);
    const sync = (synced.body.result as { sync: { state: string; items: number } }).sync;
    assert.equal(sync.state, "synced", JSON.stringify(synced.body));
    assert.equal(sync.items, 2);
  });
});

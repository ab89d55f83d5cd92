/**
 * API keys on the platform API: required off loopback (every route, unknown ones included),
 * optional on loopback unless `auth.required`, Bearer and x-api-key, wrong and revoked keys
 * refused with the platform's error shape, keys stored hashed and never logged, and the local
 * `lodestone keys` commands.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "../../src/config/load.ts";
import { authRequired, generateKey, isLoopbackHost, KeyStore } from "../../src/server/auth.ts";
import { startPlatform } from "../../src/server/platform.ts";
import { openDatabase } from "../../src/state/db.ts";
import { startTestPlatform, tempDir, testConfig } from "../helpers/platform.ts";
import { allRoutes } from "../helpers/routes.ts";
import { runCli } from "../helpers/server-process.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;

interface Call {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(
  baseUrl: string,
  method: string,
  route: string,
  opts: {
    key?: string;
    header?: "bearer" | "x-api-key";
    headers?: Record<string, string>;
    body?: unknown;
  } = {},
): Promise<Call> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key !== undefined) {
    if (opts.header === "x-api-key") headers["x-api-key"] = opts.key;
    else headers.authorization = `Bearer ${opts.key}`;
  }
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  const json = response.headers.get("content-type")?.includes("json") ?? false;
  return { status: response.status, headers: response.headers, body: text && json ? JSON.parse(text) : {} };
}

function assertRefused(res: Call, what: string, message: RegExp): void {
  assert.equal(res.status, 401, `${what}: ${JSON.stringify(res.body)}`);
  assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="lodestone"', what);
  const error = res.body.error as Record<string, unknown>;
  assert.deepEqual(
    { type: error.type, code: error.code, param: error.param },
    { type: "authentication_error", code: "invalid_api_key", param: null },
    what,
  );
  assert.match(error.message as string, message, what);
  assert.match(error.message as string, /lodestone keys create <name>/, what);
  assert.equal(typeof res.body.request_id, "string", what);
}

describe("API keys on a server bound to 0.0.0.0", () => {
  let server: Running;
  let keys: KeyStore;
  let key: string;
  let keyId: string;

  before(async () => {
    server = await startTestPlatform({ host: "0.0.0.0" });
    keys = new KeyStore(server.platform.db);
    const created = keys.create("test");
    key = created.key;
    keyId = created.info.id;
  });
  after(() => server?.close());

  test("every route refuses a request without a key; /health stays open", async () => {
    const routes = allRoutes(server.app);
    for (const expected of [
      "GET /v1/models",
      "POST /v1/embeddings",
      "GET /api/v1/jobs",
      "POST /v1/endpoints",
    ]) {
      const [method, url] = expected.split(" ");
      assert.ok(
        routes.some((r) => r.method === method && r.url.startsWith(url as string)),
        `${expected} in ${JSON.stringify(routes)}`,
      );
    }
    assert.ok(routes.length > 20, JSON.stringify(routes));
    for (const { method, url } of routes) {
      const res = await call(server.url, method, url);
      if (url === "/health" || url === "/health/live" || url === "/health/ready") {
        assert.equal(res.status, 200, `${method} ${url}`);
        continue;
      }
      // the console's static files are public (its API calls carry the key)
      if (url === "/" || url.startsWith("/console")) {
        assert.notEqual(res.status, 401, `${method} ${url}`);
        continue;
      }
      assert.equal(res.status, 401, `${method} ${url} answered ${res.status} without a key`);
      if (method !== "HEAD") assertRefused(res, `${method} ${url}`, /requires an API key/);
    }
    // unknown routes too: they must not reveal what exists
    assertRefused(await call(server.url, "GET", "/v1/nothing-here"), "unknown route", /requires an API key/);
    assertRefused(await call(server.url, "GET", "/health/x"), "below /health", /requires an API key/);
    assert.equal((await call(server.url, "GET", "/health")).body.status, "ok");
  });

  test("wrong, malformed and revoked keys are refused", async () => {
    const wrong = generateKey();
    assertRefused(
      await call(server.url, "GET", "/v1/models", { key: wrong }),
      "unknown key",
      /invalid API key/,
    );
    assertRefused(
      await call(server.url, "GET", "/v1/models", { key: wrong, header: "x-api-key" }),
      "unknown key in x-api-key",
      /invalid API key/,
    );
    assertRefused(
      await call(server.url, "GET", "/v1/models", { key: `${key.slice(0, -1)}x` }),
      "same prefix, other key",
      /invalid API key/,
    );
    assertRefused(await call(server.url, "GET", "/v1/models", { key: "hello" }), "malformed", /invalid/);
    assertRefused(
      await call(server.url, "GET", "/v1/models", { headers: { authorization: `Basic ${key}` } }),
      "not Bearer",
      /invalid/,
    );
    const revoked = keys.create("to-revoke");
    assert.equal((await call(server.url, "GET", "/v1/models", { key: revoked.key })).status, 200);
    keys.revoke(revoked.info.prefix);
    const res = await call(server.url, "GET", "/v1/models", { key: revoked.key });
    assertRefused(res, "revoked", new RegExp(`${revoked.info.prefix}… was revoked`));
    assert.ok(!JSON.stringify(res.body).includes(revoked.key), "the key is not echoed");
  });

  test("a valid key is accepted as Bearer and as x-api-key on representative routes", async () => {
    for (const header of ["bearer", "x-api-key"] as const) {
      const ok = { key, header };
      assert.equal((await call(server.url, "GET", "/v1/models", ok)).status, 200);
      assert.equal((await call(server.url, "GET", "/api/v1/jobs", ok)).status, 200);
      assert.equal((await call(server.url, "GET", "/v1/oss", ok)).status, 200);
      assert.equal((await call(server.url, "PUT", `/v1/oss/auth-${header}`, ok)).status, 201);
      assert.equal((await call(server.url, "GET", `/v1/oss/auth-${header}`, ok)).status, 200);
      const notAuth = [
        await call(server.url, "POST", "/v1/embeddings", { ...ok, body: { model: "none", input: "x" } }),
        await call(server.url, "POST", "/v1/endpoints", { ...ok, body: {} }),
        await call(server.url, "POST", "/v1/chat/completions", {
          ...ok,
          body: { model: "none", messages: [{ role: "user", content: "hi" }] },
        }),
        await call(server.url, "GET", "/v1/nothing-here", ok),
      ];
      for (const res of notAuth) {
        assert.ok(res.status >= 400 && res.status !== 401, JSON.stringify(res.body));
        assert.notEqual((res.body.error as { type?: string }).type, "authentication_error");
      }
    }
    const used = keys.list().find((k) => k.id === keyId);
    assert.ok(used?.lastUsedAt, "last_used_at is recorded");
  });

  test("the database holds the hash and a short prefix, never the key", () => {
    const rows = server.platform.db.prepare("SELECT * FROM api_keys WHERE id = ?").all(keyId);
    assert.equal(rows.length, 1);
    const row = rows[0] as Record<string, unknown>;
    assert.equal(row.hash, createHash("sha256").update(key).digest("hex"));
    assert.equal(row.prefix, key.slice(0, 12));
    assert.ok(!JSON.stringify(rows).includes(key));
    server.platform.db.pragma("wal_checkpoint(PASSIVE)");
    for (const file of fs
      .readdirSync(server.platform.layout.root)
      .filter((f) => f.startsWith("lodestone.db"))) {
      const bytes = fs.readFileSync(path.join(server.platform.layout.root, file), "latin1");
      assert.ok(!bytes.includes(key), `${file} contains the plain key`);
      assert.ok(!bytes.includes(key.slice(12)), `${file} contains the secret part of the key`);
    }
    assert.deepEqual(Object.keys(keys.list()[0] ?? {}).sort(), [
      "createdAt",
      "id",
      "lastUsedAt",
      "name",
      "prefix",
      "revokedAt",
      "scope",
    ]);
  });
});

describe("auth policy", () => {
  test("loopback hosts need no key by default; auth.required turns it on and off", async () => {
    assert.ok(isLoopbackHost("127.0.0.1") && isLoopbackHost("::1") && isLoopbackHost("localhost"));
    assert.ok(isLoopbackHost("127.1.2.3") && isLoopbackHost("[::1]") && isLoopbackHost("::ffff:127.0.0.1"));
    assert.ok(!isLoopbackHost("0.0.0.0") && !isLoopbackHost("::") && !isLoopbackHost("192.168.1.10"));
    const dir = tempDir();
    assert.equal(authRequired(testConfig(dir)), false);
    assert.equal(authRequired(testConfig(dir, { host: "0.0.0.0" })), true);
    assert.equal(authRequired(testConfig(dir, { host: "0.0.0.0", "auth.required": false })), false);
    assert.equal(authRequired(testConfig(dir, { "auth.required": true })), true);
    const fromEnv = loadConfig({ cwd: dir, env: { LODESTONE_AUTH_REQUIRED: "true" } }).config;
    assert.equal(fromEnv.auth.required, true);
    fs.writeFileSync(path.join(dir, "lodestone.config.yaml"), "auth:\n  required: false\n");
    assert.equal(loadConfig({ cwd: dir, env: {} }).config.auth.required, false);
    assert.throws(
      () => loadConfig({ cwd: dir, env: { LODESTONE_AUTH_REQUIRED: "maybe" } }),
      /auth\.required must be boolean/,
    );

    const open = await startTestPlatform();
    try {
      assert.equal((await call(open.url, "GET", "/v1/models")).status, 200);
      // a key sent to a server that does not ask for one is ignored, as the openai client sends one
      assert.equal((await call(open.url, "GET", "/v1/models", { key: "whatever" })).status, 200);
    } finally {
      await open.close();
    }

    const strict = await startTestPlatform({ "auth.required": true });
    try {
      assertRefused(await call(strict.url, "GET", "/v1/models"), "required on loopback", /requires/);
      const { key } = new KeyStore(strict.platform.db).create("strict");
      assert.equal((await call(strict.url, "GET", "/v1/models", { key })).status, 200);
      assert.equal((await call(strict.url, "GET", "/health")).status, 200);
    } finally {
      await strict.close();
    }
  });

  test("keys never reach the server log", async () => {
    const dataDir = tempDir();
    const logFile = path.join(dataDir, "logs", "server.log");
    const running = await startPlatform(testConfig(dataDir, { host: "0.0.0.0", logLevel: "trace" }), {
      logFile,
    });
    let key = "";
    try {
      key = new KeyStore(running.platform.db).create("logged").key;
      await call(running.url, "GET", "/v1/models", { key });
      await call(running.url, "GET", "/v1/models", { key, header: "x-api-key" });
      await call(running.url, "GET", "/v1/models", { key: `${key.slice(0, -1)}x` });
    } finally {
      await running.close();
    }
    const log = fs.readFileSync(logFile, "utf8");
    assert.match(log, /\/v1\/models/);
    assert.ok(!log.includes(key.slice(4)), "the server log contains an API key");
  });
});

describe("lodestone keys (local, no server)", () => {
  test("create, list, revoke with --data-dir; the CLI client sends LODESTONE_API_KEY or --api-key", async () => {
    const dataDir = tempDir();
    const cli = (...args: string[]) => runCli(args, { env: { LODESTONE_API_KEY: "" } });

    const created = await cli("keys", "create", "ci", "--data-dir", dataDir, "--json");
    assert.equal(created.code, 0, created.stderr);
    const info = JSON.parse(created.stdout);
    assert.match(info.key, /^lsk-[0-9A-Za-z]{40}$/);
    assert.equal(info.name, "ci");
    assert.equal(info.prefix, info.key.slice(0, 12));
    assert.match(info.id, /^key-/);

    const plain = await cli("keys", "create", "laptop", "--data-dir", dataDir);
    assert.equal(plain.code, 0, plain.stderr);
    const laptopKey = plain.stdout.trim();
    assert.match(laptopKey, /^lsk-[0-9A-Za-z]{40}$/, "stdout is the key alone");
    assert.match(plain.stderr, /shown only this once/);

    const listed = await cli("keys", "list", "--data-dir", dataDir, "--json");
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      JSON.parse(listed.stdout).keys.map((k: { name: string }) => k.name),
      ["ci", "laptop"],
    );
    assert.ok(!listed.stdout.includes(info.key) && !listed.stdout.includes(laptopKey), "list shows no keys");
    const table = await runCli(["keys", "list"], { env: { LODESTONE_DATA_DIR: dataDir } });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`${info.prefix}…`));
    assert.ok(!table.stdout.includes(info.key));

    // the keys work against a server on the same data directory, through the CLI's client
    const server = await startTestPlatform({ host: "0.0.0.0" }, dataDir);
    try {
      const refused = await cli("--url", server.url, "oss", "ls", "--json");
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /lodestone keys create <name>/);
      assert.match(refused.stderr, /LODESTONE_API_KEY/);
      const withEnv = await runCli(["--url", server.url, "oss", "ls", "--json"], {
        env: { LODESTONE_API_KEY: info.key },
      });
      assert.equal(withEnv.code, 0, withEnv.stderr);
      const withFlag = await cli("--url", server.url, "--api-key", laptopKey, "oss", "mb", "oss://keyed");
      assert.equal(withFlag.code, 0, withFlag.stderr);

      const revoked = await cli("keys", "revoke", `${info.prefix}…`, "--data-dir", dataDir, "--json");
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.ok(JSON.parse(revoked.stdout).revoked_at);
      // a running server sees the revocation at once
      const after = await runCli(["--url", server.url, "oss", "ls"], {
        env: { LODESTONE_API_KEY: info.key },
      });
      assert.equal(after.code, 1);
      assert.match(after.stderr, /was revoked/);
      assert.equal((await call(server.url, "GET", "/v1/oss", { key: laptopKey })).status, 200);
    } finally {
      await server.close();
    }

    const byId = await cli("keys", "revoke", JSON.parse(listed.stdout).keys[1].id, "--data-dir", dataDir);
    assert.equal(byId.code, 0, byId.stderr);
    assert.match(byId.stdout, /revoked API key key-\S+ "laptop"/);
    const missing = await cli("keys", "revoke", "lsk-nothere", "--data-dir", dataDir);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no API key "lsk-nothere"/);
    const badName = await cli("keys", "create", " ", "--data-dir", dataDir);
    assert.equal(badName.code, 2);
    assert.match(badName.stderr, /key name/);

    const db = openDatabase(path.join(dataDir, "lodestone.db"));
    try {
      const rows = db.prepare("SELECT name, revoked_at FROM api_keys ORDER BY created_at").all();
      assert.equal(rows.length, 2);
      assert.ok(rows.every((r) => (r as { revoked_at: number | null }).revoked_at !== null));
      assert.ok(!JSON.stringify(db.prepare("SELECT * FROM api_keys").all()).includes(info.key));
    } finally {
      db.close();
    }
  });
});

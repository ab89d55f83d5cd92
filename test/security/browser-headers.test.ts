/**
 * The console's security headers (a Content-Security-Policy allowing only its own scripts, no
 * framing, nosniff, no referrer) and CORS: none by default, exact configured origins only (never
 * a wildcard), preflights answered before the key check on both servers.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { after, before, describe, test } from "node:test";
import { KeyStore } from "../../src/server/auth.ts";
import { CONSOLE_INDEX } from "../../src/server/routes/console.ts";
import { startTestPlatform } from "../helpers/platform.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;
const ORIGIN = "https://app.example.com";

describe("security headers and CORS", () => {
  let open: Running;
  let cors: Running;
  let key: string;
  before(async () => {
    open = await startTestPlatform();
    cors = await startTestPlatform({ "auth.required": true, "cors.allowedOrigins": [ORIGIN] });
    key = new KeyStore(cors.platform.db).create("browser").key;
  });
  after(async () => {
    await open?.close();
    await cors?.close();
  });

  test("the console page: CSP with its own scripts and the import map's hash, no framing, nosniff, no referrer", async () => {
    const res = await fetch(`${open.url}/console/`);
    assert.equal(res.status, 200);
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /object-src 'none'/);
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-(inline|eval)/);
    const importMap =
      /<script type="importmap">([\s\S]*?)<\/script>/.exec(fs.readFileSync(CONSOLE_INDEX, "utf8"))?.[1] ?? "";
    assert.ok(csp.includes(`'sha256-${createHash("sha256").update(importMap).digest("base64")}'`), csp);
    assert.equal(res.headers.get("x-frame-options"), "DENY");
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("referrer-policy"), "no-referrer");
    // API answers get the generic headers too, on both ports
    for (const url of [`${open.url}/v1/models`, `${open.searchUrl}/`]) {
      const api = await fetch(url);
      assert.equal(api.headers.get("x-content-type-options"), "nosniff", url);
    }
  });

  test("no CORS by default, whatever the origin", async () => {
    for (const url of [`${open.url}/v1/models`, `${open.searchUrl}/_cluster/health`]) {
      const res = await fetch(url, { headers: { origin: ORIGIN } });
      assert.equal(res.headers.get("access-control-allow-origin"), null, url);
      const preflight = await fetch(url, {
        method: "OPTIONS",
        headers: { origin: ORIGIN, "access-control-request-method": "POST" },
      });
      assert.equal(preflight.headers.get("access-control-allow-origin"), null, url);
    }
  });

  test("configured origins only, echoed exactly (never *); preflights pass before the key check", async () => {
    for (const url of [`${cors.url}/v1/models`, `${cors.searchUrl}/docs/_search`]) {
      const preflight = await fetch(url, {
        method: "OPTIONS",
        headers: {
          origin: ORIGIN,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization",
        },
      });
      assert.equal(preflight.status, 204, url);
      assert.equal(preflight.headers.get("access-control-allow-origin"), ORIGIN);
      assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /authorization/);
      const other = await fetch(url, {
        method: "OPTIONS",
        headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
      });
      assert.equal(other.headers.get("access-control-allow-origin"), null);
      assert.equal(other.status, 401, "a preflight from another origin is an unauthenticated request");
    }
    const keyed = await fetch(`${cors.url}/v1/models`, {
      headers: { origin: ORIGIN, authorization: `Bearer ${key}` },
    });
    assert.equal(keyed.status, 200);
    assert.equal(keyed.headers.get("access-control-allow-origin"), ORIGIN);
    assert.notEqual(keyed.headers.get("access-control-allow-origin"), "*");
    const evil = await fetch(`${cors.url}/v1/models`, {
      headers: { origin: "https://evil.example", authorization: `Bearer ${key}` },
    });
    assert.equal(evil.headers.get("access-control-allow-origin"), null);
  });
});

/**
 * Outbound calls (SSRF), paths from requests (traversal) and secrets:
 * - the shared URL policy (src/common/url-policy.ts) refuses loopback, private, link-local and
 *   metadata addresses unless allow-listed, and http(s) only; model connectors, ML Commons
 *   connectors and recommendation datasources are refused before any byte reaches such a host;
 * - object keys, model folders, job mounts, datasource files and console files cannot name
 *   anything outside their roots (`..`, encoded `%2e%2e`, absolute paths, NUL);
 * - API keys and connector credentials never appear in the log or in GET answers.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  checkOutboundUrl,
  configureOutbound,
  isNonPublicAddress,
  outboundDispatcher,
} from "../../src/common/url-policy.ts";
import { KeyStore } from "../../src/server/auth.ts";
import { startPlatform } from "../../src/server/platform.ts";
import { probe, startTestPlatform, tempDir, testConfig } from "../helpers/platform.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;

const call = (
  base: string,
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => probe(base, method, route, { body, headers });

/** A stand-in for an internal service: counts the requests that reach it. */
async function internalService(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.writeHead(200, { "content-type": "application/json" }).end('{"data":[{"embedding":[1,2,3]}]}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("the outbound URL policy", () => {
  test("refuses loopback, private, link-local, metadata, CGNAT and unspecified addresses, and non-http schemes", async () => {
    for (const url of [
      "http://127.0.0.1:8080/v1",
      "http://127.9.9.9/",
      "http://10.1.2.3/",
      "http://172.16.5.4/",
      "http://172.31.255.255/",
      "http://192.168.1.1/",
      "http://169.254.169.254/latest/meta-data/",
      "http://100.64.0.1/",
      "http://0.0.0.0:9200/",
      "http://[::1]:9200/",
      "http://[fc00::1]/",
      "http://[fd12:3456::1]/",
      "http://[fe80::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://localhost:9200/",
    ]) {
      await assert.rejects(
        checkOutboundUrl(url, "connector.base_url", []),
        (err: Error & { code?: string; param?: string }) => {
          assert.equal(err.code, "url_not_allowed", url);
          assert.equal(err.param, "connector.base_url");
          assert.match(err.message, /outbound\.allowedHosts/);
          return true;
        },
      );
    }
    for (const url of ["file:///etc/passwd", "ftp://example.com/x", "gopher://x/", "not a url"]) {
      await assert.rejects(checkOutboundUrl(url, "url", []), /url (must be an http|is not a valid URL)/);
    }
  });

  test("lets public addresses through, and private ones the allow-list names (host, address or CIDR)", async () => {
    assert.equal((await checkOutboundUrl("https://8.8.8.8/v1", "u", [])).hostname, "8.8.8.8");
    assert.equal(
      (await checkOutboundUrl("http://[2001:4860::8888]/", "u", [])).hostname,
      "[2001:4860::8888]",
    );
    await checkOutboundUrl("http://10.1.2.3/", "u", ["10.0.0.0/8"]);
    await checkOutboundUrl("http://127.0.0.1:1/", "u", ["127.0.0.1"]);
    await checkOutboundUrl("http://localhost:1/", "u", ["localhost"]);
    await checkOutboundUrl("http://[fd00::5]/", "u", ["fd00::/8"]);
    await assert.rejects(checkOutboundUrl("http://10.1.2.3/", "u", ["10.9.0.0/16"]));
    assert.equal(isNonPublicAddress("172.32.0.1"), false);
    assert.equal(isNonPublicAddress("172.15.255.255"), false);
    assert.equal(isNonPublicAddress("::ffff:10.0.0.1"), true);
  });

  test("connections re-check the name's addresses when they connect (DNS rebinding)", async (t) => {
    // a name that passed the check earlier may resolve to a private address by the time the call
    // connects: the connectors' dispatcher refuses it then, before any byte is sent
    let reached = 0;
    const server = http.createServer((_req, res) => {
      reached++;
      res.end("internal");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    t.after(() => server.close());
    const { port } = server.address() as AddressInfo;
    const get = (host: string) =>
      fetch(`http://${host}:${port}/`, { dispatcher: outboundDispatcher() } as RequestInit);
    await assert.rejects(get("localhost"), (err: Error & { cause?: Error & { code?: string } }) => {
      assert.equal(err.cause?.code, "EADDRNOTALLOWED");
      assert.match(err.cause?.message ?? "", /localhost resolved to 127\.0\.0\.1/);
      return true;
    });
    assert.equal(reached, 0);
    configureOutbound(["localhost"]);
    t.after(() => configureOutbound([]));
    assert.equal(await (await get("localhost")).text(), "internal");
  });
});

describe("SSRF through the APIs (no allow-list)", () => {
  let server: Running;
  let internal: Awaited<ReturnType<typeof internalService>>;
  before(async () => {
    internal = await internalService();
    server = await startTestPlatform({ "outbound.allowedHosts": [] });
  });
  after(async () => {
    await server?.close();
    await internal?.close();
  });

  test("a model connector to a loopback, private or metadata address is refused before any request", async () => {
    for (const base of [`${internal.url}/v1`, "http://169.254.169.254/v1", "http://10.0.0.7:8000/v1"]) {
      const res = await call(server.url, "POST", "/v1/models", {
        model_name: `up-${Math.random().toString(36).slice(2, 8)}`,
        connector: { type: "openai-embeddings", base_url: base, model: "m" },
      });
      assert.equal(res.status, 400, `${base}: ${res.text}`);
      assert.match(res.text, /loopback, private or link-local/);
    }
    assert.equal(internal.hits(), 0, "a request reached the internal service");
  });

  test("an ML Commons connector's action URL is refused when a model is registered through it", async () => {
    const connector = await call(server.searchUrl, "POST", "/_plugins/_ml/connectors/_create", {
      name: "inside",
      protocol: "http",
      parameters: { model: "m" },
      actions: [
        {
          action_type: "predict",
          method: "POST",
          url: `${internal.url}/v1/embeddings`,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: ML Commons placeholders
          request_body: '{ "input": ${parameters.input}, "model": "${parameters.model}" }',
          pre_process_function: "connector.pre_process.openai.embedding",
          post_process_function: "connector.post_process.openai.embedding",
        },
      ],
    });
    assert.equal(connector.status, 200, connector.text);
    const registered = await call(server.searchUrl, "POST", "/_plugins/_ml/models/_register", {
      name: "inside-embedder",
      function_name: "remote",
      connector_id: connector.body.connector_id,
    });
    let task: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) {
      task = (await call(server.searchUrl, "GET", `/_plugins/_ml/tasks/${registered.body.task_id}`)).body;
      if (task.state !== "CREATED" && task.state !== "RUNNING") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(task.state, "FAILED", JSON.stringify(task));
    assert.match(String(task.error), /loopback, private or link-local/);
    assert.equal(internal.hits(), 0, "a request reached the internal service");
  });

  test("a recommendation datasource may name only the embedded engine or allow-listed clusters", async () => {
    const instance = await call(server.url, "POST", "/v2/instances", {
      instance_id: "airec-ssrf",
      name: "ssrf",
    });
    assert.ok(instance.status < 300, instance.text);
    for (const endpoint of ["http://169.254.169.254/latest", "http://10.0.0.1:9200", internal.url]) {
      const res = await call(server.url, "POST", "/v2/instances/airec-ssrf/datasources", {
        type: "elasticsearch",
        endpoint,
        index: "items",
      });
      assert.equal(res.status, 400, `${endpoint}: ${res.text}`);
      assert.match(res.text, /allowedEndpoints/);
    }
    assert.equal(internal.hits(), 0);
  });
});

describe("paths from requests stay inside their roots", () => {
  let server: Running;
  let outside: string;
  before(async () => {
    server = await startTestPlatform();
    outside = path.join(path.dirname(server.dataDir), `${path.basename(server.dataDir)}-secret.txt`);
    fs.writeFileSync(outside, "top secret");
    assert.ok((await call(server.url, "PUT", "/v1/oss/bkt")).status < 300);
  });
  after(async () => {
    await server?.close();
    fs.rmSync(outside, { force: true });
  });

  const TRAVERSALS = [
    "..",
    "../x",
    "a/../../x",
    "%2e%2e/x",
    "%2e%2e%2f%2e%2e%2fx",
    "..%2f..%2fx",
    "a%00b",
    "%2fetc%2fpasswd",
  ];

  test("object keys: no write, read or delete outside the bucket", async () => {
    const before = fs.readdirSync(path.dirname(server.dataDir)).sort();
    for (const key of TRAVERSALS) {
      const put = await call(server.url, "PUT", `/v1/oss/bkt/${key}`, "payload", {
        "content-type": "application/octet-stream",
      });
      const get = await call(server.url, "GET", `/v1/oss/bkt/${key}`);
      assert.ok(put.status >= 400 || !/\.\./.test(decodeURIComponent(key)), `PUT ${key} → ${put.status}`);
      assert.ok(!get.text.includes("top secret"), `GET ${key} read outside the bucket`);
    }
    for (const bucket of ["..", "%2e%2e", "a%00"]) {
      assert.ok((await call(server.url, "PUT", `/v1/oss/${bucket}`)).status >= 400, `bucket ${bucket}`);
    }
    assert.deepEqual(
      fs.readdirSync(path.dirname(server.dataDir)).sort(),
      before,
      "files appeared next to the data directory",
    );
    assert.equal(fs.readFileSync(outside, "utf8"), "top secret");
  });

  test("model folders, job mounts and scripts cannot leave object storage", async () => {
    for (const oss_path of [
      "oss://bkt/../../",
      "oss://bkt/%2e%2e/",
      "/etc/",
      "file:///etc/",
      "oss://bkt/a\u0000/",
    ]) {
      const res = await call(server.url, "POST", "/v1/models", { model_name: "t", oss_path });
      assert.ok(res.status >= 400 && res.status < 500, `${oss_path}: ${res.status} ${res.text}`);
    }
    const jobs: Array<Record<string, string>> = [
      { Script: "train-embedding", OssInput: "oss://bkt/../../" },
      { Script: "train-embedding", OssInput: "oss://../x/" },
      { Script: "train-embedding", OssInput: "/etc/" },
      { Script: "train-embedding", OssInput: "oss://bkt/in/", OssOutput: "oss://bkt/../../out/" },
      { Script: "oss://bkt/../../x.js" },
      { Script: "../../../etc/passwd" },
      { Script: "/bin/sh" },
    ];
    for (const fields of jobs) {
      const res = await call(server.url, "POST", "/api/v1/jobs", { DisplayName: "t", ...fields });
      assert.ok(
        res.status >= 400 && res.status < 500,
        `${JSON.stringify(fields)}: ${res.status} ${res.text}`,
      );
      assert.doesNotMatch(
        res.text,
        /DisplayName|is not a known field/,
        "refused for the path, not the body's shape",
      );
    }
  });

  test("recommendation file datasources and console files stay inside their folders", async () => {
    assert.ok((await call(server.url, "POST", "/v2/instances", { instance_id: "airec-paths" })).status < 300);
    for (const p of [
      outside,
      "../../etc/passwd",
      `${server.dataDir}/../${path.basename(outside)}`,
      "a\u0000b",
    ]) {
      const res = await call(server.url, "POST", "/v2/instances/airec-paths/datasources", {
        type: "file",
        path: p,
      });
      assert.equal(res.status, 400, `${p}: ${res.text}`);
    }
    for (const p of [
      "/console/..%2f..%2fpackage.json",
      "/console/%2e%2e/%2e%2e/package.json",
      "/console/vendor/..%2f..%2fpackage.json",
      "/console/src/%00.ts",
    ]) {
      const res = await call(server.url, "GET", p);
      assert.ok(res.status >= 400, `${p}: ${res.status}`);
      assert.ok(!res.text.includes('"name": "lodestone"'), `${p} served package.json`);
    }
  });
});

describe("secrets are neither logged nor returned", () => {
  test("API keys (three header forms) and connector credentials stay out of the log and GET answers", async () => {
    const dataDir = tempDir();
    const logFile = path.join(dataDir, "logs", "server.log");
    const running = await startPlatform(testConfig(dataDir, { host: "0.0.0.0", logLevel: "debug" }), {
      logFile,
    });
    try {
      const key = new KeyStore(running.platform.db).create("logged").key;
      const credential = "sk-UPSTREAM-SECRET-0123456789";
      await call(running.url, "GET", "/v1/models", undefined, { authorization: `Bearer ${key}` });
      await call(running.searchUrl, "GET", "/_cat/indices", undefined, { "x-api-key": key });
      await call(running.searchUrl, "GET", "/_cluster/health", undefined, {
        authorization: `ApiKey ${Buffer.from(`key-x:${key}`).toString("base64")}`,
      });
      await call(running.url, "GET", "/v1/models", undefined, { authorization: `Bearer ${key}x` });
      const created = await call(
        running.searchUrl,
        "POST",
        "/_plugins/_ml/connectors/_create",
        {
          name: "with-secret",
          protocol: "http",
          credential: { openAI_key: credential },
          actions: [
            { action_type: "predict", method: "POST", url: "https://api.example.invalid/v1/embeddings" },
          ],
        },
        { authorization: `Bearer ${key}` },
      );
      assert.equal(created.status, 200, created.text);
      const shown = await call(
        running.searchUrl,
        "GET",
        `/_plugins/_ml/connectors/${created.body.connector_id}`,
        undefined,
        {
          authorization: `Bearer ${key}`,
        },
      );
      assert.equal(shown.status, 200);
      assert.ok(!shown.text.includes(credential), "GET returned the credential");
      const searched = await call(
        running.searchUrl,
        "POST",
        "/_plugins/_ml/connectors/_search",
        { query: { match_all: {} } },
        {
          authorization: `Bearer ${key}`,
        },
      );
      assert.ok(!searched.text.includes(credential), "_search returned the credential");
    } finally {
      await running.close();
    }
    const log = fs.readFileSync(logFile, "utf8");
    assert.match(log, /\/v1\/models/, "the log has the requests");
    assert.ok(!log.includes("sk-UPSTREAM-SECRET"), "the log contains a connector credential");
    assert.ok(!/lsk-[0-9A-Za-z]{12,}/.test(log), "the log contains an API key");
    assert.ok(
      !log.includes(Buffer.from("key-x:lsk-").toString("base64").slice(0, 12)),
      "the log contains an ES ApiKey header",
    );
  });
});

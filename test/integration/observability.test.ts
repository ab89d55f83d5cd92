/**
 * Observability of a running platform: GET /metrics (Prometheus text, behind the API key when keys
 * are required), /health/live and /health/ready (always open), and request ids that follow a RAG
 * chat from the platform's log lines into the search port's.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { KeyStore } from "../../src/server/auth.ts";
import { type RunningPlatform, startPlatform } from "../../src/server/platform.ts";
import { tempDir, testConfig } from "../helpers/platform.ts";

type Body = Record<string, unknown>;

describe("observability", () => {
  let server: RunningPlatform;
  let key: string;
  let logFile: string;

  const call = async (base: string, method: string, route: string, body?: unknown, headers: Body = {}) => {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body !== undefined && {
          "content-type": typeof body === "string" ? "application/x-ndjson" : "application/json",
        }),
        ...headers,
      } as Record<string, string>,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const json = (r: { text: string }) => JSON.parse(r.text) as Body;

  before(async () => {
    const dir = tempDir();
    logFile = path.join(dir, "logs", "server.log");
    server = await startPlatform(testConfig(dir, { logLevel: "info", "auth.required": true }), { logFile });
    key = new KeyStore(server.platform.db).create("observability").key;
    await call(server.searchUrl, "PUT", "/kb", {
      mappings: { properties: { title: { type: "text" }, content: { type: "text" } } },
    });
    const docs = [
      "the boundary layer on a flat plate thickens downstream",
      "shock waves form ahead of a blunt body in supersonic flow",
      "heat transfer to the wall rises with the mach number",
    ];
    const bulk = docs.map(
      (d, i) => `{"index":{"_id":"d${i}"}}\n${JSON.stringify({ title: `doc ${i}`, content: d })}\n`,
    );
    assert.equal((await call(server.searchUrl, "POST", "/kb/_bulk?refresh=true", bulk.join(""))).status, 200);
    const app = await call(server.url, "POST", "/v1/rag/apps", {
      name: "kb",
      index: "kb",
      retrieval: { mode: "bm25", k: 2 },
      llm: { provider: "builtin" },
    });
    assert.equal(app.status, 201, app.text);
  });
  after(() => server?.close());

  test("health: live and ready answer without a key; ready lists its checks", async () => {
    const live = await fetch(`${server.url}/health/live`);
    assert.equal(live.status, 200);
    assert.deepEqual(await live.json(), { status: "ok" });
    const ready = await fetch(`${server.url}/health/ready`);
    const body = (await ready.json()) as {
      status: string;
      failing: string[];
      checks: { name: string; ok: boolean }[];
    };
    assert.equal(ready.status, 200, JSON.stringify(body));
    assert.equal(body.status, "ready");
    assert.deepEqual(body.failing, []);
    assert.deepEqual(
      body.checks.map((c) => [c.name, c.ok]),
      [
        ["database", true],
        ["search", true],
        ["jobs", true],
        ["endpoints", true],
      ],
    );
  });

  test("a RAG chat's request id is in both servers' log lines, its chat id on the platform's", async () => {
    const chat = await call(
      server.url,
      "POST",
      "/v1/rag/apps/kb/chat",
      { query: "what forms ahead of a blunt body?" },
      {
        "x-request-id": "obs-rag-1",
      },
    );
    assert.equal(chat.status, 200, chat.text);
    assert.equal(chat.headers.get("x-request-id"), "obs-rag-1");
    const chatId = json(chat).id as string;
    let lines: Body[] = [];
    for (let i = 0; i < 50; i++) {
      lines = fs
        .readFileSync(logFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Body)
        .filter((l) => l.reqId === "obs-rag-1");
      if (lines.some((l) => l.server === "search") && lines.some((l) => l.trace_id)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const platformLines = lines.filter((l) => l.server === undefined);
    const searchLines = lines.filter((l) => l.server === "search");
    assert.ok(platformLines.length > 0, "no platform log line with the request id");
    assert.ok(searchLines.length > 0, "no search-port log line with the request id");
    assert.match(String((searchLines[0]?.req as Body | undefined)?.url ?? ""), /_search/);
    const completed = platformLines.find((l) => l.msg === "request completed");
    assert.equal(completed?.trace_id, chatId);
  });

  test("the search port takes x-request-id or X-Opaque-Id as its request id and echoes them", async () => {
    const byOpaque = await call(server.searchUrl, "GET", "/_cluster/health", undefined, {
      "x-opaque-id": "client-7",
    });
    assert.equal(byOpaque.headers.get("x-opaque-id"), "client-7");
    assert.equal(byOpaque.headers.get("x-request-id"), "client-7");
    const fresh = await call(server.searchUrl, "GET", "/_cluster/health");
    assert.match(fresh.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
  });

  test("GET /metrics: Prometheus text of both servers, index sizes, jobs and the process; a key is needed", async () => {
    assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
    await call(server.searchUrl, "POST", "/kb/_search", { query: { match: { content: "shock" } } });
    // segment files are written at a flush (a refresh alone keeps them in memory)
    await call(server.searchUrl, "POST", "/kb/_flush");
    const res = await call(server.url, "GET", "/metrics");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const text = res.text;
    // every line is a comment or a sample: name{labels} value
    for (const line of text.trimEnd().split("\n")) {
      assert.match(
        line,
        /^(# (HELP|TYPE) [a-zA-Z_:][\w:]* .+|[a-zA-Z_:][\w:]*(\{([a-zA-Z_]\w*="([^"\\]|\\.)*",?)*\})? \S+)$/,
        line,
      );
    }
    const value = (series: string) => {
      const line = text.split("\n").find((l) => l.startsWith(`${series} `));
      assert.ok(line, `no series ${series}`);
      return Number(line.slice(series.length + 1));
    };
    assert.ok(
      value(
        'lodestone_http_requests_total{server="platform",method="POST",route="/v1/rag/apps/:app/chat",status="2xx"}',
      ) >= 1,
    );
    assert.ok(
      value(
        'lodestone_http_requests_total{server="search",method="POST",route="/:index/_search",status="2xx"}',
      ) >= 1,
    );
    assert.ok(
      value('lodestone_http_requests_total{server="platform",method="GET",route="/metrics",status="4xx"}') >=
        1,
    );
    assert.ok(
      value(
        'lodestone_http_request_duration_seconds_count{server="platform",method="POST",route="/v1/rag/apps/:app/chat",status="2xx"}',
      ) >= 1,
    );
    assert.equal(value('lodestone_http_requests_in_flight{server="platform"}'), 1, "the scrape itself");
    assert.equal(value('lodestone_index_docs{index="kb"}'), 3);
    assert.ok(value('lodestone_index_store_bytes{index="kb"}') > 0);
    assert.equal(value('lodestone_jobs{state="Running"}'), 0);
    assert.equal(value("lodestone_job_queue_depth"), 0);
    assert.ok(value("process_resident_memory_bytes") > 10_000_000);
    assert.ok(value("nodejs_heap_size_used_bytes") > 0);
    assert.match(text, /^# TYPE lodestone_http_request_duration_seconds histogram$/m);
    assert.match(text, /^nodejs_eventloop_lag_seconds\{quantile="0.99"\} /m);
  });
  // last: it stops the job runner
  test("ready is a 503 naming the failing check once the job runner has stopped; live stays 200", async () => {
    await server.platform.jobs.close();
    const ready = await fetch(`${server.url}/health/ready`);
    assert.equal(ready.status, 503);
    const body = (await ready.json()) as { status: string; failing: string[] };
    assert.equal(body.status, "unavailable");
    assert.deepEqual(body.failing, ["jobs"]);
    assert.equal((await fetch(`${server.url}/health/live`)).status, 200);
  });
});

/**
 * Query complexity and request size limits, as Elasticsearch names them: body limits on both
 * ports (413), index.max_result_window for from + size, indices.query.bool.max_clause_count,
 * index.max_regex_length and linear-time patterns, knn k bounds, and the JSON nesting bound.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestPlatform } from "../helpers/platform.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;

async function search(base: string, route: string, body: string | object, contentType = "application/json") {
  const started = performance.now();
  const response = await fetch(`${base}${route}`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const json = (await response.json()) as {
    error?: { type: string; reason?: string; message?: string };
    status?: number;
  };
  return { status: response.status, json, ms: performance.now() - started };
}

describe("limits", () => {
  let server: Running;
  before(async () => {
    server = await startTestPlatform({ "limits.bodyBytes": 4096, "limits.searchBodyBytes": 200_000 });
    const url = server.searchUrl;
    const put = await fetch(`${url}/lim`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        mappings: {
          properties: {
            title: { type: "text" },
            tag: { type: "keyword" },
            v: { type: "knn_vector", dimension: 2 },
          },
        },
      }),
    });
    assert.equal(put.status, 200);
    await fetch(`${url}/lim/_doc/1?refresh=true`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "a".repeat(60), tag: "a".repeat(60), v: [1, 0] }),
    });
  });
  after(() => server?.close());

  test("request bodies over the limit are 413 on both ports, in each one's error shape", async () => {
    const platform = await search(server.url, "/v1/embeddings", { model: "x", input: "y".repeat(5000) });
    assert.equal(platform.status, 413);
    assert.equal((platform.json.error as { code?: string }).code, "RequestTooLarge");
    const engine = await search(
      server.searchUrl,
      "/_bulk",
      `${'{"index":{"_index":"lim"}}\n{"t":"x"}\n'.repeat(6000)}`,
      "application/x-ndjson",
    );
    assert.equal(engine.status, 413);
    assert.equal(engine.json.error?.type, "content_too_long_exception");
  });

  test("from + size over index.max_result_window (10,000) is a 400 naming the setting", async () => {
    const res = await search(server.searchUrl, "/lim/_search", { from: 9999, size: 2 });
    assert.equal(res.status, 400);
    assert.match(res.json.error?.reason ?? "", /Result window is too large.*index\.max_result_window/);
  });

  test("more than 1,024 clauses is too_many_clauses", async () => {
    const should = Array.from({ length: 1025 }, (_, i) => ({ term: { tag: `t${i}` } }));
    const res = await search(server.searchUrl, "/lim/_search", { query: { bool: { should } } });
    assert.equal(res.status, 400);
    assert.equal(res.json.error?.type, "too_many_clauses");
  });

  test("regexps: longer than index.max_regex_length is a 400; catastrophic shapes answer at once", async () => {
    const long = await search(server.searchUrl, "/lim/_search", {
      query: { regexp: { tag: "a".repeat(1001) } },
    });
    assert.equal(long.status, 400);
    assert.match(long.json.error?.reason ?? "", /index\.max_regex_length/);
    for (const query of [
      { regexp: { tag: "(a+)+b" } },
      { regexp: { title: { value: "(a|a)*b", case_insensitive: true } } },
      { wildcard: { tag: "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b" } },
      { query_string: { query: "/(a*)*b/", default_field: "title" } },
    ]) {
      const res = await search(server.searchUrl, "/lim/_search", { query });
      assert.equal(res.status, 200, JSON.stringify(res.json));
      assert.ok(res.ms < 2000, `${JSON.stringify(query)} took ${res.ms} ms`);
    }
    const complex = await search(server.searchUrl, "/lim/_search", {
      query: { regexp: { tag: "(.*a){30}" } },
    });
    assert.equal(complex.status, 400);
    assert.equal(complex.json.error?.type, "too_complex_to_determinize_exception");
  });

  test("knn: k must be between 1 and 10,000", async () => {
    for (const k of [0, -1, 10_001]) {
      const res = await search(server.searchUrl, "/lim/_search", {
        query: { knn: { v: { vector: [1, 0], k } } },
      });
      assert.equal(res.status, 400, `k=${k}`);
      assert.match(res.json.error?.reason ?? "", /\[knn\] requires k/);
    }
  });

  test("bodies nested deeper than 256 levels are refused before parsing", async () => {
    const deep = `{"query":${'{"bool":{"must":['.repeat(3000)}{"match_all":{}}${"]}}".repeat(3000)}}`;
    const res = await search(server.searchUrl, "/lim/_search", deep);
    assert.equal(res.status, 400);
    assert.equal(res.json.error?.type, "parsing_exception");
  });
});

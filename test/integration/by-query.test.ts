/**
 * `_delete_by_query` and `_update_by_query` over HTTP, through the official client where it has
 * the call: deletes and re-indexes every match across batches, fills a sub-field added to the
 * mapping (what applying a tuning proposal needs), stops at max_docs, and answers bad requests
 * with a 400 naming the field. Version conflicts: test/unit/by-query.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { api } from "../helpers/platform.ts";
import { searchClientFixture } from "../helpers/search-client.ts";

type ByQuery = {
  total: number;
  deleted?: number;
  updated?: number;
  batches: number;
  version_conflicts: number;
  failures: unknown[];
};

describe("_delete_by_query and _update_by_query", () => {
  const fx = searchClientFixture();
  const count = async (index: string, query: Record<string, unknown> = { match_all: {} }) =>
    ((await fx.client.count({ index, body: { query } })).body as { count: number }).count;
  const load = async (index: string, n: number) => {
    await fx.client.indices.create({
      index,
      body: {
        mappings: {
          properties: { title: { type: "text" }, n: { type: "integer" }, tag: { type: "keyword" } },
        },
      },
    });
    await fx.client.bulk({
      refresh: true,
      body: Array.from({ length: n }, (_, i) => [
        { index: { _index: index, _id: `d${i}` } },
        {
          title: i % 2 ? "boundary layer flow" : "supersonic shock wave",
          n: i,
          tag: i % 3 === 0 ? "three" : "other",
        },
      ]).flat(),
    });
  };

  test("delete by query removes every match, in batches, and nothing else", async () => {
    await load("dbq", 250);
    const res = await fx.client.deleteByQuery({
      index: "dbq",
      refresh: true,
      scroll_size: 40,
      body: { query: { term: { tag: "three" } } },
    });
    const body = res.body as ByQuery;
    assert.equal(body.total, 84);
    assert.equal(body.deleted, 84);
    assert.equal(body.batches, 3);
    assert.deepEqual(body.failures, []);
    assert.equal(await count("dbq", { term: { tag: "three" } }), 0);
    assert.equal(await count("dbq"), 166);
    // q= and max_docs
    const limited = await api<ByQuery>(
      fx.url,
      "POST",
      "/dbq/_delete_by_query?q=title:shock&max_docs=10&refresh=true",
    );
    assert.equal(limited.status, 200);
    assert.equal(limited.body.deleted, 10);
    assert.equal(await count("dbq"), 156);
  });

  test("update by query re-indexes from the stored source, filling a sub-field added since", async () => {
    await load("ubq", 30);
    await fx.client.indices.putMapping({
      index: "ubq",
      body: { properties: { title: { type: "text", fields: { raw: { type: "keyword" } } } } },
    });
    assert.equal(
      await count("ubq", { term: { "title.raw": "boundary layer flow" } }),
      0,
      "not filled before",
    );
    const res = await fx.client.updateByQuery({ index: "ubq", refresh: true, conflicts: "proceed" });
    const body = res.body as ByQuery;
    assert.equal(body.updated, 30);
    assert.equal(body.version_conflicts, 0);
    assert.equal(await count("ubq", { term: { "title.raw": "boundary layer flow" } }), 15);
    // the documents are otherwise unchanged, with a new version
    const doc = await fx.client.get({ index: "ubq", id: "d3" });
    assert.deepEqual(doc.body._source, { title: "boundary layer flow", n: 3, tag: "three" });
    assert.equal(doc.body._version, 2);
    // through an ingest pipeline
    await fx.client.ingest.putPipeline({
      id: "stamp",
      body: { processors: [{ set: { field: "stamped", value: true } }] },
    });
    const piped = await api<ByQuery>(fx.url, "POST", "/ubq/_update_by_query?pipeline=stamp&refresh=true", {
      query: { range: { n: { lt: 5 } } },
    });
    assert.equal(piped.body.updated, 5);
    assert.equal(await count("ubq", { term: { stamped: true } }), 5);
  });

  test("bad requests are 400s naming the field; a missing index is a 404", async () => {
    await load("bad", 3);
    const cases: Array<[string, unknown, RegExp]> = [
      ["/bad/_update_by_query", { script: { source: "ctx._source.n++" } }, /scripts are not supported/],
      ["/bad/_delete_by_query", { quary: {} }, /unknown field \[quary\]/],
      ["/bad/_delete_by_query?conflicts=ignore", {}, /\[conflicts\] must be "abort" or "proceed"/],
      ["/bad/_delete_by_query?max_docs=0", {}, /\[max_docs\] must be a positive integer/],
      ["/bad/_delete_by_query?wait_for_completion=false", {}, /tasks API/],
      ["/bad/_delete_by_query?q=n:1", { query: { match_all: {} } }, /\[q\] and a query in the body/],
      ["/bad/_delete_by_query?colour=red", {}, /unrecognized parameter: \[colour\]/],
      ["/bad/_delete_by_query", { query: { nope: {} } }, /nope/],
    ];
    for (const [route, body, reason] of cases) {
      const res = await api<{ error: { reason: string } }>(fx.url, "POST", route, body);
      assert.equal(res.status, 400, `${route}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.error.reason, reason);
    }
    assert.equal(await count("bad"), 3, "nothing was deleted");
    const missing = await api(fx.url, "POST", "/nope/_delete_by_query", {});
    assert.equal(missing.status, 404);
  });
});

/**
 * `_mget` and `_source` filtering on document gets, through the official OpenSearch client and
 * plain HTTP: entries answer like GET _doc, a missing document or index stays on its entry, and
 * a malformed request is one 400 naming every problem.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { api } from "../helpers/platform.ts";
import { searchClientFixture } from "../helpers/search-client.ts";

type Doc = {
  _index: string;
  _id: string;
  found?: boolean;
  _source?: Record<string, unknown>;
  error?: { type: string };
};

describe("_mget and _source filtering", () => {
  const fx = searchClientFixture();

  before(async () => {
    await fx.client.bulk({
      refresh: true,
      body: [
        { index: { _index: "books", _id: "1" } },
        { title: "Dune", meta: { year: 1965, author: "Herbert" }, body: "spice" },
        { index: { _index: "books", _id: "2" } },
        { title: "Solaris", meta: { year: 1961, author: "Lem" }, body: "ocean" },
        { index: { _index: "films", _id: "1" } },
        { title: "Stalker" },
      ],
    });
  });

  test("docs across indices, ids under an index path, missing documents and indices per entry", async () => {
    const res = await fx.client.mget({
      body: {
        docs: [
          { _index: "books", _id: "2" },
          { _index: "films", _id: "1" },
          { _index: "books", _id: "404" },
          { _index: "nope", _id: "1" },
        ],
      },
    });
    const docs = res.body.docs as Doc[];
    assert.deepEqual(
      docs.map((d) => [d._index, d._id, d.found ?? d.error?.type]),
      [
        ["books", "2", true],
        ["films", "1", true],
        ["books", "404", false],
        ["nope", "1", "index_not_found_exception"],
      ],
    );
    assert.deepEqual(docs[0]?._source, {
      title: "Solaris",
      meta: { year: 1961, author: "Lem" },
      body: "ocean",
    });
    // the same fields as GET _doc
    const one = await fx.client.get({ index: "books", id: "2" });
    assert.deepEqual(docs[0], one.body);

    const byIds = await fx.client.mget({ index: "books", body: { ids: ["1", "2"] } });
    assert.deepEqual(
      (byIds.body.docs as Doc[]).map((d) => d._source?.title),
      ["Dune", "Solaris"],
    );
  });

  test("_source: request parameters, per-entry overrides, and the same filters on GET _doc and _source", async () => {
    const res = await api<{ docs: Doc[] }>(
      fx.url,
      "POST",
      "/books/_mget?_source_includes=meta.*&_source_excludes=meta.author",
      {
        docs: [{ _id: "1" }, { _id: "2", _source: ["title"] }, { _id: "1", _source: false }],
      },
    );
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.docs.map((d) => d._source),
      [{ meta: { year: 1965 } }, { title: "Solaris" }, undefined],
    );
    const listed = await api<Doc>(fx.url, "GET", "/books/_doc/1?_source=title,body");
    assert.deepEqual(listed.body._source, { title: "Dune", body: "spice" });
    const none = await api<Doc>(fx.url, "GET", "/books/_doc/1?_source=false");
    assert.equal(none.body._source, undefined);
    assert.equal(none.body.found, true);
    const excluded = await api<Record<string, unknown>>(
      fx.url,
      "GET",
      "/books/_source/1?_source_excludes=body,meta",
    );
    assert.deepEqual(excluded.body, { title: "Dune" });
  });

  test("malformed requests are one 400 naming each problem; the server keeps serving", async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ["/_mget", { ids: ["1"] }, /index is missing for doc 0/],
      [
        "/_mget",
        { docs: [{ _index: "books" }, { _id: "2" }] },
        /1: id is missing for doc 0;2: index is missing for doc 1;/,
      ],
      ["/books/_mget", {}, /no documents to get/],
      ["/books/_mget", { docs: "1" }, /\[docs\] in \[_mget\] must be an array/],
      ["/books/_mget", { docs: [{ _id: "1", colour: "red" }] }, /unknown key \[colour\] in \[docs\]\[0\]/],
      ["/books/_mget", { id: ["1"] }, /unknown key \[id\] in \[_mget\]/],
      ["/books/_mget", { docs: [{ _id: "1", _source: 5 }] }, /\[_source\] must be a boolean/],
      ["/books/_mget?colour=red", { ids: ["1"] }, /unrecognized parameter: \[colour\]/],
    ];
    for (const [route, body, reason] of cases) {
      const res = await api<{ error: { reason: string } }>(fx.url, "POST", route, body);
      assert.equal(res.status, 400, `${route} ${JSON.stringify(body)}`);
      assert.match(res.body.error.reason, reason);
    }
    const still = await fx.client.mget({ index: "books", body: { ids: ["1"] } });
    assert.equal((still.body.docs as Doc[])[0]?.found, true);
  });
});

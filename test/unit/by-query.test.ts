/**
 * The by-query loop against a fake engine: pages in _id order with search_after, stops at
 * max_docs, and on a version conflict either aborts with a 409 listing it or counts it and goes on.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ByQueryEngine, parseByQuery, runByQuery } from "../../src/search/by-query.ts";

function fakeEngine(ids: string[], conflicting: Set<string>) {
  const searches: Array<Record<string, unknown>> = [];
  const written: unknown[][] = [];
  const engine: ByQueryEngine = {
    async search(body) {
      searches.push(body);
      const after = (body.search_after as string[] | undefined)?.[0];
      const page = ids.filter((id) => after === undefined || id > after).slice(0, body.size as number);
      return {
        hits: {
          hits: page.map((id, i) => ({
            _index: "x",
            _id: id,
            _seq_no: i,
            _primary_term: 1,
            _source: { id },
          })),
        },
      };
    },
    async bulk(lines) {
      written.push(lines);
      const actions = lines.filter((l) => "delete" in (l as object) || "index" in (l as object)) as Array<
        Record<string, { _id: string }>
      >;
      return {
        items: actions.map((a) => {
          const [kind, meta] = Object.entries(a)[0] as [string, { _id: string }];
          return conflicting.has(meta._id)
            ? {
                [kind]: {
                  _index: "x",
                  _id: meta._id,
                  status: 409,
                  error: { type: "version_conflict_engine_exception" },
                },
              }
            : { [kind]: { _index: "x", _id: meta._id, status: 200 } };
        }),
      };
    },
  };
  return { engine, searches, written };
}

const ids = Array.from({ length: 25 }, (_, i) => `d${String(i).padStart(2, "0")}`);

test("pages by _id with search_after in scroll_size batches and stops at max_docs", async () => {
  const { engine, searches, written } = fakeEngine(ids, new Set());
  const res = await runByQuery(parseByQuery("delete", {}, { scroll_size: "10", max_docs: "23" }), engine);
  assert.equal(res.status, 200);
  assert.equal(res.body.total, 23);
  assert.equal(res.body.deleted, 23);
  assert.equal(res.body.batches, 3);
  assert.deepEqual(
    searches.map((s) => [s.size, s.search_after]),
    [
      [10, undefined],
      [10, ["d09"]],
      [3, ["d19"]],
    ],
  );
  assert.deepEqual(searches[0]?.sort, [{ _id: "asc" }]);
  // deletes carry the sequence number the search saw
  assert.deepEqual(written[0]?.[0], {
    delete: { _index: "x", _id: "d00", if_seq_no: 0, if_primary_term: 1 },
  });
});

test("update re-indexes each match from its source", async () => {
  const { engine, written } = fakeEngine(ids.slice(0, 2), new Set());
  const res = await runByQuery(parseByQuery("update", undefined, {}), engine);
  assert.equal(res.body.updated, 2);
  assert.deepEqual(written[0], [
    { index: { _index: "x", _id: "d00", if_seq_no: 0, if_primary_term: 1 } },
    { id: "d00" },
    { index: { _index: "x", _id: "d01", if_seq_no: 1, if_primary_term: 1 } },
    { id: "d01" },
  ]);
});

test("a version conflict aborts with 409 after its batch; conflicts=proceed counts it and goes on", async () => {
  const conflicting = new Set(["d03"]);
  const aborted = await runByQuery(
    parseByQuery("delete", {}, { scroll_size: "5" }),
    fakeEngine(ids, conflicting).engine,
  );
  assert.equal(aborted.status, 409);
  assert.equal(aborted.body.total, 5);
  assert.equal(aborted.body.deleted, 4);
  assert.equal(aborted.body.version_conflicts, 1);
  assert.deepEqual(aborted.body.failures, [
    { index: "x", id: "d03", cause: { type: "version_conflict_engine_exception" }, status: 409 },
  ]);
  const proceed = await runByQuery(
    parseByQuery("delete", { conflicts: "proceed" }, { scroll_size: "5" }),
    fakeEngine(ids, conflicting).engine,
  );
  assert.equal(proceed.status, 200);
  assert.equal(proceed.body.total, 25);
  assert.equal(proceed.body.deleted, 24);
  assert.equal(proceed.body.version_conflicts, 1);
  assert.deepEqual(proceed.body.failures, []);
});

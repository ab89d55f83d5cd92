/**
 * Deep paging with `search_after`: pages sorted by a field and _id cover every match once, in
 * order, past max_result_window; and the request rules give Elasticsearch's 400s.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { SearchEngine } from "../../src/search/engine.ts";
import { tempDir } from "../helpers/platform.ts";

type Hit = { _id: string; sort: unknown[] };
type Answer = { hits: { total: { value: number }; hits: Hit[] } };

test("search_after pages through every match once, in sort order, beyond the result window", async () => {
  const engine = await SearchEngine.open({ dataDir: tempDir() });
  try {
    engine.createIndex("p", {
      settings: { "index.max_result_window": 100 },
      mappings: { properties: { group: { type: "keyword" }, rank: { type: "integer" } } },
    });
    const n = 350;
    // ranks repeat (ties broken by _id); some documents have none (sorted last)
    const lines = Array.from({ length: n }, (_, i) => [
      { index: { _id: `d${String(i).padStart(3, "0")}` } },
      { group: i % 3 === 0 ? "a" : "b", ...(i % 10 !== 0 && { rank: i % 17 }) },
    ]).flat();
    engine.bulk(lines, { index: "p", refresh: true });
    const sort = [{ rank: "desc" }, { _id: "asc" }];
    const seen: Hit[] = [];
    let after: unknown[] | undefined;
    for (let page = 0; page < 100; page++) {
      const res = engine.search("p", {
        size: 40,
        sort,
        ...(after && { search_after: after }),
        query: { match_all: {} },
      }) as Answer;
      assert.equal(res.hits.total.value, n, "total counts every match, not what is left");
      if (res.hits.hits.length === 0) break;
      seen.push(...res.hits.hits);
      after = res.hits.hits.at(-1)?.sort;
    }
    assert.equal(seen.length, n);
    assert.equal(new Set(seen.map((h) => h._id)).size, n, "no document twice");
    // the pages concatenated are exactly one sorted search (the first 100, as far as the window allows)
    const whole = engine.search("p", { size: 100, sort, query: { match_all: {} } }) as Answer;
    assert.deepEqual(
      seen.slice(0, 100).map((h) => h._id),
      whole.hits.hits.map((h) => h._id),
    );
    // documents without a rank come last: the final 35
    const ranks = seen.map((h) => h.sort[0]);
    assert.ok(ranks.slice(0, n - 35).every((r) => r !== null));
    assert.ok(ranks.slice(n - 35).every((r) => r === null));
    // a filter applies as usual
    const groupA = engine.search("p", {
      size: 100,
      sort,
      search_after: [5, "d999"],
      query: { term: { group: "a" } },
    }) as Answer;
    assert.ok(
      groupA.hits.hits.every((h) => (h.sort[0] as number | null) === null || (h.sort[0] as number) < 5),
    );
    // a number given as a string is the same position: ties on rank 5 go on to compare the _id
    const after5 = (value: unknown) =>
      (
        engine.search("p", {
          size: 100,
          sort,
          search_after: [value, "d100"],
          query: { term: { group: "a" } },
        }) as Answer
      ).hits.hits.map((h) => h._id);
    const asNumber = after5(5);
    assert.ok(asNumber.includes("d192"), "rank 5 after d100 is on the page");
    assert.deepEqual(after5("5"), asNumber);
  } finally {
    await engine.close();
  }
});

test("search_after without a sort, with from, or with the wrong number of values is a 400", async () => {
  const engine = await SearchEngine.open({ dataDir: tempDir() });
  try {
    engine.createIndex("q", { mappings: { properties: { rank: { type: "integer" } } } });
    const fails = (body: Record<string, unknown>, message: RegExp) =>
      assert.throws(
        () => engine.search("q", body),
        (err: { status?: number; message?: string }) => err.status === 400 && message.test(err.message ?? ""),
        JSON.stringify(body),
      );
    fails({ search_after: [1] }, /needs a \[sort\]/);
    fails({ sort: ["rank"], search_after: [1, "x"] }, /search_after has 2 value\(s\) but sort has 1/);
    fails({ sort: ["rank"], search_after: [1], from: 10 }, /`from` parameter must be set to 0/);
    fails({ sort: ["rank"], search_after: "1" }, /must be an array/);
  } finally {
    await engine.close();
  }
});

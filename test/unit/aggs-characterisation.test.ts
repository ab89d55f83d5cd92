/**
 * Characterisation tests for the aggregations module: full JSON outputs captured from the
 * implementation before it was split into src/search/query/aggs/, so that the refactoring can be
 * checked to be behaviour-preserving. Most cases run through the real engine (search with size 0);
 * filter/filters, which the engine's aggregation context does not enable, and the error types
 * (which the engine folds into illegal_argument_exception) run against an in-memory stub context
 * holding the same documents.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { SearchEngine } from "../../src/search/engine.ts";
import { EngineError } from "../../src/search/errors.ts";
import {
  type AggregationContext,
  AggregationError,
  javaDouble,
  runAggregations,
} from "../../src/search/query/aggregations.ts";

const MAPPINGS = {
  properties: {
    genre: { type: "keyword" },
    tag: { type: "keyword" },
    name: { type: "keyword" },
    title: { type: "text" },
    price: { type: "double" },
    qty: { type: "long" },
    stock: { type: "integer" },
    rating: { type: "float" },
    active: { type: "boolean" },
    ts: { type: "date" },
    day: { type: "date", format: "yyyy-MM-dd" },
    epoch: { type: "long" },
  },
};

const DOCS: Record<string, unknown>[] = [
  {
    _id: "1",
    genre: "rock",
    tag: ["a", "b"],
    name: "alpha",
    title: "hello rock world",
    price: 10.5,
    qty: 3,
    stock: 1,
    rating: 4.5,
    active: true,
    ts: "2020-01-01T10:00:00Z",
    day: "2020-01-01",
    epoch: 1577872800000,
  },
  {
    _id: "2",
    genre: "rock",
    tag: ["b"],
    name: "bravo",
    title: "rock rock on",
    price: 20,
    qty: 5,
    stock: 2,
    rating: 3,
    active: false,
    ts: "2020-01-15T23:30:00Z",
    day: "2020-01-15",
    epoch: 1579131000000,
  },
  {
    _id: "3",
    genre: "jazz",
    tag: ["a", "c"],
    name: "charlie",
    title: "smooth jazz",
    price: 35.25,
    qty: 1,
    rating: 5,
    active: true,
    ts: "2020-02-03T00:15:00Z",
    day: "2020-02-03",
  },
  {
    _id: "4",
    genre: "pop",
    tag: [],
    name: "delta",
    title: "pop goes the rock",
    price: 5,
    qty: 10,
    stock: 5,
    active: true,
    ts: "2020-03-31T22:00:00Z",
    day: "2020-03-31",
  },
  { _id: "5", genre: "jazz", name: "echo", price: 99.99, qty: 2, rating: 2.5, ts: "2020-06-30T12:00:00Z" },
  {
    _id: "6",
    genre: "classical",
    tag: ["c", "d", "c"],
    name: "foxtrot",
    title: "quiet",
    price: [12, 48],
    qty: [9, 7, 12, 9],
    active: false,
    ts: "2021-01-01T00:00:00Z",
    day: "2021-01-01",
  },
  {
    _id: "7",
    genre: "rock",
    name: "golf",
    title: "hard rock",
    price: 0,
    qty: 0,
    stock: 0,
    ts: "2019-12-31T23:59:59.999Z",
  },
  { _id: "8", genre: "Rock", tag: "e", qty: -4, active: true, rating: 1 },
  { _id: "9", tag: ["a"], name: "india", price: -3.5, ts: "2020-05-05T05:05:05Z", day: "2020-05-05" },
  {
    _id: "10",
    genre: "ünïcode",
    name: "juliet",
    title: "world music",
    price: 10000000,
    qty: 100,
    ts: "1969-12-31T12:00:00Z",
  },
  {
    _id: "11",
    genre: "pop",
    name: "kilo",
    price: 42,
    qty: 42,
    stock: 3,
    active: false,
    ts: "2020-03-29T01:30:00Z",
    day: "2020-03-29",
  },
  {
    _id: "12",
    genre: "blues",
    name: "lima",
    title: "blues rock",
    price: 7.125,
    qty: 3,
    rating: 4,
    ts: "2020-10-25T00:30:00Z",
    epoch: 1603585800000,
  },
];

// ---- stub context: the same documents served straight from memory (enables filter/filters) ----

type Doc = Record<string, unknown>;
const FIELD_TYPES: Record<string, { type: string; format?: string }> = MAPPINGS.properties;
const asList = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

function matches(query: unknown, doc: Doc): boolean {
  const q = query as Record<string, Record<string, unknown>>;
  if (q.match_all) return true;
  if (q.term) {
    const [field, value] = Object.entries(q.term)[0] as [string, unknown];
    return asList(doc[field]).some((v) => String(v) === String(value));
  }
  if (q.exists) return asList(doc[String(q.exists.field)]).length > 0;
  throw new Error(`stub filter cannot run ${JSON.stringify(query)}`);
}

function stubContext(): AggregationContext {
  return {
    docs: Int32Array.from(DOCS.keys()),
    fieldType: (field) => FIELD_TYPES[field]?.type,
    keywordValues: (field, doc) => [...new Set(asList((DOCS[doc] as Doc)[field]).map(String))].sort(),
    numericValues: (field, doc) =>
      asList((DOCS[doc] as Doc)[field])
        .map((v) => (typeof v === "string" ? Date.parse(v) : v === true ? 1 : v === false ? 0 : Number(v)))
        .sort((a, b) => a - b),
    hits: (docs, scores, options) =>
      Array.from(docs)
        .slice(options.from, options.from + options.size)
        .map((doc, i) => ({ _id: (DOCS[doc] as Doc)._id, _score: scores ? scores[i + options.from] : null })),
    score: (doc) => (doc % 4) * 0.25,
    filter: (query, docs) => docs.filter((doc) => matches(query, DOCS[doc] as Doc)),
    dateFormat: (field) => FIELD_TYPES[field]?.format,
  };
}

// ---- engine ----

let dir: string;
let engine: SearchEngine;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "aggs-characterisation-"));
  engine = await SearchEngine.open({ dataDir: dir });
  engine.createIndex("t", { mappings: MAPPINGS });
  const lines: unknown[] = [];
  for (const { _id, ...doc } of DOCS) lines.push({ index: { _id } }, doc);
  const res = engine.bulk(lines, { index: "t", refresh: true });
  assert.equal(res.errors, false);
});

after(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function search(aggs: unknown, query?: unknown): unknown {
  return engine.search("t", { size: 0, ...(query === undefined ? {} : { query }), aggs }).aggregations;
}

function searchError(aggs: unknown, query?: unknown): unknown {
  try {
    search(aggs, query);
  } catch (err) {
    assert.ok(err instanceof EngineError, String(err));
    return { status: err.status, type: err.type, message: err.message, extra: err.extra };
  }
  return assert.fail("expected the search to fail");
}

function direct(aggs: unknown): unknown {
  return runAggregations(aggs, stubContext());
}

function directError(aggs: unknown): unknown {
  try {
    direct(aggs);
  } catch (err) {
    assert.ok(err instanceof AggregationError, String(err));
    return { name: err.name, type: err.type, path: err.path, message: err.message };
  }
  return assert.fail("expected the aggregation to fail");
}

// ---- cases ----

test("terms: defaults on a keyword field", () => {
  assert.deepEqual(search({ g: { terms: { field: "genre" } } }), {
    g: {
      doc_count_error_upper_bound: 0,
      sum_other_doc_count: 0,
      buckets: [
        { key: "rock", doc_count: 3 },
        { key: "jazz", doc_count: 2 },
        { key: "pop", doc_count: 2 },
        { key: "Rock", doc_count: 1 },
        { key: "blues", doc_count: 1 },
        { key: "classical", doc_count: 1 },
        { key: "ünïcode", doc_count: 1 },
      ],
    },
  });
});

test("terms: size, shard_size, show_term_doc_count_error", () => {
  assert.deepEqual(
    search({ g: { terms: { field: "genre", size: 2, shard_size: 3, show_term_doc_count_error: true } } }),
    {
      g: {
        doc_count_error_upper_bound: 2,
        sum_other_doc_count: 6,
        buckets: [
          { key: "rock", doc_count: 3, doc_count_error_upper_bound: 0 },
          { key: "jazz", doc_count: 2, doc_count_error_upper_bound: 0 },
        ],
      },
    },
  );
});

test("terms: size 2 default shard size with error bound", () => {
  assert.deepEqual(search({ g: { terms: { field: "name", size: 2, show_term_doc_count_error: true } } }), {
    g: {
      doc_count_error_upper_bound: 0,
      sum_other_doc_count: 9,
      buckets: [
        { key: "alpha", doc_count: 1, doc_count_error_upper_bound: 0 },
        { key: "bravo", doc_count: 1, doc_count_error_upper_bound: 0 },
      ],
    },
  });
});

test("terms: order _key asc and desc", () => {
  assert.deepEqual(
    search({
      a: { terms: { field: "genre", order: { _key: "asc" } } },
      d: { terms: { field: "genre", order: { _term: "DESC" } } },
    }),
    {
      a: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "Rock", doc_count: 1 },
          { key: "blues", doc_count: 1 },
          { key: "classical", doc_count: 1 },
          { key: "jazz", doc_count: 2 },
          { key: "pop", doc_count: 2 },
          { key: "rock", doc_count: 3 },
          { key: "ünïcode", doc_count: 1 },
        ],
      },
      d: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "ünïcode", doc_count: 1 },
          { key: "rock", doc_count: 3 },
          { key: "pop", doc_count: 2 },
          { key: "jazz", doc_count: 2 },
          { key: "classical", doc_count: 1 },
          { key: "blues", doc_count: 1 },
          { key: "Rock", doc_count: 1 },
        ],
      },
    },
  );
});

test("terms: order _count asc, array of orders", () => {
  assert.deepEqual(
    search({
      a: { terms: { field: "genre", order: { _count: "asc" } } },
      b: { terms: { field: "tag", order: [{ _count: "desc" }, { _key: "desc" }] } },
    }),
    {
      a: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "Rock", doc_count: 1 },
          { key: "blues", doc_count: 1 },
          { key: "classical", doc_count: 1 },
          { key: "ünïcode", doc_count: 1 },
          { key: "jazz", doc_count: 2 },
          { key: "pop", doc_count: 2 },
          { key: "rock", doc_count: 3 },
        ],
      },
      b: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "a", doc_count: 3 },
          { key: "c", doc_count: 2 },
          { key: "b", doc_count: 2 },
          { key: "e", doc_count: 1 },
          { key: "d", doc_count: 1 },
        ],
      },
    },
  );
});

test("terms: min_doc_count 2 and 0", () => {
  assert.deepEqual(
    search(
      {
        two: { terms: { field: "genre", min_doc_count: 2 } },
        zero: { terms: { field: "genre", min_doc_count: 0 } },
      },
      { match: { title: "rock" } },
    ),
    {
      two: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [{ key: "rock", doc_count: 3 }],
      },
      zero: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "rock", doc_count: 3 },
          { key: "blues", doc_count: 1 },
          { key: "pop", doc_count: 1 },
        ],
      },
    },
  );
});

test("terms: include/exclude regex", () => {
  assert.deepEqual(
    search({
      r: { terms: { field: "genre", include: "r.*|j@", exclude: "roc[k]" } },
      q: { terms: { field: "name", include: "<1-9>|[a-e].*", exclude: '"echo"' } },
    }),
    {
      r: { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: [{ key: "jazz", doc_count: 2 }] },
      q: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "alpha", doc_count: 1 },
          { key: "bravo", doc_count: 1 },
          { key: "charlie", doc_count: 1 },
          { key: "delta", doc_count: 1 },
        ],
      },
    },
  );
});

test("terms: include/exclude arrays", () => {
  assert.deepEqual(
    search({
      i: { terms: { field: "genre", include: ["rock", "pop", "nope"] } },
      e: { terms: { field: "genre", exclude: ["rock", "pop"] } },
      n: { terms: { field: "qty", include: [3, "5", 42], exclude: [42] } },
    }),
    {
      i: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "rock", doc_count: 3 },
          { key: "pop", doc_count: 2 },
        ],
      },
      e: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "jazz", doc_count: 2 },
          { key: "Rock", doc_count: 1 },
          { key: "blues", doc_count: 1 },
          { key: "classical", doc_count: 1 },
          { key: "ünïcode", doc_count: 1 },
        ],
      },
      n: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: 3, doc_count: 2 },
          { key: 5, doc_count: 1 },
        ],
      },
    },
  );
});

test("terms: include partitions (strings and numbers)", () => {
  assert.deepEqual(
    search({
      p0: { terms: { field: "name", include: { partition: 0, num_partitions: 3 } } },
      p1: { terms: { field: "name", include: { partition: 1, num_partitions: 3 } } },
      q0: { terms: { field: "qty", include: { partition: 0, num_partitions: 2 } } },
      d0: { terms: { field: "price", include: { partition: 1, num_partitions: 2 } } },
    }),
    {
      p0: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "bravo", doc_count: 1 },
          { key: "charlie", doc_count: 1 },
          { key: "echo", doc_count: 1 },
          { key: "foxtrot", doc_count: 1 },
          { key: "india", doc_count: 1 },
          { key: "kilo", doc_count: 1 },
        ],
      },
      p1: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "juliet", doc_count: 1 },
          { key: "lima", doc_count: 1 },
        ],
      },
      q0: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: 3, doc_count: 2 },
          { key: 0, doc_count: 1 },
          { key: 5, doc_count: 1 },
          { key: 7, doc_count: 1 },
          { key: 9, doc_count: 1 },
          { key: 10, doc_count: 1 },
          { key: 12, doc_count: 1 },
        ],
      },
      d0: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: -3.5, doc_count: 1 },
          { key: 7.125, doc_count: 1 },
          { key: 10.5, doc_count: 1 },
          { key: 12, doc_count: 1 },
          { key: 20, doc_count: 1 },
          { key: 35.25, doc_count: 1 },
          { key: 99.99, doc_count: 1 },
        ],
      },
    },
  );
});

test("terms: missing on keyword, numeric, unmapped", () => {
  assert.deepEqual(
    search({
      k: { terms: { field: "genre", missing: "N/A" } },
      n: { terms: { field: "stock", missing: -1 } },
      u: { terms: { field: "nope", missing: 7 } },
      us: { terms: { field: "nope", missing: "x" } },
      un: { terms: { field: "nope" } },
    }),
    {
      k: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "rock", doc_count: 3 },
          { key: "jazz", doc_count: 2 },
          { key: "pop", doc_count: 2 },
          { key: "N/A", doc_count: 1 },
          { key: "Rock", doc_count: 1 },
          { key: "blues", doc_count: 1 },
          { key: "classical", doc_count: 1 },
          { key: "ünïcode", doc_count: 1 },
        ],
      },
      n: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: -1, doc_count: 7 },
          { key: 0, doc_count: 1 },
          { key: 1, doc_count: 1 },
          { key: 2, doc_count: 1 },
          { key: 3, doc_count: 1 },
          { key: 5, doc_count: 1 },
        ],
      },
      u: { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: [{ key: 7, doc_count: 12 }] },
      us: { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: [{ key: "x", doc_count: 12 }] },
      un: { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: [] },
    },
  );
});

test("terms: numeric keys with format, boolean and date keys", () => {
  assert.deepEqual(
    search({
      q: { terms: { field: "qty", format: "000.0" } },
      p: { terms: { field: "price", size: 3 } },
      b: { terms: { field: "active" } },
      d: { terms: { field: "ts", size: 3, order: { _key: "asc" } } },
      dd: { terms: { field: "day", size: 2, order: { _key: "desc" } } },
    }),
    {
      q: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 2,
        buckets: [
          { key: 3, key_as_string: "003.0", doc_count: 2 },
          { key: -4, key_as_string: "-004.0", doc_count: 1 },
          { key: 0, key_as_string: "000.0", doc_count: 1 },
          { key: 1, key_as_string: "001.0", doc_count: 1 },
          { key: 2, key_as_string: "002.0", doc_count: 1 },
          { key: 5, key_as_string: "005.0", doc_count: 1 },
          { key: 7, key_as_string: "007.0", doc_count: 1 },
          { key: 9, key_as_string: "009.0", doc_count: 1 },
          { key: 10, key_as_string: "010.0", doc_count: 1 },
          { key: 12, key_as_string: "012.0", doc_count: 1 },
        ],
      },
      p: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 9,
        buckets: [
          { key: -3.5, doc_count: 1 },
          { key: 0, doc_count: 1 },
          { key: 5, doc_count: 1 },
        ],
      },
      b: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: 1, key_as_string: "true", doc_count: 4 },
          { key: 0, key_as_string: "false", doc_count: 3 },
        ],
      },
      d: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 8,
        buckets: [
          { key: -43200000, key_as_string: "1969-12-31T12:00:00.000Z", doc_count: 1 },
          { key: 1577836799999, key_as_string: "2019-12-31T23:59:59.999Z", doc_count: 1 },
          { key: 1577872800000, key_as_string: "2020-01-01T10:00:00.000Z", doc_count: 1 },
        ],
      },
      dd: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 5,
        buckets: [
          { key: 1609459200000, key_as_string: "2021-01-01T00:00:00.000Z", doc_count: 1 },
          { key: 1588636800000, key_as_string: "2020-05-05T00:00:00.000Z", doc_count: 1 },
        ],
      },
    },
  );
});

test("terms: multi-valued field counts each doc once", () => {
  assert.deepEqual(
    search({ t: { terms: { field: "tag" } }, q: { terms: { field: "qty", order: { _key: "asc" } } } }),
    {
      t: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "a", doc_count: 3 },
          { key: "b", doc_count: 2 },
          { key: "c", doc_count: 2 },
          { key: "d", doc_count: 1 },
          { key: "e", doc_count: 1 },
        ],
      },
      q: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 2,
        buckets: [
          { key: -4, doc_count: 1 },
          { key: 0, doc_count: 1 },
          { key: 1, doc_count: 1 },
          { key: 2, doc_count: 1 },
          { key: 3, doc_count: 2 },
          { key: 5, doc_count: 1 },
          { key: 7, doc_count: 1 },
          { key: 9, doc_count: 1 },
          { key: 10, doc_count: 1 },
          { key: 12, doc_count: 1 },
        ],
      },
    },
  );
});

test("terms: ordered by single-value sub-aggregation", () => {
  assert.deepEqual(
    search({
      g: {
        terms: { field: "genre", order: { avg_price: "desc" } },
        aggs: { avg_price: { avg: { field: "price" } } },
      },
    }),
    {
      g: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "ünïcode", doc_count: 1, avg_price: { value: 10000000 } },
          { key: "jazz", doc_count: 2, avg_price: { value: 67.62 } },
          { key: "classical", doc_count: 1, avg_price: { value: 30 } },
          { key: "pop", doc_count: 2, avg_price: { value: 23.5 } },
          { key: "rock", doc_count: 3, avg_price: { value: 10.166666666666666 } },
          { key: "blues", doc_count: 1, avg_price: { value: 7.125 } },
          { key: "Rock", doc_count: 1, avg_price: { value: null } },
        ],
      },
    },
  );
});

test("terms: ordered by multi-value metric paths", () => {
  assert.deepEqual(
    search({
      a: { terms: { field: "genre", order: { "st.max": "asc" } }, aggs: { st: { stats: { field: "qty" } } } },
      b: {
        terms: { field: "genre", order: { "st[min]": "desc" } },
        aggs: { st: { extended_stats: { field: "qty" } } },
      },
      c: {
        terms: { field: "genre", order: { "mx.value": "asc" } },
        aggs: { mx: { max: { field: "rating" } } },
      },
    }),
    {
      a: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "Rock", doc_count: 1, st: { count: 1, min: -4, max: -4, avg: -4, sum: -4 } },
          { key: "jazz", doc_count: 2, st: { count: 2, min: 1, max: 2, avg: 1.5, sum: 3 } },
          { key: "blues", doc_count: 1, st: { count: 1, min: 3, max: 3, avg: 3, sum: 3 } },
          { key: "rock", doc_count: 3, st: { count: 3, min: 0, max: 5, avg: 2.6666666666666665, sum: 8 } },
          { key: "classical", doc_count: 1, st: { count: 4, min: 7, max: 12, avg: 9.25, sum: 37 } },
          { key: "pop", doc_count: 2, st: { count: 2, min: 10, max: 42, avg: 26, sum: 52 } },
          { key: "ünïcode", doc_count: 1, st: { count: 1, min: 100, max: 100, avg: 100, sum: 100 } },
        ],
      },
      b: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          {
            key: "ünïcode",
            doc_count: 1,
            st: {
              count: 1,
              min: 100,
              max: 100,
              avg: 100,
              sum: 100,
              sum_of_squares: 10000,
              variance: 0,
              variance_population: 0,
              variance_sampling: null,
              std_deviation: 0,
              std_deviation_population: 0,
              std_deviation_sampling: null,
              std_deviation_bounds: {
                upper: 100,
                lower: 100,
                upper_population: 100,
                lower_population: 100,
                upper_sampling: null,
                lower_sampling: null,
              },
            },
          },
          {
            key: "pop",
            doc_count: 2,
            st: {
              count: 2,
              min: 10,
              max: 42,
              avg: 26,
              sum: 52,
              sum_of_squares: 1864,
              variance: 256,
              variance_population: 256,
              variance_sampling: 512,
              std_deviation: 16,
              std_deviation_population: 16,
              std_deviation_sampling: 22.627416997969522,
              std_deviation_bounds: {
                upper: 58,
                lower: -6,
                upper_population: 58,
                lower_population: -6,
                upper_sampling: 71.25483399593904,
                lower_sampling: -19.254833995939045,
              },
            },
          },
          {
            key: "classical",
            doc_count: 1,
            st: {
              count: 4,
              min: 7,
              max: 12,
              avg: 9.25,
              sum: 37,
              sum_of_squares: 355,
              variance: 3.1875,
              variance_population: 3.1875,
              variance_sampling: 4.25,
              std_deviation: 1.7853571071357126,
              std_deviation_population: 1.7853571071357126,
              std_deviation_sampling: 2.0615528128088303,
              std_deviation_bounds: {
                upper: 12.820714214271426,
                lower: 5.679285785728575,
                upper_population: 12.820714214271426,
                lower_population: 5.679285785728575,
                upper_sampling: 13.373105625617661,
                lower_sampling: 5.126894374382339,
              },
            },
          },
          {
            key: "blues",
            doc_count: 1,
            st: {
              count: 1,
              min: 3,
              max: 3,
              avg: 3,
              sum: 3,
              sum_of_squares: 9,
              variance: 0,
              variance_population: 0,
              variance_sampling: null,
              std_deviation: 0,
              std_deviation_population: 0,
              std_deviation_sampling: null,
              std_deviation_bounds: {
                upper: 3,
                lower: 3,
                upper_population: 3,
                lower_population: 3,
                upper_sampling: null,
                lower_sampling: null,
              },
            },
          },
          {
            key: "jazz",
            doc_count: 2,
            st: {
              count: 2,
              min: 1,
              max: 2,
              avg: 1.5,
              sum: 3,
              sum_of_squares: 5,
              variance: 0.25,
              variance_population: 0.25,
              variance_sampling: 0.5,
              std_deviation: 0.5,
              std_deviation_population: 0.5,
              std_deviation_sampling: Math.SQRT1_2,
              std_deviation_bounds: {
                upper: 2.5,
                lower: 0.5,
                upper_population: 2.5,
                lower_population: 0.5,
                upper_sampling: 2.914213562373095,
                lower_sampling: 0.08578643762690485,
              },
            },
          },
          {
            key: "rock",
            doc_count: 3,
            st: {
              count: 3,
              min: 0,
              max: 5,
              avg: 2.6666666666666665,
              sum: 8,
              sum_of_squares: 34,
              variance: 4.222222222222223,
              variance_population: 4.222222222222223,
              variance_sampling: 6.333333333333334,
              std_deviation: 2.0548046676563256,
              std_deviation_population: 2.0548046676563256,
              std_deviation_sampling: 2.5166114784235836,
              std_deviation_bounds: {
                upper: 6.776276001979317,
                lower: -1.4429426686459847,
                upper_population: 6.776276001979317,
                lower_population: -1.4429426686459847,
                upper_sampling: 7.699889623513833,
                lower_sampling: -2.3665562901805006,
              },
            },
          },
          {
            key: "Rock",
            doc_count: 1,
            st: {
              count: 1,
              min: -4,
              max: -4,
              avg: -4,
              sum: -4,
              sum_of_squares: 16,
              variance: 0,
              variance_population: 0,
              variance_sampling: null,
              std_deviation: 0,
              std_deviation_population: 0,
              std_deviation_sampling: null,
              std_deviation_bounds: {
                upper: -4,
                lower: -4,
                upper_population: -4,
                lower_population: -4,
                upper_sampling: null,
                lower_sampling: null,
              },
            },
          },
        ],
      },
      c: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "Rock", doc_count: 1, mx: { value: 1 } },
          { key: "blues", doc_count: 1, mx: { value: 4 } },
          { key: "rock", doc_count: 3, mx: { value: 4.5 } },
          { key: "jazz", doc_count: 2, mx: { value: 5 } },
          { key: "classical", doc_count: 1, mx: { value: null } },
          { key: "pop", doc_count: 2, mx: { value: null } },
          { key: "ünïcode", doc_count: 1, mx: { value: null } },
        ],
      },
    },
  );
});

test("terms: ordered by single-bucket path", () => {
  assert.deepEqual(
    search({
      g: {
        terms: { field: "genre", order: [{ "nop>mx": "desc" }, { "nop._count": "asc" }] },
        aggs: { nop: { missing: { field: "rating" }, aggs: { mx: { max: { field: "qty" } } } } },
      },
      h: { terms: { field: "genre", order: { nop: "desc" } }, aggs: { nop: { missing: { field: "day" } } } },
    }),
    {
      g: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "ünïcode", doc_count: 1, nop: { doc_count: 1, mx: { value: 100 } } },
          { key: "pop", doc_count: 2, nop: { doc_count: 2, mx: { value: 42 } } },
          { key: "classical", doc_count: 1, nop: { doc_count: 1, mx: { value: 12 } } },
          { key: "rock", doc_count: 3, nop: { doc_count: 1, mx: { value: 0 } } },
          { key: "Rock", doc_count: 1, nop: { doc_count: 0, mx: { value: null } } },
          { key: "blues", doc_count: 1, nop: { doc_count: 0, mx: { value: null } } },
          { key: "jazz", doc_count: 2, nop: { doc_count: 0, mx: { value: null } } },
        ],
      },
      h: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "Rock", doc_count: 1, nop: { doc_count: 1 } },
          { key: "blues", doc_count: 1, nop: { doc_count: 1 } },
          { key: "jazz", doc_count: 2, nop: { doc_count: 1 } },
          { key: "rock", doc_count: 3, nop: { doc_count: 1 } },
          { key: "ünïcode", doc_count: 1, nop: { doc_count: 1 } },
          { key: "classical", doc_count: 1, nop: { doc_count: 0 } },
          { key: "pop", doc_count: 2, nop: { doc_count: 0 } },
        ],
      },
    },
  );
});

test("terms: nested terms and metrics with meta", () => {
  assert.deepEqual(
    search({
      g: {
        meta: { color: "blue" },
        terms: { field: "genre", size: 3 },
        aggs: {
          t: { terms: { field: "tag" }, aggs: { s: { sum: { field: "qty" } } } },
          c: { value_count: { field: "tag" } },
        },
      },
    }),
    {
      g: {
        meta: { color: "blue" },
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 4,
        buckets: [
          {
            key: "rock",
            doc_count: 3,
            t: {
              doc_count_error_upper_bound: 0,
              sum_other_doc_count: 0,
              buckets: [
                { key: "b", doc_count: 2, s: { value: 8 } },
                { key: "a", doc_count: 1, s: { value: 3 } },
              ],
            },
            c: { value: 3 },
          },
          {
            key: "jazz",
            doc_count: 2,
            t: {
              doc_count_error_upper_bound: 0,
              sum_other_doc_count: 0,
              buckets: [
                { key: "a", doc_count: 1, s: { value: 1 } },
                { key: "c", doc_count: 1, s: { value: 1 } },
              ],
            },
            c: { value: 2 },
          },
          {
            key: "pop",
            doc_count: 2,
            t: { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: [] },
            c: { value: 0 },
          },
        ],
      },
    },
  );
});

test("range: unkeyed with keys and open ends", () => {
  assert.deepEqual(
    search({
      r: {
        range: {
          field: "price",
          ranges: [{ to: 10 }, { key: "mid", from: 10, to: 50 }, { from: 50 }, { from: 10, to: 20.5 }],
        },
      },
    }),
    {
      r: {
        buckets: [
          { key: "*-10.0", to: 10, doc_count: 4 },
          { key: "10.0-20.5", from: 10, to: 20.5, doc_count: 3 },
          { key: "mid", from: 10, to: 50, doc_count: 5 },
          { key: "50.0-*", from: 50, doc_count: 2 },
        ],
      },
    },
  );
});

test("range: keyed, format, missing, sub-aggs", () => {
  assert.deepEqual(
    search({
      r: {
        range: {
          field: "rating",
          keyed: true,
          format: "0.0",
          missing: 0,
          ranges: [{ from: 0, to: 3 }, { from: 3 }, { key: "x", from: "1", to: "4.5" }],
        },
        aggs: { n: { terms: { field: "name" } } },
      },
    }),
    {
      r: {
        buckets: {
          "0.0-3.0": {
            from: 0,
            from_as_string: "0.0",
            to: 3,
            to_as_string: "3.0",
            doc_count: 8,
            n: {
              doc_count_error_upper_bound: 0,
              sum_other_doc_count: 0,
              buckets: [
                { key: "delta", doc_count: 1 },
                { key: "echo", doc_count: 1 },
                { key: "foxtrot", doc_count: 1 },
                { key: "golf", doc_count: 1 },
                { key: "india", doc_count: 1 },
                { key: "juliet", doc_count: 1 },
                { key: "kilo", doc_count: 1 },
              ],
            },
          },
          x: {
            from: 1,
            from_as_string: "1.0",
            to: 4.5,
            to_as_string: "4.5",
            doc_count: 4,
            n: {
              doc_count_error_upper_bound: 0,
              sum_other_doc_count: 0,
              buckets: [
                { key: "bravo", doc_count: 1 },
                { key: "echo", doc_count: 1 },
                { key: "lima", doc_count: 1 },
              ],
            },
          },
          "3.0-*": {
            from: 3,
            from_as_string: "3.0",
            doc_count: 4,
            n: {
              doc_count_error_upper_bound: 0,
              sum_other_doc_count: 0,
              buckets: [
                { key: "alpha", doc_count: 1 },
                { key: "bravo", doc_count: 1 },
                { key: "charlie", doc_count: 1 },
                { key: "lima", doc_count: 1 },
              ],
            },
          },
        },
      },
    },
  );
});

test("range: on integer, boolean and date fields", () => {
  assert.deepEqual(
    search({
      q: { range: { field: "qty", ranges: [{ from: 0, to: 5 }, { from: 5 }] } },
      b: { range: { field: "active", ranges: [{ from: false, to: true }, { from: "true" }] } },
      d: { range: { field: "ts", ranges: [{ to: "2020-03-01" }, { from: "2020-03-01" }] } },
      u: { range: { field: "nope", ranges: [{ to: 1 }] } },
    }),
    {
      q: {
        buckets: [
          { key: "0.0-5.0", from: 0, to: 5, doc_count: 5 },
          { key: "5.0-*", from: 5, doc_count: 5 },
        ],
      },
      b: {
        buckets: [
          { key: "false-true", from: 0, from_as_string: "false", to: 1, to_as_string: "true", doc_count: 3 },
          { key: "true-*", from: 1, from_as_string: "true", doc_count: 4 },
        ],
      },
      d: {
        buckets: [
          {
            key: "*-2020-03-01T00:00:00.000Z",
            to: 1583020800000,
            to_as_string: "2020-03-01T00:00:00.000Z",
            doc_count: 5,
          },
          {
            key: "2020-03-01T00:00:00.000Z-*",
            from: 1583020800000,
            from_as_string: "2020-03-01T00:00:00.000Z",
            doc_count: 6,
          },
        ],
      },
      u: { buckets: [{ key: "*-1.0", to: 1, doc_count: 0 }] },
    },
  );
});

test("date_range: format, keyed, time_zone, date math", () => {
  assert.deepEqual(
    search({
      d: {
        date_range: {
          field: "ts",
          format: "yyyy-MM-dd",
          time_zone: "+02:00",
          keyed: true,
          ranges: [
            { to: "2020-01-01" },
            { from: "2020-01-01", to: "2020-01-01||+3M/M" },
            { key: "late", from: "2020-04-01" },
          ],
        },
      },
      e: { date_range: { field: "day", ranges: [{ from: "2020-01-10", to: "2020-12-31" }] } },
      n: {
        date_range: { field: "epoch", ranges: [{ from: 1577872800000 }, { to: "2020-06-01T00:00:00Z" }] },
      },
      m: { date_range: { field: "ts", format: "epoch_second", ranges: [{ from: 1577836800 }] } },
    }),
    {
      d: {
        buckets: {
          "*-2020-01-01": { to: 1577829600000, to_as_string: "2020-01-01", doc_count: 1 },
          "2020-01-01-2020-04-01": {
            from: 1577829600000,
            from_as_string: "2020-01-01",
            to: 1585692000000,
            to_as_string: "2020-04-01",
            doc_count: 5,
          },
          late: { from: 1585692000000, from_as_string: "2020-04-01", doc_count: 5 },
        },
      },
      e: {
        buckets: [
          {
            key: "2020-01-10T00:00:00.000Z-2020-12-31T00:00:00.000Z",
            from: 1578614400000,
            from_as_string: "2020-01-10T00:00:00.000Z",
            to: 1609372800000,
            to_as_string: "2020-12-31T00:00:00.000Z",
            doc_count: 5,
          },
        ],
      },
      n: {
        buckets: [
          {
            key: "*-2020-06-01T00:00:00.000Z",
            to: 1590969600000,
            to_as_string: "2020-06-01T00:00:00.000Z",
            doc_count: 2,
          },
          {
            key: "2020-01-01T10:00:00.000Z-*",
            from: 1577872800000,
            from_as_string: "2020-01-01T10:00:00.000Z",
            doc_count: 3,
          },
        ],
      },
      m: {
        buckets: [{ key: "1577836800-*", from: 1577836800000, from_as_string: "1577836800", doc_count: 9 }],
      },
    },
  );
});

test("histogram: interval, default min_doc_count 0 gap filling", () => {
  assert.deepEqual(
    search({ h: { histogram: { field: "qty", interval: 5 } } }, { range: { qty: { lte: 42 } } }),
    {
      h: {
        buckets: [
          { key: -5, doc_count: 1 },
          { key: 0, doc_count: 5 },
          { key: 5, doc_count: 2 },
          { key: 10, doc_count: 2 },
          { key: 15, doc_count: 0 },
          { key: 20, doc_count: 0 },
          { key: 25, doc_count: 0 },
          { key: 30, doc_count: 0 },
          { key: 35, doc_count: 0 },
          { key: 40, doc_count: 1 },
        ],
      },
    },
  );
});

test("histogram: offset, min_doc_count, order, keyed", () => {
  assert.deepEqual(
    search(
      {
        h: { histogram: { field: "price", interval: 10, offset: 2.5, min_doc_count: 1, keyed: true } },
        c: {
          histogram: { field: "price", interval: 25, order: { _count: "desc" } },
          aggs: { s: { sum: { field: "qty" } } },
        },
      },
      { range: { price: { lt: 1000 } } },
    ),
    {
      h: {
        buckets: {
          "-7.5": { key: -7.5, doc_count: 2 },
          "2.5": { key: 2.5, doc_count: 4 },
          "12.5": { key: 12.5, doc_count: 1 },
          "32.5": { key: 32.5, doc_count: 2 },
          "42.5": { key: 42.5, doc_count: 1 },
          "92.5": { key: 92.5, doc_count: 1 },
        },
      },
      c: {
        buckets: [
          { key: 0, doc_count: 6, s: { value: 58 } },
          { key: 25, doc_count: 3, s: { value: 80 } },
          { key: -25, doc_count: 1, s: { value: 0 } },
          { key: 75, doc_count: 1, s: { value: 2 } },
          { key: 50, doc_count: 0, s: { value: 0 } },
        ],
      },
    },
  );
});

test("histogram: extended_bounds and hard_bounds", () => {
  assert.deepEqual(
    search(
      {
        e: { histogram: { field: "qty", interval: 10, extended_bounds: { min: -25, max: 60 } } },
        h: { histogram: { field: "qty", interval: 10, hard_bounds: { min: 0, max: 30 } } },
        eh: {
          histogram: {
            field: "rating",
            interval: 1,
            extended_bounds: { min: 0, max: 8 },
            hard_bounds: { min: 2, max: 6 },
          },
        },
      },
      { range: { qty: { lte: 50 } } },
    ),
    {
      e: {
        buckets: [
          { key: -30, doc_count: 0 },
          { key: -20, doc_count: 0 },
          { key: -10, doc_count: 1 },
          { key: 0, doc_count: 7 },
          { key: 10, doc_count: 2 },
          { key: 20, doc_count: 0 },
          { key: 30, doc_count: 0 },
          { key: 40, doc_count: 1 },
          { key: 50, doc_count: 0 },
          { key: 60, doc_count: 0 },
        ],
      },
      h: {
        buckets: [
          { key: 0, doc_count: 7 },
          { key: 10, doc_count: 2 },
        ],
      },
      eh: {
        buckets: [
          { key: 2, doc_count: 1 },
          { key: 3, doc_count: 1 },
          { key: 4, doc_count: 2 },
          { key: 5, doc_count: 1 },
          { key: 6, doc_count: 0 },
        ],
      },
    },
  );
});

test("histogram: fractional interval, format, ordered by sub-agg, boolean", () => {
  assert.deepEqual(
    search(
      {
        f: { histogram: { field: "rating", interval: 0.5, format: "#,##0.00" } },
        o: {
          histogram: { field: "qty", interval: 3, min_doc_count: 1, order: { "st.avg": "desc" } },
          aggs: { st: { stats: { field: "price" } } },
        },
        b: { histogram: { field: "active", interval: 1 } },
      },
      { range: { qty: { lte: 50 } } },
    ),
    {
      f: {
        buckets: [
          { key_as_string: "1.00", key: 1, doc_count: 1 },
          { key_as_string: "1.50", key: 1.5, doc_count: 0 },
          { key_as_string: "2.00", key: 2, doc_count: 0 },
          { key_as_string: "2.50", key: 2.5, doc_count: 1 },
          { key_as_string: "3.00", key: 3, doc_count: 1 },
          { key_as_string: "3.50", key: 3.5, doc_count: 0 },
          { key_as_string: "4.00", key: 4, doc_count: 1 },
          { key_as_string: "4.50", key: 4.5, doc_count: 1 },
          { key_as_string: "5.00", key: 5, doc_count: 1 },
        ],
      },
      o: {
        buckets: [
          {
            key: 0,
            doc_count: 3,
            st: { count: 3, min: 0, max: 99.99, avg: 45.080000000000005, sum: 135.24 },
          },
          { key: 42, doc_count: 1, st: { count: 1, min: 42, max: 42, avg: 42, sum: 42 } },
          { key: 6, doc_count: 1, st: { count: 2, min: 12, max: 48, avg: 30, sum: 60 } },
          { key: 12, doc_count: 1, st: { count: 2, min: 12, max: 48, avg: 30, sum: 60 } },
          { key: 9, doc_count: 2, st: { count: 3, min: 5, max: 48, avg: 21.666666666666668, sum: 65 } },
          {
            key: 3,
            doc_count: 3,
            st: { count: 3, min: 7.125, max: 20, avg: 12.541666666666666, sum: 37.625 },
          },
          { key: -6, doc_count: 1, st: { count: 0, min: null, max: null, avg: null, sum: 0 } },
        ],
      },
      b: {
        buckets: [
          { key_as_string: "false", key: 0, doc_count: 3 },
          { key_as_string: "true", key: 1, doc_count: 4 },
        ],
      },
    },
  );
});

test("histogram: empty result with extended bounds, unmapped", () => {
  assert.deepEqual(
    search(
      {
        e: { histogram: { field: "qty", interval: 10, extended_bounds: { min: 0, max: 20 } } },
        n: { histogram: { field: "qty", interval: 10 } },
        u: { histogram: { field: "nope", interval: 10, missing: 3 } },
      },
      { term: { genre: "nothing" } },
    ),
    {
      e: {
        buckets: [
          { key: 0, doc_count: 0 },
          { key: 10, doc_count: 0 },
          { key: 20, doc_count: 0 },
        ],
      },
      n: { buckets: [] },
      u: { buckets: [] },
    },
  );
});

test("date_histogram: calendar month and default format", () => {
  assert.deepEqual(
    search(
      {
        m: { date_histogram: { field: "ts", calendar_interval: "month", min_doc_count: 1 } },
        q: { date_histogram: { field: "ts", calendar_interval: "1q" } },
      },
      { range: { ts: { gte: "2019-06-01" } } },
    ),
    {
      m: {
        buckets: [
          { key_as_string: "2019-12-01T00:00:00.000Z", key: 1575158400000, doc_count: 1 },
          { key_as_string: "2020-01-01T00:00:00.000Z", key: 1577836800000, doc_count: 2 },
          { key_as_string: "2020-02-01T00:00:00.000Z", key: 1580515200000, doc_count: 1 },
          { key_as_string: "2020-03-01T00:00:00.000Z", key: 1583020800000, doc_count: 2 },
          { key_as_string: "2020-05-01T00:00:00.000Z", key: 1588291200000, doc_count: 1 },
          { key_as_string: "2020-06-01T00:00:00.000Z", key: 1590969600000, doc_count: 1 },
          { key_as_string: "2020-10-01T00:00:00.000Z", key: 1601510400000, doc_count: 1 },
          { key_as_string: "2021-01-01T00:00:00.000Z", key: 1609459200000, doc_count: 1 },
        ],
      },
      q: {
        buckets: [
          { key_as_string: "2019-10-01T00:00:00.000Z", key: 1569888000000, doc_count: 1 },
          { key_as_string: "2020-01-01T00:00:00.000Z", key: 1577836800000, doc_count: 5 },
          { key_as_string: "2020-04-01T00:00:00.000Z", key: 1585699200000, doc_count: 2 },
          { key_as_string: "2020-07-01T00:00:00.000Z", key: 1593561600000, doc_count: 0 },
          { key_as_string: "2020-10-01T00:00:00.000Z", key: 1601510400000, doc_count: 1 },
          { key_as_string: "2021-01-01T00:00:00.000Z", key: 1609459200000, doc_count: 1 },
        ],
      },
    },
  );
});

test("date_histogram: week and day with IANA time zone", () => {
  assert.deepEqual(
    search({
      w: {
        date_histogram: {
          field: "ts",
          calendar_interval: "week",
          time_zone: "Europe/Berlin",
          min_doc_count: 1,
        },
      },
      d: {
        date_histogram: {
          field: "ts",
          calendar_interval: "1d",
          time_zone: "America/New_York",
          min_doc_count: 1,
          format: "yyyy-MM-dd'T'HH:mm:ssZZZZZ",
        },
      },
    }),
    {
      w: {
        buckets: [
          { key_as_string: "1969-12-29T00:00:00.000+01:00", key: -262800000, doc_count: 1 },
          { key_as_string: "2019-12-30T00:00:00.000+01:00", key: 1577660400000, doc_count: 2 },
          { key_as_string: "2020-01-13T00:00:00.000+01:00", key: 1578870000000, doc_count: 1 },
          { key_as_string: "2020-02-03T00:00:00.000+01:00", key: 1580684400000, doc_count: 1 },
          { key_as_string: "2020-03-23T00:00:00.000+01:00", key: 1584918000000, doc_count: 1 },
          { key_as_string: "2020-03-30T00:00:00.000+02:00", key: 1585519200000, doc_count: 1 },
          { key_as_string: "2020-05-04T00:00:00.000+02:00", key: 1588543200000, doc_count: 1 },
          { key_as_string: "2020-06-29T00:00:00.000+02:00", key: 1593381600000, doc_count: 1 },
          { key_as_string: "2020-10-19T00:00:00.000+02:00", key: 1603058400000, doc_count: 1 },
          { key_as_string: "2020-12-28T00:00:00.000+01:00", key: 1609110000000, doc_count: 1 },
        ],
      },
      d: {
        buckets: [
          { key_as_string: "1969-12-31T00:00:00-05:00", key: -68400000, doc_count: 1 },
          { key_as_string: "2019-12-31T00:00:00-05:00", key: 1577768400000, doc_count: 1 },
          { key_as_string: "2020-01-01T00:00:00-05:00", key: 1577854800000, doc_count: 1 },
          { key_as_string: "2020-01-15T00:00:00-05:00", key: 1579064400000, doc_count: 1 },
          { key_as_string: "2020-02-02T00:00:00-05:00", key: 1580619600000, doc_count: 1 },
          { key_as_string: "2020-03-28T00:00:00-04:00", key: 1585368000000, doc_count: 1 },
          { key_as_string: "2020-03-31T00:00:00-04:00", key: 1585627200000, doc_count: 1 },
          { key_as_string: "2020-05-05T00:00:00-04:00", key: 1588651200000, doc_count: 1 },
          { key_as_string: "2020-06-30T00:00:00-04:00", key: 1593489600000, doc_count: 1 },
          { key_as_string: "2020-10-24T00:00:00-04:00", key: 1603512000000, doc_count: 1 },
          { key_as_string: "2020-12-31T00:00:00-05:00", key: 1609390800000, doc_count: 1 },
        ],
      },
    },
  );
});

test("date_histogram: fixed_interval with offset zone and custom format", () => {
  assert.deepEqual(
    search({
      f: {
        date_histogram: {
          field: "ts",
          fixed_interval: "12h",
          time_zone: "+05:30",
          format: "yyyy-MM-dd HH:mm EEE",
          min_doc_count: 1,
        },
      },
      h: { date_histogram: { field: "ts", fixed_interval: "90m", min_doc_count: 1, format: "epoch_millis" } },
    }),
    {
      f: {
        buckets: [
          { key_as_string: "1969-12-31 12:00 Wed", key: -63000000, doc_count: 1 },
          { key_as_string: "2020-01-01 00:00 Wed", key: 1577817000000, doc_count: 1 },
          { key_as_string: "2020-01-01 12:00 Wed", key: 1577860200000, doc_count: 1 },
          { key_as_string: "2020-01-16 00:00 Thu", key: 1579113000000, doc_count: 1 },
          { key_as_string: "2020-02-03 00:00 Mon", key: 1580668200000, doc_count: 1 },
          { key_as_string: "2020-03-29 00:00 Sun", key: 1585420200000, doc_count: 1 },
          { key_as_string: "2020-04-01 00:00 Wed", key: 1585679400000, doc_count: 1 },
          { key_as_string: "2020-05-05 00:00 Tue", key: 1588617000000, doc_count: 1 },
          { key_as_string: "2020-06-30 12:00 Tue", key: 1593498600000, doc_count: 1 },
          { key_as_string: "2020-10-25 00:00 Sun", key: 1603564200000, doc_count: 1 },
          { key_as_string: "2021-01-01 00:00 Fri", key: 1609439400000, doc_count: 1 },
        ],
      },
      h: {
        buckets: [
          { key_as_string: "-43200000", key: -43200000, doc_count: 1 },
          { key_as_string: "1577831400000", key: 1577831400000, doc_count: 1 },
          { key_as_string: "1577869200000", key: 1577869200000, doc_count: 1 },
          { key_as_string: "1579127400000", key: 1579127400000, doc_count: 1 },
          { key_as_string: "1580688000000", key: 1580688000000, doc_count: 1 },
          { key_as_string: "1585445400000", key: 1585445400000, doc_count: 1 },
          { key_as_string: "1585688400000", key: 1585688400000, doc_count: 1 },
          { key_as_string: "1588653000000", key: 1588653000000, doc_count: 1 },
          { key_as_string: "1593518400000", key: 1593518400000, doc_count: 1 },
          { key_as_string: "1603584000000", key: 1603584000000, doc_count: 1 },
          { key_as_string: "1609459200000", key: 1609459200000, doc_count: 1 },
        ],
      },
    },
  );
});

test("date_histogram: legacy interval and offset", () => {
  assert.deepEqual(
    search({
      a: { date_histogram: { field: "ts", interval: "day", offset: "+6h", min_doc_count: 1 } },
      b: { date_histogram: { field: "ts", interval: "7d", offset: "-1d", min_doc_count: 1 } },
      c: { date_histogram: { field: "ts", interval: "1M", format: "MMMM yyyy", min_doc_count: 1 } },
    }),
    {
      a: {
        buckets: [
          { key_as_string: "1969-12-31T06:00:00.000Z", key: -64800000, doc_count: 1 },
          { key_as_string: "2019-12-31T06:00:00.000Z", key: 1577772000000, doc_count: 1 },
          { key_as_string: "2020-01-01T06:00:00.000Z", key: 1577858400000, doc_count: 1 },
          { key_as_string: "2020-01-15T06:00:00.000Z", key: 1579068000000, doc_count: 1 },
          { key_as_string: "2020-02-02T06:00:00.000Z", key: 1580623200000, doc_count: 1 },
          { key_as_string: "2020-03-28T06:00:00.000Z", key: 1585375200000, doc_count: 1 },
          { key_as_string: "2020-03-31T06:00:00.000Z", key: 1585634400000, doc_count: 1 },
          { key_as_string: "2020-05-04T06:00:00.000Z", key: 1588572000000, doc_count: 1 },
          { key_as_string: "2020-06-30T06:00:00.000Z", key: 1593496800000, doc_count: 1 },
          { key_as_string: "2020-10-24T06:00:00.000Z", key: 1603519200000, doc_count: 1 },
          { key_as_string: "2020-12-31T06:00:00.000Z", key: 1609394400000, doc_count: 1 },
        ],
      },
      b: {
        buckets: [
          { key_as_string: "1969-12-31T00:00:00.000Z", key: -86400000, doc_count: 1 },
          { key_as_string: "2019-12-25T00:00:00.000Z", key: 1577232000000, doc_count: 1 },
          { key_as_string: "2020-01-01T00:00:00.000Z", key: 1577836800000, doc_count: 1 },
          { key_as_string: "2020-01-15T00:00:00.000Z", key: 1579046400000, doc_count: 1 },
          { key_as_string: "2020-01-29T00:00:00.000Z", key: 1580256000000, doc_count: 1 },
          { key_as_string: "2020-03-25T00:00:00.000Z", key: 1585094400000, doc_count: 2 },
          { key_as_string: "2020-04-29T00:00:00.000Z", key: 1588118400000, doc_count: 1 },
          { key_as_string: "2020-06-24T00:00:00.000Z", key: 1592956800000, doc_count: 1 },
          { key_as_string: "2020-10-21T00:00:00.000Z", key: 1603238400000, doc_count: 1 },
          { key_as_string: "2020-12-30T00:00:00.000Z", key: 1609286400000, doc_count: 1 },
        ],
      },
      c: {
        buckets: [
          { key_as_string: "December 1969", key: -2678400000, doc_count: 1 },
          { key_as_string: "December 2019", key: 1575158400000, doc_count: 1 },
          { key_as_string: "January 2020", key: 1577836800000, doc_count: 2 },
          { key_as_string: "February 2020", key: 1580515200000, doc_count: 1 },
          { key_as_string: "March 2020", key: 1583020800000, doc_count: 2 },
          { key_as_string: "May 2020", key: 1588291200000, doc_count: 1 },
          { key_as_string: "June 2020", key: 1590969600000, doc_count: 1 },
          { key_as_string: "October 2020", key: 1601510400000, doc_count: 1 },
          { key_as_string: "January 2021", key: 1609459200000, doc_count: 1 },
        ],
      },
    },
  );
});

test("date_histogram: year with extended_bounds, keyed, hard_bounds", () => {
  assert.deepEqual(
    search(
      {
        y: {
          date_histogram: {
            field: "ts",
            calendar_interval: "year",
            keyed: true,
            extended_bounds: { min: "2017-01-01", max: "2022-06-01" },
          },
        },
        h: {
          date_histogram: {
            field: "ts",
            calendar_interval: "quarter",
            hard_bounds: { min: "2020-01-01", max: "2020-09-30" },
            format: "yyyy-'Q'Q",
          },
        },
      },
      { range: { ts: { gte: "2018-06-01" } } },
    ),
    {
      y: {
        buckets: {
          "2017-01-01T00:00:00.000Z": {
            key_as_string: "2017-01-01T00:00:00.000Z",
            key: 1483228800000,
            doc_count: 0,
          },
          "2018-01-01T00:00:00.000Z": {
            key_as_string: "2018-01-01T00:00:00.000Z",
            key: 1514764800000,
            doc_count: 0,
          },
          "2019-01-01T00:00:00.000Z": {
            key_as_string: "2019-01-01T00:00:00.000Z",
            key: 1546300800000,
            doc_count: 1,
          },
          "2020-01-01T00:00:00.000Z": {
            key_as_string: "2020-01-01T00:00:00.000Z",
            key: 1577836800000,
            doc_count: 8,
          },
          "2021-01-01T00:00:00.000Z": {
            key_as_string: "2021-01-01T00:00:00.000Z",
            key: 1609459200000,
            doc_count: 1,
          },
          "2022-01-01T00:00:00.000Z": {
            key_as_string: "2022-01-01T00:00:00.000Z",
            key: 1640995200000,
            doc_count: 0,
          },
        },
      },
      h: {
        buckets: [
          { key_as_string: "2020-Q1", key: 1577836800000, doc_count: 5 },
          { key_as_string: "2020-Q2", key: 1585699200000, doc_count: 2 },
        ],
      },
    },
  );
});

test("date_histogram: numeric field, mapping format, order, sub-aggs", () => {
  assert.deepEqual(
    search({
      n: { date_histogram: { field: "epoch", calendar_interval: "month", min_doc_count: 1 } },
      d: {
        date_histogram: {
          field: "day",
          calendar_interval: "month",
          min_doc_count: 1,
          order: { _count: "desc" },
        },
        aggs: { g: { terms: { field: "genre" } }, mn: { min: { field: "ts" } } },
      },
    }),
    {
      n: {
        buckets: [
          { key_as_string: "2020-01-01T00:00:00.000Z", key: 1577836800000, doc_count: 2 },
          { key_as_string: "2020-10-01T00:00:00.000Z", key: 1601510400000, doc_count: 1 },
        ],
      },
      d: {
        buckets: [
          {
            key_as_string: "2020-01-01T00:00:00.000Z",
            key: 1577836800000,
            doc_count: 2,
            g: {
              doc_count_error_upper_bound: 0,
              sum_other_doc_count: 0,
              buckets: [{ key: "rock", doc_count: 2 }],
            },
            mn: { value: 1577872800000, value_as_string: "2020-01-01T10:00:00.000Z" },
          },
          {
            key_as_string: "2020-03-01T00:00:00.000Z",
            key: 1583020800000,
            doc_count: 2,
            g: {
              doc_count_error_upper_bound: 0,
              sum_other_doc_count: 0,
              buckets: [{ key: "pop", doc_count: 2 }],
            },
            mn: { value: 1585445400000, value_as_string: "2020-03-29T01:30:00.000Z" },
          },
          {
            key_as_string: "2020-02-01T00:00:00.000Z",
            key: 1580515200000,
            doc_count: 1,
            g: {
              doc_count_error_upper_bound: 0,
              sum_other_doc_count: 0,
              buckets: [{ key: "jazz", doc_count: 1 }],
            },
            mn: { value: 1580688900000, value_as_string: "2020-02-03T00:15:00.000Z" },
          },
          {
            key_as_string: "2020-05-01T00:00:00.000Z",
            key: 1588291200000,
            doc_count: 1,
            g: { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: [] },
            mn: { value: 1588655105000, value_as_string: "2020-05-05T05:05:05.000Z" },
          },
          {
            key_as_string: "2021-01-01T00:00:00.000Z",
            key: 1609459200000,
            doc_count: 1,
            g: {
              doc_count_error_upper_bound: 0,
              sum_other_doc_count: 0,
              buckets: [{ key: "classical", doc_count: 1 }],
            },
            mn: { value: 1609459200000, value_as_string: "2021-01-01T00:00:00.000Z" },
          },
        ],
      },
    },
  );
});

test("date_histogram: hour/minute/second units and DST", () => {
  assert.deepEqual(
    search(
      {
        h: {
          date_histogram: {
            field: "ts",
            calendar_interval: "hour",
            time_zone: "Europe/London",
            min_doc_count: 1,
            format: "HH:mm x",
          },
        },
        m: {
          date_histogram: { field: "ts", calendar_interval: "1m", min_doc_count: 1, format: "yy-M-d h:mm a" },
        },
        s: {
          date_histogram: { field: "ts", calendar_interval: "second", min_doc_count: 1, format: "D k K S A" },
        },
      },
      { range: { ts: { gte: "2020-03-28", lte: "2020-11-01" } } },
    ),
    {
      h: {
        buckets: [
          { key_as_string: "02:00 +01", key: 1585443600000, doc_count: 1 },
          { key_as_string: "23:00 +01", key: 1585692000000, doc_count: 1 },
          { key_as_string: "06:00 +01", key: 1588654800000, doc_count: 1 },
          { key_as_string: "13:00 +01", key: 1593518400000, doc_count: 1 },
          { key_as_string: "01:00 +00", key: 1603587600000, doc_count: 1 },
        ],
      },
      m: {
        buckets: [
          { key_as_string: "20-3-29 1:30 AM", key: 1585445400000, doc_count: 1 },
          { key_as_string: "20-3-31 10:00 PM", key: 1585692000000, doc_count: 1 },
          { key_as_string: "20-5-5 5:05 AM", key: 1588655100000, doc_count: 1 },
          { key_as_string: "20-6-30 12:00 PM", key: 1593518400000, doc_count: 1 },
          { key_as_string: "20-10-25 12:30 AM", key: 1603585800000, doc_count: 1 },
        ],
      },
      s: {
        buckets: [
          { key_as_string: "89 1 1 0 5400000", key: 1585445400000, doc_count: 1 },
          { key_as_string: "91 22 10 0 79200000", key: 1585692000000, doc_count: 1 },
          { key_as_string: "126 5 5 0 18305000", key: 1588655105000, doc_count: 1 },
          { key_as_string: "182 12 0 0 43200000", key: 1593518400000, doc_count: 1 },
          { key_as_string: "299 24 0 0 1800000", key: 1603585800000, doc_count: 1 },
        ],
      },
    },
  );
});

test("terms: regex escapes", () => {
  assert.deepEqual(
    search({ r: { terms: { field: "genre", include: "ro\\ck|p\\.?op|\\u.*|[\\]a-c]lues" } } }),
    {
      r: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "rock", doc_count: 3 },
          { key: "pop", doc_count: 2 },
          { key: "blues", doc_count: 1 },
        ],
      },
    },
  );
});

test("date_range: DST gap and overlap in an IANA zone, custom parse formats", () => {
  assert.deepEqual(
    search({
      z: {
        date_range: {
          field: "ts",
          time_zone: "Europe/Berlin",
          ranges: [{ from: "2020-03-29T02:30:00", to: "2020-10-25T02:30:00" }],
        },
      },
      p: {
        date_range: {
          field: "ts",
          format: "dd/MM/yy hh:mm a Z",
          ranges: [{ from: "05/01/20 03:15 PM +0100", to: "03/02/20 12:15 am Z" }],
        },
      },
      q: {
        date_range: {
          field: "ts",
          format: "EEE MMM d, yyyy k:mm:ss.SSS||MMMM d yyyy K:m:s",
          ranges: [{ from: "Mon Feb 3, 2020 24:00:00.5" }, { to: "June 30 2020 11:0:0" }],
        },
      },
    }),
    {
      z: {
        buckets: [
          {
            key: "2020-03-29T03:30:00.000+02:00-2020-10-25T02:30:00.000+01:00",
            from: 1585445400000,
            from_as_string: "2020-03-29T03:30:00.000+02:00",
            to: 1603589400000,
            to_as_string: "2020-10-25T02:30:00.000+01:00",
            doc_count: 5,
          },
        ],
      },
      p: {
        buckets: [
          {
            key: "05/01/20 02:15 PM +0000-03/02/20 12:15 AM +0000",
            from: 1578233700000,
            from_as_string: "05/01/20 02:15 PM +0000",
            to: 1580688900000,
            to_as_string: "03/02/20 12:15 AM +0000",
            doc_count: 1,
          },
        ],
      },
      q: {
        buckets: [
          {
            key: "*-Tue Jun 30, 2020 11:00:00.000",
            to: 1593514800000,
            to_as_string: "Tue Jun 30, 2020 11:00:00.000",
            doc_count: 8,
          },
          {
            key: "Mon Feb 3, 2020 24:00:00.500-*",
            from: 1580688000500,
            from_as_string: "Mon Feb 3, 2020 24:00:00.500",
            doc_count: 7,
          },
        ],
      },
    },
  );
});

test("date_histogram: printing every pattern letter", () => {
  assert.deepEqual(
    search(
      {
        b: {
          date_histogram: {
            field: "ts",
            calendar_interval: "year",
            min_doc_count: 1,
            time_zone: "Europe/Berlin",
            format: "G yyyy uuuu YY ZZZZ ZZZZZ Z X XX XXX x O VV z n N w W F p Q QQQ q e c EEEE E LLL D DDD",
          },
        },
        u: {
          date_histogram: {
            field: "ts",
            calendar_interval: "year",
            min_doc_count: 1,
            format: "G ZZZZ ZZZZZ Z X xxx O VV n N yyyy''MM 'o''clock' [HH]",
          },
        },
        k: {
          date_histogram: {
            field: "ts",
            fixed_interval: "1h",
            min_doc_count: 1,
            time_zone: "-03:30",
            format: "h K k a",
          },
        },
      },
      { range: { ts: { gte: "2019-12-01", lte: "2020-04-01" } } },
    ),
    {
      b: {
        buckets: [
          {
            key_as_string:
              "AD 2020 2020 20 GMT+01:00 +01:00 +0100 +01 +0100 +01:00 +01 GMT+01:00 Europe/Berlin Europe/Berlin 0 0 w W F p 1 Q1 1 3 3 Wednesday Wed Jan 1 001",
            key: 1577833200000,
            doc_count: 6,
          },
        ],
      },
      u: {
        buckets: [
          {
            key_as_string: "AD GMT Z +0000 Z +00:00 GMT Z 0 0 2019'01 oclock 00",
            key: 1546300800000,
            doc_count: 1,
          },
          {
            key_as_string: "AD GMT Z +0000 Z +00:00 GMT Z 0 0 2020'01 oclock 00",
            key: 1577836800000,
            doc_count: 5,
          },
        ],
      },
      k: {
        buckets: [
          { key_as_string: "8 8 20 PM", key: 1577835000000, doc_count: 1 },
          { key_as_string: "6 6 6 AM", key: 1577871000000, doc_count: 1 },
          { key_as_string: "8 8 20 PM", key: 1579131000000, doc_count: 1 },
          { key_as_string: "8 8 20 PM", key: 1580686200000, doc_count: 1 },
          { key_as_string: "10 10 22 PM", key: 1585445400000, doc_count: 1 },
          { key_as_string: "6 6 18 PM", key: 1585690200000, doc_count: 1 },
        ],
      },
    },
  );
});

test("metrics: avg/min/max/sum/value_count/cardinality", () => {
  assert.deepEqual(
    search({
      avg: { avg: { field: "price" } },
      min: { min: { field: "price" } },
      max: { max: { field: "price" } },
      sum: { sum: { field: "price" } },
      vc: { value_count: { field: "price" } },
      card: { cardinality: { field: "qty" } },
    }),
    {
      avg: { value: 833356.36375 },
      min: { value: -3.5 },
      max: { value: 10000000 },
      sum: { value: 10000276.365 },
      vc: { value: 12 },
      card: { value: 12 },
    },
  );
});

test("metrics: stats and extended_stats with sigma", () => {
  assert.deepEqual(
    search({
      s: { stats: { field: "qty" } },
      e: { extended_stats: { field: "rating", sigma: 1.5 } },
      e1: { extended_stats: { field: "stock" } },
    }),
    {
      s: { count: 14, min: -4, max: 100, avg: 14.214285714285714, sum: 199 },
      e: {
        count: 6,
        min: 1,
        max: 5,
        avg: 3.3333333333333335,
        sum: 20,
        sum_of_squares: 77.5,
        variance: 1.8055555555555536,
        variance_population: 1.8055555555555536,
        variance_sampling: 2.1666666666666656,
        std_deviation: 1.3437096247164242,
        std_deviation_population: 1.3437096247164242,
        std_deviation_sampling: 1.4719601443879742,
        std_deviation_bounds: {
          upper: 5.348897770407969,
          lower: 1.317768896258697,
          upper_population: 5.348897770407969,
          lower_population: 1.317768896258697,
          upper_sampling: 5.541273549915294,
          lower_sampling: 1.1253931167513724,
        },
      },
      e1: {
        count: 5,
        min: 0,
        max: 5,
        avg: 2.2,
        sum: 11,
        sum_of_squares: 39,
        variance: 2.959999999999999,
        variance_population: 2.959999999999999,
        variance_sampling: 3.7,
        std_deviation: 1.720465053408525,
        std_deviation_population: 1.720465053408525,
        std_deviation_sampling: 1.9235384061671346,
        std_deviation_bounds: {
          upper: 5.64093010681705,
          lower: -1.24093010681705,
          upper_population: 5.64093010681705,
          lower_population: -1.24093010681705,
          upper_sampling: 6.04707681233427,
          lower_sampling: -1.647076812334269,
        },
      },
    },
  );
});

test("metrics: dates, formats and booleans", () => {
  assert.deepEqual(
    search({
      mn: { min: { field: "ts" } },
      mx: { max: { field: "day" } },
      av: { avg: { field: "ts", format: "yyyy" } },
      st: { stats: { field: "ts" } },
      f: { sum: { field: "price", format: "#,##0.00" } },
      p: { avg: { field: "qty", format: "0.###%" } },
      b: { avg: { field: "active" } },
      bs: { stats: { field: "active" } },
    }),
    {
      mn: { value: -43200000, value_as_string: "1969-12-31T12:00:00.000Z" },
      mx: { value: 1609459200000, value_as_string: "2021-01-01T00:00:00.000Z" },
      av: { value: 1443803836818.0908, value_as_string: "2015" },
      st: {
        count: 11,
        min: -43200000,
        max: 1609459200000,
        avg: 1443803836818.0908,
        sum: 15881842204999,
        min_as_string: "1969-12-31T12:00:00.000Z",
        max_as_string: "2021-01-01T00:00:00.000Z",
        avg_as_string: "2015-10-02T16:37:16.818Z",
        sum_as_string: "2473-04-10T14:50:04.999Z",
      },
      f: { value: 10000276.365, value_as_string: "10,000,276.37" },
      p: { value: 14.214285714285714, value_as_string: "1421.429%" },
      b: { value: 0.5714285714285714 },
      bs: { count: 7, min: 0, max: 1, avg: 0.5714285714285714, sum: 4 },
    },
  );
});

test("metrics: keyword and boolean counts, missing values", () => {
  assert.deepEqual(
    search({
      vk: { value_count: { field: "tag" } },
      ck: { cardinality: { field: "tag" } },
      vb: { value_count: { field: "active" } },
      cb: { cardinality: { field: "active" } },
      vm: { value_count: { field: "genre", missing: "x" } },
      am: { avg: { field: "rating", missing: 10 } },
      cu: { cardinality: { field: "nope", missing: "z" } },
      vu: { value_count: { field: "nope" } },
    }),
    {
      vk: { value: 9 },
      ck: { value: 5 },
      vb: { value: 7 },
      cb: { value: 2 },
      vm: { value: 12 },
      am: { value: 6.666666666666667 },
      cu: { value: 1 },
      vu: { value: 0 },
    },
  );
});

test("metrics: empty bucket and unmapped field", () => {
  assert.deepEqual(
    search(
      {
        avg: { avg: { field: "price" } },
        min: { min: { field: "price" } },
        sum: { sum: { field: "price" } },
        st: { stats: { field: "price" } },
        es: { extended_stats: { field: "price" } },
        u: { avg: { field: "nope" } },
        um: { max: { field: "nope", missing: 4 } },
        m: { meta: { a: 1 }, value_count: { field: "nope" } },
      },
      { term: { genre: "nothing" } },
    ),
    {
      avg: { value: null },
      min: { value: null },
      sum: { value: 0 },
      st: { count: 0, min: null, max: null, avg: null, sum: 0 },
      es: {
        count: 0,
        min: null,
        max: null,
        avg: null,
        sum: 0,
        sum_of_squares: null,
        variance: null,
        variance_population: null,
        variance_sampling: null,
        std_deviation: null,
        std_deviation_population: null,
        std_deviation_sampling: null,
        std_deviation_bounds: {
          upper: null,
          lower: null,
          upper_population: null,
          lower_population: null,
          upper_sampling: null,
          lower_sampling: null,
        },
      },
      u: { value: null },
      um: { value: null },
      m: { meta: { a: 1 }, value: 0 },
    },
  );
});

test("top_hits: default score order", () => {
  assert.deepEqual(search({ t: { top_hits: {} } }, { match: { title: "rock" } }), {
    t: {
      hits: {
        total: { value: 5, relation: "eq" },
        max_score: 0.6304906010627747,
        hits: [
          {
            _index: "t",
            _id: "2",
            _score: 0.6304906010627747,
            _source: {
              genre: "rock",
              tag: ["b"],
              name: "bravo",
              title: "rock rock on",
              price: 20,
              qty: 5,
              stock: 2,
              rating: 3,
              active: false,
              ts: "2020-01-15T23:30:00Z",
              day: "2020-01-15",
              epoch: 1579131000000,
            },
          },
          {
            _index: "t",
            _id: "7",
            _score: 0.5264838337898254,
            _source: {
              genre: "rock",
              name: "golf",
              title: "hard rock",
              price: 0,
              qty: 0,
              stock: 0,
              ts: "2019-12-31T23:59:59.999Z",
            },
          },
          {
            _index: "t",
            _id: "12",
            _score: 0.5264838337898254,
            _source: {
              genre: "blues",
              name: "lima",
              title: "blues rock",
              price: 7.125,
              qty: 3,
              rating: 4,
              ts: "2020-10-25T00:30:00Z",
              epoch: 1603585800000,
            },
          },
        ],
      },
    },
  });
});

test("top_hits: sort, _source, size, from", () => {
  assert.deepEqual(
    search({
      a: { top_hits: { sort: [{ price: "desc" }], _source: ["name", "price"], size: 2 } },
      b: {
        top_hits: {
          sort: [{ stock: { order: "asc", missing: "_first" } }, "_doc"],
          _source: false,
          from: 1,
          size: 3,
        },
      },
      c: { top_hits: { sort: ["name"], _source: { includes: ["genre"] }, size: 1 } },
    }),
    {
      a: {
        hits: {
          total: { value: 12, relation: "eq" },
          max_score: null,
          hits: [
            { _index: "t", _id: "10", _score: 1, _source: { name: "juliet", price: 10000000 } },
            { _index: "t", _id: "5", _score: 1, _source: { name: "echo", price: 99.99 } },
          ],
        },
      },
      b: {
        hits: {
          total: { value: 12, relation: "eq" },
          max_score: null,
          hits: [
            { _index: "t", _id: "5", _score: 1 },
            { _index: "t", _id: "6", _score: 1 },
            { _index: "t", _id: "8", _score: 1 },
          ],
        },
      },
      c: {
        hits: {
          total: { value: 12, relation: "eq" },
          max_score: null,
          hits: [{ _index: "t", _id: "1", _score: 1, _source: { genre: "rock" } }],
        },
      },
    },
  );
});

test("top_hits: track_scores, multi-valued sort modes, score asc", () => {
  assert.deepEqual(
    search(
      {
        a: {
          top_hits: {
            sort: [{ qty: { order: "desc", mode: "avg" } }],
            track_scores: true,
            size: 3,
            _source: ["qty"],
          },
        },
        b: { top_hits: { sort: [{ _score: "asc" }], size: 2, _source: false } },
        c: {
          top_hits: {
            sort: [{ tag: { order: "desc" } }, { qty: { order: "asc", mode: "median" } }],
            size: 4,
            _source: ["tag"],
          },
        },
        d: {
          top_hits: {
            sort: [
              { nope: { unmapped_type: "long" } },
              { rating: { missing: 0 } },
              { price: { mode: "sum" } },
            ],
            size: 3,
            _source: false,
          },
        },
      },
      { bool: { should: [{ match: { title: "rock" } }, { match: { title: "world" } }, { match_all: {} }] } },
    ),
    {
      a: {
        hits: {
          total: { value: 12, relation: "eq" },
          max_score: 2.6010489463806152,
          hits: [
            { _index: "t", _id: "10", _score: 2.369387149810791, _source: { qty: 100 } },
            { _index: "t", _id: "11", _score: 1, _source: { qty: 42 } },
            { _index: "t", _id: "4", _score: 1.384775996208191, _source: { qty: 10 } },
          ],
        },
      },
      b: {
        hits: {
          total: { value: 12, relation: "eq" },
          max_score: 2.6010489463806152,
          hits: [
            { _index: "t", _id: "3", _score: 1 },
            { _index: "t", _id: "5", _score: 1 },
          ],
        },
      },
      c: {
        hits: {
          total: { value: 12, relation: "eq" },
          max_score: null,
          hits: [
            { _index: "t", _id: "8", _score: 1, _source: { tag: "e" } },
            { _index: "t", _id: "6", _score: 1, _source: { tag: ["c", "d", "c"] } },
            { _index: "t", _id: "3", _score: 1, _source: { tag: ["a", "c"] } },
            { _index: "t", _id: "1", _score: 2.6010489463806152, _source: { tag: ["a", "b"] } },
          ],
        },
      },
      d: {
        hits: {
          total: { value: 12, relation: "eq" },
          max_score: null,
          hits: [
            { _index: "t", _id: "9", _score: 1 },
            { _index: "t", _id: "7", _score: 1.5264837741851807 },
            { _index: "t", _id: "4", _score: 1.384775996208191 },
          ],
        },
      },
    },
  );
});

test("top_hits: inside terms buckets", () => {
  assert.deepEqual(
    search({
      g: {
        terms: { field: "genre", size: 2 },
        aggs: { top: { top_hits: { size: 1, sort: [{ price: { order: "asc" } }], _source: ["name"] } } },
      },
    }),
    {
      g: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 6,
        buckets: [
          {
            key: "rock",
            doc_count: 3,
            top: {
              hits: {
                total: { value: 3, relation: "eq" },
                max_score: null,
                hits: [{ _index: "t", _id: "7", _score: 1, _source: { name: "golf" } }],
              },
            },
          },
          {
            key: "jazz",
            doc_count: 2,
            top: {
              hits: {
                total: { value: 2, relation: "eq" },
                max_score: null,
                hits: [{ _index: "t", _id: "3", _score: 1, _source: { name: "charlie" } }],
              },
            },
          },
        ],
      },
    },
  );
});

test("missing: with sub-aggregations", () => {
  assert.deepEqual(
    search({
      m: {
        missing: { field: "rating" },
        aggs: { a: { avg: { field: "price" } }, g: { terms: { field: "genre" } } },
      },
      u: { missing: { field: "nope" } },
      d: { missing: { field: "ts" } },
      b: { missing: { field: "active" } },
    }),
    {
      m: {
        doc_count: 6,
        a: { value: 1428586.2142857143 },
        g: {
          doc_count_error_upper_bound: 0,
          sum_other_doc_count: 0,
          buckets: [
            { key: "pop", doc_count: 2 },
            { key: "classical", doc_count: 1 },
            { key: "rock", doc_count: 1 },
            { key: "ünïcode", doc_count: 1 },
          ],
        },
      },
      u: { doc_count: 12 },
      d: { doc_count: 1 },
      b: { doc_count: 5 },
    },
  );
});

test("nested: terms > date_histogram > stats, histogram > range", () => {
  assert.deepEqual(
    search({
      g: {
        terms: { field: "genre", size: 3, order: { mx: "desc" } },
        aggs: {
          mx: { max: { field: "price" } },
          dh: {
            date_histogram: { field: "ts", calendar_interval: "year", min_doc_count: 1 },
            aggs: { st: { stats: { field: "qty" } } },
          },
        },
      },
      h: {
        histogram: { field: "qty", interval: 20, min_doc_count: 1 },
        aggs: {
          r: {
            range: { field: "price", ranges: [{ to: 20 }, { from: 20 }] },
            aggs: { c: { cardinality: { field: "genre" } } },
          },
        },
      },
    }),
    {
      g: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 7,
        buckets: [
          {
            key: "ünïcode",
            doc_count: 1,
            mx: { value: 10000000 },
            dh: {
              buckets: [
                {
                  key_as_string: "1969-01-01T00:00:00.000Z",
                  key: -31536000000,
                  doc_count: 1,
                  st: { count: 1, min: 100, max: 100, avg: 100, sum: 100 },
                },
              ],
            },
          },
          {
            key: "jazz",
            doc_count: 2,
            mx: { value: 99.99 },
            dh: {
              buckets: [
                {
                  key_as_string: "2020-01-01T00:00:00.000Z",
                  key: 1577836800000,
                  doc_count: 2,
                  st: { count: 2, min: 1, max: 2, avg: 1.5, sum: 3 },
                },
              ],
            },
          },
          {
            key: "classical",
            doc_count: 1,
            mx: { value: 48 },
            dh: {
              buckets: [
                {
                  key_as_string: "2021-01-01T00:00:00.000Z",
                  key: 1609459200000,
                  doc_count: 1,
                  st: { count: 4, min: 7, max: 12, avg: 9.25, sum: 37 },
                },
              ],
            },
          },
        ],
      },
      h: {
        buckets: [
          {
            key: -20,
            doc_count: 1,
            r: {
              buckets: [
                { key: "*-20.0", to: 20, doc_count: 0, c: { value: 0 } },
                { key: "20.0-*", from: 20, doc_count: 0, c: { value: 0 } },
              ],
            },
          },
          {
            key: 0,
            doc_count: 8,
            r: {
              buckets: [
                { key: "*-20.0", to: 20, doc_count: 5, c: { value: 4 } },
                { key: "20.0-*", from: 20, doc_count: 4, c: { value: 3 } },
              ],
            },
          },
          {
            key: 40,
            doc_count: 1,
            r: {
              buckets: [
                { key: "*-20.0", to: 20, doc_count: 0, c: { value: 0 } },
                { key: "20.0-*", from: 20, doc_count: 1, c: { value: 1 } },
              ],
            },
          },
          {
            key: 100,
            doc_count: 1,
            r: {
              buckets: [
                { key: "*-20.0", to: 20, doc_count: 0, c: { value: 0 } },
                { key: "20.0-*", from: 20, doc_count: 1, c: { value: 1 } },
              ],
            },
          },
        ],
      },
    },
  );
});

test("aggregations key, null aggs", () => {
  assert.deepEqual(
    search({
      g: { terms: { field: "active" }, aggregations: { s: { sum: { field: "qty" } } } },
      n: { terms: { field: "tag", size: 1 }, aggs: null },
    }),
    {
      g: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: 1, key_as_string: "true", doc_count: 4, s: { value: 10 } },
          { key: 0, key_as_string: "false", doc_count: 3, s: { value: 84 } },
        ],
      },
      n: { doc_count_error_upper_bound: 0, sum_other_doc_count: 6, buckets: [{ key: "a", doc_count: 3 }] },
    },
  );
});

test("error: aggs body not an object", () => {
  assert.deepEqual(searchError({ g: [] }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Expected [START_OBJECT] under [g], but got a [START_ARRAY] in [g]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: [] }), {
    name: "AggregationError",
    type: "parsing_exception",
    path: "g",
    message: "Expected [START_OBJECT] under [g], but got a [START_ARRAY] in [g]",
  });
});

test("error: invalid aggregation name", () => {
  assert.deepEqual(searchError({ "a[b": { avg: { field: "price" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message:
      "Invalid aggregation name [a[b]. Aggregation names can contain any character except '[', ']', and '>'",
    extra: { aggregation: "a[b" },
  });
  assert.deepEqual(directError({ "a[b": { avg: { field: "price" } } }), {
    name: "AggregationError",
    type: "parsing_exception",
    path: "a[b",
    message:
      "Invalid aggregation name [a[b]. Aggregation names can contain any character except '[', ']', and '>'",
  });
});

test("error: two aggregation types", () => {
  assert.deepEqual(searchError({ g: { avg: { field: "price" }, max: { field: "price" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Found two aggregation type definitions in [g]: [avg] and [max]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { avg: { field: "price" }, max: { field: "price" } } }), {
    name: "AggregationError",
    type: "parsing_exception",
    path: "g",
    message: "Found two aggregation type definitions in [g]: [avg] and [max]",
  });
});

test("error: unknown type with suggestion", () => {
  assert.deepEqual(searchError({ g: { termz: { field: "genre" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Unknown aggregation type [termz] did you mean [terms]?",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { termz: { field: "genre" } } }), {
    name: "AggregationError",
    type: "parsing_exception",
    path: "g",
    message: "Unknown aggregation type [termz] did you mean [terms]?",
  });
});

test("error: unknown type with several suggestions", () => {
  assert.deepEqual(searchError({ g: { stat: { field: "genre" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Unknown aggregation type [stat] did you mean [stats]?",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { stat: { field: "genre" } } }), {
    name: "AggregationError",
    type: "parsing_exception",
    path: "g",
    message: "Unknown aggregation type [stat] did you mean [stats]?",
  });
});

test("error: unknown type without suggestion", () => {
  assert.deepEqual(searchError({ g: { qqqqqqq: {} } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Unknown aggregation type [qqqqqqq]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { qqqqqqq: {} } }), {
    name: "AggregationError",
    type: "parsing_exception",
    path: "g",
    message: "Unknown aggregation type [qqqqqqq]",
  });
});

test("error: unsupported type", () => {
  assert.deepEqual(searchError({ g: { percentiles: { field: "price" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Aggregation type [percentiles] is not supported by this engine (in [g])",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { percentiles: { field: "price" } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "Aggregation type [percentiles] is not supported by this engine (in [g])",
  });
});

test("error: type body not an object", () => {
  assert.deepEqual(searchError({ g: { avg: "price" } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Expected [START_OBJECT] under [avg], but got a [VALUE_STRING] in [g]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { avg: "price" } }), {
    name: "AggregationError",
    type: "parsing_exception",
    path: "g",
    message: "Expected [START_OBJECT] under [avg], but got a [VALUE_STRING] in [g]",
  });
});

test("error: meta not an object", () => {
  assert.deepEqual(searchError({ g: { meta: 3, avg: { field: "price" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Expected [START_OBJECT] under [meta], but got a [VALUE_NUMBER] in [g]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { meta: 3, avg: { field: "price" } } }), {
    name: "AggregationError",
    type: "parsing_exception",
    path: "g",
    message: "Expected [START_OBJECT] under [meta], but got a [VALUE_NUMBER] in [g]",
  });
});

test("error: two sub-aggregation definitions", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "genre" }, aggs: {}, aggregations: {} } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Found two sub aggregation definitions under [g]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "genre" }, aggs: {}, aggregations: {} } }), {
    name: "AggregationError",
    type: "parsing_exception",
    path: "g",
    message: "Found two sub aggregation definitions under [g]",
  });
});

test("error: missing definition", () => {
  assert.deepEqual(searchError({ g: { aggs: { x: { avg: { field: "price" } } } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Missing definition for aggregation [g]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { aggs: { x: { avg: { field: "price" } } } } }), {
    name: "AggregationError",
    type: "parsing_exception",
    path: "g",
    message: "Missing definition for aggregation [g]",
  });
});

test("error: metric with sub-aggregations", () => {
  assert.deepEqual(
    searchError({ g: { avg: { field: "price" }, aggs: { x: { max: { field: "price" } } } } }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message: "Aggregator [g] of type [avg] cannot accept sub-aggregations",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({ g: { avg: { field: "price" }, aggs: { x: { max: { field: "price" } } } } }),
    {
      name: "AggregationError",
      type: "aggregation_initialization_exception",
      path: "g",
      message: "Aggregator [g] of type [avg] cannot accept sub-aggregations",
    },
  );
});

test("error: sub-aggs not an object", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "genre" }, aggs: 5 } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Expected [START_OBJECT] under [aggregations], but got a [VALUE_NUMBER]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "genre" }, aggs: 5 } }), {
    name: "AggregationError",
    type: "parsing_exception",
    path: "g",
    message: "Expected [START_OBJECT] under [aggregations], but got a [VALUE_NUMBER]",
  });
});

test("error: unknown parameter with suggestion", () => {
  assert.deepEqual(searchError({ g: { terms: { fields: "genre" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[terms] unknown field [fields] did you mean [field]?",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { fields: "genre" } } }), {
    name: "AggregationError",
    type: "x_content_parse_exception",
    path: "g",
    message: "[terms] unknown field [fields] did you mean [field]?",
  });
});

test("error: unknown metric parameter", () => {
  assert.deepEqual(searchError({ g: { avg: { field: "price", sigma: 2 } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[avg] unknown field [sigma]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { avg: { field: "price", sigma: 2 } } }), {
    name: "AggregationError",
    type: "x_content_parse_exception",
    path: "g",
    message: "[avg] unknown field [sigma]",
  });
});

test("error: size not a number", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "genre", size: "abc" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: '[terms] failed to parse field [size] in [g]: expected a number but got "abc"',
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "genre", size: "abc" } } }), {
    name: "AggregationError",
    type: "x_content_parse_exception",
    path: "g",
    message: '[terms] failed to parse field [size] in [g]: expected a number but got "abc"',
  });
});

test("error: size not an integer", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "genre", size: 1.5 } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[terms] failed to parse field [size] in [g]: expected an integer but got 1.5",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "genre", size: 1.5 } } }), {
    name: "AggregationError",
    type: "x_content_parse_exception",
    path: "g",
    message: "[terms] failed to parse field [size] in [g]: expected an integer but got 1.5",
  });
});

test("error: size zero", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "genre", size: 0 } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[size] must be greater than 0. Found [0] in [g]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "genre", size: 0 } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "[size] must be greater than 0. Found [0] in [g]",
  });
});

test("error: shard_size zero", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "genre", shard_size: 0 } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[shardSize] must be greater than 0. Found [0] in [g]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "genre", shard_size: 0 } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "[shardSize] must be greater than 0. Found [0] in [g]",
  });
});

test("error: min_doc_count negative", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "genre", min_doc_count: -1 } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[minDocCount] must be greater than or equal to 0. Found [-1] in [g]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "genre", min_doc_count: -1 } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "[minDocCount] must be greater than or equal to 0. Found [-1] in [g]",
  });
});

test("error: boolean param invalid", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "genre", show_term_doc_count_error: "yes" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message:
      '[terms] failed to parse field [show_term_doc_count_error] in [g]: expected a boolean but got "yes"',
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "genre", show_term_doc_count_error: "yes" } } }), {
    name: "AggregationError",
    type: "x_content_parse_exception",
    path: "g",
    message:
      '[terms] failed to parse field [show_term_doc_count_error] in [g]: expected a boolean but got "yes"',
  });
});

test("error: format not a string", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "qty", format: 3 } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[terms] failed to parse field [format] in [g]: expected a string but got 3",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "qty", format: 3 } } }), {
    name: "AggregationError",
    type: "x_content_parse_exception",
    path: "g",
    message: "[terms] failed to parse field [format] in [g]: expected a string but got 3",
  });
});

test("error: no field", () => {
  assert.deepEqual(searchError({ g: { terms: {} } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[g][terms] requires a field",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: {} } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "[g][terms] requires a field",
  });
});

test("error: field not a string", () => {
  assert.deepEqual(searchError({ g: { terms: { field: 3 } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[terms] failed to parse field [field] in [g]: expected a string but got 3",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: 3 } } }), {
    name: "AggregationError",
    type: "x_content_parse_exception",
    path: "g",
    message: "[terms] failed to parse field [field] in [g]: expected a string but got 3",
  });
});

test("error: script", () => {
  assert.deepEqual(searchError({ g: { avg: { script: "doc.x" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[g][avg] scripts are not supported",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { avg: { script: "doc.x" } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "[g][avg] scripts are not supported",
  });
});

test("error: text field", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "title" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message:
      "Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [title] in order to load field data by uninverting the inverted index. Note that this can use significant memory.",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "title" } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message:
      "Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [title] in order to load field data by uninverting the inverted index. Note that this can use significant memory.",
  });
});

test("error: unsupported field type for metric", () => {
  assert.deepEqual(searchError({ g: { avg: { field: "genre" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Field [genre] of type [keyword] is not supported for aggregation [avg]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { avg: { field: "genre" } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "Field [genre] of type [keyword] is not supported for aggregation [avg]",
  });
});

test("error: unsupported field type for date_histogram", () => {
  assert.deepEqual(searchError({ g: { date_histogram: { field: "genre", calendar_interval: "day" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Field [genre] of type [keyword] is not supported for aggregation [date_histogram]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { date_histogram: { field: "genre", calendar_interval: "day" } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "Field [genre] of type [keyword] is not supported for aggregation [date_histogram]",
  });
});

test("error: order direction invalid", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "genre", order: { _count: "up" } } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Unknown order direction [up]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "genre", order: { _count: "up" } } } }), {
    name: "AggregationError",
    type: "parsing_exception",
    path: "g",
    message: "Unknown order direction [up]",
  });
});

test("error: order not an object", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "genre", order: "asc" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message:
      '[terms] failed to parse field [order] in [g]: expected an object or an array of objects but got "asc"',
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "genre", order: "asc" } } }), {
    name: "AggregationError",
    type: "x_content_parse_exception",
    path: "g",
    message:
      '[terms] failed to parse field [order] in [g]: expected an object or an array of objects but got "asc"',
  });
});

test("error: order path unknown aggregation", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "genre", order: { foo: "asc" } } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Invalid aggregation order path [foo]. Unknown aggregation [foo]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "genre", order: { foo: "asc" } } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "Invalid aggregation order path [foo]. Unknown aggregation [foo]",
  });
});

test("error: order path multi-value without metric", () => {
  assert.deepEqual(
    searchError({
      g: { terms: { field: "genre", order: { st: "asc" } }, aggs: { st: { stats: { field: "qty" } } } },
    }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message:
        "Invalid aggregation order path [st]. When ordering on a multi-value metrics aggregation a metric name must be specified.",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({
      g: { terms: { field: "genre", order: { st: "asc" } }, aggs: { st: { stats: { field: "qty" } } } },
    }),
    {
      name: "AggregationError",
      type: "illegal_argument_exception",
      path: "g",
      message:
        "Invalid aggregation order path [st]. When ordering on a multi-value metrics aggregation a metric name must be specified.",
    },
  );
});

test("error: order path unknown metric", () => {
  assert.deepEqual(
    searchError({
      g: {
        terms: { field: "genre", order: { "st.median": "asc" } },
        aggs: { st: { stats: { field: "qty" } } },
      },
    }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message:
        "Invalid aggregation order path [st.median]. Unknown metric name [median] on multi-value metrics aggregation [st]",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({
      g: {
        terms: { field: "genre", order: { "st.median": "asc" } },
        aggs: { st: { stats: { field: "qty" } } },
      },
    }),
    {
      name: "AggregationError",
      type: "illegal_argument_exception",
      path: "g",
      message:
        "Invalid aggregation order path [st.median]. Unknown metric name [median] on multi-value metrics aggregation [st]",
    },
  );
});

test("error: order path single-value with key", () => {
  assert.deepEqual(
    searchError({
      g: { terms: { field: "genre", order: { "a.avg": "asc" } }, aggs: { a: { avg: { field: "qty" } } } },
    }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message: "Invalid aggregation order path [a.avg]. [a] is a single-value metrics aggregation",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({
      g: { terms: { field: "genre", order: { "a.avg": "asc" } }, aggs: { a: { avg: { field: "qty" } } } },
    }),
    {
      name: "AggregationError",
      type: "illegal_argument_exception",
      path: "g",
      message: "Invalid aggregation order path [a.avg]. [a] is a single-value metrics aggregation",
    },
  );
});

test("error: order path single-bucket unknown key", () => {
  assert.deepEqual(
    searchError({
      g: { terms: { field: "genre", order: { "m.foo": "asc" } }, aggs: { m: { missing: { field: "qty" } } } },
    }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message: "Invalid aggregation order path [m.foo]. Unknown key [foo] on single-bucket aggregation [m]",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({
      g: { terms: { field: "genre", order: { "m.foo": "asc" } }, aggs: { m: { missing: { field: "qty" } } } },
    }),
    {
      name: "AggregationError",
      type: "illegal_argument_exception",
      path: "g",
      message: "Invalid aggregation order path [m.foo]. Unknown key [foo] on single-bucket aggregation [m]",
    },
  );
});

test("error: order path through multi-bucket", () => {
  assert.deepEqual(
    searchError({
      g: {
        terms: { field: "genre", order: { "t>a": "asc" } },
        aggs: { t: { terms: { field: "tag" }, aggs: { a: { avg: { field: "qty" } } } } },
      },
    }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message:
        "Invalid aggregation order path [t>a]. Buckets can only be sorted on a sub-aggregator path that is built out of zero or more single-bucket aggregations within the path and a final single-bucket or a metrics aggregation at the path end.",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({
      g: {
        terms: { field: "genre", order: { "t>a": "asc" } },
        aggs: { t: { terms: { field: "tag" }, aggs: { a: { avg: { field: "qty" } } } } },
      },
    }),
    {
      name: "AggregationError",
      type: "illegal_argument_exception",
      path: "g",
      message:
        "Invalid aggregation order path [t>a]. Buckets can only be sorted on a sub-aggregator path that is built out of zero or more single-bucket aggregations within the path and a final single-bucket or a metrics aggregation at the path end.",
    },
  );
});

test("error: order path ending at multi-bucket", () => {
  assert.deepEqual(
    searchError({
      g: { terms: { field: "genre", order: { t: "asc" } }, aggs: { t: { terms: { field: "tag" } } } },
    }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message:
        "Invalid aggregation order path [t]. Buckets can only be sorted on a sub-aggregator path that is built out of zero or more single-bucket aggregations within the path and a final single-bucket or a metrics aggregation at the path end.",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({
      g: { terms: { field: "genre", order: { t: "asc" } }, aggs: { t: { terms: { field: "tag" } } } },
    }),
    {
      name: "AggregationError",
      type: "illegal_argument_exception",
      path: "g",
      message:
        "Invalid aggregation order path [t]. Buckets can only be sorted on a sub-aggregator path that is built out of zero or more single-bucket aggregations within the path and a final single-bucket or a metrics aggregation at the path end.",
    },
  );
});

test("error: regex include on numeric field", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "qty", include: "1.*" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message:
      "Aggregation [g] cannot support regular expression style include/exclude settings as they can only be applied to string fields. Use an array of numeric values for include/exclude clauses used to filter numeric fields",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "qty", include: "1.*" } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message:
      "Aggregation [g] cannot support regular expression style include/exclude settings as they can only be applied to string fields. Use an array of numeric values for include/exclude clauses used to filter numeric fields",
  });
});

test("error: regex exclude on numeric field", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "qty", exclude: "1.*" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message:
      "Aggregation [g] cannot support regular expression style include/exclude settings as they can only be applied to string fields. Use an array of numeric values for include/exclude clauses used to filter numeric fields",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "qty", exclude: "1.*" } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message:
      "Aggregation [g] cannot support regular expression style include/exclude settings as they can only be applied to string fields. Use an array of numeric values for include/exclude clauses used to filter numeric fields",
  });
});

test("error: bad partition", () => {
  assert.deepEqual(
    searchError({ g: { terms: { field: "genre", include: { partition: 3, num_partitions: 3 } } } }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message:
        "[include] partition based filtering requires [partition] and [num_partitions] with 0 <= partition < num_partitions",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({ g: { terms: { field: "genre", include: { partition: 3, num_partitions: 3 } } } }),
    {
      name: "AggregationError",
      type: "illegal_argument_exception",
      path: "g",
      message:
        "[include] partition based filtering requires [partition] and [num_partitions] with 0 <= partition < num_partitions",
    },
  );
});

test("error: include wrong type", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "genre", include: 5 } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message:
      "[terms] failed to parse field [include] in [g]: expected a string, an array or an object but got 5",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "genre", include: 5 } } }), {
    name: "AggregationError",
    type: "x_content_parse_exception",
    path: "g",
    message:
      "[terms] failed to parse field [include] in [g]: expected a string, an array or an object but got 5",
  });
});

test("error: exclude wrong type", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "genre", exclude: { partition: 0 } } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message:
      '[terms] failed to parse field [exclude] in [g]: expected a string or an array but got {"partition":0}',
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "genre", exclude: { partition: 0 } } } }), {
    name: "AggregationError",
    type: "x_content_parse_exception",
    path: "g",
    message:
      '[terms] failed to parse field [exclude] in [g]: expected a string or an array but got {"partition":0}',
  });
});

test("error: bad regex", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "genre", include: "(a" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Invalid regular expression [(a]: Invalid regular expression: /^(?:(a)$/s: Unterminated group",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "genre", include: "(a" } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "Invalid regular expression [(a]: Invalid regular expression: /^(?:(a)$/s: Unterminated group",
  });
});

test("error: numeric include not a number", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "qty", include: ["x"] } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[terms] failed to parse [include] value [x] as a number",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "qty", include: ["x"] } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "[terms] failed to parse [include] value [x] as a number",
  });
});

test("error: boolean missing invalid", () => {
  assert.deepEqual(searchError({ g: { terms: { field: "active", missing: "maybe" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Can't parse boolean value [maybe], expected [true] or [false]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { terms: { field: "active", missing: "maybe" } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "Can't parse boolean value [maybe], expected [true] or [false]",
  });
});

test("error: range without ranges", () => {
  assert.deepEqual(searchError({ g: { range: { field: "price" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "No [ranges] specified for the [g] aggregation",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { range: { field: "price" } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "No [ranges] specified for the [g] aggregation",
  });
});

test("error: range empty ranges", () => {
  assert.deepEqual(searchError({ g: { range: { field: "price", ranges: [] } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "No [ranges] specified for the [g] aggregation",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { range: { field: "price", ranges: [] } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "No [ranges] specified for the [g] aggregation",
  });
});

test("error: range entry not an object", () => {
  assert.deepEqual(searchError({ g: { range: { field: "price", ranges: [5] } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[range] failed to parse field [ranges] in [g]: expected an array of objects but got [5]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { range: { field: "price", ranges: [5] } } }), {
    name: "AggregationError",
    type: "x_content_parse_exception",
    path: "g",
    message: "[range] failed to parse field [ranges] in [g]: expected an array of objects but got [5]",
  });
});

test("error: range unknown key", () => {
  assert.deepEqual(searchError({ g: { range: { field: "price", ranges: [{ gte: 5 }] } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[range] unknown field [gte]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { range: { field: "price", ranges: [{ gte: 5 }] } } }), {
    name: "AggregationError",
    type: "x_content_parse_exception",
    path: "g",
    message: "[range] unknown field [gte]",
  });
});

test("error: range bound not a number", () => {
  assert.deepEqual(searchError({ g: { range: { field: "price", ranges: [{ from: "abc" }] } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[range] failed to parse [ranges] value [abc] as a number",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { range: { field: "price", ranges: [{ from: "abc" }] } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "[range] failed to parse [ranges] value [abc] as a number",
  });
});

test("error: date_range unparsable date", () => {
  assert.deepEqual(searchError({ g: { date_range: { field: "ts", ranges: [{ from: "notadate" }] } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "failed to parse date field [notadate] with format [strict_date_optional_time||epoch_millis]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { date_range: { field: "ts", ranges: [{ from: "notadate" }] } } }), {
    name: "AggregationError",
    type: "parse_exception",
    path: "g",
    message: "failed to parse date field [notadate] with format [strict_date_optional_time||epoch_millis]",
  });
});

test("error: date_range bad date math", () => {
  assert.deepEqual(
    searchError({ g: { date_range: { field: "ts", ranges: [{ from: "2020-01-01||*2d" }] } } }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message: "operator not supported for date math [*2d]",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({ g: { date_range: { field: "ts", ranges: [{ from: "2020-01-01||*2d" }] } } }),
    {
      name: "AggregationError",
      type: "parse_exception",
      path: "g",
      message: "operator not supported for date math [*2d]",
    },
  );
});

test("error: date_range empty string", () => {
  assert.deepEqual(searchError({ g: { date_range: { field: "ts", ranges: [{ from: "" }] } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "failed to parse date field [] with format [strict_date_optional_time||epoch_millis]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { date_range: { field: "ts", ranges: [{ from: "" }] } } }), {
    name: "AggregationError",
    type: "parse_exception",
    path: "g",
    message: "failed to parse date field [] with format [strict_date_optional_time||epoch_millis]",
  });
});

test("error: histogram without interval", () => {
  assert.deepEqual(searchError({ g: { histogram: { field: "price" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[interval] must be >0 for histogram aggregation [g]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { histogram: { field: "price" } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "[interval] must be >0 for histogram aggregation [g]",
  });
});

test("error: histogram zero interval", () => {
  assert.deepEqual(searchError({ g: { histogram: { field: "price", interval: 0 } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[interval] must be >0 for histogram aggregation [g]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { histogram: { field: "price", interval: 0 } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "[interval] must be >0 for histogram aggregation [g]",
  });
});

test("error: histogram min_doc_count negative", () => {
  assert.deepEqual(searchError({ g: { histogram: { field: "price", interval: 5, min_doc_count: -2 } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[minDocCount] must be greater than or equal to 0. Found [-2] in [g]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { histogram: { field: "price", interval: 5, min_doc_count: -2 } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "[minDocCount] must be greater than or equal to 0. Found [-2] in [g]",
  });
});

test("error: date_range bad date math after now", () => {
  assert.deepEqual(searchError({ g: { date_range: { field: "ts", ranges: [{ from: "now+1x" }] } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "operator not supported for date math [+1x]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { date_range: { field: "ts", ranges: [{ from: "now+1x" }] } } }), {
    name: "AggregationError",
    type: "parse_exception",
    path: "g",
    message: "operator not supported for date math [+1x]",
  });
});

test("error: histogram extended_bounds min > max", () => {
  assert.deepEqual(
    searchError({ g: { histogram: { field: "price", interval: 5, extended_bounds: { min: 10, max: 0 } } } }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message:
        "[extended_bounds.min][10] cannot be greater than [extended_bounds.max][0] for histogram aggregation [g]",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({ g: { histogram: { field: "price", interval: 5, extended_bounds: { min: 10, max: 0 } } } }),
    {
      name: "AggregationError",
      type: "illegal_argument_exception",
      path: "g",
      message:
        "[extended_bounds.min][10] cannot be greater than [extended_bounds.max][0] for histogram aggregation [g]",
    },
  );
});

test("error: histogram hard_bounds min > max", () => {
  assert.deepEqual(
    searchError({ g: { histogram: { field: "price", interval: 5, hard_bounds: { min: 10, max: 0 } } } }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message:
        "[hard_bounds.min][10] cannot be greater than [hard_bounds.max][0] for histogram aggregation [g]",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({ g: { histogram: { field: "price", interval: 5, hard_bounds: { min: 10, max: 0 } } } }),
    {
      name: "AggregationError",
      type: "illegal_argument_exception",
      path: "g",
      message:
        "[hard_bounds.min][10] cannot be greater than [hard_bounds.max][0] for histogram aggregation [g]",
    },
  );
});

test("error: histogram bounds not an object", () => {
  assert.deepEqual(searchError({ g: { histogram: { field: "price", interval: 5, extended_bounds: 3 } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[histogram] failed to parse field [extended_bounds] in [g]: expected an object but got 3",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { histogram: { field: "price", interval: 5, extended_bounds: 3 } } }), {
    name: "AggregationError",
    type: "x_content_parse_exception",
    path: "g",
    message: "[histogram] failed to parse field [extended_bounds] in [g]: expected an object but got 3",
  });
});

test("error: histogram unknown date param", () => {
  assert.deepEqual(
    searchError({ g: { histogram: { field: "price", interval: 5, calendar_interval: "day" } } }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message: "[histogram] unknown field [calendar_interval]",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({ g: { histogram: { field: "price", interval: 5, calendar_interval: "day" } } }),
    {
      name: "AggregationError",
      type: "x_content_parse_exception",
      path: "g",
      message: "[histogram] unknown field [calendar_interval]",
    },
  );
});

test("error: too many buckets", () => {
  assert.deepEqual(
    searchError(
      { g: { histogram: { field: "price", interval: 0.001 } } },
      { range: { price: { lt: 1000 } } },
    ),
    {
      status: 400,
      type: "illegal_argument_exception",
      message:
        "Trying to create too many buckets. Must be less than or equal to: [65535] but was [65536]. This limit can be set by changing the [search.max_buckets] cluster level setting.",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(directError({ g: { histogram: { field: "price", interval: 0.001 } } }), {
    name: "AggregationError",
    type: "too_many_buckets_exception",
    path: "g",
    message:
      "Trying to create too many buckets. Must be less than or equal to: [65535] but was [65536]. This limit can be set by changing the [search.max_buckets] cluster level setting.",
  });
});

test("error: date_histogram calendar and fixed", () => {
  assert.deepEqual(
    searchError({ g: { date_histogram: { field: "ts", calendar_interval: "day", fixed_interval: "1d" } } }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message: "Cannot use [fixed_interval] with [calendar_interval] configuration option.",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({ g: { date_histogram: { field: "ts", calendar_interval: "day", fixed_interval: "1d" } } }),
    {
      name: "AggregationError",
      type: "illegal_argument_exception",
      path: "g",
      message: "Cannot use [fixed_interval] with [calendar_interval] configuration option.",
    },
  );
});

test("error: date_histogram legacy and calendar", () => {
  assert.deepEqual(
    searchError({ g: { date_histogram: { field: "ts", calendar_interval: "day", interval: "1d" } } }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message: "Cannot use [interval] with [fixed_interval] or [calendar_interval] configuration options.",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({ g: { date_histogram: { field: "ts", calendar_interval: "day", interval: "1d" } } }),
    {
      name: "AggregationError",
      type: "illegal_argument_exception",
      path: "g",
      message: "Cannot use [interval] with [fixed_interval] or [calendar_interval] configuration options.",
    },
  );
});

test("error: date_histogram bad calendar interval", () => {
  assert.deepEqual(searchError({ g: { date_histogram: { field: "ts", calendar_interval: "2M" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "The supplied interval [2M] could not be parsed as a calendar interval.",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { date_histogram: { field: "ts", calendar_interval: "2M" } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "The supplied interval [2M] could not be parsed as a calendar interval.",
  });
});

test("error: date_histogram bad fixed interval", () => {
  assert.deepEqual(searchError({ g: { date_histogram: { field: "ts", fixed_interval: "1x" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message:
      "failed to parse setting [date_histogram.fixedInterval] with value [1x] as a time value: unit is missing or unrecognized",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { date_histogram: { field: "ts", fixed_interval: "1x" } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message:
      "failed to parse setting [date_histogram.fixedInterval] with value [1x] as a time value: unit is missing or unrecognized",
  });
});

test("error: date_histogram zero fixed interval", () => {
  assert.deepEqual(searchError({ g: { date_histogram: { field: "ts", fixed_interval: "0s" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Zero or negative time interval [0s] not supported",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { date_histogram: { field: "ts", fixed_interval: "0s" } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "Zero or negative time interval [0s] not supported",
  });
});

test("error: date_histogram bad legacy interval", () => {
  assert.deepEqual(searchError({ g: { date_histogram: { field: "ts", interval: "1y2" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message:
      "failed to parse setting [date_histogram.interval] with value [1y2] as a time value: unit is missing or unrecognized",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { date_histogram: { field: "ts", interval: "1y2" } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message:
      "failed to parse setting [date_histogram.interval] with value [1y2] as a time value: unit is missing or unrecognized",
  });
});

test("error: date_histogram no interval", () => {
  assert.deepEqual(searchError({ g: { date_histogram: { field: "ts" } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Invalid interval specified, must be non-null and non-empty",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { date_histogram: { field: "ts" } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "Invalid interval specified, must be non-null and non-empty",
  });
});

test("error: date_histogram bad offset", () => {
  assert.deepEqual(
    searchError({ g: { date_histogram: { field: "ts", calendar_interval: "day", offset: "1 hour" } } }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message:
        "failed to parse setting [date_histogram.offset] with value [1 hour] as a time value: unit is missing or unrecognized",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({ g: { date_histogram: { field: "ts", calendar_interval: "day", offset: "1 hour" } } }),
    {
      name: "AggregationError",
      type: "illegal_argument_exception",
      path: "g",
      message:
        "failed to parse setting [date_histogram.offset] with value [1 hour] as a time value: unit is missing or unrecognized",
    },
  );
});

test("error: unknown time zone", () => {
  assert.deepEqual(
    searchError({
      g: { date_histogram: { field: "ts", calendar_interval: "day", time_zone: "Mars/Phobos" } },
    }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message: "Unknown time-zone ID: Mars/Phobos",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({
      g: { date_histogram: { field: "ts", calendar_interval: "day", time_zone: "Mars/Phobos" } },
    }),
    {
      name: "AggregationError",
      type: "illegal_argument_exception",
      path: "g",
      message: "Unknown time-zone ID: Mars/Phobos",
    },
  );
});

test("error: time zone offset out of range", () => {
  assert.deepEqual(
    searchError({ g: { date_histogram: { field: "ts", calendar_interval: "day", time_zone: "+19:00" } } }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message: "Zone offset not in valid range: -18:00 to +18:00",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({ g: { date_histogram: { field: "ts", calendar_interval: "day", time_zone: "+19:00" } } }),
    {
      name: "AggregationError",
      type: "illegal_argument_exception",
      path: "g",
      message: "Zone offset not in valid range: -18:00 to +18:00",
    },
  );
});

test("error: time zone not a string", () => {
  assert.deepEqual(
    searchError({ g: { date_histogram: { field: "ts", calendar_interval: "day", time_zone: 5 } } }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message: "[date_histogram] failed to parse field [time_zone] in [g]: expected a time zone id but got 5",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({ g: { date_histogram: { field: "ts", calendar_interval: "day", time_zone: 5 } } }),
    {
      name: "AggregationError",
      type: "x_content_parse_exception",
      path: "g",
      message: "[date_histogram] failed to parse field [time_zone] in [g]: expected a time zone id but got 5",
    },
  );
});

test("error: bad date format letter", () => {
  assert.deepEqual(
    searchError({ g: { date_histogram: { field: "ts", calendar_interval: "day", format: "yyyy-bb" } } }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message: "Invalid format: [yyyy-bb]: Unknown pattern letter: b",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({ g: { date_histogram: { field: "ts", calendar_interval: "day", format: "yyyy-bb" } } }),
    {
      name: "AggregationError",
      type: "illegal_argument_exception",
      path: "g",
      message: "Invalid format: [yyyy-bb]: Unknown pattern letter: b",
    },
  );
});

test("error: empty date format", () => {
  assert.deepEqual(
    searchError({ g: { date_histogram: { field: "ts", calendar_interval: "day", format: "||" } } }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message: "Invalid format: [||]",
      extra: { aggregation: "g" },
    },
  );
  assert.deepEqual(
    directError({ g: { date_histogram: { field: "ts", calendar_interval: "day", format: "||" } } }),
    {
      name: "AggregationError",
      type: "illegal_argument_exception",
      path: "g",
      message: "Invalid format: [||]",
    },
  );
});

test("error: negative sigma", () => {
  assert.deepEqual(searchError({ g: { extended_stats: { field: "price", sigma: -1 } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[sigma] must be greater than or equal to 0. Found [-1] in [g]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { extended_stats: { field: "price", sigma: -1 } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "[sigma] must be greater than or equal to 0. Found [-1] in [g]",
  });
});

test("error: top_hits window too large", () => {
  assert.deepEqual(searchError({ g: { top_hits: { from: 90, size: 20 } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message:
      "Top hits result window is too large, the top hits aggregator [g]'s from + size must be less than or equal to: [100] but was [110]. This limit can be set by changing the [index.max_inner_result_window] index level setting.",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { top_hits: { from: 90, size: 20 } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message:
      "Top hits result window is too large, the top hits aggregator [g]'s from + size must be less than or equal to: [100] but was [110]. This limit can be set by changing the [index.max_inner_result_window] index level setting.",
  });
});

test("error: top_hits negative size", () => {
  assert.deepEqual(searchError({ g: { top_hits: { size: -1 } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[size] parameter cannot be negative but was [-1]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { top_hits: { size: -1 } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "[size] parameter cannot be negative but was [-1]",
  });
});

test("error: top_hits negative from", () => {
  assert.deepEqual(searchError({ g: { top_hits: { from: -1 } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[from] parameter cannot be negative but was [-1]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { top_hits: { from: -1 } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "[from] parameter cannot be negative but was [-1]",
  });
});

test("error: top_hits sort on unmapped field", () => {
  assert.deepEqual(searchError({ g: { top_hits: { sort: ["nope"] } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "No mapping found for [nope] in order to sort on",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { top_hits: { sort: ["nope"] } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message: "No mapping found for [nope] in order to sort on",
  });
});

test("error: top_hits sort on text field", () => {
  assert.deepEqual(searchError({ g: { top_hits: { sort: ["title"] } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message:
      "Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [title] in order to load field data by uninverting the inverted index. Note that this can use significant memory.",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { top_hits: { sort: ["title"] } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "g",
    message:
      "Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [title] in order to load field data by uninverting the inverted index. Note that this can use significant memory.",
  });
});

test("error: top_hits bad sort order", () => {
  assert.deepEqual(searchError({ g: { top_hits: { sort: [{ price: "sideways" }] } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Unknown sort order [sideways]",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { top_hits: { sort: [{ price: "sideways" }] } } }), {
    name: "AggregationError",
    type: "parsing_exception",
    path: "g",
    message: "Unknown sort order [sideways]",
  });
});

test("error: top_hits sort item invalid", () => {
  assert.deepEqual(searchError({ g: { top_hits: { sort: [{ price: 1 }] } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message:
      '[top_hits] failed to parse field [sort] in [g]: expected a sort order or options object but got {"price":1}',
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { top_hits: { sort: [{ price: 1 }] } } }), {
    name: "AggregationError",
    type: "x_content_parse_exception",
    path: "g",
    message:
      '[top_hits] failed to parse field [sort] in [g]: expected a sort order or options object but got {"price":1}',
  });
});

test("error: top_hits sort item with two fields", () => {
  assert.deepEqual(searchError({ g: { top_hits: { sort: [{ price: "asc", qty: "asc" }] } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message:
      '[top_hits] failed to parse field [sort] in [g]: expected a field name or an object with one field but got {"price":"asc","qty":"asc"}',
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { top_hits: { sort: [{ price: "asc", qty: "asc" }] } } }), {
    name: "AggregationError",
    type: "x_content_parse_exception",
    path: "g",
    message:
      '[top_hits] failed to parse field [sort] in [g]: expected a field name or an object with one field but got {"price":"asc","qty":"asc"}',
  });
});

test("error: top_hits unknown param", () => {
  assert.deepEqual(searchError({ g: { top_hits: { sizes: 1 } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "[top_hits] unknown field [sizes] did you mean [size]?",
    extra: { aggregation: "g" },
  });
  assert.deepEqual(directError({ g: { top_hits: { sizes: 1 } } }), {
    name: "AggregationError",
    type: "x_content_parse_exception",
    path: "g",
    message: "[top_hits] unknown field [sizes] did you mean [size]?",
  });
});

test("error: filter not supported by the engine", () => {
  assert.deepEqual(searchError({ g: { filter: { term: { genre: "rock" } } } }), {
    status: 400,
    type: "illegal_argument_exception",
    message: "Aggregation type [filter] is not supported by this engine",
    extra: { aggregation: "g" },
  });
});

test("error: error path of a nested aggregation", () => {
  assert.deepEqual(
    searchError({ g: { terms: { field: "genre" }, aggs: { h: { histogram: { field: "qty" } } } } }),
    {
      status: 400,
      type: "illegal_argument_exception",
      message: "[interval] must be >0 for histogram aggregation [h]",
      extra: { aggregation: "g.h" },
    },
  );
  assert.deepEqual(
    directError({ g: { terms: { field: "genre" }, aggs: { h: { histogram: { field: "qty" } } } } }),
    {
      name: "AggregationError",
      type: "illegal_argument_exception",
      path: "g.h",
      message: "[interval] must be >0 for histogram aggregation [h]",
    },
  );
});

test("direct: filter: single bucket with sub-aggregations", () => {
  assert.deepEqual(
    direct({
      f: {
        filter: { term: { genre: "rock" } },
        aggs: { a: { avg: { field: "price" } }, t: { terms: { field: "tag" } } },
      },
    }),
    {
      f: {
        doc_count: 3,
        a: { value: 10.166666666666666 },
        t: {
          doc_count_error_upper_bound: 0,
          sum_other_doc_count: 0,
          buckets: [
            { key: "b", doc_count: 2 },
            { key: "a", doc_count: 1 },
          ],
        },
      },
    },
  );
});

test("direct: filters: keyed, anonymous, other bucket", () => {
  assert.deepEqual(
    direct({
      k: {
        filters: {
          filters: {
            rocks: { term: { genre: "rock" } },
            jazz: { term: { genre: "jazz" } },
            all: { match_all: {} },
          },
        },
      },
      a: {
        filters: {
          filters: [{ term: { genre: "pop" } }, { exists: { field: "rating" } }],
          other_bucket: true,
        },
        aggs: { c: { value_count: { field: "name" } } },
      },
      o: { meta: { m: true }, filters: { filters: { x: { term: { tag: "a" } } }, other_bucket_key: "rest" } },
    }),
    {
      k: { buckets: { all: { doc_count: 12 }, jazz: { doc_count: 2 }, rocks: { doc_count: 3 } } },
      a: {
        buckets: [
          { doc_count: 2, c: { value: 2 } },
          { doc_count: 6, c: { value: 5 } },
          { doc_count: 4, c: { value: 4 } },
        ],
      },
      o: { meta: { m: true }, buckets: { x: { doc_count: 3 }, rest: { doc_count: 9 } } },
    },
  );
});

test("direct: terms ordered by filter paths", () => {
  assert.deepEqual(
    direct({
      g: {
        terms: { field: "genre", order: [{ "f>a": "desc" }, { "f._count": "asc" }] },
        aggs: { f: { filter: { exists: { field: "rating" } }, aggs: { a: { avg: { field: "qty" } } } } },
      },
      h: {
        terms: { field: "genre", order: { "f[doc_count]": "desc" } },
        aggs: { f: { filter: { term: { active: true } } } },
      },
    }),
    {
      g: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "rock", doc_count: 3, f: { doc_count: 2, a: { value: 4 } } },
          { key: "blues", doc_count: 1, f: { doc_count: 1, a: { value: 3 } } },
          { key: "jazz", doc_count: 2, f: { doc_count: 2, a: { value: 1.5 } } },
          { key: "Rock", doc_count: 1, f: { doc_count: 1, a: { value: -4 } } },
          { key: "classical", doc_count: 1, f: { doc_count: 0, a: { value: null } } },
          { key: "pop", doc_count: 2, f: { doc_count: 0, a: { value: null } } },
          { key: "ünïcode", doc_count: 1, f: { doc_count: 0, a: { value: null } } },
        ],
      },
      h: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "Rock", doc_count: 1, f: { doc_count: 1 } },
          { key: "jazz", doc_count: 2, f: { doc_count: 1 } },
          { key: "pop", doc_count: 2, f: { doc_count: 1 } },
          { key: "rock", doc_count: 3, f: { doc_count: 1 } },
          { key: "blues", doc_count: 1, f: { doc_count: 0 } },
          { key: "classical", doc_count: 1, f: { doc_count: 0 } },
          { key: "ünïcode", doc_count: 1, f: { doc_count: 0 } },
        ],
      },
    },
  );
});

test("direct: top_hits: callee returning a bare list", () => {
  assert.deepEqual(
    direct({ t: { top_hits: { size: 2, from: 1 } }, s: { top_hits: { sort: [{ name: "desc" }], size: 2 } } }),
    {
      t: {
        hits: {
          total: { value: 12, relation: "eq" },
          max_score: 0.75,
          hits: [
            { _id: "8", _score: 0.75 },
            { _id: "12", _score: 0.75 },
          ],
        },
      },
      s: {
        hits: {
          total: { value: 12, relation: "eq" },
          max_score: null,
          hits: [
            { _id: "12", _score: null },
            { _id: "11", _score: null },
          ],
        },
      },
    },
  );
});

test("direct: stub: terms, histogram, date_histogram with mapping format", () => {
  assert.deepEqual(
    direct({
      g: { terms: { field: "genre", size: 3 } },
      h: { histogram: { field: "rating", interval: 2 } },
      d: { date_histogram: { field: "day", calendar_interval: "month", min_doc_count: 1 } },
    }),
    {
      g: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 4,
        buckets: [
          { key: "rock", doc_count: 3 },
          { key: "jazz", doc_count: 2 },
          { key: "pop", doc_count: 2 },
        ],
      },
      h: {
        buckets: [
          { key: 0, doc_count: 1 },
          { key: 2, doc_count: 2 },
          { key: 4, doc_count: 3 },
        ],
      },
      d: {
        buckets: [
          { key_as_string: "2020-01-01", key: 1577836800000, doc_count: 2 },
          { key_as_string: "2020-02-01", key: 1580515200000, doc_count: 1 },
          { key_as_string: "2020-03-01", key: 1583020800000, doc_count: 2 },
          { key_as_string: "2020-05-01", key: 1588291200000, doc_count: 1 },
          { key_as_string: "2021-01-01", key: 1609459200000, doc_count: 1 },
        ],
      },
    },
  );
});

test("direct error: aggregations not an object", () => {
  assert.deepEqual(directError([1]), {
    name: "AggregationError",
    type: "parsing_exception",
    path: "",
    message: "Expected [START_OBJECT] under [aggregations], but got a [START_ARRAY]",
  });
});

test("direct error: filters: unknown parameter", () => {
  assert.deepEqual(directError({ f: { filters: { filter: {} } } }), {
    name: "AggregationError",
    type: "x_content_parse_exception",
    path: "f",
    message: "[filters] unknown field [filter] did you mean [filters]?",
  });
});

test("direct error: filters: filters missing", () => {
  assert.deepEqual(directError({ f: { filters: { other_bucket: true } } }), {
    name: "AggregationError",
    type: "illegal_argument_exception",
    path: "f",
    message: "[filters] requires a [filters] object or array in [f]",
  });
});

test("javaDouble: Java's Double.toString", () => {
  assert.deepEqual(
    [
      0,
      -0,
      1,
      -1.5,
      0.001,
      0.0001,
      10000000,
      9999999.99,
      123456.789,
      -2.5e-10,
      1e21,
      5e-324,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ].map(javaDouble),
    [
      "0.0",
      "-0.0",
      "1.0",
      "-1.5",
      "0.001",
      "1.0E-4",
      "1.0E7",
      "9999999.99",
      "123456.789",
      "-2.5E-10",
      "1.0E21",
      "5.0E-324",
      "NaN",
      "Infinity",
      "-Infinity",
    ],
  );
});

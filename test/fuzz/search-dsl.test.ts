/**
 * Fuzzing the query DSL of `_search`, `_count`, `_msearch` and `_validate`-like reads: arbitrarily
 * nested bool/dis_max/constant_score/function_score/boosting over match, term, range, wildcard,
 * regexp, query_string, knn, neural and hybrid, with aggregations, sorts and paging — plus the
 * malformed bodies of every body endpoint (folded in from the former search-fuzz test). Every
 * answer is 2xx or an Elasticsearch-shaped 4xx within the time bound; the data stays intact.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { startTestPlatform } from "../helpers/platform.ts";
import {
  assertHealthy,
  assertSearchAnswer,
  FUZZ_SEED,
  type FuzzRequest,
  fuzz,
  junk,
  mostly,
  send,
} from "./harness.ts";

const QUERY_RUNS = 3200;
const MALFORMED_RUNS = 1000;

type Running = Awaited<ReturnType<typeof startTestPlatform>>;
let running: Running;

const FIELDS = ["title", "tag", "year", "price", "date", "emb", "body", "missing", "title.raw"];
const TEXTS = [
  "alpha",
  "beta gamma",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "",
  "é ü 中文",
  "x".repeat(2000),
];

// ---- leaves ----
const field = fc.constantFrom(...FIELDS);
const text = fc.oneof(fc.constantFrom(...TEXTS), fc.string({ maxLength: 20 }));
const scalar = fc.oneof(text, fc.integer({ min: -5, max: 3000 }), fc.double({ noNaN: true }), fc.boolean());
/** Patterns built from regex metacharacters: the catastrophic-backtracking shapes come up often. */
const pattern = fc.oneof(
  fc.string({
    unit: fc.constantFrom(
      "a",
      "b",
      "*",
      "?",
      ".",
      "+",
      "|",
      "(",
      ")",
      "[",
      "]",
      "{",
      "}",
      "@",
      "~",
      "\\",
      "1",
      "<",
      ">",
      "-",
      "#",
      "^",
      "$",
    ),
    maxLength: 40,
  }),
  fc.constantFrom(
    "(a+)+b",
    "(a|a)*b",
    "(a*)*b",
    "(.*a){20}",
    "*a*a*a*a*a*a*a*a*a*a*a*a*b",
    "a{1,1000}{1,1000}",
    "x".repeat(1200),
  ),
);
const vector = fc.oneof(
  fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 4, maxLength: 4 }),
  fc.array(fc.double(), { maxLength: 6 }),
  junk,
);
const fieldQuery = (inner: fc.Arbitrary<unknown>) => fc.tuple(field, inner).map(([f, v]) => ({ [f]: v }));
const num = fc.oneof(fc.integer({ min: -10, max: 20000 }), junk);

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant({ match_all: {} }),
  fc.record({
    match: fieldQuery(
      mostly(
        fc.oneof(
          text,
          fc.record(
            {
              query: text,
              operator: mostly(fc.constantFrom("and", "or")),
              fuzziness: mostly(fc.constantFrom("AUTO", 0, 1, 2)),
              minimum_should_match: mostly(fc.constantFrom("1", "50%", -1, "3<90%")),
            },
            { requiredKeys: ["query"] },
          ),
        ),
      ),
    ),
  }),
  fc.record({ match_phrase: fieldQuery(mostly(fc.oneof(text, fc.record({ query: text, slop: num })))) }),
  fc.record({
    multi_match: fc.record(
      {
        query: mostly(text),
        fields: mostly(fc.array(fc.oneof(field, fc.constantFrom("title^2", "*", "t*")), { maxLength: 4 })),
        type: mostly(
          fc.constantFrom(
            "best_fields",
            "most_fields",
            "cross_fields",
            "phrase",
            "phrase_prefix",
            "bool_prefix",
          ),
        ),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({ term: fieldQuery(mostly(scalar)) }),
  fc.record({ terms: fieldQuery(mostly(fc.array(scalar, { maxLength: 5 }))) }),
  fc.record({
    range: fieldQuery(
      mostly(
        fc.record(
          {
            gte: mostly(scalar),
            lt: mostly(scalar),
            format: mostly(fc.constantFrom("yyyy", "epoch_millis", "strict_date")),
          },
          { requiredKeys: [] },
        ),
      ),
    ),
  }),
  fc.record({
    wildcard: fieldQuery(
      mostly(fc.oneof(pattern, fc.record({ value: pattern, case_insensitive: fc.boolean() }))),
    ),
  }),
  fc.record({
    regexp: fieldQuery(
      mostly(fc.oneof(pattern, fc.record({ value: pattern, flags: mostly(fc.constantFrom("ALL", "NONE")) }))),
    ),
  }),
  fc.record({ prefix: fieldQuery(mostly(fc.oneof(text, pattern))) }),
  fc.record({
    fuzzy: fieldQuery(
      mostly(
        fc.oneof(
          text,
          fc.record({
            value: text,
            fuzziness: mostly(fc.constantFrom("AUTO", 0, 1, 2, 5)),
            max_expansions: num,
          }),
        ),
      ),
    ),
  }),
  fc.record({ exists: mostly(fc.record({ field })) }),
  fc.record({ ids: mostly(fc.record({ values: fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }) })) }),
  fc.record({
    query_string: mostly(
      fc.record(
        {
          query: fc.oneof(
            text,
            pattern,
            fc.constantFrom(
              "title:(a OR b) AND NOT c",
              "((((((x))))))",
              "(".repeat(300),
              'a~3 b^2 "c d"~2 /a+/ [1 TO 5]',
              "year:>2000",
            ),
          ),
          default_field: mostly(field),
        },
        { requiredKeys: ["query"] },
      ),
    ),
  }),
  fc.record({
    simple_query_string: mostly(
      fc.record(
        { query: fc.oneof(text, pattern), fields: fc.array(field, { maxLength: 3 }) },
        { requiredKeys: ["query"] },
      ),
    ),
  }),
  fc.record({
    knn: fieldQuery(
      mostly(
        fc.record(
          { vector, k: num, filter: fc.constant({ term: { tag: "a" } }) },
          { requiredKeys: ["vector"] },
        ),
      ),
    ),
  }),
  fc.record({
    neural: fieldQuery(
      mostly(
        fc.record(
          { query_text: text, model_id: fc.constantFrom("ep-missing", "", "m-x"), k: num },
          { requiredKeys: [] },
        ),
      ),
    ),
  }),
  fc.record({ [`nope_${0}`]: junk }),
);

/** Compound queries nest leaves and each other to a bounded, sometimes deep, depth. */
const { query } = fc.letrec<{ query: unknown; clauses: unknown }>((tie) => ({
  query: fc.oneof(
    { maxDepth: 4, depthIdentifier: "q" },
    leaf,
    fc.record({
      bool: fc.record(
        {
          must: tie("clauses"),
          should: tie("clauses"),
          filter: tie("clauses"),
          must_not: tie("clauses"),
          minimum_should_match: mostly(fc.constantFrom(1, "2", "75%", -1)),
          boost: mostly(fc.double({ min: 0, max: 10, noNaN: true })),
        },
        { requiredKeys: [] },
      ),
    }),
    fc.record({
      dis_max: fc.record(
        {
          queries: fc.array(tie("query"), { maxLength: 3 }),
          tie_breaker: mostly(fc.double({ min: 0, max: 1, noNaN: true })),
        },
        { requiredKeys: ["queries"] },
      ),
    }),
    fc.record({
      constant_score: fc.record(
        { filter: tie("query"), boost: mostly(fc.integer({ min: 0, max: 5 })) },
        { requiredKeys: ["filter"] },
      ),
    }),
    fc.record({
      boosting: fc.record(
        {
          positive: tie("query"),
          negative: tie("query"),
          negative_boost: mostly(fc.double({ min: 0, max: 1, noNaN: true })),
        },
        { requiredKeys: [] },
      ),
    }),
    fc.record({
      function_score: fc.record(
        {
          query: tie("query"),
          functions: mostly(
            fc.array(
              fc.oneof(
                fc.record({ weight: mostly(fc.integer({ min: 0, max: 5 })) }),
                fc.record({
                  field_value_factor: fc.record(
                    {
                      field,
                      modifier: mostly(fc.constantFrom("log1p", "sqrt", "none")),
                      missing: mostly(fc.integer()),
                    },
                    { requiredKeys: [] },
                  ),
                }),
                fc.record({ random_score: fc.constant({}) }),
                fc.record({
                  script_score: fc.record({
                    script: fc.record({
                      source: fc.constantFrom(
                        "_score * 2",
                        "doc['year'].value",
                        "Math.log(2 + doc['price'].value)",
                        "while(true){}",
                        "",
                      ),
                    }),
                  }),
                }),
              ),
              { maxLength: 3 },
            ),
          ),
          boost_mode: mostly(fc.constantFrom("multiply", "sum", "replace")),
        },
        { requiredKeys: [] },
      ),
    }),
  ),
  clauses: fc.oneof(tie("query"), fc.array(tie("query"), { maxLength: 3 }), junk),
}));

// ---- aggregations, sorts, paging ----
const { aggs } = fc.letrec<{ aggs: unknown; agg: unknown }>((tie) => ({
  aggs: fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), tie("agg"), { maxKeys: 3, depthIdentifier: "a" }),
  agg: fc.oneof(
    { maxDepth: 3, depthIdentifier: "a" },
    fc.record({ terms: mostly(fc.record({ field, size: num }, { requiredKeys: [] })) }),
    fc.record({ [`${"avg"}`]: mostly(fc.record({ field })) }),
    fc.record({ max: mostly(fc.record({ field })) }),
    fc.record({ cardinality: mostly(fc.record({ field })) }),
    fc.record({ histogram: mostly(fc.record({ field, interval: num }, { requiredKeys: [] })) }),
    fc.record({
      date_histogram: mostly(
        fc.record(
          {
            field,
            calendar_interval: mostly(fc.constantFrom("day", "1M", "year", "1q")),
            fixed_interval: mostly(fc.constantFrom("1ms", "1s", "30d")),
          },
          { requiredKeys: [] },
        ),
      ),
    }),
    fc.record({
      range: mostly(
        fc.record(
          {
            field,
            ranges: mostly(
              fc.array(
                fc.record({ from: mostly(fc.integer()), to: mostly(fc.integer()) }, { requiredKeys: [] }),
                { maxLength: 3 },
              ),
            ),
          },
          { requiredKeys: [] },
        ),
      ),
    }),
    fc.record({ top_hits: mostly(fc.record({ size: num }, { requiredKeys: [] })) }),
    fc.record({ filter: query }),
    fc.record({ terms: fc.record({ field }), aggs: tie("aggs") }),
    fc.record({
      percentiles: mostly(
        fc.record({ field, percents: mostly(fc.array(fc.double(), { maxLength: 3 })) }, { requiredKeys: [] }),
      ),
    }),
    fc.record({ unknown_agg: junk }),
  ),
}));
const sort = mostly(
  fc.array(
    fc.oneof(
      field,
      fc.constantFrom("_score", "_doc"),
      fc
        .tuple(
          field,
          fc.record(
            {
              order: mostly(fc.constantFrom("asc", "desc")),
              missing: mostly(fc.constantFrom("_last", "_first")),
            },
            { requiredKeys: [] },
          ),
        )
        .map(([f, o]) => ({ [f]: o })),
    ),
    { maxLength: 3 },
  ),
);
const searchBody = fc.record(
  {
    query,
    aggs,
    sort,
    size: fc.oneof(fc.integer({ min: 0, max: 20 }), num),
    from: fc.oneof(fc.integer({ min: 0, max: 20 }), num),
    _source: mostly(fc.oneof(fc.boolean(), fc.array(field, { maxLength: 2 }))),
    track_total_hits: mostly(fc.oneof(fc.boolean(), fc.integer({ min: 0, max: 100 }))),
    min_score: mostly(fc.double({ min: 0, max: 5, noNaN: true })),
    highlight: mostly(fc.record({ fields: fc.dictionary(field, fc.constant({}), { maxKeys: 2 }) })),
    timeout: mostly(fc.constantFrom("1s", "10ms", "nope")),
    knn: mostly(
      fc.record({ field, query_vector: vector, k: num, num_candidates: num }, { requiredKeys: [] }),
      1,
    ),
  },
  { requiredKeys: [] },
);
const hybridBody = fc.record({
  query: fc.record({ hybrid: fc.record({ queries: fc.array(query, { maxLength: 3 }) }) }),
  size: fc.integer({ min: 0, max: 10 }),
});

/** Multi-term queries with hostile patterns on the fields that hold long runs of one letter. */
const hostilePattern = fc
  .tuple(
    fc.constantFrom("body", "tag", "title", "title.raw"),
    pattern,
    fc.boolean(),
    fc.constantFrom("regexp", "wildcard", "query_string"),
  )
  .map(([f, p, ci, kind]) => ({
    method: "POST",
    path: "/fz/_search",
    body: {
      query:
        kind === "query_string"
          ? { query_string: { query: `/${p}/`, default_field: f } }
          : { [kind]: { [f]: { value: p, case_insensitive: ci } } },
    },
  }));

const searchRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { arbitrary: hostilePattern, weight: 1 },
  {
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          "/fz/_search",
          "/_search",
          "/fz,fz2/_search",
          "/nosuch/_search",
          "/fz/_search?search_pipeline=nope",
          "/fz/_search?size=5&from=2&q=title:alpha",
        ),
        searchBody,
      )
      .map(([path, body]) => ({ method: "POST", path, body })),
    weight: 8,
  },
  { arbitrary: hybridBody.map((body) => ({ method: "POST", path: "/fz/_search", body })), weight: 1 },
  { arbitrary: query.map((q) => ({ method: "POST", path: "/fz/_count", body: { query: q } })), weight: 1 },
  {
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom({ index: "fz" }, {}, { index: "nosuch" }), searchBody), {
        minLength: 1,
        maxLength: 3,
      })
      .map((pairs) => ({
        method: "POST",
        path: "/_msearch",
        contentType: "application/x-ndjson",
        raw: `${pairs.map(([h, b]) => `${JSON.stringify(h)}\n${JSON.stringify(b)}`).join("\n")}\n`,
      })),
    weight: 1,
  },
);

// ---- malformed bodies (each invalid by construction) ----
const validSearch = JSON.stringify({ query: { match: { title: "alpha beta" } }, size: 5 });
const malformed: fc.Arbitrary<FuzzRequest> = fc.oneof(
  // nesting deep enough to exhaust a recursive compiler: refused before parsing
  fc
    .tuple(
      fc.integer({ min: 90, max: 4000 }),
      fc.constantFrom("/fz/_search", "/fz/_count", "/_msearch", "/_bulk"),
    )
    .map(([n, path]) => {
      const deep = `${'{"bool":{"must":['.repeat(n)}{"match_all":{}}${"]}}".repeat(n)}`;
      if (path === "/_msearch")
        return { method: "POST", path, contentType: "application/x-ndjson", raw: `{}\n{"query":${deep}}\n` };
      if (path === "/_bulk")
        return {
          method: "POST",
          path: "/_bulk?refresh=true",
          contentType: "application/x-ndjson",
          raw: `{"index":{"_index":"fz"}}\n{"a":${deep}}\n`,
        };
      return { method: "POST", path, raw: `{"query":${deep}}` };
    }),
  fc
    .tuple(
      fc.constantFrom("POST", "PUT"),
      fc.constantFrom("/fz/_search", "/fz/_doc/1", "/fz/_mapping", "/fz/_settings", "/fz-new"),
      fc.integer({ min: 1, max: validSearch.length - 2 }),
    )
    .map(([method, path, cut]) => ({ method, path, raw: validSearch.slice(0, cut) })),
  fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), junk).map(([type, body]) => ({
    method: "POST",
    path: "/fz/_search",
    body: { query: { [`nope_${type}`]: body } },
  })),
  fc
    .tuple(
      fc.constantFrom(
        "match",
        "term",
        "terms",
        "range",
        "bool",
        "multi_match",
        "match_phrase",
        "prefix",
        "wildcard",
        "regexp",
        "fuzzy",
        "exists",
        "ids",
        "query_string",
        "function_score",
        "dis_max",
        "constant_score",
      ),
      fc.constantFrom(1, "s", [], null, true),
    )
    .map(([type, body]) => ({ method: "POST", path: "/fz/_search", body: { query: { [type]: body } } })),
  fc
    .constantFrom<unknown>(
      { size: -1 },
      { from: "x" },
      { size: 20000 },
      { from: 9999, size: 2 },
      { unknown_key: 1 },
      { sort: [{ title: "sideways" }] },
      { track_total_hits: "maybe" },
    )
    .map((body) => ({ method: "POST", path: "/fz/_search", body })),
  fc
    .constantFrom('{"index":', '{"explode":{}}', "[1,2]", '"index"', '{"index":{},"delete":{}}')
    .map((line) => ({
      method: "POST",
      path: "/_bulk",
      contentType: "application/x-ndjson",
      raw: `${line}\n{"a":1}\n`,
    })),
  fc
    .constantFrom('{"index":{"_index":"fz"}}\n{"a":1}', "", "\n\n")
    .map((raw) => ({ method: "POST", path: "/_bulk", contentType: "application/x-ndjson", raw })),
  fc
    .tuple(
      fc.integer({ min: 0, max: 999 }),
      fc.constantFrom<unknown>(
        { type: "nonsense" },
        { type: "text", analyzer: "missing_analyzer" },
        { type: "keyword", ignore_above: "big" },
        { type: "text", bogus: 1 },
        "text",
        { type: "knn_vector" },
      ),
    )
    .map(([n, def]) => ({ method: "PUT", path: "/fz/_mapping", body: { properties: { [`f${n}`]: def } } })),
  fc
    .tuple(
      fc.integer({ min: 0, max: 1e6 }),
      fc.constantFrom<unknown>(
        { "index.unknown_setting": 1 },
        { number_of_shards: -3 },
        { "index.similarity.default.type": "nope" },
        { "index.analysis.analyzer.a.tokenizer": "no_such_tokenizer" },
        { "index.analysis.analyzer.a.type": "custom" },
      ),
    )
    .map(([n, settings]) => ({ method: "PUT", path: `/fz-${n}`, body: { settings } })),
  fc
    .tuple(
      fc.integer({ min: 0, max: 99 }),
      fc.constantFrom<unknown>([1, 2], "text", 3, { year: "not a year" }, { year: { nested: true } }),
    )
    .map(([n, body]) => ({ method: "PUT", path: `/fz/_doc/${n}`, body })),
);

before(async () => {
  running = await startTestPlatform();
  const url = running.searchUrl;
  const create = await send(url, {
    method: "PUT",
    path: "/fz",
    body: {
      mappings: {
        properties: {
          title: { type: "text", fields: { raw: { type: "keyword" } } },
          body: { type: "text", analyzer: "english" },
          tag: { type: "keyword" },
          year: { type: "integer" },
          price: { type: "float" },
          date: { type: "date" },
          emb: { type: "knn_vector", dimension: 4 },
        },
      },
      settings: { "index.knn": true },
    },
  });
  assert.equal(create.status, 200, create.text);
  const lines: string[] = [];
  for (let i = 0; i < 60; i++) {
    lines.push(JSON.stringify({ index: { _index: "fz", _id: `d${i}` } }));
    lines.push(
      JSON.stringify({
        title: `${TEXTS[i % 3]} doc ${i}`,
        body: `${"a".repeat(20 + i)} searching engines ${i % 7 ? "alpha" : "beta"}`,
        tag: ["a", "b", "a".repeat(30 + i)][i % 3],
        year: 1990 + i,
        price: i * 1.5,
        date: `20${String(i % 25).padStart(2, "0")}-01-01`,
        emb: [i % 5, 1, (i * 7) % 3, 0.5],
      }),
    );
  }
  const bulk = await send(url, {
    method: "POST",
    path: "/_bulk?refresh=true",
    contentType: "application/x-ndjson",
    raw: `${lines.join("\n")}\n`,
  });
  assert.equal(bulk.status, 200, bulk.text);
});
after(async () => {
  await running?.close();
});

async function countDocs(): Promise<number> {
  const res = await send(running.searchUrl, { method: "POST", path: "/fz/_count", body: {} });
  return (res.json as { count: number }).count;
}

test(`${QUERY_RUNS} generated searches (nested queries, aggs, sort, paging, msearch, hybrid) answer 2xx or an ES-shaped 4xx within the bound (seed ${FUZZ_SEED})`, async () => {
  const ran = await fuzz(searchRequest, QUERY_RUNS, async (req) =>
    assertSearchAnswer(req, await send(running.searchUrl, req)),
  );
  assert.equal(ran, QUERY_RUNS);
  await assertHealthy(running.url, running.searchUrl);
  console.log(`search-dsl: ${ran} search cases, seed ${FUZZ_SEED}`);
});

test(`${MALFORMED_RUNS} malformed search/bulk/mapping/settings/doc bodies get 4xx ES errors and the data stays (seed ${FUZZ_SEED})`, async () => {
  const before = await countDocs();
  const ran = await fuzz(malformed, MALFORMED_RUNS, async (req) => {
    const ans = await send(running.searchUrl, req);
    assertSearchAnswer(req, ans);
    // _bulk and _msearch answer 200 and report each item's failure
    const body = ans.json as { errors?: boolean; responses?: { error?: unknown }[] } | undefined;
    const itemsFailed =
      body?.errors === true || ((body?.responses?.length ?? 0) > 0 && body?.responses?.every((r) => r.error));
    assert.ok(
      ans.status >= 400 || itemsFailed,
      `a malformed request was accepted: ${req.method} ${req.path} ${req.raw ?? JSON.stringify(req.body)} → ${ans.status} ${ans.text.slice(0, 200)}`,
    );
  });
  assert.equal(ran, MALFORMED_RUNS);
  await assertHealthy(running.url, running.searchUrl);
  assert.equal(await countDocs(), before, "malformed requests changed the index");
  const check = await send(running.searchUrl, {
    method: "POST",
    path: "/fz/_search",
    body: { query: { ids: { values: ["d3"] } } },
  });
  assert.deepEqual(
    (check.json as { hits: { hits: { _id: string }[] } }).hits.hits.map((h) => h._id),
    ["d3"],
  );
  console.log(`search-dsl: ${ran} malformed cases, seed ${FUZZ_SEED}`);
});

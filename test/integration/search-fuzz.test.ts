import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestPlatform } from "../helpers/platform.ts";
import { seededRandom } from "../helpers/random.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;
const CASES = 1000;

const seed = Number(process.env.LODESTONE_FUZZ_SEED ?? 4242);
const random = seededRandom(seed);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
const WEIRD: unknown[] = [
  null,
  -1,
  1.5,
  "",
  "x",
  "%%",
  [],
  [1, "a"],
  {},
  { a: { b: {} } },
  true,
  1e308,
  "\u0000",
  "a".repeat(300),
];
const QUERY_TYPES = [
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
];

/** A random value with syntax-ish structure, for the "wrong type" mutations. */
function junk(depth = 0): unknown {
  if (depth > 3 || random() < 0.4) return pick(WEIRD);
  if (random() < 0.5) return Array.from({ length: Math.floor(random() * 3) + 1 }, () => junk(depth + 1));
  return { [pick([...QUERY_TYPES, "query", "field", "value", "boost", "x"])]: junk(depth + 1) };
}

/** Malformed requests, each invalid by construction (one of several mutation classes). */
function malformedCase(): { method: string; path: string; body: string; contentType?: string } {
  const kind = Math.floor(random() * 9);
  const validSearch = JSON.stringify({ query: { match: { title: "alpha beta" } }, size: 5 });
  switch (kind) {
    case 0: // truncated JSON on any body endpoint
      return {
        method: pick(["POST", "PUT"]),
        path: pick(["/fz/_search", "/fz/_doc/1", "/fz/_mapping", "/fz/_settings", "/fz-new"]),
        body: validSearch.slice(0, 1 + Math.floor(random() * (validSearch.length - 2))),
      };
    case 1: // unknown query type with random content
      return {
        method: "POST",
        path: "/fz/_search",
        body: JSON.stringify({ query: { [`nope_${Math.floor(random() * 1e6)}`]: junk() } }),
      };
    case 2: // a known query type with a wrong-typed body
      return {
        method: "POST",
        path: "/fz/_search",
        body: JSON.stringify({ query: { [pick(QUERY_TYPES)]: pick([1, "s", [], null, true]) } }),
      };
    case 3: // bad paging / top-level keys
      return {
        method: "POST",
        path: "/fz/_search",
        body: JSON.stringify(
          pick([
            { size: -1 - Math.floor(random() * 10) },
            { from: "x" },
            { size: 20000 },
            { [`unknown_${Math.floor(random() * 100)}`]: junk() },
            { sort: [{ title: "sideways" }] },
            { track_total_hits: "maybe" },
          ]),
        ),
      };
    case 4: // bulk with a broken action line
      return {
        method: "POST",
        path: "/_bulk",
        contentType: "application/x-ndjson",
        body: `${pick(['{"index":', '{"explode":{}}', "[1,2]", '"index"', '{"index":{},"delete":{}}'])}\n{"a":1}\n`,
      };
    case 5: // bulk without the final newline, or empty
      return {
        method: "POST",
        path: "/_bulk",
        contentType: "application/x-ndjson",
        body: pick(['{"index":{"_index":"fz"}}\n{"a":1}', "", "\n\n"]),
      };
    case 6: // invalid mapping
      return {
        method: "PUT",
        path: "/fz/_mapping",
        body: JSON.stringify({
          properties: {
            [`f${Math.floor(random() * 1000)}`]: pick([
              { type: "nonsense" },
              { type: "text", analyzer: "missing_analyzer" },
              { type: "keyword", ignore_above: "big" },
              { type: "text", bogus: 1 },
              "text",
              { type: "knn_vector" },
            ]),
          },
        }),
      };
    case 7: // invalid settings
      return {
        method: "PUT",
        path: `/fz-${Math.floor(random() * 1e6)}`,
        body: JSON.stringify({
          settings: pick([
            { "index.unknown_setting": 1 },
            { number_of_shards: -3 },
            { "index.similarity.default.type": "nope" },
            { "index.analysis.analyzer.a.tokenizer": "no_such_tokenizer" },
            { "index.analysis.analyzer.a.type": "custom" },
          ]),
        }),
      };
    default: // document that is not an object, or a wrong-typed mapped field
      return {
        method: "PUT",
        path: `/fz/_doc/${Math.floor(random() * 100)}`,
        body: JSON.stringify(pick([[1, 2], "text", 3, { year: "not a year" }, { year: { nested: true } }])),
      };
  }
}

let running: Running;
before(async () => {
  running = await startTestPlatform();
  const url = running.searchUrl;
  await fetch(`${url}/fz`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      mappings: { properties: { title: { type: "text" }, year: { type: "integer" } } },
    }),
  });
  await fetch(`${url}/fz/_doc/keep?refresh=true`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title: "alpha beta", year: 2020 }),
  });
});
after(async () => {
  await running.close();
});

test(`${CASES} malformed search/bulk/mapping/settings bodies get 4xx JSON errors and the engine keeps serving (seed ${seed})`, async () => {
  const url = running.searchUrl;
  for (let i = 0; i < CASES; i++) {
    const c = malformedCase();
    const res = await fetch(`${url}${c.path}`, {
      method: c.method,
      headers: { "content-type": c.contentType ?? "application/json" },
      body: c.body,
    });
    const text = await res.text();
    const where = `case ${i} (seed ${seed}): ${c.method} ${c.path} ${c.body.slice(0, 200)} → ${res.status} ${text.slice(0, 300)}`;
    assert.ok(res.status >= 400 && res.status < 500, where);
    const body = JSON.parse(text);
    assert.equal(typeof body.error?.type, "string", where);
    assert.equal(typeof body.error?.reason, "string", where);
    assert.equal(body.status, res.status, where);
  }
  const check = await fetch(`${url}/fz/_search`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: { match: { title: "alpha" } } }),
  });
  const hits = (await check.json()) as { hits: { hits: { _id: string }[] } };
  assert.deepEqual(
    hits.hits.hits.map((h) => h._id),
    ["keep"],
  );
});

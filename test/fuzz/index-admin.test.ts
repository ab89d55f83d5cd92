/**
 * Fuzzing the engine's write and admin APIs: index creation (mappings, settings, analyzers),
 * `_mapping`, `_settings`, `_bulk` (ndjson with garbage lines), documents, `_analyze`, aliases,
 * close/open, ingest and search pipelines (with `_simulate`). Every answer is 2xx or an
 * Elasticsearch-shaped 4xx within the time bound, the server stays up, and a sentinel index keeps
 * its documents.
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
  hostileName,
  junk,
  mostly,
  record,
  segment,
  send,
} from "./harness.ts";

const ADMIN_RUNS = 1800;
const BULK_RUNS = 900;
const PIPELINE_RUNS = 800;

type Running = Awaited<ReturnType<typeof startTestPlatform>>;
let running: Running;

// Index names: a few sensible ones reused across cases (so later cases meet earlier state) and hostile ones.
const indexName = fc.oneof(
  { arbitrary: fc.constantFrom("ia", "ib", "ic", "al1"), weight: 4 },
  { arbitrary: segment(hostileName), weight: 1 },
);
const fieldName = fc.oneof(
  fc.constantFrom("t", "k", "n", "d", "v", "obj.x", "a.b.c", "_id", "_source", ""),
  fc.string({ maxLength: 6 }),
);
const fieldType = fc.constantFrom(
  "text",
  "keyword",
  "integer",
  "long",
  "float",
  "double",
  "boolean",
  "date",
  "knn_vector",
  "object",
  "nested",
  "ip",
  "geo_point",
  "bogus",
);
const SAFE_PATTERNS = ["\\W+", ",", "[a-z]+", "(\\d+)", "(", "[", "\\p{IsHan}", "(?i)abc", "a*+", "\\Q.\\E"];
const analyzerDef = fc.oneof(
  record({
    type: mostly(
      fc.constantFrom("custom", "standard", "english", "whitespace", "pattern", "ik_max_word", "nope"),
    ),
    tokenizer: mostly(
      fc.constantFrom("standard", "whitespace", "keyword", "ngram", "pattern", "ik_smart", "nope"),
    ),
    filter: mostly(
      fc.array(fc.constantFrom("lowercase", "stop", "porter_stem", "asciifolding", "syn", "nope"), {
        maxLength: 3,
      }),
    ),
    char_filter: mostly(fc.array(fc.constantFrom("html_strip", "cf", "nope"), { maxLength: 2 })),
    pattern: mostly(fc.constantFrom(...SAFE_PATTERNS)),
  }),
  junk,
);
const analysis = record({
  analyzer: fc.dictionary(fc.constantFrom("a1", "a2", "default"), analyzerDef, { maxKeys: 2 }),
  filter: fc.dictionary(
    fc.constantFrom("syn", "f2"),
    record({
      type: mostly(
        fc.constantFrom("synonym", "synonym_graph", "stop", "length", "ngram", "shingle", "pattern_replace"),
      ),
      synonyms: mostly(
        fc.array(fc.constantFrom("ai, artificial intelligence", "a => b", "=>", "x,,y", ""), {
          maxLength: 3,
        }),
      ),
      min: mostly(fc.integer({ min: -2, max: 5 })),
      max: mostly(fc.integer({ min: -2, max: 100 })),
      min_gram: mostly(fc.integer({ min: -1, max: 60 })),
      max_gram: mostly(fc.integer({ min: -1, max: 60 })),
      pattern: mostly(fc.constantFrom(...SAFE_PATTERNS)),
      replacement: fc.string({ maxLength: 4 }),
    }),
    { maxKeys: 2 },
  ),
  tokenizer: fc.dictionary(
    fc.constantFrom("tk"),
    record({
      type: mostly(fc.constantFrom("ngram", "edge_ngram", "pattern", "char_group", "path_hierarchy")),
      min_gram: mostly(fc.integer({ min: -1, max: 60 })),
      max_gram: mostly(fc.integer({ min: -1, max: 60 })),
      pattern: mostly(fc.constantFrom(...SAFE_PATTERNS)),
    }),
    { maxKeys: 1 },
  ),
  char_filter: fc.dictionary(
    fc.constantFrom("cf"),
    record({
      type: mostly(fc.constantFrom("mapping", "pattern_replace", "html_strip")),
      mappings: mostly(fc.array(fc.constantFrom("a => b", "=>", "x"), { maxLength: 2 })),
      pattern: mostly(fc.constantFrom(...SAFE_PATTERNS)),
    }),
    { maxKeys: 1 },
  ),
});
const property = record({
  type: mostly(fieldType),
  analyzer: mostly(fc.constantFrom("a1", "standard", "english", "nope")),
  dimension: mostly(fc.integer({ min: -1, max: 20000 })),
  index: mostly(fc.boolean()),
  format: mostly(fc.constantFrom("yyyy-MM-dd", "epoch_millis", "x[")),
  ignore_above: mostly(fc.integer({ min: -1, max: 100000 })),
  fields: mostly(fc.record({ raw: fc.record({ type: fieldType }) })),
  method: mostly(
    record({
      name: mostly(fc.constantFrom("hnsw", "ivf", "flat")),
      space_type: mostly(fc.constantFrom("l2", "cosinesimil", "innerproduct", "hamming")),
      engine: mostly(fc.constantFrom("lucene", "faiss", "nmslib")),
      parameters: mostly(
        record({
          m: mostly(fc.integer({ min: -1, max: 2000 })),
          ef_construction: mostly(fc.integer({ min: -1, max: 5000 })),
        }),
      ),
    }),
  ),
});
const mappings = record({
  properties: mostly(fc.dictionary(fieldName, property, { maxKeys: 4 })),
  dynamic: mostly(fc.constantFrom(true, false, "strict", "runtime")),
  _source: mostly(record({ enabled: fc.boolean() })),
});
const settings = record({
  number_of_shards: mostly(fc.integer({ min: -1, max: 2000 })),
  number_of_replicas: mostly(fc.integer({ min: -1, max: 5 })),
  "index.knn": mostly(fc.boolean()),
  "index.max_result_window": mostly(fc.integer({ min: -1, max: 1e9 })),
  "index.refresh_interval": mostly(fc.constantFrom("1s", "-1", "x")),
  "index.similarity.default": mostly(
    record({
      type: mostly(fc.constantFrom("BM25", "boolean", "nope")),
      k1: mostly(fc.double({ noNaN: true })),
      b: mostly(fc.double({ noNaN: true })),
    }),
  ),
  analysis: mostly(analysis),
  index: mostly(
    record({ analysis: mostly(analysis), "search.default_pipeline": mostly(fc.constantFrom("sp1", "nope")) }),
  ),
});

const adminRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc
    .tuple(
      indexName,
      record({
        mappings: mostly(mappings),
        settings: mostly(settings),
        aliases: mostly(fc.dictionary(fc.constantFrom("al1", "al2"), fc.constant({}), { maxKeys: 1 })),
      }),
    )
    .map(([i, body]) => ({ method: "PUT", path: `/${i}`, body })),
  fc
    .tuple(indexName, mappings, fc.constantFrom("PUT", "POST"))
    .map(([i, body, method]) => ({ method, path: `/${i}/_mapping`, body })),
  fc
    .tuple(fc.oneof(indexName, fc.constant("_all")), fc.oneof(settings, fc.record({ index: settings })))
    .map(([i, body]) => ({ method: "PUT", path: `/${i}/_settings`, body })),
  fc
    .tuple(
      indexName,
      fc.constantFrom("_close", "_open", "_refresh", "_flush", "_forcemerge", "_reload_search_analyzers"),
    )
    .map(([i, action]) => ({ method: "POST", path: `/${i}/${action}` })),
  fc
    .tuple(indexName, fc.constantFrom("", "/_mapping", "/_settings", "/_alias", "/_count"))
    .map(([i, what]) => ({ method: "GET", path: `/${i}${what}` })),
  fc
    .tuple(
      indexName,
      segment(fc.oneof(fc.constantFrom("1", "2"), hostileName)),
      fc.oneof(
        record({
          t: mostly(fc.string({ maxLength: 30 })),
          k: mostly(fc.string({ maxLength: 5 })),
          n: mostly(fc.integer()),
          d: mostly(fc.constantFrom("2020-01-01", "nope", 0)),
          v: mostly(fc.array(fc.double(), { maxLength: 4 })),
          obj: mostly(record({ x: junk })),
        }),
        junk,
      ),
      fc.constantFrom("", "?refresh=true", "?pipeline=ip1", "?op_type=create", "?if_seq_no=x", "?routing=a"),
    )
    .map(([i, id, body, q]) => ({ method: "PUT", path: `/${i}/_doc/${id}${q}`, body })),
  fc
    .tuple(
      indexName,
      segment(hostileName),
      record({
        doc: mostly(record({ t: junk })),
        upsert: mostly(fc.record({ t: fc.string() })),
        script: junk,
        doc_as_upsert: mostly(fc.boolean()),
      }),
    )
    .map(([i, id, body]) => ({ method: "POST", path: `/${i}/_update/${id}`, body })),
  fc
    .tuple(indexName, segment(hostileName), fc.constantFrom("GET", "DELETE", "HEAD"))
    .map(([i, id, method]) => ({ method, path: `/${i}/_doc/${id}` })),
  fc
    .tuple(
      fc.oneof(indexName, fc.constant("")),
      record({
        analyzer: mostly(fc.constantFrom("standard", "english", "a1", "ik_max_word", "nope")),
        text: mostly(
          fc.oneof(fc.string({ maxLength: 50 }), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })),
        ),
        tokenizer: mostly(
          fc.oneof(
            fc.constantFrom("standard", "ngram"),
            record({
              type: mostly(fc.constantFrom("ngram", "pattern")),
              min_gram: mostly(fc.integer({ min: -1, max: 30 })),
              max_gram: mostly(fc.integer({ min: -1, max: 30 })),
              pattern: mostly(fc.constantFrom(...SAFE_PATTERNS)),
            }),
          ),
        ),
        filter: mostly(fc.array(fc.oneof(fc.constantFrom("lowercase", "stop"), junk), { maxLength: 2 })),
        field: mostly(fieldName),
        explain: mostly(fc.boolean()),
      }),
    )
    .map(([i, body]) => ({ method: "POST", path: i ? `/${i}/_analyze` : "/_analyze", body })),
  record({
    actions: mostly(
      fc.array(
        fc.oneof(
          fc.record({
            add: record({
              index: mostly(indexName),
              alias: mostly(fc.constantFrom("al1", "al2", "ia")),
              filter: mostly(fc.constant({ term: { k: "a" } })),
            }),
          }),
          fc.record({
            remove: record({ index: mostly(indexName), alias: mostly(fc.constantFrom("al1", "*")) }),
          }),
          fc.record({ remove_index: record({ index: mostly(fc.constantFrom("ic", "nosuch")) }) }),
          junk,
        ),
        { maxLength: 3 },
      ),
    ),
  }).map((body) => ({ method: "POST", path: "/_aliases", body })),
  indexName.map((i) => ({ method: "DELETE", path: `/${i}` })),
);

// ---- _bulk: action lines, sources and garbage, sometimes without the final newline ----
const bulkAction = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("index", "create", "update", "delete"),
      record({
        _index: mostly(indexName),
        _id: mostly(fc.oneof(fc.string({ maxLength: 5 }), fc.integer())),
        pipeline: mostly(fc.constantFrom("ip1", "nope")),
        if_seq_no: mostly(fc.integer({ min: -1, max: 3 })),
        routing: mostly(fc.string({ maxLength: 3 })),
      }),
    )
    .map(([a, meta]) => JSON.stringify({ [a]: meta })),
  fc.constantFrom(
    '{"index":',
    "[1,2]",
    '"index"',
    '{"index":{},"delete":{}}',
    "{}",
    "null",
    "",
    " ",
    "\u0000",
    '{"index":{"_index":"ia"}} trailing',
  ),
  fc.string({ maxLength: 20 }),
);
const bulkSource = fc.oneof(
  record({
    t: mostly(fc.string({ maxLength: 30 })),
    n: mostly(fc.integer()),
    doc: mostly(record({ t: fc.string() })),
    v: mostly(fc.array(fc.double(), { maxLength: 4 })),
  }).map((o) => JSON.stringify(o)),
  fc.constantFrom(
    "{",
    "[]",
    "3",
    '"x"',
    "",
    '{"t":"a"}{"t":"b"}',
    `{"deep":${"[".repeat(2000)}${"]".repeat(2000)}}`,
  ),
  fc.string({ maxLength: 20 }),
);
const bulkRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.array(fc.tuple(bulkAction, bulkSource), { minLength: 0, maxLength: 6 }),
    fc.boolean(),
    fc.constantFrom(
      "/_bulk",
      "/ia/_bulk",
      "/_bulk?refresh=true",
      "/_bulk?pipeline=ip1",
      "/nosuch/_bulk",
      "/_bulk?refresh=wait_for&timeout=1s",
    ),
    fc.constantFrom("application/x-ndjson", "application/json", "text/plain"),
  )
  .map(([pairs, finalNewline, path, contentType]) => {
    const raw = pairs.map(([a, s]) => `${a}\n${s}`).join("\n");
    return { method: "POST", path, contentType, raw: finalNewline ? `${raw}\n` : raw };
  });

// ---- ingest and search pipelines ----
const processor = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        "set",
        "remove",
        "rename",
        "copy",
        "lowercase",
        "uppercase",
        "trim",
        "html_strip",
        "split",
        "join",
        "convert",
        "append",
        "gsub",
        "text_embedding",
        "text_chunking",
        "fail",
        "drop",
        "nope",
      ),
      record({
        field: mostly(fieldName),
        target_field: mostly(fieldName),
        value: junk,
        model_id: mostly(fc.constantFrom("ep-missing", "")),
        field_map: mostly(fc.dictionary(fieldName, fieldName, { maxKeys: 2 })),
        pattern: mostly(fc.constantFrom(...SAFE_PATTERNS)),
        replacement: mostly(fc.string({ maxLength: 3 })),
        separator: mostly(fc.constantFrom(",", "")),
        type: mostly(fc.constantFrom("integer", "float", "string", "boolean", "auto", "nope")),
        if: mostly(fc.constantFrom("ctx.t != null", "ctx.)", "")),
        ignore_failure: mostly(fc.boolean()),
        on_failure: mostly(fc.constant([{ set: { field: "err", value: "y" } }])),
        algorithm: mostly(
          record({
            fixed_token_length: mostly(
              record({
                token_limit: mostly(fc.integer({ min: -1, max: 1000 })),
                overlap_rate: mostly(fc.double()),
              }),
            ),
          }),
        ),
      }),
    )
    .map(([p, cfg]) => ({ [p]: cfg })),
  junk,
);
const searchProcessor = fc.oneof(
  fc.record({
    "normalization-processor": record({
      normalization: mostly(
        record({ technique: mostly(fc.constantFrom("min_max", "l2", "z_score", "nope")) }),
      ),
      combination: mostly(
        record({
          technique: mostly(
            fc.constantFrom("arithmetic_mean", "geometric_mean", "harmonic_mean", "rrf", "nope"),
          ),
          parameters: mostly(record({ weights: mostly(fc.array(fc.double(), { maxLength: 3 })) })),
        }),
      ),
    }),
  }),
  fc.record({ filter_query: record({ query: junk }) }),
  fc.record({
    rerank: record({
      ml_opensearch: mostly(record({ model_id: mostly(fc.constantFrom("ep-missing", "")) })),
      context: mostly(record({ document_fields: mostly(fc.array(fieldName, { maxLength: 2 })) })),
    }),
  }),
  fc.record({ truncate_hits: record({ target_size: mostly(fc.integer({ min: -1, max: 100 })) }) }),
  fc.record({
    neural_query_enricher: record({ default_model_id: mostly(fc.constantFrom("ep-missing", "")) }),
  }),
  junk,
);
const pipelineId = fc.oneof(fc.constantFrom("ip1", "ip2", "sp1"), segment(hostileName));
const pipelineRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc
    .tuple(
      pipelineId,
      record({
        description: mostly(fc.string({ maxLength: 10 })),
        processors: mostly(fc.array(processor, { maxLength: 3 })),
        on_failure: mostly(fc.array(processor, { maxLength: 1 })),
      }),
    )
    .map(([id, body]) => ({ method: "PUT", path: `/_ingest/pipeline/${id}`, body })),
  fc
    .tuple(
      fc.oneof(
        fc.constant(""),
        pipelineId.map((id) => `/${id}`),
      ),
      record({
        pipeline: mostly(record({ processors: mostly(fc.array(processor, { maxLength: 3 })) })),
        docs: mostly(
          fc.array(
            fc.oneof(
              fc.record({ _source: record({ t: mostly(fc.string({ maxLength: 20 })), n: junk }) }),
              junk,
            ),
            { maxLength: 3 },
          ),
        ),
      }),
    )
    .map(([id, body]) => ({
      method: "POST",
      path: `/_ingest/pipeline${id}/_simulate?verbose=${id.length % 2 === 0}`,
      body,
    })),
  fc
    .tuple(
      pipelineId,
      record({
        request_processors: mostly(fc.array(searchProcessor, { maxLength: 2 })),
        response_processors: mostly(fc.array(searchProcessor, { maxLength: 2 })),
        phase_results_processors: mostly(fc.array(searchProcessor, { maxLength: 2 })),
      }),
    )
    .map(([id, body]) => ({ method: "PUT", path: `/_search/pipeline/${id}`, body })),
  fc
    .tuple(fc.constantFrom("_ingest", "_search"), pipelineId, fc.constantFrom("GET", "DELETE"))
    .map(([kind, id, method]) => ({ method, path: `/${kind}/pipeline/${id}` })),
  fc.tuple(fc.constantFrom("ip1", "ip2", "nope"), fc.constantFrom("sp1", "nope")).map(([ip, sp]) => ({
    method: "PUT",
    path: `/ia/_doc/p?pipeline=${ip}&refresh=true`,
    body: { t: `through ${ip} and ${sp}` },
  })),
  fc.constantFrom("sp1", "nope", "").map((sp) => ({
    method: "POST",
    path: `/ia/_search?search_pipeline=${sp}`,
    body: { query: { hybrid: { queries: [{ match: { t: "a" } }, { match_all: {} }] } } },
  })),
);

before(async () => {
  running = await startTestPlatform();
  const url = running.searchUrl;
  const create = await send(url, {
    method: "PUT",
    path: "/sentinel",
    body: { mappings: { properties: { t: { type: "text" } } }, aliases: { "sentinel-alias": {} } },
  });
  assert.equal(create.status, 200, create.text);
  const docs = await send(url, {
    method: "POST",
    path: "/_bulk?refresh=true",
    contentType: "application/x-ndjson",
    raw: `${[1, 2, 3].map((i) => `{"index":{"_index":"sentinel","_id":"s${i}"}}\n{"t":"keep ${i}"}`).join("\n")}\n`,
  });
  assert.equal(docs.status, 200, docs.text);
});
after(async () => {
  await running?.close();
});

/** The sentinel index (written only in set-up) still has its three documents. */
async function assertSentinel(): Promise<void> {
  const res = await send(running.searchUrl, {
    method: "POST",
    path: "/sentinel/_search",
    body: { query: { match: { t: "keep" } }, sort: ["_doc"] },
  });
  const ids = (res.json as { hits?: { hits: { _id: string }[] } }).hits?.hits.map((h) => h._id).sort();
  assert.deepEqual(ids, ["s1", "s2", "s3"], `sentinel index lost documents: ${res.text.slice(0, 300)}`);
}

const check = async (req: FuzzRequest) => assertSearchAnswer(req, await send(running.searchUrl, req));

test(`${ADMIN_RUNS} generated index creations, mappings, settings, analyzers, documents and aliases (seed ${FUZZ_SEED})`, async () => {
  const ran = await fuzz(adminRequest, ADMIN_RUNS, check);
  await assertHealthy(running.url, running.searchUrl);
  console.log(`index-admin: ${ran} admin cases, seed ${FUZZ_SEED}`);
});

test(`${BULK_RUNS} generated _bulk bodies with garbage lines (seed ${FUZZ_SEED})`, async () => {
  const ran = await fuzz(bulkRequest, BULK_RUNS, check);
  await assertHealthy(running.url, running.searchUrl);
  console.log(`index-admin: ${ran} bulk cases, seed ${FUZZ_SEED}`);
});

test(`${PIPELINE_RUNS} generated ingest and search pipelines, simulations and pipelined writes/searches (seed ${FUZZ_SEED})`, async () => {
  const ran = await fuzz(pipelineRequest, PIPELINE_RUNS, check);
  await assertHealthy(running.url, running.searchUrl);
  await assertSentinel();
  console.log(`index-admin: ${ran} pipeline cases, seed ${FUZZ_SEED}`);
});

/**
 * Neural and hybrid search through the ES-compatible HTTP API of an in-process engine, with a fake
 * model service (a word-hash embedder and a word-overlap reranker, written here): search pipeline
 * CRUD and persistence, hybrid queries combined by min_max/arithmetic_mean and by RRF, the default
 * pipeline setting, neural query errors, the rerank response processor and rescore.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { buildSearchApp } from "../../src/search/api/server.ts";
import { SearchEngine } from "../../src/search/engine.ts";
import { SearchModelError, type SearchModelInfo, type SearchModels } from "../../src/search/models.ts";
import { tempDir } from "../helpers/platform.ts";

const DIM = 8;
const words = (text: string) => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/** FNV-1a: a stable hash of a word. */
function hash(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Each word adds ±1 to one hashed dimension; the sum is L2-normalized. */
function embed(text: string, dimension = DIM): Float32Array {
  const v = new Float32Array(dimension);
  for (const w of words(text)) {
    const h = hash(w);
    v[h % dimension] = (v[h % dimension] as number) + ((h >>> 16) & 1 ? 1 : -1);
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

/** Distinct query words found in the document, shorter documents first on ties. */
function rerankScore(query: string, doc: string): number {
  const docWords = new Set(words(doc));
  const overlap = new Set(words(query).filter((w) => docWords.has(w))).size;
  return overlap + 1 / (1 + words(doc).length);
}

class FakeModels implements SearchModels {
  readonly embedCalls: { id: string; texts: string[] }[] = [];
  readonly rerankCalls: { id: string; query: string; documents: string[] }[] = [];
  readonly infos: Record<string, SearchModelInfo> = {
    "ep-emb": { id: "ep-emb", kind: "embedding", dimension: DIM, available: true },
    "ep-emb-64": { id: "ep-emb-64", kind: "embedding", dimension: 64, available: true },
    "ep-stopped": {
      id: "ep-stopped",
      kind: "embedding",
      dimension: DIM,
      available: false,
      hint: "start it with POST /v1/endpoints/ep-stopped/start",
    },
    "ep-rerank": { id: "ep-rerank", kind: "reranker", available: true },
    "ep-chat": { id: "ep-chat", kind: "chat", available: true },
  };

  describe(id: string): SearchModelInfo | undefined {
    return this.infos[id];
  }

  async embed(id: string, texts: string[]): Promise<Float32Array[]> {
    const info = this.infos[id];
    if (!info?.available) throw new SearchModelError(409, `endpoint ${id} is stopped`);
    this.embedCalls.push({ id, texts });
    return texts.map((t) => embed(t, info.dimension));
  }

  async rerank(id: string, query: string, documents: string[]): Promise<number[]> {
    if (!this.infos[id]?.available) throw new SearchModelError(409, `endpoint ${id} is stopped`);
    this.rerankCalls.push({ id, query, documents });
    return documents.map((d) => rerankScore(query, d));
  }
}

const DOCS = [
  { id: "1", content: "hybrid search combines keyword and vector search", category: "tech", rating: 4 },
  { id: "2", content: "vector search finds semantically similar documents", category: "tech", rating: 5 },
  { id: "3", content: "keyword search with bm25 ranks exact term matches", category: "tech", rating: 3 },
  { id: "4", content: "gardening tips for growing tomatoes in summer", category: "garden", rating: 2 },
  { id: "5", content: "tomatoes need sun water and rich soil", category: "garden", rating: 5 },
  { id: "6", content: "neural rerankers reorder the top search results", category: "tech", rating: 1 },
];

interface Hit {
  _id: string;
  _score: number;
  _source?: Record<string, unknown>;
  highlight?: Record<string, string[]>;
  _explanation?: { value: number; description: string; details: unknown[] };
}
interface SearchBody {
  hits: { total: { value: number; relation: string }; max_score: number | null; hits: Hit[] };
  error?: { type: string; reason: string };
}

const f = Math.fround;
const close = (actual: number, expected: number, what = "") =>
  assert.ok(
    Math.abs(actual - expected) <= 1e-5 * Math.max(1, Math.abs(expected)),
    `${what}: expected ${expected}, got ${actual}`,
  );

/** Hits in the expected order with the expected scores. */
function assertRanking(hits: Hit[], expected: { id: string; score: number }[]): void {
  assert.deepEqual(
    hits.map((h) => h._id),
    expected.map((e) => e.id),
  );
  for (const [i, h] of hits.entries()) close(h._score, expected[i]?.score as number, h._id);
}

describe("neural and hybrid search, search pipelines, rerank and rescore", () => {
  let dataDir: string;
  let engine: SearchEngine;
  let app: FastifyInstance;
  const models = new FakeModels();

  const start = async () => {
    engine = await SearchEngine.open({ dataDir });
    engine.useModels(models);
    app = buildSearchApp(engine, { bodyLimit: 10_000_000, version: "test" });
  };
  const stop = async () => {
    await app.close();
    await engine.close();
  };
  const call = async (method: "GET" | "PUT" | "POST" | "DELETE", url: string, body?: unknown) => {
    const res = await app.inject({
      method,
      url,
      headers: { "content-type": "application/json" },
      ...(body !== undefined && { payload: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    return { status: res.statusCode, body: res.json() as SearchBody & Record<string, unknown> };
  };
  const search = async (body: unknown, query = "") => call("POST", `/docs/_search${query}`, body);
  const ok = async (body: unknown, query = "") => {
    const res = await search(body, query);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.hits;
  };
  const failure = async (body: unknown, query = "") => {
    const res = await search(body, query);
    assert.notEqual(res.status, 200, "the search should fail");
    return {
      status: res.status,
      reason: (res.body.error as { reason: string }).reason,
      type: (res.body.error as { type: string }).type,
    };
  };
  /** Raw scores of a query's top documents, by id. */
  const scoresOf = async (query: unknown, size = 10) =>
    new Map((await ok({ query, size, _source: false })).hits.map((h) => [h._id, h._score]));

  before(async () => {
    dataDir = tempDir();
    await start();
    let res = await call("PUT", "/docs", {
      settings: { "index.knn": true, number_of_replicas: 0 },
      mappings: {
        properties: {
          content: { type: "text" },
          category: { type: "keyword" },
          rating: { type: "integer" },
          embedding: { type: "knn_vector", dimension: DIM },
        },
      },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const lines = DOCS.flatMap((d) => [
      JSON.stringify({ index: { _index: "docs", _id: d.id } }),
      JSON.stringify({ ...d, id: undefined, embedding: Array.from(embed(d.content)) }),
    ]);
    res = await call("POST", "/_bulk?refresh=true", `${lines.join("\n")}\n`);
    assert.equal(res.body.errors, false, JSON.stringify(res.body));
  });
  after(stop);

  const NORMALIZE = {
    description: "min-max and arithmetic mean",
    phase_results_processors: [
      {
        "normalization-processor": {
          normalization: { technique: "min_max" },
          combination: { technique: "arithmetic_mean" },
        },
      },
    ],
  };
  const HYBRID = {
    hybrid: { queries: [{ match: { content: "search" } }, { match: { content: "tomatoes" } }] },
  };

  test("search pipelines: create, read, replace, delete, validation errors, and they survive a restart", async () => {
    let res = await call("PUT", "/_search/pipeline/norm", NORMALIZE);
    assert.deepEqual(res.body, { acknowledged: true });
    res = await call("PUT", "/_search/pipeline/rrf", {
      phase_results_processors: [
        { "score-ranker-processor": { combination: { technique: "rrf", rank_constant: 60 } } },
      ],
    });
    assert.equal(res.status, 200);
    res = await call("GET", "/_search/pipeline/norm");
    assert.deepEqual(res.body, { norm: NORMALIZE });
    res = await call("GET", "/_search/pipeline");
    assert.deepEqual(Object.keys(res.body).sort(), ["norm", "rrf"]);
    res = await call("GET", "/_search/pipeline/missing");
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, {});

    res = await call("PUT", "/_search/pipeline/bad", { response_processors: [{ sort_hits: {} }] });
    assert.equal(res.status, 400);
    assert.match(
      String(res.body.error?.reason),
      /Invalid processor type \[sort_hits\] in \[response_processors\]; supported processors are .*rerank, collapse, truncate_hits/,
    );
    res = await call("PUT", "/_search/pipeline/bad", {
      phase_results_processors: [
        { "normalization-processor": { combination: { parameters: { weights: [0.5, 0.2] } } } },
      ],
    });
    assert.equal(res.status, 400);
    assert.match(String(res.body.error?.reason), /sum of weights for combination must be equal to 1.0/);
    res = await call("PUT", "/_search/pipeline/bad", {
      response_processors: [
        { rerank: { ml_opensearch: { model_id: "ep-nope" }, context: { document_fields: ["content"] } } },
      ],
    });
    assert.equal(res.status, 400);
    assert.match(String(res.body.error?.reason), /model \[ep-nope\] not found/);
    res = await call("PUT", "/_search/pipeline/bad", {
      response_processors: [
        { rerank: { ml_opensearch: { model_id: "ep-emb" }, context: { document_fields: ["content"] } } },
      ],
    });
    assert.match(
      String(res.body.error?.reason),
      /model \[ep-emb\] is a embedding model, but \[rerank\] processor needs a reranker model/,
    );
    assert.equal((await call("GET", "/_search/pipeline/bad")).status, 404);

    // replace, then restart: the stored definition (as given) is what GET returns
    const replaced = { ...NORMALIZE, description: "replaced" };
    await call("PUT", "/_search/pipeline/norm", replaced);
    await stop();
    await start();
    res = await call("GET", "/_search/pipeline/norm");
    assert.deepEqual(res.body, { norm: replaced });
    assert.equal((await ok({ query: HYBRID }, "?search_pipeline=norm")).total.value, 6);

    await call("PUT", "/_search/pipeline/temp", NORMALIZE);
    res = await call("DELETE", "/_search/pipeline/temp");
    assert.deepEqual(res.body, { acknowledged: true });
    res = await call("DELETE", "/_search/pipeline/temp");
    assert.equal(res.status, 404);
    assert.equal(res.body.error?.type, "resource_not_found_exception");
  });

  test("hybrid with min_max + arithmetic_mean: sub-queries normalized separately, absent ones count 0, total is the union", async () => {
    await call("PUT", "/_search/pipeline/norm", NORMALIZE);
    const search = await scoresOf({ match: { content: "search" } });
    const tomatoes = await scoresOf({ match: { content: "tomatoes" } });
    const minMax = (scores: Map<string, number>) => {
      const values = [...scores.values()];
      const min = Math.min(...values);
      const max = Math.max(...values);
      return new Map([...scores].map(([id, s]) => [id, max === min ? 1 : (s - min) / (max - min) || 0.001]));
    };
    const a = minMax(search);
    const b = minMax(tomatoes);
    const ids = new Set([...search.keys(), ...tomatoes.keys()]);
    const expected = [...ids]
      .map((id) => ({ id, score: ((a.get(id) ?? 0) + (b.get(id) ?? 0)) / 2 }))
      .sort((x, y) => y.score - x.score);

    const hits = await ok({ query: HYBRID }, "?search_pipeline=norm");
    assert.equal(hits.total.value, ids.size);
    assertRanking(hits.hits, expected);
    close(hits.max_score as number, expected[0]?.score as number, "max_score");

    // weights 0.2/0.8 favour the tomato documents
    const weighted = await ok(
      {
        query: HYBRID,
        search_pipeline: {
          phase_results_processors: [
            {
              "normalization-processor": {
                combination: { technique: "arithmetic_mean", parameters: { weights: [0.2, 0.8] } },
              },
            },
          ],
        },
      },
      "",
    );
    const weightedExpected = [...ids]
      .map((id) => ({ id, score: 0.2 * (a.get(id) ?? 0) + 0.8 * (b.get(id) ?? 0) }))
      .sort((x, y) => y.score - x.score);
    assertRanking(weighted.hits, weightedExpected);

    // three weights for two sub-queries
    const mismatch = await failure({
      query: HYBRID,
      search_pipeline: {
        phase_results_processors: [
          { "normalization-processor": { combination: { parameters: { weights: [0.2, 0.3, 0.5] } } } },
        ],
      },
    });
    assert.equal(mismatch.status, 400);
    assert.match(
      mismatch.reason,
      /number of weights \[3\] must match number of sub-queries \[2\] in hybrid query/,
    );
  });

  test("hybrid with RRF: 1/(60 + rank) summed over sub-queries", async () => {
    await call("PUT", "/_search/pipeline/rrf", {
      phase_results_processors: [{ "score-ranker-processor": { combination: { technique: "rrf" } } }],
    });
    const search = [...(await scoresOf({ match: { content: "search" } })).keys()];
    const tomatoes = [...(await scoresOf({ match: { content: "tomatoes" } })).keys()];
    const rrf = (list: string[], id: string) => (list.includes(id) ? f(1 / (61 + list.indexOf(id))) : 0);
    const expected = [...new Set([...search, ...tomatoes])]
      .map((id) => ({ id, score: rrf(search, id) + rrf(tomatoes, id) }))
      .sort((x, y) => y.score - x.score);
    const hits = await ok({ query: HYBRID }, "?search_pipeline=rrf");
    assertRanking(hits.hits, expected);
  });

  test("hybrid: pagination_depth with from/size, highlight, explain, filter, aggregations, sort", async () => {
    await call("PUT", "/_search/pipeline/norm", NORMALIZE);
    const all = await ok(
      { query: { hybrid: { ...HYBRID.hybrid, pagination_depth: 10 } }, size: 10 },
      "?search_pipeline=norm",
    );
    const page = await ok(
      { query: { hybrid: { ...HYBRID.hybrid, pagination_depth: 10 } }, from: 2, size: 2 },
      "?search_pipeline=norm",
    );
    assert.deepEqual(
      page.hits.map((h) => h._id),
      all.hits.slice(2, 4).map((h) => h._id),
    );
    const noDepth = await failure({ query: HYBRID, from: 2 }, "?search_pipeline=norm");
    assert.match(noDepth.reason, /pagination_depth param is missing in the search request/);

    const explained = await ok(
      { query: HYBRID, explain: true, highlight: { fields: { content: {} } }, size: 10 },
      "?search_pipeline=norm",
    );
    const top = explained.hits[0] as Hit;
    assert.equal(top._explanation?.value, top._score);
    assert.match(String(top._explanation?.description), /arithmetic_mean combination of/);
    assert.ok(explained.hits.some((h) => h.highlight?.content?.some((s) => s.includes("<em>tomatoes</em>"))));
    assert.ok(explained.hits.some((h) => h.highlight?.content?.some((s) => s.includes("<em>search</em>"))));

    // the hybrid filter applies to every sub-query; aggregations see every match
    const filtered = await ok(
      {
        query: { hybrid: { ...HYBRID.hybrid, filter: { term: { category: "garden" } } } },
        aggs: { cats: { terms: { field: "category" } } },
      },
      "?search_pipeline=norm",
    );
    assert.deepEqual(filtered.hits.map((h) => h._id).sort(), ["4", "5"]);
    const unfilteredAggs = await search(
      { query: HYBRID, size: 0, aggs: { cats: { terms: { field: "category" } } } },
      "?search_pipeline=norm",
    );
    const buckets = (
      unfilteredAggs.body.aggregations as { cats: { buckets: { key: string; doc_count: number }[] } }
    ).cats.buckets;
    assert.deepEqual(buckets, [
      { key: "tech", doc_count: 4 },
      { key: "garden", doc_count: 2 },
    ]);

    const sorted = await ok({ query: HYBRID, sort: [{ rating: "desc" }], size: 10 }, "?search_pipeline=norm");
    const ratings = sorted.hits.map((h) => (h._source as { rating: number }).rating);
    assert.deepEqual(
      ratings,
      [...ratings].sort((x, y) => y - x),
    );
  });

  test("hybrid needs a phase results processor, must be top level; default pipeline, _none and inline pipelines", async () => {
    await call("PUT", "/_search/pipeline/norm", NORMALIZE);
    const none = await failure({ query: HYBRID });
    assert.equal(none.status, 400);
    assert.match(none.reason, /hybrid query needs a search pipeline .* PUT \/_search\/pipeline\/<id>/);
    const nested = await failure({ query: { bool: { must: [HYBRID] } } }, "?search_pipeline=norm");
    assert.equal(
      nested.reason,
      "hybrid query must be a top level query and cannot be wrapped into other queries",
    );
    const tooMany = await failure(
      { query: { hybrid: { queries: Array.from({ length: 6 }, () => ({ match_all: {} })) } } },
      "?search_pipeline=norm",
    );
    assert.match(tooMany.reason, /Number of sub-queries exceeds maximum supported by \[hybrid\] query/);
    const unknown = await failure({ query: HYBRID }, "?search_pipeline=nope");
    assert.match(unknown.reason, /Pipeline nope is not defined/);
    const both = await failure({ query: HYBRID, search_pipeline: NORMALIZE }, "?search_pipeline=norm");
    assert.match(both.reason, /Both named and inline search pipeline were specified/);

    const put = await call("PUT", "/docs/_settings", { "index.search.default_pipeline": "norm" });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const viaDefault = await ok({ query: HYBRID });
    const viaParam = await ok({ query: HYBRID }, "?search_pipeline=norm");
    assert.deepEqual(viaDefault.hits, viaParam.hits);
    const optedOut = await failure({ query: HYBRID }, "?search_pipeline=_none");
    assert.match(optedOut.reason, /hybrid query needs a search pipeline/);
    await call("PUT", "/docs/_settings", { "index.search.default_pipeline": null });
  });

  test("neural query errors: unknown, stopped, wrong kind, dimension mismatch, field type, image queries", async () => {
    const neural = (spec: Record<string, unknown>, field = "embedding") => ({
      query: { neural: { [field]: { query_text: "vector search", k: 3, ...spec } } },
    });
    let err = await failure(neural({ model_id: "ep-unknown" }));
    assert.equal(err.status, 400);
    assert.match(err.reason, /model \[ep-unknown\] not found/);
    err = await failure(neural({ model_id: "ep-stopped" }));
    assert.equal(err.status, 409);
    assert.match(
      err.reason,
      /model \[ep-stopped\] is not available: start it with POST \/v1\/endpoints\/ep-stopped\/start/,
    );
    err = await failure(neural({ model_id: "ep-chat" }));
    assert.equal(err.status, 400);
    assert.match(err.reason, /\[ep-chat\] is a chat model/);
    err = await failure(neural({ model_id: "ep-emb-64" }));
    assert.equal(err.status, 400);
    assert.match(
      err.reason,
      /model ep-emb-64 produces 64-dimensional vectors but field \[embedding\] has dimension 8/,
    );
    err = await failure(neural({ model_id: "ep-emb" }, "content"));
    assert.match(
      err.reason,
      /field \[content\] in index \[docs\] is of type \[text\]; neural queries search knn_vector fields/,
    );
    err = await failure(neural({ model_id: "ep-emb", query_image: "aGVsbG8=" }));
    assert.match(err.reason, /query_image is not supported/);
    err = await failure(neural({}));
    assert.match(err.reason, /model id must be provided in neural query or a default model id must be set/);
    err = await failure(neural({ model_id: "ep-emb", min_score: 0.5 }));
    assert.match(err.reason, /Only one of k, max_distance, or min_score can be provided/);
    // errors inside a hybrid sub-query and a bool clause are found too, before anything runs
    err = await failure(
      {
        query: {
          hybrid: { queries: [{ match: { content: "x" } }, neural({ model_id: "ep-stopped" }).query] },
        },
      },
      "?search_pipeline=norm",
    );
    assert.equal(err.status, 409);
    assert.throws(
      () => engine.search("docs", neural({ model_id: "ep-emb" })),
      /send them to the _search endpoint/,
    );
  });

  test("neural: one embedding call per model, defaults from neural_query_enricher, hits like the knn query", async () => {
    models.embedCalls.length = 0;
    const vector = Array.from(embed("vector search"));
    const knn = await ok({ query: { knn: { embedding: { vector, k: 3 } } } });
    const neural = await ok({
      query: { neural: { embedding: { query_text: "vector search", model_id: "ep-emb", k: 3 } } },
    });
    assert.deepEqual(neural.hits, knn.hits);
    assert.equal(models.embedCalls.length, 1);

    models.embedCalls.length = 0;
    await call("PUT", "/_search/pipeline/enrich", {
      request_processors: [{ neural_query_enricher: { default_model_id: "ep-emb" } }],
    });
    const both = await ok(
      {
        query: {
          bool: {
            should: [
              { neural: { embedding: { query_text: "vector search", k: 3 } } },
              {
                neural: {
                  embedding: { query_text: "tomatoes", k: 3, filter: { term: { category: "garden" } } },
                },
              },
            ],
          },
        },
      },
      "?search_pipeline=enrich",
    );
    assert.ok(both.hits.length > 0);
    assert.deepEqual(models.embedCalls, [{ id: "ep-emb", texts: ["vector search", "tomatoes"] }]);
  });

  test("hybrid match + neural with min_max / arithmetic_mean", async () => {
    await call("PUT", "/_search/pipeline/norm", NORMALIZE);
    const neuralQuery = { neural: { embedding: { query_text: "vector search", model_id: "ep-emb", k: 4 } } };
    const lexical = await scoresOf({ match: { content: "keyword" } });
    const semantic = await scoresOf(neuralQuery);
    const minMax = (scores: Map<string, number>) => {
      const values = [...scores.values()];
      const [min, max] = [Math.min(...values), Math.max(...values)];
      return new Map([...scores].map(([id, s]) => [id, max === min ? 1 : (s - min) / (max - min) || 0.001]));
    };
    const [a, b] = [minMax(lexical), minMax(semantic)];
    const ids = new Set([...lexical.keys(), ...semantic.keys()]);
    const expected = [...ids]
      .map((id) => ({ id, score: ((a.get(id) ?? 0) + (b.get(id) ?? 0)) / 2 }))
      .sort((x, y) => y.score - x.score);
    const hits = await ok(
      { query: { hybrid: { queries: [{ match: { content: "keyword" } }, neuralQuery] } } },
      "?search_pipeline=norm",
    );
    assert.equal(hits.total.value, ids.size);
    assertRanking(hits.hits, expected);

    // the hybrid filter reaches the knn search itself: its 2 neighbours are both garden documents
    const garden = await ok(
      {
        query: {
          hybrid: {
            queries: [{ neural: { embedding: { query_text: "vector search", model_id: "ep-emb", k: 2 } } }],
            filter: { term: { category: "garden" } },
          },
        },
      },
      "?search_pipeline=norm",
    );
    assert.deepEqual(garden.hits.map((h) => h._id).sort(), ["4", "5"]);
  });

  test("rerank processor: the returned hits reordered by the reranker, max_score updated", async () => {
    await call("PUT", "/_search/pipeline/rerank", {
      response_processors: [
        { rerank: { ml_opensearch: { model_id: "ep-rerank" }, context: { document_fields: ["content"] } } },
      ],
    });
    const query = { match: { content: "search tomatoes" } };
    const plain = await ok({ query, size: 3 });
    const text = "vector search documents";
    const reranked = await ok(
      { query, size: 3, ext: { rerank: { query_context: { query_text: text } } } },
      "?search_pipeline=rerank",
    );
    const byId = new Map(DOCS.map((d) => [d.id, d.content]));
    const expected = plain.hits
      .map((h) => ({ id: h._id, score: rerankScore(text, byId.get(h._id) as string) }))
      .sort((x, y) => y.score - x.score);
    assertRanking(reranked.hits, expected);
    close(reranked.max_score as number, expected[0]?.score as number, "max_score");
    assert.equal(reranked.total.value, plain.total.value);

    // the query text can come from the request itself; _source need not be returned
    const viaPath = await ok(
      {
        query,
        size: 3,
        _source: false,
        ext: { rerank: { query_context: { query_text_path: "query.match.content" } } },
      },
      "?search_pipeline=rerank",
    );
    assert.equal(models.rerankCalls.at(-1)?.query, "search tomatoes");
    assert.ok(models.rerankCalls.at(-1)?.documents.every((d) => d.length > 0));
    assert.equal(viaPath.hits.length, 3);

    const missing = await failure({ query, size: 3 }, "?search_pipeline=rerank");
    assert.equal(missing.status, 400);
    assert.match(missing.reason, /ext\.rerank\.query_context/);

    await call("PUT", "/_search/pipeline/by-rating", {
      response_processors: [{ rerank: { by_field: { target_field: "rating", keep_previous_score: true } } }],
    });
    const byRating = await ok({ query, size: 4 }, "?search_pipeline=by-rating");
    const ratings = byRating.hits.map((h) => h._score);
    assert.deepEqual(
      ratings,
      [...ratings].sort((x, y) => y - x),
    );
    assert.ok(byRating.hits.every((h) => typeof h._source?.previous_score === "number"));
  });

  test("rescore: the window re-scored as ES does (total, multiply), hits outside keep query_weight × score", async () => {
    const query = { match: { content: "search" } };
    const rescoreQuery = { match: { content: "vector" } };
    const first = await scoresOf(query);
    const second = await scoresOf(rescoreQuery);
    const ranked = [...first];
    const window = 2;
    const rescored = ranked
      .map(([id, s], i) => {
        const primary = f(s * 0.7);
        const inWindow = i < window && second.has(id);
        return { id, score: inWindow ? f(primary + f((second.get(id) as number) * 1.5)) : primary };
      })
      .sort((x, y) => y.score - x.score);
    const hits = await ok({
      query,
      rescore: {
        window_size: window,
        query: { rescore_query: rescoreQuery, query_weight: 0.7, rescore_query_weight: 1.5 },
      },
    });
    assertRanking(hits.hits, rescored);
    close(hits.max_score as number, rescored[0]?.score as number, "max_score");

    const multiplied = await ok({
      query,
      size: 1,
      rescore: [{ window_size: 10, query: { rescore_query: rescoreQuery, score_mode: "multiply" } }],
    });
    const best = [...first]
      .map(([id, s]) => ({ id, score: second.has(id) ? f(s * (second.get(id) as number)) : s }))
      .sort((x, y) => y.score - x.score)[0];
    assert.equal(multiplied.hits[0]?._id, best?.id);
    close(multiplied.hits[0]?._score as number, best?.score as number);

    const withSort = await failure({
      query,
      sort: ["rating"],
      rescore: { query: { rescore_query: rescoreQuery } },
    });
    assert.equal(withSort.reason, "Cannot use [sort] option in conjunction with [rescore].");
  });

  test("filter_query request processor and _msearch through pipelines", async () => {
    await call("PUT", "/_search/pipeline/garden-only", {
      request_processors: [{ filter_query: { query: { term: { category: "garden" } } } }],
    });
    const hits = await ok(
      { query: { match: { content: "tomatoes search" } } },
      "?search_pipeline=garden-only",
    );
    assert.deepEqual(hits.hits.map((h) => h._id).sort(), ["4", "5"]);
    const body = [
      JSON.stringify({ index: "docs", search_pipeline: "norm" }),
      JSON.stringify({ query: HYBRID }),
      JSON.stringify({ index: "docs" }),
      JSON.stringify({ query: HYBRID }),
    ].join("\n");
    const res = await call("POST", "/_msearch", `${body}\n`);
    const responses = res.body.responses as { status: number; hits?: { total: { value: number } } }[];
    assert.equal(responses[0]?.status, 200);
    assert.equal(responses[0]?.hits?.total.value, 6);
    assert.equal(responses[1]?.status, 400);
  });
});

import assert from "node:assert/strict";
import http from "node:http";
import { describe, test } from "node:test";
import { api } from "../helpers/platform.ts";
import { searchClientFixture } from "../helpers/search-client.ts";
import { SEED_RAG_DOCS } from "../helpers/seed.ts";

describe("search API with the official OpenSearch client", () => {
  const fx = searchClientFixture();

  test("GET / answers like OpenSearch and the cluster is healthy", async () => {
    const info = await fx.client.info();
    assert.equal(info.body.version.distribution, "opensearch");
    const health = await fx.client.cluster.health();
    assert.ok(["green", "yellow"].includes(health.body.status));
  });

  test("the seed workflow: ik_max_word mapping, BM25 + synonym settings, bulk, boosted bool, synonym search", async () => {
    // exactly the seed's requests (knn_vector is accepted; vector search comes with the vectors issue)
    const created = await fx.client.indices.create({
      index: "rag-docs",
      body: SEED_RAG_DOCS,
    });
    assert.equal(created.body.acknowledged, true);
    const put = await fx.client.indices.putSettings({
      index: "rag-docs",
      body: {
        "index.similarity.default.type": "BM25",
        "index.analysis.filter.synonyms.synonyms": ["ai, artificial intelligence"],
      },
    });
    assert.equal(put.body.acknowledged, true);
    // the unattached synonym filter is applied at search time, and the response says so
    const warning = String(put.warnings ?? put.headers?.warning ?? "");
    assert.match(warning, /synonyms/);

    const docs = [
      { id: "1", content: "Artificial intelligence is changing how search engines rank documents." },
      { id: "2", content: "BM25 is a ranking function based on term frequency and document length." },
      { id: "3", content: "人工智能正在改变搜索引擎的排序方式" },
      { id: "4", content: "Gardening tips for growing tomatoes in the summer." },
    ];
    const bulk = await fx.client.bulk({
      refresh: true,
      body: docs.flatMap(({ id, content }) => [{ index: { _index: "rag-docs", _id: id } }, { content }]),
    });
    assert.equal(bulk.body.errors, false);
    assert.equal(bulk.body.items.length, 4);

    const ai = await fx.client.search({ index: "rag-docs", body: { query: { match: { content: "ai" } } } });
    const ids = ai.body.hits.hits.map((h: { _id: string }) => h._id);
    assert.ok(
      ids.includes("1"),
      `"ai" should find the document that only says "artificial intelligence": ${JSON.stringify(ids)}`,
    );
    assert.ok(!ids.includes("4"));

    const zh = await fx.client.search({
      index: "rag-docs",
      body: { query: { match: { content: "搜索引擎" } } },
    });
    assert.equal(zh.body.hits.hits[0]._id, "3");

    const boosted = await fx.client.search({
      index: "rag-docs",
      body: {
        query: {
          bool: {
            should: [
              { match: { content: { query: "ranking", boost: 3 } } },
              { match: { content: { query: "search", boost: 0.5 } } },
            ],
            must_not: [{ match: { content: "tomatoes" } }],
          },
        },
        explain: true,
      },
    });
    const hits = boosted.body.hits.hits;
    assert.ok(hits.length >= 2);
    assert.ok(hits.every((h: { _id: string }) => h._id !== "4"));
    for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1]._score >= hits[i]._score);
    assert.match(JSON.stringify(hits[0]._explanation), /boost/);

    const mapping = await fx.client.indices.getMapping({ index: "rag-docs" });
    assert.equal(mapping.body["rag-docs"].mappings.properties.embedding.dimension, 768);
    const settings = await fx.client.indices.getSettings({ index: "rag-docs" });
    assert.equal(settings.body["rag-docs"].settings.index.similarity.default.type, "BM25");
  });

  test("documents: create, get, update, optimistic concurrency, delete", async () => {
    await fx.client.indices.create({
      index: "books",
      body: {
        mappings: {
          properties: { title: { type: "text" }, year: { type: "integer" }, tags: { type: "keyword" } },
        },
      },
    });
    const created = await fx.client.index({
      index: "books",
      id: "b1",
      body: { title: "The Art of Search", year: 2001, tags: ["ir"] },
      refresh: true,
    });
    assert.equal(created.body.result, "created");
    assert.equal(created.body._version, 1);
    const got = await fx.client.get({ index: "books", id: "b1" });
    assert.equal(got.body._source.title, "The Art of Search");
    const updated = await fx.client.update({
      index: "books",
      id: "b1",
      body: { doc: { year: 2002 } },
      refresh: true,
    });
    assert.equal(updated.body.result, "updated");
    const stale = await api(
      fx.url,
      "PUT",
      `/books/_doc/b1?if_seq_no=${created.body._seq_no}&if_primary_term=1`,
      { title: "x" },
    );
    assert.equal(stale.status, 409);
    assert.equal((stale.body as { error: { type: string } }).error.type, "version_conflict_engine_exception");
    const range = await fx.client.search({
      index: "books",
      body: { query: { range: { year: { gte: 2002 } } } },
    });
    assert.equal(range.body.hits.total.value, 1);
    await fx.client.delete({ index: "books", id: "b1", refresh: true });
    const missing = await api(fx.url, "GET", "/books/_doc/b1");
    assert.equal(missing.status, 404);
    assert.equal((missing.body as { found: boolean }).found, false);
  });

  test("search features: from/size, _source filtering, sort, aggregations, highlight, count, msearch", async () => {
    await fx.client.indices.create({
      index: "movies",
      body: {
        mappings: {
          properties: {
            title: { type: "text", fields: { raw: { type: "keyword" } } },
            genre: { type: "keyword" },
            rating: { type: "float" },
          },
        },
      },
    });
    const movies = [
      ["m1", "The Matrix", "scifi", 8.7],
      ["m2", "The Matrix Reloaded", "scifi", 7.2],
      ["m3", "Finding Nemo", "animation", 8.1],
      ["m4", "Toy Story", "animation", 8.3],
      ["m5", "Heat", "crime", 8.3],
    ] as const;
    await fx.client.bulk({
      refresh: true,
      body: movies.flatMap(([id, title, genre, rating]) => [
        { index: { _index: "movies", _id: id } },
        { title, genre, rating },
      ]),
    });
    const page = await fx.client.search({
      index: "movies",
      body: {
        query: { match_all: {} },
        sort: [{ rating: "desc" }, { "title.raw": "asc" }],
        from: 1,
        size: 2,
        _source: ["title"],
      },
    });
    assert.deepEqual(
      page.body.hits.hits.map((h: { _id: string }) => h._id),
      ["m5", "m4"],
    ); // equal ratings: "Heat" sorts before "Toy Story"
    assert.deepEqual(Object.keys(page.body.hits.hits[0]._source), ["title"]);
    const aggs = await fx.client.search({
      index: "movies",
      body: {
        size: 0,
        aggs: { genres: { terms: { field: "genre" } }, avg_rating: { avg: { field: "rating" } } },
      },
    });
    const buckets = aggs.body.aggregations.genres.buckets;
    assert.deepEqual(
      buckets.map((b: { key: string; doc_count: number }) => [b.key, b.doc_count]),
      [
        ["animation", 2],
        ["scifi", 2],
        ["crime", 1],
      ],
    );
    assert.ok(Math.abs(aggs.body.aggregations.avg_rating.value - 8.12) < 0.01);
    const hl = await fx.client.search({
      index: "movies",
      body: { query: { match: { title: "matrix" } }, highlight: { fields: { title: {} } } },
    });
    assert.match(hl.body.hits.hits[0].highlight.title[0], /<em>Matrix<\/em>/);
    const count = await fx.client.count({
      index: "movies",
      body: { query: { term: { genre: "animation" } } },
    });
    assert.equal(count.body.count, 2);
    const ms = await fx.client.msearch({
      body: [
        { index: "movies" },
        { query: { match: { title: "nemo" } } },
        { index: "nope" },
        { query: { match_all: {} } },
      ],
    });
    assert.equal(ms.body.responses[0].hits.hits[0]._id, "m3");
    assert.equal(ms.body.responses[1].status, 404);
  });

  test("GET _search and _count read a JSON body, as Elasticsearch does (curl -XGET -d, Dev Tools)", async () => {
    await fx.client.index({ index: "getbody", id: "1", body: { a: "hello world" } });
    await fx.client.index({ index: "getbody", id: "2", body: { a: "other words" }, refresh: true });
    const get = (path: string, body: unknown) =>
      new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
        const target = new URL(`${fx.url}${path}`);
        const text = JSON.stringify(body);
        const req = http.request(
          {
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method: "GET",
            headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text) },
          },
          (res) => {
            let out = "";
            res.on("data", (c) => {
              out += c;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(out) }));
          },
        );
        req.on("error", reject);
        req.end(text);
      });
    const search = await get("/getbody/_search", { query: { match: { a: "hello" } } });
    assert.equal(search.status, 200);
    const hits = (search.body.hits as { hits: Array<{ _id: string }> }).hits;
    assert.deepEqual(
      hits.map((h) => h._id),
      ["1"],
    );
    const count = await get("/getbody/_count", { query: { match: { a: "words" } } });
    assert.equal(count.body.count, 1); // match_all would count 2
    const bad = await get("/getbody/_search", { query: { no_such_query: {} } });
    assert.equal(bad.status, 400);
  });

  test("aliases, _analyze, _cat and close/open", async () => {
    await fx.client.indices.putAlias({ index: "movies", name: "films" });
    const viaAlias = await fx.client.search({
      index: "films",
      body: { query: { match: { title: "heat" } } },
    });
    assert.equal(viaAlias.body.hits.hits[0]._index, "movies");
    const analyzed = await fx.client.indices.analyze({
      body: { analyzer: "english", text: "The runners' running quickly" },
    });
    assert.deepEqual(
      analyzed.body.tokens.map((t: { token: string }) => t.token),
      ["runner", "run", "quickli"],
    );
    const cat = await api<unknown>(fx.url, "GET", "/_cat/indices?format=json");
    assert.ok((cat.body as { index: string }[]).some((r) => r.index === "movies"));
    await fx.client.indices.close({ index: "movies" });
    const closed = await api(fx.url, "POST", "/movies/_search", { query: { match_all: {} } });
    assert.equal(closed.status, 400);
    assert.equal((closed.body as { error: { type: string } }).error.type, "index_closed_exception");
    await fx.client.indices.open({ index: "movies" });
    const reopened = await fx.client.count({ index: "movies" });
    assert.equal(reopened.body.count, 5);
  });

  test("errors have Elasticsearch's shape and name the problem", async () => {
    const badMapping = await api(fx.url, "PUT", "/bad", {
      mappings: { properties: { f: { type: "strange" } } },
    });
    assert.equal(badMapping.status, 400);
    const err = badMapping.body as {
      error: { type: string; reason: string; root_cause: unknown[] };
      status: number;
    };
    assert.equal(err.error.type, "mapper_parsing_exception");
    assert.match(err.error.reason, /\[strange\].*\[f\]/);
    assert.equal(err.status, 400);
    assert.ok(Array.isArray(err.error.root_cause));
    const missing = await api(fx.url, "GET", "/nope/_search");
    assert.equal(missing.status, 404);
    assert.equal((missing.body as { error: { type: string } }).error.type, "index_not_found_exception");
    const badQuery = await api(fx.url, "POST", "/movies/_search", {
      query: { match: { title: { query: "x", bogus: 1 } } },
    });
    assert.equal(badQuery.status, 400);
    assert.match((badQuery.body as { error: { reason: string } }).error.reason, /bogus/);
    const badSetting = await api(fx.url, "PUT", "/movies/_settings", {
      "index.similarity.default.type": "BM25",
      "index.similarity.default.k1": 2,
    });
    assert.equal(badSetting.status, 400);
    assert.match((badSetting.body as { error: { reason: string } }).error.reason, /close the index first/);
  });
});

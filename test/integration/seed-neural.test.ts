/**
 * The seed's third step verbatim through the official OpenSearch client, against a real platform
 * with a really deployed embedder of the seed's dimension: `PUT /rag-docs` (knn_vector 768,
 * `index.knn: true`), `PUT /rag-docs/_settings` (BM25 + synonyms), documents embedded by a
 * text_embedding pipeline, and `GET /rag-docs/_search` with the seed's `neural` query naming the
 * endpoint id — then the same with the model id, a hybrid query, a stopped endpoint and a model of
 * another dimension.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "@opensearch-project/opensearch";
import { api, startTestPlatform, tempDir } from "../helpers/platform.ts";
import { SEED_RAG_DOCS } from "../helpers/seed.ts";
import { deployFolder, uploadSmallModels } from "../helpers/small-models.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;
// biome-ignore lint/suspicious/noExplicitAny: responses of the search API are read loosely
type Body = any;

const TEXTS = [
  "the boundary layer on a flat plate thickens downstream",
  "shock waves form ahead of a blunt body in supersonic flow",
  "heat transfer to the wall rises with the mach number",
  "the wing lift depends on the angle of attack",
];

describe("the seed's neural search, verbatim, with a deployed endpoint", () => {
  let running: Running;
  let client: Client;
  let modelId: string;
  let endpointId: string;
  let smallEndpoint: string;

  before(async () => {
    running = await startTestPlatform({}, tempDir());
    client = new Client({ node: running.searchUrl });
    const work = tempDir();
    await uploadSmallModels(
      running,
      work,
      { embedder: "oss://bucket/emb/", reranker: "oss://bucket/rr/" },
      768,
    );
    ({ modelId, endpointId } = await deployFolder(running, "custom-emb", "oss://bucket/emb/"));
    await uploadSmallModels(running, tempDir(), {
      embedder: "oss://bucket/emb64/",
      reranker: "oss://bucket/rr64/",
    });
    ({ endpointId: smallEndpoint } = await deployFolder(running, "small-emb", "oss://bucket/emb64/"));
  });
  after(() => running.close());

  test("PUT /rag-docs and _settings as the seed sends them, documents embedded by a pipeline", async () => {
    const created = await client.indices.create({ index: "rag-docs", body: SEED_RAG_DOCS });
    assert.equal(created.body.acknowledged, true);
    await client.indices.close({ index: "rag-docs" });
    const settings = await client.indices.putSettings({
      index: "rag-docs",
      body: {
        "index.similarity.default.type": "BM25",
        "index.analysis.filter.synonyms.synonyms": ["ai, artificial intelligence"],
      },
    });
    assert.equal(settings.body.acknowledged, true);
    await client.indices.open({ index: "rag-docs" });
    const pipeline = await client.ingest.putPipeline({
      id: "rag-embed",
      body: {
        processors: [{ text_embedding: { model_id: endpointId, field_map: { content: "embedding" } } }],
      },
    });
    assert.equal(pipeline.body.acknowledged, true);
    const bulk = await client.bulk({
      refresh: true,
      pipeline: "rag-embed",
      body: TEXTS.flatMap((content, i) => [{ index: { _index: "rag-docs", _id: String(i) } }, { content }]),
    });
    assert.equal(bulk.body.errors, false, JSON.stringify(bulk.body.items[0]));
    const doc = await client.get({ index: "rag-docs", id: "1" });
    assert.equal((doc.body._source as Body).embedding.length, 768);
  });

  test("the seed's neural query with the endpoint id (GET with a body, and the client's search)", async () => {
    const seedQuery = {
      query: { neural: { embedding: { query_text: "prompt", model_id: endpointId, k: 50 } } },
    };
    const viaGet = await client.transport.request({
      method: "GET",
      path: "/rag-docs/_search",
      body: seedQuery,
    });
    assert.equal(viaGet.statusCode, 200);
    assert.equal(
      (viaGet.body as Body).hits.hits.length,
      TEXTS.length,
      "k 50 over four documents finds all four",
    );

    const res = await client.search({
      index: "rag-docs",
      body: {
        query: {
          neural: { embedding: { query_text: "supersonic shock waves", model_id: endpointId, k: 2 } },
        },
      },
    });
    const hits = (res.body as Body).hits.hits;
    assert.equal(hits.length, 2);
    assert.equal(hits[0]._id, "1", "the shock-wave document is nearest to a question about shock waves");
    // the same search by model id: the model's running endpoint answers
    const byModel = await client.search({
      index: "rag-docs",
      body: {
        query: { neural: { embedding: { query_text: "supersonic shock waves", model_id: modelId, k: 2 } } },
      },
    });
    assert.deepEqual(
      (byModel.body as Body).hits.hits.map((h: Body) => [h._id, h._score]),
      hits.map((h: Body) => [h._id, h._score]),
    );
  });

  test("hybrid BM25 + neural through a normalization pipeline", async () => {
    await client.transport.request({
      method: "PUT",
      path: "/_search/pipeline/rag-hybrid",
      body: {
        phase_results_processors: [
          {
            "normalization-processor": {
              normalization: { technique: "min_max" },
              combination: { technique: "arithmetic_mean", parameters: { weights: [0.4, 0.6] } },
            },
          },
        ],
      },
    });
    const res = await client.search({
      index: "rag-docs",
      search_pipeline: "rag-hybrid",
      body: {
        query: {
          hybrid: {
            queries: [
              { match: { content: "heat transfer" } },
              { neural: { embedding: { query_text: "heat transfer", model_id: endpointId, k: 4 } } },
            ],
          },
        },
      },
    } as Parameters<Client["search"]>[0]);
    const hits = (res.body as Body).hits.hits;
    assert.equal(hits[0]._id, "2");
    assert.ok(hits[0]._score <= 1 && hits[0]._score > 0.5, `normalised score ${hits[0]._score}`);
  });

  test("a model of another dimension, and a stopped endpoint, are refused naming them", async () => {
    const mismatch = await api(running.searchUrl, "POST", "/rag-docs/_search", {
      query: { neural: { embedding: { query_text: "lift", model_id: smallEndpoint, k: 2 } } },
    });
    assert.equal(mismatch.status, 400);
    const reason = JSON.stringify(mismatch.body);
    assert.match(reason, /64/);
    assert.match(reason, /768/);
    const pipeline = await api(running.searchUrl, "PUT", "/_ingest/pipeline/small", {
      processors: [{ text_embedding: { model_id: smallEndpoint, field_map: { content: "embedding" } } }],
    });
    assert.equal(pipeline.status, 200, "a pipeline alone pairs the model with no field yet");
    const paired = await api(running.searchUrl, "PUT", "/rag-docs/_settings", {
      "index.default_pipeline": "small",
    });
    assert.equal(paired.status, 400);
    assert.match(JSON.stringify(paired.body), /64[\s\S]*768|768[\s\S]*64/);

    const stopped = await api(running.url, "POST", `/v1/endpoints/${endpointId}/stop`);
    assert.ok(stopped.status < 300, JSON.stringify(stopped.body));
    const res = await api(running.searchUrl, "POST", "/rag-docs/_search", {
      query: { neural: { embedding: { query_text: "lift", model_id: endpointId, k: 2 } } },
    });
    assert.ok(res.status >= 400 && res.status < 600, `status ${res.status}`);
    assert.match(JSON.stringify(res.body), new RegExp(endpointId));
  });
});

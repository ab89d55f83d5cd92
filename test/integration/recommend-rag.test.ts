/**
 * End to end: a RAG app answers users' questions, they click citations; the recommender reads the
 * interaction log, a retraining job trains the recall models, and POST /v2/recommend returns items
 * for those users with the channels that produced them, a trace id and logged exposures. The
 * index embeds its chunks with a deployed (small) embedder, so the content channel (kNN) and the
 * recent-questions channel (neural query) run on the same index.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { api, startTestPlatform, tempDir } from "../helpers/platform.ts";
import { deployFolder, uploadSmallModels } from "../helpers/small-models.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;
// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely
type Body = any;

const DOCS = [
  {
    id: "models.md#1",
    title: "Training an embedding model",
    source: "docs/models.md",
    content:
      "Train an embedding model with the train-embedding job. The job reads queries and documents from object storage.",
  },
  {
    id: "serving.md#2",
    title: "Deploying models",
    source: "docs/serving.md",
    content:
      "Deploy an embedding model by registering its folder with POST /v1/models and creating an endpoint.",
  },
  {
    id: "search.md#3",
    title: "The search port",
    source: "docs/search.md",
    content: "The search engine listens on port 9200 by default. It speaks the Elasticsearch REST API.",
  },
  {
    id: "jobs.md#4",
    title: "Stopping jobs",
    source: "docs/jobs.md",
    content: "Stop a running job with lodestone dlc stop-job. A stopped job keeps its logs.",
  },
  {
    id: "tuning.md#5",
    title: "Relevance tuning",
    source: "docs/tuning.md",
    content: "The tuner changes BM25 k1 and b and keeps a change only when held-out queries improve.",
  },
];

const until = async <T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe("recommendations from RAG questions and citation clicks", () => {
  let server: Running;
  let instance: string;
  const call = (method: string, route: string, body?: unknown) => api<Body>(server.url, method, route, body);

  before(async () => {
    server = await startTestPlatform(
      { "recommend.intakeIntervalMs": 100, "recommend.retrainIntervalMs": 0, "recommend.syncIntervalMs": 0 },
      tempDir(),
    );
    await uploadSmallModels(server, tempDir(), {
      embedder: "oss://models/emb/",
      reranker: "oss://models/rr/",
    });
    const embedder = (await deployFolder(server, "kb-emb", "oss://models/emb/")).endpointId;
    const search = (method: string, path: string, body?: unknown) =>
      api<Body>(server.searchUrl, method, path, body);
    await search("PUT", "/_ingest/pipeline/kb-embed", {
      processors: [{ text_embedding: { model_id: embedder, field_map: { content: "embedding" } } }],
    });
    const created = await search("PUT", "/kb", {
      settings: { "index.knn": true, "index.default_pipeline": "kb-embed" },
      mappings: {
        properties: {
          title: { type: "text", analyzer: "english" },
          content: { type: "text", analyzer: "english" },
          source: { type: "keyword" },
          embedding: { type: "knn_vector", dimension: 64 },
        },
      },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    for (const { id, ...doc } of DOCS) await search("PUT", `/kb/_doc/${encodeURIComponent(id)}`, doc);
    await search("POST", "/kb/_refresh");
    const app = await call("POST", "/v1/rag/apps", {
      name: "kb",
      index: "kb",
      retrieval: { mode: "bm25", k: 2 },
    });
    assert.equal(app.status, 201, JSON.stringify(app.body));

    instance = (await call("POST", "/v2/instances", { name: "docs" })).body.result.instance_id;
    // the seed's call, with the embedded engine's real URL
    const ds = await call("POST", `/v2/instances/${instance}/datasources`, {
      type: "elasticsearch",
      endpoint: server.searchUrl,
      index: "kb",
    });
    assert.equal(ds.status, 201, JSON.stringify(ds.body));
    const synced = await call(
      "POST",
      `/v2/instances/${instance}/datasources/${ds.body.result.datasource_id}/sync`,
    );
    assert.equal(synced.body.result.sync.items, DOCS.length, JSON.stringify(synced.body));
  });
  after(async () => server?.close());

  test("users who asked and clicked citations get recommendations with channels and a trace id", async () => {
    const askAndClick = async (user: string, query: string, chunk?: string) => {
      const answer = await call("POST", "/v1/rag/apps/kb/chat", { query, user_id: user });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      if (!chunk) return;
      const cited = answer.body.citations.map((c: Body) => c.chunk_id);
      assert.ok(cited.includes(chunk), `${query} → ${cited}`);
      const click = await call("POST", "/v1/rag/apps/kb/feedback", {
        chat_id: answer.body.id,
        clicked_citation: chunk,
      });
      assert.equal(click.status, 200, JSON.stringify(click.body));
    };
    await askAndClick("u1", "How do I train an embedding model?", "models.md#1");
    await askAndClick("u1", "Which port does the search engine listen on?", "search.md#3");
    await askAndClick("u2", "How do I train an embedding model?", "models.md#1");
    await askAndClick("u2", "How do I deploy an embedding model with an endpoint?", "serving.md#2");
    await askAndClick("u3", "Which port does the search engine listen on?", "search.md#3");
    await askAndClick("u3", "How do I stop a running job?", "jobs.md#4");
    await askAndClick("u4", "How do I stop a running job?");

    // the intake reads the interaction log into the instance's behaviours
    await until("the clicks in the behaviour log", async () => {
      const res = await call("GET", `/v2/instances/${instance}/behaviors?user_id=u3`);
      return res.body.result.length === 2 ? true : undefined;
    });
    const u1 = await call("GET", `/v2/instances/${instance}/behaviors?user_id=u1`);
    assert.deepEqual(u1.body.result.map((b: Body) => `${b.type}:${b.item_id}:${b.source}`).sort(), [
      "click:models.md#1:rag",
      "click:search.md#3:rag",
    ]);

    const train = await call("POST", `/v2/instances/${instance}/train`);
    assert.equal(train.status, 202, JSON.stringify(train.body));
    assert.match(train.body.result.job_id, /^dlc/);
    assert.equal(train.body.result.events, 6);
    const model = await until("the trained models", async () => {
      const info = await call("GET", `/v2/instances/${instance}`);
      if (!info.body.result.model.version) {
        const job = await call("GET", `/api/v1/jobs/${train.body.result.job_id}`);
        assert.notEqual(job.body.Status, "Failed", JSON.stringify(job.body));
        return undefined;
      }
      return info.body.result.model;
    });
    assert.ok(model.channels.includes("item_cf"), JSON.stringify(model));

    const rec = await call("POST", "/v2/recommend", { instance_id: instance, user_id: "u1", size: 3 });
    assert.equal(rec.status, 200, JSON.stringify(rec.body));
    const ids = rec.body.result.map((r: Body) => r.item_id);
    assert.ok(ids.length > 0);
    assert.ok(
      !ids.includes("models.md#1") && !ids.includes("search.md#3"),
      "already seen items are left out",
    );
    // people who clicked what u1 clicked also clicked these
    assert.ok(ids.includes("serving.md#2") && ids.includes("jobs.md#4"), JSON.stringify(rec.body));
    const serving = rec.body.result.find((r: Body) => r.item_id === "serving.md#2");
    assert.ok(
      serving.channels.some((c: Body) => c.channel === "item_cf"),
      JSON.stringify(serving),
    );
    assert.equal(serving.title, "Deploying models");
    assert.ok(rec.body.trace_id && serving.trace_id === rec.body.trace_id);
    const exposed = await call("GET", `/v2/instances/${instance}/behaviors?user_id=u1&type=expose`);
    assert.deepEqual(exposed.body.result.map((b: Body) => b.item_id).sort(), [...ids].sort());
    assert.ok(exposed.body.result.every((b: Body) => b.trace_id === rec.body.trace_id));

    // u4 only asked: the recent-questions channel (neural query on the same index) answers
    const u4 = await call("POST", "/v2/recommend", { instance_id: instance, user_id: "u4", size: 3 });
    assert.equal(u4.status, 200);
    assert.ok(
      u4.body.result.some((r: Body) => r.channels.some((c: Body) => c.channel === "questions")),
      JSON.stringify(u4.body),
    );

    // related items beside an answer: item-to-item from a cited chunk
    const related = await call("POST", "/v2/recommend", {
      instance_id: instance,
      items: ["models.md#1"],
      size: 2,
    });
    assert.equal(related.status, 200);
    assert.ok(
      related.body.result.some((r: Body) => r.item_id === "serving.md#2"),
      JSON.stringify(related.body),
    );
  });

  test("an instance created after the clicks still gets them (each instance follows the log itself)", async () => {
    const late = (await call("POST", "/v2/instances", { name: "late" })).body.result.instance_id;
    const ds = await call("POST", `/v2/instances/${late}/datasources`, {
      type: "elasticsearch",
      endpoint: server.searchUrl,
      index: "kb",
    });
    assert.equal(ds.status, 201);
    const clicks = await until("the earlier clicks", async () => {
      const res = await call("GET", `/v2/instances/${late}/behaviors?user_id=u2`);
      return res.body.result.length === 2 ? res.body.result : undefined;
    });
    assert.deepEqual(clicks.map((b: Body) => b.item_id).sort(), ["models.md#1", "serving.md#2"]);
    assert.equal((await call("DELETE", `/v2/instances/${late}`)).status, 200);
  });
});

/**
 * The search requests a RAG app sends, per mode, through a recording backend: BM25 multi_match with
 * the filters ANDed, neural and hybrid naming the model id the backend gives for the endpoint (an
 * ML Commons model on OpenSearch), the app's pipeline or an inline one; rerank scores reorder the
 * top `depth` and the trace reports both stages.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { EndpointRef, SearchBackend } from "../../src/backends/index.ts";
import { type App, withDefaults } from "../../src/rag/app-schema.ts";
import type { RagModels } from "../../src/rag/models.ts";
import { ModelIds, retrieve, searchRequest } from "../../src/rag/retrieval.ts";
import { ExtractiveAnswerer } from "../../src/serving/answerer.ts";

// biome-ignore lint/suspicious/noExplicitAny: recorded request bodies are read loosely
type Body = any;

function recordingBackend(hits: { _id: string; _score: number; content: string }[]) {
  const requests: { method: string; path: string; opts: Body }[] = [];
  const refs: EndpointRef[] = [];
  const backend: SearchBackend = {
    kind: "opensearch",
    baseUrl: "http://cluster:9200",
    async json<T>(method: string, path: string, opts: Body = {}) {
      requests.push({ method, path, opts });
      return {
        hits: {
          hits: hits.map((h) => ({
            _id: h._id,
            _index: "kb",
            _score: h._score,
            _source: { content: h.content },
          })),
        },
      } as T;
    },
    async modelIdFor(ref: EndpointRef) {
      refs.push(ref);
      return `remote-${ref.endpointId}`;
    },
    async describe() {
      throw new Error("unused");
    },
    async close() {},
  };
  return { backend, requests, refs };
}

const models: RagModels = {
  describe: () => ({ kind: "embedding", name: "emb", dimension: 8 }),
  // the reranker prefers longer texts
  rerank: async (_ref, _q, texts) => texts.map((t) => t.length),
  chat: () => new ExtractiveAnswerer(),
};

const app = (over: Record<string, unknown>): App => ({
  id: "app-x",
  created_at: "",
  updated_at: "",
  ...withDefaults({ name: "kb", index: "kb", retrieval: { mode: "bm25" }, ...over } as Parameters<
    typeof withDefaults
  >[0]),
});

describe("RAG retrieval requests", () => {
  test("bm25: multi_match over the text fields, the app's and the request's filters ANDed", async () => {
    const { backend } = recordingBackend([]);
    const a = app({ retrieval: { mode: "bm25", filter: { term: { lang: "en" } }, candidates: 7 } });
    const { body, pipeline } = await searchRequest(
      a,
      "q",
      { filter: { term: { section: "Jobs" } } },
      new ModelIds(backend, models),
    );
    assert.equal(pipeline, undefined);
    assert.equal(body.size, 5, "without a reranker only the top k are fetched");
    const reranked = app({
      retrieval: { mode: "bm25", candidates: 30 },
      rerank: { model_id: "ep-r", depth: 12 },
    });
    const deep = await searchRequest(reranked, "q", {}, new ModelIds(backend, models));
    assert.equal(deep.body.size, 12, "the reranker reads its depth");
    assert.deepEqual(body.query, {
      bool: {
        must: [{ multi_match: { query: "q", fields: ["title^2", "content"] } }],
        filter: [{ bool: { filter: [{ term: { lang: "en" } }, { term: { section: "Jobs" } }] } }],
      },
    });
    assert.deepEqual(body._source, { excludes: ["embedding"] });
  });

  test("neural and hybrid name the backend's model id for the endpoint, asked once", async () => {
    const { backend, refs } = recordingBackend([]);
    const ids = new ModelIds(backend, models);
    const neural = await searchRequest(
      app({ retrieval: { mode: "neural", model_id: "ep-e", candidates: 9 } }),
      "q",
      {},
      ids,
    );
    assert.deepEqual(neural.body.query, {
      neural: { embedding: { query_text: "q", model_id: "remote-ep-e", k: 9 } },
    });
    const hybrid = await searchRequest(
      app({ retrieval: { mode: "hybrid", model_id: "ep-e", search_pipeline: "p" } }),
      "q",
      {},
      ids,
    );
    assert.equal(hybrid.pipeline, "p");
    const query = hybrid.body.query as Body;
    assert.equal(query.hybrid.queries.length, 2);
    assert.equal(query.hybrid.pagination_depth, 50);
    const inline = await searchRequest(
      app({ retrieval: { mode: "hybrid", model_id: "ep-e" } }),
      "q",
      {},
      ids,
    );
    assert.equal(inline.pipeline, undefined);
    assert.ok((inline.body.search_pipeline as Body).phase_results_processors);
    assert.deepEqual(refs, [{ endpointId: "ep-e", kind: "embedding", dimension: 8, name: "emb" }]);
  });

  test("the reranker reorders the top depth; the rest follow; k are kept; the trace has both stages", async () => {
    const { backend, requests } = recordingBackend([
      { _id: "a", _score: 3, content: "short" },
      { _id: "b", _score: 2, content: "much longer text" },
      { _id: "c", _score: 1, content: "the longest text of them all" },
    ]);
    const a = app({ retrieval: { mode: "bm25", k: 2 }, rerank: { model_id: "ep-r", depth: 2 } });
    const { chunks, stages } = await retrieve(backend, models, new ModelIds(backend, models), a, "q");
    assert.equal(requests[0]?.path, "/kb/_search");
    assert.deepEqual(
      chunks.map((c) => c.id),
      ["b", "a"],
    );
    assert.deepEqual(
      stages.map((s) => s.stage),
      ["retrieve", "rerank"],
    );
    assert.deepEqual((stages[1] as Body).hits, [
      { chunk_id: "b", score: 16 },
      { chunk_id: "a", score: 5 },
    ]);
  });
});

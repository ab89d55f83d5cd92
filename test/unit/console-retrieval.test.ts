/**
 * The console's retrieval helpers (web/src/retrieval.ts), which need no browser: field discovery
 * in a mapping, and the search bodies of the four modes with what each mode needs from the index.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fieldsByType, type ModeChoice, modeRequest } from "../../web/src/retrieval.ts";

const CHOICE: ModeChoice = {
  textFields: ["title^2", "content"],
  vectorField: "embedding",
  modelId: "ep-emb",
  hybridPipeline: "docs-hybrid",
  rerankPipeline: "docs-rerank",
};

test("fieldsByType lists fields by type with dotted paths for objects", () => {
  const types = fieldsByType({
    title: { type: "text" },
    meta: { properties: { author: { type: "keyword" }, summary: { type: "text" } } },
    embedding: { type: "knn_vector" },
    tags: { type: "keyword" },
  });
  assert.deepEqual(types.get("text"), ["title", "meta.summary"]);
  assert.deepEqual(types.get("keyword"), ["meta.author", "tags"]);
  assert.deepEqual(types.get("knn_vector"), ["embedding"]);
});

test("each mode's request: BM25, neural, hybrid with its pipeline, rerank with the query text in ext", () => {
  const lexical = { multi_match: { query: "stop a job", fields: ["title^2", "content"] } };
  const neural = { neural: { embedding: { query_text: "stop a job", model_id: "ep-emb", k: 50 } } };
  assert.deepEqual(modeRequest("bm25", "stop a job", CHOICE, 10), { body: { query: lexical, size: 10 } });
  assert.deepEqual(modeRequest("neural", "stop a job", CHOICE, 10), { body: { query: neural, size: 10 } });
  const hybrid = { hybrid: { queries: [lexical, neural], pagination_depth: 50 } };
  assert.deepEqual(modeRequest("hybrid", "stop a job", CHOICE, 10), {
    body: { query: hybrid, size: 10 },
    pipeline: "docs-hybrid",
  });
  assert.deepEqual(modeRequest("rerank", "stop a job", CHOICE, 10), {
    body: { query: hybrid, size: 10, ext: { rerank: { query_context: { query_text: "stop a job" } } } },
    pipeline: "docs-rerank",
  });
  // more results than the default depth: the vector search looks as deep as the page
  const deep = modeRequest("neural", "q", CHOICE, 80);
  assert.equal(typeof deep === "object" && JSON.stringify(deep.body).includes('"k":80'), true);
});

test("a mode the index cannot run says what is missing", () => {
  assert.match(String(modeRequest("bm25", "q", { ...CHOICE, textFields: [] }, 10)), /no text fields/);
  assert.match(
    String(modeRequest("neural", "q", { ...CHOICE, vectorField: null }, 10)),
    /no knn_vector field/,
  );
  assert.match(String(modeRequest("neural", "q", { ...CHOICE, modelId: null }, 10)), /text_embedding/);
  assert.match(
    String(modeRequest("hybrid", "q", { ...CHOICE, hybridPipeline: null }, 10)),
    /normalization-processor/,
  );
  assert.match(
    String(modeRequest("rerank", "q", { ...CHOICE, rerankPipeline: null }, 10)),
    /rerank response processor/,
  );
});

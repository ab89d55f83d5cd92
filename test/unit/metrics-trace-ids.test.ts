import assert from "node:assert/strict";
import { test } from "node:test";
import { traceIdOf } from "../../src/server/metrics/trace-ids.ts";

test("trace ids come from a recommendation, an OpenAI-style RAG completion and a RAG app chat", () => {
  assert.equal(traceIdOf("/v2/recommend", { request_id: "r1", trace_id: "r1", result: [] }), "r1");
  assert.equal(traceIdOf("/v1/chat/completions", { id: "x", lodestone: { chat_id: "chat-1" } }), "chat-1");
  assert.equal(traceIdOf("/v1/rag/apps/:app/chat", { id: "chat-2", answer: "…" }), "chat-2");
  // an id elsewhere is not a trace id
  assert.equal(traceIdOf("/v1/rag/apps/:app", { id: "app-1" }), undefined);
  assert.equal(traceIdOf("/v1/chat/completions", { id: "chatcmpl-1" }), undefined);
  assert.equal(traceIdOf(undefined, "text"), undefined);
});

/**
 * RAG apps through the platform API with really deployed (small) models: app CRUD and the 400s
 * naming each bad field, answers with citations whose offsets point at the quoted text and a
 * per-stage trace, session memory resolving "it" in a follow-up, SSE on /chat, the `openai` client
 * on `rag:<app>` (plain and `stream: true`), feedback in the interaction log, and an app whose LLM
 * is an upstream OpenAI-compatible server (a fake on loopback, the one service that cannot run here).
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { api, startTestPlatform, tempDir } from "../helpers/platform.ts";
import { deployFolder, uploadSmallModels } from "../helpers/small-models.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;
// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely
type Body = any;

const DOCS = [
  {
    id: "models.md#1",
    title: "Training an embedding model",
    section: "Training",
    content:
      "Train an embedding model with the train-embedding job. The job reads queries and documents from object storage and writes the model folder to its output prefix.",
  },
  {
    id: "serving.md#2",
    title: "Deploying models",
    section: "Endpoints",
    content:
      "Deploy an embedding model by registering its folder with POST /v1/models and creating an endpoint with POST /v1/endpoints.\n\nThe endpoint is Running once its replicas have loaded the model.",
  },
  {
    id: "search.md#3",
    title: "The search port",
    section: "Search",
    content: "The search engine listens on port 9200 by default. It speaks the Elasticsearch REST API.",
  },
  {
    id: "jobs.md#4",
    title: "Stopping jobs",
    section: "Jobs",
    content: "Stop a running job with lodestone dlc stop-job. A stopped job keeps its logs.",
  },
  {
    id: "tuning.md#5",
    title: "Relevance tuning",
    section: "Tuning",
    content: "The tuner changes BM25 k1 and b and keeps a change only when held-out queries improve.",
  },
];

async function postSse(url: string, body: unknown): Promise<{ event: string; data: Body }[]> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((block) => block.trim())
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? "";
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "null");
      return { event, data };
    });
}

/** An OpenAI-compatible upstream: answers citing passage [1], and condenses follow-ups. */
function fakeLlm(): Promise<{ url: string; requests: Body[]; close: () => void }> {
  const requests: Body[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      const body = JSON.parse(raw || "{}");
      requests.push(body);
      const last = String(body.messages?.at(-1)?.content ?? "");
      if (last.includes("relevance tuning fail")) {
        // 501 is not retried by the connector
        res.statusCode = 501;
        res.end(JSON.stringify({ error: { message: "upstream cannot answer" } }));
        return;
      }
      const content = last.includes("Standalone question")
        ? "How do I deploy an embedding model?"
        : "You register the folder and create an endpoint [1].";
      res.setHeader("content-type", "application/json");
      if (body.stream) {
        res.setHeader("content-type", "text/event-stream");
        for (const word of content.split(/(?<= )/))
          res.write(
            `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: word }, finish_reason: null }] })}\n\n`,
          );
        res.write(
          `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`,
        );
        res.end("data: [DONE]\n\n");
        return;
      }
      res.end(
        JSON.stringify({
          choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
          usage: { prompt_tokens: 10, completion_tokens: 8, total_tokens: 18 },
        }),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () => server.close(),
      }),
    ),
  );
}

describe("RAG apps", () => {
  let server: Running;
  let embedder: string;
  let reranker: string;
  let openai: OpenAI;
  let llm: Awaited<ReturnType<typeof fakeLlm>>;
  const hybridApp = () => ({
    name: "docs",
    index: "kb",
    retrieval: { mode: "hybrid", model_id: embedder, search_pipeline: "kb-hybrid", k: 3, candidates: 10 },
    rerank: { model_id: reranker, depth: 5 },
    llm: { provider: "builtin" },
  });

  before(async () => {
    server = await startTestPlatform({}, tempDir());
    await uploadSmallModels(server, tempDir(), {
      embedder: "oss://models/emb/",
      reranker: "oss://models/rr/",
    });
    embedder = (await deployFolder(server, "kb-emb", "oss://models/emb/")).endpointId;
    reranker = (await deployFolder(server, "kb-rr", "oss://models/rr/")).endpointId;
    const search = (method: string, path: string, body?: unknown) =>
      api<Body>(server.searchUrl, method, path, body);
    await search("PUT", "/_ingest/pipeline/kb-embed", {
      processors: [{ text_embedding: { model_id: embedder, field_map: { content: "embedding" } } }],
    });
    await search("PUT", "/_search/pipeline/kb-hybrid", {
      phase_results_processors: [
        {
          "normalization-processor": {
            normalization: { technique: "min_max" },
            combination: { technique: "arithmetic_mean", parameters: { weights: [0.7, 0.3] } },
          },
        },
      ],
    });
    const created = await search("PUT", "/kb", {
      settings: { "index.knn": true, "index.default_pipeline": "kb-embed" },
      mappings: {
        properties: {
          title: { type: "text", analyzer: "english" },
          content: { type: "text", analyzer: "english" },
          section: { type: "keyword" },
          embedding: { type: "knn_vector", dimension: 64 },
        },
      },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    for (const { id, ...doc } of DOCS) {
      const put = await search("PUT", `/kb/_doc/${encodeURIComponent(id)}`, doc);
      assert.ok(put.status < 300, JSON.stringify(put.body));
    }
    await search("POST", "/kb/_refresh");
    openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused" });
    llm = await fakeLlm();
  });
  after(async () => {
    llm?.close();
    await server?.close();
  });

  test("create, read, list, replace and delete an app; names are unique", async () => {
    const created = await api<Body>(server.url, "POST", "/v1/rag/apps", hybridApp());
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const app = created.body;
    assert.match(app.id, /^app-[0-9a-z]{12}$/);
    assert.equal(app.retrieval.text_fields.join(), "title^2,content");
    assert.equal(app.memory.turns, 6);
    assert.match(app.prompt.template, /\{\{context\}\}/);
    assert.equal((await api(server.url, "POST", "/v1/rag/apps", hybridApp())).status, 409);
    assert.equal((await api<Body>(server.url, "GET", `/v1/rag/apps/${app.id}`)).body.name, "docs");
    assert.equal((await api<Body>(server.url, "GET", "/v1/rag/apps/docs")).body.id, app.id);
    const replaced = await api<Body>(server.url, "PUT", "/v1/rag/apps/docs", {
      ...hybridApp(),
      description: "the knowledge base",
    });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    assert.equal(replaced.body.id, app.id);
    assert.equal(replaced.body.description, "the knowledge base");
    const temp = await api<Body>(server.url, "POST", "/v1/rag/apps", { ...hybridApp(), name: "temp" });
    assert.equal(temp.status, 201);
    const list = await api<Body>(server.url, "GET", "/v1/rag/apps");
    assert.deepEqual(list.body.apps.map((a: Body) => a.name).sort(), ["docs", "temp"]);
    assert.deepEqual((await api<Body>(server.url, "DELETE", "/v1/rag/apps/temp")).body, { deleted: true });
    const gone = await api<Body>(server.url, "GET", "/v1/rag/apps/temp");
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, "app_not_found");
    const models = await openai.models.list();
    assert.ok(models.data.some((m) => m.id === "rag:docs"));
  });

  test("every bad field is a 400 naming it", async () => {
    const cases: [Body, string, RegExp?][] = [
      [{ ...hybridApp(), name: "Docs!" }, "name"],
      [{ ...hybridApp(), index: undefined }, "index"],
      [{ ...hybridApp(), index: "missing" }, "index", /no index missing/],
      [{ ...hybridApp(), retrieval: { mode: "semantic" } }, "retrieval.mode"],
      [{ ...hybridApp(), retrieval: { mode: "hybrid" } }, "retrieval.model_id", /required for hybrid/],
      [
        { ...hybridApp(), retrieval: { mode: "neural", model_id: reranker } },
        "retrieval.model_id",
        /not an embedding/,
      ],
      [{ ...hybridApp(), retrieval: { mode: "neural", model_id: "ep-nope" } }, "retrieval.model_id"],
      [{ ...hybridApp(), retrieval: { mode: "bm25", k: 0 } }, "retrieval.k"],
      [
        { ...hybridApp(), retrieval: { mode: "neural", model_id: embedder, vector_field: "title" } },
        "retrieval.vector_field",
      ],
      [
        { ...hybridApp(), retrieval: { ...hybridApp().retrieval, search_pipeline: "nope" } },
        "retrieval.search_pipeline",
      ],
      [{ ...hybridApp(), retrieval: { mode: "bm25", filter: { nonsense: {} } } }, "retrieval.filter"],
      [{ ...hybridApp(), rerank: { model_id: embedder } }, "rerank.model_id", /not a reranker/],
      [
        { ...hybridApp(), llm: { provider: "endpoint", model_id: embedder } },
        "llm.model_id",
        /not a chat model/,
      ],
      [{ ...hybridApp(), prompt: { template: "{{question}} only" } }, "prompt.template", /\{\{context\}\}/],
      [{ ...hybridApp(), extra: 1 }, "extra"],
    ];
    for (const [body, param, message] of cases) {
      const res = await api<Body>(server.url, "POST", "/v1/rag/apps", {
        ...body,
        name: param === "name" ? body.name : "x",
      });
      assert.equal(res.status, 400, `${param}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.param, param, JSON.stringify(res.body));
      if (message) assert.match(res.body.error.message, message);
    }
    const chat = await api<Body>(server.url, "POST", "/v1/rag/apps/docs/chat", { query: "" });
    assert.equal(chat.status, 400);
    assert.equal(chat.body.error.param, "query");
    assert.equal(
      (await api<Body>(server.url, "POST", "/v1/rag/apps/nope/chat", { query: "hi" })).status,
      404,
    );
  });

  test("an answer cites chunks with offsets of the quoted text, and traces every stage", async () => {
    const res = await api<Body>(server.url, "POST", "/v1/rag/apps/docs/chat", {
      query: "Which port does the search engine listen on?",
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const a = res.body;
    assert.match(a.id, /^chat-/);
    assert.match(a.session_id, /^s-/);
    assert.match(a.answer, /The search engine listens on port 9200 by default\. \[\d\]/);
    const cited = a.citations.find((c: Body) => c.chunk_id === "search.md#3");
    assert.ok(cited, JSON.stringify(a.citations));
    assert.equal(cited.source, "search.md");
    assert.equal(cited.title, "The search port");
    assert.equal(cited.index, "kb");
    assert.ok(a.answer.includes(`[${cited.n}]`));
    assert.equal(
      cited.text.slice(cited.quote.start, cited.quote.end),
      "The search engine listens on port 9200 by default.",
    );
    assert.deepEqual(
      a.trace.stages.map((s: Body) => s.stage),
      ["retrieve", "rerank", "generate"],
    );
    const [retrieve, rerank, generate] = a.trace.stages;
    assert.equal(retrieve.mode, "hybrid");
    assert.ok(retrieve.hits.length > 0 && retrieve.hits.length <= 10);
    assert.equal(rerank.hits.length, Math.min(5, retrieve.hits.length));
    for (let i = 1; i < rerank.hits.length; i++) assert.ok(rerank.hits[i - 1].score >= rerank.hits[i].score);
    assert.equal(generate.provider, "builtin");
    assert.ok(a.trace.took_ms >= retrieve.took_ms);
    // retrieval alone: the passages an answer would get, same order, no generation
    const only = await api<Body>(server.url, "POST", "/v1/rag/apps/docs/retrieve", {
      query: "Which port does the search engine listen on?",
    });
    assert.equal(only.status, 200, JSON.stringify(only.body));
    assert.deepEqual(
      only.body.trace.stages.map((s: Body) => s.stage),
      ["retrieve", "rerank"],
    );
    assert.deepEqual(
      only.body.citations.map((c: Body) => c.chunk_id),
      rerank.hits.slice(0, 3).map((h: Body) => h.chunk_id),
    );
  });

  test("a follow-up resolves 'it' against the session, which is kept and listed", async () => {
    const app = await api<Body>(server.url, "POST", "/v1/rag/apps", {
      name: "kb-bm25",
      index: "kb",
      retrieval: { mode: "bm25", k: 2 },
    });
    assert.equal(app.status, 201, JSON.stringify(app.body));
    const ask = (query: string) =>
      api<Body>(server.url, "POST", "/v1/rag/apps/kb-bm25/chat", {
        query,
        session_id: "s-follow",
        user_id: "u1",
      });
    const first = await ask("How do I train an embedding model?");
    assert.equal(first.body.citations[0].chunk_id, "models.md#1");
    const second = await ask("How do I deploy it?");
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.match(second.body.rewritten_query, /deploy the embedding model/);
    assert.equal(second.body.citations[0].chunk_id, "serving.md#2");
    assert.match(second.body.answer, /Deploy an embedding model by registering its folder/);
    // without the session, the same words do not reach the deployment passage's answer
    const alone = await api<Body>(server.url, "POST", "/v1/rag/apps/kb-bm25/chat", {
      query: "How do I deploy it?",
    });
    assert.equal(alone.body.rewritten_query, "How do I deploy it?");
    const session = await api<Body>(server.url, "GET", "/v1/rag/apps/kb-bm25/sessions/s-follow");
    assert.deepEqual(
      session.body.turns.map((t: Body) => t.query),
      ["How do I train an embedding model?", "How do I deploy it?"],
    );
    assert.equal(session.body.turns[1].chat_id, second.body.id);
    // a filter narrows retrieval
    const filtered = await api<Body>(server.url, "POST", "/v1/rag/apps/kb-bm25/chat", {
      query: "How do I train an embedding model?",
      filter: { term: { section: "Endpoints" } },
    });
    assert.deepEqual(
      filtered.body.trace.stages[0].hits.map((h: Body) => h.chunk_id),
      ["serving.md#2"],
    );
  });

  test("SSE on /chat: retrieval, deltas, then the whole answer", async () => {
    const events = await postSse(`${server.url}/v1/rag/apps/docs/chat`, {
      query: "How do I stop a running job?",
      stream: true,
    });
    assert.equal(events[0]?.event, "retrieval");
    assert.equal(events[0]?.data.citations.length, 3);
    const done = events.at(-1);
    assert.equal(done?.event, "done");
    const deltas = events.filter((e) => e.event === "delta").map((e) => e.data.text);
    assert.ok(deltas.length > 3);
    assert.equal(deltas.join("").trim(), done?.data.answer);
    assert.equal(done?.data.id, events[0]?.data.id);
    assert.match(done?.data.answer, /Stop a running job with lodestone dlc stop-job\./);
    const bad = await api<Body>(server.url, "POST", "/v1/rag/apps/docs/chat", {
      query: "x",
      stream: true,
      mode: "vector",
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.param, "mode");
  });

  test("the openai client on rag:<app>, plain and with stream: true", async () => {
    const messages = [
      { role: "user" as const, content: "How do I train an embedding model?" },
      { role: "assistant" as const, content: "Train an embedding model with the train-embedding job. [1]" },
      { role: "user" as const, content: "How do I deploy it?" },
    ];
    const plain = (await openai.chat.completions.create({ model: "rag:kb-bm25", messages })) as Body;
    assert.match(plain.choices[0].message.content, /Deploy an embedding model/);
    assert.equal(plain.citations[0].chunk_id, "serving.md#2");
    assert.match(plain.lodestone.rewritten_query, /deploy the embedding model/);
    assert.equal(plain.id, plain.lodestone.chat_id);
    let text = "";
    const chunks: Body[] = [];
    for await (const chunk of await openai.chat.completions.create({
      model: "rag:kb-bm25",
      messages,
      stream: true,
    })) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? "";
    }
    assert.equal(text.trim(), plain.choices[0].message.content);
    assert.equal(chunks[0].citations.length, 2);
    const last = [...chunks].reverse().find((c) => c.choices[0]?.finish_reason);
    assert.equal(last.choices[0].finish_reason, "stop");
    assert.equal(last.citations[0].chunk_id, "serving.md#2");
    await assert.rejects(openai.chat.completions.create({ model: "rag:nope", messages }), /no RAG app nope/);
  });

  test("feedback becomes interaction-log events, idempotently", async () => {
    const answer = await api<Body>(server.url, "POST", "/v1/rag/apps/kb-bm25/chat", {
      query: "Which port does the search engine listen on?",
      user_id: "u2",
    });
    const chatId = answer.body.id;
    const cited = answer.body.citations.map((c: Body) => c.chunk_id);
    const like = await api<Body>(server.url, "POST", "/v1/rag/apps/kb-bm25/feedback", {
      chat_id: chatId,
      rating: "up",
    });
    assert.deepEqual(like.body, { accepted: true, events: cited.length });
    const click = { chat_id: chatId, clicked_citation: cited[0] };
    assert.equal(
      (await api<Body>(server.url, "POST", "/v1/rag/apps/kb-bm25/feedback", click)).body.events,
      1,
    );
    assert.equal(
      (await api<Body>(server.url, "POST", "/v1/rag/apps/kb-bm25/feedback", click)).body.events,
      0,
    );
    const down = await api<Body>(server.url, "POST", "/v1/rag/apps/kb-bm25/feedback", {
      chat_id: chatId,
      rating: "down",
    });
    assert.equal(down.status, 200);
    const log = await api<Body>(server.url, "GET", "/v1/rag/interactions?user_id=u2");
    const types = log.body.events.map((e: Body) => `${e.type}:${e.item_id ?? ""}`);
    assert.deepEqual(
      types.sort(),
      ["ask:", `click:${cited[0]}`, ...cited.map((c: string) => `dislike:${c}`)].sort(),
    );
    const ask = log.body.events.find((e: Body) => e.type === "ask");
    assert.equal(ask.trace_id, chatId);
    assert.equal(ask.source, "rag");
    assert.equal(ask.app, "kb-bm25");
    assert.equal(ask.query, "Which port does the search engine listen on?");
    for (const [body, status, param] of [
      [{ chat_id: chatId }, 400, "rating"],
      [{ chat_id: "chat-nope", rating: "up" }, 404, "chat_id"],
      [{ chat_id: chatId, clicked_citation: "not-a-chunk" }, 400, "clicked_citation"],
      [{ chat_id: chatId, rating: "meh" }, 400, "rating"],
    ] as const) {
      const res = await api<Body>(server.url, "POST", "/v1/rag/apps/kb-bm25/feedback", body);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.error.param, param);
    }
  });

  test("an app answering through an upstream OpenAI-compatible LLM condenses follow-ups with it", async () => {
    const reg = await api<Body>(server.url, "POST", "/v1/models", {
      model_name: "upstream-chat",
      connector: { type: "openai-chat", base_url: `${llm.url}/v1`, model: "qwen-max" },
    });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    const app = await api<Body>(server.url, "POST", "/v1/rag/apps", {
      name: "upstream",
      index: "kb",
      retrieval: { mode: "bm25", k: 2 },
      llm: { provider: "endpoint", model_id: "upstream-chat", temperature: 0.2, max_tokens: 300 },
    });
    assert.equal(app.status, 201, JSON.stringify(app.body));
    const ask = (query: string, stream = false) =>
      api<Body>(server.url, "POST", "/v1/rag/apps/upstream/chat", { query, session_id: "s-up", stream });
    const first = await ask("How do I train an embedding model?");
    assert.equal(first.body.answer, "You register the folder and create an endpoint [1].");
    assert.equal(first.body.citations[0].n, 1);
    assert.equal(first.body.citations[0].chunk_id, "models.md#1");
    assert.equal(first.body.citations[0].quote, undefined);
    assert.equal(first.body.trace.stages.at(-1).provider, "upstream-chat");
    const sent = llm.requests.at(-1);
    assert.equal(sent.temperature, 0.2);
    assert.match(sent.messages.at(-1).content, /\[1\] Train an embedding model/);
    const second = await ask("How do I deploy it?");
    assert.equal(second.body.rewritten_query, "How do I deploy an embedding model?");
    assert.equal(second.body.citations[0].chunk_id, "serving.md#2");
    // the history goes to the model as earlier turns
    const messages = llm.requests.at(-1).messages.map((m: Body) => m.role);
    assert.deepEqual(messages, ["system", "user", "assistant", "user"]);
    const events = await postSse(`${server.url}/v1/rag/apps/upstream/chat`, {
      query: "What does the tuner change?",
      stream: true,
    });
    assert.equal(events.at(-1)?.data.answer, "You register the folder and create an endpoint [1].");
    // the upstream failing after the retrieval was sent: an error event ends the stream
    const failed = await postSse(`${server.url}/v1/rag/apps/upstream/chat`, {
      query: "Does relevance tuning fail?",
      stream: true,
    });
    assert.deepEqual(
      failed.map((e) => e.event),
      ["retrieval", "error"],
    );
    assert.match(failed[1]?.data.error.message, /upstream cannot answer/);
    const plain = await api<Body>(server.url, "POST", "/v1/rag/apps/upstream/chat", {
      query: "Does relevance tuning fail?",
    });
    assert.equal(plain.status, 502, JSON.stringify(plain.body));
  });
  test("apps, sessions and the interaction log survive a restart", async () => {
    await server.close();
    server = await startTestPlatform({}, server.dataDir);
    const app = await api<Body>(server.url, "GET", "/v1/rag/apps/kb-bm25");
    assert.equal(app.status, 200);
    const next = await api<Body>(server.url, "POST", "/v1/rag/apps/kb-bm25/chat", {
      query: "What is its output?",
      session_id: "s-follow",
    });
    assert.equal(next.status, 200, JSON.stringify(next.body));
    assert.match(next.body.rewritten_query, /embedding model's output/);
    const log = await api<Body>(server.url, "GET", "/v1/rag/interactions?user_id=u2");
    assert.deepEqual(new Set(log.body.events.map((e: Body) => e.type)), new Set(["ask", "click", "dislike"]));
  });
});

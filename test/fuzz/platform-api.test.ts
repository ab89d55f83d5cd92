/**
 * Fuzzing the platform API (models, endpoints, OpenAI/Cohere-compatible inference, RAG apps and
 * chat, recommendations, object storage, jobs) and the ML Commons API on the search port. Every
 * answer is 2xx or the service's error shape within the time bound, the servers stay up, and
 * object storage never reaches outside its buckets.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { startTestPlatform } from "../helpers/platform.ts";
import {
  assertHealthy,
  assertPlatformAnswer,
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

const SERVING_RUNS = 900;
const RAG_RUNS = 700;
const RECOMMEND_RUNS = 700;
const STORAGE_RUNS = 500;
const ML_COMMONS_RUNS = 500;

type Running = Awaited<ReturnType<typeof startTestPlatform>>;
let running: Running;
let instanceId = "airec-fuzz";

const text = fc.oneof(
  fc.constantFrom("what is alpha?", "", " ", "é中文", "x".repeat(5000)),
  fc.string({ maxLength: 30 }),
);
const id = fc.oneof(
  fc.constantFrom("m-missing", "ep-missing", "builtin", "lodestone-answerer"),
  segment(hostileName),
);
const ossPath = fc.oneof(
  fc.constantFrom(
    "oss://models/emb/",
    "oss://models/../../etc/passwd",
    "oss://models/%2e%2e/x",
    "oss://../x",
    "oss:///etc",
    "/etc/passwd",
    "file:///etc/passwd",
    "oss://models/a\u0000b",
    "http://169.254.169.254/latest/",
    "oss://",
  ),
  fc.string({ maxLength: 20 }).map((s) => `oss://models/${s}`),
);

// ---- models, endpoints, inference ----
const servingRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  record({
    model_name: mostly(text),
    oss_path: mostly(ossPath),
    model_type: mostly(fc.constantFrom("embedding", "rerank", "llm", "x")),
    description: mostly(text),
  }).map((body) => ({ method: "POST", path: "/v1/models", body })),
  record({
    model_id: mostly(id),
    name: mostly(text),
    instance_count: mostly(fc.integer({ min: -1, max: 100 })),
    batch: mostly(record({ max_size: mostly(fc.integer({ min: -1, max: 1e6 })) })),
  }).map((body) => ({ method: "POST", path: "/v1/endpoints", body })),
  fc
    .tuple(fc.constantFrom("/v1/models/", "/v1/endpoints/"), id, fc.constantFrom("GET", "DELETE", "HEAD"))
    .map(([p, i, method]) => ({ method, path: `${p}${i}` })),
  fc
    .tuple(id, fc.constantFrom("stop", "start"))
    .map(([i, a]) => ({ method: "POST", path: `/v1/endpoints/${i}/${a}` })),
  record({
    model: mostly(id),
    input: mostly(fc.oneof(text, fc.array(text, { maxLength: 4 }), fc.array(fc.integer(), { maxLength: 4 }))),
    encoding_format: mostly(fc.constantFrom("float", "base64", "x")),
    dimensions: mostly(fc.integer({ min: -1, max: 5000 })),
  }).map((body) => ({ method: "POST", path: "/v1/embeddings", body })),
  record({
    model: mostly(id),
    query: mostly(text),
    documents: mostly(fc.array(fc.oneof(text, fc.record({ text })), { maxLength: 4 })),
    top_n: mostly(fc.integer({ min: -1, max: 100 })),
    return_documents: mostly(fc.boolean()),
  }).map((body) => ({ method: "POST", path: "/v1/rerank", body })),
  record({
    model: mostly(fc.constantFrom("lodestone-answerer", "rag:fz-app", "rag:nope", "ep-missing")),
    messages: mostly(
      fc.array(
        fc.oneof(
          record({
            role: mostly(fc.constantFrom("system", "user", "assistant", "tool", "x")),
            content: mostly(
              fc.oneof(text, fc.array(fc.record({ type: fc.constant("text"), text }), { maxLength: 2 })),
            ),
          }),
          junk,
        ),
        { maxLength: 4 },
      ),
    ),
    max_tokens: mostly(fc.integer({ min: -1, max: 100000 })),
    temperature: mostly(fc.double()),
    stream: mostly(fc.boolean(), 1),
    n: mostly(fc.integer({ min: -1, max: 5 })),
  }).map((body) => ({ method: "POST", path: "/v1/chat/completions", body })),
);

// ---- RAG apps, chat, retrieval, feedback ----
const appName = fc.oneof(fc.constantFrom("fz-app", "fz-app2", "nope"), segment(hostileName));
const appBody = record({
  name: mostly(appName),
  index: mostly(fc.constantFrom("docs", "nosuch", "_all", "*", "")),
  description: mostly(text),
  retrieval: mostly(
    record({
      mode: mostly(fc.constantFrom("bm25", "neural", "hybrid", "x")),
      text_fields: mostly(fc.array(fc.constantFrom("title^2", "content", "x^y"), { maxLength: 3 })),
      k: mostly(fc.integer({ min: -1, max: 100 })),
      candidates: mostly(fc.integer({ min: -1, max: 5000 })),
      model_id: mostly(fc.constantFrom("ep-missing", "")),
      filter: mostly(fc.constant({ term: { tag: "a" } })),
    }),
  ),
  rerank: mostly(
    fc.oneof(
      fc.constant(null),
      record({
        model_id: mostly(fc.constantFrom("ep-missing")),
        depth: mostly(fc.integer({ min: -1, max: 5000 })),
      }),
    ),
  ),
  // no upstream URLs here: an LLM at an arbitrary URL is the SSRF suite's business (test/security)
  llm: mostly(
    fc.oneof(
      fc.constant({ provider: "builtin" }),
      record({
        provider: mostly(fc.constantFrom("openai", "x")),
        model: mostly(text),
        temperature: mostly(fc.double()),
      }),
    ),
  ),
  prompt: mostly(
    record({
      system: mostly(text),
      template: mostly(fc.constantFrom("{{context}} {{question}}", "", "{{nope}}", "{{")),
    }),
  ),
  memory: mostly(record({ turns: mostly(fc.integer({ min: -1, max: 60 })) })),
});
const askBody = record({
  query: mostly(text),
  session_id: mostly(fc.oneof(fc.constantFrom("s1", "a:b"), hostileName)),
  user_id: mostly(text),
  k: mostly(fc.integer({ min: -1, max: 60 })),
  mode: mostly(fc.constantFrom("bm25", "neural", "hybrid", "x")),
  filter: mostly(fc.constant({ term: { tag: "a" } })),
});
const ragRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  appBody.map((body) => ({ method: "POST", path: "/v1/rag/apps", body })),
  fc.tuple(appName, appBody).map(([a, body]) => ({ method: "PUT", path: `/v1/rag/apps/${a}`, body })),
  fc
    .tuple(appName, askBody, fc.constantFrom("chat", "retrieve"))
    .map(([a, body, what]) => ({ method: "POST", path: `/v1/rag/apps/${a}/${what}`, body })),
  fc
    .tuple(
      appName,
      record({
        chat_id: mostly(text),
        rating: mostly(fc.constantFrom("up", "down", "sideways")),
        clicked_citation: mostly(text),
        comment: mostly(text),
      }),
    )
    .map(([a, body]) => ({ method: "POST", path: `/v1/rag/apps/${a}/feedback`, body })),
  fc
    .tuple(appName, segment(hostileName))
    .map(([a, s]) => ({ method: "GET", path: `/v1/rag/apps/${a}/sessions/${s}` })),
  fc
    .constantFrom("", "?limit=5", "?limit=-1", "?limit=x", "?since=abc", "?app=%00")
    .map((q) => ({ method: "GET", path: `/v1/rag/interactions${q}` })),
  fc
    .tuple(fc.constantFrom("fz-app2", "nope"), fc.constantFrom("GET", "DELETE"))
    .map(([a, method]) => ({ method, path: `/v1/rag/apps/${a}` })),
);

// ---- recommendations (/v2, AIRec-compatible) ----
const instance = fc.oneof(
  { arbitrary: fc.constant("__instance__"), weight: 4 },
  { arbitrary: segment(hostileName), weight: 1 },
);
const behaviour = record({
  user_id: mostly(text),
  item_id: mostly(text),
  bhv_type: mostly(fc.constantFrom("click", "expose", "like", "purchase", "x")),
  bhv_time: mostly(fc.oneof(fc.integer(), fc.constantFrom("2026-01-01T00:00:00Z", "yesterday"))),
  scene_id: mostly(fc.constantFrom("home", "x")),
  trace_id: mostly(text),
});
const recommendRequest: fc.Arbitrary<FuzzRequest> = fc
  .oneof(
    record({
      instance_id: mostly(fc.oneof(fc.constantFrom("airec-fuzz2", "airec-"), hostileName)),
      name: mostly(text),
      type: mostly(text),
      behavior_weights: mostly(
        fc.dictionary(fc.constantFrom("click", "like", "x"), fc.double(), { maxKeys: 2 }),
      ),
    }).map((body) => ({ method: "POST", path: "/v2/instances", body })),
    fc
      .tuple(
        instance,
        record({
          scene_id: mostly(fc.constantFrom("home", "", "a/b")),
          description: mostly(text),
          explore: mostly(
            record({
              strategy: mostly(fc.constantFrom("epsilon_greedy", "ucb", "thompson", "x")),
              rate: mostly(fc.double()),
            }),
          ),
          diversity: mostly(
            record({ lambda: mostly(fc.double()), by: mostly(fc.constantFrom("category", "content", "x")) }),
          ),
        }),
      )
      .map(([i, body]) => ({ method: "POST", path: `/v2/instances/${i}/scenes`, body })),
    // datasources may only name the embedded engine or allow-listed clusters: private and metadata addresses are refused
    fc
      .tuple(
        instance,
        record({
          type: mostly(fc.constantFrom("elasticsearch", "file", "oss", "x")),
          endpoint: mostly(
            fc.constantFrom(
              "embedded",
              "http://169.254.169.254/latest/meta-data",
              "http://10.0.0.1:9200",
              "http://[::1]:9200",
              "file:///etc/passwd",
              "gopher://x",
              "http://user:pw@example.invalid:9200",
            ),
          ),
          index: mostly(fc.constantFrom("docs", "nosuch", "../x")),
          path: mostly(
            fc.constantFrom(
              "/etc/passwd",
              "../../etc/passwd",
              "oss://models/../../x",
              "oss://models/items.csv",
              "%2e%2e/x",
              "a\u0000b",
            ),
          ),
          format: mostly(fc.constantFrom("csv", "jsonl", "x")),
          fields: mostly(record({ item_id: mostly(text), title: mostly(text) })),
        }),
      )
      .map(([i, body]) => ({ method: "POST", path: `/v2/instances/${i}/datasources`, body })),
    fc
      .tuple(
        instance,
        fc.oneof(
          fc.array(behaviour, { maxLength: 4 }),
          record({ behaviors: mostly(fc.array(behaviour, { maxLength: 4 })) }),
          junk,
        ),
      )
      .map(([i, body]) => ({ method: "POST", path: `/v2/instances/${i}/behaviors`, body })),
    fc
      .tuple(
        instance,
        fc.constantFrom("?user_id=u1", "?user_id=u1&limit=0", "?user_id=", "", "?user_id=u1&limit=99999"),
      )
      .map(([i, q]) => ({ method: "GET", path: `/v2/instances/${i}/behaviors${q}` })),
    record({
      instance_id: mostly(fc.oneof(fc.constant("__instance__"), hostileName)),
      user_id: mostly(text),
      scene: mostly(fc.constantFrom("home", "nope")),
      size: mostly(fc.integer({ min: -1, max: 500 })),
      items: mostly(fc.array(text, { maxLength: 3 })),
      explore: mostly(
        record({ strategy: mostly(fc.constantFrom("epsilon_greedy", "x")), rate: mostly(fc.double()) }),
      ),
      filter: junk,
    }).map((body) => ({ method: "POST", path: "/v2/recommend", body })),
    fc
      .tuple(instance, fc.constantFrom("", "/scenes", "/datasources", "/scenes/nope", "/datasources/nope"))
      .map(([i, p]) => ({ method: "GET", path: `/v2/instances/${i}${p}` })),
  )
  .map((req: FuzzRequest) => ({
    ...req,
    path: req.path.replace("__instance__", instanceId),
    body: JSON.parse(JSON.stringify(req.body ?? null).replaceAll("__instance__", instanceId)) ?? undefined,
  }));

// ---- object storage: keys with traversal attempts ----
const ossKey = fc.oneof(
  fc.constantFrom(
    "a.txt",
    "dir/b.txt",
    "..",
    "../x",
    "a/../../x",
    "%2e%2e/x",
    "%2e%2e%2fx",
    "..%2f..%2fetc%2fpasswd",
    "a%00b",
    "/abs",
    "a//b",
    ".",
    "./a",
    "a/.",
    "x".repeat(2000),
  ),
  fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s) || "k"),
);
const bucket = fc.oneof(fc.constantFrom("fzb", "models", ".."), segment(hostileName));
const storageRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc.tuple(bucket, ossKey, fc.string({ maxLength: 40 })).map(([b, k, raw]) => ({
    method: "PUT",
    path: `/v1/oss/${b}/${k}`,
    raw,
    contentType: "application/octet-stream",
  })),
  fc
    .tuple(bucket, ossKey, fc.constantFrom("GET", "DELETE", "HEAD"))
    .map(([b, k, method]) => ({ method, path: `/v1/oss/${b}/${k}` })),
  fc
    .tuple(
      bucket,
      fc.constantFrom("PUT", "GET", "DELETE"),
      fc.constantFrom("", "?prefix=..", "?prefix=%00", "?max-keys=-1", "?delimiter=/"),
    )
    .map(([b, method, q]) => ({ method, path: `/v1/oss/${b}${q}` })),
  // jobs: only bodies that cannot start a real training run (unknown scripts, bad mounts)
  record({
    name: mostly(text),
    script: mostly(fc.constantFrom("nope.js", "../../etc/passwd", "/bin/sh", "oss://fzb/../x.js")),
    oss_input: mostly(ossPath),
    oss_output: mostly(ossPath),
    image: mostly(text),
    args: mostly(fc.array(text, { maxLength: 2 })),
  }).map((body) => ({ method: "POST", path: "/api/v1/jobs", body })),
  fc
    .tuple(segment(hostileName), fc.constantFrom("", "/logs", "/metrics", "/events?follow=false", "/stop"))
    .map(([j, p]) => ({ method: p === "/stop" ? "POST" : "GET", path: `/api/v1/jobs/${j}${p}` })),
);

// ---- ML Commons on the search port ----
const mlRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  record({
    name: mostly(text),
    function_name: mostly(fc.constantFrom("remote", "TEXT_EMBEDDING", "x")),
    model_format: mostly(fc.constantFrom("TORCH_SCRIPT", "ONNX")),
    connector_id: mostly(id),
    model_group_id: mostly(id),
    url: mostly(fc.constantFrom("http://169.254.169.254/", "file:///etc/passwd", "oss://models/../x")),
    model_config: mostly(
      record({ embedding_dimension: mostly(fc.integer({ min: -1, max: 100000 })), model_type: mostly(text) }),
    ),
  }).map((body) => ({ method: "POST", path: "/_plugins/_ml/models/_register", body })),
  fc.tuple(id, fc.constantFrom("", "/_deploy", "/_undeploy", "/_predict")).map(([i, p]) => ({
    method: p ? "POST" : "GET",
    path: `/_plugins/_ml/models/${i}${p}`,
    body: p === "/_predict" ? { parameters: { texts: ["a"] } } : undefined,
  })),
  fc
    .tuple(
      fc.constantFrom("models", "connectors", "model_groups"),
      record({
        query: junk,
        size: mostly(fc.integer({ min: -1, max: 20000 })),
        from: mostly(fc.integer({ min: -1, max: 20000 })),
      }),
    )
    .map(([k, body]) => ({ method: "POST", path: `/_plugins/_ml/${k}/_search`, body })),
  record({
    name: mostly(text),
    protocol: mostly(fc.constantFrom("http", "aws_sigv4", "x")),
    credential: mostly(record({ api_key: fc.constant("sk-secret-123") })),
    actions: mostly(
      fc.array(
        record({
          action_type: mostly(fc.constantFrom("predict", "x")),
          method: mostly(fc.constantFrom("POST", "GET")),
          url: mostly(
            fc.constantFrom(
              "http://169.254.169.254/",
              "http://10.1.2.3/",
              "https://api.example.invalid/v1/embeddings",
              "ftp://x",
            ),
          ),
        }),
        { maxLength: 2 },
      ),
    ),
  }).map((body) => ({ method: "POST", path: "/_plugins/_ml/connectors/_create", body })),
  fc
    .tuple(
      fc.constantFrom("text_embedding", "x"),
      id,
      record({ text_docs: mostly(fc.array(text, { maxLength: 3 })) }),
    )
    .map(([alg, i, body]) => ({ method: "POST", path: `/_plugins/_ml/_predict/${alg}/${i}`, body })),
  id.map((i) => ({ method: "GET", path: `/_plugins/_ml/tasks/${i}` })),
);

before(async () => {
  running = await startTestPlatform();
  const index = await send(running.searchUrl, {
    method: "PUT",
    path: "/docs",
    body: {
      mappings: {
        properties: { title: { type: "text" }, content: { type: "text" }, tag: { type: "keyword" } },
      },
    },
  });
  assert.equal(index.status, 200, index.text);
  const lines = ["alpha is the first letter", "beta follows alpha", "gamma rays"].flatMap((t, i) => [
    JSON.stringify({ index: { _index: "docs", _id: `c${i}` } }),
    JSON.stringify({ title: t, content: `${t}. More text about ${t}.`, tag: "a" }),
  ]);
  const bulk = await send(running.searchUrl, {
    method: "POST",
    path: "/_bulk?refresh=true",
    contentType: "application/x-ndjson",
    raw: `${lines.join("\n")}\n`,
  });
  assert.equal(bulk.status, 200, bulk.text);
  const app = await send(running.url, {
    method: "POST",
    path: "/v1/rag/apps",
    body: { name: "fz-app", index: "docs", retrieval: { mode: "bm25" } },
  });
  assert.equal(app.status, 201, app.text);
  const inst = await send(running.url, {
    method: "POST",
    path: "/v2/instances",
    body: { instance_id: "airec-fuzz", name: "fuzz" },
  });
  assert.ok(inst.status < 300, inst.text);
  instanceId =
    (inst.json as { instance_id?: string; id?: string }).instance_id ??
    (inst.json as { id: string }).id ??
    instanceId;
});
after(async () => {
  await running?.close();
});

const onPlatform = async (req: FuzzRequest) => assertPlatformAnswer(req, await send(running.url, req));

test(`${SERVING_RUNS} generated model, endpoint and inference requests (seed ${FUZZ_SEED})`, async () => {
  const ran = await fuzz(servingRequest, SERVING_RUNS, onPlatform);
  await assertHealthy(running.url, running.searchUrl);
  console.log(`platform-api: ${ran} serving cases, seed ${FUZZ_SEED}`);
});

test(`${RAG_RUNS} generated RAG app, chat, retrieval and feedback requests (seed ${FUZZ_SEED})`, async () => {
  const ran = await fuzz(ragRequest, RAG_RUNS, onPlatform);
  await assertHealthy(running.url, running.searchUrl);
  const ask = await send(running.url, {
    method: "POST",
    path: "/v1/rag/apps/fz-app/chat",
    body: { query: "what follows alpha?" },
  });
  assert.equal(ask.status, 200, `the RAG app stopped answering: ${ask.text.slice(0, 300)}`);
  console.log(`platform-api: ${ran} rag cases, seed ${FUZZ_SEED}`);
});

test(`${RECOMMEND_RUNS} generated recommendation requests (instances, scenes, datasources, behaviours, recommend) (seed ${FUZZ_SEED})`, async () => {
  const ran = await fuzz(recommendRequest, RECOMMEND_RUNS, onPlatform);
  await assertHealthy(running.url, running.searchUrl);
  console.log(`platform-api: ${ran} recommend cases, seed ${FUZZ_SEED}`);
});

test(`${STORAGE_RUNS} generated object storage and job requests never write outside the buckets (seed ${FUZZ_SEED})`, async () => {
  const outside = path.join(path.dirname(running.dataDir), `outside-${path.basename(running.dataDir)}`);
  const ran = await fuzz(storageRequest, STORAGE_RUNS, onPlatform);
  await assertHealthy(running.url, running.searchUrl);
  assert.equal(fs.existsSync(outside), false);
  // nothing was written next to the data directory's oss folder by a traversing key
  const stray = fs.readdirSync(running.dataDir).filter((n) => n === "x" || n === "abs" || n.startsWith(".."));
  assert.deepEqual(stray, [], `object keys escaped the oss folder: ${stray.join(", ")}`);
  console.log(`platform-api: ${ran} storage/job cases, seed ${FUZZ_SEED}`);
});

test(`${ML_COMMONS_RUNS} generated ML Commons requests on the search port (seed ${FUZZ_SEED})`, async () => {
  const ran = await fuzz(mlRequest, ML_COMMONS_RUNS, async (req) =>
    assertSearchAnswer(req, await send(running.searchUrl, req)),
  );
  await assertHealthy(running.url, running.searchUrl);
  console.log(`platform-api: ${ran} ml-commons cases, seed ${FUZZ_SEED}`);
});

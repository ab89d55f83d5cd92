/**
 * Contract tests of the OpenSearch backend: a fake cluster records every request the official
 * client sends and answers as OpenSearch 2.x does, so the exact method, path and body of each
 * ML Commons call are checked — model search, model group, connector, register, task polling,
 * deploy — as well as the idempotent second run, the auth headers, bulk bodies and the cluster's
 * errors reaching the user with their reason and status.
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, test } from "node:test";
import { createBackend } from "../../src/backends/index.ts";
import { OpenSearchBackend } from "../../src/backends/opensearch.ts";
import { remoteModelName } from "../../src/backends/remote-models.ts";
import { ApiError } from "../../src/common/http-client.ts";
import type { LodestoneConfig } from "../../src/config/schema.ts";

interface Recorded {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

type Reply = { status?: number; body: unknown };
type Handler = (req: Recorded) => Reply | undefined;

const recorded: Recorded[] = [];
let handler: Handler = () => undefined;
let server: http.Server;
let url: string;

before(async () => {
  server = http.createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // ndjson stays text
      }
      const entry = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body };
      recorded.push(entry);
      const reply = handler(entry) ?? {
        status: 404,
        body: { error: `no fake for ${entry.method} ${entry.path}` },
      };
      res.writeHead(reply.status ?? 200, { "content-type": "application/json" });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  recorded.length = 0;
  handler = () => undefined;
});

const PLATFORM = { url: "http://lodestone.internal:8080/", apiKey: "ls-secret" };
const EMBEDDER = { endpointId: "ep-aaaaaaaaaaaa", kind: "embedding" as const, dimension: 32, name: "emb" };
const RERANKER = { endpointId: "ep-bbbbbbbbbbbb", kind: "rerank" as const, name: "rr" };

const backend = () => new OpenSearchBackend({ url, platform: PLATFORM, pollMs: 1 });

/** `search.*` settings for an OpenSearch cluster at the fake's URL, with `overrides`. */
const settings = (overrides: Partial<LodestoneConfig["search"]>): LodestoneConfig["search"] => ({
  backend: "opensearch",
  url,
  username: "",
  passwordEnv: "",
  apiKeyEnv: "",
  tlsRejectUnauthorized: true,
  requestTimeoutMs: 5000,
  platformUrl: "",
  ...overrides,
});
const calls = () => recorded.map((r) => `${r.method} ${r.path}`);

/** A cluster with no Lodestone models yet: every ML Commons call answered as OpenSearch 2.x does. */
function emptyCluster(tasks: Record<string, string[]> = { t1: ["RUNNING", "COMPLETED"], t2: ["COMPLETED"] }) {
  const polls: Record<string, number> = {};
  return (req: Recorded): Reply | undefined => {
    const empty = { hits: { total: { value: 0, relation: "eq" }, hits: [] } };
    if (req.path === "/_plugins/_ml/models/_search") return { body: empty };
    if (req.path === "/_plugins/_ml/model_groups/_search") return { body: empty };
    if (req.path === "/_plugins/_ml/model_groups/_register")
      return { body: { model_group_id: "g1", status: "CREATED" } };
    if (req.path === "/_plugins/_ml/connectors/_create") return { body: { connector_id: "c1" } };
    if (req.path === "/_plugins/_ml/models/_register") return { body: { task_id: "t1", status: "CREATED" } };
    if (req.path === "/_plugins/_ml/models/rm1/_deploy")
      return { body: { task_id: "t2", task_type: "DEPLOY_MODEL", status: "CREATED" } };
    const task = /^\/_plugins\/_ml\/tasks\/(t\d)$/.exec(req.path)?.[1];
    if (task) {
      const states = tasks[task] ?? [];
      const state = states[Math.min(polls[task] ?? 0, states.length - 1)];
      polls[task] = (polls[task] ?? 0) + 1;
      return {
        body: {
          model_id: "rm1",
          task_type: task === "t1" ? "REGISTER_MODEL" : "DEPLOY_MODEL",
          function_name: "REMOTE",
          state,
          ...(state === "FAILED" ? { error: "Connection refused: lodestone.internal:8080" } : {}),
        },
      };
    }
    return undefined;
  };
}

test("an embedding endpoint becomes a connector, a remote model in the lodestone group, deployed", async () => {
  handler = emptyCluster();
  const search = backend();
  assert.equal(await search.modelIdFor(EMBEDDER), "rm1");
  await search.close();
  const name = remoteModelName(EMBEDDER, PLATFORM);
  assert.match(name, /^lodestone-ep-aaaaaaaaaaaa-[0-9a-f]{8}$/);
  assert.deepEqual(calls(), [
    "POST /_plugins/_ml/models/_search",
    "POST /_plugins/_ml/model_groups/_search",
    "POST /_plugins/_ml/model_groups/_register",
    "POST /_plugins/_ml/connectors/_create",
    "POST /_plugins/_ml/models/_register",
    "GET /_plugins/_ml/tasks/t1",
    "GET /_plugins/_ml/tasks/t1",
    "POST /_plugins/_ml/models/rm1/_deploy",
    "GET /_plugins/_ml/tasks/t2",
  ]);
  const body = (i: number) => recorded[i]?.body;
  assert.deepEqual(body(0), { query: { term: { "name.keyword": name } }, size: 100 });
  assert.deepEqual(body(1), { query: { term: { "name.keyword": "lodestone" } }, size: 100 });
  assert.deepEqual(body(2), {
    name: "lodestone",
    description: "Lodestone endpoints (embedders and rerankers) as remote models",
  });
  const description = "Lodestone endpoint ep-aaaaaaaaaaaa (emb): OpenAI-compatible embeddings";
  assert.deepEqual(body(3), {
    name,
    description,
    version: "1",
    protocol: "http",
    parameters: { model: "ep-aaaaaaaaaaaa" },
    credential: { lodestone_api_key: "ls-secret" },
    actions: [
      {
        action_type: "predict",
        method: "POST",
        url: "http://lodestone.internal:8080/v1/embeddings",
        headers: {
          "content-type": "application/json",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: ML Commons placeholders, filled by the cluster
          Authorization: "Bearer ${credential.lodestone_api_key}",
        },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: ML Commons placeholders, filled by the cluster
        request_body: '{ "input": ${parameters.input}, "model": "${parameters.model}" }',
        pre_process_function: "connector.pre_process.openai.embedding",
        post_process_function: "connector.post_process.openai.embedding",
      },
    ],
  });
  assert.deepEqual(body(4), {
    name,
    function_name: "remote",
    model_group_id: "g1",
    description,
    connector_id: "c1",
  });
  assert.equal(body(7), undefined);
});

test("a reranker endpoint gets a Cohere rerank connector; without an API key, no credential", async () => {
  handler = emptyCluster();
  const search = new OpenSearchBackend({ url, platform: { url: "http://10.0.0.2:8080" }, pollMs: 1 });
  assert.equal(await search.modelIdFor(RERANKER), "rm1");
  // the same endpoint again in this process: no request at all
  assert.equal(await search.modelIdFor(RERANKER), "rm1");
  await search.close();
  const create = recorded.find((r) => r.path === "/_plugins/_ml/connectors/_create")?.body as Record<
    string,
    unknown
  >;
  assert.equal(create.credential, undefined);
  assert.deepEqual(create.actions, [
    {
      action_type: "predict",
      method: "POST",
      url: "http://10.0.0.2:8080/v1/rerank",
      headers: { "content-type": "application/json" },
      request_body:
        // biome-ignore lint/suspicious/noTemplateCurlyInString: ML Commons placeholders, filled by the cluster
        '{ "documents": ${parameters.documents}, "query": "${parameters.query}", "model": "${parameters.model}", "top_n": ${parameters.top_n} }',
      pre_process_function: "connector.pre_process.cohere.rerank",
      post_process_function: "connector.post_process.cohere.rerank",
    },
  ]);
  assert.equal(recorded.filter((r) => r.path === "/_plugins/_ml/connectors/_create").length, 1);
});

test("a second run finds the model by name: no connector, group or registration", async () => {
  const name = remoteModelName(EMBEDDER, PLATFORM);
  handler = (req) =>
    req.path === "/_plugins/_ml/models/_search"
      ? {
          body: {
            hits: {
              total: { value: 2, relation: "eq" },
              hits: [
                // a local model's chunk with a similar name, then the model itself
                { _id: "chunk", _source: { name, chunk_number: 0 } },
                { _id: "rm1", _source: { name, model_state: "DEPLOYED", algorithm: "REMOTE" } },
              ],
            },
          },
        }
      : undefined;
  const search = backend();
  assert.equal(await search.modelIdFor(EMBEDDER), "rm1");
  await search.close();
  assert.deepEqual(calls(), ["POST /_plugins/_ml/models/_search"]);
});

test("a model found undeployed is deployed again", async () => {
  const name = remoteModelName(EMBEDDER, PLATFORM);
  const cluster = emptyCluster();
  handler = (req) =>
    req.path === "/_plugins/_ml/models/_search"
      ? { body: { hits: { hits: [{ _id: "rm1", _source: { name, model_state: "UNDEPLOYED" } }] } } }
      : cluster(req);
  const search = backend();
  assert.equal(await search.modelIdFor(EMBEDDER), "rm1");
  await search.close();
  assert.deepEqual(calls(), [
    "POST /_plugins/_ml/models/_search",
    "POST /_plugins/_ml/models/rm1/_deploy",
    "GET /_plugins/_ml/tasks/t2",
  ]);
});

test("a failed task and a refused connector surface the cluster's reason", async () => {
  handler = emptyCluster({ t1: ["COMPLETED"], t2: ["FAILED"] });
  const search = backend();
  await assert.rejects(
    search.modelIdFor(EMBEDDER),
    /deploying model rm1 failed on the cluster \(task t2\): Connection refused/,
  );

  handler = (req) =>
    req.path === "/_plugins/_ml/connectors/_create"
      ? {
          status: 400,
          body: {
            error: {
              reason: "Invalid Request",
              details: "Connector URL is not matching the trusted connector endpoint regex",
              type: "IllegalArgumentException",
            },
            status: 400,
          },
        }
      : emptyCluster()(req);
  // the failure was not cached: this call goes to the cluster again
  const err = await search.modelIdFor(EMBEDDER).catch((e: unknown) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.status, 400);
  assert.match(
    err.message,
    /Invalid Request: Connector URL is not matching the trusted connector endpoint regex/,
  );
  assert.match(err.message, /OpenSearch HTTP 400 on POST \/_plugins\/_ml\/connectors\/_create/);
  await search.close();
});

test("search errors keep OpenSearch's reason and status; 404s are ApiErrors the workflow recognises", async () => {
  handler = () => ({
    status: 404,
    body: {
      error: {
        root_cause: [{ type: "index_not_found_exception", reason: "no such index [nope]", index: "nope" }],
        type: "index_not_found_exception",
        reason: "no such index [nope]",
        index: "nope",
      },
      status: 404,
    },
  });
  const search = backend();
  const err = await search.json("GET", "/nope/_mapping").catch((e: unknown) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.status, 404);
  assert.equal(err.code, "index_not_found_exception");
  assert.match(err.message, /^no such index \[nope\] \(OpenSearch HTTP 404 on GET \/nope\/_mapping\)$/);
  await search.close();

  const unreachable = new OpenSearchBackend({
    url: "http://127.0.0.1:1",
    platform: PLATFORM,
    requestTimeoutMs: 2000,
  });
  await assert.rejects(
    unreachable.json("GET", "/"),
    /cannot reach the OpenSearch cluster at http:\/\/127\.0\.0\.1:1/,
  );
  await unreachable.close();
});

test("requests carry the query string, JSON or ndjson bodies, and basic or API-key auth", async () => {
  handler = () => ({ body: { acknowledged: true } });
  const basic = createBackend(
    settings({ username: "admin", passwordEnv: "OS_PASSWORD", tlsRejectUnauthorized: false }),
    { embeddedUrl: "", platformUrl: "http://127.0.0.1:8080", env: { OS_PASSWORD: "s3cret" } },
  );
  await basic.json("POST", "/docs/_search", {
    query: { search_pipeline: "p", size: undefined },
    body: { size: 1 },
  });
  await basic.json("POST", "/docs/_bulk", {
    rawBody: '{"index":{}}\n{"a":1}\n',
    contentType: "application/x-ndjson",
  });
  await basic.close();
  const [search, bulk] = recorded;
  assert.equal(search?.path, "/docs/_search?search_pipeline=p");
  assert.deepEqual(search?.body, { size: 1 });
  assert.equal(search?.headers.authorization, `Basic ${Buffer.from("admin:s3cret").toString("base64")}`);
  assert.equal(bulk?.headers["content-type"], "application/x-ndjson");
  assert.equal(bulk?.body, '{"index":{}}\n{"a":1}\n');

  recorded.length = 0;
  const keyed = createBackend(settings({ apiKeyEnv: "OS_KEY" }), {
    embeddedUrl: "",
    platformUrl: "http://127.0.0.1:8080",
    env: { OS_KEY: "k-123" },
  });
  await keyed.json("GET", "/");
  await keyed.close();
  assert.equal(recorded[0]?.headers.authorization, "ApiKey k-123");

  assert.throws(
    () =>
      createBackend(settings({ username: "admin", passwordEnv: "UNSET_PASSWORD" }), {
        embeddedUrl: "",
        platformUrl: "",
        env: {},
      }),
    /search.passwordEnv names the environment variable UNSET_PASSWORD, which is not set/,
  );
  assert.throws(
    () => createBackend(settings({ url: "" }), { embeddedUrl: "", platformUrl: "", env: {} }),
    /search.url is empty/,
  );
});

/**
 * The ML Commons API on the search port and the model service the engine calls: register an
 * `oss://` embedder and reranker as tasks, deploy, predict (equal to the platform's own inference
 * API), undeploy, search and delete models; the engine's `models.embed`/`rerank` with deployed,
 * undeployed, stopped and unknown ids; `_cat/plugins`, also through the official client.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "@opensearch-project/opensearch";
import { SearchModelError } from "../../src/search/models.ts";
import { api, startTestPlatform, tempDir } from "../helpers/platform.ts";
import { DOCS, uploadSmallModels } from "../helpers/small-models.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;
type Body = Record<string, unknown>;
type Output = { name: string; data_type: string; shape: number[]; data: number[] };
type Predicted = { inference_results: { output: Output[] }[] };
type ErrorBody = {
  error: { root_cause: { type: string; reason: string }[]; type: string; reason: string };
  status: number;
};

const MODELS = "/_plugins/_ml/models";

/** Polls until `probe` gives a value (registration runs after `_register` answers, as in OpenSearch). */
async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Asserts a promise rejects with a SearchModelError of `status` whose message matches `message`. */
async function rejectsWith(promise: Promise<unknown>, status: number, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof SearchModelError, String(err));
    assert.equal(err.status, status, err.message);
    assert.match(err.message, message);
    return true;
  });
}

describe("ML Commons API and the engine's model service", () => {
  const dataDir = tempDir();
  let server: Running;
  let client: Client;
  let embedderId: string;
  let rerankerId: string;
  let endpointId: string;
  let registerTaskId: string;

  const ml = <T = Body>(method: string, route: string, body?: unknown) =>
    api<T>(server.searchUrl, method, route, body);
  const finishedTask = (taskId: string) =>
    until(`task ${taskId}`, async () => {
      const task = await ml(`GET`, `/_plugins/_ml/tasks/${taskId}`);
      assert.equal(task.status, 200, JSON.stringify(task.body));
      return ["COMPLETED", "FAILED"].includes(task.body.state as string) ? task.body : undefined;
    });
  const modelState = async (id: string) => (await ml("GET", `${MODELS}/${id}`)).body.model_state;

  before(async () => {
    server = await startTestPlatform({}, dataDir);
    client = new Client({ node: server.searchUrl });
    await uploadSmallModels(server, tempDir(), { embedder: "oss://mlc/emb/", reranker: "oss://mlc/rerank/" });
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  test("_cat/plugins lists k-NN, neural search and ML Commons, as text and through the official client", async () => {
    const text = await (await fetch(`${server.searchUrl}/_cat/plugins?v`)).text();
    const lines = text.trim().split("\n");
    assert.match(lines[0] ?? "", /^name\s+component\s+version$/);
    for (const component of ["opensearch-knn", "opensearch-ml", "opensearch-neural-search"])
      assert.ok(
        lines.some((l) => new RegExp(`^lodestone\\s+${component}\\s+2\\.11\\.0\\.0$`).test(l)),
        text,
      );
    const root = await client.info();
    const listed = await client.cat.plugins({ format: "json" });
    const rows = listed.body as unknown as { name: string; component: string; version: string }[];
    assert.deepEqual(
      rows.map((r) => r.component),
      ["opensearch-knn", "opensearch-ml", "opensearch-neural-search"],
    );
    for (const row of rows) assert.equal(row.version, `${root.body.version.number}.0`);
    const picked = await (await fetch(`${server.searchUrl}/_cat/plugins?h=component,description`)).text();
    assert.match(picked, /^opensearch-knn\s+knn_vector/m);
  });

  test("register an oss:// embedder as a task; REGISTERED → DEPLOYED → UNDEPLOYED; _predict equals /v1/embeddings", async () => {
    const registered = await ml(`POST`, `${MODELS}/_register`, {
      name: "ml-emb",
      version: "1.0.0",
      model_format: "TORCH_SCRIPT",
      function_name: "TEXT_EMBEDDING",
      description: "a small test embedder",
      model_config: { embedding_dimension: 64 },
      url: "oss://mlc/emb/",
    });
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    assert.equal(registered.body.status, "CREATED");
    registerTaskId = registered.body.task_id as string;
    const task = await finishedTask(registerTaskId);
    assert.equal(task.state, "COMPLETED", JSON.stringify(task));
    assert.equal(task.task_type, "REGISTER_MODEL");
    assert.equal(task.function_name, "TEXT_EMBEDDING");
    assert.deepEqual(task.worker_node, ["lodestone"]);
    assert.equal(typeof task.create_time, "number");
    assert.ok((task.last_update_time as number) >= (task.create_time as number));
    embedderId = task.model_id as string;
    assert.match(embedderId, /^m-[a-z0-9]{12}$/);

    const model = await ml(`GET`, `${MODELS}/${embedderId}`);
    assert.equal(model.body.name, "ml-emb");
    assert.equal(model.body.model_id, embedderId);
    assert.equal(model.body.algorithm, "TEXT_EMBEDDING");
    assert.equal(model.body.model_state, "REGISTERED");
    assert.equal((model.body.model_config as Body).embedding_dimension, 64);
    assert.equal(model.body.source, "oss://mlc/emb/");

    // not deployed: the engine's model service and _predict both say how to deploy it
    const models = server.platform.search.models;
    assert.deepEqual(
      { ...models.describe(embedderId), hint: undefined },
      { id: embedderId, kind: "embedding", dimension: 64, available: false, hint: undefined },
    );
    await rejectsWith(
      models.embed(embedderId, ["boundary layer"]),
      409,
      new RegExp(
        `model ${embedderId} is not deployed; deploy it with POST /_plugins/_ml/models/${embedderId}/_deploy`,
      ),
    );
    const early = await ml<ErrorBody>(`POST`, `${MODELS}/${embedderId}/_predict`, { text_docs: ["x"] });
    assert.equal(early.status, 409);
    assert.equal(early.body.status, 409);
    assert.equal(early.body.error.type, "status_exception");
    assert.equal(early.body.error.root_cause[0]?.reason, early.body.error.reason);
    assert.match(early.body.error.reason, /_deploy/);

    const deployed = await ml(`POST`, `${MODELS}/${embedderId}/_deploy`);
    assert.equal(deployed.status, 200, JSON.stringify(deployed.body));
    assert.equal(deployed.body.task_type, "DEPLOY_MODEL");
    assert.equal(deployed.body.status, "COMPLETED");
    const deployTask = await ml(`GET`, `/_plugins/_ml/tasks/${deployed.body.task_id}`);
    assert.equal(deployTask.body.state, "COMPLETED");
    assert.equal(deployTask.body.model_id, embedderId);
    const live = await ml(`GET`, `${MODELS}/${embedderId}`);
    assert.equal(live.body.model_state, "DEPLOYED");
    endpointId = (live.body.endpoint_ids as string[])[0] as string;
    assert.match(endpointId, /^ep-/);

    const texts = ["flat plate boundary layer", "shock waves"];
    const predicted = await ml<Predicted>(`POST`, `${MODELS}/${embedderId}/_predict`, { text_docs: texts });
    assert.equal(predicted.status, 200, JSON.stringify(predicted.body));
    assert.equal(predicted.body.inference_results.length, 2);
    const first = predicted.body.inference_results[0]?.output[0] as Output;
    assert.equal(first.name, "sentence_embedding");
    assert.equal(first.data_type, "FLOAT32");
    assert.deepEqual(first.shape, [64]);
    const openai = await api<{ data: { embedding: number[] }[] }>(server.url, "POST", "/v1/embeddings", {
      model: embedderId,
      input: texts,
    });
    assert.deepEqual(
      predicted.body.inference_results.map((r) => r.output[0]?.data),
      openai.body.data.map((d) => d.embedding),
    );
    const byAlgorithm = await ml<Predicted>(`POST`, `/_plugins/_ml/_predict/text_embedding/${embedderId}`, {
      text_docs: texts,
    });
    assert.deepEqual(byAlgorithm.body, predicted.body);

    // the engine's model service: Float32Arrays, the same vectors
    const vectors = await models.embed(embedderId, texts);
    assert.ok(vectors.every((v) => v instanceof Float32Array && v.length === 64));
    assert.deepEqual(
      vectors.map((v) => Array.from(v)),
      openai.body.data.map((d) => d.embedding),
    );
    assert.deepEqual(models.describe(embedderId), {
      id: embedderId,
      kind: "embedding",
      dimension: 64,
      available: true,
    });

    const undeployed = await ml(`POST`, `${MODELS}/${embedderId}/_undeploy`);
    assert.deepEqual(undeployed.body, { lodestone: { stats: { [embedderId]: "UNDEPLOYED" } } });
    assert.equal(await modelState(embedderId), "UNDEPLOYED");
    await rejectsWith(
      models.embed(embedderId, ["x"]),
      409,
      new RegExp(`POST /v1/endpoints/${endpointId}/start`),
    );
    // deploying again resumes the stopped endpoint rather than adding one
    assert.equal((await ml(`POST`, `${MODELS}/${embedderId}/_deploy`)).body.status, "COMPLETED");
    const again = await ml(`GET`, `${MODELS}/${embedderId}`);
    assert.equal(again.body.model_state, "DEPLOYED");
    assert.deepEqual(again.body.endpoint_ids, [endpointId]);
  });

  test("the model service: a stopped endpoint, an unknown id, an endpoint id in the ML routes", async () => {
    const models = server.platform.search.models;
    const stopped = await api(server.url, "POST", `/v1/endpoints/${endpointId}/stop`);
    assert.equal(stopped.body.status, "Stopped");
    await rejectsWith(
      models.embed(endpointId, ["x"]),
      409,
      new RegExp(`endpoint ${endpointId} is Stopped; start it with POST /v1/endpoints/${endpointId}/start`),
    );
    assert.equal(models.describe(endpointId)?.available, false);
    const asModel = await ml(`GET`, `${MODELS}/${endpointId}`);
    assert.equal(asModel.body.model_id, embedderId);
    assert.equal(asModel.body.endpoint_id, endpointId);
    assert.equal(asModel.body.model_state, "UNDEPLOYED");

    await rejectsWith(models.embed("m-nosuchmodel", ["x"]), 400, /unknown model id \[m-nosuchmodel\]/);
    await rejectsWith(models.rerank("ep-nosuchendpoint", "q", ["d"]), 400, /ep-nosuchendpoint/);
    assert.equal(models.describe("m-nosuchmodel"), undefined);

    // _deploy with the endpoint id starts that endpoint
    assert.equal((await ml(`POST`, `${MODELS}/${endpointId}/_deploy`)).body.status, "COMPLETED");
    const [vector] = await models.embed(endpointId, ["boundary layer"]);
    assert.equal(vector?.length, 64);
  });

  test("a TEXT_SIMILARITY reranker registered with ?deploy=true: similarity per document, equal to /v1/rerank", async () => {
    const registered = await ml(`POST`, `${MODELS}/_register?deploy=true`, {
      name: "ml-rerank",
      function_name: "TEXT_SIMILARITY",
      url: "oss://mlc/rerank/",
    });
    const task = await finishedTask(registered.body.task_id as string);
    assert.equal(task.state, "COMPLETED", JSON.stringify(task));
    rerankerId = task.model_id as string;
    await until("the reranker to be deployed", async () =>
      (await modelState(rerankerId)) === "DEPLOYED" ? true : undefined,
    );
    const query = "shock waves in supersonic flow";
    const predicted = await ml<Predicted>(`POST`, `${MODELS}/${rerankerId}/_predict`, {
      query_text: query,
      text_docs: DOCS,
    });
    assert.equal(predicted.status, 200, JSON.stringify(predicted.body));
    assert.equal(predicted.body.inference_results.length, DOCS.length);
    const outputs = predicted.body.inference_results.map((r) => r.output[0] as Output);
    assert.ok(outputs.every((o) => o.name === "similarity" && o.data_type === "FLOAT32" && o.shape[0] === 1));
    const cohere = await api<{ results: { index: number; relevance_score: number }[] }>(
      server.url,
      "POST",
      "/v1/rerank",
      { model: rerankerId, query, documents: DOCS },
    );
    const byIndex = [...cohere.body.results].sort((a, b) => a.index - b.index).map((r) => r.relevance_score);
    assert.deepEqual(
      outputs.map((o) => o.data[0]),
      byIndex,
    );
    const models = server.platform.search.models;
    assert.deepEqual(await models.rerank(rerankerId, query, DOCS), byIndex);
    assert.equal(models.describe(rerankerId)?.kind, "reranker");
    await rejectsWith(
      models.embed(rerankerId, ["x"]),
      400,
      /is a reranker \(ml-rerank\), not an embedding model/,
    );
    const wrongRoute = await ml<ErrorBody>(`POST`, `/_plugins/_ml/_predict/text_embedding/${rerankerId}`, {
      text_docs: ["x"],
    });
    assert.equal(wrongRoute.status, 400);
    assert.match(wrongRoute.body.error.reason, /TEXT_SIMILARITY model, not TEXT_EMBEDDING/);
    const noQuery = await ml<ErrorBody>(`POST`, `${MODELS}/${rerankerId}/_predict`, { text_docs: ["x"] });
    assert.equal(noQuery.status, 400);
    assert.match(noQuery.body.error.reason, /\[query_text\] is required/);
  });

  test("failed registrations are reported by their task; malformed requests are 400s naming the field", async () => {
    const empty = await ml(`POST`, `${MODELS}/_register`, { name: "empty", url: "oss://mlc/nothing/" });
    const emptyTask = await finishedTask(empty.body.task_id as string);
    assert.equal(emptyTask.state, "FAILED");
    assert.match(emptyTask.error as string, /oss:\/\/mlc\/nothing\/ holds no files/);
    assert.equal(emptyTask.model_id, undefined);

    const mismatch = await ml(`POST`, `${MODELS}/_register`, {
      name: "mislabelled",
      function_name: "TEXT_SIMILARITY",
      url: "oss://mlc/emb/",
    });
    const mismatchTask = await finishedTask(mismatch.body.task_id as string);
    assert.equal(mismatchTask.state, "FAILED");
    assert.match(
      mismatchTask.error as string,
      /function_name is TEXT_SIMILARITY but oss:\/\/mlc\/emb\/ holds a TEXT_EMBEDDING/,
    );
    const leftover = await ml<{ hits: { total: { value: number } } }>(`POST`, `${MODELS}/_search`, {
      query: { term: { name: "mislabelled" } },
    });
    assert.equal(leftover.body.hits.total.value, 0);

    const cases: [Body, RegExp][] = [
      [
        { name: "zip", url: "https://example.com/model.zip" },
        /\[url\] must be an oss:\/\/bucket\/prefix\/ model folder/,
      ],
      [
        { name: "k", url: "oss://mlc/emb/", function_name: "KMEANS" },
        /function_name "KMEANS" is not supported/,
      ],
      [{ name: "f", url: "oss://mlc/emb/", foo: 1 }, /unknown field \[foo\]/],
      [{ url: "oss://mlc/emb/" }, /\[name\] is required/],
      [{ name: "c", connector_id: 5 }, /\[connector_id\] must be a connector id/],
      [{ name: "c", connector_id: "abc", url: "oss://mlc/emb/" }, /exactly one of them/],
      [{ name: "both" }, /give \[url\] .* or \[connector\]/],
    ];
    for (const [body, reason] of cases) {
      const res = await ml<ErrorBody>(`POST`, `${MODELS}/_register`, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.type, "illegal_argument_exception");
      assert.match(res.body.error.reason, reason);
    }
    const noTask = await ml<ErrorBody>(`GET`, `/_plugins/_ml/tasks/t-nosuchtask`);
    assert.equal(noTask.status, 404);
    assert.equal(noTask.body.error.type, "status_exception");
    const noModel = await ml<ErrorBody>(`GET`, `${MODELS}/m-nosuchmodel`);
    assert.equal(noModel.status, 404);
    assert.match(noModel.body.error.reason, /Failed to find model \[m-nosuchmodel\]/);
    const badParam = await ml<ErrorBody>(`POST`, `${MODELS}/${embedderId}/_deploy?foo=1`);
    assert.equal(badParam.status, 400);
  });

  test("_search finds models; DELETE refuses a deployed model and deletes an undeployed one with its endpoints", async () => {
    type Hits = { hits: { total: { value: number }; hits: { _id: string; _source: Body }[] } };
    const all = await ml<Hits>(`POST`, `${MODELS}/_search`, { query: { match_all: {} }, size: 100 });
    const ids = all.body.hits.hits.map((h) => h._id);
    assert.ok(ids.includes("m-lodestone-embed-base") && ids.includes(embedderId) && ids.includes(rerankerId));
    const builtin = all.body.hits.hits.find((h) => h._id === "m-lodestone-embed-base");
    assert.equal(builtin?._source.model_state, "DEPLOYED");
    const byName = await ml<Hits>(`POST`, `${MODELS}/_search`, {
      query: { term: { "name.keyword": "ml-emb" } },
    });
    assert.deepEqual(
      byName.body.hits.hits.map((h) => h._id),
      [embedderId],
    );
    const deployedSimilarity = await ml<Hits>(`POST`, `${MODELS}/_search`, {
      query: {
        bool: { filter: [{ term: { algorithm: "TEXT_SIMILARITY" } }, { term: { model_state: "DEPLOYED" } }] },
      },
    });
    assert.deepEqual(
      deployedSimilarity.body.hits.hits.map((h) => h._id),
      [rerankerId],
    );
    const unsupported = await ml<ErrorBody>(`POST`, `${MODELS}/_search`, { query: { fuzzy: { name: "x" } } });
    assert.equal(unsupported.status, 400);
    assert.match(unsupported.body.error.reason, /supports match_all, term/);

    const refused = await ml<ErrorBody>(`DELETE`, `${MODELS}/${rerankerId}`);
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.reason, new RegExp(`model ${rerankerId} is deployed .*_undeploy`));
    await ml(`POST`, `${MODELS}/${rerankerId}/_undeploy`);
    const deleted = await ml(`DELETE`, `${MODELS}/${rerankerId}`);
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    assert.equal(deleted.body.result, "deleted");
    assert.equal((await ml(`GET`, `${MODELS}/${rerankerId}`)).status, 404);
    const endpoints = await api<{ data: { model_id: string }[] }>(server.url, "GET", "/v1/endpoints");
    assert.ok(!endpoints.body.data.some((e) => e.model_id === rerankerId));
    const builtinDelete = await ml<ErrorBody>(`DELETE`, `${MODELS}/m-lodestone-embed-base`);
    assert.equal(builtinDelete.status, 400);
    assert.match(builtinDelete.body.error.reason, /built in/);
  });

  test("the official client's transport reaches the ML routes, errors included", async () => {
    const found = await client.transport.request({
      method: "POST",
      path: `${MODELS}/_search`,
      body: { query: { term: { name: "ml-emb" } } },
    });
    assert.equal((found.body as { hits: { total: { value: number } } }).hits.total.value, 1);
    const predicted = await client.transport.request({
      method: "POST",
      path: `${MODELS}/${embedderId}/_predict`,
      body: { text_docs: ["boundary layer"] },
    });
    assert.deepEqual((predicted.body as Predicted).inference_results[0]?.output[0]?.shape, [64]);
    await assert.rejects(
      client.transport.request({ method: "GET", path: `${MODELS}/m-nosuchmodel` }),
      (err: { statusCode?: number; meta?: { body?: ErrorBody } }) => {
        assert.equal(err.statusCode, 404);
        assert.equal(err.meta?.body?.error.type, "status_exception");
        return true;
      },
    );
  });

  test("tasks and deployments survive a restart", async () => {
    await client.close();
    await server.close();
    server = await startTestPlatform({}, dataDir);
    client = new Client({ node: server.searchUrl });
    const task = await ml(`GET`, `/_plugins/_ml/tasks/${registerTaskId}`);
    assert.equal(task.body.state, "COMPLETED");
    assert.equal(task.body.model_id, embedderId);
    await until("the endpoint to come back", async () =>
      (await modelState(embedderId)) === "DEPLOYED" ? true : undefined,
    );
    const [vector] = await server.platform.search.models.embed(embedderId, ["after the restart"]);
    assert.equal(vector?.length, 64);
  });
});

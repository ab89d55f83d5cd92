/**
 * ML Commons connectors on the embedded engine, in OpenSearch's blueprint form: a connector to an
 * upstream OpenAI-compatible embeddings server (a fake on localhost) registered by `connector_id`
 * is a REMOTE model that `_predict` serves through the upstream with the connector's credential;
 * GET hides the credential, a connector in use is not deleted, model groups refuse a taken name,
 * and connectors the engine cannot run are refused with a message.
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { api, startTestPlatform } from "../helpers/platform.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;
type Body = Record<string, unknown>;

let server: Running;
let upstream: http.Server;
let upstreamUrl: string;
const seen: Array<{ authorization: string | undefined; body: Body }> = [];

before(async () => {
  upstream = http.createServer((req, res) => {
    let text = "";
    req.on("data", (c) => {
      text += c;
    });
    req.on("end", () => {
      const body = JSON.parse(text) as { input: string[]; model: string };
      seen.push({ authorization: req.headers.authorization, body });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          object: "list",
          model: body.model,
          data: body.input.map((t, index) => ({ object: "embedding", index, embedding: [t.length, 1, 0] })),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  server = await startTestPlatform();
});

after(async () => {
  await server?.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

const ml = <T = Body>(method: string, route: string, body?: unknown) =>
  api<T>(server.searchUrl, method, `/_plugins/_ml${route}`, body);

async function completed(taskId: string): Promise<Body> {
  for (let i = 0; i < 200; i++) {
    const task = await ml("GET", `/tasks/${taskId}`);
    if (task.body.state !== "RUNNING") return task.body;
    await sleep(25);
  }
  throw new Error(`task ${taskId} did not finish`);
}

test("an OpenAI embedding blueprint connector becomes a REMOTE model served through the upstream", async () => {
  const connector = await ml<{ connector_id: string }>("POST", "/connectors/_create", {
    name: "upstream-embeddings",
    description: "an OpenAI-compatible server",
    version: "1",
    protocol: "http",
    parameters: { model: "text-embedding-3-small" },
    credential: { openAI_key: "up-key" },
    actions: [
      {
        action_type: "predict",
        method: "POST",
        url: `${upstreamUrl}/v1/embeddings`,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: ML Commons placeholders
        headers: { Authorization: "Bearer ${credential.openAI_key}" },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: ML Commons placeholders
        request_body: '{ "input": ${parameters.input}, "model": "${parameters.model}" }',
        pre_process_function: "connector.pre_process.openai.embedding",
        post_process_function: "connector.post_process.openai.embedding",
      },
    ],
  });
  assert.equal(connector.status, 200, JSON.stringify(connector.body));
  const connectorId = connector.body.connector_id;

  const shown = await ml("GET", `/connectors/${connectorId}`);
  assert.equal(shown.body.name, "upstream-embeddings");
  assert.equal(shown.body.credential, undefined);
  assert.doesNotMatch(JSON.stringify(shown.body), /up-key/);

  const group = await ml<{ model_group_id: string }>("POST", "/model_groups/_register", { name: "team" });
  assert.equal(group.status, 200);
  const taken = await ml<{ error: { reason: string } }>("POST", "/model_groups/_register", { name: "team" });
  assert.equal(taken.status, 400);
  assert.match(taken.body.error.reason, /already being used by a model group with ID: g-/);
  const groups = await ml<{ hits: { hits: Array<{ _id: string }> } }>("POST", "/model_groups/_search", {
    query: { term: { "name.keyword": "team" } },
  });
  assert.deepEqual(
    groups.body.hits.hits.map((h) => h._id),
    [group.body.model_group_id],
  );

  const registered = await ml<{ task_id: string }>("POST", "/models/_register", {
    name: "upstream-embedder",
    function_name: "remote",
    model_group_id: group.body.model_group_id,
    connector_id: connectorId,
  });
  const task = await completed(registered.body.task_id);
  assert.equal(task.state, "COMPLETED", String(task.error));
  const modelId = task.model_id as string;
  const deployed = await ml("POST", `/models/${modelId}/_deploy`);
  assert.equal(deployed.body.status, "COMPLETED");
  const doc = await ml("GET", `/models/${modelId}`);
  assert.equal(doc.body.function_name, "REMOTE");
  assert.equal(doc.body.connector_id, connectorId);
  assert.equal(doc.body.model_state, "DEPLOYED");

  const predicted = await ml<{ inference_results: Array<{ output: Array<{ data: number[] }> }> }>(
    "POST",
    `/_predict/text_embedding/${modelId}`,
    { text_docs: ["abc", "abcdef"] },
  );
  assert.equal(predicted.status, 200, JSON.stringify(predicted.body));
  assert.deepEqual(
    predicted.body.inference_results.map((r) => r.output[0]?.data),
    [
      [3, 1, 0],
      [6, 1, 0],
    ],
  );
  const last = seen[seen.length - 1];
  assert.equal(last?.authorization, "Bearer up-key");
  assert.equal(last?.body.model, "text-embedding-3-small");

  const inUse = await ml<{ error: { reason: string } }>("DELETE", `/connectors/${connectorId}`);
  assert.equal(inUse.status, 409);
  assert.match(inUse.body.error.reason, new RegExp(`models are still using this connector.*${modelId}`));
});

test("connectors the engine cannot run are refused with what it takes", async () => {
  const action = { action_type: "predict", method: "POST", url: `${upstreamUrl}/v1/embeddings` };
  const cases: Array<[Body, RegExp]> = [
    [{ name: "s", protocol: "aws_sigv4", actions: [action] }, /\[protocol\] must be "http"/],
    [{ name: "a", protocol: "http", actions: [] }, /\[actions\] is required/],
    [{ name: "u", protocol: "http", actions: [action], foo: 1 }, /unknown field \[foo\]/],
    [{ name: "x", protocol: "http", actions: [{ ...action, bar: 1 }] }, /unknown field \[actions\.0\.bar\]/],
  ];
  for (const [body, reason] of cases) {
    const res = await ml<{ error: { type: string; reason: string } }>("POST", "/connectors/_create", body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.match(res.body.error.reason, reason);
  }
  const chat = await ml<{ connector_id: string }>("POST", "/connectors/_create", {
    name: "chat",
    protocol: "http",
    actions: [{ ...action, url: `${upstreamUrl}/v1/chat/completions` }],
  });
  const registered = await ml<{ task_id: string }>("POST", "/models/_register", {
    name: "chat-model",
    function_name: "remote",
    connector_id: chat.body.connector_id,
  });
  const task = await completed(registered.body.task_id);
  assert.equal(task.state, "FAILED");
  assert.match(String(task.error), /OpenAI-compatible …\/embeddings and Cohere-compatible …\/rerank/);
  const missing = await ml<{ task_id: string }>("POST", "/models/_register", {
    name: "nothing",
    connector_id: "c-nosuchconnector",
  });
  assert.match(String((await completed(missing.body.task_id)).error), /Failed to find connector/);
  const deleted = await ml("DELETE", `/connectors/${chat.body.connector_id}`);
  assert.equal(deleted.body.result, "deleted");
});

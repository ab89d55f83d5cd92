/**
 * Model registry, endpoints and inference over HTTP: the seed's Bailian calls verbatim, the
 * official `openai` client (embeddings, chat, streaming chat), Cohere-style rerank, broken model
 * folders refused with the problem named, endpoints back after a restart, micro-batching.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { api, startTestPlatform, tempDir } from "../helpers/platform.ts";
import { DOCS, uploadFolder as upload, uploadSmallModels } from "../helpers/small-models.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;

describe("model serving API", () => {
  let server: Running;
  let dataDir: string;
  let work: string;
  let modelId: string;
  let endpointId: string;
  let openai: OpenAI;

  before(async () => {
    work = tempDir();
    dataDir = tempDir();
    server = await startTestPlatform({}, dataDir);
    openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused-on-loopback" });
    await uploadSmallModels(server, work, {
      embedder: "oss://bucket/models/",
      reranker: "oss://bucket/reranker/",
    });
  });
  after(() => server.close());

  test("the seed's calls: register → m-…, deploy → ep-…, then embeddings of the model's dimension", async () => {
    const registered = await api(server.url, "POST", "/v1/models", {
      model_name: "custom-emb",
      oss_path: "oss://bucket/models/",
    });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    modelId = registered.body.model_id as string;
    assert.match(modelId, /^m-[a-z0-9]{12}$/);
    assert.equal(registered.body.dimension, 64);
    const deployed = await api(server.url, "POST", "/v1/endpoints", { model_id: modelId });
    assert.equal(deployed.status, 201);
    endpointId = deployed.body.endpoint_id as string;
    assert.match(endpointId, /^ep-[a-z0-9]{12}$/);
    assert.ok(["Creating", "Running"].includes(deployed.body.status as string));
    const running = await server.platform.endpoints.settled(endpointId);
    assert.equal(running.status, "Running", running.reason ?? "");

    const res = await openai.embeddings.create({
      model: endpointId,
      input: ["flat plate boundary layer", "shock"],
    });
    assert.equal(res.data.length, 2);
    assert.equal(res.data[0]?.embedding.length, 64);
    assert.equal(res.model, endpointId);
    const norm = Math.hypot(...(res.data[0]?.embedding ?? []));
    assert.ok(Math.abs(norm - 1) < 1e-4);
  });

  test("embeddings: by model name, dimensions, base64, and clear 4xx for bad input", async () => {
    const byName = await openai.embeddings.create({
      model: "custom-emb",
      input: "boundary layer",
      dimensions: 16,
    });
    assert.equal(byName.data[0]?.embedding.length, 16);
    const b64 = await api<{ data: { embedding: string }[] }>(server.url, "POST", "/v1/embeddings", {
      model: endpointId,
      input: "boundary layer",
      encoding_format: "base64",
    });
    const bytes = Uint8Array.from(Buffer.from(b64.body.data[0]?.embedding as string, "base64"));
    const floats = new Float32Array(bytes.buffer);
    assert.equal(floats.length, 64);
    const tooWide = await api(server.url, "POST", "/v1/embeddings", {
      model: endpointId,
      input: "x",
      dimensions: 65,
    });
    assert.equal(tooWide.status, 400);
    assert.match(JSON.stringify(tooWide.body), /at most the model's 64/);
    const missing = await api(server.url, "POST", "/v1/embeddings", { model: "no-such-model", input: "x" });
    assert.equal(missing.status, 404);
    const empty = await api(server.url, "POST", "/v1/embeddings", { model: endpointId, input: [] });
    assert.equal(empty.status, 400);
    assert.equal((empty.body as { error: { param: string } }).error.param, "input");
  });

  test("the built-in embedder and answerer need no endpoint; chat works with the openai client, streaming too", async () => {
    const models = await openai.models.list();
    const ids = models.data.map((m) => m.id);
    assert.ok(ids.includes("m-lodestone-embed-base") && ids.includes("m-lodestone-answerer"));
    const messages = [
      { role: "system" as const, content: `Answer from the passages.\n[1] ${DOCS[0]}.\n[2] ${DOCS[1]}.` },
      { role: "user" as const, content: "Where does the boundary layer on a flat plate thicken?" },
    ];
    const chat = await openai.chat.completions.create({ model: "lodestone-answerer", messages });
    const answer = chat.choices[0]?.message.content ?? "";
    assert.match(answer, /boundary layer on a flat plate thickens downstream\.? \[1\]/);
    let streamed = "";
    const stream = await openai.chat.completions.create({
      model: "lodestone-answerer",
      messages,
      stream: true,
    });
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? "";
    assert.equal(streamed, answer);
    const outOfScope = await openai.chat.completions.create({
      model: "lodestone-answerer",
      messages: [
        messages[0] as (typeof messages)[0],
        { role: "user", content: "Who won the 1998 World Cup?" },
      ],
    });
    assert.match(outOfScope.choices[0]?.message.content ?? "", /not in the provided passages/);
  });

  test("rerank (Cohere/Jina shape) with a deployed reranker", async () => {
    const reg = await api(server.url, "POST", "/v1/models", {
      model_name: "custom-rerank",
      oss_path: "oss://bucket/reranker/",
    });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    assert.equal(reg.body.kind, "reranker");
    const ep = await api(server.url, "POST", "/v1/endpoints", { model_id: reg.body.model_id });
    await server.platform.endpoints.settled(ep.body.endpoint_id as string);
    const res = await api<{
      results: { index: number; relevance_score: number; document?: { text: string } }[];
    }>(server.url, "POST", "/v1/rerank", {
      model: ep.body.endpoint_id,
      query: "shock waves in supersonic flow",
      documents: DOCS,
      top_n: 2,
      return_documents: true,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.results.length, 2);
    assert.equal(res.body.results[0]?.index, 1);
    assert.equal(res.body.results[0]?.document?.text, DOCS[1]);
    const wrongKind = await api(server.url, "POST", "/v1/rerank", {
      model: endpointId,
      query: "q",
      documents: ["a"],
    });
    assert.equal(wrongKind.status, 400);
    assert.match(JSON.stringify(wrongKind.body), /not a reranker/);
  });

  test("a broken model folder is refused with the problem named", async () => {
    const broken = async (name: string, damage: (dir: string) => void) => {
      const dir = path.join(work, name);
      fs.cpSync(path.join(work, "emb"), dir, { recursive: true });
      damage(dir);
      await upload(server, dir, `oss://bucket/${name}/`);
      return api(server.url, "POST", "/v1/models", { model_name: name, oss_path: `oss://bucket/${name}/` });
    };
    const corrupt = await broken("corrupt", (dir) => {
      const file = path.join(dir, "model.safetensors");
      fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 1000));
    });
    assert.equal(corrupt.status, 400);
    assert.match(JSON.stringify(corrupt.body), /model\.safetensors/);
    const wrongDim = await broken("wrong-dim", (dir) => {
      const config = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
      fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...config, dimension: 768 }));
    });
    assert.equal(wrongDim.status, 400);
    assert.match(
      JSON.stringify(wrongDim.body),
      /projection\.weight has shape \[64, 100\], config\.json implies \[768, 100\]/,
    );
    const noVocab = await broken("no-vocab", (dir) => fs.rmSync(path.join(dir, "vocab.txt")));
    assert.equal(noVocab.status, 400);
    assert.match(JSON.stringify(noVocab.body), /vocab\.txt/);
    const listed = await api<{ data: { model_name: string }[] }>(server.url, "GET", "/v1/models");
    assert.ok(!listed.body.data.some((m) => ["corrupt", "wrong-dim", "no-vocab"].includes(m.model_name)));
  });

  test("versions, and deleting a served model is refused until its endpoint is gone", async () => {
    const again = await api(server.url, "POST", "/v1/models", {
      model_name: "custom-emb",
      oss_path: "oss://bucket/models/",
    });
    assert.equal(again.body.version, 2);
    const refused = await api(server.url, "DELETE", `/v1/models/${modelId}`);
    assert.equal(refused.status, 409);
    assert.match(JSON.stringify(refused.body), new RegExp(`served by endpoint ${endpointId}`));
    assert.equal((await api(server.url, "DELETE", `/v1/models/${again.body.model_id}`)).status, 200);
  });

  test("micro-batching: 64 concurrent single-text calls go out in fewer batches", async () => {
    const served = server.platform.endpoints.resolve(endpointId);
    const before = { ...(served.runtime.batcher?.stats ?? { batches: 0, texts: 0 }) };
    await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        openai.embeddings.create({ model: endpointId, input: `text number ${i}` }),
      ),
    );
    const stats = served.runtime.batcher?.stats ?? { batches: 0, texts: 0 };
    assert.equal(stats.texts - before.texts, 64);
    assert.ok(stats.batches - before.batches < 64, `${stats.batches - before.batches} batches for 64 calls`);
  });

  test("a stopped endpoint refuses calls, stays Stopped, and starts again", async () => {
    const stopped = await api(server.url, "POST", `/v1/endpoints/${endpointId}/stop`);
    assert.equal(stopped.body.status, "Stopped");
    const refused = await api(server.url, "POST", "/v1/embeddings", { model: endpointId, input: "x" });
    assert.equal(refused.status, 409);
    assert.match(JSON.stringify(refused.body), /is Stopped/);
    const started = await api(server.url, "POST", `/v1/endpoints/${endpointId}/start`);
    assert.equal(started.body.status, "Creating");
    assert.equal((await server.platform.endpoints.settled(endpointId)).status, "Running");
  });

  test("endpoints come back after a restart", async () => {
    await server.close();
    server = await startTestPlatform({}, dataDir);
    openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused-on-loopback" });
    const back = await server.platform.endpoints.settled(endpointId);
    assert.equal(back.status, "Running");
    const res = await openai.embeddings.create({ model: endpointId, input: "after the restart" });
    assert.equal(res.data[0]?.embedding.length, 64);
    assert.equal((await api(server.url, "DELETE", `/v1/endpoints/${endpointId}`)).status, 200);
    assert.equal((await api(server.url, "DELETE", `/v1/models/${modelId}`)).status, 200);
  });
});

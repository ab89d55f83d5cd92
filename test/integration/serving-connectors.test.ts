/**
 * Upstream servers registered as models: an OpenAI-compatible chat and embeddings server and a
 * TEI-style rerank server (fakes on loopback), used through Lodestone's own API and the `openai`
 * client; probes refuse a wrong dimension and an unreachable server; the key is never stored.
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { api, startTestPlatform } from "../helpers/platform.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;

function fakeUpstream(): Promise<{ url: string; close: () => void; auth: string[] }> {
  const auth: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      auth.push(String(req.headers.authorization ?? ""));
      const json = body ? JSON.parse(body) : {};
      res.setHeader("content-type", "application/json");
      if (req.url === "/v1/embeddings") {
        const inputs: string[] = Array.isArray(json.input) ? json.input : [json.input];
        res.end(
          JSON.stringify({
            object: "list",
            data: inputs.map((t, index) => ({
              object: "embedding",
              index,
              embedding: Array.from({ length: 8 }, (_, i) => (t.length + i) % 5),
            })),
            model: json.model,
          }),
        );
      } else if (req.url === "/v1/chat/completions" && json.stream) {
        res.setHeader("content-type", "text/event-stream");
        for (const word of ["upstream ", "says ", "hi"])
          res.write(
            `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: word }, finish_reason: null }] })}\n\n`,
          );
        res.write(
          `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`,
        );
        res.end("data: [DONE]\n\n");
      } else if (req.url === "/v1/chat/completions") {
        res.end(
          JSON.stringify({
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: "upstream says hi" },
                finish_reason: "stop",
              },
            ],
            usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
          }),
        );
      } else if (req.url === "/rerank") {
        const texts: string[] = json.texts;
        res.end(JSON.stringify(texts.map((t, index) => ({ index, score: t.includes(json.query) ? 1 : 0 }))));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { message: "no such route" } }));
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => server.close(),
        auth,
      }),
    ),
  );
}

describe("connector models", () => {
  let server: Running;
  let upstream: Awaited<ReturnType<typeof fakeUpstream>>;
  let openai: OpenAI;

  before(async () => {
    process.env.FAKE_UPSTREAM_KEY = "sk-very-secret-upstream-key";
    upstream = await fakeUpstream();
    server = await startTestPlatform();
    openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused" });
  });
  after(async () => {
    await server.close();
    upstream.close();
  });

  test("an OpenAI-compatible embeddings server: probed dimension, then served by name", async () => {
    const reg = await api(server.url, "POST", "/v1/models", {
      model_name: "gpu-bge",
      connector: {
        type: "openai-embeddings",
        base_url: `${upstream.url}/v1`,
        model: "bge-m3",
        api_key_env: "FAKE_UPSTREAM_KEY",
        dimensions: 8,
      },
    });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    assert.equal(reg.body.dimension, 8);
    assert.ok(!JSON.stringify(reg.body).includes("very-secret"), "the key is not stored or returned");
    assert.ok(upstream.auth.includes("Bearer sk-very-secret-upstream-key"));
    const res = await openai.embeddings.create({ model: "gpu-bge", input: ["a", "bb"] });
    assert.equal(res.data.length, 2);
    assert.equal(res.data[1]?.embedding.length, 8);
  });

  test("a declared dimension that differs from the probe, or an unreachable server, is refused", async () => {
    const wrong = await api(server.url, "POST", "/v1/models", {
      model_name: "gpu-bge-wrong",
      connector: {
        type: "openai-embeddings",
        base_url: `${upstream.url}/v1`,
        model: "bge-m3",
        dimensions: 1024,
      },
    });
    assert.equal(wrong.status, 400);
    assert.match(JSON.stringify(wrong.body), /dimensions is 1024 but .* returns 8-dimensional/);
    const down = await api(server.url, "POST", "/v1/models", {
      model_name: "nowhere",
      connector: {
        type: "openai-embeddings",
        base_url: "http://127.0.0.1:9/v1",
        model: "x",
        timeout_ms: 2000,
      },
    });
    assert.equal(down.status, 400);
    assert.match(JSON.stringify(down.body), /probing http:\/\/127\.0\.0\.1:9\/v1 failed/);
    const both = await api(server.url, "POST", "/v1/models", {
      model_name: "x",
      oss_path: "oss://b/m/",
      connector: { type: "rerank", base_url: "http://h", model: "m" },
    });
    assert.equal(both.status, 400);
  });

  test("an upstream chat server through chat.completions, streamed and not", async () => {
    const reg = await api(server.url, "POST", "/v1/models", {
      model_name: "qwen-upstream",
      connector: { type: "openai-chat", base_url: `${upstream.url}/v1`, model: "qwen-max" },
    });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    const messages = [{ role: "user" as const, content: "hello" }];
    const chat = await openai.chat.completions.create({ model: "qwen-upstream", messages });
    assert.equal(chat.choices[0]?.message.content, "upstream says hi");
    let streamed = "";
    for await (const chunk of await openai.chat.completions.create({
      model: "qwen-upstream",
      messages,
      stream: true,
    }))
      streamed += chunk.choices[0]?.delta.content ?? "";
    assert.equal(streamed, "upstream says hi");
  });

  test("an upstream chat server that fails is a 502 naming the upstream, not a 500", async () => {
    const reg = await api(server.url, "POST", "/v1/models", {
      model_name: "broken-upstream",
      connector: { type: "openai-chat", base_url: `${upstream.url}/missing/v1`, model: "qwen-max" },
    });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    const res = await api(server.url, "POST", "/v1/chat/completions", {
      model: "broken-upstream",
      messages: [{ role: "user", content: "hello" }],
    });
    assert.equal(res.status, 502, JSON.stringify(res.body));
    const error = (res.body as { error: { code: string; message: string } }).error;
    assert.equal(error.code, "upstream_error");
    assert.match(error.message, /missing\/v1/);
  });

  test("a TEI-style rerank server through /v1/rerank", async () => {
    const reg = await api(server.url, "POST", "/v1/models", {
      model_name: "tei-rerank",
      connector: { type: "rerank", base_url: upstream.url, model: "bge-reranker", style: "tei" },
    });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    const res = await api<{ results: { index: number }[] }>(server.url, "POST", "/v1/rerank", {
      model: "tei-rerank",
      query: "plate",
      documents: ["a shock", "a flat plate"],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.results[0]?.index, 1);
  });
});

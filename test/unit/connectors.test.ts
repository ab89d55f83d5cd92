/**
 * Connectors to external model servers against fake OpenAI-compatible, TEI and Cohere-style
 * servers (node:http on port 0): request shapes, SSE parsing across arbitrary splits, retries
 * (429 with Retry-After, 5xx), no retry on 4xx, timeouts, cancellation, and that the API key never
 * appears in an error.
 */
import assert from "node:assert/strict";
import http, { type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { inspect } from "node:util";
import { configureOutbound } from "../../src/common/url-policy.ts";
import { ConnectorError, extractUpstreamMessage, HttpClient } from "../../src/serving/connectors/http.ts";
import { estimateTokens, OpenAiChatConnector, SseParser } from "../../src/serving/connectors/openai-chat.ts";
import { OpenAiEmbeddingsConnector } from "../../src/serving/connectors/openai-embeddings.ts";
import { RerankConnector } from "../../src/serving/connectors/rerank.ts";

// the fake upstream servers below listen on loopback, which the SSRF policy refuses by default
configureOutbound(["127.0.0.1"]);

const KEY = "sk-test-SECRET-0123456789abcdef";

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

type Handler = (req: Recorded, res: ServerResponse, n: number) => void | Promise<void>;

interface FakeServer {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

async function fakeServer(handler: Handler): Promise<FakeServer> {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const recorded: Recorded = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: text ? JSON.parse(text) : {},
      };
      requests.push(recorded);
      Promise.resolve(handler(recorded, res, requests.length)).catch((err) => {
        res.destroy(err as Error);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function withServer(handler: Handler, fn: (server: FakeServer) => Promise<void>): Promise<void> {
  const server = await fakeServer(handler);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function rejection(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ConnectorError, `expected a ConnectorError, got ${inspect(err)}`);
    return err;
  }
  assert.fail("expected a rejection");
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

function assertNoKey(err: unknown): void {
  for (const text of [
    String(err),
    (err as Error).stack ?? "",
    inspect(err, { depth: 5 }),
    JSON.stringify(err),
  ]) {
    assert.ok(!text.includes(KEY), `the API key leaked: ${text}`);
    assert.ok(!text.includes("SECRET-0123"), `part of the API key leaked: ${text}`);
  }
}

const completion = (content: string, finish: string, usage?: unknown) => ({
  id: "cmpl-1",
  object: "chat.completion",
  choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: finish }],
  ...(usage !== undefined && { usage }),
});

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

describe("OpenAiChatConnector.complete", () => {
  test("posts model, messages, max_tokens, temperature and the bearer key; maps content, finish and usage", async () => {
    await withServer(
      (_req, res) =>
        json(
          res,
          200,
          completion("Hello there", "length", { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 }),
        ),
      async (server) => {
        const chat = new OpenAiChatConnector({
          name: "qwen",
          baseUrl: `${server.url}/v1/`,
          model: "qwen-plus",
          apiKey: KEY,
        });
        const result = await chat.complete({
          messages: [
            { role: "system", content: "Be brief." },
            { role: "user", content: "Hi" },
          ],
          maxTokens: 2,
          temperature: 0.3,
        });
        assert.deepEqual(result, {
          content: "Hello there",
          finishReason: "length",
          usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 },
        });
        assert.equal(chat.name, "qwen");
        const [req] = server.requests;
        assert.ok(req);
        assert.equal(req.method, "POST");
        assert.equal(req.url, "/v1/chat/completions");
        assert.equal(req.headers.authorization, `Bearer ${KEY}`);
        assert.equal(req.headers["content-type"], "application/json");
        assert.deepEqual(req.body, {
          model: "qwen-plus",
          messages: [
            { role: "system", content: "Be brief." },
            { role: "user", content: "Hi" },
          ],
          max_tokens: 2,
          temperature: 0.3,
          stream: false,
        });
      },
    );
  });

  test("estimates usage from whitespace tokens when the server omits it; no key, no Authorization", async () => {
    await withServer(
      (_req, res) => json(res, 200, completion("one two  three", "stop")),
      async (server) => {
        const chat = new OpenAiChatConnector({
          name: "local",
          baseUrl: `${server.url}/v1`,
          model: "llama3",
          extraHeaders: { "X-Tenant": "acme" },
        });
        const result = await chat.complete({ messages: [{ role: "user", content: "say three words" }] });
        assert.equal(result.finishReason, "stop");
        assert.deepEqual(result.usage, { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 });
        const [req] = server.requests;
        assert.equal(req?.headers.authorization, undefined);
        assert.equal(req?.headers["x-tenant"], "acme");
        assert.equal("max_tokens" in (req?.body ?? {}), false);
        assert.equal("temperature" in (req?.body ?? {}), false);
      },
    );
    assert.equal(estimateTokens("  a\tb\nc  "), 3);
    assert.equal(estimateTokens(""), 0);
  });

  test("keeps the base URL's query string and hides secret query parameters in errors", async () => {
    await withServer(
      (_req, res) => json(res, 404, { error: { message: "no such deployment" } }),
      async (server) => {
        const chat = new OpenAiChatConnector({
          name: "azure",
          baseUrl: `${server.url}/openai/deployments/gpt?api-version=2024-06-01&api-key=${KEY}`,
          model: "gpt",
        });
        const err = await rejection(chat.complete({ messages: [{ role: "user", content: "x" }] }));
        assert.equal(
          server.requests[0]?.url,
          `/openai/deployments/gpt/chat/completions?api-version=2024-06-01&api-key=${KEY}`,
        );
        assert.equal(err.status, 404);
        assert.match(err.message, /api-version=2024-06-01/);
        assert.match(err.message, /no such deployment/);
        assertNoKey(err);
      },
    );
  });
});

describe("OpenAiChatConnector.stream", () => {
  const events = [
    ": keep-alive\n\n",
    chunk({ role: "assistant", content: "" }),
    chunk({ content: "Héllo" }),
    ": ping\n\n",
    chunk({ content: ", wörld" }),
    chunk({}, "stop"),
    `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 } })}\n\n`,
    "data: [DONE]\n\n",
  ];

  test("yields deltas from chunks split mid-line and mid-character, skips comments, stops at [DONE]", async () => {
    const body = Buffer.from(events.join(""), "utf8");
    const e = body.indexOf(Buffer.from("é"));
    // cut points: inside "data:", inside a JSON object, between the two bytes of "é", inside "[DONE]"
    const cuts = [3, e - 20, e + 1, body.indexOf(Buffer.from("wörld")) + 2, body.length - 5];
    await withServer(
      async (_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        let from = 0;
        for (const cut of cuts) {
          res.write(body.subarray(from, cut));
          from = cut;
          await delay(15);
        }
        res.end(body.subarray(from));
      },
      async (server) => {
        const chat = new OpenAiChatConnector({
          name: "c",
          baseUrl: `${server.url}/v1`,
          model: "m",
          apiKey: KEY,
        });
        const out = await collect(
          chat.stream({ messages: [{ role: "user", content: "hi" }], maxTokens: 16, temperature: 0 }),
        );
        assert.deepEqual(out, [
          { delta: "Héllo" },
          { delta: ", wörld" },
          {
            delta: "",
            finishReason: "stop",
            usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 },
          },
        ]);
        const [req] = server.requests;
        assert.equal(req?.headers.accept, "text/event-stream");
        assert.equal(req?.headers.authorization, `Bearer ${KEY}`);
        assert.deepEqual(req?.body, {
          model: "m",
          messages: [{ role: "user", content: "hi" }],
          max_tokens: 16,
          temperature: 0,
          stream: true,
          stream_options: { include_usage: true },
        });
      },
    );
  });

  test("estimates usage and reports length when the stream has no usage chunk", async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end(`${chunk({ content: "a b" })}${chunk({ content: " c" }, "length")}data: [DONE]\n\n`);
      },
      async (server) => {
        const chat = new OpenAiChatConnector({
          name: "c",
          baseUrl: server.url,
          model: "m",
          streamUsage: false,
        });
        const out = await collect(chat.stream({ messages: [{ role: "user", content: "count to three" }] }));
        assert.deepEqual(out.at(-1), {
          delta: "",
          finishReason: "length",
          usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
        });
        assert.equal("stream_options" in (server.requests[0]?.body ?? {}), false);
      },
    );
  });

  test("a connection lost mid-stream is a ConnectorError; so is a close before [DONE]", async () => {
    for (const ending of ["destroy", "end"] as const) {
      await withServer(
        async (_req, res) => {
          res.writeHead(200, { "content-type": "text/event-stream" });
          res.write(chunk({ content: "partial" }));
          await delay(20);
          if (ending === "destroy") res.socket?.destroy();
          else res.end();
        },
        async (server) => {
          const chat = new OpenAiChatConnector({ name: "c", baseUrl: server.url, model: "m", apiKey: KEY });
          const seen: string[] = [];
          const err = await rejection(
            (async () => {
              for await (const part of chat.stream({ messages: [{ role: "user", content: "hi" }] })) {
                seen.push(part.delta);
              }
            })(),
          );
          assert.deepEqual(seen, ["partial"]);
          assert.equal(err.kind, "network");
          assert.match(
            err.message,
            ending === "destroy" ? /connection lost mid-stream/ : /before it finished/,
          );
          assert.equal(server.requests.length, 1, "no retry once the stream has started");
          assertNoKey(err);
        },
      );
    }
  });

  test("an error event mid-stream surfaces the upstream's message", async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end(
          `${chunk({ content: "x" })}data: ${JSON.stringify({ error: { message: "context too long", code: 400 } })}\n\n`,
        );
      },
      async (server) => {
        const chat = new OpenAiChatConnector({ name: "c", baseUrl: server.url, model: "m" });
        const err = await rejection(collect(chat.stream({ messages: [{ role: "user", content: "hi" }] })));
        assert.equal(err.kind, "http");
        assert.equal(err.status, 400);
        assert.equal(err.upstreamMessage, "context too long");
      },
    );
  });

  test("the stream times out when no data arrives for timeoutMs; an early break closes the connection", async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(chunk({ content: "first" }));
        // then silence
      },
      async (server) => {
        const chat = new OpenAiChatConnector({ name: "c", baseUrl: server.url, model: "m", timeoutMs: 150 });
        const started = Date.now();
        const err = await rejection(collect(chat.stream({ messages: [{ role: "user", content: "hi" }] })));
        assert.equal(err.kind, "timeout");
        assert.match(err.message, /no data mid-stream within 150 ms/);
        assert.ok(Date.now() - started < 1000);

        let closed = false;
        const early = new OpenAiChatConnector({
          name: "c",
          baseUrl: server.url,
          model: "m",
          timeoutMs: 5000,
        });
        for await (const part of early.stream({ messages: [{ role: "user", content: "hi" }] })) {
          assert.equal(part.delta, "first");
          closed = true;
          break;
        }
        assert.ok(closed);
      },
    );
  });
});

describe("SseParser", () => {
  const text =
    ': comment\r\n\r\nevent: message\ndata: {"a":1}\n\ndata: line one\ndata: line two\r\n\r\nid: 7\nretry: 10\ndata: [DONE]\n\n';
  const expected = [
    { event: "message", data: '{"a":1}' },
    { event: "message", data: "line one\nline two" },
    { event: "message", data: "[DONE]" },
  ];

  test("parses the same events for every two-way split and char-by-char", () => {
    for (let cut = 0; cut <= text.length; cut++) {
      const parser = new SseParser();
      const got = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut)), ...parser.end()];
      assert.deepEqual(got, expected, `split at ${cut}`);
    }
    const parser = new SseParser();
    const got = [...text].flatMap((c) => parser.push(c));
    assert.deepEqual([...got, ...parser.end()], expected);
  });

  test("flushes a last event that has no blank line after it", () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('data: {"x":2}'), []);
    assert.deepEqual(parser.end(), [{ event: "message", data: '{"x":2}' }]);
  });
});

describe("HttpClient retries, timeouts and errors", () => {
  const ok = completion("fine", "stop", { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 });
  const ask = { messages: [{ role: "user" as const, content: "hi" }] };

  test("429 with Retry-After is retried after the given seconds", async () => {
    await withServer(
      (_req, res, n) =>
        n === 1
          ? json(res, 429, { error: { message: "rate limited" } }, { "retry-after": "1" })
          : json(res, 200, ok),
      async (server) => {
        const chat = new OpenAiChatConnector({ name: "c", baseUrl: server.url, model: "m", retryBaseMs: 1 });
        const started = Date.now();
        const result = await chat.complete(ask);
        const elapsed = Date.now() - started;
        assert.equal(result.content, "fine");
        assert.equal(server.requests.length, 2);
        assert.ok(elapsed >= 950, `waited only ${elapsed} ms`);
        assert.ok(elapsed < 3000, `waited ${elapsed} ms`);
      },
    );
  });

  test("Retry-After is capped", async () => {
    await withServer(
      (_req, res, n) => (n === 1 ? json(res, 503, "busy", { "retry-after": "3600" }) : json(res, 200, ok)),
      async (server) => {
        const client = new HttpClient({ baseUrl: server.url, retryAfterCapMs: 50 });
        const started = Date.now();
        await client.postJson("/chat/completions", {});
        assert.ok(Date.now() - started < 1000);
        assert.equal(server.requests.length, 2);
      },
    );
  });

  test("500 twice then success: retried with backoff", async () => {
    await withServer(
      (_req, res, n) => (n <= 2 ? json(res, 500, { error: { message: "boom" } }) : json(res, 200, ok)),
      async (server) => {
        const chat = new OpenAiChatConnector({ name: "c", baseUrl: server.url, model: "m", retryBaseMs: 5 });
        assert.equal((await chat.complete(ask)).content, "fine");
        assert.equal(server.requests.length, 3);
      },
    );
  });

  test("5xx until retries run out: the last status and message, with the attempt count", async () => {
    await withServer(
      (_req, res) => json(res, 503, { error: { message: "overloaded" } }),
      async (server) => {
        const chat = new OpenAiChatConnector({
          name: "c",
          baseUrl: `${server.url}/v1`,
          model: "m",
          retries: 2,
          retryBaseMs: 1,
          apiKey: KEY,
        });
        const err = await rejection(chat.complete(ask));
        assert.equal(server.requests.length, 3);
        assert.equal(err.status, 503);
        assert.equal(err.attempts, 3);
        assert.equal(err.url, `${server.url}/v1/chat/completions`);
        assert.match(err.message, /answered 503 .*overloaded \(after 3 attempts\)/);
        assert.equal(err.toLodestoneError().status, 502);
        assertNoKey(err);
      },
    );
  });

  test("400 is not retried and its message is surfaced", async () => {
    await withServer(
      (_req, res) =>
        json(res, 400, {
          error: { message: "max_tokens must be at least 1", type: "invalid_request_error" },
        }),
      async (server) => {
        const chat = new OpenAiChatConnector({
          name: "c",
          baseUrl: `${server.url}/v1`,
          model: "m",
          retryBaseMs: 1,
        });
        const err = await rejection(chat.complete({ ...ask, maxTokens: 0 }));
        assert.equal(server.requests.length, 1);
        assert.equal(err.kind, "http");
        assert.equal(err.status, 400);
        assert.equal(err.upstreamMessage, "max_tokens must be at least 1");
        assert.match(
          err.message,
          /\/v1\/chat\/completions answered 400 Bad Request: max_tokens must be at least 1$/,
        );
      },
    );
  });

  test("a timeout surfaces a clear error within the configured time (timeouts are not retried)", async () => {
    await withServer(
      () => {
        // never answers
      },
      async (server) => {
        const chat = new OpenAiChatConnector({
          name: "c",
          baseUrl: server.url,
          model: "m",
          timeoutMs: 200,
          retries: 3,
        });
        const started = Date.now();
        const err = await rejection(chat.complete(ask));
        const elapsed = Date.now() - started;
        assert.equal(err.kind, "timeout");
        assert.equal(err.status, undefined);
        assert.match(err.message, /timed out: no answer within 200 ms/);
        assert.ok(elapsed >= 180 && elapsed < 800, `took ${elapsed} ms`);
        assert.equal(server.requests.length, 1);
        assert.equal(err.toLodestoneError().status, 504);
      },
    );
  });

  test("the caller's signal cancels promptly, also during a backoff wait", async () => {
    await withServer(
      (_req, res, n) => (n === 1 ? json(res, 503, "busy", { "retry-after": "10" }) : undefined),
      async (server) => {
        const chat = new OpenAiChatConnector({ name: "c", baseUrl: server.url, model: "m" });
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 100);
        const started = Date.now();
        const err = await rejection(chat.complete({ ...ask, signal: controller.signal }));
        assert.equal(err.kind, "aborted");
        assert.ok(Date.now() - started < 1000);
      },
    );
  });

  test("the API key never appears in an error, even when the upstream echoes it", async () => {
    await withServer(
      (req, res) =>
        json(res, 401, {
          error: { message: `Incorrect API key provided: ${String(req.headers.authorization).slice(7)}` },
        }),
      async (server) => {
        const chat = new OpenAiChatConnector({ name: "c", baseUrl: server.url, model: "m", apiKey: KEY });
        const err = await rejection(chat.complete(ask));
        assert.equal(err.status, 401);
        assert.equal(server.requests.length, 1);
        assert.match(err.message, /Incorrect API key provided: \[redacted\]/);
        assertNoKey(err);
        assertNoKey(err.toLodestoneError());
      },
    );
    // connection refused: a network error, retried, then reported without the key
    const closed = await fakeServer(() => {});
    await closed.close();
    const chat = new OpenAiChatConnector({
      name: "c",
      baseUrl: closed.url,
      model: "m",
      apiKey: KEY,
      retries: 1,
      retryBaseMs: 1,
    });
    const err = await rejection(chat.complete(ask));
    assert.equal(err.kind, "network");
    assert.equal(err.attempts, 2);
    assert.match(err.message, /request failed: .*ECONNREFUSED/);
    assertNoKey(err);
    // a key that is not a valid header value is refused up front, without echoing it
    assert.throws(
      () => new OpenAiChatConnector({ name: "c", baseUrl: closed.url, model: "m", apiKey: `${KEY}\n` }),
      (e: Error) => !e.message.includes(KEY) && /apiKey/.test(e.message),
    );
  });

  test("upstream messages from OpenAI, TEI, FastAPI, plain text and HTML bodies, truncated", () => {
    assert.equal(extractUpstreamMessage('{"error":{"message":"bad model"}}'), "bad model");
    assert.equal(
      extractUpstreamMessage('{"error":"Input validation error","error_type":"Validation"}'),
      "Input validation error",
    );
    assert.equal(extractUpstreamMessage('{"detail":"Not Found"}'), "Not Found");
    assert.equal(
      extractUpstreamMessage("upstream connect error\n or disconnect"),
      "upstream connect error or disconnect",
    );
    assert.equal(
      extractUpstreamMessage("<html><body><h1>502 Bad Gateway</h1></body></html>"),
      "502 Bad Gateway",
    );
    assert.equal(extractUpstreamMessage(""), undefined);
    const long = extractUpstreamMessage("x".repeat(5000)) ?? "";
    assert.ok(long.length <= 501 && long.endsWith("…"));
  });

  test("a 200 that is not JSON is a protocol error", async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html>login page</html>");
      },
      async (server) => {
        const chat = new OpenAiChatConnector({ name: "c", baseUrl: server.url, model: "m" });
        const err = await rejection(chat.complete(ask));
        assert.equal(err.kind, "protocol");
        assert.match(err.message, /not JSON/);
      },
    );
  });

  test("invalid options are refused", () => {
    assert.throws(() => new HttpClient({ baseUrl: "not a url" }), /baseUrl/);
    assert.throws(() => new HttpClient({ baseUrl: "ftp://host" }), /baseUrl/);
    assert.throws(() => new HttpClient({ baseUrl: "http://host", retries: -1 }), /retries/);
    assert.throws(() => new HttpClient({ baseUrl: "http://host", timeoutMs: 0 }), /timeoutMs/);
  });
});

describe("OpenAiEmbeddingsConnector", () => {
  // vector for text t: [len(t), first char code, 1]
  const vectorOf = (text: string) => [text.length, text.charCodeAt(0) || 0, 1];

  test("splits into batches and keeps input order by index", async () => {
    await withServer(
      (req, res) => {
        const input = req.body.input as string[];
        const data = input.map((text, index) => ({ object: "embedding", index, embedding: vectorOf(text) }));
        json(res, 200, {
          object: "list",
          data: data.reverse(),
          model: "bge",
          usage: { prompt_tokens: 1, total_tokens: 1 },
        });
      },
      async (server) => {
        const embedder = new OpenAiEmbeddingsConnector({
          baseUrl: `${server.url}/v1`,
          model: "bge-small",
          apiKey: KEY,
          batchSize: 2,
        });
        const texts = ["a", "bb", "ccc", "dddd", "eeeee"];
        const out = await embedder.embed(texts);
        assert.deepEqual([...out], texts.flatMap(vectorOf));
        assert.equal(embedder.dimension, 3);
        assert.deepEqual(
          server.requests.map((r) => r.body.input),
          [["a", "bb"], ["ccc", "dddd"], ["eeeee"]],
        );
        const [req] = server.requests;
        assert.equal(req?.url, "/v1/embeddings");
        assert.equal(req?.headers.authorization, `Bearer ${KEY}`);
        assert.deepEqual(req?.body, { model: "bge-small", input: ["a", "bb"], encoding_format: "float" });
        assert.equal((await embedder.embed([])).length, 0);
        assert.equal(server.requests.length, 3);
      },
    );
  });

  test("probe returns the dimension; dimensions is forwarded and checked; normalize and base64", async () => {
    await withServer(
      (req, res) => {
        const size = (req.body.dimensions as number | undefined) ?? 4;
        const input = req.body.input as string[];
        const vector = Array.from({ length: size }, () => 2);
        const data = input.map((_, index) =>
          index === 0 && input.length > 1
            ? { index, embedding: Buffer.from(new Float32Array(vector).buffer).toString("base64") }
            : { index, embedding: vector },
        );
        json(res, 200, { data });
      },
      async (server) => {
        assert.equal(await new OpenAiEmbeddingsConnector({ baseUrl: server.url, model: "m" }).probe(), 4);
        const shortened = new OpenAiEmbeddingsConnector({ baseUrl: server.url, model: "m", dimensions: 2 });
        assert.equal(await shortened.probe(), 2);
        assert.equal(server.requests.at(-1)?.body.dimensions, 2);

        const normalized = new OpenAiEmbeddingsConnector({
          baseUrl: server.url,
          model: "m",
          normalize: true,
        });
        const out = await normalized.embed(["x", "y"]);
        assert.deepEqual([...out], Array(8).fill(0.5));
        const raw = await new OpenAiEmbeddingsConnector({ baseUrl: server.url, model: "m" }).embed([
          "x",
          "y",
        ]);
        assert.deepEqual([...raw], Array(8).fill(2));
      },
    );
    await withServer(
      (_req, res) => json(res, 200, { data: [{ index: 0, embedding: [1, 2, 3] }] }),
      async (server) => {
        const declared = new OpenAiEmbeddingsConnector({ baseUrl: server.url, model: "m", dimensions: 4 });
        const err = await rejection(declared.probe());
        assert.equal(err.kind, "protocol");
        assert.match(err.message, /3-dimensional vectors, expected 4/);
      },
    );
  });

  test("a wrong number of embeddings or a repeated index is a protocol error", async () => {
    await withServer(
      (req, res) => {
        const input = req.body.input as string[];
        json(res, 200, {
          data:
            input.length === 2
              ? [{ index: 0, embedding: [1] }]
              : input.map(() => ({ index: 0, embedding: [1] })),
        });
      },
      async (server) => {
        const embedder = new OpenAiEmbeddingsConnector({ baseUrl: server.url, model: "m" });
        assert.match(
          (await rejection(embedder.embed(["a", "b"]))).message,
          /returned 1 embeddings for 2 inputs/,
        );
        assert.match((await rejection(embedder.embed(["a", "b", "c"]))).message, /repeated index 0/);
      },
    );
  });
});

describe("RerankConnector", () => {
  test("TEI style: {query, texts} → [{index, score}] sorted by score, returned in input order", async () => {
    await withServer(
      (req, res) => {
        const texts = req.body.texts as string[];
        const scored = texts.map((text, index) => ({ index, score: text.length / 10 }));
        json(
          res,
          200,
          scored.sort((a, b) => b.score - a.score),
        );
      },
      async (server) => {
        const reranker = new RerankConnector({ baseUrl: server.url, style: "tei", batchSize: 2 });
        const scores = await reranker.rerank("q", ["a", "abc", "ab"]);
        assert.deepEqual(
          [...scores].map((s) => Math.round(s * 10)),
          [1, 3, 2],
        );
        assert.deepEqual(server.requests[0]?.body, { query: "q", texts: ["a", "abc"] });
        assert.equal(server.requests[0]?.url, "/rerank");
        assert.equal(server.requests.length, 2);
        await reranker.probe();
        assert.deepEqual(server.requests.at(-1)?.body.texts, [
          "first probe document",
          "second probe document",
        ]);
        assert.equal((await reranker.rerank("q", [])).length, 0);
      },
    );
  });

  test("Cohere style: {model, query, documents, top_n} → {results: [{index, relevance_score}]}", async () => {
    await withServer(
      (req, res) => {
        const documents = req.body.documents as string[];
        const results = documents
          .map((text, index) => ({ index, relevance_score: text.includes("heat") ? 0.9 : 0.1 }))
          .sort((a, b) => b.relevance_score - a.relevance_score);
        json(res, 200, { id: "r1", results, meta: {} });
      },
      async (server) => {
        const reranker = new RerankConnector({
          baseUrl: `${server.url}/v1`,
          style: "cohere",
          model: "jina-reranker-v2",
          apiKey: KEY,
        });
        const scores = await reranker.rerank("heat transfer", ["flow", "heat flux", "plates"]);
        assert.deepEqual(
          [...scores].map((s) => Math.round(s * 10)),
          [1, 9, 1],
        );
        const [req] = server.requests;
        assert.equal(req?.url, "/v1/rerank");
        assert.equal(req?.headers.authorization, `Bearer ${KEY}`);
        assert.deepEqual(req?.body, {
          model: "jina-reranker-v2",
          query: "heat transfer",
          documents: ["flow", "heat flux", "plates"],
          top_n: 3,
        });
        await reranker.probe();
      },
    );
    assert.throws(() => new RerankConnector({ baseUrl: "http://host", style: "cohere" }), /model/);
  });

  test("probe fails clearly on a server that does not answer in either shape", async () => {
    await withServer(
      (_req, res) => json(res, 200, [{ index: 0, score: 0.5 }]),
      async (server) => {
        const tei = new RerankConnector({ baseUrl: server.url, style: "tei" });
        assert.match((await rejection(tei.probe())).message, /no score for document 1/);
        const cohere = new RerankConnector({ baseUrl: server.url, style: "cohere", model: "m" });
        assert.match((await rejection(cohere.probe())).message, /without results/);
      },
    );
    await withServer(
      (_req, res) => json(res, 404, { error: "Not Found" }),
      async (server) => {
        const err = await rejection(new RerankConnector({ baseUrl: server.url, style: "tei" }).probe());
        assert.equal(err.status, 404);
        assert.equal(err.upstreamMessage, "Not Found");
      },
    );
  });
});

/**
 * Inference with an endpoint id or a model (id or name) as `model`: OpenAI-compatible
 * `POST /v1/embeddings` and `POST /v1/chat/completions` (with SSE streaming), Cohere/Jina-
 * compatible `POST /v1/rerank`. The official `openai` client works against these unchanged.
 */
import { randomUUID } from "node:crypto";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply } from "fastify";
import { badRequest } from "../../common/errors.ts";
import { bm25Scores } from "../../serving/bm25-lite.ts";
import type { ChatMessage, ChatRequest, ChatUsage } from "../../serving/chat-types.ts";
import type { Platform } from "../platform-types.ts";
import { RAG_MODEL_PREFIX, ragCompletion } from "./rag.ts";

const MAX_INPUTS = 2048;
const MAX_DOCUMENTS = 1000;

const EmbeddingsBody = Type.Object(
  {
    model: Type.String({ minLength: 1, maxLength: 128 }),
    input: Type.Union([
      Type.String({ minLength: 1 }),
      Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: MAX_INPUTS }),
    ]),
    dimensions: Type.Optional(Type.Integer({ minimum: 1 })),
    encoding_format: Type.Optional(Type.Union([Type.Literal("float"), Type.Literal("base64")])),
    user: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const RerankBody = Type.Object(
  {
    model: Type.String({ minLength: 1, maxLength: 128 }),
    query: Type.String({ minLength: 1 }),
    documents: Type.Array(Type.Union([Type.String(), Type.Object({ text: Type.String() })]), {
      minItems: 1,
      maxItems: MAX_DOCUMENTS,
    }),
    top_n: Type.Optional(Type.Integer({ minimum: 1 })),
    return_documents: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const ContentPart = Type.Object({ type: Type.Literal("text"), text: Type.String() });
const ChatBody = Type.Object(
  {
    model: Type.String({ minLength: 1, maxLength: 128 }),
    messages: Type.Array(
      Type.Object({
        role: Type.Union(["system", "developer", "user", "assistant", "tool"].map((r) => Type.Literal(r))),
        content: Type.Union([Type.String(), Type.Array(ContentPart), Type.Null()]),
        name: Type.Optional(Type.String()),
      }),
      { minItems: 1, maxItems: 1000 },
    ),
    stream: Type.Optional(Type.Boolean()),
    max_tokens: Type.Optional(Type.Integer({ minimum: 1 })),
    max_completion_tokens: Type.Optional(Type.Integer({ minimum: 1 })),
    temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
    stream_options: Type.Optional(Type.Object({ include_usage: Type.Optional(Type.Boolean()) })),
  },
  // OpenAI clients send more sampling options (top_p, n, …); they do not change an extractive answer
  { additionalProperties: true },
);

/** One piece of a streamed reply: a provider's chunk, with fields to add to its event. */
type StreamPiece = {
  delta: string;
  finishReason?: "stop" | "length";
  usage?: ChatUsage;
  extra?: Record<string, unknown>;
};

const countTokens = (s: string) => s.split(/\s+/).filter(Boolean).length;

export function inferenceRoutes(app: FastifyInstance, platform: Platform): void {
  const { endpoints } = platform;

  app.post("/v1/embeddings", { schema: { body: EmbeddingsBody } }, async (req) => {
    const body = req.body as Static<typeof EmbeddingsBody>;
    const texts = typeof body.input === "string" ? [body.input] : body.input;
    const served = endpoints.resolve(body.model);
    const vectors = await endpoints.embed(served, texts);
    const dim = vectors.length / texts.length;
    const out = body.dimensions ?? dim;
    if (out > dim)
      throw badRequest(
        "invalid_dimensions",
        `dimensions must be at most the model's ${dim}, got ${body.dimensions}`,
        "dimensions",
      );
    const data = texts.map((_, i) => {
      // A shorter embedding is the first `dimensions` values, renormalised (as OpenAI does).
      const row = vectors.slice(i * dim, i * dim + out);
      if (out < dim) {
        const norm = Math.hypot(...row) || 1;
        for (let j = 0; j < out; j++) row[j] = (row[j] as number) / norm;
      }
      const embedding =
        body.encoding_format === "base64"
          ? Buffer.from(row.buffer, row.byteOffset, row.byteLength).toString("base64")
          : Array.from(row);
      return { object: "embedding", index: i, embedding };
    });
    const tokens = texts.reduce((s, t) => s + countTokens(t), 0);
    return {
      object: "list",
      data,
      model: served.name,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  });

  app.post("/v1/rerank", { schema: { body: RerankBody } }, async (req) => {
    const body = req.body as Static<typeof RerankBody>;
    const texts = body.documents.map((d) => (typeof d === "string" ? d : d.text));
    const served = endpoints.resolve(body.model);
    const bm25 = bm25Scores(body.query, texts);
    const scores = await endpoints.rerank(
      served,
      body.query,
      texts.map((text, i) => ({ text, bm25: bm25[i] as number })),
    );
    const results = texts
      .map((text, index) => ({
        index,
        relevance_score: scores[index] as number,
        ...(body.return_documents ? { document: { text } } : {}),
      }))
      .sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index)
      .slice(0, body.top_n ?? texts.length);
    const tokens = countTokens(body.query) + texts.reduce((s, t) => s + countTokens(t), 0);
    return {
      id: randomUUID(),
      model: served.name,
      results,
      usage: { total_tokens: tokens },
      meta: { billed_units: { search_units: 1 } },
    };
  });

  app.post("/v1/chat/completions", { schema: { body: ChatBody } }, async (req, reply) => {
    const body = req.body as Static<typeof ChatBody>;
    const messages: ChatMessage[] = body.messages.map((m) => ({
      role: m.role === "developer" ? "system" : (m.role as ChatMessage["role"]),
      content: typeof m.content === "string" ? m.content : (m.content ?? []).map((p) => p.text).join("\n"),
    }));
    // a RAG app answers with retrieval and citations (routes/rag.ts)
    if (body.model.startsWith(RAG_MODEL_PREFIX))
      return ragCompletion(platform.rag, body, messages, reply, (meta, pieces) =>
        streamChat(reply, meta, pieces),
      );
    const served = endpoints.resolve(body.model);
    const provider = endpoints.chat(served);
    const abort = new AbortController();
    // the client went away before the answer was complete (the request stream's own "close" fires
    // as soon as its body is read, so watch the response)
    reply.raw.on("close", () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const request: ChatRequest = { messages, signal: abort.signal };
    const maxTokens = body.max_completion_tokens ?? body.max_tokens;
    if (maxTokens !== undefined) request.maxTokens = maxTokens;
    if (body.temperature !== undefined) request.temperature = body.temperature;
    const id = `chatcmpl-${randomUUID().replace(/-/g, "")}`;
    const created = Math.floor(Date.now() / 1000);
    if (!body.stream) {
      const result = await provider.complete(request);
      return {
        id,
        object: "chat.completion",
        created,
        model: served.name,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: result.content },
            finish_reason: result.finishReason,
          },
        ],
        usage: result.usage,
      };
    }
    return streamChat(
      reply,
      { id, created, model: served.name, includeUsage: body.stream_options?.include_usage === true },
      provider.stream(request),
    );
  });
}

/**
 * Sends chat.completion.chunk events. `meta.first` adds fields to the first chunk and a chunk's
 * `extra` to its own (a RAG app's citations); plain chat models send neither.
 */
async function streamChat(
  reply: FastifyReply,
  meta: {
    id: string;
    created: number;
    model: string;
    includeUsage: boolean;
    first?: Record<string, unknown>;
  },
  chunks: AsyncIterable<StreamPiece>,
): Promise<FastifyReply> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-request-id": String(reply.request.id),
  });
  const send = (choices: unknown[], usage?: unknown, extra?: Record<string, unknown>) =>
    res.write(
      `data: ${JSON.stringify({ id: meta.id, object: "chat.completion.chunk", created: meta.created, model: meta.model, choices, ...(usage ? { usage } : {}), ...extra })}\n\n`,
    );
  try {
    send(
      [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
      undefined,
      meta.first,
    );
    for await (const chunk of chunks) {
      if (chunk.delta) send([{ index: 0, delta: { content: chunk.delta }, finish_reason: null }]);
      if (chunk.finishReason)
        send([{ index: 0, delta: {}, finish_reason: chunk.finishReason }], undefined, chunk.extra);
      if (chunk.usage && meta.includeUsage) send([], chunk.usage);
    }
    res.write("data: [DONE]\n\n");
  } catch (err) {
    res.write(
      `data: ${JSON.stringify({ error: { type: "server_error", message: (err as Error).message } })}\n\n`,
    );
  }
  res.end();
  return reply;
}

/**
 * RAG apps on the platform API (docs/rag.md): app CRUD under /v1/rag/apps, asking an app (JSON or
 * SSE), its sessions and feedback, the interaction log, and the OpenAI-compatible face of an app
 * (`model: "rag:<app>"` on /v1/chat/completions, wired from inference.ts).
 */
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply } from "fastify";
import { badRequest, errorMessage, isLodestoneError } from "../../common/errors.ts";
import { AppBody, RETRIEVAL_MODES } from "../../rag/app-schema.ts";
import type { AskEvent, AskRequest, ChatAnswer } from "../../rag/chat.ts";
import type { Turn } from "../../rag/prompts.ts";
import { rewriteFollowUp } from "../../rag/rewrite.ts";
import type { RagService } from "../../rag/service.ts";
import type { ChatMessage, ChatUsage } from "../../serving/chat-types.ts";
import type { InteractionQuery } from "../../state/interactions.ts";
import { errorBody } from "../errors.ts";
import type { Platform } from "../platform-types.ts";

/** `model` values naming a RAG app on /v1/chat/completions. */
export const RAG_MODEL_PREFIX = "rag:";

const AppParams = Type.Object({ app: Type.String({ minLength: 1, maxLength: 128 }) });
const SessionParams = Type.Object({
  app: Type.String({ minLength: 1, maxLength: 128 }),
  session_id: Type.String({ minLength: 1, maxLength: 128 }),
});
const Mode = Type.Union(RETRIEVAL_MODES.map((m) => Type.Literal(m)));
const ChatBody = Type.Object(
  {
    query: Type.String({ minLength: 1, maxLength: 4000, pattern: "\\S" }),
    session_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: "^[\\w.:-]+$" })),
    user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    stream: Type.Optional(Type.Boolean()),
    k: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    filter: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    mode: Type.Optional(Mode),
  },
  { additionalProperties: false },
);
const FeedbackBody = Type.Object(
  {
    chat_id: Type.String({ minLength: 1, maxLength: 64 }),
    rating: Type.Optional(Type.Union([Type.Literal("up"), Type.Literal("down")])),
    clicked_citation: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    comment: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
);
const InteractionsQuery = Type.Object(
  {
    user_id: Type.Optional(Type.String({ minLength: 1 })),
    app: Type.Optional(Type.String({ minLength: 1 })),
    type: Type.Optional(Type.Union(["ask", "click", "like", "dislike"].map((t) => Type.Literal(t)))),
    since: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  },
  { additionalProperties: false },
);

/** Starts an SSE response once the first event is known (so errors before it are plain JSON). */
function openStream(reply: FastifyReply) {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-request-id": String(reply.request.id),
  });
  return res;
}

/** An abort signal that fires when the client goes away before the response is complete. */
function clientGone(reply: FastifyReply): AbortSignal {
  const abort = new AbortController();
  reply.raw.on("close", () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  return abort.signal;
}

const errorEvent = (err: unknown, requestId: string) =>
  isLodestoneError(err)
    ? errorBody(err.status, err.code, err.message, err.param ?? null, requestId)
    : errorBody(500, "InternalError", errorMessage(err), null, requestId);

async function streamEvents(reply: FastifyReply, events: AsyncGenerator<AskEvent>): Promise<FastifyReply> {
  const first = await events.next(); // rewriting and retrieval: their errors are a JSON answer
  const res = openStream(reply);
  const send = (name: string, data: unknown) =>
    res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  try {
    if (!first.done) send(first.value.type, first.value.data);
    for await (const event of events) send(event.type, event.data);
  } catch (err) {
    send("error", errorEvent(err, String(reply.request.id)));
  }
  res.end();
  return reply;
}

export function ragRoutes(app: FastifyInstance, platform: Platform): void {
  const rag = platform.rag;
  app.post("/v1/rag/apps", { schema: { body: AppBody } }, async (req, reply) =>
    reply.code(201).send(await rag.create(req.body as Static<typeof AppBody>)),
  );
  app.get("/v1/rag/apps", async () => ({ apps: rag.apps.list() }));
  app.get("/v1/rag/apps/:app", { schema: { params: AppParams } }, async (req) =>
    rag.apps.get((req.params as Static<typeof AppParams>).app),
  );
  app.put("/v1/rag/apps/:app", { schema: { params: AppParams, body: AppBody } }, async (req) =>
    rag.replace((req.params as Static<typeof AppParams>).app, req.body as Static<typeof AppBody>),
  );
  app.delete("/v1/rag/apps/:app", { schema: { params: AppParams } }, async (req) => {
    rag.delete((req.params as Static<typeof AppParams>).app);
    return { deleted: true };
  });

  app.post(
    "/v1/rag/apps/:app/chat",
    { schema: { params: AppParams, body: ChatBody } },
    async (req, reply) => {
      const { app: ref } = req.params as Static<typeof AppParams>;
      const body = req.body as Static<typeof ChatBody>;
      const ask: AskRequest = { ...body, signal: clientGone(reply) };
      if (!body.stream) return rag.ask(ref, ask);
      return streamEvents(reply, rag.askEvents(ref, ask));
    },
  );

  // retrieval alone: the passages (and trace) an answer to this question would be given
  const RetrieveBody = Type.Omit(ChatBody, ["stream"]);
  app.post(
    "/v1/rag/apps/:app/retrieve",
    { schema: { params: AppParams, body: RetrieveBody } },
    async (req) => {
      const { app: ref } = req.params as Static<typeof AppParams>;
      return rag.retrieve(ref, req.body as Static<typeof RetrieveBody>);
    },
  );

  app.get("/v1/rag/apps/:app/sessions/:session_id", { schema: { params: SessionParams } }, async (req) => {
    const { app: ref, session_id } = req.params as Static<typeof SessionParams>;
    return rag.session(ref, session_id);
  });

  app.post("/v1/rag/apps/:app/feedback", { schema: { params: AppParams, body: FeedbackBody } }, async (req) =>
    rag.feedback((req.params as Static<typeof AppParams>).app, req.body as Static<typeof FeedbackBody>),
  );

  app.get("/v1/rag/interactions", { schema: { querystring: InteractionsQuery } }, async (req) => ({
    events: rag.log.list(req.query as InteractionQuery),
  }));
}

/** The entries GET /v1/models lists for the apps (OpenAI's model object). */
export function ragModelEntries(rag: RagService) {
  return rag.apps.list().map((a) => ({
    id: `${RAG_MODEL_PREFIX}${a.name}`,
    object: "model",
    created: Math.floor(Date.parse(a.created_at) / 1000),
    owned_by: "lodestone",
    kind: "rag",
    app_id: a.id,
  }));
}

/**
 * An OpenAI conversation as a question and its history: the last user message is the question;
 * earlier user messages, each with the assistant reply after it, are the turns before it (their
 * follow-ups resolved in order, as the session memory would have stored them).
 */
export function conversation(messages: readonly ChatMessage[]): { query: string; history: Turn[] } {
  const turns: Turn[] = [];
  let query = "";
  for (const [i, m] of messages.entries()) {
    if (m.role !== "user") continue;
    if (query) {
      const reply = messages.slice(i - 1, i).find((x) => x.role === "assistant")?.content ?? "";
      turns.push({ query, rewritten_query: rewriteFollowUp(query, turns), answer: reply });
    }
    query = m.content;
  }
  return { query: query.trim(), history: turns };
}

interface CompletionMeta {
  id: string;
  created: number;
  model: string;
  includeUsage: boolean;
  first?: Record<string, unknown>;
}
type Piece = {
  delta: string;
  finishReason?: "stop" | "length";
  usage?: ChatUsage;
  extra?: Record<string, unknown>;
};

const lodestoneFields = (a: { id: string; rewritten_query: string; trace: unknown }) => ({
  chat_id: a.id,
  rewritten_query: a.rewritten_query,
  trace: a.trace,
});

/**
 * `POST /v1/chat/completions` for `model: "rag:<app>"`: a chat.completion (or its chunks) whose
 * content is the app's answer, with `citations` and `lodestone` {chat_id, rewritten_query, trace}
 * as extra fields (on the first and the finishing chunk when streamed).
 */
export async function ragCompletion(
  rag: RagService,
  body: {
    model: string;
    user?: string;
    stream?: boolean;
    max_tokens?: number;
    max_completion_tokens?: number;
    stream_options?: { include_usage?: boolean };
  },
  messages: ChatMessage[],
  reply: FastifyReply,
  stream: (meta: CompletionMeta, pieces: AsyncIterable<Piece>) => Promise<FastifyReply>,
) {
  const ref = body.model.slice(RAG_MODEL_PREFIX.length);
  rag.apps.get(ref, "model");
  const { query, history } = conversation(messages);
  if (!query)
    throw badRequest("invalid_messages", "messages must hold a user message with the question", "messages");
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  const ask: AskRequest = {
    query,
    history,
    signal: clientGone(reply),
    ...(body.user && { user_id: body.user }),
    ...(maxTokens !== undefined && { maxTokens }),
  };
  const created = Math.floor(Date.now() / 1000);
  if (!body.stream) {
    const a = await rag.ask(ref, ask);
    return {
      id: a.id,
      object: "chat.completion",
      created,
      model: body.model,
      choices: [
        { index: 0, message: { role: "assistant", content: a.answer }, finish_reason: a.finish_reason },
      ],
      usage: a.usage,
      citations: a.citations,
      lodestone: lodestoneFields(a),
    };
  }
  const events = rag.askEvents(ref, { ...ask, stream: true });
  const first = await events.next();
  if (first.done || first.value.type !== "retrieval")
    throw new Error("the answer did not start with its retrieval");
  const retrieval = first.value.data;
  async function* pieces(): AsyncGenerator<Piece> {
    for await (const event of events) {
      if (event.type === "delta") yield { delta: event.data.text };
      if (event.type === "done") {
        const a: ChatAnswer = event.data;
        yield {
          delta: "",
          finishReason: a.finish_reason,
          usage: a.usage,
          extra: { citations: a.citations, lodestone: lodestoneFields(a) },
        };
      }
    }
  }
  return stream(
    {
      id: retrieval.id,
      created,
      model: body.model,
      includeUsage: body.stream_options?.include_usage === true,
      first: { citations: retrieval.citations, lodestone: lodestoneFields(retrieval) },
    },
    pieces(),
  );
}

/**
 * One question to a RAG app: rewrite it against the session's history, retrieve (and rerank)
 * chunks, ask the LLM with the numbered chunks, and map the answer's [n] markers to citations.
 * `askEvents` yields the answer as it is made (retrieval, text deltas, the complete answer), so
 * streaming and plain answers share one path.
 */

import type { SearchBackend } from "../backends/index.ts";
import { newId } from "../common/ids.ts";
import type { ChatProvider, ChatRequest, ChatUsage } from "../serving/chat-types.ts";
import type { App, RetrievalMode } from "./app-schema.ts";
import { type Citation, citationOf, citationsFor } from "./citations.ts";
import type { RagModels } from "./models.ts";
import { chatMessages, type Turn } from "./prompts.ts";
import { type Chunk, elapsed, type ModelIds, retrieve, type Stage } from "./retrieval.ts";
import { condensedQuestion, condenseMessages, rewriteFollowUp } from "./rewrite.ts";

export interface AskRequest {
  query: string;
  session_id?: string;
  user_id?: string;
  k?: number;
  filter?: Record<string, unknown>;
  mode?: RetrievalMode;
  /** Earlier turns (the OpenAI route passes its messages); without it the session's memory is read. */
  history?: Turn[];
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  /** Ask the LLM for a stream (deltas as they come) rather than one reply. */
  stream?: boolean;
}

export interface Trace {
  took_ms: number;
  stages: Stage[];
}

export interface ChatAnswer {
  id: string;
  app: string;
  session_id: string;
  query: string;
  rewritten_query: string;
  answer: string;
  citations: Citation[];
  trace: Trace;
  finish_reason: "stop" | "length";
  usage: ChatUsage;
}

export type AskEvent =
  | {
      type: "retrieval";
      data: { id: string; session_id: string; rewritten_query: string; citations: Citation[]; trace: Trace };
    }
  | { type: "delta"; data: { text: string } }
  | { type: "done"; data: ChatAnswer };

export interface AskDeps {
  backend: SearchBackend;
  models: RagModels;
  modelIds: ModelIds;
  /** The session's last turns (memory), oldest first. */
  history(app: App, sessionId: string): Turn[];
}

const llmRef = (app: App) => (app.llm.provider === "endpoint" ? app.llm.model_id : null);

/** The question made self-contained: the LLM condenses it (upstream models), else the rules do. */
async function rewrite(
  provider: ChatProvider,
  app: App,
  query: string,
  history: Turn[],
  signal?: AbortSignal,
) {
  if (history.length === 0) return query;
  if (app.llm.provider === "endpoint") {
    try {
      const reply = await provider.complete({
        messages: condenseMessages(query, history),
        temperature: 0,
        maxTokens: 200,
        ...(signal && { signal }),
      });
      const condensed = condensedQuestion(reply.content);
      if (condensed) return condensed;
    } catch {
      // an upstream failure here costs only the rewrite: the rules below still resolve references
    }
  }
  return rewriteFollowUp(query, history);
}

/** What an answer starts from: the question made self-contained and the chunks retrieved for it. */
export interface Prepared {
  id: string;
  sessionId: string;
  history: Turn[];
  provider: ChatProvider;
  rewritten: string;
  chunks: Chunk[];
  stages: Stage[];
  started: number;
}

export async function prepare(deps: AskDeps, app: App, req: AskRequest): Promise<Prepared> {
  const started = performance.now();
  const sessionId = req.session_id ?? newId("s-", 16);
  const history = req.history ?? deps.history(app, sessionId);
  const provider = deps.models.chat(llmRef(app));
  const rewritten = await rewrite(provider, app, req.query, history, req.signal);
  const { chunks, stages } = await retrieve(deps.backend, deps.models, deps.modelIds, app, rewritten, {
    ...(req.mode && { mode: req.mode }),
    ...(req.k !== undefined && { k: req.k }),
    ...(req.filter && { filter: req.filter }),
  });
  return { id: newId("chat-", 16), sessionId, history, provider, rewritten, chunks, stages, started };
}

export const traceOf = (p: Pick<Prepared, "started" | "stages">): Trace => ({
  took_ms: elapsed(p.started),
  stages: [...p.stages],
});

/** The retrieval part of an answer, as the "retrieval" event and `POST …/retrieve` show it. */
export const retrievalView = (p: Prepared) => ({
  id: p.id,
  session_id: p.sessionId,
  rewritten_query: p.rewritten,
  citations: p.chunks.map((c, i) => citationOf(c, i + 1)),
  trace: traceOf(p),
});

export async function* askEvents(deps: AskDeps, app: App, req: AskRequest): AsyncGenerator<AskEvent> {
  const prepared = await prepare(deps, app, req);
  const { id, sessionId, history, provider, rewritten, chunks, stages } = prepared;
  const trace = () => traceOf(prepared);
  yield { type: "retrieval", data: retrievalView(prepared) };
  const generating = performance.now();
  const request: ChatRequest = { messages: chatMessages(app, chunks, rewritten, history) };
  if (req.signal) request.signal = req.signal;
  const maxTokens = req.maxTokens ?? (app.llm.provider === "endpoint" ? app.llm.max_tokens : undefined);
  const temperature = req.temperature ?? (app.llm.provider === "endpoint" ? app.llm.temperature : undefined);
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  if (temperature !== undefined) request.temperature = temperature;
  let answer = "";
  let finish: "stop" | "length" = "stop";
  let usage: ChatUsage | undefined;
  if (req.stream) {
    for await (const piece of provider.stream(request)) {
      if (piece.delta) {
        answer += piece.delta;
        yield { type: "delta", data: { text: piece.delta } };
      }
      if (piece.finishReason) finish = piece.finishReason;
      if (piece.usage) usage = piece.usage;
    }
  } else {
    const result = await provider.complete(request);
    answer = result.content;
    finish = result.finishReason;
    usage = result.usage;
    if (answer) yield { type: "delta", data: { text: answer } };
  }
  stages.push({ stage: "generate", provider: llmRef(app) ?? "builtin", took_ms: elapsed(generating) });
  yield {
    type: "done",
    data: {
      id,
      app: app.name,
      session_id: sessionId,
      query: req.query,
      rewritten_query: rewritten,
      answer: answer.trim(),
      citations: citationsFor(answer, chunks),
      trace: trace(),
      finish_reason: finish,
      usage: usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    },
  };
}

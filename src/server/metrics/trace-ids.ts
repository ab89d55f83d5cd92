/**
 * Puts the trace id of a RAG answer (its chat id, which feedback refers to) or of a
 * recommendation (`trace_id`, which behaviours refer to) on the request's "request completed"
 * log line, so a log search for either id finds the request, its request id and its timing.
 * Streamed answers are not serialized here; their chat id is in the stream's first event.
 */
import type { FastifyInstance } from "fastify";

/** The trace id an answer body carries, if it is one of the answers that have one. */
export function traceIdOf(route: string | undefined, payload: unknown): string | undefined {
  if (!payload || typeof payload !== "object") return undefined;
  const body = payload as Record<string, unknown>;
  if (typeof body.trace_id === "string") return body.trace_id;
  const lodestone = body.lodestone as { chat_id?: unknown } | undefined;
  if (typeof lodestone?.chat_id === "string") return lodestone.chat_id;
  if (route === "/v1/rag/apps/:app/chat" && typeof body.id === "string") return body.id;
  return undefined;
}

export function logTraceIds(app: FastifyInstance): void {
  app.addHook("preSerialization", async (request, reply, payload) => {
    const traceId = traceIdOf(request.routeOptions.url, payload);
    // Fastify writes "request completed" with reply.log: a child logger carries the field there
    if (traceId) reply.log = reply.log.child({ trace_id: traceId });
    return payload;
  });
}

/**
 * The request being served, carried through async calls (AsyncLocalStorage), so that calls one
 * server makes to another (RAG → the search port, the search port → a remote model server) send
 * the same `x-request-id` and one request can be followed through both servers' logs.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export const REQUEST_ID_HEADER = "x-request-id";

interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` (and everything it starts) as part of the request `requestId`. */
export function runInRequest<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

/** The id of the request being served, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Headers that carry the current request's id to a downstream call (none outside a request). */
export function requestIdHeaders(): Record<string, string> {
  const id = currentRequestId();
  return id ? { [REQUEST_ID_HEADER]: id } : {};
}

/** An id a client sent that is safe to log and echo (word characters, dots and dashes, ≤ 64). */
export function acceptableRequestId(value: unknown): value is string {
  return typeof value === "string" && /^[\w.-]{1,64}$/.test(value);
}

/**
 * The console's one way to the server: the platform API (same origin) and the search API through
 * the platform's pass-through (`/console/api/search/…`). When the server asks for an API key
 * (401), the console asks the user once, keeps it in localStorage and retries.
 */

const KEY_STORAGE = "lodestone.apiKey";
export const SEARCH_PREFIX = "/console/api/search";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Asks the user for a key; undefined when they cancel. Set by the shell (main.ts). */
let askForKey: (reason: string) => Promise<string | undefined> = async () => undefined;

export function onKeyNeeded(ask: (reason: string) => Promise<string | undefined>): void {
  askForKey = ask;
}

export function storedKey(): string | null {
  return localStorage.getItem(KEY_STORAGE);
}

export function setStoredKey(key: string | null): void {
  if (key) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
}

/** The message of any of the server's error shapes: platform (`message`), engine (`reason`). */
export function errorText(body: unknown, status: number): string {
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error === "string") return error;
  if (error && typeof error === "object") {
    const e = error as {
      message?: string;
      reason?: string;
      type?: string;
      root_cause?: { reason?: string }[];
    };
    return e.message ?? e.reason ?? e.root_cause?.[0]?.reason ?? e.type ?? `HTTP ${status}`;
  }
  return `HTTP ${status}`;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Raw body with its content type (e.g. NDJSON); otherwise `body` is sent as JSON. */
  contentType?: string;
}

/** fetch with the stored key; a 401 asks for a key once and retries. Returns the raw response. */
export async function send(
  method: string,
  path: string,
  body?: unknown,
  opts: RequestOptions = {},
): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const headers: Record<string, string> = {};
    const key = storedKey();
    if (key) headers.authorization = `Bearer ${key}`;
    let payload: string | undefined;
    if (body !== undefined) {
      headers["content-type"] = opts.contentType ?? "application/json";
      payload = typeof body === "string" && opts.contentType ? body : JSON.stringify(body);
    }
    const response = await fetch(path, { method, headers, body: payload, signal: opts.signal });
    if (response.status !== 401 || attempt > 0) return response;
    // another request may have got a new key meanwhile: then just retry with it
    if (storedKey() !== key) continue;
    const reason = errorText(
      await response
        .clone()
        .json()
        .catch(() => null),
      401,
    );
    const entered = await keyFromUser(reason);
    if (!entered) return response;
    setStoredKey(entered);
  }
}

let asking: Promise<string | undefined> | undefined;

/** One prompt at a time: requests refused together all wait for the same answer. */
function keyFromUser(reason: string): Promise<string | undefined> {
  asking ??= askForKey(reason).finally(() => {
    asking = undefined;
  });
  return asking;
}

/** A JSON request; a non-2xx answer throws an ApiError with the server's message. */
export async function json<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: RequestOptions = {},
): Promise<T> {
  const response = await send(method, path, body, opts);
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!response.ok) throw new ApiError(response.status, errorText(parsed, response.status));
  return parsed as T;
}

/** The search API (Elasticsearch/OpenSearch REST) through the platform's pass-through. */
export function search<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: RequestOptions = {},
): Promise<T> {
  return json<T>(method, `${SEARCH_PREFIX}${path}`, body, opts);
}

export interface ServerEvent {
  event: string;
  data: string;
}

/** Reads a text/event-stream body event by event (EventSource cannot send the key header). */
export async function* readEvents(response: Response): AsyncGenerator<ServerEvent> {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, "\n");
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
      }
      if (data.length > 0) yield { event, data: data.join("\n") };
    }
  }
}

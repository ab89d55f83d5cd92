/**
 * The fetch wrapper every connector shares: joins the base URL and a path, sends JSON with
 * `Authorization: Bearer <key>` when a key is given, bounds each attempt with a timeout (combined
 * with the caller's signal), and retries network errors, 429 and 5xx (except 501) with
 * exponential backoff and jitter, honouring `Retry-After` (capped). Other 4xx are not retried.
 * Every failure is a `ConnectorError` naming the upstream URL, its status and its own message;
 * the API key (and secret-looking extra headers) never appear in a message.
 */
import { badRequest, LodestoneError } from "../../common/errors.ts";
import { requestIdHeaders } from "../../common/request-context.ts";
import { checkOutboundUrl, outboundDispatcher } from "../../common/url-policy.ts";

export interface HttpClientOptions {
  /** e.g. `http://host:8000/v1`; a query string (`?api-version=…`) is kept on every request. */
  baseUrl: string;
  apiKey?: string;
  /** Per attempt: until the response is read (JSON) or between two reads (streams). */
  timeoutMs?: number;
  /** Retries after the first attempt. */
  retries?: number;
  extraHeaders?: Record<string, string>;
  /** First backoff delay; doubles each retry, up to `retryMaxMs`, times a jitter in [0.5, 1). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** The longest `Retry-After` honoured; longer ones wait this long. */
  retryAfterCapMs?: number;
  /** Also retry attempts that timed out (off: a timeout is reported after one attempt's time). */
  retryOnTimeout?: boolean;
}

/** The HTTP settings every connector takes (optional ones left out stay at HttpClient's defaults). */
export type ConnectorHttpOptions = Pick<
  HttpClientOptions,
  "baseUrl" | "apiKey" | "timeoutMs" | "retries" | "extraHeaders" | "retryBaseMs"
>;

/** A client from a connector's options, copying only the settings that were given. */
export function connectorHttpClient(options: ConnectorHttpOptions): HttpClient {
  const { baseUrl, apiKey, timeoutMs, retries, extraHeaders, retryBaseMs } = options;
  return new HttpClient({
    baseUrl,
    ...(apiKey !== undefined && { apiKey }),
    ...(timeoutMs !== undefined && { timeoutMs }),
    ...(retries !== undefined && { retries }),
    ...(extraHeaders !== undefined && { extraHeaders }),
    ...(retryBaseMs !== undefined && { retryBaseMs }),
  });
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export type ConnectorErrorKind = "http" | "network" | "timeout" | "aborted" | "protocol";

/**
 * An upstream model server failed. `status` is the upstream's HTTP status (undefined when no
 * response arrived); `upstreamMessage` is the upstream's own error text, truncated.
 */
export class ConnectorError extends Error {
  readonly kind: ConnectorErrorKind;
  readonly status: number | undefined;
  /** The upstream URL, without credentials. */
  readonly url: string;
  readonly upstreamMessage: string | undefined;
  readonly attempts: number;

  constructor(init: {
    kind: ConnectorErrorKind;
    message: string;
    url: string;
    status?: number;
    upstreamMessage?: string;
    attempts?: number;
  }) {
    super(init.message);
    this.name = "ConnectorError";
    this.kind = init.kind;
    this.status = init.status;
    this.url = init.url;
    this.upstreamMessage = init.upstreamMessage;
    this.attempts = init.attempts ?? 1;
  }

  /** For answering our own clients: 504 for a timeout, 502 otherwise (never the upstream's 401). */
  toLodestoneError(): LodestoneError {
    return new LodestoneError(this.kind === "timeout" ? 504 : 502, "upstream_error", this.message);
  }
}

const DEFAULTS = {
  timeoutMs: 30_000,
  retries: 2,
  retryBaseMs: 250,
  retryMaxMs: 8_000,
  retryAfterCapMs: 20_000,
};
const MAX_UPSTREAM_MESSAGE = 500;
const SECRET_HEADER = /authorization|key|token|secret|password|cookie/i;
const SECRET_PARAM = /key|token|secret|sig|password|auth/i;

export class HttpClient {
  readonly baseUrl: string;
  private readonly base: URL;
  private readonly headers: Record<string, string>;
  private readonly secrets: string[];
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly retryAfterCapMs: number;
  private readonly retryOnTimeout: boolean;

  constructor(options: HttpClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw badRequest("invalid_connector", "baseUrl is not a valid URL", "baseUrl");
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") {
      throw badRequest("invalid_connector", "baseUrl must be an http:// or https:// URL", "baseUrl");
    }
    this.base = base;
    this.baseUrl = displayUrl(base);
    this.timeoutMs = positive(options.timeoutMs, DEFAULTS.timeoutMs, "timeoutMs");
    this.retries = nonNegativeInt(options.retries, DEFAULTS.retries, "retries");
    this.retryBaseMs = nonNegative(options.retryBaseMs, DEFAULTS.retryBaseMs, "retryBaseMs");
    this.retryMaxMs = nonNegative(options.retryMaxMs, DEFAULTS.retryMaxMs, "retryMaxMs");
    this.retryAfterCapMs = nonNegative(options.retryAfterCapMs, DEFAULTS.retryAfterCapMs, "retryAfterCapMs");
    this.retryOnTimeout = options.retryOnTimeout ?? false;

    this.headers = { "content-type": "application/json" };
    this.secrets = [];
    for (const [name, value] of Object.entries(options.extraHeaders ?? {})) {
      if (!validHeaderValue(value)) {
        throw badRequest("invalid_connector", `extra header ${name} has an invalid value`, "extraHeaders");
      }
      this.headers[name.toLowerCase()] = value;
      if (SECRET_HEADER.test(name)) this.secrets.push(value);
    }
    if (options.apiKey !== undefined && options.apiKey !== "") {
      // Checked here so fetch never reports a bad header value (with the value) itself.
      if (!validHeaderValue(options.apiKey)) {
        throw badRequest("invalid_connector", "apiKey contains characters not allowed in a header", "apiKey");
      }
      this.headers.authorization = `Bearer ${options.apiKey}`;
      this.secrets.push(options.apiKey);
    }
    for (const value of [base.username, base.password])
      if (value) this.secrets.push(value, safeDecode(value));
    for (const [name, value] of base.searchParams)
      if (SECRET_PARAM.test(name) && value) this.secrets.push(value);
  }

  /** The full URL for a path under the base URL (credentials included: never show it). */
  urlFor(path: string): string {
    const url = new URL(this.base.href);
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
    return url.href;
  }

  /** POSTs `body` as JSON and returns the parsed JSON answer. */
  async postJson(path: string, body: unknown, options: RequestOptions = {}): Promise<unknown> {
    const { value: text, attempts } = await this.send(path, body, "application/json", options.signal, false);
    if (text.trim() === "") throw this.protocolError(path, "answered with an empty body", attempts);
    try {
      return JSON.parse(text);
    } catch {
      throw this.protocolError(
        path,
        `answered with a body that is not JSON: ${truncate(oneLine(text))}`,
        attempts,
      );
    }
  }

  /**
   * POSTs `body` as JSON and yields the answer's text as it arrives (UTF-8 decoded across reads).
   * Retries happen only before the answer starts; afterwards a lost connection, a caller abort or
   * `timeoutMs` without data throws a ConnectorError. Stopping early closes the connection.
   */
  async *postStream(path: string, body: unknown, options: RequestOptions = {}): AsyncGenerator<string> {
    const { value: opened, attempts } = await this.send(
      path,
      body,
      "text/event-stream",
      options.signal,
      true,
    );
    const { response, timer } = opened;
    const url = this.displayFor(path);
    const reader = response.body?.getReader();
    if (!reader) {
      timer.clear();
      throw this.protocolError(path, "answered without a body", attempts);
    }
    const decoder = new TextDecoder();
    let finished = false;
    try {
      while (true) {
        timer.arm();
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          throw this.transportError(err, timer, options.signal, url, attempts, "mid-stream");
        } finally {
          timer.clear();
        }
        if (chunk.done) {
          finished = true;
          const tail = decoder.decode();
          if (tail) yield tail;
          return;
        }
        const text = decoder.decode(chunk.value, { stream: true });
        if (text) yield text;
      }
    } finally {
      timer.clear();
      if (!finished) {
        reader.cancel().catch(() => {});
        timer.abort();
      }
    }
  }

  /**
   * A ConnectorError for a successful (200) answer that makes no sense, or (`kind: "network"`)
   * one that ended early.
   */
  protocolError(
    path: string,
    detail: string,
    attempts = 1,
    kind: "protocol" | "network" = "protocol",
  ): ConnectorError {
    const url = this.displayFor(path);
    return new ConnectorError({
      kind,
      url,
      status: 200,
      attempts,
      message: this.redact(`POST ${url} ${detail}`),
    });
  }

  /** A ConnectorError for an error the upstream reported inside an otherwise successful answer. */
  upstreamError(path: string, message: string, status?: number): ConnectorError {
    const url = this.displayFor(path);
    const upstreamMessage = this.redact(truncate(oneLine(message)));
    return new ConnectorError({
      kind: "http",
      url,
      ...(status !== undefined && { status }),
      upstreamMessage,
      message: `POST ${url} reported an error: ${upstreamMessage}`,
    });
  }

  private displayFor(path: string): string {
    return displayUrl(new URL(this.urlFor(path)));
  }

  private async send(
    path: string,
    body: unknown,
    accept: string,
    signal: AbortSignal | undefined,
    stream: false,
  ): Promise<{ value: string; attempts: number }>;
  private async send(
    path: string,
    body: unknown,
    accept: string,
    signal: AbortSignal | undefined,
    stream: true,
  ): Promise<{ value: { response: Response; timer: AttemptTimer }; attempts: number }>;
  private async send(
    path: string,
    body: unknown,
    accept: string,
    signal: AbortSignal | undefined,
    stream: boolean,
  ): Promise<{ value: string | { response: Response; timer: AttemptTimer }; attempts: number }> {
    const target = this.urlFor(path);
    const url = this.displayFor(path);
    const payload = JSON.stringify(body);
    // the request being served travels with the call (a remote Lodestone logs the same id)
    const headers = { ...requestIdHeaders(), ...this.headers, accept };
    // the SSRF policy, checked at every call: the host's addresses may have changed since the last
    await checkOutboundUrl(target, "baseUrl");
    for (let attempt = 1; ; attempt++) {
      const timer = new AttemptTimer(this.timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
      let failure: ConnectorError;
      let retryAfter: number | undefined;
      let keepTimer = false;
      try {
        const response = await fetch(target, {
          method: "POST",
          headers,
          body: payload,
          signal: combined,
          // connects only where the policy allows, whatever the name resolves to by then
          dispatcher: outboundDispatcher(),
        } as RequestInit);
        if (response.ok) {
          if (stream) {
            keepTimer = true;
            return { value: { response, timer }, attempts: attempt };
          }
          return { value: await response.text(), attempts: attempt };
        }
        const text = await response.text().catch(() => "");
        failure = this.httpError(url, response, text, attempt);
        retryAfter = retryAfterMs(response.headers);
      } catch (err) {
        failure = this.transportError(err, timer, signal, url, attempt, "request");
      } finally {
        if (!keepTimer) timer.clear();
      }
      if (attempt > this.retries || !this.retryable(failure)) throw failure;
      const backoff =
        Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      const delay = retryAfter === undefined ? backoff : Math.min(retryAfter, this.retryAfterCapMs);
      try {
        await sleep(delay, signal);
      } catch {
        throw this.abortedError(url, attempt);
      }
    }
  }

  private retryable(err: ConnectorError): boolean {
    if (err.kind === "network") return true;
    if (err.kind === "timeout") return this.retryOnTimeout;
    if (err.kind !== "http" || err.status === undefined) return false;
    return err.status === 429 || (err.status >= 500 && err.status !== 501);
  }

  private httpError(url: string, response: Response, body: string, attempts: number): ConnectorError {
    const extracted = extractUpstreamMessage(body);
    const upstreamMessage = extracted === undefined ? undefined : this.redact(extracted);
    const statusText = response.statusText ? ` ${response.statusText}` : "";
    return new ConnectorError({
      kind: "http",
      url,
      status: response.status,
      attempts,
      ...(upstreamMessage !== undefined && { upstreamMessage }),
      message: this.redact(
        `POST ${url} answered ${response.status}${statusText}` +
          (upstreamMessage ? `: ${upstreamMessage}` : "") +
          afterAttempts(attempts),
      ),
    });
  }

  private transportError(
    err: unknown,
    timer: AttemptTimer,
    signal: AbortSignal | undefined,
    url: string,
    attempts: number,
    phase: "request" | "mid-stream",
  ): ConnectorError {
    if (err instanceof ConnectorError) return err;
    if (signal?.aborted) return this.abortedError(url, attempts);
    if (timer.timedOut) {
      const what = phase === "request" ? "no answer" : "no data mid-stream";
      return new ConnectorError({
        kind: "timeout",
        url,
        attempts,
        message: `POST ${url} timed out: ${what} within ${this.timeoutMs} ms${afterAttempts(attempts)}`,
      });
    }
    const where = phase === "request" ? "request failed" : "connection lost mid-stream";
    return new ConnectorError({
      kind: "network",
      url,
      attempts,
      message: this.redact(`POST ${url} ${where}: ${describeNetworkError(err)}${afterAttempts(attempts)}`),
    });
  }

  private abortedError(url: string, attempts: number): ConnectorError {
    return new ConnectorError({ kind: "aborted", url, attempts, message: `POST ${url} was cancelled` });
  }

  private redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (secret.length >= 4) out = out.split(secret).join("[redacted]");
    }
    return out;
  }
}

/** The upstream's own error message from an error body: OpenAI, TEI, FastAPI or plain text. */
export function extractUpstreamMessage(body: string): string | undefined {
  const text = body.trim();
  if (text === "") return undefined;
  try {
    const message = messageOf(JSON.parse(text));
    if (message !== undefined) return truncate(oneLine(message));
  } catch {
    // not JSON: plain text (or an HTML error page from a proxy)
  }
  const plain = text.startsWith("<") ? text.replace(/<[^>]*>/g, " ") : text;
  return truncate(oneLine(plain));
}

function messageOf(json: unknown): string | undefined {
  if (typeof json === "string") return json;
  if (typeof json !== "object" || json === null) return undefined;
  const record = json as Record<string, unknown>;
  const error = record.error;
  if (typeof error === "string") return error;
  if (typeof error === "object" && error !== null) {
    const message = (error as Record<string, unknown>).message;
    if (typeof message === "string") return message;
  }
  if (typeof record.message === "string") return record.message;
  if (typeof record.detail === "string") return record.detail;
  if (record.detail !== undefined) return JSON.stringify(record.detail);
  return JSON.stringify(json);
}

function retryAfterMs(headers: Headers): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "" && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const value = headers.get("retry-after");
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A timeout for one attempt that can be re-armed (streams time out between reads, not overall). */
class AttemptTimer {
  timedOut = false;
  private readonly controller = new AbortController();
  private handle: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ms: number) {
    this.arm();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  arm(): void {
    this.clear();
    this.handle = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error(`timed out after ${this.ms} ms`));
    }, this.ms);
  }

  clear(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
  }

  abort(): void {
    this.clear();
    this.controller.abort();
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${err.message} (${typeof code === "string" ? `${code}: ` : ""}${cause.message})`;
  }
  return err.message;
}

/** The URL without user info, and with secret-looking query parameters blanked. */
function displayUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = "";
  copy.password = "";
  for (const name of [...copy.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) copy.searchParams.set(name, "redacted");
  }
  return copy.href;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function afterAttempts(attempts: number): string {
  return attempts > 1 ? ` (after ${attempts} attempts)` : "";
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function truncate(text: string): string {
  return text.length > MAX_UPSTREAM_MESSAGE ? `${text.slice(0, MAX_UPSTREAM_MESSAGE)}…` : text;
}

function validHeaderValue(value: string): boolean {
  // Visible ASCII, space and tab; no CR/LF (header injection) and nothing fetch would reject.
  return /^[\t\x20-\x7e]*$/.test(value);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw badRequest("invalid_connector", `${name} must be a positive number`, name);
  }
  return value;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw badRequest("invalid_connector", `${name} must be a non-negative number`, name);
  }
  return value;
}

function nonNegativeInt(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw badRequest("invalid_connector", `${name} must be a non-negative integer`, name);
  }
  return value;
}

/** A connector option that must be a positive integer (400 naming it otherwise). */
export function positiveInteger(value: number, name: string): number {
  if (!(Number.isInteger(value) && value > 0))
    throw badRequest("invalid_connector", `${name} must be a positive integer`, name);
  return value;
}

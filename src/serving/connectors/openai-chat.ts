/**
 * A ChatProvider backed by any OpenAI-compatible server (OpenAI, vLLM, Ollama, DashScope
 * compatible mode, …): `POST {baseUrl}/chat/completions`, plain or streamed as server-sent events.
 */
import { badRequest } from "../../common/errors.ts";
import type { ChatMessage, ChatProvider, ChatRequest, ChatResult, ChatUsage } from "../chat-types.ts";
import { connectorHttpClient, type HttpClient } from "./http.ts";

export interface OpenAiChatOptions {
  /** The name Lodestone serves this model under. */
  name: string;
  /** Up to and including the API version, e.g. `http://host:8000/v1`. */
  baseUrl: string;
  /** The upstream's model id. */
  model: string;
  apiKey?: string;
  /** Per attempt; for streams, the longest wait for the next data. Default 120 s. */
  timeoutMs?: number;
  retries?: number;
  extraHeaders?: Record<string, string>;
  retryBaseMs?: number;
  /** Ask for token usage at the end of a stream (`stream_options.include_usage`). Default true. */
  streamUsage?: boolean;
}

export interface ChatDelta {
  delta: string;
  finishReason?: "stop" | "length";
  usage?: ChatUsage;
}

const PATH = "/chat/completions";

export class OpenAiChatConnector implements ChatProvider {
  readonly name: string;
  readonly model: string;
  private readonly http: HttpClient;
  private readonly streamUsage: boolean;

  constructor(options: OpenAiChatOptions) {
    if (!options.name) throw badRequest("invalid_connector", "name is required", "name");
    if (!options.model) throw badRequest("invalid_connector", "model is required", "model");
    this.name = options.name;
    this.model = options.model;
    this.streamUsage = options.streamUsage ?? true;
    // a completion may take long: two minutes per attempt unless told otherwise
    this.http = connectorHttpClient({ ...options, timeoutMs: options.timeoutMs ?? 120_000 });
  }

  async complete(req: ChatRequest): Promise<ChatResult> {
    const json = await this.http.postJson(PATH, this.body(req, false), signalOf(req));
    const choice = firstChoice(json);
    if (!choice) throw this.http.protocolError(PATH, "answered without choices");
    const message = record(choice.message);
    const content = typeof message?.content === "string" ? message.content : "";
    return {
      content,
      finishReason: finishReasonOf(choice.finish_reason) ?? "stop",
      usage: usageOf(record(json)?.usage, req.messages, content),
    };
  }

  /**
   * Yields each content delta as it arrives, then one last item `{delta: "", finishReason, usage}`
   * (usage estimated from whitespace tokens when the server sends none).
   */
  async *stream(req: ChatRequest): AsyncGenerator<ChatDelta> {
    const parser = new SseParser();
    let content = "";
    let finishReason: "stop" | "length" | undefined;
    let usage: unknown;
    let done = false;
    const handle = (event: SseEvent): ChatDelta | undefined => {
      if (event.data === "[DONE]") {
        done = true;
        return undefined;
      }
      let chunk: unknown;
      try {
        chunk = JSON.parse(event.data);
      } catch {
        if (event.event === "error") throw this.http.upstreamError(PATH, event.data);
        throw this.http.protocolError(
          PATH,
          `sent a stream event that is not JSON: ${event.data.slice(0, 200)}`,
        );
      }
      const error = record(chunk)?.error;
      if (error !== undefined || event.event === "error") {
        const info = record(error);
        const message = typeof error === "string" ? error : (info?.message ?? error ?? chunk);
        const code = info?.code;
        throw this.http.upstreamError(
          PATH,
          typeof message === "string" ? message : JSON.stringify(message),
          typeof code === "number" ? code : undefined,
        );
      }
      const chunkUsage = record(chunk)?.usage;
      if (chunkUsage !== undefined && chunkUsage !== null) usage = chunkUsage;
      const choice = firstChoice(chunk);
      finishReason = finishReasonOf(choice?.finish_reason) ?? finishReason;
      const delta = record(choice?.delta)?.content;
      if (typeof delta === "string" && delta !== "") {
        content += delta;
        return { delta };
      }
      return undefined;
    };

    const text = this.http.postStream(PATH, this.body(req, true), signalOf(req));
    for await (const piece of text) {
      for (const event of parser.push(piece)) {
        const out = handle(event);
        if (out) yield out;
        if (done) break;
      }
      if (done) break;
    }
    if (!done) {
      for (const event of parser.end()) {
        const out = handle(event);
        if (out) yield out;
        if (done) break;
      }
    }
    if (!done && finishReason === undefined) {
      throw this.http.protocolError(PATH, "closed the stream before it finished (no [DONE])", 1, "network");
    }
    yield { delta: "", finishReason: finishReason ?? "stop", usage: usageOf(usage, req.messages, content) };
  }

  private body(req: ChatRequest, stream: boolean): Record<string, unknown> {
    return {
      model: this.model,
      messages: req.messages.map(({ role, content }) => ({ role, content })),
      ...(req.maxTokens !== undefined && { max_tokens: req.maxTokens }),
      ...(req.temperature !== undefined && { temperature: req.temperature }),
      stream,
      ...(stream && this.streamUsage && { stream_options: { include_usage: true } }),
    };
  }
}

export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Incremental server-sent-events parser: feed it text as it arrives (any split, `\n`, `\r\n` or
 * `\r` line ends) and it returns the events completed so far. Comments (`: keep-alive`), `id:`
 * and `retry:` fields are skipped; multi-line `data:` fields are joined with `\n`.
 */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";

  push(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    const buffer = this.buffer + text;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      if (c === 13 && i + 1 === buffer.length) break; // a `\r\n` may be split: wait for the next piece
      const line = buffer.slice(start, i);
      if (c === 13 && buffer.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
      this.line(line, events);
    }
    this.buffer = buffer.slice(start);
    return events;
  }

  /** The events still pending when the stream ends without a final blank line. */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    const rest = this.buffer.replace(/\r$/, "");
    this.buffer = "";
    if (rest !== "") this.line(rest, events);
    this.line("", events);
    return events;
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === "") {
      if (this.data.length > 0) events.push({ event: this.event || "message", data: this.data.join("\n") });
      this.data = [];
      this.event = "";
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
  }
}

/** Whitespace-separated tokens: the estimate used when a server reports no usage. */
export function estimateTokens(text: string): number {
  let count = 0;
  for (const part of text.split(/\s+/)) if (part !== "") count++;
  return count;
}

function usageOf(raw: unknown, messages: readonly ChatMessage[], completion: string): ChatUsage {
  const usage = record(raw);
  const prompt =
    count(usage?.prompt_tokens) ??
    messages.reduce((sum, message) => sum + estimateTokens(message.content), 0);
  const completionTokens = count(usage?.completion_tokens) ?? estimateTokens(completion);
  return {
    prompt_tokens: prompt,
    completion_tokens: completionTokens,
    total_tokens: count(usage?.total_tokens) ?? prompt + completionTokens,
  };
}

function finishReasonOf(value: unknown): "stop" | "length" | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  return value === "length" ? "length" : "stop"; // tool_calls, content_filter, eos, … end the turn
}

function firstChoice(json: unknown): Record<string, unknown> | undefined {
  const choices = record(json)?.choices;
  return Array.isArray(choices) ? record(choices[0]) : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function signalOf(req: ChatRequest): { signal?: AbortSignal } {
  return req.signal ? { signal: req.signal } : {};
}

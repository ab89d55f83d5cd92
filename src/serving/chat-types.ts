/**
 * The chat-model interface that `POST /v1/chat/completions` serves from: the built-in answerer
 * (`answerer.ts`) and connectors to upstream OpenAI-compatible servers (`connectors/`) implement it.
 * Kept to what every backend can honour; field names of `ChatUsage` are OpenAI's, so it passes
 * through to responses unchanged.
 */

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** Upper bound on completion tokens; absent means the provider's own limit. */
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChatResult {
  content: string;
  finishReason: "stop" | "length";
  usage: ChatUsage;
}

export interface ChatProvider {
  readonly name: string;
  complete(req: ChatRequest): Promise<ChatResult>;
  /** Content deltas in order; the last item carries `finishReason` and `usage`. */
  stream(
    req: ChatRequest,
  ): AsyncIterable<{ delta: string; finishReason?: "stop" | "length"; usage?: ChatUsage }>;
}

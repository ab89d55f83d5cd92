/**
 * The messages a RAG app sends its LLM: the app's system prompt, earlier turns of the session (for
 * an upstream model; the built-in answerer reads only the question and passages), and the template
 * with `{{context}}` (the chunks as numbered passages, `[1] …`) and `{{question}}` filled in.
 * The numbered layout is the one the built-in answerer parses (src/serving/ANSWERER.md).
 */
import type { ChatMessage } from "../serving/chat-types.ts";
import type { App } from "./app-schema.ts";
import type { Chunk } from "./retrieval.ts";

export interface Turn {
  query: string;
  rewritten_query: string;
  answer: string;
}

/**
 * One passage per chunk, numbered from 1. Blank lines inside a chunk become single line breaks:
 * a passage ends at a blank line, so paragraphs after the first would otherwise be lost.
 */
export function numberedContext(chunks: readonly Chunk[]): string {
  return chunks.map((c, i) => `[${i + 1}] ${c.text.trim().replace(/\n\s*\n/g, "\n")}`).join("\n");
}

export function renderTemplate(template: string, context: string, question: string): string {
  // a function replacement, so "$&" or "$1" in a passage is not a replacement pattern
  return template
    .replace(/\{\{\s*context\s*\}\}/g, () => context)
    .replace(/\{\{\s*question\s*\}\}/g, () => question);
}

export function chatMessages(
  app: App,
  chunks: readonly Chunk[],
  question: string,
  history: readonly Turn[],
): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (app.prompt.system) messages.push({ role: "system", content: app.prompt.system });
  if (app.llm.provider === "endpoint")
    for (const turn of history)
      messages.push({ role: "user", content: turn.query }, { role: "assistant", content: turn.answer });
  messages.push({
    role: "user",
    content: renderTemplate(app.prompt.template, numberedContext(chunks), question),
  });
  return messages;
}

/** Checks that a template has both placeholders; the message says which is missing. */
export function templateProblem(template: string): string | undefined {
  for (const name of ["context", "question"])
    if (!new RegExp(`\\{\\{\\s*${name}\\s*\\}\\}`).test(template))
      return `prompt.template must contain {{${name}}} (where the ${name === "context" ? "numbered passages" : "question"} go)`;
  return undefined;
}

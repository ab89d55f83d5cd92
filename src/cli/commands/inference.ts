import type { Command } from "commander";
import { CliError } from "../client.ts";
import { apiClient } from "../context.ts";
import { printJson, printTable } from "../output.ts";
import { explained, positiveInt } from "./models.ts";

interface EmbeddingsResponse {
  model: string;
  data: Array<{ index: number; embedding: number[] }>;
  usage: { prompt_tokens: number; total_tokens: number };
}

interface RerankResponse {
  model: string;
  results: Array<{ index: number; relevance_score: number; document?: { text: string } }>;
}

interface ChatCompletion {
  model: string;
  choices: Array<{ message: { content: string | null }; finish_reason: string | null }>;
}

interface ChatChunk {
  choices?: Array<{ delta?: { content?: string }; finish_reason?: string | null }>;
  error?: { message?: string };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** One line of at most `max` characters, for table cells. */
function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * The `data:` payloads of a server-sent-events stream, in order, up to `data: [DONE]`. (The
 * shared `readEvents` parses every payload as JSON, which OpenAI's `[DONE]` terminator is not.)
 */
async function* sseData(response: Response): AsyncGenerator<string> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffer = "";
  const payload = (event: string) =>
    event
      .split(/\r?\n/)
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5))
      .join("\n");
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = /\r?\n\r?\n/.exec(buffer); end; end = /\r?\n\r?\n/.exec(buffer)) {
      const data = payload(buffer.slice(0, end.index));
      buffer = buffer.slice(end.index + end[0].length);
      if (data === "[DONE]") return;
      if (data) yield data;
    }
  }
  const rest = payload(buffer + decoder.decode());
  if (rest && rest !== "[DONE]") yield rest;
}

/** The chat messages for a question, with the passages numbered [1], [2], … in a system message. */
export function chatMessages(
  question: string,
  passages: string[],
  system?: string,
): Array<{ role: "system" | "user"; content: string }> {
  // a blank line would end a passage early, so paragraphs of one passage are joined by a newline
  const numbered = passages.map((p, i) => `[${i + 1}] ${p.trim().replace(/\n\s*\n/g, "\n")}`).join("\n");
  const systemText = [system?.trim(), numbered].filter(Boolean).join("\n\n");
  return [
    ...(systemText ? [{ role: "system" as const, content: systemText }] : []),
    { role: "user" as const, content: question },
  ];
}

export function registerInference(program: Command): void {
  program
    .command("embed <text...>")
    .description("embed texts with an endpoint or model (POST /v1/embeddings)")
    .requiredOption("--model <model>", "endpoint id, model id or model name (built in: lodestone-embed-base)")
    .option("--dimensions <n>", "return only the first n values, renormalised", positiveInt)
    .option("--values <n>", "how many of the first values to print per text", positiveInt, 6)
    .option("--json", "print the API response (every value)")
    .addHelpText(
      "after",
      `
Examples:
  lodestone embed --model lodestone-embed-base "boundary layer" "shock wave"
  lodestone embed --model ep-0123456789ab --dimensions 256 --json "flat plate"
`,
    )
    .action(
      async (
        texts: string[],
        flags: { model: string; dimensions?: number; values: number; json?: boolean },
        command: Command,
      ) => {
        const result = await explained(
          apiClient(command).json<EmbeddingsResponse>("POST", "/v1/embeddings", {
            body: { model: flags.model, input: texts, dimensions: flags.dimensions },
          }),
        );
        if (flags.json) return printJson(result);
        console.log(`model ${result.model}, ${result.usage.total_tokens} token(s)`);
        printTable(
          ["#", "TEXT", "DIMENSION", "FIRST VALUES"],
          result.data.map((row) => [
            row.index,
            clip(texts[row.index] ?? "", 40),
            row.embedding.length,
            `${row.embedding
              .slice(0, flags.values)
              .map((v) => v.toFixed(4).padStart(7))
              .join(" ")}${row.embedding.length > flags.values ? " …" : ""}`,
          ]),
        );
      },
    );

  program
    .command("rerank <document...>")
    .description("score documents against a query with a reranker endpoint (POST /v1/rerank)")
    .requiredOption("--model <model>", "endpoint id, model id or model name of a deployed reranker")
    .requiredOption("--query <query>", "the query to score the documents against")
    .option("--top-n <n>", "only the n best documents", positiveInt)
    .option("--json", "print the API response")
    .addHelpText(
      "after",
      `
Examples:
  lodestone rerank --model ep-0123456789ab --query "shock waves" \\
      "the boundary layer thickens downstream" "shock waves form ahead of a blunt body"
  lodestone rerank --model custom-rerank --query "mach number" --top-n 1 --json "doc one" "doc two"

BM25, one of the reranker's features, is computed over the documents given in the call.
`,
    )
    .action(
      async (
        documents: string[],
        flags: { model: string; query: string; topN?: number; json?: boolean },
        command: Command,
      ) => {
        const result = await explained(
          apiClient(command).json<RerankResponse>("POST", "/v1/rerank", {
            body: {
              model: flags.model,
              query: flags.query,
              documents,
              top_n: flags.topN,
              return_documents: true,
            },
          }),
        );
        if (flags.json) return printJson(result);
        printTable(
          ["RANK", "SCORE", "INDEX", "DOCUMENT"],
          result.results.map((r, rank) => [
            rank + 1,
            r.relevance_score.toFixed(4),
            r.index,
            clip(r.document?.text ?? documents[r.index] ?? "", 80),
          ]),
        );
      },
    );

  program
    .command("chat <question...>")
    .description("ask a chat model, streaming the answer (POST /v1/chat/completions)")
    .requiredOption("--model <model>", "endpoint id, model id or model name (built in: lodestone-answerer)")
    .option("--system <text>", "system instructions")
    .option(
      "--passage <text>",
      "a passage to answer from, repeatable; sent as [1], [2], … lines in a system message",
      collect,
    )
    .option("--max-tokens <n>", "longest answer, in tokens", positiveInt)
    .option("--no-stream", "wait for the whole answer instead of printing it as it arrives")
    .option("--json", "print the API response (not streamed)")
    .addHelpText(
      "after",
      `
Examples:
  lodestone chat --model lodestone-answerer \\
      --passage "The search engine listens on port 9200 by default." \\
      --passage "Buckets hold objects under oss://bucket/key URLs." \\
      "Which port does the search engine listen on?"
  lodestone chat --model lodestone-answerer --no-stream --passage "…" "question"

lodestone-answerer quotes the sentences that answer, each followed by its passage number [n],
and says "The answer is not in the provided passages." when none does.
`,
    )
    .action(
      async (
        words: string[],
        flags: {
          model: string;
          system?: string;
          passage?: string[];
          maxTokens?: number;
          stream: boolean;
          json?: boolean;
        },
        command: Command,
      ) => {
        const client = apiClient(command);
        const body = {
          model: flags.model,
          messages: chatMessages(words.join(" "), flags.passage ?? [], flags.system),
          max_tokens: flags.maxTokens,
        };
        if (flags.json || !flags.stream) {
          const result = await explained(
            client.json<ChatCompletion>("POST", "/v1/chat/completions", { body }),
          );
          if (flags.json) return printJson(result);
          const choice = result.choices[0];
          process.stdout.write(`${choice?.message.content ?? ""}\n`);
          if (choice?.finish_reason === "length") process.stderr.write("(cut off at --max-tokens)\n");
          return;
        }
        const response = await explained(
          client.send("POST", "/v1/chat/completions", { body: { ...body, stream: true } }),
        );
        let finish: string | null | undefined;
        try {
          for await (const data of sseData(response)) {
            const chunk = JSON.parse(data) as ChatChunk;
            if (chunk.error)
              throw new CliError(
                `the answer stopped: ${chunk.error.message ?? "server error"}; try again, or with --no-stream`,
              );
            const choice = chunk.choices?.[0];
            if (choice?.delta?.content) process.stdout.write(choice.delta.content);
            if (choice?.finish_reason) finish = choice.finish_reason;
          }
        } finally {
          process.stdout.write("\n");
        }
        if (finish === "length") process.stderr.write("(cut off at --max-tokens)\n");
      },
    );
}

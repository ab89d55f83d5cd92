import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { splitWords } from "../../src/jobs/user-command.ts";
import { startTestPlatform } from "../helpers/platform.ts";
import { PROJECT_ROOT, runCli } from "../helpers/server-process.ts";

/** The `lodestone …` lines of the ```sh blocks of a Markdown file, with their line numbers. */
function shellExamples(file: string): Array<{ line: number; args: string[] }> {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const examples: Array<{ line: number; args: string[] }> = [];
  let inSh = false;
  lines.forEach((text, i) => {
    if (text.startsWith("```")) inSh = !inSh && text.trim() === "```sh";
    else if (inSh && text.startsWith("lodestone "))
      examples.push({ line: i + 1, args: splitWords(text.slice(10)) });
  });
  return examples;
}

interface ConsoleRequest {
  line: number;
  method: string;
  path: string;
  body: string | undefined;
}

/**
 * The requests of the ```console blocks (Kibana Dev Tools form: `METHOD /path`, then the body
 * lines); `/v1/…` paths are platform API calls, the rest search API calls.
 */
function consoleExamples(file: string): ConsoleRequest[] {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const requests: ConsoleRequest[] = [];
  let inConsole = false;
  let current: ConsoleRequest | undefined;
  const bodyLines: string[] = [];
  const finish = () => {
    if (current)
      requests.push({ ...current, body: bodyLines.length ? `${bodyLines.join("\n")}\n` : undefined });
    current = undefined;
    bodyLines.length = 0;
  };
  lines.forEach((text, i) => {
    if (text.startsWith("```")) {
      finish();
      inConsole = !inConsole && text.trim() === "```console";
      return;
    }
    if (!inConsole) return;
    const request = /^(GET|PUT|POST|DELETE|HEAD) (\/\S*)$/.exec(text.trim());
    if (request) {
      finish();
      current = { line: i + 1, method: request[1] as string, path: request[2] as string, body: undefined };
    } else if (text.trim()) bodyLines.push(text);
  });
  return requests;
}

const docsDir = path.join(PROJECT_ROOT, "docs");
const docs = fs.readdirSync(docsDir).filter((name) => name.endsWith(".md"));

describe("the examples in docs/ run as written", () => {
  for (const doc of docs) {
    const requests = consoleExamples(path.join(docsDir, doc));
    if (requests.length === 0) continue;
    test(`${doc}: search API requests`, async () => {
      const server = await startTestPlatform();
      try {
        for (const r of requests) {
          const ndjson = /_bulk|_msearch/.test(r.path);
          // platform API paths (/v1/…, e.g. RAG apps in docs/rag.md; /v2/… recommendations in
          // docs/recommend.md) go to the platform's port
          const base = /^\/v[12]\//.test(r.path) ? server.url : server.searchUrl;
          const res = await fetch(`${base}${r.path}`, {
            method: r.method,
            headers: { "content-type": ndjson ? "application/x-ndjson" : "application/json" },
            body: r.body === undefined ? undefined : ndjson ? r.body : r.body.trim(),
          });
          const text = await res.text();
          assert.ok(res.ok, `docs/${doc}:${r.line}: ${r.method} ${r.path} → ${res.status} ${text}`);
          if (ndjson) assert.equal(JSON.parse(text).errors ?? false, false, `docs/${doc}:${r.line}: ${text}`);
        }
      } finally {
        await server.close();
      }
    });
  }
  for (const doc of docs) {
    const examples = shellExamples(path.join(docsDir, doc));
    if (examples.length === 0) continue;
    test(doc, async () => {
      const server = await startTestPlatform();
      try {
        for (const { line, args } of examples) {
          const result = await runCli(["--url", server.url, ...args]);
          assert.equal(result.code, 0, `docs/${doc}:${line}: lodestone ${args.join(" ")}\n${result.stderr}`);
        }
      } finally {
        await server.close();
      }
    });
  }
});

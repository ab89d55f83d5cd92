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

const docsDir = path.join(PROJECT_ROOT, "docs");
const docs = fs.readdirSync(docsDir).filter((name) => name.endsWith(".md"));

describe("the examples in docs/ run as written", () => {
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

/**
 * Built-in job `corpus-stats`: reads every text file of the input, counts documents, lines and
 * words, finds the most frequent terms, and writes `stats.json` to the output: a first job to try
 * on any folder of text.
 *
 * Hyper-parameters: `top` (terms to keep, default 20), `min_length` (shortest term, default 3).
 */
import fs from "node:fs";
import path from "node:path";
import { localFiles } from "../../storage/transfer.ts";
import { jobContext, numberParam, reportMetrics, reportProgress } from "../sdk.ts";

const TEXT_EXTENSIONS = new Set([".md", ".txt", ".json", ".jsonl", ".html", ".csv", ".tsv", ".yaml", ".yml"]);

const ctx = jobContext();
const top = numberParam(ctx, "top", 20);
const minLength = numberParam(ctx, "min_length", 3);
const files = (await localFiles(ctx.inputDir)).filter((f) =>
  TEXT_EXTENSIONS.has(path.extname(f).toLowerCase()),
);
if (files.length === 0) {
  console.error(
    `no text files (${[...TEXT_EXTENSIONS].join(", ")}) in the input; give the job an --oss-input with documents`,
  );
  process.exit(1);
}

const termCounts = new Map<string, number>();
const perFile: Array<{ file: string; bytes: number; lines: number; words: number }> = [];
let words = 0;
let lines = 0;
let bytes = 0;
for (const [i, file] of files.entries()) {
  const text = fs.readFileSync(path.join(ctx.inputDir, file), "utf8");
  const tokens = text.toLowerCase().match(/\p{L}[\p{L}\p{N}'-]*/gu) ?? [];
  for (const token of tokens) {
    if (token.length >= minLength) termCounts.set(token, (termCounts.get(token) ?? 0) + 1);
  }
  const fileLines = text.split("\n").length;
  perFile.push({ file, bytes: Buffer.byteLength(text), lines: fileLines, words: tokens.length });
  words += tokens.length;
  lines += fileLines;
  bytes += Buffer.byteLength(text);
  reportProgress((i + 1) / files.length, `${i + 1}/${files.length} ${file}`);
  reportMetrics({ documents: i + 1, words }, i + 1);
}

const topTerms = [...termCounts.entries()]
  .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  .slice(0, top)
  .map(([term, count]) => ({ term, count }));
const stats = {
  documents: files.length,
  lines,
  words,
  bytes,
  distinctTerms: termCounts.size,
  topTerms,
  files: perFile,
};
fs.writeFileSync(path.join(ctx.outputDir, "stats.json"), `${JSON.stringify(stats, null, 2)}\n`);
reportMetrics({ documents: files.length, words, distinct_terms: termCounts.size }, files.length);
console.log(`${files.length} documents, ${words} words, ${termCounts.size} distinct terms`);

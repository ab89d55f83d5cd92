import fs from "node:fs";
import readline from "node:readline";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { type ApiClient, CliError } from "../client.ts";
import { searchClient } from "../context.ts";
import { printJson } from "../output.ts";
import { positiveInt } from "./models.ts";

interface BulkItemResult {
  status: number;
  error?: { type: string; reason: string };
}

interface BulkResponse {
  errors: boolean;
  items: Array<Record<string, BulkItemResult>>;
}

interface FailedDocument {
  line: number;
  status: number;
  type: string;
  reason: string;
}

interface LoadReport {
  index: string;
  pipeline: string | null;
  documents: number;
  indexed: number;
  failed: number;
  batches: number;
  took_ms: number;
  /** The first failures, with their line numbers in the file. */
  errors: FailedDocument[];
}

const MAX_REPORTED_ERRORS = 10;

/** Non-empty lines of a file, counted by streaming it (the progress bar's total). */
async function countLines(file: string): Promise<number> {
  let n = 0;
  const lines = readline.createInterface({
    input: fs.createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) if (line.trim()) n++;
  return n;
}

/** Progress on stderr: a bar on a terminal, a line per batch otherwise (nothing with --json). */
function progressReporter(index: string, total: number, quiet: boolean) {
  const tty = Boolean(process.stderr.isTTY) && !quiet;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: "{index} |{bar}| {value}/{total} docs | {failed} failed | {rate} docs/s",
          hideCursor: true,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const started = Date.now();
  bar?.start(total, 0, { index, failed: 0, rate: 0 });
  return {
    update(done: number, failed: number) {
      const rate = Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
      if (bar) bar.update(done, { index, failed, rate });
      else if (!quiet) process.stderr.write(`${index}: ${done}/${total} documents, ${failed} failed\n`);
    },
    stop: () => bar?.stop(),
  };
}

/**
 * Streams a JSONL file (one document per line; an `_id` key becomes the document id) through
 * `_bulk` in batches, with the index's pipelines or `pipeline`, and refreshes the index at the end.
 */
async function loadFile(
  search: ApiClient,
  file: string,
  opts: { index: string; pipeline?: string; batch: number; quiet: boolean },
): Promise<LoadReport> {
  const started = Date.now();
  const total = await countLines(file);
  const progress = progressReporter(opts.index, total, opts.quiet);
  const report: LoadReport = {
    index: opts.index,
    pipeline: opts.pipeline ?? null,
    documents: 0,
    indexed: 0,
    failed: 0,
    batches: 0,
    took_ms: 0,
    errors: [],
  };
  const fail = (doc: FailedDocument) => {
    report.failed++;
    if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push(doc);
  };
  let body = "";
  let lineNumbers: number[] = [];
  const flush = async () => {
    if (!lineNumbers.length) return;
    const result = await search.json<BulkResponse>("POST", `/${encodeURIComponent(opts.index)}/_bulk`, {
      rawBody: body,
      contentType: "application/x-ndjson",
      query: { pipeline: opts.pipeline },
    });
    result.items.forEach((item, k) => {
      const r = Object.values(item)[0] as BulkItemResult;
      if (r.error)
        fail({
          line: lineNumbers[k] as number,
          status: r.status,
          type: r.error.type,
          reason: r.error.reason,
        });
      else report.indexed++;
    });
    report.batches++;
    body = "";
    lineNumbers = [];
    progress.update(report.indexed + report.failed, report.failed);
  };
  try {
    const lines = readline.createInterface({
      input: fs.createReadStream(file),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let lineNo = 0;
    for await (const line of lines) {
      lineNo++;
      if (!line.trim()) continue;
      report.documents++;
      let doc: unknown;
      try {
        doc = JSON.parse(line);
      } catch (err) {
        fail({ line: lineNo, status: 400, type: "parse_exception", reason: (err as Error).message });
        continue;
      }
      if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
        fail({ line: lineNo, status: 400, type: "parse_exception", reason: "a line must be a JSON object" });
        continue;
      }
      const { _id, ...source } = doc as Record<string, unknown>;
      body += `${JSON.stringify({ index: _id === undefined ? {} : { _id: String(_id) } })}\n${JSON.stringify(source)}\n`;
      lineNumbers.push(lineNo);
      if (lineNumbers.length >= opts.batch) await flush();
    }
    await flush();
    await search.json("POST", `/${encodeURIComponent(opts.index)}/_refresh`);
  } finally {
    progress.stop();
  }
  report.took_ms = Date.now() - started;
  return report;
}

export function registerIndex(program: Command): void {
  const index = program
    .command("index")
    .description("load documents into a search index through the Elasticsearch/OpenSearch-compatible API");
  index
    .command("bulk <file>")
    .description(
      "stream a JSONL file (one document per line) into an index with _bulk, through its ingest pipelines",
    )
    .requiredOption(
      "--index <name>",
      "the index to write to (created with dynamic mappings if it does not exist)",
    )
    .option("--pipeline <id>", "run this ingest pipeline instead of the index's default pipeline")
    .option("--batch <n>", "documents per _bulk request", positiveInt, 500)
    .option("--search-url <url>", "the search API (default: the configured search port on the --url host)")
    .option("--json", "print a JSON report")
    .addHelpText(
      "after",
      `
A line's "_id" key, when present, becomes the document's id. Documents embedded by a
text_embedding processor are embedded in batches across each request.

Examples:
  lodestone index bulk corpus.jsonl --index docs
  lodestone index bulk corpus.jsonl --index docs --pipeline embed-docs --batch 200 --json
`,
    )
    .action(
      async (
        file: string,
        flags: { index: string; pipeline?: string; batch: number; searchUrl?: string; json?: boolean },
        command: Command,
      ) => {
        if (!fs.existsSync(file)) throw new CliError(`no such file: ${file}`, 2);
        const report = await loadFile(await searchClient(command, flags.searchUrl), file, {
          index: flags.index,
          pipeline: flags.pipeline,
          batch: flags.batch,
          quiet: Boolean(flags.json),
        });
        if (flags.json) printJson(report);
        else {
          console.log(
            `indexed ${report.indexed} of ${report.documents} documents into ${report.index} in ${report.batches} batch(es), ${(report.took_ms / 1000).toFixed(1)}s`,
          );
          for (const e of report.errors) console.log(`  line ${e.line}: ${e.status} ${e.type}: ${e.reason}`);
          if (report.failed > report.errors.length)
            console.log(`  … and ${report.failed - report.errors.length} more failures`);
        }
        if (report.failed) process.exitCode = 1;
      },
    );
}

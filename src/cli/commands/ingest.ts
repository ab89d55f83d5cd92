/**
 * `lodestone ingest <paths...> --index <name>`: local files and folders, or oss:// objects and
 * prefixes read through the platform API, loaded, chunked and synchronised into an index through
 * the search backend (src/rag/ingest). Re-running it writes only what changed.
 */
import cliProgress from "cli-progress";
import { type Command, InvalidArgumentError } from "commander";
import { EmbeddedBackend } from "../../backends/embedded.ts";
import type { SearchBackend } from "../../backends/types.ts";
import { DEFAULT_CHUNKING } from "../../rag/ingest/chunker.ts";
import { type IngestProgress, type IngestSummary, ingest } from "../../rag/ingest/ingest.ts";
import { type ObjectSource, type SourceRoot, sourceRoot } from "../../rag/ingest/sources.ts";
import { type ApiClient, CliError } from "../client.ts";
import { apiClient, configuredCluster, searchClient } from "../context.ts";
import { listAll, objectPath } from "../oss-client.ts";
import { printJson, printTable } from "../output.ts";
import { positiveInt } from "./models.ts";

interface IngestFlags {
  index: string;
  chunkSize: number;
  chunkOverlap: number;
  pipeline?: string;
  textField?: string;
  titleField?: string;
  idField?: string;
  analyzer: string;
  baseDir?: string;
  batch: number;
  dryRun?: boolean;
  dedupe?: boolean;
  searchUrl?: string;
  json?: boolean;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number ≥ 0");
  return n;
}

/** oss:// listing and reading through the platform's object storage API. */
function platformObjects(client: ApiClient): ObjectSource {
  return {
    async list(bucket, prefix) {
      return (await listAll(client, { bucket, key: prefix })).objects;
    },
    async read(bucket, key) {
      const response = await client.send("GET", objectPath({ bucket, key }));
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

/** The configured OpenSearch cluster, else the search API of the server at --url (or --search-url). */
async function backendFor(command: Command, searchUrl: string | undefined): Promise<SearchBackend> {
  const cluster = searchUrl === undefined ? configuredCluster(command) : undefined;
  return cluster ?? new EmbeddedBackend((await searchClient(command, searchUrl)).baseUrl);
}

/** A files bar on a terminal (stderr), nothing otherwise. */
function progressBar(quiet: boolean) {
  if (quiet || !process.stderr.isTTY) return { update: (_p: IngestProgress) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: "ingest |{bar}| {value}/{total} files | {written} chunks written | {source}",
      hideCursor: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let source = "";
  return {
    update(p: IngestProgress) {
      if (!started) bar.start(p.filesTotal, 0, { written: 0, source });
      started = true;
      source = p.source?.slice(-40) ?? source;
      bar.update(p.filesDone, { written: p.written, source });
    },
    stop: () => started && bar.stop(),
  };
}

function printSummary(s: IngestSummary): void {
  const done = (past: string, future: string) => (s.dry_run ? future : past);
  if (s.created_index) console.log(`${done("created", "would create")} index ${s.index}`);
  if (s.added_fields.length)
    console.log(`${done("added", "would add")} fields to ${s.index}: ${s.added_fields.join(", ")}`);
  printTable(
    ["FILES", "ADDED", "CHANGED", "UNCHANGED", "DELETED", "SKIPPED", "FAILED"],
    [
      [
        "",
        s.files.added,
        s.files.changed,
        s.files.unchanged,
        s.files.deleted,
        s.files.skipped,
        s.files.failed,
      ],
    ],
  );
  printTable(
    ["CHUNKS", "INDEXED", "UPDATED", "DELETED", "UNCHANGED", "DUPLICATES"],
    [["", s.chunks.indexed, s.chunks.updated, s.chunks.deleted, s.chunks.unchanged, s.chunks.duplicates]],
  );
  for (const k of s.skipped) console.log(`skipped ${k.source}: ${k.reason}`);
  for (const e of s.errors) console.log(`error ${e.source}: ${e.reason}`);
  const took = `${(s.took_ms / 1000).toFixed(1)}s`;
  console.log(
    s.dry_run ? `dry run: nothing written to ${s.index} (${took})` : `${s.index} is up to date (${took})`,
  );
}

export function registerIngest(program: Command): void {
  program
    .command("ingest <paths...>")
    .description(
      "load documents (Markdown, text, HTML, PDF, JSON/JSONL) from files, folders or oss:// prefixes, chunk them and index the chunks; re-runs write only what changed",
    )
    .requiredOption("--index <name>", "the index (created with the chunk fields when missing)")
    .option(
      "--chunk-size <n>",
      "most tokens per chunk (words and punctuation marks)",
      positiveInt,
      DEFAULT_CHUNKING.size,
    )
    .option(
      "--chunk-overlap <n>",
      "tokens of the previous chunk of the same section repeated at the start of the next",
      nonNegativeInt,
      DEFAULT_CHUNKING.overlap,
    )
    .option("--pipeline <id>", "ingest pipeline to run instead of the index's default pipeline")
    .option("--text-field <name>", "JSON/JSONL: the field holding the text (default text, content or body)")
    .option("--title-field <name>", "JSON/JSONL: the field holding the title (default title or name)")
    .option("--id-field <name>", "JSON/JSONL: the field holding the record id (default id or _id)")
    .option(
      "--analyzer <name>",
      "analyzer of content, title and section when the index is created",
      "english",
    )
    .option("--base-dir <dir>", "local sources are named relative to this folder (default: the current one)")
    .option("--batch <n>", "actions per _bulk request", positiveInt, 200)
    .option("--dry-run", "read and chunk everything and compare with the index, but write nothing")
    .option("--dedupe", "do not index a chunk whose text another file already has in the index")
    .option("--search-url <url>", "the search API (default: the search port of the server at --url)")
    .option("--json", "print the summary as JSON")
    .addHelpText(
      "after",
      `
A folder or oss:// prefix is synchronised: new and changed files are (re)chunked, unchanged files
are not touched, files gone from it lose their chunks. Unsupported file types are skipped and
listed. See docs/rag-ingest.md for the chunk fields.

Examples:
  lodestone ingest docs --index rag-docs
  lodestone ingest ./handbook notes.pdf oss://bucket/faq/ --index kb --chunk-size 300 --chunk-overlap 50
  lodestone ingest faq.jsonl --index kb --text-field answer --title-field question --json
`,
    )
    .action(async (paths: string[], flags: IngestFlags, command: Command) => {
      const objects = paths.some((p) => p.startsWith("oss://"))
        ? platformObjects(apiClient(command))
        : undefined;
      const roots: SourceRoot[] = [];
      for (const spec of paths) roots.push(await sourceRoot(spec, { base: flags.baseDir, objects }));
      const backend = await backendFor(command, flags.searchUrl);
      const bar = progressBar(Boolean(flags.json));
      let summary: IngestSummary;
      try {
        summary = await ingest({
          backend,
          index: flags.index,
          sources: roots,
          chunking: { size: flags.chunkSize, overlap: flags.chunkOverlap },
          fields: { textField: flags.textField, titleField: flags.titleField, idField: flags.idField },
          pipeline: flags.pipeline,
          analyzer: flags.analyzer,
          batch: flags.batch,
          dryRun: flags.dryRun,
          dedupe: flags.dedupe,
          onProgress: bar.update,
        });
      } finally {
        bar.stop();
        await backend.close();
      }
      if (flags.json) printJson(summary);
      else printSummary(summary);
      if (summary.errors.length)
        throw new CliError(
          `${summary.errors.length} error(s) while ingesting${flags.json ? "" : " (listed above)"}; fix them and run the same command again: only what is missing is written`,
        );
    });
}

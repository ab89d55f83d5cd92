/**
 * `lodestone workflow run <file>` and `lodestone quickstart` (= workflows/quickstart.yaml): start
 * the platform when none answers at --url, run the workflow through the HTTP APIs with progress,
 * print the comparison table (or the JSON report), then keep serving or exit.
 */
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import type { LodestoneConfig } from "../../config/schema.ts";
import { describePaired } from "../../eval/paired.ts";
import { runWorkflow, type WorkflowReport } from "../../workflow/runner.ts";
import { loadWorkflow, WorkflowError } from "../../workflow/schema.ts";
import { CliError } from "../client.ts";
import { connectOrStart } from "../local-platform.ts";
import { formatDuration, printJson, printTable } from "../output.ts";
import { workflowProgress } from "../workflow-progress.ts";
import { addServerFlags, closeOnSignals, type ServerFlags, serverConfig } from "./serve.ts";

export const QUICKSTART_WORKFLOW = fileURLToPath(
  new URL("../../../workflows/quickstart.yaml", import.meta.url),
);

interface RunFlags extends ServerFlags {
  serve: boolean;
  json?: boolean;
  searchBackend?: string;
  searchUrl?: string;
}

/** The config with the search flags applied on top of the server flags. */
function runConfig(command: Command, flags: RunFlags): LodestoneConfig {
  return serverConfig(command, flags, {
    "search.backend": flags.searchBackend,
    "search.url": flags.searchUrl,
  });
}

function printReport(report: WorkflowReport): void {
  const { data, models } = report;
  console.log(
    `\n${report.workflow}: ${data.documents} documents; embedder ${models.embedder.endpoint_id} (${models.embedder.dimension}-d), reranker ${models.reranker.endpoint_id}; hybrid BM25 weight ${report.bm25_weight.toFixed(2)}`,
  );
  console.log(`${data.test_queries} held-out test queries (never seen in training):\n`);
  printTable(
    ["RETRIEVAL", "nDCG@10", "RECALL@100", "MRR@10", "MS/QUERY"],
    report.evaluation.map((r) => [
      r.label,
      r.ndcg10.toFixed(4),
      r.recall100.toFixed(4),
      r.mrr10.toFixed(4),
      r.ms_per_query.toFixed(1),
    ]),
  );
  printComparisons(report);
  for (const app of report.apps)
    console.log(
      `\nRAG app ${app.name} (${app.id}, ${app.status}): ask it in the console or with POST /v1/rag/apps/${app.name}/chat`,
    );
}

/** The paired differences under the table: which gaps between rows are more than noise. */
function printComparisons(report: WorkflowReport): void {
  if (!report.comparisons.length) return;
  const label = new Map(report.evaluation.map((r) => [r.name, r.label]));
  console.log(
    `\nnDCG@10 differences, paired over the ${report.data.test_queries} test queries (95% CI, randomization test):`,
  );
  printTable(
    ["COMPARISON", "DIFFERENCE", "VERDICT"],
    report.comparisons.map((c) => [
      `${label.get(c.after) ?? c.after} vs ${label.get(c.before) ?? c.before}`,
      describePaired(c.difference),
      c.difference.verdict,
    ]),
  );
}

/** How to ask the workflow's first RAG app, for the closing message. */
function askHint(url: string, report: WorkflowReport): string {
  const app = report.apps[0];
  if (!app) return "";
  return `\n  open ${url}/console/ and ask the ${app.name} app a question about the docs, or:\n  curl -XPOST ${url}/v1/rag/apps/${app.name}/chat -H 'content-type: application/json' -d '{"query":"How do I train an embedding model?"}'`;
}

async function runFile(file: string, config: LodestoneConfig, flags: RunFlags): Promise<void> {
  const say = (line: string) => {
    if (!flags.json) process.stderr.write(`${line}\n`);
  };
  let workflow: ReturnType<typeof loadWorkflow>;
  try {
    workflow = loadWorkflow(file);
  } catch (err) {
    if (err instanceof WorkflowError) throw new CliError(err.message, 2);
    throw err;
  }
  const { api, search, running } = await connectOrStart(config, say);
  const progress = workflowProgress({ quiet: Boolean(flags.json) });
  let report: WorkflowReport;
  try {
    report = await runWorkflow(workflow, { api, search, onEvent: progress.onEvent });
  } catch (err) {
    progress.stop();
    await search.close();
    await running?.close();
    if (err instanceof WorkflowError) throw new CliError(err.message, 2);
    throw err instanceof CliError ? err : new CliError((err as Error).message);
  }
  progress.stop();
  await search.close();
  if (flags.json)
    printJson({ url: api.baseUrl, search_backend: search.kind, search_url: search.baseUrl, ...report });
  else {
    printReport(report);
    say(`\n• done in ${formatDuration(Math.round(report.seconds))}`);
  }
  if (!running) return;
  if (!flags.serve) return running.close();
  say(
    `\nLodestone is running: console and API at ${running.url}, search at ${running.searchUrl} — try:${askHint(running.url, report)}\n  curl '${running.searchUrl}/${workflow.index.name}/_search?q=synonyms&pretty'\n  lodestone models list\nPress Ctrl-C to stop.`,
  );
  await closeOnSignals(running);
}

const runOptions = (command: Command) =>
  addServerFlags(
    command
      .option("--no-serve", "exit when done instead of leaving the server running (when it started one)")
      .option("--json", "print the report as JSON")
      .option(
        "--search-backend <backend>",
        "embedded (default) or opensearch: where to index and search (search.backend)",
      )
      .option(
        "--search-url <url>",
        "the OpenSearch cluster's URL with --search-backend opensearch (search.url)",
      ),
  );

export function registerWorkflow(program: Command): void {
  const workflow = program.command("workflow").description("run declarative workflows (YAML or JSON)");
  runOptions(
    workflow
      .command("run <file>")
      .description(
        "upload data, train and deploy an embedder and a reranker, index, and compare BM25, neural, hybrid and hybrid + rerank",
      ),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  lodestone workflow run workflows/cranfield.yaml --no-serve\n  lodestone workflow run my-corpus.yaml --url http://127.0.0.1:8080 --json\n  lodestone workflow run workflows/quickstart.yaml --search-backend opensearch --search-url http://localhost:9201\n\nThe file format: docs/workflows.md; OpenSearch: docs/opensearch.md\n",
    )
    .action((file: string, flags: RunFlags, command: Command) =>
      runFile(file, runConfig(command, flags), flags),
    );
}

export function registerQuickstart(program: Command): void {
  runOptions(
    program
      .command("quickstart")
      .description(
        "the demo workflow on the project's docs: train and deploy an embedder and a reranker, index rag-docs, compare retrieval",
      ),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  lodestone quickstart\n  lodestone quickstart --data-dir /tmp/ls --no-serve --json\n\nIt runs workflows/quickstart.yaml (see docs/workflows.md).\n",
    )
    .action((flags: RunFlags, command: Command) =>
      runFile(QUICKSTART_WORKFLOW, runConfig(command, flags), flags),
    );
}

/**
 * `lodestone tune`: relevance tuning of an index against judged queries (src/eval/tune), run from
 * here through the search API with progress, or on the server (`--on-server`, POST
 * /_lodestone/tune). Judgements come from a BEIR dataset (`--dataset`, its train split; `--test`
 * adds its test split, reported only) or a JSON/JSONL file of `{id, query_text, ratings}`.
 */

import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { loadBeir } from "../../eval/beir.ts";
import { describePaired } from "../../eval/paired.ts";
import {
  parseTuneRequest,
  type RatedRequest,
  requestsFrom,
  TuneRequestError,
} from "../../eval/tune/request.ts";
import { type Split, type TuneEvent, type TuneReport, tune } from "../../eval/tune/tuner.ts";
import { TRAINING_VALIDATION_SHARE } from "../../models/training/data.ts";
import { CliError } from "../client.ts";
import { searchClient } from "../context.ts";
import { printJson, printTable } from "../output.ts";
import { workflowProgress } from "../workflow-progress.ts";

interface TuneFlags {
  index: string;
  field: string[];
  vectorField?: string;
  embedder?: string;
  reranker?: string;
  dataset?: string;
  requests?: string;
  test?: boolean;
  heldoutShare?: string;
  maxTrainQueries?: string;
  stages?: string;
  metric?: string;
  bm25Weight?: string;
  normalization?: string;
  rerankDepth?: string;
  depth?: string;
  keepScratch?: boolean;
  onServer?: boolean;
  searchUrl?: string;
  json?: boolean;
}

/** BEIR queries + qrels → `_rank_eval`-style requests (judged queries only). */
export function beirRequests(dir: string, split: string): RatedRequest[] {
  const ds = loadBeir(dir, split);
  return requestsFrom(ds.queries, ds.qrels);
}

function readRequests(file: string): unknown {
  const text = fs.readFileSync(file, "utf8");
  try {
    if (file.endsWith(".jsonl"))
      return text
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l));
    const parsed = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : parsed.requests;
  } catch (err) {
    throw new CliError(
      `${file} is not valid JSON${file.endsWith(".jsonl") ? " lines" : ""}: ${(err as Error).message}`,
      2,
    );
  }
}

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

/**
 * The held-out queries. A BEIR dataset's are the ones its training jobs never saw: qrels/dev.tsv,
 * or else the same hashed 20% of the train queries train-embedding and train-reranker hold out —
 * confirming fusion or rerank changes on queries the models trained on would let them overfit.
 */
function heldout(flags: TuneFlags, dataset: string | undefined): Record<string, unknown> {
  if (flags.heldoutShare !== undefined) return { heldout_share: num(flags.heldoutShare) };
  if (!dataset) return {};
  // the models trained on the other train queries: fusion and rerank choose on these
  const modelsSaw = { models_trained_on_requests: true };
  if (!fs.existsSync(path.join(dataset, "qrels", "dev.tsv")))
    return { heldout_share: TRAINING_VALIDATION_SHARE, ...modelsSaw };
  return { heldout_requests: beirRequests(dataset, "dev"), ...modelsSaw };
}

function requestBody(flags: TuneFlags): Record<string, unknown> {
  if (!flags.dataset === !flags.requests)
    throw new CliError("give the judged queries with --dataset DIR or --requests FILE", 2);
  if (flags.test && !flags.dataset) throw new CliError("--test reads the test split of --dataset", 2);
  const dataset = flags.dataset ? path.resolve(flags.dataset) : undefined;
  if (dataset && !fs.existsSync(path.join(dataset, "qrels", "train.tsv")))
    throw new CliError(
      `--dataset ${flags.dataset}: no qrels/train.tsv (a BEIR dataset folder is expected)`,
      2,
    );
  const baseline = {
    ...(flags.bm25Weight !== undefined && { bm25_weight: num(flags.bm25Weight) }),
    ...(flags.normalization !== undefined && { normalization: flags.normalization }),
    ...(flags.rerankDepth !== undefined && { rerank_depth: num(flags.rerankDepth) }),
  };
  return {
    index: flags.index,
    fields: flags.field,
    vector_field: flags.vectorField,
    embedder_model_id: flags.embedder,
    reranker_model_id: flags.reranker,
    requests: dataset ? beirRequests(dataset, "train") : readRequests(flags.requests as string),
    ...heldout(flags, dataset),
    ...(flags.maxTrainQueries !== undefined && { max_train_queries: num(flags.maxTrainQueries) }),
    ...(flags.test && dataset && { test_requests: beirRequests(dataset, "test") }),
    ...(flags.stages && { stages: flags.stages.split(",").map((s) => s.trim()) }),
    ...(flags.metric && { metric: flags.metric }),
    ...(Object.keys(baseline).length && { baseline }),
    ...(flags.depth !== undefined && { depth: num(flags.depth) }),
    ...(flags.keepScratch && { keep_scratch: true }),
  };
}

/** Tuning events as workflow events, so both show progress the same way. */
function progressOf(quiet: boolean) {
  const progress = workflowProgress({ quiet });
  const onEvent = (e: TuneEvent) => {
    if (e.type === "copy")
      progress.onEvent({
        type: "progress",
        step: "copy",
        label: "copy",
        fraction: e.done / e.total,
        message: `${e.done}/${e.total} documents`,
      });
    else if (e.type === "trial")
      progress.onEvent({
        type: "progress",
        step: e.stage,
        label: e.stage,
        fraction: e.done / e.total,
        message: e.message,
      });
    else
      progress.onEvent({
        type: "step",
        step: e.stage,
        status: e.status === "start" ? "start" : e.status === "accepted" ? "done" : "skipped",
        message: `${e.status === "start" ? "" : `${e.status}: `}${e.message}`,
      });
  };
  return { onEvent, stop: progress.stop };
}

const f4 = (x: number | undefined) => (x === undefined ? "—" : x.toFixed(4));

export function printTuneReport(report: TuneReport): void {
  console.log(
    `\n${report.index}: ${report.metric} on ${report.train_queries} training and ${report.heldout_queries} held-out queries\n`,
  );
  printTable(
    ["STAGE", "STATUS", "TRAIN", "HELD-OUT", "CHANGE"],
    report.stages.map((s) => [
      s.stage,
      s.status,
      s.before && s.after ? `${f4(s.before.train)} → ${f4(s.after.train)}` : "",
      s.before && s.after ? `${f4(s.before.heldout)} → ${f4(s.after.heldout)}` : "",
      s.change ?? s.reason ?? "",
    ]),
  );
  console.log("");
  const test = report.baseline.test !== undefined;
  const row = (label: string, split: Split) => [
    label,
    f4(split.train),
    f4(split.heldout),
    ...(test ? [f4(split.test)] : []),
  ];
  printTable(
    ["SEARCH", "TRAIN", "HELD-OUT", ...(test ? ["TEST"] : [])],
    [
      row("start", report.baseline),
      row("tuned", report.tuned),
      ...(report.lexical
        ? [
            row("start, lexical query alone", report.lexical.baseline),
            row("tuned, lexical query alone", report.lexical.tuned),
          ]
        : []),
    ],
  );
  const { heldout, test: onTest } = report.comparison;
  console.log(`\ntuned vs start, paired (95% CI, randomization test):`);
  console.log(`  held-out (${heldout.queries} queries): ${describePaired(heldout)}: ${heldout.verdict}`);
  if (onTest) console.log(`  test (${onTest.queries} queries): ${describePaired(onTest)}: ${onTest.verdict}`);
  console.log("\nProposed (index settings need a closed index; --json prints everything):");
  console.log(JSON.stringify(report.proposal, null, 2));
}

export function registerTune(program: Command): void {
  program
    .command("tune")
    .description(
      "tune an index's relevance (BM25 k1/b, boosts, synonyms, RM3, hybrid fusion, rerank depth) on judged queries",
    )
    .requiredOption("--index <name>", "the index to tune (it is copied; the index itself is not changed)")
    .requiredOption("--field <name...>", "text field(s) the lexical query searches")
    .option("--vector-field <name>", "knn_vector field of neural queries (with --embedder)")
    .option("--embedder <model_id>", "embedding model or endpoint id: enables the hybrid and synonyms stages")
    .option("--reranker <model_id>", "reranker model or endpoint id: enables the rerank stage")
    .option("--dataset <dir>", "a BEIR dataset: its queries with qrels/train.tsv are the judgements")
    .option(
      "--requests <file>",
      "judged queries: JSON list or JSONL of {id, query_text, ratings: [{_id, rating}]}",
    )
    .option("--test", "also report start vs tuned on the dataset's qrels/test.tsv (never used to choose)")
    .option(
      "--heldout-share <x>",
      "share of the judged queries held out to confirm each change (default 0.3; with --dataset its qrels/dev.tsv, else 0.2: the share the training jobs hold out)",
    )
    .option(
      "--stages <list>",
      "comma-separated: bm25,clauses,synonyms,prf,hybrid,rerank (default all that apply)",
    )
    .option("--metric <m>", "ndcg@k, recall@k or mrr@k", "ndcg@10")
    .option("--bm25-weight <x>", "the start configuration's hybrid weight on BM25", undefined)
    .option("--normalization <t>", "the start configuration's technique: min_max, l2, z_score or rrf")
    .option("--rerank-depth <n>", "the start configuration's rerank depth")
    .option("--depth <n>", "results per query and hybrid pagination_depth", "100")
    .option("--keep-scratch", "keep the tuned copy <index>-lodestone-tune with the tuned settings")
    .option("--on-server", "run on the server (POST /_lodestone/tune) instead of from here")
    .option("--search-url <url>", "the search API (default: the configured search port on the --url host)")
    .option("--json", "print the full report as JSON")
    .addHelpText(
      "after",
      `
Each stage searches its settings on the training share and its change is proposed only when the
held-out share improves too; the report shows both, and with --test the dataset's test split.
With --dataset the models trained on its queries, so stages cross-validate instead: hybrid and
rerank leave-one-out on the held-out queries, the lexical stages 10-fold over all of them.

Examples:
  lodestone tune --index cranfield --field contents --dataset ../shared/datasets/cranfield --test --stages bm25,prf
  lodestone tune --index rag-docs --field text --vector-field embedding --embedder ep-… --reranker ep-… \\
      --requests judged.jsonl --json
`,
    )
    .action(async (flags: TuneFlags, command: Command) => {
      const body = requestBody(flags);
      const search = await searchClient(command, flags.searchUrl);
      let report: TuneReport;
      if (flags.onServer) report = await search.json<TuneReport>("POST", "/_lodestone/tune", { body });
      else {
        let request: ReturnType<typeof parseTuneRequest>;
        try {
          request = parseTuneRequest(body);
        } catch (err) {
          if (err instanceof TuneRequestError) throw new CliError(err.message, 2);
          throw err;
        }
        const progress = progressOf(Boolean(flags.json));
        try {
          report = await tune(search, request, { onEvent: progress.onEvent });
        } finally {
          progress.stop();
        }
      }
      if (flags.json) printJson(report);
      else printTuneReport(report);
    });
}

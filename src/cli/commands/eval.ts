import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { type BeirDataset, loadBeir } from "../../eval/beir.ts";
import { fuseWeighted, tuneFusionWeight, validationQueryIds } from "../../eval/fusion.ts";
import { evaluateRun, type Qrels, type Run } from "../../eval/metrics.ts";
import { buildDenseIndex, MAX_BM25_DEPTH, openBm25Index, rerankRun } from "../../eval/runs.ts";
import { writeRun } from "../../eval/trec-run.ts";
import type { PairScorer, TextEncoder } from "../../models/types.ts";
import { CliError } from "../client.ts";
import { printJson, printTable } from "../output.ts";

export type FirstStage = "bm25" | "dense" | "hybrid";

/** What `lodestone eval` was asked, parsed and checked. */
export interface EvalOptions {
  dataset: string;
  split: string;
  bm25: boolean;
  /** Embedding model folder. */
  dense?: string;
  hybrid: boolean;
  /** A fixed BM25 weight for the hybrid instead of a tuned one. */
  hybridWeight?: number;
  /** Reranker model folder. */
  rerank?: string;
  rerankDepth: number;
  rerankOn: FirstStage;
  ks: number[];
  top: number;
  runsDir?: string;
  /** Progress lines for people. */
  log?: (line: string) => void;
}

export type LoadedModel =
  | { kind: "embedding"; encoder: TextEncoder }
  | { kind: "reranker"; scorer: PairScorer };
export type ModelLoader = (dir: string) => Promise<LoadedModel>;

export interface HybridReport {
  /** Weight on BM25; the dense run gets 1 − weight. */
  weight: number;
  tuned: boolean;
  /** How the weight was chosen, in words. */
  source: string;
  validationQueries: number;
  validationNdcg10: number | null;
}

export interface MethodResult {
  method: string;
  /** `ndcg@k`, `mrr@k`, `recall@k` for every k, and `map`. */
  metrics: Record<string, number>;
  seconds: number;
  runFiles?: { trec: string; tsv: string };
}

export interface EvalReport {
  dataset: string;
  name: string;
  split: string;
  documents: number;
  queries: number;
  ks: number[];
  top: number;
  rerank?: { on: FirstStage; depth: number };
  hybrid?: HybridReport;
  results: MethodResult[];
}

/** Weight on BM25 when there are no training judgements to tune it on. */
const UNTUNED_WEIGHT = 0.5;
/** The part of the train split's queries the hybrid weight is tuned on. */
const VALIDATION_FRACTION = 0.2;

const usage = (message: string) => new CliError(message, 2);

function positiveInt(value: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1 || n > max)
    throw usage(`${flag} expects a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

/** Checks the BEIR layout up front, so a wrong path says what is missing rather than ENOENT. */
function checkDataset(dir: string, split: string): void {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw usage(
      `--dataset ${dir}: no such folder (give a folder in BEIR layout: corpus.jsonl, queries.jsonl, qrels/)`,
    );
  for (const file of ["corpus.jsonl", "queries.jsonl"])
    if (!fs.existsSync(path.join(dir, file)))
      throw usage(
        `--dataset ${dir} has no ${file}; it must be in BEIR layout (corpus.jsonl, queries.jsonl, qrels/<split>.tsv)`,
      );
  if (!fs.existsSync(path.join(dir, "qrels", `${split}.tsv`))) {
    const qrelsDir = path.join(dir, "qrels");
    const splits = fs.existsSync(qrelsDir)
      ? fs
          .readdirSync(qrelsDir)
          .filter((f) => f.endsWith(".tsv"))
          .map((f) => f.slice(0, -4))
      : [];
    throw usage(
      `--dataset ${dir} has no qrels/${split}.tsv; ${splits.length ? `choose --split ${splits.join(" | ")}` : "qrels/ holds no judgements"}`,
    );
  }
}

const article = (kind: LoadedModel["kind"]) => (kind === "embedding" ? "an embedding model" : "a reranker");

async function loadModel(
  loader: ModelLoader,
  dir: string,
  flag: string,
  want: LoadedModel["kind"],
): Promise<LoadedModel> {
  if (!fs.existsSync(dir)) throw usage(`${flag} ${dir}: no such model folder`);
  let model: LoadedModel;
  try {
    model = await loader(dir);
  } catch (err) {
    throw new CliError(`${flag} ${dir}: ${(err as Error).message}`);
  }
  if (model.kind !== want)
    throw usage(
      `${flag} ${dir} holds ${article(model.kind)}; ${flag} needs ${article(want)} (give it to ${want === "embedding" ? "--rerank" : "--dense"} instead?)`,
    );
  return model;
}

/** The models module's loader, imported on use: BM25-only evaluation does not need it. */
const loadModelFolder: ModelLoader = async (dir) =>
  (await import("../../models/artifacts.ts")).loadModelFolder(dir);

/** The judged train queries held out for tuning, unless train is the split being evaluated. */
function validationSet(dir: string, split: string): BeirDataset | undefined {
  if (split === "train" || !fs.existsSync(path.join(dir, "qrels", "train.tsv"))) return undefined;
  const train = loadBeir(dir, "train");
  const held = new Set(
    validationQueryIds(
      train.queries.map((q) => q.id),
      VALIDATION_FRACTION,
    ),
  );
  const queries = train.queries.filter((q) => held.has(q.id));
  if (queries.length === 0) return undefined;
  const qrels: Qrels = new Map(queries.map((q) => [q.id, train.qrels.get(q.id) ?? new Map()]));
  return { ...train, queries, qrels };
}

const seconds = (t0: number) => Math.round((performance.now() - t0) / 10) / 100;

/**
 * Retrieves with each method asked for (BM25 also when the hybrid or the reranker needs it, and
 * when nothing else is asked), scores every run against the split's judgements, and writes the
 * run files.
 */
export async function runEvaluation(
  o: EvalOptions,
  loader: ModelLoader = loadModelFolder,
): Promise<EvalReport> {
  const log = o.log ?? (() => {});
  const dir = path.resolve(o.dataset);
  checkDataset(dir, o.split);
  // models first: a bad folder fails before minutes of indexing
  const denseModel = o.dense ? await loadModel(loader, o.dense, "--dense", "embedding") : undefined;
  const rerankModel = o.rerank ? await loadModel(loader, o.rerank, "--rerank", "reranker") : undefined;

  const data = loadBeir(dir, o.split);
  if (data.queries.length === 0)
    throw new CliError(
      `no query of queries.jsonl is judged in qrels/${o.split}.tsv; check that their ids match`,
    );
  const validation = o.hybrid && o.hybridWeight === undefined ? validationSet(dir, o.split) : undefined;
  const wantBm25 =
    o.bm25 || o.hybrid || (rerankModel && o.rerankOn === "bm25") || (!denseModel && !rerankModel);
  log(`${data.name} (${o.split}): ${data.corpus.length} documents, ${data.queries.length} queries`);

  const runs = new Map<string, { run: Run; seconds: number }>();
  const validationRuns: { bm25?: Run; dense?: Run } = {};
  if (wantBm25) {
    const t0 = performance.now();
    const bm25 = await openBm25Index(data.corpus);
    try {
      runs.set("bm25", { run: bm25.run(data.queries, o.top), seconds: seconds(t0) });
      if (validation) validationRuns.bm25 = bm25.run(validation.queries, o.top);
    } finally {
      await bm25.close();
    }
    log(`bm25: indexed in ${(bm25.indexMs / 1000).toFixed(2)} s, ${seconds(t0)} s in all`);
  }
  if (denseModel?.kind === "embedding") {
    const t0 = performance.now();
    const dense = buildDenseIndex(denseModel.encoder, data.corpus);
    runs.set("dense", { run: dense.run(data.queries, o.top), seconds: seconds(t0) });
    if (validation) validationRuns.dense = dense.run(validation.queries, o.top);
    log(`dense: encoded ${dense.size} documents (dimension ${dense.dimension}), ${seconds(t0)} s in all`);
  }
  let hybrid: HybridReport | undefined;
  if (o.hybrid) {
    const t0 = performance.now();
    const bm25 = runs.get("bm25")?.run;
    const dense = runs.get("dense")?.run;
    if (!bm25 || !dense) throw usage("--hybrid fuses BM25 with a dense run: give --dense <model-dir> too");
    if (o.hybridWeight !== undefined) {
      hybrid = {
        weight: o.hybridWeight,
        tuned: false,
        source: "given with --hybrid-weight",
        validationQueries: 0,
        validationNdcg10: null,
      };
    } else if (validation && validationRuns.bm25 && validationRuns.dense) {
      const tuned = tuneFusionWeight(validation.qrels, validationRuns.bm25, validationRuns.dense);
      hybrid = {
        weight: tuned.weight,
        tuned: true,
        source: `tuned for nDCG@10 on ${validation.queries.length} held-out queries of qrels/train.tsv`,
        validationQueries: validation.queries.length,
        validationNdcg10: tuned.ndcg10,
      };
    } else {
      hybrid = {
        weight: UNTUNED_WEIGHT,
        tuned: false,
        source:
          o.split === "train"
            ? "not tuned: the evaluated split is train, and tuning on it would flatter the result"
            : "not tuned: the dataset has no qrels/train.tsv",
        validationQueries: 0,
        validationNdcg10: null,
      };
    }
    runs.set("hybrid", {
      run: fuseWeighted(bm25, dense, hybrid.weight, { depth: o.top }),
      seconds: seconds(t0),
    });
    log(`hybrid: ${describeWeight(hybrid)}`);
  }
  if (rerankModel?.kind === "reranker") {
    const t0 = performance.now();
    const base = runs.get(o.rerankOn)?.run;
    if (!base) throw usage(`--rerank-on ${o.rerankOn} needs that run: give --${o.rerankOn} too`);
    const run = rerankRun(rerankModel.scorer, base, o.rerankDepth, data);
    runs.set(`${o.rerankOn}+rerank`, { run, seconds: seconds(t0) });
    log(`${o.rerankOn}+rerank: top ${o.rerankDepth} of ${data.queries.length} queries in ${seconds(t0)} s`);
  }

  const results: MethodResult[] = [];
  for (const [method, { run, seconds: secs }] of runs) {
    const m = evaluateRun(data.qrels, run, { ks: o.ks });
    const metrics: Record<string, number> = {};
    for (const k of o.ks) {
      metrics[`ndcg@${k}`] = m.ndcg[k] as number;
      metrics[`mrr@${k}`] = m.mrr[k] as number;
      metrics[`recall@${k}`] = m.recall[k] as number;
    }
    metrics.map = m.map;
    const result: MethodResult = { method, metrics, seconds: secs };
    if (o.runsDir) {
      const base = path.resolve(o.runsDir, `${data.name}-${o.split}-${method}`);
      result.runFiles = { trec: `${base}.trec`, tsv: `${base}.tsv` };
      writeRun(result.runFiles.trec, run, { format: "trec", tag: `lodestone-${method}` });
      writeRun(result.runFiles.tsv, run, { format: "tsv" });
    }
    results.push(result);
  }
  return {
    dataset: dir,
    name: data.name,
    split: o.split,
    documents: data.corpus.length,
    queries: data.queries.length,
    ks: o.ks,
    top: o.top,
    ...(rerankModel ? { rerank: { on: o.rerankOn, depth: o.rerankDepth } } : {}),
    ...(hybrid ? { hybrid } : {}),
    results,
  };
}

function describeWeight(h: HybridReport): string {
  return `BM25 weight ${h.weight}, dense ${+(1 - h.weight).toFixed(4)} (${h.source})`;
}

/** nDCG and MRR at the smaller cut-offs, Recall at the largest, then MAP. */
function printReport(report: EvalReport): void {
  const ks = report.ks;
  const shallow = ks.length > 1 ? ks.slice(0, -1) : ks;
  const columns = [...shallow.flatMap((k) => [`ndcg@${k}`, `mrr@${k}`]), `recall@${ks.at(-1)}`, "map"];
  const label = (c: string) =>
    c === "map" ? "MAP" : c.replace("ndcg", "nDCG").replace("mrr", "MRR").replace("recall", "Recall");
  printTable(
    ["method", ...columns.map(label)],
    report.results.map((r) => [r.method, ...columns.map((c) => (r.metrics[c] as number).toFixed(4))]),
  );
  if (report.hybrid) console.log(`\nhybrid: ${describeWeight(report.hybrid)}`);
  const dirs = new Set(report.results.flatMap((r) => (r.runFiles ? [path.dirname(r.runFiles.trec)] : [])));
  for (const d of dirs) console.log(`\nrun files in ${d}`);
}

interface EvalFlags {
  dataset: string;
  split: string;
  bm25?: boolean;
  dense?: string;
  hybrid?: boolean;
  hybridWeight?: string;
  rerank?: string;
  rerankDepth: string;
  rerankOn: string;
  k: string;
  top: string;
  runsDir?: string;
  json?: boolean;
}

function parseFlags(flags: EvalFlags): EvalOptions {
  const ks = [...new Set(flags.k.split(",").map((k) => positiveInt(k, "--k")))].sort((a, b) => a - b);
  const top = positiveInt(flags.top, "--top", MAX_BM25_DEPTH);
  const rerankDepth = positiveInt(flags.rerankDepth, "--rerank-depth", MAX_BM25_DEPTH);
  const rerankOn = flags.rerankOn as FirstStage;
  if (!["bm25", "dense", "hybrid"].includes(rerankOn))
    throw usage(`--rerank-on expects bm25, dense or hybrid, got ${JSON.stringify(flags.rerankOn)}`);
  if (flags.hybrid && !flags.dense)
    throw usage("--hybrid fuses BM25 with a dense run: give --dense <model-dir> too");
  let hybridWeight: number | undefined;
  if (flags.hybridWeight !== undefined) {
    if (!flags.hybrid) throw usage("--hybrid-weight needs --hybrid");
    hybridWeight = Number(flags.hybridWeight);
    if (flags.hybridWeight.trim() === "" || !(hybridWeight >= 0 && hybridWeight <= 1))
      throw usage(`--hybrid-weight expects a number from 0 to 1, got ${JSON.stringify(flags.hybridWeight)}`);
  }
  if (flags.rerank && rerankOn === "dense" && !flags.dense)
    throw usage("--rerank-on dense needs --dense <model-dir>");
  if (flags.rerank && rerankOn === "hybrid" && !flags.hybrid)
    throw usage("--rerank-on hybrid needs --hybrid (and --dense <model-dir>)");
  return {
    dataset: flags.dataset,
    split: flags.split,
    bm25: Boolean(flags.bm25),
    dense: flags.dense,
    hybrid: Boolean(flags.hybrid),
    hybridWeight,
    rerank: flags.rerank,
    rerankDepth,
    rerankOn,
    ks,
    top,
    runsDir: flags.runsDir,
  };
}

export function registerEval(program: Command): void {
  program
    .command("eval")
    .description(
      "evaluate retrieval on a BEIR dataset: BM25, a dense model, their hybrid, a reranker (nDCG, MRR, Recall, MAP)",
    )
    .requiredOption("--dataset <dir>", "dataset folder in BEIR layout (corpus.jsonl, queries.jsonl, qrels/)")
    .option("--split <name>", "judgements to evaluate on: qrels/<name>.tsv", "test")
    .option("--bm25", "BM25 from the embedded engine (english analyzer, k1 0.9, b 0.4); the default method")
    .option("--dense <model-dir>", "exact dense retrieval with this embedding model folder")
    .option("--hybrid", "min-max fusion of BM25 and --dense, weight tuned on held-out train queries")
    .option("--hybrid-weight <w>", "fix the BM25 weight of --hybrid (0–1) instead of tuning it")
    .option("--rerank <model-dir>", "rerank a first-stage run with this reranker model folder")
    .option("--rerank-depth <n>", "documents per query the reranker reorders", "100")
    .option("--rerank-on <method>", "first stage to rerank: bm25 | dense | hybrid", "bm25")
    .option("--k <list>", "cut-offs for nDCG@k, MRR@k and Recall@k, comma-separated", "10,100")
    .option("--top <n>", "documents retrieved per query (MAP is computed over them)", "1000")
    .option("--runs-dir <dir>", "write each run there as <dataset>-<split>-<method>.trec and .tsv")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Runs in this process (no server needed). The table shows nDCG and MRR at the smaller cut-offs and
Recall at the largest, plus MAP; --json has every metric at every cut-off. Run files come in TREC
format (.trec: qid Q0 docid rank score tag, for trec_eval) and tab-separated (.tsv: qid, docid,
rank, score). The hybrid weight is tuned for nDCG@10 on a fixed ${VALIDATION_FRACTION * 100}% of the queries judged in
qrels/train.tsv, never on the evaluated split; without train judgements it is ${UNTUNED_WEIGHT}.

Examples:
  lodestone eval --dataset ../shared/datasets/cranfield --bm25
  lodestone eval --dataset data/scifact --bm25 --json --runs-dir runs/
  lodestone eval --dataset data/scifact --dense models/emb --hybrid --rerank models/rr --rerank-on hybrid
`,
    )
    .action(async (flags: EvalFlags) => {
      const options = parseFlags(flags);
      if (!flags.json) options.log = (line) => process.stderr.write(`${line}\n`);
      const report = await runEvaluation(options);
      if (flags.json) printJson(report);
      else printReport(report);
    });
}

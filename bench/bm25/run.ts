/**
 * BM25 benchmark: Lucene 8.7 (the anchor in shared/anchors/lucene) and Lodestone on the same data in
 * the same run — nDCG@10 / Recall@100 for both, score parity (identical top-10, max relative score
 * difference), indexing docs/s and query QPS with their ratios — plus Orama and MiniSearch at their
 * defaults. Results go to bench/results/bm25.{json,md}.
 *
 *   npm run bench:bm25                                # every scenario (about 10 minutes)
 *   npm run bench:bm25 -- --scenarios cranfield       # only some (names below)
 */
import { parseArgs } from "node:util";
import { type BeirDataset, loadBeir } from "../../src/eval/beir.ts";
import { evaluateRun, type Metrics, type Qrels, type Run } from "../../src/eval/metrics.ts";
import { type EngineRun, runMiniSearch, runOrama } from "../lib/js-engines.ts";
import { indexWithLodestone } from "../lib/lodestone-bm25.ts";
import {
  type AnchorOptions,
  type AnchorResult,
  luceneAnchorAvailable,
  runLuceneAnchor,
} from "../lib/lucene-anchor.ts";
import { compareRuns, type Parity } from "../lib/parity.ts";
import { DATASETS_DIR } from "../lib/paths.ts";
import { type Table, writeResults } from "../lib/report.ts";

interface Scenario {
  name: string;
  dataset: string;
  analyzer: AnchorOptions["analyzer"];
  /** Copies of the corpus (the scale test indexes debian-packages three times). */
  replicas: number;
  topKs: number[];
  /** Orama and MiniSearch answer this many queries (they are far slower on large corpora); 0 = skip. */
  jsQueries: number;
}

const SCENARIOS: Scenario[] = [
  {
    name: "cranfield",
    dataset: "cranfield",
    analyzer: "english",
    replicas: 1,
    topKs: [1000],
    jsQueries: Infinity,
  },
  {
    name: "cranfield-standard",
    dataset: "cranfield",
    analyzer: "standard",
    replicas: 1,
    topKs: [1000],
    jsQueries: 0,
  },
  {
    name: "debian-packages",
    dataset: "debian-packages",
    analyzer: "english",
    replicas: 1,
    topKs: [10, 1000],
    jsQueries: 100,
  },
  {
    name: "debian-packages-x3",
    dataset: "debian-packages",
    analyzer: "english",
    replicas: 3,
    topKs: [10, 1000],
    jsQueries: 0,
  },
];

const K1 = 0.9;
const B = 0.4;
/** Elasticsearch/OpenSearch's LegacyBM25Similarity scores are Lucene's BM25Similarity × (1 + k1). */
const ES_SCORE_SCALE = 1 + K1;

interface PairResult {
  topK: number;
  lucene: { metrics: Metrics; queryMs: number; qps: number };
  lodestone: { metrics: Metrics; queryMs: number; qps: number };
  qpsRatio: number;
  parity: Omit<Parity, "differing"> & { differing: string[] };
}

interface ScenarioResult {
  scenario: Scenario;
  docs: number;
  queries: number;
  indexing: {
    luceneMs: number;
    lodestoneMs: number;
    luceneDocsPerSec: number;
    lodestoneDocsPerSec: number;
    ratio: number;
  };
  runs: PairResult[];
  jsEngines: {
    name: string;
    queries: number;
    indexMs: number;
    docsPerSec: number;
    qps: number;
    metrics: Metrics;
    lodestoneOnSameQueries: Metrics;
  }[];
}

function replicate(data: BeirDataset, copies: number): BeirDataset {
  if (copies === 1) return data;
  const corpus = [...data.corpus];
  for (let c = 1; c < copies; c++) for (const d of data.corpus) corpus.push({ ...d, id: `${d.id}~copy${c}` });
  return { ...data, name: `${data.name}-x${copies}`, corpus };
}

function subset(data: BeirDataset, n: number): BeirDataset {
  if (n >= data.queries.length) return data;
  const queries = data.queries.slice(0, n);
  const qrels: Qrels = new Map(queries.map((q) => [q.id, data.qrels.get(q.id) ?? new Map()]));
  return { ...data, queries, qrels };
}

function onlyQueries(run: Run, data: BeirDataset): Run {
  return new Map(data.queries.map((q) => [q.id, run.get(q.id) ?? []]));
}

const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function runScenario(s: Scenario): Promise<ScenarioResult> {
  const data = replicate(loadBeir(`${DATASETS_DIR}/${s.dataset}`, "test"), s.replicas);
  const opts = { k1: K1, b: B, analyzer: s.analyzer };
  log(`[${s.name}] ${data.corpus.length} docs, ${data.queries.length} queries`);
  const anchors: { topK: number; result: AnchorResult }[] = s.topKs.map((topK) => {
    log(`[${s.name}] Lucene, top-${topK}`);
    return { topK, result: runLuceneAnchor(data, { ...opts, topK }) };
  });
  log(`[${s.name}] Lodestone: indexing`);
  const ours = await indexWithLodestone(data, opts);
  const runs: PairResult[] = [];
  let lastRun: Run = new Map();
  try {
    for (const { topK, result: lucene } of anchors) {
      log(`[${s.name}] Lodestone, top-${topK}`);
      ours.runQueries(topK); // warm-up pass, as the anchor does
      const timed = ours.runQueries(topK);
      lastRun = timed.run;
      const parity = compareRuns(timed.run, lucene.run, 10, ES_SCORE_SCALE);
      const qps = (ms: number) => (1000 * data.queries.length) / ms;
      runs.push({
        topK,
        lucene: {
          metrics: evaluateRun(data.qrels, lucene.run),
          queryMs: lucene.queryMs,
          qps: qps(lucene.queryMs),
        },
        lodestone: {
          metrics: evaluateRun(data.qrels, timed.run),
          queryMs: timed.queryMs,
          qps: qps(timed.queryMs),
        },
        qpsRatio: lucene.queryMs / timed.queryMs,
        parity: { ...parity, differing: parity.differing.map((d) => d.qid) },
      });
    }
  } finally {
    await ours.close();
  }
  const luceneMs = Math.min(...anchors.map((a) => a.result.indexMs));
  const perSec = (ms: number) => (1000 * data.corpus.length) / ms;
  const jsEngines: ScenarioResult["jsEngines"] = [];
  if (s.jsQueries > 0) {
    const sample = subset(data, s.jsQueries);
    const topK = Math.max(...s.topKs);
    for (const run of [() => runOrama(sample, topK), () => runMiniSearch(sample, topK)]) {
      const r: EngineRun = await run();
      log(`[${s.name}] ${r.name}: ${sample.queries.length} queries`);
      jsEngines.push({
        name: r.name,
        queries: sample.queries.length,
        indexMs: r.indexMs,
        docsPerSec: perSec(r.indexMs),
        qps: (1000 * sample.queries.length) / r.queryMs,
        metrics: evaluateRun(sample.qrels, r.run),
        lodestoneOnSameQueries: evaluateRun(sample.qrels, onlyQueries(lastRun, sample)),
      });
    }
  }
  return {
    scenario: s,
    docs: data.corpus.length,
    queries: data.queries.length,
    indexing: {
      luceneMs,
      lodestoneMs: ours.indexMs,
      luceneDocsPerSec: perSec(luceneMs),
      lodestoneDocsPerSec: perSec(ours.indexMs),
      ratio: luceneMs / ours.indexMs,
    },
    runs,
    jsEngines,
  };
}

function tables(results: ScenarioResult[]): Table[] {
  const quality: Table = {
    title: `Quality and parity with Lucene 8.7 (BM25 k1=${K1} b=${B}; title + text in one field)`,
    columns: [
      "scenario",
      "top-k",
      "queries",
      "nDCG@10 Lucene",
      "nDCG@10 Lodestone",
      "R@100 Lucene",
      "R@100 Lodestone",
      "same top-10",
      "max rel. score diff",
    ],
    rows: results.flatMap((r) =>
      r.runs.map((p) => [
        r.scenario.name,
        p.topK,
        r.queries,
        p.lucene.metrics.ndcg10,
        p.lodestone.metrics.ndcg10,
        p.lucene.metrics.recall100,
        p.lodestone.metrics.recall100,
        `${p.parity.sameTopKPct.toFixed(1)}%`,
        p.parity.maxRelScoreDiff,
      ]),
    ),
  };
  const speed: Table = {
    title: "Speed, same run (ratio = Lodestone / Lucene throughput; > 1 is faster)",
    columns: [
      "scenario",
      "docs",
      "index docs/s Lucene",
      "index docs/s Lodestone",
      "index ratio",
      "top-k",
      "QPS Lucene",
      "QPS Lodestone",
      "QPS ratio",
    ],
    rows: results.flatMap((r) =>
      r.runs.map((p) => [
        r.scenario.name,
        r.docs,
        r.indexing.luceneDocsPerSec,
        r.indexing.lodestoneDocsPerSec,
        r.indexing.ratio,
        p.topK,
        p.lucene.qps,
        p.lodestone.qps,
        p.qpsRatio,
      ]),
    ),
  };
  const js: Table = {
    title:
      "JavaScript libraries at their defaults (same queries; Lodestone's nDCG on those queries for comparison)",
    columns: [
      "scenario",
      "engine",
      "queries",
      "index docs/s",
      "QPS",
      "nDCG@10",
      "R@100",
      "Lodestone nDCG@10",
      "Lodestone QPS",
    ],
    rows: results.flatMap((r) =>
      r.jsEngines.map((e) => [
        r.scenario.name,
        e.name,
        e.queries,
        e.docsPerSec,
        e.qps,
        e.metrics.ndcg10,
        e.metrics.recall100,
        e.lodestoneOnSameQueries.ndcg10,
        r.runs.at(-1)?.lodestone.qps ?? 0,
      ]),
    ),
  };
  return [quality, speed, js];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { scenarios: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(`usage: npm run bench:bm25 [-- --scenarios ${SCENARIOS.map((s) => s.name).join(",")}]`);
    return;
  }
  const wanted = values.scenarios?.split(",").map((s) => s.trim()) ?? SCENARIOS.map((s) => s.name);
  const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.name === w));
  if (unknown.length)
    throw new Error(
      `unknown scenario ${unknown.join(", ")}; choose from ${SCENARIOS.map((s) => s.name).join(", ")}`,
    );
  if (!luceneAnchorAvailable())
    throw new Error("the Lucene anchor needs java and ../shared/anchors/lucene (set LODESTONE_SHARED_DIR)");
  const results: ScenarioResult[] = [];
  for (const s of SCENARIOS.filter((x) => wanted.includes(x.name))) results.push(await runScenario(s));
  const md = writeResults("bm25", { k1: K1, b: B, scenarios: results }, tables(results));
  console.log(md);
}

main().catch((err) => {
  console.error(`bench:bm25 failed: ${(err as Error).message}`);
  process.exit(1);
});

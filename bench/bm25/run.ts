/**
 * BM25 benchmark: Lucene 8.7 (the anchor in shared/anchors/lucene) and Lodestone on the same data in
 * the same run — nDCG@10 / Recall@100 for both, score parity (identical top-10, max relative score
 * difference), indexing docs/s and query QPS with their ratios — plus Orama and MiniSearch at their
 * defaults. Results go to bench/results/bm25.{json,md}.
 *
 * Speed figures are medians over rounds in which the two engines alternate (default 3).
 *
 *   npm run bench:bm25                                # every scenario (about 25 minutes)
 *   npm run bench:bm25 -- --scenarios cranfield       # only some (names below)
 *   npm run bench:bm25 -- --rounds 1                  # one round (about 10 minutes)
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

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Timings of one engine over the rounds. */
interface Timings {
  indexMs: number[];
  queryMs: Map<number, number[]>;
}

const emptyTimings = (): Timings => ({ indexMs: [], queryMs: new Map() });

function record(t: Timings, topK: number, queryMs: number): void {
  t.queryMs.set(topK, [...(t.queryMs.get(topK) ?? []), queryMs]);
}

async function runScenario(s: Scenario, rounds: number): Promise<ScenarioResult> {
  const data = replicate(loadBeir(`${DATASETS_DIR}/${s.dataset}`, "test"), s.replicas);
  const opts = { k1: K1, b: B, analyzer: s.analyzer };
  log(`[${s.name}] ${data.corpus.length} docs, ${data.queries.length} queries, ${rounds} rounds`);
  const lucene = emptyTimings();
  const ours = emptyTimings();
  const quality = new Map<number, Pick<PairResult, "lucene" | "lodestone" | "parity">>();
  let sampleRun: Run = new Map();
  const sample = subset(data, s.jsQueries);
  // The engines alternate round by round, so a slow spell of the machine hits both. Lodestone
  // indexes first in each round, while this process holds no runs: millions of result objects
  // on the heap would slow its garbage collector (Lucene runs in its own JVM).
  for (let round = 1; round <= rounds; round++) {
    log(`[${s.name}] round ${round}: Lodestone`);
    const engine = await indexWithLodestone(data, opts);
    ours.indexMs.push(engine.indexMs);
    const firstRuns = new Map<number, Run>();
    try {
      for (const topK of s.topKs) {
        engine.runQueries(topK); // warm-up pass, as the anchor does
        const timed = engine.runQueries(topK);
        record(ours, topK, timed.queryMs);
        if (round === 1) firstRuns.set(topK, timed.run);
      }
    } finally {
      await engine.close();
    }
    for (const topK of s.topKs) {
      log(`[${s.name}] round ${round}: Lucene, top-${topK}`);
      const r: AnchorResult = runLuceneAnchor(data, { ...opts, topK });
      lucene.indexMs.push(r.indexMs);
      record(lucene, topK, r.queryMs);
      const ourRun = firstRuns.get(topK);
      if (!ourRun) continue;
      // quality and parity from the first round (rankings are deterministic), then drop the runs
      const parity = compareRuns(ourRun, r.run, 10, ES_SCORE_SCALE);
      quality.set(topK, {
        lucene: { metrics: evaluateRun(data.qrels, r.run), queryMs: 0, qps: 0 },
        lodestone: { metrics: evaluateRun(data.qrels, ourRun), queryMs: 0, qps: 0 },
        parity: { ...parity, differing: parity.differing.map((d) => d.qid) },
      });
      if (topK === Math.max(...s.topKs)) sampleRun = onlyQueries(ourRun, sample);
    }
  }
  const qps = (ms: number) => (1000 * data.queries.length) / ms;
  const runs: PairResult[] = s.topKs.map((topK) => {
    const q = quality.get(topK) as Pick<PairResult, "lucene" | "lodestone" | "parity">;
    const luceneMs = median(lucene.queryMs.get(topK) ?? []);
    const ourMs = median(ours.queryMs.get(topK) ?? []);
    return {
      topK,
      lucene: { metrics: q.lucene.metrics, queryMs: luceneMs, qps: qps(luceneMs) },
      lodestone: { metrics: q.lodestone.metrics, queryMs: ourMs, qps: qps(ourMs) },
      qpsRatio: luceneMs / ourMs,
      parity: q.parity,
    };
  });
  const luceneMs = median(lucene.indexMs);
  const ourIndexMs = median(ours.indexMs);
  const perSec = (ms: number) => (1000 * data.corpus.length) / ms;
  const jsEngines: ScenarioResult["jsEngines"] = [];
  if (s.jsQueries > 0) {
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
        lodestoneOnSameQueries: evaluateRun(sample.qrels, sampleRun),
      });
    }
  }
  return {
    scenario: s,
    docs: data.corpus.length,
    queries: data.queries.length,
    indexing: {
      luceneMs,
      lodestoneMs: ourIndexMs,
      luceneDocsPerSec: perSec(luceneMs),
      lodestoneDocsPerSec: perSec(ourIndexMs),
      ratio: luceneMs / ourIndexMs,
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
    title: "Speed, same run, medians of the rounds (ratio = Lodestone / Lucene throughput; > 1 is faster)",
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
    options: {
      scenarios: { type: "string" },
      rounds: { type: "string", default: "3" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(
      `usage: npm run bench:bm25 [-- --scenarios ${SCENARIOS.map((s) => s.name).join(",")}] [--rounds 3]`,
    );
    return;
  }
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);
  const wanted = values.scenarios?.split(",").map((s) => s.trim()) ?? SCENARIOS.map((s) => s.name);
  const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.name === w));
  if (unknown.length)
    throw new Error(
      `unknown scenario ${unknown.join(", ")}; choose from ${SCENARIOS.map((s) => s.name).join(", ")}`,
    );
  if (!luceneAnchorAvailable())
    throw new Error("the Lucene anchor needs java and ../shared/anchors/lucene (set LODESTONE_SHARED_DIR)");
  const results: ScenarioResult[] = [];
  for (const s of SCENARIOS.filter((x) => wanted.includes(x.name)))
    results.push(await runScenario(s, rounds));
  const md = writeResults("bm25", { k1: K1, b: B, rounds, scenarios: results }, tables(results));
  console.log(md);
}

main().catch((err) => {
  console.error(`bench:bm25 failed: ${(err as Error).message}`);
  process.exit(1);
});

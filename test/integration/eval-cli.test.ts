/**
 * `lodestone eval` end to end on Cranfield: BM25 reproduces the Lucene reference (nDCG@10 0.3419)
 * and the run file it writes scores the same in the reference scorer ireval.py; usage errors say
 * what to do; the BM25 index doubles as a CandidateRetriever and cleans up after itself.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { DATASETS_DIR, SHARED_DIR } from "../../bench/lib/paths.ts";
import { CliError } from "../../src/cli/client.ts";
import { type LoadedModel, runEvaluation } from "../../src/cli/commands/eval.ts";
import { loadBeir } from "../../src/eval/beir.ts";
import { evaluateRun } from "../../src/eval/metrics.ts";
import { openBm25Index } from "../../src/eval/runs.ts";
import { readRun } from "../../src/eval/trec-run.ts";
import type { PairScorer, TextEncoder } from "../../src/models/types.ts";
import { tempDir } from "../helpers/platform.ts";
import { runCli } from "../helpers/server-process.ts";

const CRANFIELD = path.join(DATASETS_DIR, "cranfield");
const IREVAL = path.join(SHARED_DIR, "tools/ireval.py");
const skipData = fs.existsSync(CRANFIELD) ? false : `${CRANFIELD} is missing (set LODESTONE_SHARED_DIR)`;
const skipIreval =
  skipData ||
  (spawnSync("python3", ["--version"]).status !== 0
    ? "python3 is missing: cannot score with ireval.py"
    : !fs.existsSync(IREVAL) && `${IREVAL} is missing`);

interface EvalJson {
  name: string;
  split: string;
  queries: number;
  documents: number;
  results: Array<{
    method: string;
    metrics: Record<string, number>;
    runFiles?: { trec: string; tsv: string };
  }>;
}

describe("lodestone eval", { skip: skipData }, () => {
  const runsDir = tempDir("lodestone-eval-runs-");
  let output: EvalJson | undefined;

  test("--bm25 on Cranfield test: nDCG@10 0.3419 like Lucene, run files written", async () => {
    const res = await runCli(["eval", "--dataset", CRANFIELD, "--bm25", "--json", "--runs-dir", runsDir]);
    assert.equal(res.code, 0, res.stderr);
    output = JSON.parse(res.stdout) as EvalJson;
    assert.equal(output.name, "cranfield");
    assert.equal(output.split, "test");
    assert.equal(output.queries, 75);
    assert.equal(output.documents, 1400);
    const bm25 = output.results.find((r) => r.method === "bm25");
    assert.ok(bm25, res.stdout);
    const m = bm25.metrics;
    assert.ok(Math.abs((m["ndcg@10"] as number) - 0.3419) <= 0.0005, `nDCG@10 ${m["ndcg@10"]}`);
    assert.ok(Math.abs((m["recall@100"] as number) - 0.6954) <= 0.0005, `Recall@100 ${m["recall@100"]}`);
    assert.ok(Math.abs((m["mrr@10"] as number) - 0.5354) <= 0.0005, `MRR@10 ${m["mrr@10"]}`);
    assert.ok((m.map as number) > 0.2 && (m.map as number) < (m["recall@100"] as number), `MAP ${m.map}`);
    for (const file of Object.values(bm25.runFiles ?? {})) assert.ok(fs.existsSync(file), file);
    // the .trec file read back gives the same figures
    const data = loadBeir(CRANFIELD, "test");
    const back = evaluateRun(data.qrels, readRun(bm25.runFiles?.trec as string));
    assert.ok(Math.abs(back.ndcg10 - (m["ndcg@10"] as number)) < 1e-12);
    assert.ok(Math.abs(back.map - (m.map as number)) < 1e-12);
  });

  test("ireval.py scores the written run file the same", { skip: skipIreval }, () => {
    const bm25 = output?.results.find((r) => r.method === "bm25");
    assert.ok(bm25?.runFiles, "the previous test wrote the run files");
    const proc = spawnSync("python3", [IREVAL, path.join(CRANFIELD, "qrels/test.tsv"), bm25.runFiles.tsv], {
      encoding: "utf8",
    });
    assert.equal(proc.status, 0, proc.stderr);
    const ref = (name: string) => Number(new RegExp(`^${name}\\t(\\S+)$`, "m").exec(proc.stdout)?.[1]);
    assert.equal(ref("queries"), 75);
    for (const name of ["ndcg@10", "recall@100", "mrr@10"])
      assert.ok(
        Math.abs((bm25.metrics[name] as number) - ref(name)) <= 1e-4,
        `${name}: ours ${bm25.metrics[name]} vs ireval.py ${ref(name)}`,
      );
    assert.ok(Math.abs(ref("ndcg@10") - 0.3419) <= 0.0005);
  });

  test("the table for people, other cut-offs", async () => {
    const res = await runCli(["eval", "--dataset", CRANFIELD, "--k", "5,10,1000"]);
    assert.equal(res.code, 0, res.stderr);
    const [header, , row] = res.stdout.split("\n");
    assert.match(header ?? "", /^method\s+nDCG@5\s+MRR@5\s+nDCG@10\s+MRR@10\s+Recall@1000\s+MAP$/);
    assert.match(row ?? "", /^bm25\s+0\.\d{4}\s/);
    assert.match(row ?? "", /\s0\.3419\s/);
  });

  test("mistakes are usage errors that say what to do", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["--dataset", "/nonexistent/beir"], /no such folder.*BEIR layout/],
      [
        ["--dataset", CRANFIELD, "--split", "dev"],
        /no qrels\/dev\.tsv; choose --split (test \| train|train \| test)/,
      ],
      [["--dataset", CRANFIELD, "--hybrid"], /--hybrid fuses BM25 with a dense run: give --dense/],
      [["--dataset", CRANFIELD, "--k", "10,x"], /--k expects a whole number/],
      [["--dataset", CRANFIELD, "--top", "20000"], /--top expects a whole number from 1 to 10000/],
      [
        ["--dataset", CRANFIELD, "--dense", "/nonexistent/model"],
        /--dense \/nonexistent\/model: no such model folder/,
      ],
    ];
    for (const [args, message] of cases) {
      const res = await runCli(["eval", ...args]);
      assert.equal(res.code, 2, `${args.join(" ")}: ${res.stderr}`);
      assert.match(res.stderr, message);
    }
    const help = await runCli(["eval", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:\n\s+lodestone eval --dataset/);
  });
});

test("the BM25 index is a CandidateRetriever and removes its temporary folder", {
  skip: skipData,
}, async () => {
  const data = loadBeir(CRANFIELD, "test");
  const bm25 = await openBm25Index(data.corpus);
  const dir = bm25.engine.dataDir;
  try {
    const hits = bm25.search("boundary layer transition", 5);
    assert.equal(hits.length, 5);
    assert.ok(hits.every((h, i) => i === 0 || (hits[i - 1]?.score as number) >= h.score));
    assert.deepEqual(bm25.search("the of and", 5), []); // stopwords only: nothing, not an error
    assert.throws(() => bm25.search("wing", 20_000), /k must be an integer from 1 to 10000/);
  } finally {
    await bm25.close();
  }
  assert.equal(fs.existsSync(dir), false);
});

/** Hashed bag of words, L2-normalised: a weak but real dense retriever. */
const hashedWords: TextEncoder = {
  dimension: 512,
  encode(texts) {
    const out = new Float32Array(texts.length * 512);
    texts.forEach((t, i) => {
      for (const w of t.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
        let h = 0x811c9dc5;
        for (let c = 0; c < w.length; c++) h = Math.imul(h ^ w.charCodeAt(c), 0x01000193) >>> 0;
        out[i * 512 + (h % 512)] = (out[i * 512 + (h % 512)] as number) + 1;
      }
      const row = out.subarray(i * 512, (i + 1) * 512);
      const norm = Math.hypot(...row) || 1;
      for (let j = 0; j < 512; j++) row[j] = (row[j] as number) / norm;
    });
    return out;
  },
};
/** Keeps the first-stage order: reranking with it must change nothing. */
const firstStageScore: PairScorer = {
  score: (_q, candidates) => Float32Array.from(candidates, (c) => c.bm25),
};

test("dense, hybrid tuned on held-out train queries, rerank (stand-in models)", {
  skip: skipData,
}, async () => {
  const models: Record<string, LoadedModel> = {
    emb: { kind: "embedding", encoder: hashedWords },
    rr: { kind: "reranker", scorer: firstStageScore },
  };
  const folders = tempDir("lodestone-eval-models-");
  for (const name of Object.keys(models)) fs.mkdirSync(path.join(folders, name));
  const loader = async (dir: string) => models[path.basename(dir)] as LoadedModel;
  const runsDir = tempDir("lodestone-eval-runs-");
  const report = await runEvaluation(
    {
      dataset: CRANFIELD,
      split: "test",
      bm25: true,
      dense: path.join(folders, "emb"),
      hybrid: true,
      rerank: path.join(folders, "rr"),
      rerankDepth: 50,
      rerankOn: "bm25",
      ks: [10, 100],
      top: 1000,
      runsDir,
    },
    loader,
  );
  const by = Object.fromEntries(report.results.map((r) => [r.method, r.metrics]));
  assert.deepEqual(Object.keys(by), ["bm25", "dense", "hybrid", "bm25+rerank"]);
  assert.ok((by.dense?.["ndcg@10"] as number) > 0.05, `dense nDCG@10 ${by.dense?.["ndcg@10"]}`);
  // tuned on 20% of the 150 train queries; the test split is never seen
  assert.equal(report.hybrid?.tuned, true);
  assert.equal(report.hybrid?.validationQueries, 30);
  assert.ok((report.hybrid?.weight as number) >= 0 && (report.hybrid?.weight as number) <= 1);
  assert.ok((by.hybrid?.["ndcg@10"] as number) > 0, JSON.stringify(report.hybrid));
  // a reranker that keeps the first-stage order leaves every figure as it was
  assert.deepEqual(by["bm25+rerank"], by.bm25);
  assert.equal(fs.readdirSync(runsDir).length, 8);

  // a fixed weight of 1 is BM25 alone (ranked by its normalised scores: the same order)
  const fixed = await runEvaluation(
    {
      dataset: CRANFIELD,
      split: "test",
      bm25: false,
      dense: path.join(folders, "emb"),
      hybrid: true,
      hybridWeight: 1,
      rerankDepth: 100,
      rerankOn: "bm25",
      ks: [10],
      top: 1000,
    },
    loader,
  );
  const hybridAt1 = fixed.results.find((r) => r.method === "hybrid")?.metrics;
  assert.equal(hybridAt1?.["ndcg@10"], fixed.results.find((r) => r.method === "bm25")?.metrics["ndcg@10"]);
  assert.equal(fixed.hybrid?.tuned, false);

  // a model of the wrong kind is a usage error naming the right flag
  await assert.rejects(
    runEvaluation(
      {
        dataset: CRANFIELD,
        split: "test",
        bm25: false,
        dense: path.join(folders, "rr"),
        hybrid: false,
        rerankDepth: 100,
        rerankOn: "bm25",
        ks: [10],
        top: 10,
      },
      loader,
    ),
    (err: unknown) =>
      err instanceof CliError &&
      err.exitCode === 2 &&
      /holds a reranker; --dense needs an embedding model/.test(err.message),
  );
});

/**
 * IR metrics agree with the reference scorer `shared/tools/ireval.py` (to its 4 printed decimals)
 * on runs with tied scores, queries missing from the run and graded judgements; MAP, run files,
 * fusion, weight tuning, and dense retrieval and reranking with stand-in models.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { SHARED_DIR } from "../../bench/lib/paths.ts";
import { readQrels } from "../../src/eval/beir.ts";
import {
  combineNormalized,
  fuseWeighted,
  minMaxNormalize,
  reciprocalRankFusion,
  tuneFusionWeight,
  validationQueryIds,
} from "../../src/eval/fusion.ts";
import { averagePrecision, evaluateRun, type Qrels, type Run, trecRank } from "../../src/eval/metrics.ts";
import { denseRun, rerankRun } from "../../src/eval/runs.ts";
import { detectRunFormat, formatRun, parseRun, readRun, writeRun } from "../../src/eval/trec-run.ts";
import type { PairScorer, TextEncoder } from "../../src/models/types.ts";
import { tempDir } from "../helpers/platform.ts";
import { seededRandom } from "../helpers/random.ts";

const IREVAL = path.join(SHARED_DIR, "tools/ireval.py");
const skipIreval =
  spawnSync("python3", ["--version"]).status !== 0
    ? "python3 is missing: cannot compare with ireval.py"
    : !fs.existsSync(IREVAL)
      ? `${IREVAL} is missing (set LODESTONE_SHARED_DIR)`
      : false;

interface Reference {
  queries: number;
  ndcg10: number;
  recall100: number;
  mrr10: number;
}

function ireval(qrelsFile: string, runFile: string): Reference {
  const proc = spawnSync("python3", [IREVAL, qrelsFile, runFile], { encoding: "utf8" });
  assert.equal(proc.status, 0, proc.stderr);
  const value = (name: string) => Number(new RegExp(`^${name}\\t(\\S+)$`, "m").exec(proc.stdout)?.[1]);
  return {
    queries: value("queries"),
    ndcg10: value("ndcg@10"),
    recall100: value("recall@100"),
    mrr10: value("mrr@10"),
  };
}

function assertAgrees(ours: Reference, ref: Reference, what: string): void {
  assert.equal(ours.queries, ref.queries, `${what}: queries`);
  // ireval prints 4 decimals: agreement within 1e-4 covers its rounding (≤ 5e-5)
  for (const m of ["ndcg10", "recall100", "mrr10"] as const)
    assert.ok(Math.abs(ours[m] - ref[m]) <= 1e-4, `${what}: ${m} ours ${ours[m]} vs ireval.py ${ref[m]}`);
}

const qrelsOf = (o: Record<string, Record<string, number>>): Qrels =>
  new Map(Object.entries(o).map(([q, j]) => [q, new Map(Object.entries(j))]));
const runOf = (o: Record<string, Array<[string, number]>>): Run =>
  new Map(Object.entries(o).map(([q, docs]) => [q, docs.map(([id, score]) => ({ id, score }))]));

/** Judgements graded 0–3 (0 lines are written and must be ignored) and a run with many ties. */
function randomCase(seed: number): { qrelsTsv: string; runTsv: string; ties: number } {
  const rnd = seededRandom(seed);
  const pick = (n: number) => Math.floor(rnd() * n);
  // ids of different lengths, so that string order differs from numeric order
  const docs = Array.from({ length: 160 }, (_, i) => `d${i}`);
  const qrelsLines = ["query-id\tcorpus-id\tscore"];
  for (let q = 1; q <= 30; q++) {
    const judged = new Set<string>();
    for (let j = 0; j < 1 + pick(12); j++) judged.add(docs[pick(docs.length)] as string);
    for (const d of judged) qrelsLines.push(`q${q}\t${d}\t${pick(4)}`);
  }
  const runLines: string[] = [];
  let ties = 0;
  // q26–q30 are judged but missing from the run; q99 is in the run but not judged
  for (const q of [...Array.from({ length: 25 }, (_, i) => `q${i + 1}`), "q99"]) {
    const seen = new Map<number, number>();
    const shuffled = [...docs].sort(() => rnd() - 0.5).slice(0, 130);
    for (const d of shuffled) {
      const score = Math.round(rnd() * 40) / 10; // 41 distinct values for 130 documents: ties
      seen.set(score, (seen.get(score) ?? 0) + 1);
      runLines.push(`${q}\t${d}\t${pick(1000)}\t${score}`); // the rank column is ignored
    }
    for (const n of seen.values()) if (n > 1) ties++;
  }
  return { qrelsTsv: `${qrelsLines.join("\n")}\n`, runTsv: `${runLines.join("\n")}\n`, ties };
}

describe("metrics agree with ireval.py", { skip: skipIreval }, () => {
  test("random runs with ties, missing and unjudged queries, graded judgements", () => {
    const dir = tempDir();
    for (const seed of [1, 2, 3, 4, 5]) {
      const c = randomCase(seed);
      assert.ok(c.ties > 20, "the case has tied scores");
      const qrelsFile = path.join(dir, `qrels-${seed}.tsv`);
      const runFile = path.join(dir, `run-${seed}.tsv`);
      fs.writeFileSync(qrelsFile, c.qrelsTsv);
      fs.writeFileSync(runFile, c.runTsv);
      const qrels = readQrels(qrelsFile);
      const run = readRun(runFile);
      const ours = evaluateRun(qrels, run);
      assertAgrees(ours, ireval(qrelsFile, runFile), `seed ${seed}`);
      // the run as we write it (ranked, ranks 1…n, full scores) scores the same in both
      const rewritten = path.join(dir, `rewritten-${seed}.tsv`);
      writeRun(rewritten, run, { format: "tsv" });
      assertAgrees(
        evaluateRun(qrels, readRun(rewritten)),
        ireval(qrelsFile, rewritten),
        `seed ${seed} rewritten`,
      );
      const trec = path.join(dir, `run-${seed}.trec`);
      writeRun(trec, run, { format: "trec", tag: "test" });
      assert.deepEqual(evaluateRun(qrels, readRun(trec)), ours);
    }
  });

  test("ties go to the smaller document id, as ireval.py's code ranks (not its docstring)", () => {
    const dir = tempDir();
    const qrelsFile = path.join(dir, "qrels.tsv");
    const runFile = path.join(dir, "run.tsv");
    fs.writeFileSync(qrelsFile, "query-id\tcorpus-id\tscore\nq\tb\t1\n");
    fs.writeFileSync(runFile, "q\tb\t1\t2.5\nq\ta\t2\t2.5\nq\tc\t3\t2.5\n");
    const ref = ireval(qrelsFile, runFile);
    assert.equal(ref.mrr10, 0.5);
    const ours = evaluateRun(readQrels(qrelsFile), readRun(runFile));
    assert.equal(ours.mrr10, 0.5);
    assertAgrees(ours, ref, "tie");
    assert.deepEqual(
      trecRank([
        { id: "b", score: 1 },
        { id: "a", score: 1 },
        { id: "c", score: 3 },
        { id: "a10", score: 1 },
      ]),
      ["c", "a", "a10", "b"],
    );
  });
});

describe("metrics by hand", () => {
  test("AP is the precision at each relevant retrieved document over all relevant ones", () => {
    const judged = new Map([
      ["a", 1],
      ["b", 2],
      ["c", 1],
      ["d", 1], // never retrieved: still counts in the denominator
    ]);
    const ranked = ["a", "x", "b", "y", "c"];
    assert.ok(Math.abs(averagePrecision(ranked, judged) - (1 + 2 / 3 + 3 / 5) / 4) < 1e-12);
    assert.ok(Math.abs(averagePrecision(ranked, judged, 3) - (1 + 2 / 3) / 4) < 1e-12);
    assert.equal(averagePrecision(["x", "y"], judged), 0);
    assert.equal(averagePrecision([], judged), 0);
  });

  test("MAP averages over judged queries; a missing query counts 0", () => {
    const qrels = qrelsOf({ q1: { a: 1, b: 1 }, q2: { c: 3 }, q3: { z: 1 } });
    const run = runOf({
      q1: [
        ["b", 0.5],
        ["x", 0.9],
        ["a", 0.1],
      ], // ranked x b a: (1/2 + 2/3) / 2
      q2: [["c", 1]], // 1
      q9: [["c", 1]], // not judged: ignored
    });
    const m = evaluateRun(qrels, run, { ks: [1, 2, 5] });
    assert.equal(m.queries, 3);
    assert.ok(Math.abs(m.map - ((1 / 2 + 2 / 3) / 2 + 1 + 0) / 3) < 1e-12);
    // MAP with a cut-off: q1 keeps only b at rank 2
    assert.ok(Math.abs(evaluateRun(qrels, run, { mapCutoff: 2 }).map - (1 / 2 / 2 + 1) / 3) < 1e-12);
    assert.deepEqual(Object.keys(m.ndcg).map(Number), [1, 2, 5]);
    assert.ok(Math.abs((m.mrr[1] as number) - 1 / 3) < 1e-12); // only q2 has a relevant doc at 1
    assert.ok(Math.abs((m.mrr[2] as number) - (1 / 2 + 1) / 3) < 1e-12);
    assert.ok(Math.abs((m.recall[5] as number) - (1 + 1) / 3) < 1e-12);
    // the fields the benchmarks read are there whatever ks are asked for
    assert.equal(m.ndcg10, evaluateRun(qrels, run).ndcg[10]);
    assert.throws(() => evaluateRun(qrels, run, { ks: [0] }), /positive integer/);
  });

  test("graded nDCG uses 2^g − 1 gains and the ideal order of all judgements", () => {
    const qrels = qrelsOf({ q: { a: 3, b: 1 } });
    const m = evaluateRun(
      qrels,
      runOf({
        q: [
          ["b", 2],
          ["a", 1],
        ],
      }),
    );
    const dcg = 1 / Math.log2(2) + 7 / Math.log2(3);
    const idcg = 7 / Math.log2(2) + 1 / Math.log2(3);
    assert.ok(Math.abs(m.ndcg10 - dcg / idcg) < 1e-12);
  });
});

describe("run files", () => {
  const run = runOf({
    q1: [
      ["d2", 0.5],
      ["d1", 0.5],
      ["d3", 1.25],
    ],
    q2: [["x", -3.000000000000001]],
  });

  test("trec and tsv formats: ranked, ranks from 1, scores in full; read back equal", () => {
    const trec = formatRun(run, { tag: "bm25" });
    assert.equal(
      trec,
      "q1 Q0 d3 1 1.25 bm25\nq1 Q0 d1 2 0.5 bm25\nq1 Q0 d2 3 0.5 bm25\nq2 Q0 x 1 -3.000000000000001 bm25\n",
    );
    const tsv = formatRun(run, { format: "tsv", depth: 2 });
    assert.equal(tsv, "q1\td3\t1\t1.25\nq1\td1\t2\t0.5\nq2\tx\t1\t-3.000000000000001\n");
    assert.equal(detectRunFormat(trec), "trec");
    assert.equal(detectRunFormat(tsv), "tsv");
    const back = parseRun(trec);
    assert.deepEqual([...back.keys()], ["q1", "q2"]);
    assert.deepEqual(trecRank(back.get("q1") ?? []), ["d3", "d1", "d2"]);
    assert.equal(back.get("q2")?.[0]?.score, -3.000000000000001);
    assert.deepEqual(parseRun(tsv).get("q1")?.length, 2);
    // a header line is skipped; a bad line names its line number
    assert.equal(parseRun("query-id\tcorpus-id\trank\tscore\nq\td\t1\t2\n").get("q")?.[0]?.score, 2);
    assert.throws(() => parseRun("q\td\t1\t2\nq\te\t2\tnope\n", { source: "r.tsv" }), /r\.tsv:2: score/);
  });

  test("ids that the format cannot hold are refused", () => {
    assert.throws(() => formatRun(runOf({ q: [["a b", 1]] })), /document id "a b"/);
    assert.throws(() => formatRun(runOf({ q: [["a\tb", 1]] }), { format: "tsv" }), /tab or newline/);
    assert.throws(() => formatRun(runOf({ q: [["a", Number.NaN]] })), /not a finite number/);
  });
});

describe("fusion", () => {
  test("min-max normalisation per query; a flat list scores 1", () => {
    const n = minMaxNormalize(
      runOf({
        q: [
          ["a", 10],
          ["b", 5],
          ["c", 0],
        ],
        one: [["x", 7]],
      }),
    );
    assert.deepEqual(n.get("q"), [
      { id: "a", score: 1 },
      { id: "b", score: 0.5 },
      { id: "c", score: 0 },
    ]);
    assert.deepEqual(n.get("one"), [{ id: "x", score: 1 }]);
  });

  test("weighted arithmetic combination; a document missing from one run gets 0 from it", () => {
    const a = runOf({
      q: [
        ["a", 4],
        ["b", 2],
        ["c", 0],
      ],
    }); // a 1, b 0.5, c 0
    const b = runOf({
      q: [
        ["c", 30],
        ["d", 10],
      ],
    }); // c 1, d 0
    const fused = fuseWeighted(a, b, 0.25);
    const scores = Object.fromEntries((fused.get("q") ?? []).map((d) => [d.id, d.score]));
    assert.deepEqual(scores, { a: 0.25, b: 0.125, c: 0.75, d: 0 });
    assert.deepEqual(trecRank(fused.get("q") ?? []), ["c", "a", "b", "d"]);
    assert.deepEqual(trecRank(fuseWeighted(a, b, 1).get("q") ?? []).slice(0, 3), ["a", "b", "c"]);
    // weight 0: only run B counts; a, b and d all score 0 and tie, broken by id
    assert.deepEqual(trecRank(fuseWeighted(a, b, 0, { depth: 2 }).get("q") ?? []), ["c", "a"]);
    // a query in only one run is kept
    assert.equal(combineNormalized(a, new Map(), 0.5).get("q")?.length, 3);
    assert.throws(() => fuseWeighted(a, b, 1.5), /\[0, 1\]/);
  });

  test("reciprocal rank fusion: Σ 1 / (k + rank)", () => {
    const a = runOf({
      q: [
        ["x", 3],
        ["y", 2],
        ["z", 1],
      ],
    });
    const b = runOf({
      q: [
        ["z", 9],
        ["x", 8],
      ],
    });
    const fused = reciprocalRankFusion([a, b], { rankConstant: 60 });
    const scores = Object.fromEntries((fused.get("q") ?? []).map((d) => [d.id, d.score]));
    assert.ok(Math.abs((scores.x as number) - (1 / 61 + 1 / 62)) < 1e-15);
    assert.ok(Math.abs((scores.z as number) - (1 / 63 + 1 / 61)) < 1e-15);
    assert.ok(Math.abs((scores.y as number) - 1 / 62) < 1e-15);
    assert.deepEqual(trecRank(fused.get("q") ?? []), ["x", "z", "y"]);
    const k0 = reciprocalRankFusion([a, b], { rankConstant: 0, windowSize: 1 });
    assert.deepEqual(Object.fromEntries((k0.get("q") ?? []).map((d) => [d.id, d.score])), { x: 1, z: 1 });
  });

  test("weight tuning picks the weight that puts the relevant documents first", () => {
    // each run alone ranks a wrong document first; only an even mix puts r on top
    const a = runOf({
      q1: [
        ["x", 1],
        ["r", 0.9],
        ["y", 0],
      ],
    });
    const b = runOf({
      q1: [
        ["y", 1],
        ["r", 0.9],
        ["x", 0],
      ],
    });
    const qrels = qrelsOf({ q1: { r: 1 } });
    const tuned = tuneFusionWeight(qrels, a, b, [0, 0.25, 0.5, 0.75, 1]);
    assert.equal(tuned.weight, 0.5);
    assert.equal(tuned.ndcg10, 1);
    assert.equal(tuned.tried.length, 5);
    // one good run, one useless: the weight leans on the good one (middle of the best plateau)
    const good = runOf({
      q1: [
        ["r", 2],
        ["x", 1],
      ],
      q2: [
        ["s", 5],
        ["t", 1],
      ],
    });
    const bad = runOf({
      q1: [
        ["x", 2],
        ["r", 1],
      ],
      q2: [
        ["t", 5],
        ["s", 1],
      ],
    });
    const lean = tuneFusionWeight(qrelsOf({ q1: { r: 1 }, q2: { s: 1 } }), good, bad);
    assert.equal(lean.ndcg10, 1);
    assert.ok(lean.weight > 0.5, `weight ${lean.weight}`);
    assert.throws(() => tuneFusionWeight(new Map(), a, b), /no judged queries/);
  });

  test("validation queries: a fixed fraction, independent of order", () => {
    const ids = Array.from({ length: 150 }, (_, i) => String(i + 1));
    const v = validationQueryIds(ids, 0.2);
    assert.equal(v.length, 30);
    assert.deepEqual(new Set(validationQueryIds([...ids].reverse(), 0.2)), new Set(v));
    assert.equal(validationQueryIds(["only"], 0.2).length, 1);
  });
});

describe("dense retrieval and reranking with stand-in models", () => {
  /** Bag of letters a–d, L2-normalised: deterministic and easy to reason about. */
  const letters: TextEncoder = {
    dimension: 4,
    encode(texts) {
      const out = new Float32Array(texts.length * 4);
      texts.forEach((t, i) => {
        for (const ch of t) {
          const j = "abcd".indexOf(ch);
          if (j >= 0) out[i * 4 + j] = (out[i * 4 + j] as number) + 1;
        }
        const norm = Math.hypot(...out.subarray(i * 4, i * 4 + 4)) || 1;
        for (let j = 0; j < 4; j++) out[i * 4 + j] = (out[i * 4 + j] as number) / norm;
      });
      return out;
    },
  };
  const corpus = [
    { id: "A", title: "", text: "aaaa" },
    { id: "B", title: "b", text: "bbb" },
    { id: "AB", title: "a", text: "b" },
    { id: "C", title: "c", text: "cc" },
    { id: "D", title: "", text: "dab" },
  ];

  test("exact inner-product top-k over the encoded corpus, in batches", () => {
    let calls = 0;
    const counting: TextEncoder = {
      dimension: 4,
      encode: (t) => {
        calls++;
        return letters.encode(t);
      },
    };
    const run = denseRun(counting, corpus, [{ id: "q", text: "a" }], 3, { batchSize: 2 });
    assert.equal(calls, 3 + 1); // 5 documents in batches of 2, then the query
    const docs = run.get("q") ?? [];
    assert.deepEqual(
      docs.map((d) => d.id),
      ["A", "AB", "D"],
    );
    assert.ok(Math.abs((docs[0]?.score as number) - 1) < 1e-6);
    assert.ok(Math.abs((docs[1]?.score as number) - Math.SQRT1_2) < 1e-6);
    const bad: TextEncoder = { dimension: 4, encode: () => new Float32Array(3) };
    assert.throws(() => denseRun(bad, corpus, [], 1), /returned 3 numbers/);
  });

  test("rerank reorders the top `depth`; the rest follow in first-stage order", () => {
    const byLength: PairScorer = {
      score: (_q, candidates) => Float32Array.from(candidates, (c) => c.text.length + c.bm25 / 100),
    };
    const first = runOf({
      q: [
        ["A", 4],
        ["AB", 3],
        ["C", 2],
        ["D", 1],
      ],
    });
    const out = rerankRun(byLength, first, 2, { corpus, queries: [{ id: "q", text: "a" }] });
    // texts " aaaa" (5) and "a b" (3): A stays first; C and D follow below both
    assert.deepEqual(trecRank(out.get("q") ?? []), ["A", "AB", "C", "D"]);
    const deeper = rerankRun(byLength, first, 4, { corpus, queries: [{ id: "q", text: "a" }] });
    assert.deepEqual(trecRank(deeper.get("q") ?? []), ["A", "C", "D", "AB"]);
    assert.throws(
      () => rerankRun(byLength, first, 2, { corpus, queries: [] }),
      /query q of the first-stage run has no text/,
    );
  });
});

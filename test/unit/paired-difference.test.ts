import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluateRun, perQueryMetric, type Qrels, type Run } from "../../src/eval/metrics.ts";
import { describePaired, pairedDifference, t975 } from "../../src/eval/paired.ts";

test("t975 matches Student's t table within 1%", () => {
  for (const [df, t] of [
    [3, 3.182],
    [4, 2.776],
    [10, 2.228],
    [29, 2.045],
    [74, 1.993],
    [1000, 1.962],
  ] as const)
    assert.ok(Math.abs(t975(df) - t) / t < 0.01, `df ${df}: ${t975(df)} vs ${t}`);
});

test("mean difference, standard error and t interval of paired values", () => {
  const d = pairedDifference([0, 0, 0, 0, 0], [1, 2, 3, 4, 5]);
  assert.equal(d.queries, 5);
  assert.equal(d.delta, 3);
  assert.ok(Math.abs(d.se - Math.sqrt(2.5 / 5)) < 1e-12);
  // 3 ± 2.776 · 0.7071
  assert.ok(Math.abs(d.ci95[0] - 1.037) < 0.01 && Math.abs(d.ci95[1] - 4.963) < 0.01, String(d.ci95));
  // only all-plus and all-minus of 2^5 sign assignments reach |15|: p = 2/32
  assert.ok(Math.abs(d.p - 0.0625) < 0.006, String(d.p));
  assert.equal(d.verdict, "better");
});

test("identical searches differ by nothing, with p 1; a reversed pair mirrors", () => {
  const same = pairedDifference([0.2, 0.5, 0.9], [0.2, 0.5, 0.9]);
  assert.deepEqual(same, { queries: 3, delta: 0, se: 0, ci95: [0, 0], p: 1, verdict: "within noise" });
  assert.equal(same.verdict, "within noise");
  const up = pairedDifference([0.1, 0.4, 0.3, 0.8], [0.3, 0.5, 0.2, 0.9]);
  const down = pairedDifference([0.3, 0.5, 0.2, 0.9], [0.1, 0.4, 0.3, 0.8]);
  assert.ok(Math.abs(up.delta + down.delta) < 1e-12);
  assert.ok(Math.abs(up.p - down.p) < 0.02);
  assert.equal(up.verdict, "within noise");
});

test("a consistent shift over many queries is significant; noise of the same size is not", () => {
  const before = Array.from({ length: 60 }, (_, i) => (i % 10) / 10);
  const shifted = before.map((x, i) => x + 0.05 + ((i % 3) - 1) * 0.01);
  const d = pairedDifference(before, shifted);
  assert.ok(d.p < 0.001 && d.ci95[0] > 0.04, describePaired(d));
  const noisy = before.map((x, i) => x + (i % 2 === 0 ? 0.3 : -0.29));
  const n = pairedDifference(before, noisy);
  assert.equal(n.verdict, "within noise", describePaired(n));
  assert.ok(n.p > 0.5);
});

test("misaligned values are refused", () => {
  assert.throws(() => pairedDifference([1, 2], [1]), RangeError);
});

test("describePaired prints signed figures and small p-values as a bound", () => {
  assert.equal(
    describePaired({
      queries: 9,
      delta: -0.01234,
      se: 0.01,
      ci95: [-0.03, 0.0057],
      p: 0.2,
      verdict: "within noise",
    }),
    "−0.0123 (95% CI −0.0300 … +0.0057, p 0.200)",
  );
  assert.match(
    describePaired({ queries: 90, delta: 0.1, se: 0.01, ci95: [0.08, 0.12], p: 0.00005, verdict: "better" }),
    /p < 0\.001/,
  );
});

test("perQueryMetric gives each judged query's value; their mean is evaluateRun's", () => {
  const qrels: Qrels = new Map([
    [
      "q1",
      new Map([
        ["a", 2],
        ["c", 1],
      ]),
    ],
    ["q2", new Map([["b", 1]])],
    ["q3", new Map([["z", 1]])],
  ]);
  const run: Run = new Map([
    [
      "q1",
      [
        { id: "c", score: 3 },
        { id: "a", score: 2 },
        { id: "b", score: 1 },
      ],
    ],
    [
      "q2",
      [
        { id: "a", score: 2 },
        { id: "b", score: 1 },
      ],
    ],
  ]);
  const ndcg = perQueryMetric(qrels, run, "ndcg", 10);
  assert.equal(ndcg.length, 3);
  assert.equal(ndcg[2], 0);
  const mean = ndcg.reduce((a, b) => a + b, 0) / 3;
  assert.ok(Math.abs(mean - evaluateRun(qrels, run).ndcg10) < 1e-12);
  assert.deepEqual(perQueryMetric(qrels, run, "mrr", 10), [1, 0.5, 0]);
  assert.deepEqual(perQueryMetric(qrels, run, "recall", 1), [0.5, 0, 0]);
});

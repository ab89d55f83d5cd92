/** RM3's feedback model and interpolation (search/pipelines/rm3.ts), checked by hand-computed weights. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { feedbackModel, interpolate } from "../../src/search/pipelines/rm3.ts";

const close = (a: number | undefined, b: number) =>
  assert.ok(Math.abs((a ?? Number.NaN) - b) < 1e-12, `${a} vs ${b}`);

test("the feedback model weighs each hit's tf/|d| by its score, keeps the heaviest terms and sums to 1", () => {
  const model = feedbackModel(
    [
      { score: 3, terms: ["wing", "wing", "drag", "sweep"] }, // wing 1.5, drag 0.75, sweep 0.75
      { score: 1, terms: ["drag", "shock"] }, // drag 0.5, shock 0.5
    ],
    3,
  );
  // before pruning: wing 1.5, drag 1.25, sweep 0.75, shock 0.5 (sum 4); top 3 renormalised over 3.5
  assert.deepEqual([...model.keys()], ["wing", "drag", "sweep"]);
  close(model.get("wing"), 1.5 / 3.5);
  close(model.get("drag"), 1.25 / 3.5);
  close(model.get("sweep"), 0.75 / 3.5);
});

test("numbers, one-letter terms, empty and zero-score hits add nothing", () => {
  const model = feedbackModel(
    [
      { score: 2, terms: ["12", "x", "flow"] },
      { score: 0, terms: ["ignored"] },
      { score: 5, terms: [] },
    ],
    10,
  );
  assert.deepEqual([...model], [["flow", 1]]);
});

test("interpolation mixes the query's own term distribution with the feedback model", () => {
  const mixed = interpolate(
    ["flow", "flow", "plate"],
    new Map([
      ["flow", 0.5],
      ["layer", 0.5],
    ]),
    0.6,
  );
  close(mixed.get("flow"), 0.6 * (2 / 3) + 0.4 * 0.5);
  close(mixed.get("plate"), 0.6 * (1 / 3));
  close(mixed.get("layer"), 0.4 * 0.5);
  let sum = 0;
  for (const w of mixed.values()) sum += w;
  close(sum, 1);
});

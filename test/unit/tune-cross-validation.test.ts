/**
 * Tuning stages when the models trained on the training queries: a model-dependent stage chooses
 * on the held-out queries leaving each one out in turn and is measured on the one left out, so a
 * change that only fits the queries it was chosen on is rejected, while one that helps across them
 * is accepted; a lexical stage cross-validates over all the judged queries.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { TuneConfig, View } from "../../src/eval/tune/config.ts";
import type { Judgements, TuneRequest } from "../../src/eval/tune/request.ts";
import { bestOf, type Stage, type StageContext } from "../../src/eval/tune/stage.ts";
import { crossValidatedStage } from "../../src/eval/tune/tuner.ts";

const judged = (ids: string[]): Judgements => ({
  queries: ids.map((id) => ({ id, text: id })),
  qrels: new Map(ids.map((id) => [id, new Map([["d", 1]])])),
});

const START: TuneConfig = {
  similarity: {},
  clauses: [],
  synonyms: [],
  prf: null,
  technique: "min_max",
  bm25Weight: 0.5,
  rerankDepth: 100,
};

/** nDCG per query and lexical weight: the measurement is their mean over the judged queries. */
function contextWith(
  perQuery: Record<number, Record<string, number>>,
  req: Partial<TuneRequest>,
): StageContext {
  return {
    req: req as TuneRequest,
    lodestone: true,
    measure: async (config: TuneConfig, j: Judgements, _view: View) =>
      j.queries.reduce((sum, q) => sum + (perQuery[config.bm25Weight]?.[q.id] ?? 0), 0) / j.queries.length,
    progress: () => undefined,
  } as unknown as StageContext;
}

const weightStage: Stage = {
  name: "hybrid",
  view: "hybrid",
  run: async (ctx, current, score, on) => {
    const r = await bestOf(
      ctx,
      "hybrid",
      "hybrid",
      current,
      score,
      [0.2, 0.8].map((bm25Weight) => ({
        config: { ...current, bm25Weight },
        params: `weight ${bm25Weight}`,
      })),
      on,
    );
    return { ...r, change: r.best === current ? "" : `weight ${current.bm25Weight} → ${r.best.bm25Weight}` };
  },
};

describe("cross-validated stages", () => {
  const heldout = judged(["a", "b", "c", "d"]);
  const train = judged(["t"]);

  test("a change that helps both halves of the held-out queries is accepted, with the out-of-fold figure", async () => {
    const ctx = contextWith(
      { 0.5: { a: 0.4, b: 0.4, c: 0.4, d: 0.4, t: 0.9 }, 0.8: { a: 0.6, b: 0.5, c: 0.6, d: 0.5, t: 0.1 } },
      { train, heldout, modelsSawTrain: true, metric: { name: "ndcg", k: 10 } },
    );
    const outcome = await crossValidatedStage(ctx, weightStage, START, "heldout-cv");
    assert.equal(outcome.status, "accepted");
    assert.equal(outcome.chosen_on, "heldout-cv");
    assert.equal(outcome.config?.bm25Weight, 0.8);
    assert.ok(Math.abs((outcome.after?.heldout ?? 0) - 0.55) < 1e-9);
    // the training queries (which the models saw) do not decide: they got worse
    assert.ok((outcome.after?.train ?? 1) < (outcome.before?.train ?? 0));
  });

  test("a change that fits only the queries it was chosen on is rejected", async () => {
    // 0.2 helps a and c a lot, 0.8 helps b and d: leaving any one out, the other three pick the
    // weight that is worse for the one left out
    const ctx = contextWith(
      {
        0.5: { a: 0.5, b: 0.5, c: 0.5, d: 0.5 },
        0.2: { a: 0.9, b: 0.3, c: 0.9, d: 0.3 },
        0.8: { a: 0.3, b: 0.8, c: 0.3, d: 0.8 },
      },
      { train, heldout, modelsSawTrain: true, metric: { name: "ndcg", k: 10 } },
    );
    const outcome = await crossValidatedStage(ctx, weightStage, START, "heldout-cv");
    assert.equal(outcome.status, "rejected");
    assert.match(
      outcome.reason ?? "",
      /cross-validated on the held-out queries, it did not raise ndcg@10 out of fold/,
    );
    assert.ok(Math.abs((outcome.after?.heldout ?? 0) - 0.3) < 1e-9);
  });

  test("a lexical stage cross-validates over the training and held-out queries together", async () => {
    // 0.8 helps the training queries and leaves the held-out one as it was: out of fold over all
    // five it wins, where the single held-out query alone (no gain) would have rejected it
    const many = judged(["t1", "t2", "t3", "t4"]);
    const ctx = contextWith(
      {
        0.5: { t1: 0.4, t2: 0.4, t3: 0.4, t4: 0.4, h: 0.5 },
        0.8: { t1: 0.6, t2: 0.6, t3: 0.6, t4: 0.6, h: 0.5 },
      },
      { train: many, heldout: judged(["h"]), modelsSawTrain: true, metric: { name: "ndcg", k: 10 } },
    );
    const lexical: Stage = { ...weightStage, name: "bm25", view: "lexical" };
    const outcome = await crossValidatedStage(ctx, lexical, START, "pooled-cv");
    assert.equal(outcome.status, "accepted");
    assert.equal(outcome.chosen_on, "pooled-cv");
    assert.ok(Math.abs((outcome.before?.heldout ?? 0) - 0.42) < 1e-9, "before: all five queries");
    assert.ok(Math.abs((outcome.after?.heldout ?? 0) - 0.58) < 1e-9, "after: out of fold");
  });
});

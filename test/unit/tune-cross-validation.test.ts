/**
 * Model-dependent tuning stages when the models trained on the training queries: the stage
 * chooses on one half of the held-out queries and is measured on the other, so a change that only
 * fits the queries it was chosen on is rejected, while one that helps across them is accepted.
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
    const outcome = await crossValidatedStage(ctx, weightStage, START);
    assert.equal(outcome.status, "accepted");
    assert.equal(outcome.chosen_on, "heldout-cv");
    assert.equal(outcome.config?.bm25Weight, 0.8);
    assert.ok(Math.abs((outcome.after?.heldout ?? 0) - 0.55) < 1e-9);
    // the training queries (which the models saw) do not decide: they got worse
    assert.ok((outcome.after?.train ?? 1) < (outcome.before?.train ?? 0));
  });

  test("a change that fits only the half it was chosen on is rejected", async () => {
    // ids sort a, b, c, d → halves {a, c} and {b, d}; 0.2 helps a and c a lot, hurts b and d more
    // than 0.8 does; each half picks the weight that is worse on the other half
    const ctx = contextWith(
      {
        0.5: { a: 0.5, b: 0.5, c: 0.5, d: 0.5 },
        0.2: { a: 0.9, b: 0.3, c: 0.9, d: 0.3 },
        0.8: { a: 0.3, b: 0.8, c: 0.3, d: 0.8 },
      },
      { train, heldout, modelsSawTrain: true, metric: { name: "ndcg", k: 10 } },
    );
    const outcome = await crossValidatedStage(ctx, weightStage, START);
    assert.equal(outcome.status, "rejected");
    assert.match(outcome.reason ?? "", /did not raise ndcg@10 on the other half/);
    assert.ok(Math.abs((outcome.after?.heldout ?? 0) - 0.3) < 1e-9);
  });
});

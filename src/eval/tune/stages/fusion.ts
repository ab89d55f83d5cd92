/**
 * Stages on the hybrid search: the normalization technique with the lexical weight (min_max, l2,
 * z_score × weights 0.1…0.9, and RRF), measured on hybrid without rerank; then the number of hits
 * the reranker reorders, measured on the full search.
 */
import type { TuneConfig } from "../config.ts";
import type { Judgements, Technique } from "../request.ts";
import { bestOf, type Stage, type StageContext } from "../stage.ts";

const WEIGHTS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const NORMALIZATIONS: Technique[] = ["min_max", "l2", "z_score"];
const RERANK_DEPTHS = [10, 20, 50, 100, 200];

const describe = (c: TuneConfig) => (c.technique === "rrf" ? "rrf" : `${c.technique} weight ${c.bm25Weight}`);

async function hybrid(ctx: StageContext, current: TuneConfig, currentTrain: number, on: Judgements) {
  const candidates = NORMALIZATIONS.flatMap((technique) =>
    WEIGHTS.map((bm25Weight) => ({ technique, bm25Weight })),
  ).concat([{ technique: "rrf", bm25Weight: current.bm25Weight }]);
  const r = await bestOf(
    ctx,
    "hybrid",
    "hybrid",
    current,
    currentTrain,
    candidates.map((c) => ({ config: { ...current, ...c }, params: describe({ ...current, ...c }) })),
    on,
  );
  const change = r.best === current ? "" : `${describe(current)} → ${describe(r.best)}`;
  return { best: r.best, bestTrain: r.bestTrain, change, trials: r.trials };
}

async function rerank(ctx: StageContext, current: TuneConfig, currentTrain: number, on: Judgements) {
  const depths = RERANK_DEPTHS.filter((d) => d <= ctx.req.depth && d !== current.rerankDepth);
  const r = await bestOf(
    ctx,
    "rerank",
    "full",
    current,
    currentTrain,
    depths.map((rerankDepth) => ({
      config: { ...current, rerankDepth },
      params: `rerank depth ${rerankDepth}`,
    })),
    on,
  );
  const change = r.best === current ? "" : `rerank depth ${current.rerankDepth} → ${r.best.rerankDepth}`;
  return { best: r.best, bestTrain: r.bestTrain, change, trials: r.trials };
}

export const hybridStage: Stage = { name: "hybrid", view: "hybrid", run: hybrid };
export const rerankStage: Stage = { name: "rerank", view: "full", run: rerank };

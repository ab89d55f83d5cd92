/**
 * Stages on the lexical query: BM25 k1/b per similarity (a grid, one similarity at a time), the
 * per-clause boosts of the bool template (each field's match boost when there are several fields,
 * and a sloppy match_phrase clause per field), and RM3 pseudo-relevance feedback (Lodestone's rm3
 * search request processor).
 */
import type { TuneConfig } from "../config.ts";
import type { Judgements } from "../request.ts";
import { bestOf, type Stage, type StageContext, type StageResult, type Trial } from "../stage.ts";

const K1_GRID = [0.5, 0.7, 0.9, 1.2, 1.5, 2.0];
const B_GRID = [0.2, 0.3, 0.4, 0.5, 0.6, 0.75, 0.9];
const FIELD_BOOSTS = [0.5, 1, 2, 3];
const PHRASE_BOOSTS = [0, 0.25, 0.5, 1, 2];
const PRF_GRID = { fbDocs: [5, 10, 20], fbTerms: [5, 10, 20], originalQueryWeight: [0.3, 0.5, 0.7] };

async function bm25(
  ctx: StageContext,
  current: TuneConfig,
  currentTrain: number,
  on: Judgements,
): Promise<StageResult> {
  const names = Object.keys(current.similarity);
  if (names.length === 0) return { skipped: "the fields use built-in similarities with fixed parameters" };
  let config = current;
  let train = currentTrain;
  const trials: Trial[] = [];
  for (const name of names) {
    const candidates = K1_GRID.flatMap((k1) =>
      B_GRID.map((b) => ({
        config: { ...config, similarity: { ...config.similarity, [name]: { k1, b } } },
        params: `${name}: k1 ${k1} b ${b}`,
      })),
    );
    const r = await bestOf(ctx, "bm25", "lexical", config, train, candidates, on);
    config = r.best;
    train = r.bestTrain;
    trials.push(...r.trials);
  }
  const change = names
    .filter((n) => JSON.stringify(current.similarity[n]) !== JSON.stringify(config.similarity[n]))
    .map((n) => {
      const [a, b] = [current.similarity[n], config.similarity[n]];
      return `${n}: k1 ${a?.k1} → ${b?.k1}, b ${a?.b} → ${b?.b}`;
    })
    .join("; ");
  return { best: config, bestTrain: train, change, trials };
}

async function clauses(
  ctx: StageContext,
  current: TuneConfig,
  currentTrain: number,
  on: Judgements,
): Promise<StageResult> {
  let config = current;
  let train = currentTrain;
  const trials: Trial[] = [];
  for (const [i, clause] of current.clauses.entries()) {
    const variants: Array<{ boost: number; phraseBoost: number }> = [];
    // the first field's boost is the unit the others are measured in
    const boosts = i === 0 || current.clauses.length === 1 ? [clause.boost] : FIELD_BOOSTS;
    for (const boost of boosts)
      for (const phraseBoost of PHRASE_BOOSTS) variants.push({ boost, phraseBoost });
    const candidates = variants.map((v) => {
      const clauses = config.clauses.map((c, j) => (j === i ? { ...c, ...v } : c));
      return {
        config: { ...config, clauses },
        params: `${clause.field}: match^${v.boost} match_phrase^${v.phraseBoost}`,
      };
    });
    const r = await bestOf(ctx, "clauses", "lexical", config, train, candidates, on);
    config = r.best;
    train = r.bestTrain;
    trials.push(...r.trials);
  }
  const change = config.clauses
    .map((c, i) => ({ c, was: current.clauses[i] }))
    .filter(({ c, was }) => c.boost !== was?.boost || c.phraseBoost !== was?.phraseBoost)
    .map(({ c }) => `${c.field}: match^${c.boost}, match_phrase^${c.phraseBoost}`)
    .join("; ");
  return { best: config, bestTrain: train, change, trials };
}

async function prf(
  ctx: StageContext,
  current: TuneConfig,
  currentTrain: number,
  on: Judgements,
): Promise<StageResult> {
  if (!ctx.lodestone) return { skipped: "the rm3 search processor is Lodestone's; this cluster has none" };
  const candidates: Array<{ config: TuneConfig; params: string }> = [];
  for (const fbDocs of PRF_GRID.fbDocs)
    for (const fbTerms of PRF_GRID.fbTerms)
      for (const originalQueryWeight of PRF_GRID.originalQueryWeight)
        candidates.push({
          config: { ...current, prf: { fbDocs, fbTerms, originalQueryWeight } },
          params: `rm3 fb_docs ${fbDocs} fb_terms ${fbTerms} original_query_weight ${originalQueryWeight}`,
        });
  const r = await bestOf(ctx, "prf", "lexical", current, currentTrain, candidates, on);
  return { best: r.best, bestTrain: r.bestTrain, change: r.bestParams ?? "", trials: r.trials };
}

export const bm25Stage: Stage = { name: "bm25", view: "lexical", run: bm25 };
export const clausesStage: Stage = { name: "clauses", view: "lexical", run: clauses };
export const prfStage: Stage = { name: "prf", view: "lexical", run: prf };

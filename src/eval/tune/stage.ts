/**
 * What a tuning stage is given and returns. A stage searches one part of the configuration on the
 * training queries (coordinate search from the current configuration) and returns its best
 * candidate; the tuner then measures that candidate on the held-out queries and proposes it only
 * when both improve (tuner.ts). Stages measure the view that their part affects: lexical knobs on
 * the lexical query alone, fusion on hybrid without rerank, the rerank depth on the full search.
 */
import type { TuneConfig, View } from "./config.ts";
import type { Judgements, StageName, TuneRequest } from "./request.ts";
import type { ScratchIndex } from "./scratch.ts";
import type { SearchTransport } from "./transport.ts";

export interface Trial {
  /** What was tried, in words (`k1 1.2 b 0.75`). */
  params: string;
  /** The metric on the queries the stage chooses on (the training ones, or the held-out ones). */
  train: number;
}

export interface StageContext {
  transport: SearchTransport;
  req: TuneRequest;
  scratch: ScratchIndex;
  /** Brings the scratch index's settings in line with `config`, then measures it. */
  measure(config: TuneConfig, judged: Judgements, view: View): Promise<number>;
  progress(stage: StageName, done: number, total: number, message: string): void;
  /** GET / says the cluster is Lodestone (Lodestone-only processors such as rm3 exist). */
  lodestone: boolean;
}

export type StageResult =
  | { skipped: string }
  | {
      best: TuneConfig;
      bestTrain: number;
      /** The change in words (`k1 0.9 → 1.2, b 0.4 → 0.75`); empty when nothing beat the current one. */
      change: string;
      trials: Trial[];
    };

export interface Stage {
  name: StageName;
  /** What the stage's part of the configuration affects, so what it is measured on. */
  view: View;
  /** Searches from `current`, whose metric on the queries `on` in `view` is `currentTrain`. */
  run(ctx: StageContext, current: TuneConfig, currentTrain: number, on: Judgements): Promise<StageResult>;
}

/** Tries each candidate on the queries `on`; the best strictly better one (first on ties) wins. */
export async function bestOf(
  ctx: StageContext,
  stage: StageName,
  view: View,
  current: TuneConfig,
  currentTrain: number,
  candidates: Array<{ config: TuneConfig; params: string }>,
  on: Judgements = ctx.req.train,
): Promise<{ best: TuneConfig; bestTrain: number; trials: Trial[]; bestParams: string | undefined }> {
  let best = current;
  let bestTrain = currentTrain;
  let bestParams: string | undefined;
  const trials: Trial[] = [];
  for (const [i, c] of candidates.entries()) {
    const train = await ctx.measure(c.config, on, view);
    trials.push({ params: c.params, train });
    if (train > bestTrain + 1e-9) {
      best = c.config;
      bestTrain = train;
      bestParams = c.params;
    }
    ctx.progress(stage, i + 1, candidates.length, `${c.params}: ${train.toFixed(4)}`);
  }
  return { best, bestTrain, trials, bestParams };
}

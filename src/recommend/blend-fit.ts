/**
 * The learned blend: channel weights fitted on the instance's own behaviours by the training job.
 * Each user's positive behaviours (weight > 0) are split by time as `lodestone recommend eval`
 * splits MovieLens — users with at least 5 keep their first 80% for training and the rest are
 * held out — every channel is trained on the first part and proposes items for the held-out
 * users, and fitBlend chooses the weights that maximise nDCG@20 on what those users did next.
 * Serving uses them for the trained channels unless a scene or request gives weights.
 */
import { blendExamples, heldOutLists, heldOutStage } from "./eval/run.ts";
import { type BlendWeights, fitBlend } from "./models/blend.ts";
import { TRAINERS } from "./models/index.ts";
import type { InteractionEvent, Scored, TrainOptions } from "./models/types.ts";

/** Below this many held-out users the fit says too little to replace the default weights. */
export const MIN_BLEND_USERS = 20;
const K = 20;
const DEPTH = 100;

export interface LearnedBlend {
  weights: BlendWeights;
  /** nDCG@20 of the fitted blend and of each channel alone, on the held-out users. */
  validation_ndcg: number;
  single: Record<string, number>;
  users: number;
}

export function fitInstanceBlend(
  events: readonly InteractionEvent[],
  channels: readonly string[],
  opts: TrainOptions,
): LearnedBlend | { skipped: string } {
  const positives = events.filter((e) => e.weight > 0).map((e) => ({ user: e.user, item: e.item, at: e.at }));
  const stage = heldOutStage(positives);
  if (stage.heldOut.length < MIN_BLEND_USERS)
    return {
      skipped: `${stage.heldOut.length} users have 5 or more positive behaviours; the blend is fitted from ${MIN_BLEND_USERS}`,
    };
  const lists = new Map<string, Scored[]>();
  for (const c of channels) {
    const trainer = TRAINERS[c];
    if (trainer) lists.set(c, heldOutLists(stage, trainer.train(stage.data, opts), DEPTH));
  }
  const fitted = fitBlend(blendExamples(stage, lists), { k: K, channels: [...lists.keys()] });
  // only their ratios matter to the fit: scaled so the heaviest is 1, as in the default weights the
  // untrained channels (content, questions) keep beside them
  const heaviest = Math.max(...Object.values(fitted.weights));
  const weights = Object.fromEntries(
    Object.entries(fitted.weights).map(([c, w]) => [c, Number((w / heaviest).toFixed(4))]),
  );
  return {
    weights,
    validation_ndcg: fitted.ndcg,
    single: fitted.single,
    users: stage.heldOut.length,
  };
}

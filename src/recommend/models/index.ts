// The recall models' public surface: everything the recommendation service imports.
import { alsTrainer } from "./als.ts";
import { bprTrainer } from "./bpr.ts";
import { easeTrainer } from "./ease.ts";
import { itemCfTrainer } from "./item-cf.ts";
import { popularTrainer, trendingTrainer } from "./popular.ts";
import type { Trainer } from "./types.ts";

export { AlsModel, alsTrainer } from "./als.ts";
export {
  type BlendExample,
  type BlendWeights,
  blendScored,
  type FitBlendOptions,
  type FitBlendResult,
  fitBlend,
  normaliseScores,
} from "./blend.ts";
export { bprTrainer } from "./bpr.ts";
export { buildInteractionData } from "./data.ts";
export { EaseModel, easeTrainer } from "./ease.ts";
export { ItemCfModel, itemCfTrainer } from "./item-cf.ts";
export { loadModel, saveModel } from "./persist.ts";
export { ItemScoreModel, popularTrainer, trendingTrainer } from "./popular.ts";
export { topK } from "./topk.ts";
export type * from "./types.ts";

/** Trainers by channel name. */
export const TRAINERS: Record<string, Trainer> = {
  item_cf: itemCfTrainer,
  als: alsTrainer,
  bpr: bprTrainer,
  ease: easeTrainer,
  popular: popularTrainer,
  trending: trendingTrainer,
};

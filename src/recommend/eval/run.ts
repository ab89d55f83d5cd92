// `lodestone recommend eval`: trains each recall channel on the protocol's training split, scores
// the test users, fits the blend's weights on a validation split carved out of the training data
// alone (the same temporal rule applied again), and reports the metrics per channel and blended.
import {
  type BlendExample,
  type BlendWeights,
  blendMatrix,
  candidateMatrix,
  fitBlend,
} from "../models/blend.ts";
import { TRAINERS } from "../models/index.ts";
import type { InteractionData, RecallModel, Scored, TrainOptions } from "../models/types.ts";
import { itemPopularity, scoreLists, type TopNMetrics } from "./metrics.ts";
import { type Positive, ratingsFile, readPositives } from "./movielens.ts";
import { type HeldOut, prepareSplit, temporalSplit } from "./split.ts";

export const DEFAULT_CHANNELS = ["popular", "trending", "item_cf", "als", "ease"];

export interface RecommendEvalOptions {
  dataset: string;
  channels?: string[];
  k?: number;
  /** candidates each channel proposes to the blend (default 100) */
  depth?: number;
  /** keep only the first N users (by id order in the file) — for quick checks */
  maxUsers?: number;
  minRating?: number;
  /** per-channel training options */
  trainOptions?: Record<string, TrainOptions>;
  /** progress: a step name and counts done/total over the whole run */
  onProgress?: (step: string, done: number, total: number) => void;
}

export interface ChannelResult extends TopNMetrics {
  name: string;
  /** seconds to train on the full training split (absent for the blend) */
  trainSeconds?: number;
}

export interface RecommendEvalReport {
  dataset: string;
  protocol: string;
  positives: number;
  users: number;
  items: number;
  trainPositives: number;
  testUsers: number;
  validationUsers: number;
  k: number;
  depth: number;
  blend: { weights: BlendWeights; validationNdcg: number; validationSingle: Record<string, number> };
  results: ChannelResult[];
}

const PROTOCOL =
  "ratings ≥ 4 are positives; per user with ≥ 5 positives the last 20% by time are test; top-k excluding training items; Recall@k = hits / min(k, |test|), binary nDCG@k";

/** The first `maxUsers` distinct users in file order, with all their positives. */
function firstUsers(positives: Positive[], maxUsers: number): Positive[] {
  const keep = new Set<string>();
  for (const p of positives) {
    if (keep.size >= maxUsers) break;
    keep.add(p.user);
  }
  return positives.filter((p) => keep.has(p.user));
}

function trainedUserItems(data: InteractionData): Set<number>[] {
  const seen = Array.from({ length: data.userIds.length }, () => new Set<number>());
  for (let e = 0; e < data.user.length; e++)
    (seen[data.user[e] as number] as Set<number>).add(data.item[e] as number);
  return seen;
}

function usersPerItem(data: InteractionData, seen: Set<number>[]): Int32Array {
  const counts = new Int32Array(data.itemIds.length);
  for (const items of seen) for (const i of items) counts[i] = (counts[i] as number) + 1;
  return counts;
}

/** Training data under the temporal protocol, the users' held-out items, what each user has seen. */
export interface HeldOutStage {
  data: InteractionData;
  heldOut: HeldOut[];
  seen: Set<number>[];
}

export function heldOutStage(positives: readonly Positive[]): HeldOutStage {
  const { data, heldOut } = prepareSplit(temporalSplit(positives));
  return { data, heldOut, seen: trainedUserItems(data) };
}

/** A model's top `depth` for every held-out user, leaving out what they have seen. */
export function heldOutLists(s: HeldOutStage, model: RecallModel, depth: number): Scored[] {
  return s.heldOut.map((h) => model.recommend(h.user, depth, s.seen[h.user]));
}

/** Blend examples: each held-out user's lists per channel and what they really did next. */
export function blendExamples(s: HeldOutStage, lists: ReadonlyMap<string, Scored[]>): BlendExample[] {
  return s.heldOut.map((h, u) => ({
    lists: Object.fromEntries([...lists].map(([c, l]) => [c, l[u] as Scored])),
    relevant: h.items,
    size: h.size,
  }));
}

export function runRecommendEval(o: RecommendEvalOptions): RecommendEvalReport {
  const k = o.k ?? 20;
  const depth = Math.max(k, o.depth ?? 100);
  const channels = o.channels ?? DEFAULT_CHANNELS;
  for (const c of channels)
    if (!TRAINERS[c])
      throw new RangeError(
        `unknown channel ${JSON.stringify(c)}; choose from ${Object.keys(TRAINERS).join(", ")}`,
      );
  let positives = readPositives(ratingsFile(o.dataset), o.minRating ?? 4);
  if (o.maxUsers) positives = firstUsers(positives, o.maxUsers);
  const split = temporalSplit(positives);
  const test = heldOutStage(positives);
  // validation: the same rule applied to the training positives only
  const validation = heldOutStage(split.train);

  const total = channels.length * 2 + 1;
  let done = 0;
  const progress = (step: string) => o.onProgress?.(step, done, total);
  const run = (s: HeldOutStage, model: RecallModel): Scored[] => heldOutLists(s, model, depth);

  const validLists = new Map<string, Scored[]>();
  const testLists = new Map<string, Scored[]>();
  const trainSeconds = new Map<string, number>();
  for (const c of channels) {
    const trainer = TRAINERS[c] as (typeof TRAINERS)[string];
    const opts = o.trainOptions?.[c] ?? {};
    progress(`${c}: validation`);
    validLists.set(c, run(validation, trainer.train(validation.data, opts)));
    done++;
    progress(`${c}: training`);
    const t0 = performance.now();
    const model = trainer.train(test.data, opts);
    trainSeconds.set(c, (performance.now() - t0) / 1000);
    testLists.set(c, run(test, model));
    done++;
  }
  progress("blend");
  const fitted = fitBlend(blendExamples(validation, validLists), { k, channels });
  const blended = test.heldOut.map((_, u) =>
    blendMatrix(
      candidateMatrix(
        Object.fromEntries(channels.map((c) => [c, (testLists.get(c) as Scored[])[u] as Scored])),
        channels,
      ),
      fitted.weights,
      k,
    ),
  );
  done++;
  progress("done");

  const popularity = itemPopularity(usersPerItem(test.data, test.seen), test.data.userIds.length);
  const results: ChannelResult[] = channels.map((c) => ({
    name: c,
    ...scoreLists(testLists.get(c) as Scored[], test.heldOut, k, popularity),
    trainSeconds: trainSeconds.get(c) as number,
  }));
  results.push({ name: "blend", ...scoreLists(blended, test.heldOut, k, popularity) });
  return {
    dataset: o.dataset,
    protocol: PROTOCOL,
    positives: positives.length,
    users: new Set(positives.map((p) => p.user)).size,
    items: test.data.itemIds.length,
    trainPositives: split.train.length,
    testUsers: test.heldOut.length,
    validationUsers: validation.heldOut.length,
    k,
    depth,
    blend: { weights: fitted.weights, validationNdcg: fitted.ndcg, validationSingle: fitted.single },
    results,
  };
}

/**
 * The reranker's scoring head: a two-layer perceptron giving one score per row,
 *   h = act(X·W1ᵀ + b1),  score = h·w2 + b2,
 * with X n×in, W1 hidden×in, b1 hidden, w2 hidden (a 1×hidden weight), b2 a single element.
 */
import { reluBackward, reluForward, tanhBackward, tanhForward } from "./activations.ts";
import { linearBackward, linearForward } from "./linear.ts";
import type { Vec } from "./tensor.ts";

export type Activation = "tanh" | "relu";

export interface MlpWeights<T extends Vec = Vec> {
  w1: T;
  b1: T;
  w2: T;
  b2: T;
}

export interface MlpShape {
  inDim: number;
  hidden: number;
  activation: Activation;
}

export interface MlpForward<T extends Vec> {
  /** n scores. */
  scores: T;
  /** n×hidden pre-activations and activations (kept for the backward pass). */
  pre: T;
  act: T;
}

export function mlpForward<T extends Vec>(
  x: T,
  n: number,
  shape: MlpShape,
  weights: MlpWeights<Vec>,
): MlpForward<T> {
  const { inDim, hidden, activation } = shape;
  const pre = linearForward(x, weights.w1, weights.b1, n, inDim, hidden);
  const act = activation === "tanh" ? tanhForward(pre) : reluForward(pre);
  const scores = linearForward(act, weights.w2, weights.b2, n, hidden, 1);
  return { scores, pre, act };
}

/** Returns dX (n×in) and ACCUMULATES the weight gradients into `grads`. */
export function mlpBackward<T extends Vec>(
  x: Vec,
  n: number,
  shape: MlpShape,
  weights: MlpWeights<Vec>,
  forward: MlpForward<Vec>,
  dScores: T,
  grads: MlpWeights<Vec>,
): T {
  const { inDim, hidden, activation } = shape;
  const dAct = linearBackward(forward.act, weights.w2, dScores, n, hidden, 1, grads.w2, grads.b2);
  const dPre = activation === "tanh" ? tanhBackward(forward.act, dAct) : reluBackward(forward.pre, dAct);
  return linearBackward(x, weights.w1, dPre, n, inDim, hidden, grads.w1, grads.b1);
}

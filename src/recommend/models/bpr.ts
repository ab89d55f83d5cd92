// Bayesian personalised ranking (Rendle et al. 2009): factors trained by SGD on sampled
// (user, positive item, negative item) triples to rank positives above the rest. An item bias is
// kept as one more factor whose user side is fixed at 1, so the model is served as an AlsModel
// (dot products over all items; new histories folded in by least squares against item factors).
import { mulberry32, normalInit } from "../../models/nn/params.ts";
import { AlsModel } from "./als.ts";
import { userItemMatrix } from "./csr.ts";
import type { InteractionData, Trainer, TrainOptions } from "./types.ts";

export interface BprOptions extends TrainOptions {
  factors?: number;
  /** passes over the positives (default 30) */
  epochs?: number;
  learningRate?: number;
  regularization?: number;
}

export const BPR_DEFAULTS = { factors: 64, epochs: 30, learningRate: 0.05, regularization: 0.002, seed: 42 };

export const bprTrainer: Trainer<AlsModel> = {
  channel: "bpr",
  train(data: InteractionData, opts: BprOptions = {}): AlsModel {
    const k = opts.factors ?? BPR_DEFAULTS.factors;
    const epochs = opts.epochs ?? BPR_DEFAULTS.epochs;
    const lr = opts.learningRate ?? BPR_DEFAULTS.learningRate;
    const reg = opts.regularization ?? BPR_DEFAULTS.regularization;
    const seed = opts.seed ?? BPR_DEFAULTS.seed;
    if (!(Number.isInteger(k) && k > 0))
      throw new RangeError(`bpr: factors must be a positive integer, got ${k}`);
    if (!(Number.isInteger(epochs) && epochs >= 0))
      throw new RangeError(`bpr: epochs must be a whole number, got ${epochs}`);
    if (!(lr > 0)) throw new RangeError(`bpr: learningRate must be > 0, got ${lr}`);
    const x = userItemMatrix(data);
    const nu = data.userIds.length;
    const ni = data.itemIds.length;
    const f = k + 1; // the last column: user side 1, item side the item's bias
    const rng = mulberry32(seed);
    const users = new Float32Array(nu * f);
    const items = new Float32Array(ni * f);
    normalInit(users, 0.1, rng);
    normalInit(items, 0.1, rng);
    for (let u = 0; u < nu; u++) users[u * f + k] = 1;
    for (let i = 0; i < ni; i++) items[i * f + k] = 0;
    const nnz = x.indices.length;
    // the user of each stored cell, to sample positives uniformly over cells
    const cellUser = new Int32Array(nnz);
    for (let u = 0; u < nu; u++) cellUser.fill(u, x.indptr[u] as number, x.indptr[u + 1] as number);
    const isPositive = (u: number, i: number) => {
      let lo = x.indptr[u] as number;
      let hi = (x.indptr[u + 1] as number) - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const v = x.indices[mid] as number;
        if (v === i) return true;
        if (v < i) lo = mid + 1;
        else hi = mid - 1;
      }
      return false;
    };
    for (let epoch = 0; epoch < epochs && ni > 1; epoch++) {
      for (let step = 0; step < nnz; step++) {
        const cell = Math.floor(rng() * nnz);
        const u = cellUser[cell] as number;
        const i = x.indices[cell] as number;
        let j = Math.floor(rng() * ni);
        for (let tries = 0; tries < 10 && isPositive(u, j); tries++) j = Math.floor(rng() * ni);
        if (isPositive(u, j)) continue;
        const uo = u * f;
        const io = i * f;
        const jo = j * f;
        let diff = 0;
        for (let c = 0; c < f; c++)
          diff += (users[uo + c] as number) * ((items[io + c] as number) - (items[jo + c] as number));
        const g = 1 / (1 + Math.exp(diff)); // σ(−diff): the gradient scale of log σ(diff)
        for (let c = 0; c < k; c++) {
          const pu = users[uo + c] as number;
          const qi = items[io + c] as number;
          const qj = items[jo + c] as number;
          users[uo + c] = pu + lr * (g * (qi - qj) - reg * pu);
          items[io + c] = qi + lr * (g * pu - reg * qi);
          items[jo + c] = qj + lr * (-g * pu - reg * qj);
        }
        items[io + k] = (items[io + k] as number) + lr * (g - reg * (items[io + k] as number));
        items[jo + k] = (items[jo + k] as number) + lr * (-g - reg * (items[jo + k] as number));
      }
    }
    return new AlsModel(
      data.userIds,
      data.itemIds,
      f,
      users,
      items,
      { epochs, learningRate: lr, regularization: reg, alpha: 1, seed, trainedBy: "bpr" },
      "bpr",
    );
  },
};

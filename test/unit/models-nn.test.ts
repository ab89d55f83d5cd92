import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  reluBackward,
  reluForward,
  softplusBackward,
  softplusForward,
  tanhBackward,
  tanhForward,
} from "../../src/models/nn/activations.ts";
import { AdamW, clipGradNorm, globalGradNorm, lrSchedule } from "../../src/models/nn/adamw.ts";
import {
  type BagInput,
  embeddingBagBackward,
  embeddingBagForward,
  gatherRowsBackward,
  gatherRowsForward,
  packBags,
} from "../../src/models/nn/embedding-bag.ts";
import { infoNce } from "../../src/models/nn/infonce.ts";
import {
  defaultKernels,
  type KernelPoolingShape,
  type Kernels,
  kernelPoolingBackward,
  kernelPoolingForward,
} from "../../src/models/nn/kernel-pooling.ts";
import { linearBackward, linearForward } from "../../src/models/nn/linear.ts";
import { type MlpShape, type MlpWeights, mlpBackward, mlpForward } from "../../src/models/nn/mlp.ts";
import { l2NormalizeBackward, l2NormalizeForward } from "../../src/models/nn/normalize.ts";
import { ParamStore } from "../../src/models/nn/params.ts";
import { weightedMeanPoolBackward, weightedMeanPoolForward } from "../../src/models/nn/pooling.ts";
import {
  listwiseSoftmaxLoss,
  pairsFromLabels,
  pairwiseLogisticLoss,
} from "../../src/models/nn/ranking-losses.ts";
import { cosineMatrixBackward, cosineMatrixForward } from "../../src/models/nn/similarity.ts";
import {
  mergeSparseRows,
  SparseAccumulator,
  type SparseRows,
  sparseToDense,
} from "../../src/models/nn/sparse.ts";
import {
  concatColumns,
  matmul,
  matmulABt,
  matmulAtB,
  splitColumns,
  type Vec,
} from "../../src/models/nn/tensor.ts";
import { assertGradients, type CheckedTensor, dot, gradCheck, RandomArrays } from "../helpers/gradcheck.ts";

const TOL = 1e-3;

function check(label: string, f: () => number, tensors: CheckedTensor[]): void {
  const report = gradCheck(f, tensors);
  assert.ok(report.checked > 0, `${label}: nothing checked`);
  assertGradients(label, report, TOL);
}

function zeros(n: number): Float64Array {
  return new Float64Array(n);
}

describe("matrix products", () => {
  test("matmul, matmulABt and matmulAtB agree with a naive triple loop", () => {
    const r = new RandomArrays(11);
    const [m, k, n] = [3, 4, 5];
    const a = r.uniform(m * k);
    const b = r.uniform(k * n);
    const naive = zeros(m * n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++)
        for (let p = 0; p < k; p++)
          naive[i * n + j] =
            (naive[i * n + j] as number) + (a[i * k + p] as number) * (b[p * n + j] as number);
    const bt = zeros(n * k);
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bt[j * k + p] = b[p * n + j] as number;
    const at = zeros(k * m);
    for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) at[p * m + i] = a[i * k + p] as number;
    const c1 = matmul(a, b, m, k, n, zeros(m * n));
    const c2 = matmulABt(a, bt, m, k, n, zeros(m * n));
    const c3 = matmulAtB(at, b, k, m, n, zeros(m * n));
    for (let i = 0; i < m * n; i++) {
      assert.ok(Math.abs((c1[i] as number) - (naive[i] as number)) < 1e-12);
      assert.ok(Math.abs((c2[i] as number) - (naive[i] as number)) < 1e-12);
      assert.ok(Math.abs((c3[i] as number) - (naive[i] as number)) < 1e-12);
    }
    // accumulate adds on top
    matmul(a, b, m, k, n, c1, true);
    assert.ok(Math.abs((c1[0] as number) - 2 * (naive[0] as number)) < 1e-12);
  });

  test("concatColumns / splitColumns round-trip", () => {
    const r = new RandomArrays(12);
    const a = r.uniform(3 * 2);
    const b = r.uniform(3 * 4);
    const y = concatColumns(a, 2, b, 4, 3);
    assert.equal(y.length, 18);
    const [da, db] = splitColumns(y, 2, 4, 3);
    assert.deepEqual([...da], [...a]);
    assert.deepEqual([...db], [...b]);
  });

  test("B=64, d=768, 100-dim inputs: linear + normalize + InfoNCE forward/backward is fast", () => {
    const r = new RandomArrays(13);
    const [B, N, inDim, d] = [64, 64 * 4, 100, 768];
    const x = new Float32Array(r.uniform(N * inDim));
    const w = new Float32Array(r.uniform(d * inDim, -0.1, 0.1));
    const b = new Float32Array(d);
    const dW = new Float32Array(d * inDim);
    const db = new Float32Array(d);
    const t0 = performance.now();
    const y = linearForward(x, w, b, N, inDim, d);
    const norm = l2NormalizeForward(y, N, d);
    const { dQ, dD } = infoNce(norm.y.subarray(0, B * d), norm.y, B, N, d, 0.05);
    const dY = new Float32Array(N * d);
    dY.set(dD);
    for (let i = 0; i < B * d; i++) dY[i] = (dY[i] as number) + (dQ[i] as number);
    const dProj = l2NormalizeBackward(norm, dY, N, d);
    linearBackward(x, w, dProj, N, inDim, d, dW, db);
    const ms = performance.now() - t0;
    assert.ok(ms < 10_000, `took ${ms.toFixed(0)} ms`);
  });
});

describe("gradient checks: layers", () => {
  test("linear: dX, dW, db", () => {
    const r = new RandomArrays(1);
    const [n, inDim, outDim] = [4, 5, 3];
    const x = r.uniform(n * inDim);
    const w = r.uniform(outDim * inDim);
    const b = r.uniform(outDim);
    const rw = r.uniform(n * outDim);
    const f = () => dot(rw, linearForward(x, w, b, n, inDim, outDim));
    const dW = zeros(w.length);
    const db = zeros(b.length);
    const dX = linearBackward(x, w, rw, n, inDim, outDim, dW, db);
    check("linear", f, [
      { name: "x", data: x, grad: dX },
      { name: "W", data: w, grad: dW },
      { name: "b", data: b, grad: db },
    ]);
  });

  test("activations: tanh, relu, softplus", () => {
    const r = new RandomArrays(2);
    const x = r.awayFromZero(20, 0.05, 3);
    const rw = r.uniform(20);
    check("tanh", () => dot(rw, tanhForward(x)), [
      { name: "x", data: x, grad: tanhBackward(tanhForward(x), rw) },
    ]);
    check("relu", () => dot(rw, reluForward(x)), [{ name: "x", data: x, grad: reluBackward(x, rw) }]);
    check("softplus", () => dot(rw, softplusForward(x)), [
      { name: "x", data: x, grad: softplusBackward(x, rw) },
    ]);
    const big = softplusForward(new Float64Array([800, -800, 0]));
    assert.equal(big[0], 800);
    assert.ok((big[1] as number) >= 0 && (big[1] as number) < 1e-300);
    assert.ok(Math.abs((big[2] as number) - Math.LN2) < 1e-15);
  });

  test("weighted mean pooling with mask: dX and dWeights", () => {
    const r = new RandomArrays(3);
    const [B, L, d] = [3, 4, 5];
    const x = r.uniform(B * L * d);
    const w = r.uniform(B * L, 0.2, 2);
    // sequence 0 full, sequence 1 has two padding tokens, sequence 2 is all padding
    const mask = new Uint8Array([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const rw = r.uniform(B * d);
    const f = () => dot(rw, weightedMeanPoolForward(x, w, mask, B, L, d).pooled);
    const fwd = weightedMeanPoolForward(x, w, mask, B, L, d);
    for (let c = 0; c < d; c++) assert.equal(fwd.pooled[2 * d + c], 0);
    const { dX, dW } = weightedMeanPoolBackward(x, w, mask, fwd, rw, B, L, d);
    check("pooling", f, [
      { name: "x", data: x, grad: dX },
      { name: "w", data: w, grad: dW },
    ]);
    // without a mask: the plain weighted mean
    const noMask = weightedMeanPoolForward(x, w, null, B, L, d);
    const g = weightedMeanPoolBackward(x, w, null, noMask, rw, B, L, d);
    check("pooling (no mask)", () => dot(rw, weightedMeanPoolForward(x, w, null, B, L, d).pooled), [
      { name: "x", data: x, grad: g.dX },
      { name: "w", data: w, grad: g.dW },
    ]);
  });

  test("embedding bag: sparse word and n-gram gradients; gather", () => {
    const r = new RandomArrays(4);
    const [V, NB, dim] = [6, 9, 4];
    const word = r.uniform(V * dim);
    const ngram = r.uniform(NB * dim);
    // tokens: normal, OOV with n-grams, word without n-grams, repeated n-gram, padding
    const input: BagInput = {
      wordIds: new Int32Array([2, -1, 5, 2, -1]),
      ngramOffsets: new Int32Array([0, 3, 5, 5, 8, 8]),
      ngramIds: new Int32Array([1, 4, 7, 4, 0, 3, 3, 8]),
    };
    const T = input.wordIds.length;
    const rw = r.uniform(T * dim);
    const out = embeddingBagForward(word, ngram, dim, input);
    for (let c = 0; c < dim; c++) {
      assert.equal(out[4 * dim + c], 0, "padding token is zero");
      assert.equal(out[2 * dim + c], word[5 * dim + c], "word-only token is the word row");
    }
    const f = () => dot(rw, embeddingBagForward(word, ngram, dim, input));
    const g = embeddingBagBackward(input, rw, dim);
    const gi = embeddingBagBackward(input, rw, dim, { word: V, ngram: NB });
    assert.deepEqual([...gi.ngram.values], [...g.ngram.values]);
    assert.deepEqual([...g.word.rows], [2, 5]);
    assert.deepEqual([...g.ngram.rows], [1, 4, 7, 0, 3, 8]);
    check("embedding bag", f, [
      { name: "word", data: word, grad: sparseToDense(g.word, V) },
      { name: "ngram", data: ngram, grad: sparseToDense(g.ngram, NB) },
    ]);

    const ids = new Int32Array([3, -1, 3, 0]);
    const rg = r.uniform(ids.length * dim);
    const gg = gatherRowsBackward(ids, rg, dim);
    assert.deepEqual([...gg.rows], [3, 0]);
    check("gather", () => dot(rg, gatherRowsForward(word, ids, dim)), [
      { name: "table", data: word, grad: sparseToDense(gg, V) },
    ]);
  });

  test("sparse accumulator (Map or dense index) sums repeated rows; merge and clear", () => {
    for (const tableRows of [undefined, 10]) {
      const acc = new SparseAccumulator(2, new Float32Array(0), { capacity: 1, tableRows });
      const src = new Float32Array([1, 2, 3, 4]);
      acc.add(7, src, 0);
      acc.add(3, src, 2, 2);
      acc.add(7, src, 2);
      acc.add(9, src, 0, -1);
      const rows = acc.toRows();
      assert.deepEqual([...rows.rows], [7, 3, 9]);
      assert.deepEqual([...rows.values], [4, 6, 6, 8, -1, -2]);
      acc.clear();
      assert.equal(acc.size, 0);
      acc.add(3, src, 0);
      assert.deepEqual([...acc.toRows().values], [1, 2]);
      const merged = mergeSparseRows([rows, acc.toRows()], new Float32Array(0));
      assert.deepEqual([...merged.rows], [7, 3, 9]);
      assert.deepEqual([...sparseToDense(merged, 10).subarray(6, 8)], [7, 10]);
    }
  });

  test("packBags pads texts into a B×L batch with a mask", () => {
    const a: BagInput = {
      wordIds: new Int32Array([4, -1, 2]),
      ngramOffsets: new Int32Array([0, 2, 3, 3]),
      ngramIds: new Int32Array([7, 8, 9]),
    };
    const b: BagInput = {
      wordIds: new Int32Array([1]),
      ngramOffsets: new Int32Array([0, 1]),
      ngramIds: new Int32Array([5]),
    };
    const packed = packBags([a, b]);
    assert.equal(packed.L, 3);
    assert.deepEqual([...packed.input.wordIds], [4, -1, 2, 1, -1, -1]);
    assert.deepEqual([...packed.mask], [1, 1, 1, 1, 0, 0]);
    assert.deepEqual([...packed.input.ngramOffsets], [0, 2, 3, 3, 4, 4, 4]);
    assert.deepEqual([...packed.input.ngramIds], [7, 8, 9, 5]);
    const capped = packBags([a, b], 2);
    assert.equal(capped.L, 2);
    assert.deepEqual([...capped.input.wordIds], [4, -1, 1, -1]);
    assert.deepEqual([...capped.input.ngramIds], [7, 8, 9, 5]);
    assert.deepEqual([...capped.input.ngramOffsets], [0, 2, 3, 4, 4]);
  });

  test("L2 normalise (a zero row stays zero with zero gradient)", () => {
    const r = new RandomArrays(5);
    const [n, d] = [4, 6];
    const x = r.uniform(n * d);
    x.fill(0, 2 * d, 3 * d);
    const rw = r.uniform(n * d);
    const fwd = l2NormalizeForward(x, n, d);
    for (const i of [0, 1, 3]) {
      let ss = 0;
      for (let c = 0; c < d; c++) ss += (fwd.y[i * d + c] as number) ** 2;
      assert.ok(Math.abs(ss - 1) < 1e-12);
    }
    const dX = l2NormalizeBackward(fwd, rw, n, d);
    for (let c = 0; c < d; c++) assert.equal(dX[2 * d + c], 0);
    // check only the non-zero rows (perturbing a zero row leaves the zero-row regime)
    const rows = x.subarray(0, 2 * d);
    check("normalize", () => dot(rw, l2NormalizeForward(x, n, d).y), [
      { name: "x[0..2)", data: rows, grad: dX.subarray(0, 2 * d) },
    ]);
  });

  test("InfoNCE: dQ and dD with in-batch and hard negatives, with and without exclusions", () => {
    const r = new RandomArrays(6);
    const [B, N, d] = [3, 7, 5];
    const q = r.uniform(B * d);
    const docs = r.uniform(N * d);
    const tau = 0.5;
    const res = infoNce(q, docs, B, N, d, tau);
    assert.ok(res.loss > 0);
    check("infoNce", () => infoNce(q, docs, B, N, d, tau).loss, [
      { name: "Q", data: q, grad: res.dQ },
      { name: "D", data: docs, grad: res.dD },
    ]);
    const exclude = new Uint8Array(B * N);
    exclude[0 * N + 2] = 1;
    exclude[1 * N + 1] = 1; // the positive itself: ignored
    exclude[2 * N + 6] = 1;
    const rx = infoNce(q, docs, B, N, d, tau, { exclude });
    check("infoNce (exclude)", () => infoNce(q, docs, B, N, d, tau, { exclude }).loss, [
      { name: "Q", data: q, grad: rx.dQ },
      { name: "D", data: docs, grad: rx.dD },
    ]);
    // an excluded document gets no gradient from that query alone
    const only = infoNce(q.subarray(0, d), docs, 1, N, d, tau, { exclude: exclude.subarray(0, N) });
    for (let c = 0; c < d; c++) assert.equal(only.dD[2 * d + c], 0);
  });

  test("cosine similarity matrix: gradients to query and document term vectors", () => {
    const r = new RandomArrays(7);
    const [P, Lq, Ld, d] = [2, 3, 4, 5];
    const q = r.uniform(Lq * d);
    const docs = r.uniform(P * Ld * d);
    const rw = r.uniform(P * Lq * Ld);
    const fwd = cosineMatrixForward(q, docs, P, Lq, Ld, d);
    for (const s of fwd.sim) assert.ok(Math.abs(s) <= 1 + 1e-12);
    const g = cosineMatrixBackward(fwd, rw, P, Lq, Ld, d);
    check("cosine matrix", () => dot(rw, cosineMatrixForward(q, docs, P, Lq, Ld, d).sim), [
      { name: "q", data: q, grad: g.dQ },
      { name: "docs", data: docs, grad: g.dDocs },
    ]);
  });

  test("kernel pooling with query and document masks", () => {
    const r = new RandomArrays(8);
    const [P, Lq, Ld] = [2, 3, 5];
    const kernels: Kernels = {
      mu: new Float64Array([0.9, 0.5, 0.1, -0.3, -0.7]),
      sigma: new Float64Array([0.2, 0.2, 0.3, 0.2, 0.25]),
    };
    const sim = r.uniform(P * Lq * Ld, -0.95, 0.95);
    const shape: KernelPoolingShape = {
      P,
      Lq,
      Ld,
      qMask: new Uint8Array([1, 1, 0, 1, 1, 1]),
      dMask: new Uint8Array([1, 1, 1, 0, 0, 1, 1, 1, 1, 1]),
    };
    const K = kernels.mu.length;
    const rw = r.uniform(P * K);
    const fwd = kernelPoolingForward(sim, shape, kernels);
    const dSim = kernelPoolingBackward(sim, shape, kernels, fwd, rw);
    // masked positions get no gradient
    for (let j = 0; j < Ld; j++) assert.equal(dSim[(0 * Lq + 2) * Ld + j], 0);
    assert.equal(dSim[(0 * Lq + 0) * Ld + 3], 0);
    check("kernel pooling", () => dot(rw, kernelPoolingForward(sim, shape, kernels).features), [
      { name: "sim", data: sim, grad: dSim },
    ]);
    // a query mask of length Lq is shared by every pair
    const shared: KernelPoolingShape = { ...shape, qMask: new Uint8Array([1, 0, 1]) };
    const fs = kernelPoolingForward(sim, shared, kernels);
    const ds = kernelPoolingBackward(sim, shared, kernels, fs, rw);
    for (let j = 0; j < Ld; j++) assert.equal(ds[(1 * Lq + 1) * Ld + j], 0);
    check(
      "kernel pooling (shared query mask)",
      () => dot(rw, kernelPoolingForward(sim, shared, kernels).features),
      [{ name: "sim", data: sim, grad: ds }],
    );
  });

  test("default K-NRM kernels", () => {
    const k = defaultKernels(11);
    assert.equal(k.mu[0], 1);
    assert.equal(k.sigma[0], 1e-3);
    const mus = [...k.mu.subarray(1)].map((m) => Math.round(m * 10) / 10);
    assert.deepEqual(mus, [0.9, 0.7, 0.5, 0.3, 0.1, -0.1, -0.3, -0.5, -0.7, -0.9]);
    assert.ok([...k.sigma.subarray(1)].every((s) => s === 0.1));
  });

  for (const activation of ["tanh", "relu"] as const) {
    test(`MLP scoring head (${activation})`, () => {
      const r = new RandomArrays(9);
      const n = 4;
      const shape: MlpShape = { inDim: 5, hidden: 6, activation };
      const x = r.uniform(n * shape.inDim);
      const weights: MlpWeights<Float64Array> = {
        w1: r.uniform(shape.hidden * shape.inDim),
        b1: r.awayFromZero(shape.hidden, 0.05, 0.5),
        w2: r.uniform(shape.hidden),
        b2: r.uniform(1),
      };
      const grads: MlpWeights<Float64Array> = {
        w1: zeros(weights.w1.length),
        b1: zeros(weights.b1.length),
        w2: zeros(weights.w2.length),
        b2: zeros(1),
      };
      const rw = r.uniform(n);
      const fwd = mlpForward(x, n, shape, weights);
      if (activation === "relu") {
        for (const v of fwd.pre) assert.ok(Math.abs(v) > 1e-4, "pre-activation too close to the kink");
      }
      const dX = mlpBackward(x, n, shape, weights, fwd, rw, grads);
      check(`mlp ${activation}`, () => dot(rw, mlpForward(x, n, shape, weights).scores), [
        { name: "x", data: x, grad: dX },
        { name: "w1", data: weights.w1, grad: grads.w1 },
        { name: "b1", data: weights.b1, grad: grads.b1 },
        { name: "w2", data: weights.w2, grad: grads.w2 },
        { name: "b2", data: weights.b2, grad: grads.b2 },
      ]);
    });
  }
});

describe("gradient checks: ranking losses", () => {
  test("pairwise logistic (RankNet), weighted pairs from graded labels", () => {
    const r = new RandomArrays(10);
    const labels = [2, 0, 1, 0, 1, 3, 0];
    const offsets = new Int32Array([0, 4, 7]);
    const scores = r.uniform(labels.length, -2, 2);
    const pairs = pairsFromLabels(labels, offsets);
    assert.equal(pairs.pos.length, 5 + 3);
    for (let k = 0; k < pairs.pos.length; k++) {
      assert.ok((labels[pairs.pos[k] as number] as number) > (labels[pairs.neg[k] as number] as number));
    }
    for (const options of [{}, { sigma: 2, weights: pairs.weights }]) {
      const res = pairwiseLogisticLoss(scores, pairs.pos, pairs.neg, options);
      check("pairwise", () => pairwiseLogisticLoss(scores, pairs.pos, pairs.neg, options).loss, [
        { name: "scores", data: scores, grad: res.dScores },
      ]);
    }
    // a single (pos, neg) pair: log(1 + e^{-(s+ - s-)})
    const one = pairwiseLogisticLoss(new Float64Array([1, 0]), new Int32Array([0]), new Int32Array([1]));
    assert.ok(Math.abs(one.loss - Math.log1p(Math.exp(-1))) < 1e-12);
  });

  test("listwise softmax cross-entropy with graded labels", () => {
    const r = new RandomArrays(14);
    // third group has no relevant document: skipped
    const labels = [2, 0, 1, 0, 0, 3, 1, 0, 0];
    const offsets = new Int32Array([0, 4, 7, 9]);
    const scores = r.uniform(labels.length, -2, 2);
    for (const options of [{}, { gain: "exp2" as const, temperature: 0.7 }]) {
      const res = listwiseSoftmaxLoss(scores, labels, offsets, options);
      assert.equal(res.groups, 2);
      for (const i of [7, 8]) assert.equal(res.dScores[i], 0);
      check("listwise", () => listwiseSoftmaxLoss(scores, labels, offsets, options).loss, [
        { name: "scores", data: scores, grad: res.dScores },
      ]);
    }
    // ranking the relevant document first lowers the loss
    const good = listwiseSoftmaxLoss(new Float64Array([3, 0, 0]), [1, 0, 0], new Int32Array([0, 3])).loss;
    const bad = listwiseSoftmaxLoss(new Float64Array([0, 3, 0]), [1, 0, 0], new Int32Array([0, 3])).loss;
    assert.ok(good < bad);
  });
});

// ---- compositions -------------------------------------------------------------------------

interface EmbedderParams<T extends Vec> {
  word: T;
  ngram: T;
  /** (V+1)×1 token-weight logits; row V is the out-of-vocabulary weight. */
  theta: T;
  w: T;
  b: T;
}

interface EmbedderDims {
  V: number;
  NB: number;
  E: number;
  d: number;
}

interface EmbedderBatch {
  /** B queries then N documents, each padded to L tokens. */
  input: BagInput;
  weightIds: Int32Array;
  mask: Uint8Array;
  B: number;
  N: number;
  L: number;
}

function randomEmbedderBatch(
  r: RandomArrays,
  dims: EmbedderDims,
  B: number,
  N: number,
  L: number,
): EmbedderBatch {
  const S = B + N;
  const wordIds = new Int32Array(S * L);
  const weightIds = new Int32Array(S * L);
  const mask = new Uint8Array(S * L);
  const offsets = [0];
  const ngramIds: number[] = [];
  for (let s = 0; s < S; s++) {
    const len = 1 + r.int(L);
    for (let t = 0; t < L; t++) {
      const i = s * L + t;
      if (t < len) {
        const wid = r.int(dims.V + 1) - 1; // −1 = OOV
        wordIds[i] = wid;
        weightIds[i] = wid >= 0 ? wid : dims.V;
        mask[i] = 1;
        const count = wid < 0 ? 1 + r.int(3) : r.int(4);
        for (let k = 0; k < count; k++) ngramIds.push(r.int(dims.NB));
      } else {
        wordIds[i] = -1;
        weightIds[i] = -1;
      }
      offsets.push(ngramIds.length);
    }
  }
  return {
    input: { wordIds, ngramOffsets: Int32Array.from(offsets), ngramIds: Int32Array.from(ngramIds) },
    weightIds,
    mask,
    B,
    N,
    L,
  };
}

interface EmbedderGrads<T extends Vec> {
  word: SparseRows<T>;
  ngram: SparseRows<T>;
  theta: SparseRows<T>;
  w: T;
  b: T;
}

/** embedding bag → token weights (softplus) → pooling → linear → normalise → InfoNCE. */
function embedderStep<T extends Vec>(
  p: EmbedderParams<T>,
  dims: EmbedderDims,
  batch: EmbedderBatch,
  tau: number,
): { loss: number; accuracy: number; grads: EmbedderGrads<T> } {
  const { E, d } = dims;
  const { B, N, L, input, weightIds, mask } = batch;
  const S = B + N;
  const tokens = embeddingBagForward(p.word, p.ngram, E, input);
  const logits = gatherRowsForward(p.theta, weightIds, 1);
  const weights = softplusForward(logits);
  const pool = weightedMeanPoolForward(tokens, weights, mask, S, L, E);
  const proj = linearForward(pool.pooled, p.w, p.b, S, E, d);
  const norm = l2NormalizeForward(proj, S, d);
  const loss = infoNce(norm.y.subarray(0, B * d) as T, norm.y.subarray(B * d) as T, B, N, d, tau);
  const dAll = tokensLike(p.w, S * d);
  dAll.set(loss.dQ);
  dAll.set(loss.dD, B * d);
  const dProj = l2NormalizeBackward(norm, dAll, S, d);
  const dW = tokensLike(p.w, p.w.length);
  const db = tokensLike(p.b, p.b.length);
  const dPooled = linearBackward(pool.pooled, p.w, dProj, S, E, d, dW, db);
  const { dX: dTokens, dW: dWeights } = weightedMeanPoolBackward(
    tokens,
    weights,
    mask,
    pool,
    dPooled,
    S,
    L,
    E,
  );
  const dLogits = softplusBackward(logits, dWeights);
  const theta = gatherRowsBackward(weightIds, dLogits, 1);
  const bag = embeddingBagBackward(input, dTokens, E);
  return {
    loss: loss.loss,
    accuracy: loss.accuracy,
    grads: { word: bag.word, ngram: bag.ngram, theta, w: dW, b: db },
  };
}

function tokensLike<T extends Vec>(like: T, n: number): T {
  return (like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n)) as T;
}

function randomEmbedderParams(r: RandomArrays, dims: EmbedderDims): EmbedderParams<Float64Array> {
  return {
    word: r.uniform(dims.V * dims.E),
    ngram: r.uniform(dims.NB * dims.E),
    theta: r.uniform(dims.V + 1),
    w: r.uniform(dims.d * dims.E),
    b: r.uniform(dims.d, -0.1, 0.1),
  };
}

describe("gradient checks: compositions", () => {
  test("embedder: embedding bag → weighted pooling → linear → normalise → InfoNCE", () => {
    const r = new RandomArrays(20);
    const dims: EmbedderDims = { V: 8, NB: 13, E: 5, d: 4 };
    const batch = randomEmbedderBatch(r, dims, 3, 5, 4);
    const p = randomEmbedderParams(r, dims);
    const tau = 0.2;
    const { grads } = embedderStep(p, dims, batch, tau);
    check("embedder", () => embedderStep(p, dims, batch, tau).loss, [
      { name: "word", data: p.word, grad: sparseToDense(grads.word, dims.V) },
      { name: "ngram", data: p.ngram, grad: sparseToDense(grads.ngram, dims.NB) },
      { name: "theta", data: p.theta, grad: sparseToDense(grads.theta, dims.V + 1) },
      { name: "W", data: p.w, grad: grads.w },
      { name: "b", data: p.b, grad: grads.b },
    ]);
  });

  test("reranker: cosine matrix → kernel pooling ⊕ lexical features → MLP → listwise loss", () => {
    const r = new RandomArrays(21);
    const [P, Lq, Ld, E, F] = [4, 3, 5, 6, 3];
    const kernels = defaultKernels(6, 0.25);
    const K = kernels.mu.length;
    const mlpShape: MlpShape = { inDim: K + F, hidden: 5, activation: "tanh" };
    const q = r.uniform(Lq * E);
    const docs = r.uniform(P * Ld * E);
    const lexical = r.uniform(P * F);
    const labels = [0, 2, 1, 0];
    const offsets = new Int32Array([0, P]);
    const shape: KernelPoolingShape = {
      P,
      Lq,
      Ld,
      qMask: new Uint8Array([1, 1, 0]),
      dMask: new Uint8Array([1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0]),
    };
    // scale the soft-match features down (≈ K-NRM's 0.01 factor) so tanh does not saturate
    const weights: MlpWeights<Float64Array> = {
      w1: r.uniform(mlpShape.hidden * mlpShape.inDim, -0.1, 0.1),
      b1: r.uniform(mlpShape.hidden),
      w2: r.uniform(mlpShape.hidden),
      b2: r.uniform(1),
    };
    const forward = () => {
      const cos = cosineMatrixForward(q, docs, P, Lq, Ld, E);
      const kp = kernelPoolingForward(cos.sim, shape, kernels);
      const x = concatColumns(kp.features, K, lexical, F, P);
      const mlp = mlpForward(x, P, mlpShape, weights);
      const loss = listwiseSoftmaxLoss(mlp.scores, labels, offsets);
      return { cos, kp, x, mlp, loss };
    };
    const fw = forward();
    const grads: MlpWeights<Float64Array> = {
      w1: zeros(weights.w1.length),
      b1: zeros(weights.b1.length),
      w2: zeros(weights.w2.length),
      b2: zeros(1),
    };
    const dX = mlpBackward(fw.x, P, mlpShape, weights, fw.mlp, fw.loss.dScores, grads);
    const [dFeatures, dLexical] = splitColumns(dX, K, F, P);
    const dSim = kernelPoolingBackward(fw.cos.sim, shape, kernels, fw.kp, dFeatures);
    const { dQ, dDocs } = cosineMatrixBackward(fw.cos, dSim, P, Lq, Ld, E);
    check("reranker", () => forward().loss.loss, [
      { name: "q", data: q, grad: dQ },
      { name: "docs", data: docs, grad: dDocs },
      { name: "lexical", data: lexical, grad: dLexical },
      { name: "w1", data: weights.w1, grad: grads.w1 },
      { name: "b1", data: weights.b1, grad: grads.b1 },
      { name: "w2", data: weights.w2, grad: grads.w2 },
      { name: "b2", data: weights.b2, grad: grads.b2 },
    ]);
  });
});

describe("InfoNCE behaviour", () => {
  test("a perfectly aligned batch has lower loss than shuffled pairs", () => {
    const r = new RandomArrays(30);
    const [B, H, d] = [8, 4, 16];
    const N = B + H;
    const q = l2NormalizeForward(r.uniform(B * d), B, d).y;
    const docs = new Float64Array(N * d);
    docs.set(q);
    docs.set(l2NormalizeForward(r.uniform(H * d), H, d).y, B * d);
    const shuffled = new Float64Array(docs);
    for (let i = 0; i < B; i++) shuffled.set(q.subarray(((i + 1) % B) * d, (((i + 1) % B) + 1) * d), i * d);
    const aligned = infoNce(q, docs, B, N, d, 0.05);
    const wrong = infoNce(q, shuffled, B, N, d, 0.05);
    assert.ok(aligned.loss < wrong.loss, `${aligned.loss} vs ${wrong.loss}`);
    assert.equal(aligned.accuracy, 1);
    assert.equal(wrong.accuracy, 0);
  });
});

describe("AdamW, clipping, schedule, parameters", () => {
  test("AdamW minimises a quadratic", () => {
    const target = new Float32Array([1, -2, 3, 0.5]);
    const scale = [1, 10, 0.1, 3];
    const data = new Float32Array(4);
    const grad = new Float32Array(4);
    const lossOf = () =>
      data.reduce((s, v, i) => s + (scale[i] as number) * (v - (target[i] as number)) ** 2, 0);
    const initial = lossOf();
    const opt = new AdamW({ weightDecay: 0 });
    for (let step = 0; step < 2000; step++) {
      for (let i = 0; i < 4; i++)
        grad[i] = 2 * (scale[i] as number) * ((data[i] as number) - (target[i] as number));
      opt.step(0.05, [{ name: "x", data, grad }]);
    }
    assert.ok(lossOf() < initial * 1e-4, `loss ${lossOf()} from ${initial}`);
    assert.equal(opt.stateOf("x")?.steps[0], 2000);
    // decoupled weight decay alone shrinks parameters: θ·(1 − lr·wd) with a zero gradient
    const w = new Float32Array([2]);
    new AdamW({ weightDecay: 0.1 }).step(0.5, [{ name: "w", data: w, grad: new Float32Array(1) }]);
    assert.ok(Math.abs((w[0] as number) - 2 * (1 - 0.05)) < 1e-6);
  });

  test("first AdamW step moves each element by lr (bias correction)", () => {
    const data = new Float32Array([0, 0, 0]);
    new AdamW({ weightDecay: 0 }).step(0.01, [{ name: "x", data, grad: new Float32Array([5, -0.001, 0]) }]);
    assert.ok(Math.abs((data[0] as number) + 0.01) < 1e-6);
    assert.ok(Math.abs((data[1] as number) - 0.01) < 1e-5);
    assert.equal(data[2], 0);
  });

  test("sparse update touches only the given rows, with per-row step counts", () => {
    const dim = 3;
    const rows = 10;
    const table = new Float32Array(rows * dim).map((_, i) => i / 10);
    const before = new Float32Array(table);
    const opt = new AdamW({ weightDecay: 0.01 });
    const grad: SparseRows<Float32Array> = {
      rows: new Int32Array([2, 7]),
      values: new Float32Array([1, 1, 1, -1, -1, -1]),
      dim,
    };
    for (let s = 0; s < 5; s++) {
      opt.step(
        0.1,
        [],
        [
          {
            name: "emb",
            data: table,
            grad: { ...grad, rows: new Int32Array([2]), values: grad.values.slice(0, 3) },
          },
        ],
      );
    }
    opt.step(0.1, [], [{ name: "emb", data: table, grad }]);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < dim; c++) {
        const i = r * dim + c;
        if (r === 2 || r === 7) assert.notEqual(table[i], before[i], `row ${r} updated`);
        else assert.equal(table[i], before[i], `row ${r} untouched`);
      }
    }
    const state = opt.stateOf("emb");
    assert.ok(state);
    assert.equal(state.steps[2], 6);
    assert.equal(state.steps[7], 1);
    assert.equal(state.steps[0], 0);
    // row 7's first update is a first-step update (≈ lr, plus its weight decay), not ≈3×lr
    const moved = (table[7 * dim] as number) - (before[7 * dim] as number) * (1 - 0.1 * 0.01);
    assert.ok(Math.abs(moved - 0.1) < 1e-5, `moved ${moved}`);
  });

  test("global-norm clipping scales dense and sparse gradients together", () => {
    const dense = new Float32Array([3, 4]);
    const sparse: SparseRows<Float32Array> = {
      rows: new Int32Array([5]),
      values: new Float32Array([12]),
      dim: 1,
    };
    assert.ok(Math.abs(globalGradNorm([dense], [sparse]) - 13) < 1e-6);
    const untouched = clipGradNorm(100, [dense], [sparse]);
    assert.equal(untouched.scale, 1);
    assert.equal(dense[0], 3);
    const clipped = clipGradNorm(1, [dense], [sparse]);
    assert.ok(Math.abs(clipped.norm - 13) < 1e-6);
    assert.ok(Math.abs(clipped.scale - 1 / 13) < 1e-6);
    assert.ok(Math.abs(globalGradNorm([dense], [sparse]) - 1) < 1e-5);
    assert.ok(Math.abs((sparse.values[0] as number) - 12 / 13) < 1e-6);
    const bad = clipGradNorm(1, [new Float32Array([Number.NaN])]);
    assert.ok(Number.isNaN(bad.norm));
  });

  test("learning-rate schedule: warm-up then linear or cosine decay", () => {
    const linear = lrSchedule({ baseLr: 1e-3, warmupSteps: 10, totalSteps: 110 });
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);
    close(linear(0), 1e-4);
    close(linear(4), 5e-4);
    close(linear(9), 1e-3);
    close(linear(10), 1e-3);
    close(linear(60), 5e-4);
    close(linear(110), 0);
    close(linear(500), 0);
    const cosine = lrSchedule({
      baseLr: 1e-3,
      warmupSteps: 10,
      totalSteps: 110,
      decay: "cosine",
      minLr: 1e-5,
    });
    close(cosine(9), 1e-3);
    close(cosine(10), 1e-3);
    close(cosine(60), 1e-5 + (1e-3 - 1e-5) * 0.5);
    close(cosine(35), 1e-5 + (1e-3 - 1e-5) * 0.5 * (1 + Math.cos(Math.PI / 4)));
    close(cosine(110), 1e-5);
    const flat = lrSchedule({ baseLr: 2e-3, warmupSteps: 0, totalSteps: 10, decay: "constant" });
    close(flat(0), 2e-3);
    close(flat(9), 2e-3);
  });

  test("parameter store: seeded init, dense/sparse, safetensors-shaped round trip", () => {
    const build = (seed: number) => {
      const s = new ParamStore(seed);
      s.add("emb.word", [50, 8], { normal: 0.1 }, { sparse: true, weightDecay: 0 });
      s.add("proj.weight", [4, 8], "xavier");
      s.add("proj.bias", [4], "zeros", { weightDecay: 0 });
      return s;
    };
    const a = build(7);
    const b = build(7);
    const c = build(8);
    assert.deepEqual([...a.get("proj.weight").data], [...b.get("proj.weight").data]);
    assert.notDeepEqual([...a.get("proj.weight").data], [...c.get("proj.weight").data]);
    const limit = Math.sqrt(6 / (8 + 4));
    assert.ok(a.get("proj.weight").data.every((v) => Math.abs(v) <= limit));
    assert.equal(a.get("emb.word").grad, null);
    assert.equal(a.size(), 50 * 8 + 32 + 4);
    assert.deepEqual(
      a.denseTensors().map((t) => [t.name, t.weightDecay]),
      [
        ["proj.weight", undefined],
        ["proj.bias", 0],
      ],
    );
    c.load(a.toTensors());
    assert.deepEqual([...c.get("proj.weight").data], [...a.get("proj.weight").data]);
    assert.throws(
      () => c.load([{ name: "proj.bias", shape: [5], data: new Float32Array(5) }], false),
      /shape/,
    );
    assert.throws(() => c.load([{ name: "proj.bias", shape: [4], data: new Float32Array(4) }]), /missing/);
    assert.throws(() => a.add("proj.bias", [4], "zeros"), /exists/);
  });

  test("float32 training: AdamW with sparse table updates lowers the embedder's InfoNCE loss", () => {
    const r = new RandomArrays(40);
    const dims: EmbedderDims = { V: 30, NB: 40, E: 8, d: 6 };
    const batch = randomEmbedderBatch(r, dims, 6, 10, 5);
    const p64 = randomEmbedderParams(r, dims);
    const p: EmbedderParams<Float32Array> = {
      word: new Float32Array(p64.word),
      ngram: new Float32Array(p64.ngram),
      theta: new Float32Array(p64.theta),
      w: new Float32Array(p64.w),
      b: new Float32Array(p64.b),
    };
    const opt = new AdamW({ weightDecay: 0.01 });
    const schedule = lrSchedule({ baseLr: 0.05, warmupSteps: 5, totalSteps: 60 });
    const first = embedderStep(p, dims, batch, 0.1).loss;
    let last = first;
    for (let step = 0; step < 60; step++) {
      const { loss, grads } = embedderStep(p, dims, batch, 0.1);
      last = loss;
      clipGradNorm(5, [grads.w, grads.b], [grads.word, grads.ngram, grads.theta]);
      opt.step(
        schedule(step),
        [
          { name: "w", data: p.w, grad: grads.w },
          { name: "b", data: p.b, grad: grads.b, weightDecay: 0 },
        ],
        [
          { name: "word", data: p.word, grad: grads.word, weightDecay: 0 },
          { name: "ngram", data: p.ngram, grad: grads.ngram, weightDecay: 0 },
          { name: "theta", data: p.theta, grad: grads.theta, weightDecay: 0 },
        ],
      );
    }
    assert.ok(Number.isFinite(last));
    assert.ok(last < first * 0.5, `loss ${first} → ${last}`);
  });
});

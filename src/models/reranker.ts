/**
 * The K-NRM-family reranker: for a query and a candidate document it computes
 * - K soft-match features: RBF kernel pooling over the cosine similarities of the query's and
 *   the document's term vectors (from an embedder, frozen), averaged over query terms;
 * - lexical features: BM25 (raw, log, and relative to the list's best), weighted exact-match
 *   coverage, adjacent-bigram (proximity) matches, dense cosine of the two texts, document length;
 * standardises them and scores with a small MLP. Training (train-reranker.ts) fits the MLP.
 */
import type { Embedder } from "./embedder.ts";
import { defaultKernels, type Kernels, kernelPoolingForward } from "./nn/kernel-pooling.ts";
import { type MlpShape, type MlpWeights, mlpForward } from "./nn/mlp.ts";
import { ParamStore } from "./nn/params.ts";
import { matmulABt } from "./nn/tensor.ts";
import type { PairScorer, RerankCandidate } from "./types.ts";

export const RERANKER_ARCHITECTURE = "lodestone-knrm-reranker";

export const LEXICAL_FEATURES = [
  "bm25",
  "log_bm25",
  "bm25_relative",
  "exact_coverage",
  "bigram_matches",
  "dense_cosine",
  "log_doc_length",
] as const;

export interface RerankerConfig {
  architecture: typeof RERANKER_ARCHITECTURE;
  format_version: 1;
  kernels: { mu: number[]; sigma: number[] };
  features: string[];
  hidden: number;
  activation: "tanh";
  /** Document terms compared (the first this-many). */
  max_length: number;
  /**
   * The standardised feature added to the MLP's output: the model starts as this ranking (BM25)
   * and learns corrections to it, so early stopping can never end below BM25 on validation.
   */
  residual_feature: string;
}

export const RERANKER_PARAM = {
  w1: "mlp.0.weight",
  b1: "mlp.0.bias",
  w2: "mlp.2.weight",
  b2: "mlp.2.bias",
  mean: "features.mean",
  std: "features.std",
} as const;

/** A document as the features need it, computed once per text (candidates recur across queries). */
interface DocumentView {
  terms: ReturnType<Embedder["termVectors"]>;
  embedding: Float32Array;
}

const DOCUMENT_CACHE_SIZE = 4096;

export class Reranker implements PairScorer {
  readonly config: RerankerConfig;
  readonly embedder: Embedder;
  readonly params: ParamStore;
  private readonly kernels: Kernels;
  private readonly documents = new Map<string, DocumentView>();

  constructor(config: RerankerConfig, embedder: Embedder, params: ParamStore) {
    this.config = config;
    this.embedder = embedder;
    this.params = params;
    this.kernels = {
      mu: Float64Array.from(config.kernels.mu),
      sigma: Float64Array.from(config.kernels.sigma),
    };
  }

  static create(
    embedder: Embedder,
    opts: { hidden?: number; maxLength?: number; seed?: number } = {},
  ): Reranker {
    const kernels = defaultKernels(11);
    const config: RerankerConfig = {
      architecture: RERANKER_ARCHITECTURE,
      format_version: 1,
      kernels: { mu: [...kernels.mu], sigma: [...kernels.sigma] },
      features: [...kernels.mu].map((mu) => `kernel_${mu.toFixed(2)}`).concat(LEXICAL_FEATURES),
      hidden: opts.hidden ?? 4,
      activation: "tanh",
      max_length: opts.maxLength ?? 256,
      residual_feature: "bm25",
    };
    const params = Reranker.emptyParams(config, opts.seed ?? 3);
    params.get(RERANKER_PARAM.std).data.fill(1);
    return new Reranker(config, embedder, params);
  }

  static emptyParams(config: RerankerConfig, seed = 3): ParamStore {
    const params = new ParamStore(seed);
    const F = config.features.length;
    params.add(RERANKER_PARAM.w1, [config.hidden, F], "xavier");
    params.add(RERANKER_PARAM.b1, [config.hidden], "zeros", { weightDecay: 0 });
    params.add(RERANKER_PARAM.w2, [1, config.hidden], "zeros");
    params.add(RERANKER_PARAM.b2, [1], "zeros", { weightDecay: 0 });
    // Standardisation, fitted once on the training features, not trained by the optimiser.
    params.add(RERANKER_PARAM.mean, [F], "zeros", { sparse: true });
    params.add(RERANKER_PARAM.std, [F], { constant: 1 }, { sparse: true });
    return params;
  }

  get featureCount(): number {
    return this.config.features.length;
  }

  get mlpShape(): MlpShape {
    return { inDim: this.featureCount, hidden: this.config.hidden, activation: this.config.activation };
  }

  mlpWeights(): MlpWeights<Float32Array> {
    const p = (n: string) => this.params.get(n).data;
    return {
      w1: p(RERANKER_PARAM.w1),
      b1: p(RERANKER_PARAM.b1),
      w2: p(RERANKER_PARAM.w2),
      b2: p(RERANKER_PARAM.b2),
    };
  }

  /** Raw (unstandardised) features, candidates × featureCount, row-major. */
  features(query: string, candidates: readonly RerankCandidate[]): Float32Array {
    const F = this.featureCount;
    const K = this.kernels.mu.length;
    const d = this.embedder.config.word_dimension;
    const out = new Float32Array(candidates.length * F);
    const q = this.embedder.termVectors(query);
    const Lq = q.encoded.length;
    const qWeights = q.encoded.wordIds.map((id) => this.embedder.tokenWeight(id));
    const qTerms = q.encoded.tokens;
    const qBigrams = new Set<string>();
    for (let i = 1; i < Lq; i++) qBigrams.add(`${qTerms[i - 1]} ${qTerms[i]}`);
    let weightTotal = 0;
    for (const w of qWeights) weightTotal += w;
    const queryEmbedding = this.embedder.encode([query]);
    const dim = this.embedder.dimension;
    let bestBm25 = 0;
    for (const c of candidates) bestBm25 = Math.max(bestBm25, c.bm25);
    candidates.forEach((c, p) => {
      const o = p * F;
      const view = this.documentView(c.text);
      const doc = view.terms;
      const Ld = doc.encoded.length;
      if (Lq > 0 && Ld > 0) {
        const sim = matmulABt(q.vectors, doc.vectors, Lq, d, Ld, new Float32Array(Lq * Ld));
        const { features } = kernelPoolingForward(
          sim,
          { P: 1, Lq, Ld, qMask: null, dMask: null },
          this.kernels,
        );
        for (let k = 0; k < K; k++) out[o + k] = (features[k] as number) / Lq;
      }
      const docTerms = new Set(doc.encoded.tokens);
      let covered = 0;
      qTerms.forEach((t, i) => {
        if (docTerms.has(t)) covered += qWeights[i] as number;
      });
      let bigrams = 0;
      const dt = doc.encoded.tokens;
      for (let j = 1; j < Ld; j++) if (qBigrams.has(`${dt[j - 1]} ${dt[j]}`)) bigrams++;
      let cosine = 0;
      for (let i = 0; i < dim; i++) cosine += (queryEmbedding[i] as number) * (view.embedding[i] as number);
      const lexical = [
        c.bm25,
        Math.log1p(Math.max(0, c.bm25)),
        bestBm25 > 0 ? c.bm25 / bestBm25 : 0,
        weightTotal > 0 ? covered / weightTotal : 0,
        Math.log1p(bigrams),
        cosine,
        Math.log1p(Ld),
      ];
      for (let i = 0; i < lexical.length; i++) out[o + K + i] = lexical[i] as number;
    });
    return out;
  }

  private documentView(text: string): DocumentView {
    let view = this.documents.get(text);
    if (!view) {
      if (this.documents.size >= DOCUMENT_CACHE_SIZE) this.documents.clear();
      view = {
        terms: this.embedder.termVectors(text, this.config.max_length),
        embedding: this.embedder.encode([text]),
      };
      this.documents.set(text, view);
    }
    return view;
  }

  /** Standardises features in place with the fitted mean and standard deviation. */
  standardize(features: Float32Array): Float32Array {
    const F = this.featureCount;
    const mean = this.params.get(RERANKER_PARAM.mean).data;
    const std = this.params.get(RERANKER_PARAM.std).data;
    for (let i = 0; i < features.length; i++) {
      const f = i % F;
      features[i] = ((features[i] as number) - (mean[f] as number)) / (std[f] as number);
    }
    return features;
  }

  /** Fits the standardisation to a feature matrix (rows × featureCount). */
  fitStandardization(features: Float32Array): void {
    const F = this.featureCount;
    const rows = features.length / F;
    const mean = this.params.get(RERANKER_PARAM.mean).data;
    const std = this.params.get(RERANKER_PARAM.std).data;
    for (let f = 0; f < F; f++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += features[r * F + f] as number;
      const m = rows ? s / rows : 0;
      let v = 0;
      for (let r = 0; r < rows; r++) v += ((features[r * F + f] as number) - m) ** 2;
      mean[f] = m;
      std[f] = Math.sqrt(rows ? v / rows : 0) || 1;
    }
  }

  /** Scores standardised features: the residual feature plus the MLP's correction. */
  scoreFeatures(x: Float32Array, n: number): Float32Array {
    return this.withResidual(mlpForward(x, n, this.mlpShape, this.mlpWeights()).scores, x, n);
  }

  /** MLP outputs plus the residual feature: the final scores (a copy; the MLP's stay as they are). */
  withResidual(mlpScores: Float32Array, x: Float32Array, n: number): Float32Array {
    const scores = mlpScores.slice(0, n);
    const F = this.featureCount;
    const r = this.config.features.indexOf(this.config.residual_feature);
    if (r >= 0) for (let i = 0; i < n; i++) scores[i] = (scores[i] as number) + (x[i * F + r] as number);
    return scores;
  }

  score(query: string, candidates: readonly RerankCandidate[]): Float32Array {
    if (candidates.length === 0) return new Float32Array(0);
    return this.scoreFeatures(this.standardize(this.features(query, candidates)), candidates.length);
  }
}

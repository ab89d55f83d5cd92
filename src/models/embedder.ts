/**
 * The dual-encoder embedder: per token a word vector plus the mean of its hashed character n-gram
 * vectors (fastText style), a learned positive weight per word (softplus, initialised to the
 * word's IDF), weighted-mean pooling, a linear projection to the output dimension and L2
 * normalisation. Queries and documents share every parameter.
 *
 * Untrained, with GloVe word vectors and an orthonormal projection, it is exactly the
 * IDF-weighted mean of the GloVe vectors (cosine is preserved by the projection).
 *
 * Parameters (safetensors names): `embeddings.word` [V, 100], `embeddings.ngram` [buckets, 100],
 * `pooling.token_weight` [V + 1] (the last entry is for out-of-vocabulary words), `projection.weight`
 * [dim, 100] (the PyTorch layout of a linear weight, no bias).
 */
import { softplus, softplusBackward, softplusForward } from "./nn/activations.ts";
import {
  type BagInput,
  embeddingBagBackwardInto,
  embeddingBagForward,
  gatherRowsBackwardInto,
  gatherRowsForward,
} from "./nn/embedding-bag.ts";
import { linearBackward, linearForward } from "./nn/linear.ts";
import { l2NormalizeBackward, l2NormalizeForward, type NormalizeResult } from "./nn/normalize.ts";
import { ParamStore } from "./nn/params.ts";
import { type WeightedPoolResult, weightedMeanPoolBackward, weightedMeanPoolForward } from "./nn/pooling.ts";
import { SparseAccumulator, sparseToDense } from "./nn/sparse.ts";
import type { EncodedText, ModelTokenizer } from "./tokenizer.ts";
import type { TextEncoder } from "./types.ts";

export const EMBEDDER_ARCHITECTURE = "lodestone-dual-encoder";

export interface EmbedderConfig {
  architecture: typeof EMBEDDER_ARCHITECTURE;
  format_version: 1;
  /** Output dimension (what a knn_vector field must declare). */
  dimension: number;
  /** Dimension of the word and n-gram vectors (100: the GloVe vectors it starts from). */
  word_dimension: number;
  vocab_size: number;
  ngram_buckets: number;
  max_length: number;
  similarity: "cosine";
  pooling: "weighted_mean";
  /** Where the word vectors came from. */
  base_vectors: string;
}

export const PARAM = {
  word: "embeddings.word",
  ngram: "embeddings.ngram",
  tokenWeight: "pooling.token_weight",
  projection: "projection.weight",
} as const;

export interface EmbedderInit {
  tokenizer: ModelTokenizer;
  dimension: number;
  wordDimension: number;
  /** Initial word rows (vocab order), e.g. GloVe vectors; rows of unknown words stay 0. */
  wordVectors?: Float32Array;
  /** Initial token weights (vocab order, V + 1 with the OOV weight last), e.g. IDF. */
  tokenWeights?: Float32Array;
  baseVectors?: string;
  seed?: number;
}

/** What the forward pass keeps for the backward pass. */
export interface EmbedderForward {
  B: number;
  L: number;
  /** The batch's distinct words (each word's vector is computed once per batch). */
  words: BagInput;
  /** B×L padded tokens: index into `words` (−1 for padding) and the mask. */
  slots: Int32Array;
  mask: Uint8Array;
  weightIds: Int32Array;
  rawWeights: Float32Array;
  weights: Float32Array;
  wordVectors: Float32Array;
  tokens: Float32Array;
  pool: WeightedPoolResult<Float32Array>;
  norm: NormalizeResult<Float32Array>;
  /** B×dim L2-normalised embeddings. */
  embeddings: Float32Array;
}

/** Gradients of one step: dense ones live in the ParamStore, the two tables' are sparse. */
export interface EmbedderGrads {
  word: SparseAccumulator<Float32Array>;
  ngram: SparseAccumulator<Float32Array>;
}

const ENCODE_CHUNK = 256;

export class Embedder implements TextEncoder {
  readonly config: EmbedderConfig;
  readonly tokenizer: ModelTokenizer;
  readonly params: ParamStore;

  constructor(config: EmbedderConfig, tokenizer: ModelTokenizer, params: ParamStore) {
    this.config = config;
    this.tokenizer = tokenizer;
    this.params = params;
  }

  /** A new model: word rows and token weights from `init`, n-grams at 0, orthonormal projection. */
  static create(init: EmbedderInit): Embedder {
    const V = init.tokenizer.vocabulary.size;
    const d = init.wordDimension;
    const buckets = init.tokenizer.settings.buckets;
    const config: EmbedderConfig = {
      architecture: EMBEDDER_ARCHITECTURE,
      format_version: 1,
      dimension: init.dimension,
      word_dimension: d,
      vocab_size: V,
      ngram_buckets: buckets,
      max_length: init.tokenizer.settings.maxLength,
      similarity: "cosine",
      pooling: "weighted_mean",
      base_vectors: init.baseVectors ?? "none",
    };
    const params = Embedder.emptyParams(config, init.seed ?? 1);
    if (init.wordVectors) params.get(PARAM.word).data.set(init.wordVectors.subarray(0, V * d));
    const weights = params.get(PARAM.tokenWeight).data;
    if (init.tokenWeights)
      for (let i = 0; i <= V; i++) weights[i] = inverseSoftplus(init.tokenWeights[i] ?? 1);
    else weights.fill(inverseSoftplus(1));
    orthonormalInit(params.get(PARAM.projection).data, init.dimension, d, params.rng);
    return new Embedder(config, init.tokenizer, params);
  }

  /** The parameter tensors a config calls for, zero-filled (loading fills them). */
  static emptyParams(config: EmbedderConfig, seed = 1): ParamStore {
    const params = new ParamStore(seed);
    const d = config.word_dimension;
    params.add(PARAM.word, [config.vocab_size, d], "zeros", { sparse: true, weightDecay: 0 });
    params.add(PARAM.ngram, [config.ngram_buckets, d], "zeros", { sparse: true, weightDecay: 0 });
    params.add(PARAM.tokenWeight, [config.vocab_size + 1], "zeros", { weightDecay: 0 });
    params.add(PARAM.projection, [config.dimension, d], "zeros", { weightDecay: 0 });
    return params;
  }

  get dimension(): number {
    return this.config.dimension;
  }

  /** Inference: L2-normalised embeddings, row-major (texts.length × dimension). */
  encode(texts: readonly string[]): Float32Array {
    const dim = this.config.dimension;
    const out = new Float32Array(texts.length * dim);
    for (let i = 0; i < texts.length; i += ENCODE_CHUNK) {
      const chunk = texts.slice(i, i + ENCODE_CHUNK).map((t) => this.tokenizer.encode(t));
      out.set(this.forward(chunk).embeddings, i * dim);
    }
    return out;
  }

  /** Batched forward pass over tokenized texts, keeping what backward needs. */
  forward(texts: readonly EncodedText[]): EmbedderForward {
    const d = this.config.word_dimension;
    const dim = this.config.dimension;
    const V = this.config.vocab_size;
    const B = texts.length;
    const { words, slots, mask, L } = distinctWords(texts, this.config.max_length);
    const U = words.wordIds.length;
    const wordVectors = embeddingBagForward(
      this.params.get(PARAM.word).data,
      this.params.get(PARAM.ngram).data,
      d,
      words,
    );
    const tokens = gatherRowsForward(wordVectors, slots, d);
    const table = this.params.get(PARAM.tokenWeight).data;
    const weightIds = new Int32Array(U);
    const rawWeights = new Float32Array(U);
    for (let u = 0; u < U; u++) {
      const id = words.wordIds[u] as number;
      weightIds[u] = id >= 0 ? id : V;
      rawWeights[u] = table[weightIds[u] as number] as number;
    }
    const weights = softplusForward(rawWeights);
    const tokenWeights = gatherRowsForward(weights, slots, 1);
    const pool = weightedMeanPoolForward(tokens, tokenWeights, mask, B, L, d);
    const projected = linearForward(pool.pooled, this.params.get(PARAM.projection).data, null, B, d, dim);
    const norm = l2NormalizeForward(projected, B, dim);
    return {
      B,
      L,
      words,
      slots,
      mask,
      weightIds,
      rawWeights,
      weights,
      wordVectors,
      tokens,
      pool,
      norm,
      embeddings: norm.y,
    };
  }

  /** Backward from dLoss/dEmbeddings: dense grads accumulate in the ParamStore, table grads in `grads`. */
  backward(fwd: EmbedderForward, dEmbeddings: Float32Array, grads: EmbedderGrads): void {
    const d = this.config.word_dimension;
    const dim = this.config.dimension;
    const { B, L } = fwd;
    const U = fwd.words.wordIds.length;
    const dProjected = l2NormalizeBackward(fwd.norm, dEmbeddings, B, dim);
    const projection = this.params.get(PARAM.projection);
    const dPooled = linearBackward(
      fwd.pool.pooled,
      projection.data,
      dProjected,
      B,
      d,
      dim,
      projection.grad,
      null,
    );
    const tokenWeights = gatherRowsForward(fwd.weights, fwd.slots, 1);
    const { dX, dW } = weightedMeanPoolBackward(
      fwd.tokens,
      tokenWeights,
      fwd.mask,
      fwd.pool,
      dPooled,
      B,
      L,
      d,
    );
    // tokens → distinct words (summed), then words → weight table and embedding tables
    const dWordVectors = new SparseAccumulator(d, dX, { tableRows: U, capacity: U });
    gatherRowsBackwardInto(fwd.slots, dX, d, dWordVectors);
    const dWeights = new SparseAccumulator(1, dW, { tableRows: U, capacity: U });
    gatherRowsBackwardInto(fwd.slots, dW, 1, dWeights);
    const denseWordGrad = sparseToDense(dWordVectors.toRows(), U);
    const dRaw = softplusBackward(fwd.rawWeights, sparseToDense(dWeights.toRows(), U));
    const weightGrad = this.params.get(PARAM.tokenWeight).grad as Float32Array;
    for (let u = 0; u < U; u++) {
      const id = fwd.weightIds[u] as number;
      weightGrad[id] = (weightGrad[id] as number) + (dRaw[u] as number);
    }
    embeddingBagBackwardInto(fwd.words, denseWordGrad, d, grads.word, grads.ngram);
  }

  /** Sparse accumulators sized for this model's tables (reuse across steps with `clear()`). */
  newGrads(): EmbedderGrads {
    const d = this.config.word_dimension;
    const like = new Float32Array(0);
    return {
      word: new SparseAccumulator(d, like, { tableRows: this.config.vocab_size, capacity: 4096 }),
      ngram: new SparseAccumulator(d, like, { tableRows: this.config.ngram_buckets, capacity: 16384 }),
    };
  }

  /**
   * Per-token vectors of a text before pooling (word + n-grams, L2-normalised), with their ids:
   * the term representations the K-NRM reranker compares.
   */
  termVectors(text: string, maxLength?: number): { encoded: EncodedText; vectors: Float32Array } {
    const d = this.config.word_dimension;
    const encoded = this.tokenizer.encode(text, maxLength);
    const raw = embeddingBagForward(
      this.params.get(PARAM.word).data,
      this.params.get(PARAM.ngram).data,
      d,
      encoded,
    );
    return { encoded, vectors: l2NormalizeForward(raw, encoded.length, d).y };
  }

  /** The learned weight of each token of a text (softplus of its parameter). */
  tokenWeight(wordId: number): number {
    const table = this.params.get(PARAM.tokenWeight).data;
    const raw = table[wordId >= 0 ? wordId : this.config.vocab_size] as number;
    return softplus(raw);
  }
}

/** softplus⁻¹(y) = log(eʸ − 1), stable for large y. */
export function inverseSoftplus(y: number): number {
  const v = Math.max(y, 1e-4);
  return v > 20 ? v : Math.log(Math.expm1(v));
}

/**
 * Fills W (rows × cols) with orthonormal columns when rows ≥ cols (WᵀW = I: lengths and cosines of
 * the input are preserved) or orthonormal rows otherwise: Gram–Schmidt over Gaussian vectors.
 */
export function orthonormalInit(w: Float32Array, rows: number, cols: number, rng: () => number): void {
  const byColumns = rows >= cols;
  const n = byColumns ? cols : rows; // vectors to orthonormalise
  const len = byColumns ? rows : cols; // their length
  const vecs = new Float64Array(n * len);
  for (let i = 0; i < vecs.length; i += 2) {
    const u1 = Math.max(rng(), 1e-12);
    const r = Math.sqrt(-2 * Math.log(u1));
    const u2 = rng();
    vecs[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < vecs.length) vecs[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  for (let i = 0; i < n; i++) {
    const vi = i * len;
    for (let j = 0; j < i; j++) {
      const vj = j * len;
      let dot = 0;
      for (let k = 0; k < len; k++) dot += (vecs[vi + k] as number) * (vecs[vj + k] as number);
      for (let k = 0; k < len; k++) vecs[vi + k] = (vecs[vi + k] as number) - dot * (vecs[vj + k] as number);
    }
    let norm = 0;
    for (let k = 0; k < len; k++) norm += (vecs[vi + k] as number) ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < len; k++) vecs[vi + k] = (vecs[vi + k] as number) / norm;
  }
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      w[r * cols + c] = byColumns ? (vecs[c * len + r] as number) : (vecs[r * len + c] as number);
}

/**
 * A batch as distinct words plus, per padded token slot (B×L, L = longest text capped at
 * `maxLength`), the index of its word: a word's n-grams are then gathered (and their gradients
 * scattered) once per batch instead of once per occurrence.
 */
export function distinctWords(
  texts: readonly EncodedText[],
  maxLength: number,
): { words: BagInput; slots: Int32Array; mask: Uint8Array; L: number } {
  let L = 1;
  for (const t of texts) L = Math.max(L, Math.min(t.length, maxLength));
  const slots = new Int32Array(texts.length * L).fill(-1);
  const mask = new Uint8Array(texts.length * L);
  const index = new Map<string, number>();
  const wordIds: number[] = [];
  const offsets: number[] = [0];
  const ngrams: number[] = [];
  texts.forEach((t, b) => {
    const n = Math.min(t.length, L);
    for (let i = 0; i < n; i++) {
      const word = t.tokens[i] as string;
      let u = index.get(word);
      if (u === undefined) {
        u = wordIds.length;
        index.set(word, u);
        wordIds.push(t.wordIds[i] as number);
        for (let k = t.ngramOffsets[i] as number; k < (t.ngramOffsets[i + 1] as number); k++)
          ngrams.push(t.ngramIds[k] as number);
        offsets.push(ngrams.length);
      }
      slots[b * L + i] = u;
      mask[b * L + i] = 1;
    }
  });
  return {
    words: {
      wordIds: Int32Array.from(wordIds),
      ngramOffsets: Int32Array.from(offsets),
      ngramIds: Int32Array.from(ngrams),
    },
    slots,
    mask,
    L,
  };
}

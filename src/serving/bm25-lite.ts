/**
 * BM25 over a handful of documents given in one request (the rerank API receives no first-stage
 * scores): IDF from those documents, Lucene's formula with k1 0.9, b 0.4. It gives the reranker's
 * BM25 features a ranking signal of the same shape as the engine's.
 */
import { tokenizeWords } from "../models/tokenizer.ts";

export function bm25Scores(query: string, documents: readonly string[], k1 = 0.9, b = 0.4): Float32Array {
  const docs = documents.map((d) => tokenizeWords(d));
  const avg = docs.reduce((s, d) => s + d.length, 0) / Math.max(1, docs.length);
  const terms = [...new Set(tokenizeWords(query))];
  const df = new Map(terms.map((t) => [t, docs.filter((d) => d.includes(t)).length]));
  const N = docs.length;
  return Float32Array.from(
    docs.map((d) => {
      let score = 0;
      for (const t of terms) {
        const tf = d.reduce((n, w) => n + (w === t ? 1 : 0), 0);
        if (tf === 0) continue;
        const n = df.get(t) as number;
        const idf = Math.log(1 + (N - n + 0.5) / (n + 0.5));
        score += (idf * tf) / (tf + k1 * (1 - b + (b * d.length) / Math.max(avg, 1)));
      }
      return score;
    }),
  );
}

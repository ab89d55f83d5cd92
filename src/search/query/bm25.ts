/**
 * BM25 exactly as Lucene 8.7 computes it in single precision, with Elasticsearch/OpenSearch's
 * LegacyBM25Similarity on top: ES multiplies the query boost by (1 + k1), so ES scores are Lucene's
 * BM25Similarity scores times (1 + k1). Every intermediate is rounded to float like Java's `float`.
 */
import { LENGTH_TABLE } from "../index/small-float.ts";
import type { SimilaritySettings } from "../settings.ts";
import { type Explanation, explain } from "./explanation.ts";

const f = Math.fround;

export interface TermStatistics {
  docFreq: number;
  totalTermFreq?: number;
}

export interface CollectionStatistics {
  docCount: number;
  sumTotalTermFreq: number;
}

export function idf(docFreq: number, docCount: number): number {
  return f(Math.log(1 + (docCount - docFreq + 0.5) / (docFreq + 0.5)));
}

export class Bm25Scorer {
  readonly weight: number;
  readonly idf: number;
  readonly avgdl: number;
  /** 1 / (k1 * (1 - b + b * dl / avgdl)) for every norm byte. */
  readonly cache: Float32Array;
  readonly legacyBoost: number;

  constructor(
    readonly sim: SimilaritySettings,
    readonly boost: number,
    collection: CollectionStatistics,
    terms: TermStatistics[],
    readonly docFreqs: number[],
  ) {
    this.idf = terms.reduce((sum, t) => f(sum + idf(t.docFreq, collection.docCount)), 0);
    this.avgdl = collection.docCount > 0 ? f(collection.sumTotalTermFreq / collection.docCount) : 1;
    const k1 = f(sim.k1);
    const b = f(sim.b);
    // LegacyBM25Similarity: boost * (1 + k1)
    this.legacyBoost = f(f(boost) * f(1 + k1));
    this.weight = f(this.legacyBoost * this.idf);
    this.cache = new Float32Array(256);
    for (let i = 0; i < 256; i++) {
      this.cache[i] = f(1 / f(k1 * f(f(1 - b) + f(f(b * (LENGTH_TABLE[i] as number)) / this.avgdl))));
    }
  }

  /** Score for a term frequency and the document's norm byte (1 when the field has no norms). */
  score(freq: number, norm: number): number {
    const w = this.weight;
    return f(w - f(w / f(1 + f(f(freq) * (this.cache[norm] as number)))));
  }

  explain(
    freq: number,
    norm: number,
    hasNorms: boolean,
    description: string,
    collection: CollectionStatistics,
  ): Explanation {
    const k1 = f(this.sim.k1);
    const b = f(this.sim.b);
    const dl = LENGTH_TABLE[norm] as number;
    const value = this.score(freq, norm);
    const tfValue = f(f(freq) / f(f(freq) + f(k1 * f(f(1 - b) + f(f(b * dl) / this.avgdl)))));
    const idfDetails = this.docFreqs.map((n) =>
      explain(idf(n, collection.docCount), "idf, computed as log(1 + (N - n + 0.5) / (n + 0.5)) from:", [
        explain(n, "n, number of documents containing term"),
        explain(collection.docCount, "N, total number of documents with field"),
      ]),
    );
    const idfExpl =
      idfDetails.length === 1
        ? (idfDetails[0] as Explanation)
        : explain(this.idf, "idf, sum of:", idfDetails);
    const tfDetails = [
      explain(f(freq), "freq, occurrences of term within document"),
      explain(k1, "k1, term saturation parameter"),
    ];
    if (hasNorms) {
      tfDetails.push(
        explain(b, "b, length normalization parameter"),
        explain(dl, "dl, length of field (approximate)"),
        explain(this.avgdl, "avgdl, average length of field"),
      );
    } else {
      tfDetails.push(explain(0, "b, field omits length norms"));
    }
    return explain(value, description, [
      explain(value, `score(freq=${f(freq)}), computed as boost * idf * tf from:`, [
        explain(this.legacyBoost, "boost"),
        idfExpl,
        explain(tfValue, "tf, computed as freq / (freq + k1 * (1 - b + b * dl / avgdl)) from:", tfDetails),
      ]),
    ]);
  }
}

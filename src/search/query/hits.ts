/** Per-segment query results: ascending doc numbers with their scores, in typed arrays. */
export interface Hits {
  docs: Int32Array;
  scores: Float32Array;
}

export const EMPTY_HITS: Hits = { docs: new Int32Array(0), scores: new Float32Array(0) };

/** Growable (doc, score) buffer that ends as Hits. */
export class HitsBuilder {
  private docs: Int32Array;
  private scores: Float32Array;
  length = 0;

  constructor(capacity = 16) {
    this.docs = new Int32Array(Math.max(capacity, 4));
    this.scores = new Float32Array(Math.max(capacity, 4));
  }

  push(doc: number, score: number): void {
    if (this.length === this.docs.length) {
      const docs = new Int32Array(this.length * 2);
      docs.set(this.docs);
      this.docs = docs;
      const scores = new Float32Array(this.length * 2);
      scores.set(this.scores);
      this.scores = scores;
    }
    this.docs[this.length] = doc;
    this.scores[this.length] = score;
    this.length++;
  }

  finish(): Hits {
    return { docs: this.docs.subarray(0, this.length), scores: this.scores.subarray(0, this.length) };
  }
}

/** Index of doc in sorted docs, or -1. */
export function findDoc(docs: Int32Array, doc: number): number {
  let lo = 0;
  let hi = docs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = docs[mid] as number;
    if (v === doc) return mid;
    if (v < doc) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

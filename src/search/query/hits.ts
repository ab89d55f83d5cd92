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

/**
 * Per-document accumulators for one segment, reused across queries: allocating and zeroing arrays
 * of maxDoc entries for every clause of every query dominated disjunctions. Nested queries each
 * take their own (a stack), and a user must clear what it touched before releasing.
 */
export interface Accumulator {
  score: Float64Array;
  seen: Uint8Array;
  /** The documents seen so far, in the order first seen (each at most once, so maxDoc is enough). */
  touched: Int32Array;
}

/** Adds one clause's hits to an accumulator; returns the new count of touched documents. */
export function accumulateHits(h: Hits, acc: Accumulator, n: number): number {
  const { score, seen, touched } = acc;
  for (let i = 0; i < h.docs.length; i++) {
    const d = h.docs[i] as number;
    if (!seen[d]) {
      seen[d] = 1;
      touched[n++] = d;
    }
    score[d] = (score[d] as number) + (h.scores[i] as number);
  }
  return n;
}

const free: Accumulator[] = [];

export function acquireAccumulator(maxDoc: number): Accumulator {
  const acc = free.pop();
  if (acc && acc.seen.length >= maxDoc) return acc;
  const size = Math.max(maxDoc, acc?.seen.length ?? 0);
  return { score: new Float64Array(size), seen: new Uint8Array(size), touched: new Int32Array(size) };
}

export function releaseAccumulator(acc: Accumulator): void {
  if (free.length < 8) free.push(acc);
}

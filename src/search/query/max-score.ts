/**
 * Top-k retrieval for disjunctions of terms with MaxScore pruning (Turtle & Flood), the way Lucene
 * skips documents that cannot enter the top k. Every term gets a score upper bound for the
 * segment; once the hit count has passed what `track_total_hits` asks for, terms whose bounds
 * together cannot beat the current k-th score become "non-essential": documents that only they
 * match are never visited, and they are consulted only for candidates that might still make it.
 * Scores are summed in clause order exactly as the exhaustive disjunction sums them, so results
 * are identical, only faster.
 */
import type { Segment } from "../index/segment.ts";
import type { Bm25Scorer } from "./bm25.ts";

/** One term's postings in one segment, with its scorer. */
export interface TermPostings {
  docs: Int32Array;
  freqs: Int32Array;
  norms: Uint8Array | undefined;
  scorer: Bm25Scorer;
  /** Largest frequency in `freqs` (for the upper bound). */
  maxFreq: number;
  /** Smallest norm byte of the field in the segment: the shortest document scores highest. */
  minNorm: number;
}

/** Where the top-k candidates go: a bounded heap with its current entry threshold. */
export interface TopKCollector {
  /** The score a new document must beat (−∞ until the collector is full). */
  threshold(): number;
  offer(doc: number, score: number): void;
}

const maxFreqCache = new WeakMap<Int32Array, Int32Array>();
const minNormCache = new WeakMap<Uint8Array, number>();

/** Per-term maximum frequency of a field's postings, computed once per segment field. */
export function maxFreqOf(postStart: Int32Array, postFreqs: Int32Array, term: number): number {
  let table = maxFreqCache.get(postFreqs);
  if (!table) {
    table = new Int32Array(postStart.length - 1);
    for (let t = 0; t < table.length; t++) {
      let m = 0;
      for (let p = postStart[t] as number; p < (postStart[t + 1] as number); p++)
        m = Math.max(m, postFreqs[p] as number);
      table[t] = m;
    }
    maxFreqCache.set(postFreqs, table);
  }
  return table[term] as number;
}

export function minNormOf(norms: Uint8Array | undefined): number {
  if (!norms) return 1;
  let min = minNormCache.get(norms);
  if (min === undefined) {
    min = 255;
    for (let d = 0; d < norms.length; d++)
      if ((norms[d] as number) !== 0) min = Math.min(min, norms[d] as number);
    minNormCache.set(norms, min);
  }
  return min;
}

/** First index in docs[from, end) whose doc is ≥ target (galloping, then binary search). */
function advance(docs: Int32Array, from: number, target: number): number {
  let step = 1;
  let lo = from;
  let hi = from;
  while (hi < docs.length && (docs[hi] as number) < target) {
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  hi = Math.min(hi, docs.length);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((docs[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const WINDOW = 4096;

/**
 * Offers the segment's matching documents to `collector`, skipping what cannot make the top k once
 * `counted` has reached `countUpTo`. Returns how many matches it counted (exact until then).
 *
 * Works window by window (Lucene's MaxScoreBulkScorer): the essential terms' postings of a window
 * of documents are scored term-at-a-time into per-clause slots; each touched document then asks
 * the non-essential terms only while it can still beat the threshold.
 */
export function maxScoreTopK(
  seg: Segment,
  clauses: TermPostings[],
  collector: TopKCollector,
  counted: number,
  countUpTo: number,
): { counted: number; maxScore: number } {
  const n = clauses.length;
  // bounds, with a little slack so float rounding can never prune a document that would enter
  const bound = clauses.map((c) => c.scorer.score(c.maxFreq, c.minNorm) * (1 + 1e-6));
  const order = Array.from(clauses.keys()).sort((a, b) => (bound[a] as number) - (bound[b] as number));
  const prefix = new Float64Array(n + 1); // prefix[i] = sum of the bounds of order[0..i)
  for (let i = 0; i < n; i++) prefix[i + 1] = (prefix[i] as number) + (bound[order[i] as number] as number);
  const pos = new Int32Array(n); // cursor per clause (original index)
  const contrib = new Float64Array(WINDOW * n); // window slot × clause, summed in clause order
  const seen = new Uint8Array(WINDOW);
  const windowScore = new Float64Array(WINDOW);
  const live = seg.live;
  let maxScore = Number.NEGATIVE_INFINITY;
  let firstEssential = 0; // index into `order`: order[firstEssential..] are essential

  for (let w0 = 0; w0 < seg.maxDoc; w0 += WINDOW) {
    const theta = counted >= countUpTo ? collector.threshold() : Number.NEGATIVE_INFINITY;
    while (firstEssential < n && (prefix[firstEssential + 1] as number) <= theta) firstEssential++;
    if (firstEssential === n) break; // not even every term together can beat the threshold
    const w1 = Math.min(w0 + WINDOW, seg.maxDoc);
    if (firstEssential === 0) {
      // nothing to skip yet: add every clause in clause order straight into one sum per document
      const r = scoreWindow(clauses, pos, w0, w1, windowScore, seen, live, collector);
      counted = Math.min(countUpTo, counted + r.matches);
      if (r.maxScore > maxScore) maxScore = r.maxScore;
      continue;
    }
    let any = false;
    for (let e = firstEssential; e < n; e++) {
      const c = order[e] as number;
      const { docs, freqs, norms, scorer } = clauses[c] as TermPostings;
      let p = pos[c] as number;
      for (; p < docs.length && (docs[p] as number) < w1; p++) {
        const slot = (docs[p] as number) - w0;
        seen[slot] = 1;
        any = true;
        contrib[slot * n + c] = scorer.score(
          freqs[p] as number,
          norms ? (norms[docs[p] as number] as number) : 1,
        );
      }
      pos[c] = p;
    }
    if (!any) continue;
    for (let slot = 0; slot < w1 - w0; slot++) {
      if (!seen[slot]) continue;
      seen[slot] = 0;
      const doc = w0 + slot;
      const row = slot * n;
      if (!live[doc]) {
        contrib.fill(0, row, row + n);
        continue;
      }
      // here the threshold is set (the count is complete): the non-essential terms may be skipped
      let complete = true;
      let partial = 0;
      for (let e = firstEssential; e < n; e++) partial += contrib[row + (order[e] as number)] as number;
      for (let e = firstEssential - 1; e >= 0; e--) {
        if (partial + (prefix[e + 1] as number) <= theta) {
          complete = false;
          break;
        }
        const c = order[e] as number;
        const { docs, freqs, norms, scorer } = clauses[c] as TermPostings;
        const p = advance(docs, pos[c] as number, doc);
        pos[c] = p;
        if (p < docs.length && docs[p] === doc) {
          const s = scorer.score(freqs[p] as number, norms ? (norms[doc] as number) : 1);
          contrib[row + c] = s;
          partial += s;
        }
      }
      // the sum in clause order, as the exhaustive disjunction adds them; clears the row
      let sum = 0;
      for (let c = row; c < row + n; c++) {
        sum += contrib[c] as number;
        contrib[c] = 0;
      }
      if (!complete) continue;
      const score = Math.fround(sum);
      if (score > maxScore) maxScore = score;
      collector.offer(doc, score);
    }
  }
  return { counted, maxScore };
}

/** Exhaustive scoring of one window (before any term can be skipped): offers every live match, clears the buffers. */
function scoreWindow(
  clauses: TermPostings[],
  pos: Int32Array,
  w0: number,
  w1: number,
  windowScore: Float64Array,
  seen: Uint8Array,
  live: Uint8Array,
  collector: TopKCollector,
): { matches: number; maxScore: number } {
  for (let c = 0; c < clauses.length; c++) {
    const { docs, freqs, norms, scorer } = clauses[c] as TermPostings;
    let p = pos[c] as number;
    for (; p < docs.length && (docs[p] as number) < w1; p++) {
      const doc = docs[p] as number;
      const slot = doc - w0;
      seen[slot] = 1;
      windowScore[slot] =
        (windowScore[slot] as number) + scorer.score(freqs[p] as number, norms ? (norms[doc] as number) : 1);
    }
    pos[c] = p;
  }
  let matches = 0;
  let maxScore = Number.NEGATIVE_INFINITY;
  for (let slot = 0; slot < w1 - w0; slot++) {
    if (!seen[slot]) continue;
    const score = Math.fround(windowScore[slot] as number);
    windowScore[slot] = 0;
    seen[slot] = 0;
    if (!live[w0 + slot]) continue;
    matches++;
    if (score > maxScore) maxScore = score;
    collector.offer(w0 + slot, score);
  }
  return { matches, maxScore };
}

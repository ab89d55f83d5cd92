/**
 * Executable queries ("weights", as in Lucene): each knows the statistics it was built with and
 * returns, per segment, the matching live documents with their scores, and can explain one
 * document's score. Scores are floats summed in double, as Lucene's scorers do.
 */
import type { Segment } from "../index/segment.ts";
import type { SimilaritySettings } from "../settings.ts";
import { Bm25Scorer, type CollectionStatistics } from "./bm25.ts";
import { type Explanation, explain } from "./explanation.ts";
import {
  type Accumulator,
  accumulateHits,
  acquireAccumulator,
  EMPTY_HITS,
  findDoc,
  type Hits,
  HitsBuilder,
  releaseAccumulator,
} from "./hits.ts";
import { maxFreqOf, minNormOf, type TermPostings } from "./max-score.ts";

const f = Math.fround;

/** Index-wide view the weights are built against (all segments of one index). */
export interface SearchContext {
  segments: readonly Segment[];
  similarity(field: string): SimilaritySettings;
}

export interface Weight {
  hits(seg: Segment): Hits;
  /** Optional fast path for disjunctions: add scores straight into the accumulator (see accumulateHits). */
  accumulate?(seg: Segment, acc: Accumulator, n: number): number;
  explain(seg: Segment, doc: number): Explanation | null;
  /** Analysed terms per field and phrases, for highlighting. */
  collectTerms(terms: Map<string, Set<string>>): void;
}

export function collectionStats(ctx: SearchContext, field: string): CollectionStatistics {
  let docCount = 0;
  let sumTotalTermFreq = 0;
  for (const seg of ctx.segments) {
    const s = seg.fieldStats(field);
    docCount += s.docCount;
    sumTotalTermFreq += s.sumTotalTermFreq;
  }
  return { docCount, sumTotalTermFreq };
}

function totalDocFreq(ctx: SearchContext, field: string, term: string): number {
  let n = 0;
  for (const seg of ctx.segments) n += seg.docFreq(field, seg.termId(field, term));
  return n;
}

function addTerm(out: Map<string, Set<string>>, field: string, term: string): void {
  let set = out.get(field);
  if (!set) out.set(field, (set = new Set()));
  set.add(term);
}

/** A term, or several terms scored as one (Lucene's SynonymQuery: max docFreq, summed freqs). */
export class TermWeight implements Weight {
  private readonly scorer: Bm25Scorer | undefined;
  private readonly collection: CollectionStatistics;

  constructor(
    ctx: SearchContext,
    readonly field: string,
    readonly terms: string[],
    readonly boost: number,
  ) {
    this.collection = collectionStats(ctx, field);
    const dfs = terms.map((t) => totalDocFreq(ctx, field, t));
    const docFreq = Math.max(0, ...dfs);
    this.scorer =
      docFreq > 0
        ? new Bm25Scorer(ctx.similarity(field), boost, this.collection, [{ docFreq }], [docFreq])
        : undefined;
  }

  hits(seg: Segment): Hits {
    const inv = seg.inverted.get(this.field);
    if (!inv || !this.scorer) return EMPTY_HITS;
    const norms = inv.norms;
    const live = seg.live;
    const scorer = this.scorer;
    if (this.terms.length === 1) {
      const t = seg.termId(this.field, this.terms[0] as string);
      if (t < 0) return EMPTY_HITS;
      const start = inv.postStart[t] as number;
      const end = inv.postStart[t + 1] as number;
      const out = new HitsBuilder(end - start);
      for (let p = start; p < end; p++) {
        const d = inv.postDocs[p] as number;
        if (!live[d]) continue;
        out.push(d, scorer.score(inv.postFreqs[p] as number, norms ? (norms[d] as number) : 1));
      }
      return out.finish();
    }
    const freqs = new Map<number, number>();
    for (const term of this.terms) {
      const t = seg.termId(this.field, term);
      if (t < 0) continue;
      for (let p = inv.postStart[t] as number; p < (inv.postStart[t + 1] as number); p++) {
        const d = inv.postDocs[p] as number;
        if (live[d]) freqs.set(d, (freqs.get(d) ?? 0) + (inv.postFreqs[p] as number));
      }
    }
    const docs = Int32Array.from(freqs.keys()).sort();
    const out = new HitsBuilder(docs.length);
    for (const d of docs) out.push(d, scorer.score(freqs.get(d) as number, norms ? (norms[d] as number) : 1));
    return out.finish();
  }

  /** This single term's postings in a segment for top-k pruning; null when the segment lacks it. */
  postings(seg: Segment): TermPostings | null {
    const inv = seg.inverted.get(this.field);
    if (!inv || !this.scorer || this.terms.length !== 1) return null;
    const t = seg.termId(this.field, this.terms[0] as string);
    if (t < 0) return null;
    const start = inv.postStart[t] as number;
    const end = inv.postStart[t + 1] as number;
    return {
      docs: inv.postDocs.subarray(start, end),
      freqs: inv.postFreqs.subarray(start, end),
      norms: inv.norms,
      scorer: this.scorer,
      maxFreq: maxFreqOf(inv.postStart, inv.postFreqs, t),
      minNorm: minNormOf(inv.norms),
    };
  }

  accumulate(seg: Segment, acc: Accumulator, n: number): number {
    const inv = seg.inverted.get(this.field);
    if (this.terms.length !== 1) return accumulateHits(this.hits(seg), acc, n);
    if (!inv || !this.scorer) return n;
    const t = seg.termId(this.field, this.terms[0] as string);
    if (t < 0) return n;
    const { score, seen, touched } = acc;
    const { norms, postDocs, postFreqs } = inv;
    const live = seg.live;
    const scorer = this.scorer;
    const end = inv.postStart[t + 1] as number;
    for (let p = inv.postStart[t] as number; p < end; p++) {
      const d = postDocs[p] as number;
      if (!live[d]) continue;
      if (!seen[d]) {
        seen[d] = 1;
        touched[n++] = d;
      }
      score[d] =
        (score[d] as number) + scorer.score(postFreqs[p] as number, norms ? (norms[d] as number) : 1);
    }
    return n;
  }

  explain(seg: Segment, doc: number): Explanation | null {
    const inv = seg.inverted.get(this.field);
    if (!inv || !this.scorer || !seg.live[doc]) return null;
    let freq = 0;
    for (const term of this.terms) {
      const t = seg.termId(this.field, term);
      if (t < 0) continue;
      const start = inv.postStart[t] as number;
      const i = findDoc(inv.postDocs.subarray(start, inv.postStart[t + 1] as number), doc);
      if (i >= 0) freq += inv.postFreqs[start + i] as number;
    }
    if (freq === 0) return null;
    const label =
      this.terms.length === 1
        ? `${this.field}:${this.terms[0]}`
        : `Synonym(${this.terms.map((t) => `${this.field}:${t}`).join(" ")})`;
    const norm = inv.norms ? (inv.norms[doc] as number) : 1;
    return this.scorer.explain(
      freq,
      norm,
      inv.norms !== undefined,
      `weight(${label} in ${doc}) [PerFieldSimilarity], result of:`,
      this.collection,
    );
  }

  collectTerms(out: Map<string, Set<string>>): void {
    for (const t of this.terms) addTerm(out, this.field, t);
  }
}

/** Phrase with optional alternatives per position and slop; freq = matches (sloppy: Σ 1/(1+distance)). */
export class PhraseWeight implements Weight {
  private readonly scorer: Bm25Scorer | undefined;
  private readonly collection: CollectionStatistics;

  constructor(
    ctx: SearchContext,
    readonly field: string,
    /** Alternatives per phrase slot. */
    readonly slots: string[][],
    /** Relative query position of each slot. */
    readonly positions: number[],
    readonly slop: number,
    readonly boost: number,
  ) {
    this.collection = collectionStats(ctx, field);
    const dfs = slots.map((alts) => Math.max(0, ...alts.map((t) => totalDocFreq(ctx, field, t))));
    this.scorer = dfs.every((df) => df > 0)
      ? new Bm25Scorer(
          ctx.similarity(field),
          boost,
          this.collection,
          dfs.map((docFreq) => ({ docFreq })),
          dfs,
        )
      : undefined;
  }

  private positionsOf(seg: Segment, slot: number, doc: number): number[] {
    const inv = seg.inverted.get(this.field);
    const out: number[] = [];
    if (!inv?.posStart || !inv.positions) return out;
    for (const term of this.slots[slot] as string[]) {
      const t = seg.termId(this.field, term);
      if (t < 0) continue;
      const start = inv.postStart[t] as number;
      const i = findDoc(inv.postDocs.subarray(start, inv.postStart[t + 1] as number), doc);
      if (i < 0) continue;
      const p = start + i;
      for (let k = inv.posStart[p] as number; k < (inv.posStart[p + 1] as number); k++)
        out.push(inv.positions[k] as number);
    }
    return out.sort((a, b) => a - b);
  }

  /** Phrase frequency in a document (0 = no match). */
  private phraseFreq(seg: Segment, doc: number): number {
    const lists = this.slots.map((_, i) => this.positionsOf(seg, i, doc));
    if (lists.some((l) => l.length === 0)) return 0;
    const first = lists[0] as number[];
    let freq = 0;
    for (const p0 of first) {
      const anchor = p0 - (this.positions[0] as number);
      let distance = 0;
      let ok = true;
      for (let i = 1; i < lists.length && ok; i++) {
        const expected = anchor + (this.positions[i] as number);
        let best = Number.POSITIVE_INFINITY;
        for (const p of lists[i] as number[]) best = Math.min(best, Math.abs(p - expected));
        if (best > this.slop) ok = false;
        else distance += best;
      }
      if (!ok || distance > this.slop) continue;
      freq += this.slop === 0 ? 1 : f(1 / (1 + distance));
    }
    return freq;
  }

  private candidates(seg: Segment): Int32Array {
    const inv = seg.inverted.get(this.field);
    if (!inv) return new Int32Array(0);
    let acc: Int32Array | undefined;
    for (const alts of this.slots) {
      const set = new Set<number>();
      for (const term of alts) {
        const t = seg.termId(this.field, term);
        if (t < 0) continue;
        for (let p = inv.postStart[t] as number; p < (inv.postStart[t + 1] as number); p++)
          set.add(inv.postDocs[p] as number);
      }
      const docs = Int32Array.from(set).sort();
      acc = acc ? intersect(acc, docs) : docs;
      if (acc.length === 0) break;
    }
    return acc ?? new Int32Array(0);
  }

  hits(seg: Segment): Hits {
    const inv = seg.inverted.get(this.field);
    if (!inv || !this.scorer) return EMPTY_HITS;
    const out = new HitsBuilder();
    for (const d of this.candidates(seg)) {
      if (!seg.live[d]) continue;
      const freq = this.phraseFreq(seg, d);
      if (freq > 0) out.push(d, this.scorer.score(freq, inv.norms ? (inv.norms[d] as number) : 1));
    }
    return out.finish();
  }

  explain(seg: Segment, doc: number): Explanation | null {
    const inv = seg.inverted.get(this.field);
    if (!inv || !this.scorer || !seg.live[doc]) return null;
    const freq = this.phraseFreq(seg, doc);
    if (freq === 0) return null;
    const text = this.slots.map((a) => (a.length === 1 ? a[0] : `(${a.join(" ")})`)).join(" ");
    const slop = this.slop ? `~${this.slop}` : "";
    return this.scorer.explain(
      freq,
      inv.norms ? (inv.norms[doc] as number) : 1,
      inv.norms !== undefined,
      `weight(${this.field}:"${text}"${slop} in ${doc}) [PerFieldSimilarity], result of:`,
      this.collection,
    );
  }

  collectTerms(out: Map<string, Set<string>>): void {
    for (const alts of this.slots) for (const t of alts) addTerm(out, this.field, t);
  }
}

export function intersect(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      out[n++] = x;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out.subarray(0, n);
}

/** Matches a fixed set of documents per segment with a constant score (range, exists, ids, prefix …). */
export class DocSetWeight implements Weight {
  constructor(
    readonly description: string,
    readonly matcher: (seg: Segment) => Int32Array,
    readonly boost: number,
    readonly terms?: { field: string; values: string[] },
  ) {}

  hits(seg: Segment): Hits {
    const docs = this.matcher(seg);
    const out = new HitsBuilder(docs.length);
    for (const d of docs) if (seg.live[d]) out.push(d, this.boost);
    return out.finish();
  }

  explain(seg: Segment, doc: number): Explanation | null {
    if (!seg.live[doc] || findDoc(this.matcher(seg), doc) < 0) return null;
    return explain(this.boost, this.description);
  }

  collectTerms(out: Map<string, Set<string>>): void {
    if (this.terms) for (const v of this.terms.values) addTerm(out, this.terms.field, v);
  }
}

/** Every live document: match_all, or the implicit base of a bool with only must_not. */
export function allDocs(seg: Segment): Int32Array {
  const out = new Int32Array(seg.liveCount);
  let n = 0;
  for (let d = 0; d < seg.maxDoc; d++) if (seg.live[d]) out[n++] = d;
  return out.subarray(0, n);
}

export class ConstantScoreWeight implements Weight {
  constructor(
    readonly inner: Weight,
    readonly boost: number,
  ) {}

  hits(seg: Segment): Hits {
    const h = this.inner.hits(seg);
    return { docs: h.docs, scores: new Float32Array(h.docs.length).fill(this.boost) };
  }

  explain(seg: Segment, doc: number): Explanation | null {
    const inner = this.inner.explain(seg, doc);
    return inner
      ? explain(this.boost, "ConstantScore(query), product of:", [explain(this.boost, "boost")])
      : null;
  }

  collectTerms(out: Map<string, Set<string>>): void {
    this.inner.collectTerms(out);
  }
}

export class BoolWeight implements Weight {
  constructor(
    readonly must: Weight[],
    readonly should: Weight[],
    readonly filter: Weight[],
    readonly mustNot: Weight[],
    /** Minimum number of should clauses that must match. */
    readonly minimumShouldMatch: number,
  ) {}

  private get requiredCount(): number {
    return this.must.length + this.filter.length;
  }

  private get effectiveMsm(): number {
    return this.requiredCount === 0 && this.should.length > 0
      ? Math.max(1, this.minimumShouldMatch)
      : this.minimumShouldMatch;
  }

  hits(seg: Segment): Hits {
    if (this.effectiveMsm > this.should.length) return EMPTY_HITS;
    if (this.requiredCount === 0 && this.mustNot.length === 0 && this.effectiveMsm === 1)
      return this.disjunction(seg);
    const maxDoc = seg.maxDoc;
    const score = new Float64Array(maxDoc);
    const required = new Uint16Array(maxDoc);
    const optional = new Uint16Array(maxDoc);
    const excluded = new Uint8Array(maxDoc);
    /** Adds a clause's scores and counts its matches in `matched`. */
    const add = (w: Weight, matched: Uint16Array) => {
      const h = w.hits(seg);
      for (let i = 0; i < h.docs.length; i++) {
        const d = h.docs[i] as number;
        matched[d] = (matched[d] as number) + 1;
        score[d] = (score[d] as number) + (h.scores[i] as number);
      }
    };
    for (const w of this.must) add(w, required);
    for (const w of this.filter) for (const d of w.hits(seg).docs) required[d] = (required[d] as number) + 1;
    for (const w of this.should) add(w, optional);
    for (const w of this.mustNot) for (const d of w.hits(seg).docs) excluded[d] = 1;
    const req = this.requiredCount;
    const msm = this.effectiveMsm;
    const out = new HitsBuilder();
    const onlyNegative = req === 0 && this.should.length === 0;
    for (let d = 0; d < maxDoc; d++) {
      if (excluded[d] || !seg.live[d]) continue;
      if (
        onlyNegative ||
        (required[d] === req && (optional[d] as number) >= msm && (req > 0 || optional[d]))
      ) {
        out.push(d, f(score[d] as number));
      }
    }
    return out.finish();
  }

  /** The single-term clauses of a pure disjunction (what MaxScore can prune), else undefined. */
  prunableTerms(): TermWeight[] | undefined {
    if (this.requiredCount !== 0 || this.mustNot.length !== 0 || this.effectiveMsm !== 1) return undefined;
    const terms = this.should.filter((w): w is TermWeight => w instanceof TermWeight && w.terms.length === 1);
    return terms.length === this.should.length ? terms : undefined;
  }

  /** Pure disjunction: sparse accumulation over the touched documents only. */
  private disjunction(seg: Segment): Hits {
    if (this.should.length === 1) return (this.should[0] as Weight).hits(seg);
    const acc = acquireAccumulator(seg.maxDoc);
    const { score, seen, touched } = acc;
    let n = 0;
    for (const w of this.should)
      n = w.accumulate ? w.accumulate(seg, acc, n) : accumulateHits(w.hits(seg), acc, n);
    // doc order: sort a sparse set, scan the flags of a dense one
    let docs: Int32Array;
    if (n * 16 < seg.maxDoc) docs = touched.slice(0, n).sort();
    else {
      docs = new Int32Array(n);
      let k = 0;
      for (let d = 0; d < seg.maxDoc; d++) if (seen[d]) docs[k++] = d;
    }
    const scores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const d = docs[i] as number;
      scores[i] = f(score[d] as number);
      score[d] = 0;
      seen[d] = 0;
    }
    releaseAccumulator(acc);
    return { docs, scores };
  }

  explain(seg: Segment, doc: number): Explanation | null {
    const details: Explanation[] = [];
    let sum = 0;
    for (const w of this.must) {
      const e = w.explain(seg, doc);
      if (!e) return null;
      details.push(e);
      sum += e.value;
    }
    for (const w of this.filter) {
      const e = w.explain(seg, doc);
      if (!e) return null;
      details.push(explain(0, "match on required clause, product of:", [explain(0, "# clause"), e]));
    }
    for (const w of this.mustNot) if (w.explain(seg, doc)) return null;
    let matched = 0;
    for (const w of this.should) {
      const e = w.explain(seg, doc);
      if (e) {
        matched++;
        details.push(e);
        sum += e.value;
      }
    }
    if (matched < this.effectiveMsm) return null;
    if (!seg.live[doc]) return null;
    return explain(f(sum), "sum of:", details);
  }

  collectTerms(out: Map<string, Set<string>>): void {
    for (const w of [...this.must, ...this.should, ...this.filter]) w.collectTerms(out);
  }
}

export class DisMaxWeight implements Weight {
  constructor(
    readonly queries: Weight[],
    readonly tieBreaker: number,
  ) {}

  hits(seg: Segment): Hits {
    if (this.queries.length === 1) return (this.queries[0] as Weight).hits(seg);
    const max = new Float32Array(seg.maxDoc);
    const others = new Float64Array(seg.maxDoc);
    const seen = new Uint8Array(seg.maxDoc);
    const touched: number[] = [];
    for (const w of this.queries) {
      const h = w.hits(seg);
      for (let i = 0; i < h.docs.length; i++) {
        const d = h.docs[i] as number;
        const s = h.scores[i] as number;
        if (!seen[d]) {
          seen[d] = 1;
          touched.push(d);
        }
        if (s >= (max[d] as number)) {
          others[d] = (others[d] as number) + (max[d] as number);
          max[d] = s;
        } else others[d] = (others[d] as number) + s;
      }
    }
    const docs = Int32Array.from(touched).sort();
    const tie = f(this.tieBreaker);
    const scores = new Float32Array(docs.length);
    for (let i = 0; i < docs.length; i++) {
      const d = docs[i] as number;
      scores[i] = f((max[d] as number) + (others[d] as number) * tie);
    }
    return { docs, scores };
  }

  explain(seg: Segment, doc: number): Explanation | null {
    const parts = this.queries.map((w) => w.explain(seg, doc)).filter((e): e is Explanation => e !== null);
    if (!parts.length) return null;
    let max = 0;
    let sum = 0;
    for (const e of parts) {
      max = Math.max(max, e.value);
      sum += e.value;
    }
    const value = f(max + (sum - max) * f(this.tieBreaker));
    return explain(
      value,
      this.tieBreaker ? `max plus ${this.tieBreaker} times others of:` : "max of:",
      parts,
    );
  }

  collectTerms(out: Map<string, Set<string>>): void {
    for (const w of this.queries) w.collectTerms(out);
  }
}

/** Multiplies scores by a boost applied after the fact (function_score weight, multi_match field boosts on constant parts). */
export class NoMatchWeight implements Weight {
  hits(): Hits {
    return EMPTY_HITS;
  }
  explain(): Explanation | null {
    return null;
  }
  collectTerms(): void {}
}

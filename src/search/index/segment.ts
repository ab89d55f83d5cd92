/**
 * An immutable segment: inverted fields (postings with frequencies and positions, one-byte norms,
 * exact lengths for live statistics), doc values (ordinals for keyword/boolean, float64 for
 * numbers and dates), knn vectors, and per-document ids and sequence numbers. Everything that is
 * per-posting or per-document is a typed array. Only the live-docs bitmap changes after creation.
 */
export interface InvertedField {
  /** Sorted terms; the term id is the index. */
  terms: string[];
  /** Postings of term t: [postStart[t], postStart[t+1]). */
  postStart: Int32Array;
  postDocs: Int32Array;
  postFreqs: Int32Array;
  /** Positions of posting p: [posStart[p], posStart[p+1]); absent for fields without positions. */
  posStart: Int32Array | undefined;
  positions: Int32Array | undefined;
  /** SmallFloat.intToByte4 of each document's field length; undefined when norms are off. */
  norms: Uint8Array | undefined;
  /** Exact field length per document (0 = no terms). */
  lengths: Int32Array;
}

export interface OrdinalDocValues {
  kind: "ordinal";
  /** Sorted distinct values; ordinals index into it. */
  values: string[];
  start: Int32Array;
  ords: Int32Array;
}

export interface NumericDocValues {
  kind: "numeric";
  start: Int32Array;
  values: Float64Array;
}

export type DocValues = OrdinalDocValues | NumericDocValues;

export interface VectorField {
  dimension: number;
  /** Row d holds doc d's vector; `present[d]` says whether it has one. */
  data: Float32Array;
  present: Uint8Array;
}

export interface SegmentData {
  maxDoc: number;
  ids: string[];
  seqNos: Float64Array;
  versions: Float64Array;
  inverted: Map<string, InvertedField>;
  docValues: Map<string, DocValues>;
  vectors: Map<string, VectorField>;
}

export interface FieldStats {
  /** Live documents with at least one term. */
  docCount: number;
  /** Sum of live documents' lengths. */
  sumTotalTermFreq: number;
}

let segmentCounter = 0;

export class Segment {
  readonly name: string;
  readonly maxDoc: number;
  readonly ids: string[];
  readonly seqNos: Float64Array;
  readonly versions: Float64Array;
  readonly inverted: Map<string, InvertedField>;
  readonly docValues: Map<string, DocValues>;
  readonly vectors: Map<string, VectorField>;
  /** 1 = live. */
  readonly live: Uint8Array;
  liveCount: number;
  /** Persisted under this file name (undefined until flushed). */
  file: string | undefined;
  private readonly termIndex = new Map<string, Map<string, number>>();
  private readonly stats = new Map<string, FieldStats>();
  private readonly liveDocFreqCache = new Map<string, number>();

  constructor(data: SegmentData, name?: string) {
    this.name = name ?? `seg_${Date.now().toString(36)}_${(segmentCounter++).toString(36)}`;
    this.maxDoc = data.maxDoc;
    this.ids = data.ids;
    this.seqNos = data.seqNos;
    this.versions = data.versions;
    this.inverted = data.inverted;
    this.docValues = data.docValues;
    this.vectors = data.vectors;
    this.live = new Uint8Array(data.maxDoc).fill(1);
    this.liveCount = data.maxDoc;
  }

  get hasDeletions(): boolean {
    return this.liveCount < this.maxDoc;
  }

  delete(doc: number): void {
    if (!this.live[doc]) return;
    this.live[doc] = 0;
    this.liveCount--;
    for (const [field, stats] of this.stats) {
      const len = this.inverted.get(field)?.lengths[doc] ?? 0;
      if (len > 0) {
        stats.docCount--;
        stats.sumTotalTermFreq -= len;
      }
    }
    this.liveDocFreqCache.clear();
  }

  /** Term id in a field, or -1. */
  termId(field: string, term: string): number {
    const inv = this.inverted.get(field);
    if (!inv) return -1;
    let index = this.termIndex.get(field);
    if (!index) {
      index = new Map();
      const terms = inv.terms;
      for (let i = 0; i < terms.length; i++) index.set(terms[i] as string, i);
      this.termIndex.set(field, index);
    }
    return index.get(term) ?? -1;
  }

  /** Number of live documents containing a term (Lucene's docFreq, over live docs). */
  docFreq(field: string, termId: number): number {
    const inv = this.inverted.get(field);
    if (!inv || termId < 0) return 0;
    const start = inv.postStart[termId] as number;
    const end = inv.postStart[termId + 1] as number;
    if (!this.hasDeletions) return end - start;
    const key = `${field}\u0000${termId}`;
    const cached = this.liveDocFreqCache.get(key);
    if (cached !== undefined) return cached;
    let n = 0;
    for (let p = start; p < end; p++) n += this.live[inv.postDocs[p] as number] as number;
    this.liveDocFreqCache.set(key, n);
    return n;
  }

  fieldStats(field: string): FieldStats {
    let stats = this.stats.get(field);
    if (!stats) {
      stats = { docCount: 0, sumTotalTermFreq: 0 };
      const lengths = this.inverted.get(field)?.lengths;
      if (lengths) {
        for (let d = 0; d < this.maxDoc; d++) {
          const len = lengths[d] as number;
          if (len > 0 && this.live[d]) {
            stats.docCount++;
            stats.sumTotalTermFreq += len;
          }
        }
      }
      this.stats.set(field, stats);
    }
    return stats;
  }

  /** Index of the first term >= prefix in the sorted term list. */
  seekTerm(field: string, prefix: string): number {
    const terms = this.inverted.get(field)?.terms;
    if (!terms) return 0;
    let lo = 0;
    let hi = terms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((terms[mid] as string) < prefix) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

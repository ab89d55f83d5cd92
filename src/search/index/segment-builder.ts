/**
 * Builds segments: from freshly analysed documents (the refresh path) and from existing
 * segments' live documents (the merge path). Both feed the same per-field accumulators, so a
 * merged segment is byte-for-byte what indexing the same documents afresh would give.
 */

import type { TermKeys } from "../analysis/types.ts";
import { type DocValues, type InvertedField, Segment, type VectorField } from "./segment.ts";
import { intToByte4 } from "./small-float.ts";

/**
 * One field of one analysed document as flat token lists (no per-document term map: the builder
 * groups tokens by term in typed scratch arrays). Exact-value fields give each distinct value once.
 */
export interface AnalyzedField {
  field: string;
  /** One term per token, in token order. */
  terms: string[];
  /** Each token's position; undefined when the field keeps no positions. */
  positions: number[] | undefined;
  /** Field length for norms and statistics (tokens, minus overlaps when discounted). */
  length: number;
  norms: boolean;
  /** Each token's memo key (see TermSink), valid while `space.epoch` equals `epoch`. */
  keys?: { space: TermKeys; epoch: number; of: number[] };
}

export interface AnalyzedDoc {
  id: string;
  seqNo: number;
  version: number;
  inverted: AnalyzedField[];
  ordinals: { field: string; values: string[] }[];
  numerics: { field: string; values: number[] }[];
  vectors: { field: string; vector: ArrayLike<number> }[];
}

/** An append-only int buffer that doubles as it grows. */
class IntBuffer {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  pushAll(values: ArrayLike<number>): void {
    if (this.length + values.length > this.data.length) this.grow(this.length + values.length);
    for (let i = 0; i < values.length; i++) this.data[this.length++] = values[i] as number;
  }
  /** Extends the buffer to `length` (new slots are for the caller to fill); returns the storage. */
  reserve(length: number): Int32Array {
    if (length > this.data.length) this.grow(length);
    this.length = length;
    return this.data;
  }
  private grow(min: number): void {
    this.data = grow(this.data, min, this.length);
  }
}

/** A copy of the first `used` ints of `data` with room for at least `min` (at least double). */
function grow(data: Int32Array, min: number, used = data.length): Int32Array<ArrayBuffer> {
  const next = new Int32Array(Math.max(min, data.length * 2));
  next.set(data.subarray(0, used));
  return next;
}

/**
 * One field's postings while a segment is built. Postings arrive as (term, doc, freq, positions)
 * tuples in ascending doc order and are kept in flat typed buffers (no per-term arrays: they made
 * indexing garbage-collection bound); `finish` sorts the terms and scatters the tuples per term.
 */
class InvertedAccumulator {
  private readonly termIds = new Map<string, number>();
  private readonly termNames: string[] = [];
  private readonly tupleTerm = new IntBuffer();
  private readonly tupleDoc = new IntBuffer();
  private readonly tupleFreq = new IntBuffer();
  private readonly tuplePosEnd = new IntBuffer();
  private readonly positionPool = new IntBuffer();
  readonly lengths: number[] = [];
  readonly norms: number[] = [];

  constructor(
    readonly hasNorms: boolean,
    readonly hasPositions: boolean,
  ) {}

  /** Per-term scratch for `addDoc`: the document's frequency, then its next position slot. */
  private scratch = new Int32Array(1024);
  private tokenIds = new Int32Array(256);
  private distinct = new Int32Array(256);

  private intern(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.termNames.length;
      this.termIds.set(term, id);
      this.termNames.push(term);
      if (id === this.scratch.length) this.scratch = grow(this.scratch, id + 1);
    }
    return id;
  }

  /** Term id + 1 by memo key (0: not seen), for the memo `keySpace` in epoch `keyEpoch`. */
  private idOfKey: Int32Array | undefined;
  private keySpace: TermKeys | undefined;
  private keyEpoch = -1;

  /** The term ids of a document's tokens, through their memo keys when they are current. */
  private termIdsOf(f: AnalyzedField, ids: Int32Array): void {
    const terms = f.terms;
    const keys = f.keys;
    if (!keys || keys.epoch !== keys.space.epoch) {
      for (let i = 0; i < terms.length; i++) ids[i] = this.intern(terms[i] as string);
      return;
    }
    if (this.keySpace !== keys.space || this.keyEpoch !== keys.epoch || !this.idOfKey) {
      if (!this.idOfKey || this.idOfKey.length < keys.space.size)
        this.idOfKey = new Int32Array(keys.space.size);
      else this.idOfKey.fill(0);
      this.keySpace = keys.space;
      this.keyEpoch = keys.epoch;
    }
    const idOfKey = this.idOfKey;
    const of = keys.of;
    for (let i = 0; i < terms.length; i++) {
      const key = of[i] as number;
      let id = (idOfKey[key] as number) - 1;
      if (id < 0) {
        id = this.intern(terms[i] as string);
        idOfKey[key] = id + 1;
      }
      ids[i] = id;
    }
  }

  /** One document's tokens: grouped per term (first-occurrence order), positions in token order. */
  addDoc(doc: number, f: AnalyzedField): void {
    const { terms, positions } = f;
    const n = terms.length;
    if (n > this.tokenIds.length) {
      this.tokenIds = new Int32Array(n * 2);
      this.distinct = new Int32Array(n * 2);
    }
    const ids = this.tokenIds;
    const distinct = this.distinct;
    this.termIdsOf(f, ids);
    let count = 0;
    for (let i = 0; i < n; i++) {
      const id = ids[i] as number;
      const freq = this.scratch[id] as number;
      this.scratch[id] = freq + 1;
      if (freq === 0) distinct[count++] = id;
    }
    const scratch = this.scratch;
    const keep = this.hasPositions && positions !== undefined;
    let end = this.positionPool.length;
    const at = this.tupleTerm.length;
    const tupleTerm = this.tupleTerm.reserve(at + count);
    const tupleDoc = this.tupleDoc.reserve(at + count);
    const tupleFreq = this.tupleFreq.reserve(at + count);
    const tuplePosEnd = this.tuplePosEnd.reserve(at + count);
    for (let k = 0; k < count; k++) {
      const id = distinct[k] as number;
      const freq = scratch[id] as number;
      tupleTerm[at + k] = id;
      tupleDoc[at + k] = doc;
      tupleFreq[at + k] = freq;
      if (keep) {
        scratch[id] = end;
        end += freq;
      } else scratch[id] = 0;
      tuplePosEnd[at + k] = end;
    }
    if (!keep) return;
    const pool = this.positionPool.reserve(end);
    for (let i = 0; i < n; i++) {
      const id = ids[i] as number;
      const slot = scratch[id] as number;
      scratch[id] = slot + 1;
      pool[slot] = positions[i] as number;
    }
    for (let k = 0; k < count; k++) scratch[distinct[k] as number] = 0;
  }

  /** One posting copied from a segment (the merge path). */
  add(doc: number, term: string, freq: number, positions: ArrayLike<number> | undefined): void {
    const id = this.intern(term);
    this.tupleTerm.push(id);
    this.tupleDoc.push(doc);
    this.tupleFreq.push(freq);
    if (this.hasPositions && positions) this.positionPool.pushAll(positions);
    this.tuplePosEnd.push(this.positionPool.length);
  }

  /** Where the buffers end now (see `truncate`). */
  mark(): FieldMark {
    return {
      tuples: this.tupleTerm.length,
      positions: this.positionPool.length,
      terms: this.termNames.length,
    };
  }

  /** Forgets everything added after `m` (documents from `docs` on). */
  truncate(m: FieldMark, docs: number): void {
    for (const b of [this.tupleTerm, this.tupleDoc, this.tupleFreq, this.tuplePosEnd]) b.length = m.tuples;
    this.positionPool.length = m.positions;
    for (let t = m.terms; t < this.termNames.length; t++) this.termIds.delete(this.termNames[t] as string);
    this.termNames.length = m.terms;
    this.keyEpoch = -1; // memo keys may name forgotten term ids
    if (this.lengths.length > docs) this.lengths.length = docs;
    if (this.norms.length > docs) this.norms.length = docs;
  }

  setLength(doc: number, length: number, norm: number): void {
    this.lengths[doc] = length;
    this.norms[doc] = norm;
  }

  finish(maxDoc: number): InvertedField {
    // the default sort orders by UTF-16 code units, as compareStrings does, without a JS comparator
    const terms = this.termNames.slice().sort();
    const rank = new Int32Array(terms.length);
    for (let r = 0; r < terms.length; r++) rank[this.termIds.get(terms[r] as string) as number] = r;
    const n = this.tupleTerm.length;
    const tupleTerm = this.tupleTerm.data;
    const postStart = new Int32Array(terms.length + 1);
    for (let i = 0; i < n; i++) {
      const r = (rank[tupleTerm[i] as number] as number) + 1;
      postStart[r] = (postStart[r] as number) + 1;
    }
    for (let t = 0; t < terms.length; t++)
      postStart[t + 1] = (postStart[t + 1] as number) + (postStart[t] as number);
    // slot of every tuple: tuples arrive in doc order, so each term's postings stay sorted
    const next = postStart.slice(0, terms.length);
    const slotOf = new Int32Array(n);
    const postDocs = new Int32Array(n);
    const postFreqs = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = rank[tupleTerm[i] as number] as number;
      const slot = next[r] as number;
      next[r] = slot + 1;
      slotOf[i] = slot;
      postDocs[slot] = this.tupleDoc.data[i] as number;
      postFreqs[slot] = this.tupleFreq.data[i] as number;
    }
    let posStart: Int32Array | undefined;
    let positions: Int32Array | undefined;
    if (this.hasPositions) {
      const posEnd = this.tuplePosEnd.data;
      const count = new Int32Array(n + 1);
      for (let i = 0; i < n; i++)
        count[(slotOf[i] as number) + 1] = (posEnd[i] as number) - (i ? (posEnd[i - 1] as number) : 0);
      for (let p = 0; p < n; p++) count[p + 1] = (count[p + 1] as number) + (count[p] as number);
      posStart = count;
      positions = new Int32Array(this.positionPool.length);
      const pool = this.positionPool.data;
      // a plain loop: a subarray per posting costs more than copying its few positions
      let from = 0;
      for (let i = 0; i < n; i++) {
        const to = posEnd[i] as number;
        let at = posStart[slotOf[i] as number] as number;
        for (let q = from; q < to; q++) positions[at++] = pool[q] as number;
        from = to;
      }
    }
    const lengths = new Int32Array(maxDoc);
    for (let d = 0; d < this.lengths.length; d++) lengths[d] = this.lengths[d] ?? 0;
    let norms: Uint8Array | undefined;
    if (this.hasNorms) {
      norms = new Uint8Array(maxDoc);
      for (let d = 0; d < this.norms.length; d++) norms[d] = this.norms[d] ?? 0;
    }
    return { terms, postStart, postDocs, postFreqs, posStart, positions, norms, lengths };
  }
}

interface FieldMark {
  tuples: number;
  positions: number;
  terms: number;
}

/** A builder's state at one moment, for `SegmentBuilder.rollback`. */
export interface BuilderMark {
  docs: number;
  inverted: Map<string, FieldMark>;
  /** The doc-value and vector fields that existed. */
  fields: Set<string>;
}

class OrdinalAccumulator {
  readonly perDoc: (string[] | undefined)[] = [];
  finish(maxDoc: number): DocValues {
    const distinct = new Set<string>();
    for (const vals of this.perDoc) if (vals) for (const v of vals) distinct.add(v);
    const values = [...distinct].sort(compareStrings);
    const ordOf = new Map(values.map((v, i) => [v, i]));
    const start = new Int32Array(maxDoc + 1);
    const ords: number[] = [];
    for (let d = 0; d < maxDoc; d++) {
      start[d] = ords.length;
      const vals = this.perDoc[d];
      if (!vals) continue;
      const docOrds = [...new Set(vals.map((v) => ordOf.get(v) as number))].sort((a, b) => a - b);
      for (const o of docOrds) ords.push(o);
    }
    start[maxDoc] = ords.length;
    return { kind: "ordinal", values, start, ords: Int32Array.from(ords) };
  }
}

class NumericAccumulator {
  readonly perDoc: (number[] | undefined)[] = [];
  finish(maxDoc: number): DocValues {
    const start = new Int32Array(maxDoc + 1);
    const values: number[] = [];
    for (let d = 0; d < maxDoc; d++) {
      start[d] = values.length;
      const vals = this.perDoc[d];
      if (vals) for (const v of [...vals].sort((a, b) => a - b)) values.push(v);
    }
    start[maxDoc] = values.length;
    return { kind: "numeric", start, values: Float64Array.from(values) };
  }
}

class VectorAccumulator {
  readonly perDoc: (ArrayLike<number> | undefined)[] = [];
  constructor(readonly dimension: number) {}
  finish(maxDoc: number): VectorField {
    const data = new Float32Array(maxDoc * this.dimension);
    const present = new Uint8Array(maxDoc);
    for (let d = 0; d < this.perDoc.length; d++) {
      const v = this.perDoc[d];
      if (!v) continue;
      data.set(v, d * this.dimension);
      present[d] = 1;
    }
    return { dimension: this.dimension, data, present };
  }
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Collects documents in arrival order; `build()` freezes them into a Segment. */
export class SegmentBuilder {
  private readonly ids: string[] = [];
  private readonly seqNos: number[] = [];
  private readonly versions: number[] = [];
  private readonly deleted = new Set<number>();
  private readonly inverted = new Map<string, InvertedAccumulator>();
  private readonly ordinals = new Map<string, OrdinalAccumulator>();
  private readonly numerics = new Map<string, NumericAccumulator>();
  private readonly vectors = new Map<string, VectorAccumulator>();

  get size(): number {
    return this.ids.length;
  }

  get liveSize(): number {
    return this.ids.length - this.deleted.size;
  }

  /** Adds a document; returns its doc number in the segment-to-be. */
  add(doc: AnalyzedDoc): number {
    const d = this.ids.length;
    this.ids.push(doc.id);
    this.seqNos.push(doc.seqNo);
    this.versions.push(doc.version);
    for (const f of doc.inverted) {
      const acc = this.invertedFor(f.field, f.norms, f.positions !== undefined);
      acc.addDoc(d, f);
      acc.setLength(d, f.length, intToByte4(f.length));
    }
    for (const o of doc.ordinals) this.ordinalFor(o.field).perDoc[d] = o.values;
    for (const n of doc.numerics) this.numericFor(n.field).perDoc[d] = n.values;
    for (const v of doc.vectors) this.vectorFor(v.field, v.vector.length).perDoc[d] = v.vector;
    return d;
  }

  /** The current state, to return to with `rollback` (a write batch whose commit failed). */
  mark(): BuilderMark {
    const inverted = new Map<string, FieldMark>();
    for (const [field, acc] of this.inverted) inverted.set(field, acc.mark());
    const fields = new Set([...this.ordinals.keys(), ...this.numerics.keys(), ...this.vectors.keys()]);
    return { docs: this.ids.length, inverted, fields };
  }

  /** Forgets the documents added since `m`, as if they never came. */
  rollback(m: BuilderMark): void {
    for (const list of [this.ids, this.seqNos, this.versions]) list.length = m.docs;
    for (const d of this.deleted) if (d >= m.docs) this.deleted.delete(d);
    for (const [field, acc] of this.inverted) {
      const fm = m.inverted.get(field);
      if (fm) acc.truncate(fm, m.docs);
      else this.inverted.delete(field);
    }
    for (const accs of [this.ordinals, this.numerics, this.vectors] as Map<string, { perDoc: unknown[] }>[]) {
      for (const [field, acc] of accs) {
        if (!m.fields.has(field)) accs.delete(field);
        else if (acc.perDoc.length > m.docs) acc.perDoc.length = m.docs;
      }
    }
  }

  /** Marks a not-yet-built document deleted (it was updated or deleted before a refresh). */
  delete(doc: number): void {
    this.deleted.add(doc);
  }

  isDeleted(doc: number): boolean {
    return this.deleted.has(doc);
  }

  idAt(doc: number): string {
    return this.ids[doc] as string;
  }

  /** Copies the live documents of existing segments (in order) into this builder, for merging. */
  addSegments(segments: Segment[]): void {
    for (const seg of segments) {
      const remap = new Int32Array(seg.maxDoc).fill(-1);
      for (let d = 0; d < seg.maxDoc; d++) {
        if (!seg.live[d]) continue;
        remap[d] = this.ids.length;
        this.ids.push(seg.ids[d] as string);
        this.seqNos.push(seg.seqNos[d] as number);
        this.versions.push(seg.versions[d] as number);
      }
      for (const [field, inv] of seg.inverted) {
        const acc = this.invertedFor(field, inv.norms !== undefined, inv.posStart !== undefined);
        for (let t = 0; t < inv.terms.length; t++) {
          const term = inv.terms[t] as string;
          for (let p = inv.postStart[t] as number; p < (inv.postStart[t + 1] as number); p++) {
            const nd = remap[inv.postDocs[p] as number] as number;
            if (nd < 0) continue;
            const positions =
              inv.posStart && inv.positions
                ? inv.positions.subarray(inv.posStart[p] as number, inv.posStart[p + 1] as number)
                : undefined;
            acc.add(nd, term, inv.postFreqs[p] as number, positions);
          }
        }
        for (let d = 0; d < seg.maxDoc; d++) {
          const nd = remap[d] as number;
          if (nd >= 0) acc.setLength(nd, inv.lengths[d] as number, inv.norms ? (inv.norms[d] as number) : 0);
        }
      }
      for (const [field, dv] of seg.docValues) {
        for (let d = 0; d < seg.maxDoc; d++) {
          const nd = remap[d] as number;
          if (nd < 0) continue;
          const from = dv.start[d] as number;
          const to = dv.start[d + 1] as number;
          if (from === to) continue;
          if (dv.kind === "ordinal") {
            const vals: string[] = [];
            for (let i = from; i < to; i++) vals.push(dv.values[dv.ords[i] as number] as string);
            this.ordinalFor(field).perDoc[nd] = vals;
          } else {
            this.numericFor(field).perDoc[nd] = Array.from(dv.values.subarray(from, to));
          }
        }
      }
      for (const [field, vf] of seg.vectors) {
        const acc = this.vectorFor(field, vf.dimension);
        for (let d = 0; d < seg.maxDoc; d++) {
          const nd = remap[d] as number;
          if (nd >= 0 && vf.present[d])
            acc.perDoc[nd] = vf.data.subarray(d * vf.dimension, (d + 1) * vf.dimension);
        }
      }
    }
  }

  build(): Segment {
    const maxDoc = this.ids.length;
    const inverted = new Map<string, InvertedField>();
    for (const [field, acc] of this.inverted) inverted.set(field, acc.finish(maxDoc));
    const docValues = new Map<string, DocValues>();
    for (const [field, acc] of this.ordinals) docValues.set(field, acc.finish(maxDoc));
    for (const [field, acc] of this.numerics) docValues.set(field, acc.finish(maxDoc));
    const vectors = new Map<string, VectorField>();
    for (const [field, acc] of this.vectors) vectors.set(field, acc.finish(maxDoc));
    const segment = new Segment({
      maxDoc,
      ids: this.ids,
      seqNos: Float64Array.from(this.seqNos),
      versions: Float64Array.from(this.versions),
      inverted,
      docValues,
      vectors,
    });
    for (const d of this.deleted) segment.delete(d);
    return segment;
  }

  private invertedFor(field: string, norms: boolean, positions: boolean): InvertedAccumulator {
    let acc = this.inverted.get(field);
    if (!acc) {
      acc = new InvertedAccumulator(norms, positions);
      this.inverted.set(field, acc);
    }
    return acc;
  }

  private ordinalFor(field: string): OrdinalAccumulator {
    let acc = this.ordinals.get(field);
    if (!acc) this.ordinals.set(field, (acc = new OrdinalAccumulator()));
    return acc;
  }

  private numericFor(field: string): NumericAccumulator {
    let acc = this.numerics.get(field);
    if (!acc) this.numerics.set(field, (acc = new NumericAccumulator()));
    return acc;
  }

  private vectorFor(field: string, dimension: number): VectorAccumulator {
    let acc = this.vectors.get(field);
    if (!acc) this.vectors.set(field, (acc = new VectorAccumulator(dimension)));
    return acc;
  }
}

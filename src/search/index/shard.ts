/**
 * One index's live state: mapping, settings, analyzers, the refreshed segments, the in-memory
 * buffer of not-yet-visible documents, and the id → location map used for updates, deletes and
 * optimistic concurrency. Writes go through the store's transaction first; memory changes only
 * after the commit, so an acknowledged write is always durable and a failed one leaves no trace.
 */

import fs from "node:fs";
import path from "node:path";
import { storageFault } from "../../common/storage-faults.ts";
import type { Analyzer } from "../analysis/types.ts";
import { EngineError, illegalArgument, mapperParsing, versionConflict } from "../errors.ts";
import { type FieldMapping, isObject, Mapping } from "../mapping.ts";
import type { QueryContext } from "../query/context.ts";
import { type FlatSettings, type SimilaritySettings, similarityFor } from "../settings.ts";
import { analyzeDocument, dynamicMappingUpdate } from "./document.ts";
import { IndexAnalysis } from "./index-analysis.ts";
import type { Segment } from "./segment.ts";
import { type AnalyzedDoc, SegmentBuilder } from "./segment-builder.ts";
import { readSegment, writeSegment } from "./segment-file.ts";
import { type GraphInfo, ShardVectors } from "./shard-vectors.ts";
import { type EngineStore, isStoreError } from "./store.ts";

export interface DocRef {
  /** undefined while the document sits in the refresh buffer. */
  seg: Segment | undefined;
  doc: number;
  seqNo: number;
  version: number;
}

/** A batch's outcome per write, and the seq_no after it. */
interface PlannedBatch {
  items: { result: WriteResult; copy?: DocCopy; deleteId?: string }[];
  nextSeqNo: number;
}

/** A document added to the refresh buffer (`doc` is its number there), not yet current. */
interface DocCopy {
  id: string;
  seqNo: number;
  version: number;
  doc: number;
  vectors: AnalyzedDoc["vectors"];
}

export type WriteOp =
  | {
      op: "index";
      id: string | undefined;
      source: unknown;
      create: boolean;
      ifSeqNo?: number;
      ifPrimaryTerm?: number;
    }
  | { op: "delete"; id: string; ifSeqNo?: number; ifPrimaryTerm?: number }
  | {
      op: "update";
      id: string;
      doc?: unknown;
      upsert?: unknown;
      docAsUpsert?: boolean;
      detectNoop?: boolean;
      ifSeqNo?: number;
      ifPrimaryTerm?: number;
    };

export interface WriteResult {
  _index: string;
  _id: string;
  _version?: number;
  result?: "created" | "updated" | "deleted" | "not_found" | "noop";
  _shards?: { total: number; successful: number; failed: number };
  _seq_no?: number;
  _primary_term?: number;
  status: number;
  error?: { type: string; reason: string; [k: string]: unknown };
  get?: { _source: unknown };
}

const MAX_SEGMENTS = 12;
const FLUSH_EVERY_MS = 30_000;
const PRIMARY_TERM = 1;

export class IndexShard {
  readonly mapping: Mapping;
  analysis: IndexAnalysis;
  segments: Segment[] = [];
  private builder = new SegmentBuilder();
  private readonly refs = new Map<string, DocRef>();
  private readonly vectors: ShardVectors;
  private nextSeqNo: number;
  private refreshTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private dirtySinceFlush = false;
  private closed = false;

  constructor(
    readonly store: EngineStore,
    readonly uuid: string,
    public name: string,
    public settings: FlatSettings,
    mappings: unknown,
    readonly dir: string,
    nextSeqNo: number,
    readonly configDir: string,
  ) {
    this.analysis = new IndexAnalysis(settings, configDir);
    this.mapping = new Mapping();
    this.mapping.merge(mappings, (n) => this.analysis.has(n));
    this.nextSeqNo = nextSeqNo;
    fs.mkdirSync(dir, { recursive: true });
    const knn = settings["index.knn"] === true || settings["index.knn"] === "true";
    this.vectors = new ShardVectors(dir, this.mapping, knn, () => this.settings);
  }

  /** Loads committed segments, marks superseded copies dead and replays newer documents. */
  load(): void {
    const commit = this.store.getCommit(this.uuid);
    const versions = this.store.liveVersions(this.uuid);
    const known = new Set<string>();
    this.vectors.open(commit?.graphs ?? {});
    for (const file of this.vectors.files()) known.add(file);
    if (commit) {
      for (const file of commit.segments) {
        const seg = readSegment(this.dir, file);
        known.add(file);
        for (let d = 0; d < seg.maxDoc; d++) {
          const id = seg.ids[d] as string;
          if (versions.get(id) === seg.seqNos[d]) {
            this.refs.set(id, {
              seg,
              doc: d,
              seqNo: seg.seqNos[d] as number,
              version: seg.versions[d] as number,
            });
          } else seg.delete(d);
        }
        this.vectors.loadSegment(seg, (id) => this.refs.get(id));
        this.segments.push(seg);
      }
    }
    for (const file of fs.readdirSync(this.dir))
      if (!known.has(file)) fs.rmSync(path.join(this.dir, file), { force: true });
    const checkpoint = commit?.checkpoint ?? -1;
    for (const row of this.store.docsAfter(this.uuid, checkpoint)) {
      const existing = this.refs.get(row.id);
      if (existing && existing.seqNo === row.seq_no) continue;
      const source = JSON.parse(row.source) as Record<string, unknown>;
      this.applyIndexed(analyzeDocument(row.id, row.seq_no, row.version, source, this.documentContext()));
    }
    for (const [id, ref] of this.refs) if (!versions.has(id)) this.deleteRef(id, ref);
    this.vectors.apply();
    // a graph rebuilt from the documents is saved by the next periodic flush
    if (this.vectors.unsaved()) this.dirtySinceFlush = true;
    this.refresh();
    this.scheduleRefresh();
  }

  get docCount(): number {
    let n = 0;
    for (const seg of this.segments) n += seg.liveCount;
    return n;
  }

  get deletedCount(): number {
    let n = 0;
    for (const seg of this.segments) n += seg.maxDoc - seg.liveCount;
    return n;
  }

  get storeBytes(): number {
    let n = 0;
    for (const seg of this.segments) {
      if (!seg.file) continue;
      try {
        n += fs.statSync(path.join(this.dir, seg.file)).size;
      } catch {
        // merged away meanwhile
      }
    }
    return n;
  }

  similarity(field: string): SimilaritySettings {
    const fm = this.mapping.fields.get(field);
    return similarityFor(this.settings, fm?.similarity ?? "default");
  }

  /** Recomputes analyzers and similarity after a settings change (index closed or search-time only). */
  reconfigure(settings: FlatSettings): void {
    const analysis = new IndexAnalysis(settings, this.configDir);
    for (const fm of this.mapping.fields.values()) {
      for (const name of [fm.analyzer, fm.searchAnalyzer, fm.searchQuoteAnalyzer]) {
        if (!analysis.has(name))
          throw mapperParsing(
            `analyzer [${name}] used by field [${fm.path}] is not defined by the new settings`,
          );
      }
    }
    for (const key of Object.keys(settings))
      if (key.startsWith("index.similarity.")) similarityFor(settings, key.split(".")[2]);
    this.analysis = analysis;
    this.settings = settings;
    this.scheduleRefresh();
  }

  /** What analysing documents needs; make one per batch (it caches similarity lookups). */
  documentContext() {
    const overlaps = new Map<string, boolean>();
    return {
      mapping: this.mapping,
      analyzer: (name: string) => this.analysis.get(name),
      discountOverlaps: (fm: FieldMapping) => {
        const name = fm.similarity ?? "default";
        let discount = overlaps.get(name);
        if (discount === undefined) {
          discount = similarityFor(this.settings, name).discountOverlaps;
          overlaps.set(name, discount);
        }
        return discount;
      },
    };
  }

  getRef(id: string): DocRef | undefined {
    return this.refs.get(id);
  }

  /**
   * Applies a batch of writes atomically; per-item failures don't stop the others. The batch is
   * one store transaction, acknowledged only once it commits; each document is stored and put in
   * the refresh buffer as it is planned, so its JSON and analysis die young instead of surviving
   * the batch. A batch that fails is rolled back out of the buffer and the mapping.
   */
  write(ops: WriteOp[], newId: () => string): WriteResult[] {
    if (this.closed) throw new EngineError(400, "index_closed_exception", "closed", { index: this.name });
    const mappingBefore = JSON.stringify(this.mapping.toJSON());
    const mark = this.builder.mark();
    let batch: PlannedBatch;
    try {
      batch = this.store.transaction(() => {
        const planned = this.plan(ops, newId);
        this.store.setNextSeqNo(this.uuid, planned.nextSeqNo);
        const mappingAfter = JSON.stringify(this.mapping.toJSON());
        if (mappingAfter !== mappingBefore) this.store.setMappings(this.uuid, mappingAfter);
        return planned;
      });
    } catch (err) {
      this.builder.rollback(mark);
      if (JSON.stringify(this.mapping.toJSON()) !== mappingBefore) this.restoreMapping(mappingBefore);
      if (!isStoreError(err)) throw err;
      const fault = storageFault(err);
      if (fault) throw new EngineError(fault.status, fault.type, fault.message, { index: this.name });
      throw new EngineError(
        500,
        "store_exception",
        `could not persist the write: ${(err as Error).message}`,
        { index: this.name },
      );
    }
    this.nextSeqNo = batch.nextSeqNo;
    const { items } = batch;
    for (const p of items) {
      if (p.copy) this.track(p.copy);
      else if (p.deleteId) {
        const ref = this.refs.get(p.deleteId);
        if (ref) this.deleteRef(p.deleteId, ref);
      }
    }
    this.vectors.apply();
    if (items.some((p) => p.copy || p.deleteId)) this.dirtySinceFlush = true;
    return items.map((p) => p.result);
  }

  /** Puts the mapping back as it was (`json`, its toJSON) before a failed batch grew it. */
  private restoreMapping(json: string): void {
    const m = this.mapping;
    for (const key of Object.keys(m.properties)) delete m.properties[key];
    for (const key of Object.keys(m.extras)) delete m.extras[key];
    m.dynamic = true;
    m.fields.clear();
    m.objects.clear();
    m.merge(JSON.parse(json), () => true);
  }

  /** Checks, analyses and stores each write of a batch (inside its transaction); memory follows on commit. */
  private plan(ops: WriteOp[], newId: () => string): PlannedBatch {
    const pending = new Map<
      string,
      { seqNo: number; version: number; source: Record<string, unknown> | null }
    >();
    const current = (id: string) => {
      const p = pending.get(id);
      if (p) return p.source ? p : undefined;
      const ref = this.refs.get(id);
      return ref
        ? { seqNo: ref.seqNo, version: ref.version, source: undefined as Record<string, unknown> | undefined }
        : undefined;
    };
    const planned: PlannedBatch["items"] = [];
    const documents = this.documentContext();
    let seq = this.nextSeqNo;
    const replicas = Number(this.settings["index.number_of_replicas"] ?? 1);
    const shards = { total: 1 + replicas, successful: 1, failed: 0 };
    for (const op of ops) {
      const id = op.op === "index" && op.id === undefined ? newId() : (op.id as string);
      const base: WriteResult = { _index: this.name, _id: id, status: 200 };
      try {
        validateId(id);
        const cur = current(id);
        checkConcurrency(this.name, id, op, cur);
        if (op.op === "delete") {
          const seqNo = seq++;
          if (!cur) {
            planned.push({
              result: writeResult(base, 1, "not_found", shards, seqNo, 404),
            });
            continue;
          }
          this.store.removeDoc(this.uuid, id);
          pending.set(id, { seqNo, version: cur.version + 1, source: null });
          planned.push({
            result: writeResult(base, cur.version + 1, "deleted", shards, seqNo, 200),
            deleteId: id,
          });
          continue;
        }
        let source: Record<string, unknown>;
        if (op.op === "index") {
          if (op.create && cur) {
            throw versionConflict(
              this.name,
              `[${id}]: version conflict, document already exists (current version [${cur.version}])`,
            );
          }
          source = sourceObject(op.source);
        } else {
          const existing = cur ? (cur.source ?? this.storedSource(id)) : undefined;
          if (!existing) {
            if (op.upsert !== undefined) source = sourceObject(op.upsert, "upsert");
            else if (op.docAsUpsert && op.doc !== undefined) source = sourceObject(op.doc, "doc");
            else
              throw new EngineError(404, "document_missing_exception", `[${id}]: document missing`, {
                shard: "0",
                index: this.name,
              });
          } else {
            if (op.doc === undefined)
              throw illegalArgument("Validation Failed: 1: script or doc is missing;");
            const merged = deepMerge(existing, sourceObject(op.doc, "doc"));
            if (op.detectNoop !== false && JSON.stringify(merged) === JSON.stringify(existing) && cur) {
              planned.push({
                result: writeResult(
                  base,
                  cur.version,
                  "noop",
                  { total: 0, successful: 0, failed: 0 },
                  cur.seqNo,
                  200,
                ),
              });
              continue;
            }
            source = merged;
          }
        }
        const update = dynamicMappingUpdate(source, this.mapping);
        if (update) this.mapping.merge(update, (n) => this.analysis.has(n));
        const seqNo = seq;
        const version = (cur?.version ?? 0) + 1;
        const doc = analyzeDocument(id, seqNo, version, source, documents);
        const copy: DocCopy = { id, seqNo, version, doc: this.builder.add(doc), vectors: doc.vectors };
        this.store.putDoc(this.uuid, id, seqNo, version, JSON.stringify(source));
        seq++;
        pending.set(id, { seqNo, version, source });
        planned.push({
          result: writeResult(base, version, cur ? "updated" : "created", shards, seqNo, cur ? 200 : 201),
          copy,
        });
      } catch (err) {
        if (!(err instanceof EngineError)) throw err;
        planned.push({
          result: {
            ...base,
            status: err.status,
            error: { type: err.type, reason: err.message, index: this.name, shard: "0", ...err.extra },
          },
        });
      }
    }
    return { items: planned, nextSeqNo: seq };
  }

  storedSource(id: string): Record<string, unknown> | undefined {
    const row = this.store.getDoc(this.uuid, id);
    return row ? (JSON.parse(row.source) as Record<string, unknown>) : undefined;
  }

  private applyIndexed(doc: AnalyzedDoc): void {
    this.track({
      id: doc.id,
      seqNo: doc.seqNo,
      version: doc.version,
      doc: this.builder.add(doc),
      vectors: doc.vectors,
    });
  }

  /** Makes a copy in the refresh buffer the current one of its id (the older copy is deleted). */
  private track(copy: DocCopy): void {
    const old = this.refs.get(copy.id);
    if (old) this.deleteRef(copy.id, old);
    const ref: DocRef = { seg: undefined, doc: copy.doc, seqNo: copy.seqNo, version: copy.version };
    this.refs.set(copy.id, ref);
    this.vectors.indexed(copy, ref);
  }

  private deleteRef(id: string, ref: DocRef): void {
    if (ref.seg) ref.seg.delete(ref.doc);
    else this.builder.delete(ref.doc);
    this.refs.delete(id);
    this.vectors.deleted(ref);
  }

  /** Makes buffered documents searchable (a new segment), then merges if there are too many. */
  refresh(): void {
    if (this.builder.size === 0) return;
    const builder = this.builder;
    this.builder = new SegmentBuilder();
    const seg = builder.build();
    for (let d = 0; d < seg.maxDoc; d++) {
      if (!seg.live[d]) continue;
      const ref = this.refs.get(seg.ids[d] as string);
      if (ref && !ref.seg && ref.doc === d) ref.seg = seg;
    }
    if (seg.liveCount > 0) this.segments = [...this.segments, seg];
    this.maybeMerge();
  }

  private maybeMerge(): void {
    // drop fully deleted segments, then merge the smallest adjacent pair until few enough remain
    this.segments = this.segments.filter((s) => s.liveCount > 0);
    while (this.segments.length > MAX_SEGMENTS) {
      let best = 0;
      let bestSize = Number.POSITIVE_INFINITY;
      for (let i = 0; i + 1 < this.segments.length; i++) {
        const size = (this.segments[i] as Segment).liveCount + (this.segments[i + 1] as Segment).liveCount;
        if (size < bestSize) {
          bestSize = size;
          best = i;
        }
      }
      this.mergeRange(best, best + 2);
    }
  }

  /** Merges segments [from, to) into one (also `_forcemerge`). */
  mergeRange(from: number, to: number): void {
    const parts = this.segments.slice(from, to);
    if (parts.length < 2 && !parts.some((p) => p.hasDeletions)) return;
    const builder = new SegmentBuilder();
    builder.addSegments(parts);
    const merged = builder.build();
    for (let d = 0; d < merged.maxDoc; d++) {
      const ref = this.refs.get(merged.ids[d] as string);
      if (ref) {
        ref.seg = merged;
        ref.doc = d;
      }
    }
    this.segments = [...this.segments.slice(0, from), merged, ...this.segments.slice(to)];
  }

  forceMerge(): void {
    this.refresh();
    if (this.segments.length > 1 || this.segments.some((s) => s.hasDeletions))
      this.mergeRange(0, this.segments.length);
  }

  /** Writes unsaved segments and vector graphs and records them as the commit point. */
  flush(): void {
    this.refresh();
    const files: string[] = [];
    for (const seg of this.segments) {
      if (!seg.file) seg.file = writeSegment(this.dir, seg);
      files.push(seg.file);
    }
    const graphs = this.vectors.save();
    this.store.setCommit(this.uuid, { checkpoint: this.nextSeqNo - 1, segments: files, graphs });
    const keep = new Set([...files, ...this.vectors.files()]);
    for (const file of fs.readdirSync(this.dir))
      if (!keep.has(file)) fs.rmSync(path.join(this.dir, file), { force: true });
    this.dirtySinceFlush = false;
  }

  scheduleRefresh(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = undefined;
    const interval = parseInterval(this.settings["index.refresh_interval"] ?? "1s");
    if (interval > 0) {
      this.refreshTimer = setInterval(() => this.refresh(), interval);
      this.refreshTimer.unref();
    }
    if (!this.flushTimer) {
      this.flushTimer = setInterval(() => {
        if (!this.dirtySinceFlush) return;
        // a full or read-only disk must not take the server down: the documents are safe in the
        // store, the segments stay unsaved and the next flush tries again
        try {
          this.flush();
        } catch (err) {
          process.emitWarning(
            `flushing index [${this.name}] failed, retrying in ${FLUSH_EVERY_MS / 1000} s: ${(err as Error).message}`,
          );
        }
      }, FLUSH_EVERY_MS);
      this.flushTimer.unref();
    }
  }

  close(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.refreshTimer = undefined;
    this.flushTimer = undefined;
    if (!this.closed) this.flush();
    this.closed = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The query compiler's view of this index at this moment. */
  queryContext(): QueryContext {
    const segments = this.segments;
    return {
      index: this.name,
      segments,
      mapping: this.mapping,
      similarity: (field) => this.similarity(field),
      analyzer: (name) => this.analysis.get(name),
      searchAnalyzer: (fm, quoted) =>
        this.analysis.searchAnalyzer(quoted ? fm.searchQuoteAnalyzer : fm.searchAnalyzer),
      defaultFields: defaultFields(this.settings),
      docsWithIds: (seg, ids) => {
        const out: number[] = [];
        for (const id of ids) {
          const ref = this.refs.get(id);
          if (ref && ref.seg === seg) out.push(ref.doc);
        }
        return Int32Array.from(out).sort();
      },
      now: Date.now(),
      vectors: this.vectors,
    };
  }

  /** The vector graphs (tests and diagnostics: where each came from at open, and its size). */
  vectorGraphs(): GraphInfo[] {
    return this.vectors.info();
  }

  analyzerFor(name: string): Analyzer {
    return this.analysis.get(name);
  }
}

/**
 * A write's result as one literal (spreading `base` built each one as a slow dictionary object);
 * keys in the order the spread gave them.
 */
function writeResult(
  base: WriteResult,
  version: number,
  result: WriteResult["result"],
  shards: WriteResult["_shards"],
  seqNo: number,
  status: number,
): WriteResult {
  return {
    _index: base._index,
    _id: base._id,
    status,
    _version: version,
    result,
    _shards: shards,
    _seq_no: seqNo,
    _primary_term: PRIMARY_TERM,
  };
}

function defaultFields(settings: FlatSettings): string[] {
  const v = settings["index.query.default_field"];
  if (Array.isArray(v)) return v.map(String);
  return typeof v === "string" ? [v] : ["*"];
}

function parseInterval(value: unknown): number {
  const s = String(value);
  if (s === "-1") return -1;
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(s);
  if (!m) return 1000;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? "ms"] ?? 1;
  return Number(m[1]) * unit;
}

function validateId(id: string): void {
  if (Buffer.byteLength(id) > 512)
    throw illegalArgument(
      `id [${id.slice(0, 40)}...] is too long, must be no longer than 512 bytes but was: ${Buffer.byteLength(id)}`,
    );
  if (id.length === 0) throw illegalArgument("if _id is specified it must not be empty");
}

function sourceObject(value: unknown, what = "source"): Record<string, unknown> {
  if (!isObject(value))
    throw mapperParsing(
      `failed to parse, document is empty or not an object (${what} must be a JSON object)`,
    );
  return value;
}

function checkConcurrency(index: string, id: string, op: WriteOp, cur: { seqNo: number } | undefined): void {
  if (op.ifSeqNo === undefined && op.ifPrimaryTerm === undefined) return;
  if (op.ifSeqNo === undefined || op.ifPrimaryTerm === undefined) {
    throw illegalArgument("Validation Failed: 1: ifSeqNo is set, but primary term is [0];");
  }
  if (!cur || cur.seqNo !== op.ifSeqNo || op.ifPrimaryTerm !== PRIMARY_TERM) {
    throw versionConflict(
      index,
      `[${id}]: version conflict, required seqNo [${op.ifSeqNo}], primary term [${op.ifPrimaryTerm}]. ${
        cur
          ? `current document has seqNo [${cur.seqNo}] and primary term [${PRIMARY_TERM}]`
          : "but no document was found"
      }`,
    );
  }
}

function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

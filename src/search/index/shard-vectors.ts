/**
 * A shard's vector graphs, one per knn_vector field when `index.knn` is true. Every write adds the
 * vectors of the new document copies under their seq_no; superseded and deleted copies leave their
 * keys behind as stale (see vector-graph.ts for why nothing is removed from usearch). Which keys are
 * live is tracked here: `locate` maps a live key to its document copy, searches skip the rest, and
 * a graph whose stale keys outnumber its live ones is rebuilt from the segments at the next flush.
 * Changes are queued while a write or a load runs and inserted in batches. Segment merges move
 * documents but keep their seq_nos: graphs are untouched.
 */
import type { FieldMapping, Mapping } from "../mapping.ts";
import type { FlatSettings } from "../settings.ts";
import type { Segment } from "./segment.ts";
import type { AnalyzedDoc } from "./segment-builder.ts";
import type { DocRef } from "./shard.ts";
import { type GraphFile, type GraphParams, VectorGraph } from "./vector-graph.ts";

export const DEFAULT_EF_SEARCH = 100;
/** Rows per usearch insert call: bounds the temporary flat copy when a whole graph is rebuilt. */
const ADD_BATCH = 4096;
/** Stale keys cost search candidates, not correctness: small graphs are not worth rebuilding. */
const COMPACT_MIN_STALE = 1_000;

/** What a knn query needs from the shard. */
export interface VectorSource {
  /** The field's graph, or undefined (index.knn is false, or the graph failed and search is exact). */
  graph(field: string): VectorGraph | undefined;
  /** The document copy a live graph key stands for; undefined for stale keys. */
  locate(key: number): Readonly<DocRef> | undefined;
  /** Live document copies with a vector in the field (refreshed or not). */
  liveCount(field: string): number;
  /** ef_search in effect for a field: its mapping's, else `index.knn.algo_param.ef_search`. */
  efSearch(field: string): number;
}

export interface GraphInfo {
  field: string;
  origin: "loaded" | "built";
  /** Keys in the graph, stale ones included. */
  size: number;
  live: number;
  file: string | undefined;
}

interface FieldGraph {
  graph: VectorGraph;
  /** Keys of the live document copies with a vector in this field. */
  live: Set<number>;
  /** Vectors waiting to be inserted, by key. */
  pending: Map<number, ArrayLike<number>>;
}

export class ShardVectors implements VectorSource {
  private readonly fields = new Map<string, FieldGraph>();
  /** Fields whose graph hit a usearch error: searched exactly until the index is reopened (and rebuilt). */
  private readonly failed = new Set<string>();
  private readonly byKey = new Map<number, DocRef>();

  constructor(
    private readonly dir: string,
    private readonly mapping: Mapping,
    readonly enabled: boolean,
    private readonly settings: () => FlatSettings,
  ) {}

  /** Opens the committed graph of every knn_vector field, or starts an empty one to be rebuilt. */
  open(committed: Record<string, GraphFile>): void {
    if (!this.enabled) return;
    for (const fm of this.mapping.fields.values()) {
      const params = graphParams(fm);
      if (!params) continue;
      const file = committed[fm.path];
      const loaded = file ? VectorGraph.open(this.dir, file, params) : undefined;
      this.fields.set(fm.path, fieldGraph(loaded ?? VectorGraph.create(this.dir, params)));
    }
  }

  /**
   * Registers a committed segment's live copies; their vectors are inserted unless the graph has
   * them already (all of them for a graph being rebuilt, only later ones for a loaded graph).
   */
  loadSegment(seg: Segment, refOf: (id: string) => DocRef | undefined): void {
    for (const [field, vf] of seg.vectors) {
      const fg = this.fields.get(field);
      if (!fg) continue;
      for (let d = 0; d < seg.maxDoc; d++) {
        if (!vf.present[d] || !seg.live[d]) continue;
        const ref = refOf(seg.ids[d] as string);
        if (!ref) continue;
        this.track(fg, ref);
        fg.pending.set(ref.seqNo, vf.data.subarray(d * vf.dimension, (d + 1) * vf.dimension));
      }
    }
  }

  /** A new document copy became current (write or replay). */
  indexed(doc: Pick<AnalyzedDoc, "seqNo" | "vectors">, ref: DocRef): void {
    if (!this.enabled) return;
    for (const v of doc.vectors) {
      const fg = this.fieldFor(v.field);
      if (!fg) continue;
      this.track(fg, ref);
      fg.pending.set(doc.seqNo, v.vector);
    }
  }

  /** A document copy was superseded or deleted: its keys become stale. */
  deleted(ref: DocRef): void {
    if (!this.byKey.delete(ref.seqNo)) return;
    for (const fg of this.fields.values()) {
      fg.live.delete(ref.seqNo);
      fg.pending.delete(ref.seqNo);
    }
  }

  /** Inserts queued vectors; a graph that fails is dropped and its field searched exactly. */
  apply(): void {
    for (const [field, fg] of this.fields) {
      if (fg.pending.size === 0) continue;
      const rows = [...fg.pending];
      fg.pending.clear();
      this.guard(field, () => insert(fg.graph, rows));
    }
  }

  graph(field: string): VectorGraph | undefined {
    this.apply();
    return this.fields.get(field)?.graph;
  }

  locate(key: number): Readonly<DocRef> | undefined {
    return this.byKey.get(key);
  }

  liveCount(field: string): number {
    return this.fields.get(field)?.live.size ?? 0;
  }

  efSearch(field: string): number {
    const own = this.mapping.fields.get(field)?.knn?.efSearch;
    return own ?? Number(this.settings()["index.knn.algo_param.ef_search"] ?? DEFAULT_EF_SEARCH);
  }

  /**
   * Rebuilds stale-heavy graphs, saves graphs changed since their last file and returns what the
   * commit records, by field. Called at flush, after a refresh: every live copy is in a segment.
   */
  save(): Record<string, GraphFile> {
    this.apply();
    const out: Record<string, GraphFile> = {};
    for (const [field, fg] of this.fields) {
      const stale = fg.graph.size - fg.live.size;
      if (stale > Math.max(fg.live.size, COMPACT_MIN_STALE)) this.guard(field, () => this.compact(field, fg));
      const graph = this.fields.get(field)?.graph;
      if (graph) out[field] = graph.dirty || !graph.file ? graph.save() : graph.file;
    }
    return out;
  }

  /** Whether a graph holds changes no file has yet (e.g. rebuilt at open). */
  unsaved(): boolean {
    return [...this.fields.values()].some((fg) => fg.graph.dirty || (!fg.graph.file && fg.graph.size > 0));
  }

  /** File names of the graphs as last loaded or saved (the shard directory keeps them). */
  files(): string[] {
    return [...this.fields.values()].flatMap((fg) => (fg.graph.file ? [fg.graph.file.file] : []));
  }

  info(): GraphInfo[] {
    return [...this.fields].map(([field, fg]) => ({
      field,
      origin: fg.graph.origin,
      size: fg.graph.size,
      live: fg.live.size,
      file: fg.graph.file?.file,
    }));
  }

  /** Replaces a graph by one of its live keys only (kept as it is if a live row cannot be read). */
  private compact(field: string, fg: FieldGraph): void {
    const rows: [number, ArrayLike<number>][] = [];
    for (const key of fg.live) {
      const ref = this.byKey.get(key);
      const vf = ref?.seg?.vectors.get(field);
      if (!ref?.seg || !vf?.present[ref.doc]) return;
      rows.push([key, vf.data.subarray(ref.doc * vf.dimension, (ref.doc + 1) * vf.dimension)]);
    }
    const fresh = VectorGraph.create(this.dir, fg.graph.params);
    insert(fresh, rows);
    fg.graph = fresh;
  }

  private track(fg: FieldGraph, ref: DocRef): void {
    fg.live.add(ref.seqNo);
    this.byKey.set(ref.seqNo, ref);
  }

  private fieldFor(field: string): FieldGraph | undefined {
    const existing = this.fields.get(field);
    if (existing || this.failed.has(field)) return existing;
    // a knn_vector field mapped after the shard opened: no document has a vector for it yet
    const fm = this.mapping.fields.get(field);
    const params = fm ? graphParams(fm) : undefined;
    if (!params) return undefined;
    const fg = fieldGraph(VectorGraph.create(this.dir, params));
    this.fields.set(field, fg);
    return fg;
  }

  private guard(field: string, fn: () => void): void {
    try {
      fn();
    } catch {
      this.fields.delete(field);
      this.failed.add(field);
    }
  }
}

function fieldGraph(graph: VectorGraph): FieldGraph {
  return { graph, live: new Set(), pending: new Map() };
}

function graphParams(fm: FieldMapping): GraphParams | undefined {
  if (fm.type !== "knn_vector" || !fm.knn || fm.dimension === undefined) return undefined;
  return {
    dimension: fm.dimension,
    space: fm.knn.spaceType,
    m: fm.knn.m,
    efConstruction: fm.knn.efConstruction,
    encoding: fm.knn.encoding,
  };
}

function insert(graph: VectorGraph, rows: [number, ArrayLike<number>][]): void {
  for (let from = 0; from < rows.length; from += ADD_BATCH) graph.add(rows.slice(from, from + ADD_BATCH));
}

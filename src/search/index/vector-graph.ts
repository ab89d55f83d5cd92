/**
 * One knn_vector field's HNSW graph in one shard: a usearch index whose keys are the seq_nos of the
 * document copies (unique per version), so an update adds a new key and never changes an old one.
 * Keys are only ever added: superseded and deleted copies stay in the graph as stale keys that
 * searches skip (see ShardVectors, which compacts a graph once stale keys outnumber live ones).
 * usearch's own removal is not used: in 2.25 its key table keeps a tombstone per removal until it
 * is rehashed, and lookups loop forever once tombstones fill it; and a removed node's slot is
 * reused for the next insertion, which keeps the old node's in-links pointing at the new vector and
 * left ~2% of documents unreachable after heavy update churn in our tests.
 *
 * The graph is derived data: it is saved at flush as its own file (temporary file, fsync, rename),
 * recorded with the commit together with its size and SHA-256, and verified before loading, because
 * usearch crashes the process on a corrupt file. A file that is missing or does not verify is not
 * loaded: the shard rebuilds the graph from the segments' vector columns instead.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import usearch, { type Index, type MetricKind, type ScalarKind } from "usearch";
import { sha256File } from "../../common/file-hash.ts";
import type { GraphEncoding, SpaceType } from "../knn-method.ts";
import { syncDir } from "./segment-file.ts";
import { SPACES } from "./vector-space.ts";

export interface GraphParams {
  dimension: number;
  space: SpaceType;
  m: number;
  efConstruction: number;
  /** The precision of the graph's own copy of the vectors (scores always use the stored float32). */
  encoding: GraphEncoding;
}

/** What a commit records about a saved graph. */
export interface GraphFile extends GraphParams {
  file: string;
  bytes: number;
  sha256: string;
  count: number;
}

export interface GraphMatches {
  keys: BigUint64Array;
  distances: Float32Array;
}

export class VectorGraph {
  /** Changed since it was loaded or last saved. */
  dirty = false;
  /** The file this graph's current content was loaded from or saved to. */
  file: GraphFile | undefined;

  private constructor(
    private readonly index: Index,
    readonly params: GraphParams,
    /** Where the graph came from when the shard opened: the commit's file, or built from documents. */
    readonly origin: "loaded" | "built",
    private readonly dir: string,
  ) {}

  static create(dir: string, params: GraphParams): VectorGraph {
    return new VectorGraph(newIndex(params), params, "built", dir);
  }

  /** Loads a committed graph file, or undefined when it is missing, altered or of other parameters. */
  static open(dir: string, file: GraphFile, params: GraphParams): VectorGraph | undefined {
    if (!sameParams(file, params)) return undefined;
    const full = path.join(dir, file.file);
    try {
      if (fs.statSync(full).size !== file.bytes || sha256File(full) !== file.sha256) return undefined;
      const index = newIndex(params);
      index.load(full);
      if (index.dimensions() !== params.dimension || index.size() !== file.count) return undefined;
      const graph = new VectorGraph(index, params, "loaded", dir);
      graph.file = file;
      return graph;
    } catch {
      return undefined;
    }
  }

  /** Keys in the graph, stale ones included. */
  get size(): number {
    return this.index.size();
  }

  /** Adds vectors by key; keys already in the graph are skipped (a replay may offer them again). */
  add(rows: readonly (readonly [number, ArrayLike<number>])[]): void {
    if (rows.length === 0) return;
    const present = this.index.contains(BigUint64Array.from(rows, ([key]) => BigInt(key))) as boolean[];
    const missing = rows.filter((_, i) => !present[i]);
    if (missing.length === 0) return;
    const dim = this.params.dimension;
    const keys = new BigUint64Array(missing.length);
    const flat = new Float32Array(missing.length * dim);
    missing.forEach(([key, vector], i) => {
      keys[i] = BigInt(key);
      flat.set(vector, i * dim);
    });
    // one thread: batches inserted on several threads (usearch 2.25) left ~0.1% of vectors that no
    // search reaches, while sequential insertion reached all of them in the same test
    this.index.add(keys, flat, 1);
    this.dirty = true;
  }

  /**
   * The `count` nearest keys by the space's metric. usearch explores max(expansion_search, count)
   * candidates; expansion_search is minimal, so `count` is the effective ef_search.
   */
  search(query: Float32Array, count: number): GraphMatches {
    if (this.index.size() === 0 || count < 1)
      return { keys: new BigUint64Array(0), distances: new Float32Array(0) };
    const found = this.index.search(query, count, 1);
    return { keys: found.keys, distances: found.distances };
  }

  /** Writes the graph to a new file atomically; the caller records it with the commit. */
  save(): GraphFile {
    const name = `graph_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}.hnsw`;
    const target = path.join(this.dir, name);
    const tmp = `${target}.tmp`;
    this.index.save(tmp);
    const fd = fs.openSync(tmp, "r+");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    const file: GraphFile = {
      ...this.params,
      file: name,
      bytes: fs.statSync(tmp).size,
      sha256: sha256File(tmp),
      count: this.index.size(),
    };
    fs.renameSync(tmp, target);
    syncDir(this.dir);
    this.file = file;
    this.dirty = false;
    return file;
  }
}

function newIndex(params: GraphParams): Index {
  return new usearch.Index({
    dimensions: params.dimension,
    metric: SPACES[params.space].metric as MetricKind,
    quantization: (params.encoding === "fp16" ? "f16" : "f32") as ScalarKind,
    connectivity: params.m,
    expansion_add: params.efConstruction,
    // ef_search is a dynamic setting: searches pass it as their candidate count instead
    expansion_search: 1,
    multi: false,
  });
}

function sameParams(a: GraphParams, b: GraphParams): boolean {
  return (
    a.dimension === b.dimension &&
    a.space === b.space &&
    a.m === b.m &&
    a.efConstruction === b.efConstruction &&
    // files committed before encodings existed hold float32 graphs
    (a.encoding ?? "fp32") === b.encoding
  );
}

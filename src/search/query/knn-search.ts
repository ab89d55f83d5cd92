/**
 * Finds a knn query's matches across all segments of an index (one shard, as OpenSearch with one
 * shard does): the k nearest live documents, or every document within a radius. Candidates come
 * from the field's HNSW graph or from an exact scan of the segments' vector columns, and are always
 * scored exactly from the stored vectors, so both paths give a document the same score. An index
 * without graphs (`index.knn: false`) is scanned exactly: OpenSearch refuses knn queries there, but
 * an exact answer is friendlier than an error.
 *
 * Efficient filtering: the filter's documents are computed first. When there are few of them (see
 * exactFilterLimit) they are scored exactly; otherwise the graph is searched with a candidate count
 * scaled by the filter's selectivity and doubled until k filtered documents are found, falling back
 * to the exact scan when the graph cannot supply them.
 */
import type { Segment } from "../index/segment.ts";
import type { VectorSource } from "../index/shard-vectors.ts";
import type { VectorGraph } from "../index/vector-graph.ts";
import type { VectorSpace } from "../index/vector-space.ts";
import type { QueryContext } from "./context.ts";
import type { Weight } from "./weights.ts";

/**
 * Unfiltered queries on fewer vectors are answered exactly: a scan of a few hundred rows costs
 * about one graph search (measured ~1 µs per 768-dim row against ~1 ms per ef=100 search over a
 * 10k-vector graph) and is exact.
 */
export const EXACT_BELOW = 500;
/**
 * Filters matching at most this many documents (or k) are always scored exactly: 2,000 rows of 768
 * floats take ~2 ms, about two graph searches, and the result is exact.
 */
export const EXACT_FILTER_MAX = 2_000;

/**
 * The most filtered documents scored exactly rather than through the graph. A filter passing F of
 * the graph's N keys needs about ef·N/F candidates, and each candidate costs about m distance
 * computations in the graph, against F for the exact scan — but a graph step (native, SIMD, fp16)
 * costs about a quarter of a scanned row (JavaScript over float32): exact wins while
 * F² ≤ ef·N·m / SCAN_COST. (bench/knn, 100k 768-d vectors: a scanned row ~2 µs, a graph distance
 * with its bookkeeping ~0.5 µs.)
 */
export function exactFilterLimit(k: number, efSearch: number, graphSize: number, m: number): number {
  return Math.max(k, EXACT_FILTER_MAX, Math.sqrt((Math.max(k, efSearch) * graphSize * m) / SCAN_COST));
}
/** How many graph distance computations cost as much as scoring one row exactly. */
export const SCAN_COST = 4;
/** Valid graph candidates re-scored beyond k (at least k more): fp16 rounding reorders only near-ties. */
export const RESCORE_MARGIN = 16;
/** Graph searches stop growing here; beyond it the exact scan of the allowed documents is cheaper. */
export const MAX_GRAPH_CANDIDATES = 10_000;

export interface VectorQuery {
  field: string;
  vector: Float32Array;
  /** ‖vector‖, for cosine. */
  norm: number;
  space: VectorSpace;
}

export interface SegmentMatches {
  /** Ascending. */
  docs: Int32Array;
  /** The space's score (before boost). */
  scores: Float32Array;
  /** The space's raw distance. */
  distances: Float32Array;
}

export interface KnnResult {
  matches: Map<Segment, SegmentMatches>;
  method: "exact" | "approximate";
}

/** The filter's live documents per segment (ascending), and how many there are in all. */
interface FilterSet {
  docs: Int32Array[];
  count: number;
}

/** The k nearest live documents with a vector (and matching the filter, when there is one). */
export function nearestNeighbours(
  ctx: QueryContext,
  query: VectorQuery,
  k: number,
  filter: Weight | undefined,
  efSearch: number,
): KnnResult {
  const allowed = filter ? filterSet(ctx, filter) : undefined;
  const source = ctx.vectors;
  const graph = source?.graph(query.field);
  if (
    source &&
    graph &&
    (allowed
      ? allowed.count > exactFilterLimit(k, efSearch, graph.size, graph.params.m)
      : source.liveCount(query.field) >= EXACT_BELOW)
  ) {
    const found = graphSearch(ctx, source, graph, query, k, allowed, efSearch);
    if (found) return { matches: found.matches(ctx.segments), method: "approximate" };
  }
  const top = new TopK(k);
  exactScan(ctx, query, allowed, (score, distance, seg, doc) => top.offer(score, distance, seg, doc));
  return { matches: top.matches(ctx.segments), method: "exact" };
}

/** Radial search: every document within `maxDistance`, or scoring at least `minScore` (exact scan). */
export function withinRadius(
  ctx: QueryContext,
  query: VectorQuery,
  limit: { maxDistance: number } | { minScore: number },
  filter: Weight | undefined,
): KnnResult {
  const allowed = filter ? filterSet(ctx, filter) : undefined;
  const found = new Collected();
  // results are unbounded in number and the usearch binding has no range search: scan exactly
  exactScan(ctx, query, allowed, (score, distance, seg, doc) => {
    if ("maxDistance" in limit ? distance <= limit.maxDistance : score >= limit.minScore)
      found.push(score, distance, seg, doc);
  });
  return { matches: found.matches(ctx.segments), method: "exact" };
}

type Visit = (score: number, distance: number, seg: number, doc: number) => void;

function filterSet(ctx: QueryContext, filter: Weight): FilterSet {
  let count = 0;
  const docs = ctx.segments.map((seg) => {
    const d = filter.hits(seg).docs;
    count += d.length;
    return d;
  });
  return { docs, count };
}

/** Scores every live document with a vector (only the filter's documents when there is a filter). */
function exactScan(
  ctx: QueryContext,
  query: VectorQuery,
  allowed: FilterSet | undefined,
  visit: Visit,
): void {
  const { vector, norm, space } = query;
  ctx.segments.forEach((seg, si) => {
    const vf = seg.vectors.get(query.field);
    if (!vf) return;
    const { data, present, dimension } = vf;
    const live = seg.live;
    const score = (d: number) => {
      if (!live[d] || !present[d]) return;
      const distance = space.distance(vector, norm, data, d * dimension);
      visit(space.score(distance), distance, si, d);
    };
    if (allowed) for (const d of allowed.docs[si] as Int32Array) score(d);
    else for (let d = 0; d < seg.maxDoc; d++) score(d);
  });
}

/** k allowed documents from the graph, or undefined when it cannot supply them (use the exact scan). */
function graphSearch(
  ctx: QueryContext,
  source: VectorSource,
  graph: VectorGraph,
  query: VectorQuery,
  k: number,
  allowed: FilterSet | undefined,
  efSearch: number,
): TopK | undefined {
  const graphSize = graph.size;
  const segIndex = new Map<Segment, number>(ctx.segments.map((seg, i) => [seg, i]));
  const bitmaps = allowed?.docs.map((docs, si) => {
    const bits = new Uint8Array((ctx.segments[si] as Segment).maxDoc);
    for (const d of docs) bits[d] = 1;
    return bits;
  });
  const ef = Math.max(k, efSearch);
  // the graph ranks candidates by its own (fp16) copy of the vectors, nearly the exact order: the
  // true top k lie among its first few valid ones, so only those are re-scored from float32
  const rescoreLimit = k + Math.max(k, RESCORE_MARGIN);
  // a filter passing a fraction p of the graph's keys (stale ones included) needs about ef / p candidates
  let count = allowed ? Math.ceil((ef * graphSize) / Math.max(allowed.count, 1)) : ef;
  if (count > MAX_GRAPH_CANDIDATES && count > ef) return undefined;
  const { vector, norm, space } = query;
  for (;;) {
    count = Math.min(count, graphSize);
    const found = graph.search(vector, count);
    const top = new TopK(k);
    let rescored = 0;
    for (let i = 0; i < found.keys.length && rescored < rescoreLimit; i++) {
      const key = Number(found.keys[i]);
      const ref = source.locate(key);
      // stale keys (superseded, deleted) and copies not yet refreshed are skipped
      if (!ref?.seg || ref.seqNo !== key || !ref.seg.live[ref.doc]) continue;
      const si = segIndex.get(ref.seg);
      if (si === undefined || (bitmaps && !bitmaps[si]?.[ref.doc])) continue;
      const vf = ref.seg.vectors.get(query.field);
      if (!vf?.present[ref.doc]) continue;
      const distance = space.distance(vector, norm, vf.data, ref.doc * vf.dimension);
      top.offer(space.score(distance), distance, si, ref.doc);
      rescored++;
    }
    if (top.size >= k) return top;
    const exhausted = found.keys.length < count || count >= graphSize;
    if (exhausted || count >= MAX_GRAPH_CANDIDATES) return undefined;
    count = Math.min(count * 2, MAX_GRAPH_CANDIDATES);
  }
}

/** Matches collected in any order (radial search), grouped per segment in doc order. */
class Collected {
  private readonly scores: number[] = [];
  private readonly distances: number[] = [];
  private readonly segs: number[] = [];
  private readonly docs: number[] = [];

  push(score: number, distance: number, seg: number, doc: number): void {
    this.scores.push(score);
    this.distances.push(distance);
    this.segs.push(seg);
    this.docs.push(doc);
  }

  matches(segments: readonly Segment[]): Map<Segment, SegmentMatches> {
    return groupBySegment(segments, this.docs.length, this.scores, this.distances, this.segs, this.docs);
  }
}

/** The best k (score desc, then segment and doc asc, like Lucene's tie-break) in a typed-array heap. */
class TopK {
  private readonly scores: Float64Array;
  private readonly distances: Float64Array;
  private readonly segs: Int32Array;
  private readonly docs: Int32Array;
  size = 0;

  constructor(readonly k: number) {
    this.scores = new Float64Array(k);
    this.distances = new Float64Array(k);
    this.segs = new Int32Array(k);
    this.docs = new Int32Array(k);
  }

  offer(score: number, distance: number, seg: number, doc: number): void {
    if (this.size < this.k) {
      this.set(this.size, score, distance, seg, doc);
      this.up(this.size++);
    } else if (this.k > 0 && this.worseAt(0, score, seg, doc)) {
      this.set(0, score, distance, seg, doc);
      this.down(0);
    }
  }

  matches(segments: readonly Segment[]): Map<Segment, SegmentMatches> {
    return groupBySegment(segments, this.size, this.scores, this.distances, this.segs, this.docs);
  }

  /** Whether entry i ranks below (score, seg, doc). */
  private worseAt(i: number, score: number, seg: number, doc: number): boolean {
    const s = this.scores[i] as number;
    if (s !== score) return s < score;
    const si = this.segs[i] as number;
    return si !== seg ? si > seg : (this.docs[i] as number) > doc;
  }

  private worse(i: number, j: number): boolean {
    return this.worseAt(i, this.scores[j] as number, this.segs[j] as number, this.docs[j] as number);
  }

  private set(i: number, score: number, distance: number, seg: number, doc: number): void {
    this.scores[i] = score;
    this.distances[i] = distance;
    this.segs[i] = seg;
    this.docs[i] = doc;
  }

  private swap(i: number, j: number): void {
    const s = this.scores[i] as number;
    const d = this.distances[i] as number;
    const g = this.segs[i] as number;
    const o = this.docs[i] as number;
    this.set(
      i,
      this.scores[j] as number,
      this.distances[j] as number,
      this.segs[j] as number,
      this.docs[j] as number,
    );
    this.set(j, s, d, g, o);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < this.size && this.worse(l, worst)) worst = l;
      if (r < this.size && this.worse(r, worst)) worst = r;
      if (worst === i) return;
      this.swap(i, worst);
      i = worst;
    }
  }
}

function groupBySegment(
  segments: readonly Segment[],
  n: number,
  scores: ArrayLike<number>,
  distances: ArrayLike<number>,
  segs: ArrayLike<number>,
  docs: ArrayLike<number>,
): Map<Segment, SegmentMatches> {
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (segs[a] as number) - (segs[b] as number) || (docs[a] as number) - (docs[b] as number),
  );
  const out = new Map<Segment, SegmentMatches>();
  let i = 0;
  while (i < n) {
    const si = segs[order[i] as number] as number;
    let j = i;
    while (j < n && segs[order[j] as number] === si) j++;
    const m: SegmentMatches = {
      docs: new Int32Array(j - i),
      scores: new Float32Array(j - i),
      distances: new Float32Array(j - i),
    };
    for (let x = i; x < j; x++) {
      const e = order[x] as number;
      m.docs[x - i] = docs[e] as number;
      m.scores[x - i] = scores[e] as number;
      m.distances[x - i] = distances[e] as number;
    }
    out.set(segments[si] as Segment, m);
    i = j;
  }
  return out;
}

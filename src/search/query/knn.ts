/**
 * The k-NN plugin's `knn` query: `{"knn": {"<field>": {"vector": […], "k": 10, "filter": {…},
 * "boost": 1}}}`, or a radial search with `max_distance` / `min_score` instead of `k`. The nearest
 * documents are found when the query is compiled (across all segments, see knn-search.ts); the weight
 * then serves them per segment like any other clause, so knn works inside bool, function_score …
 * Each match scores its space's OpenSearch score times the boost.
 */
import { illegalArgument, parsingError } from "../errors.ts";
import type { Segment } from "../index/segment.ts";
import { DEFAULT_EF_SEARCH } from "../index/shard-vectors.ts";
import { norm, SPACES } from "../index/vector-space.ts";
import { isObject } from "../mapping.ts";
import type { QueryContext } from "./context.ts";
import { boolParam, checkKeys, describe, intParam, numberParam, singleField } from "./dsl-values.ts";
import { type Explanation, explain } from "./explanation.ts";
import { EMPTY_HITS, findDoc, type Hits } from "./hits.ts";
import {
  type KnnResult,
  nearestNeighbours,
  type SegmentMatches,
  type VectorQuery,
  withinRadius,
} from "./knn-search.ts";
import { NoMatchWeight, type Weight } from "./weights.ts";

export const MAX_K = 10_000;

const KEYS = [
  "vector",
  "k",
  "filter",
  "boost",
  "_name",
  "min_score",
  "max_distance",
  "method_parameters",
  "ignore_unmapped",
];

type CompileFn = (ctx: QueryContext, query: unknown, boost?: number) => Weight;

export function knnQuery(
  ctx: QueryContext,
  body: Record<string, unknown>,
  boost: number,
  compile: CompileFn,
): Weight {
  const [field, raw] = singleField(body, "knn", []);
  if (!isObject(raw))
    throw parsingError(`[knn] query malformed: [${field}] must be an object, got ${describe(raw)}`);
  checkKeys(raw, KEYS, "knn");
  const ignoreUnmapped =
    raw.ignore_unmapped !== undefined && boolParam(raw.ignore_unmapped, "knn", "ignore_unmapped");
  if (ignoreUnmapped && !ctx.mapping.fields.has(field)) return new NoMatchWeight();
  const query = vectorQuery(ctx, field, raw.vector, "knn");
  const b = raw.boost === undefined ? boost : Math.fround(boost * numberParam(raw.boost, "knn", "boost"));
  const given = ["k", "max_distance", "min_score"].filter((key) => raw[key] !== undefined);
  if (given.length !== 1) throw parsingError("[knn] requires exactly one of k, distance or score to be set");
  const filter = raw.filter === undefined ? undefined : compile(ctx, raw.filter, 0);
  const efSearch = methodEfSearch(raw.method_parameters) ?? ctx.vectors?.efSearch(field) ?? DEFAULT_EF_SEARCH;
  let result: KnnResult;
  let label: string;
  if (raw.k !== undefined) {
    const k = numberParam(raw.k, "knn", "k");
    if (!Number.isInteger(k) || k <= 0) throw parsingError(`[knn] requires k > 0, got ${describe(raw.k)}`);
    if (k > MAX_K) throw parsingError(`[knn] requires k <= ${MAX_K}, got ${k}`);
    result = nearestNeighbours(ctx, query, k, filter, efSearch);
    label = `top ${k}`;
  } else if (raw.max_distance !== undefined) {
    const maxDistance = numberParam(raw.max_distance, "knn", "max_distance");
    result = withinRadius(ctx, query, { maxDistance }, filter);
    label = `distance <= ${maxDistance}`;
  } else {
    const minScore = numberParam(raw.min_score, "knn", "min_score");
    if (minScore < 0) throw parsingError(`[knn] requires min_score >= 0, got ${minScore}`);
    result = withinRadius(ctx, query, { minScore }, filter);
    label = `score >= ${minScore}`;
  }
  return new KnnWeight(field, query, result, b, label);
}

/** Validates a query vector against a knn_vector field and prepares it for the field's space. */
export function vectorQuery(ctx: QueryContext, field: string, value: unknown, where: string): VectorQuery {
  const fm = ctx.mapping.fields.get(field);
  if (fm?.type !== "knn_vector" || fm.dimension === undefined)
    throw illegalArgument(
      `Field '${field}' is not knn_vector type.${fm ? ` It is [${fm.type}].` : " It is not mapped."}`,
    );
  const vector = queryVector(value, field, fm.dimension, where);
  const space = SPACES[fm.knn?.spaceType ?? "l2"];
  const n = norm(vector);
  if (space.name === "cosinesimil" && n === 0)
    throw illegalArgument(`zero vector is not supported when space type is [cosinesimil] (field [${field}])`);
  return { field, vector, norm: n, space };
}

/** A query vector: finite floats, exactly as many as the field's dimension. */
export function queryVector(value: unknown, field: string, dimension: number, where: string): Float32Array {
  if (!Array.isArray(value) || value.some((x) => typeof x !== "number" || !Number.isFinite(Math.fround(x))))
    throw parsingError(
      `[${where}] the query vector for field [${field}] must be an array of ${dimension} finite float numbers, got ${describe(value)}`,
    );
  if (value.length !== dimension)
    throw illegalArgument(
      `Query vector has invalid dimension: ${value.length}. Dimension should be: ${dimension} (field [${field}])`,
    );
  return Float32Array.from(value as number[]);
}

function methodEfSearch(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value))
    throw parsingError(`[knn] [method_parameters] must be an object, got ${describe(value)}`);
  checkKeys(value, ["ef_search"], "knn method_parameters");
  return value.ef_search === undefined
    ? undefined
    : intParam(value.ef_search, "knn", "method_parameters.ef_search", 1);
}

class KnnWeight implements Weight {
  private readonly boosted = new Map<Segment, Float32Array>();

  constructor(
    readonly field: string,
    readonly query: VectorQuery,
    readonly result: KnnResult,
    readonly boost: number,
    readonly label: string,
  ) {}

  hits(seg: Segment): Hits {
    const m = this.result.matches.get(seg);
    if (!m) return EMPTY_HITS;
    let scores = this.boosted.get(seg);
    if (!scores) {
      scores = new Float32Array(m.scores.length);
      for (let i = 0; i < scores.length; i++) scores[i] = Math.fround((m.scores[i] as number) * this.boost);
      this.boosted.set(seg, scores);
    }
    // documents deleted since the query was compiled drop out, like every other clause's
    if (m.docs.every((d) => seg.live[d])) return { docs: m.docs, scores };
    const keep = m.docs.map((d) => seg.live[d] as number);
    return { docs: m.docs.filter((_, i) => keep[i]), scores: scores.filter((_, i) => keep[i]) };
  }

  explain(seg: Segment, doc: number): Explanation | null {
    const m: SegmentMatches | undefined = this.result.matches.get(seg);
    const i = m ? findDoc(m.docs, doc) : -1;
    if (!m || i < 0 || !seg.live[doc]) return null;
    const distance = m.distances[i] as number;
    const score = m.scores[i] as number;
    const space = this.query.space;
    return explain(
      Math.fround(score * this.boost),
      `knn(${this.field}) ${this.label}, ${this.result.method} search in space [${space.name}], score = boost * ${space.formula(distance)}, product of:`,
      [
        explain(
          score,
          `${space.formula(distance)} with rawScore = ${space.name} distance to the query vector`,
          [explain(distance, "rawScore")],
        ),
        explain(this.boost, "boost"),
      ],
    );
  }

  collectTerms(): void {}
}

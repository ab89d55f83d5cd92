/** Building blocks of multi-bucket aggregations: collecting docs per key and shaping bucket output. */
import { AggregationError, type AggSpec, type Env, type Node, runNodes } from "./core.ts";
import type { Json } from "./util.ts";

export interface RawBucket<K> {
  key: K;
  docs: Int32Array | undefined;
  count: number;
  subs?: Json;
}

export const EMPTY_DOCS = new Int32Array(0);

/** Doc counts per bucket key, plus each bucket's docs when sub-aggregations will need them. */
export class KeyedDocs<K> {
  readonly counts = new Map<K, number>();
  private readonly lists: Map<K, number[]> | undefined;

  constructor(wantDocs: boolean) {
    this.lists = wantDocs ? new Map() : undefined;
  }

  add(key: K, doc: number): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (!this.lists) return;
    const l = this.lists.get(key);
    if (l) l.push(doc);
    else this.lists.set(key, [doc]);
  }

  bucket(key: K): RawBucket<K> {
    const list = this.lists?.get(key);
    const docs = this.lists ? (list === undefined ? EMPTY_DOCS : Int32Array.from(list)) : undefined;
    return { key, count: this.counts.get(key) ?? 0, docs };
  }
}

/** Sub-aggregation results of a bucket (computed once; reused when ordering looked at them). */
export function bucketSubs<K>(b: RawBucket<K>, subs: readonly Node[]): Json {
  if (b.subs === undefined) b.subs = subs.length === 0 ? {} : runNodes(subs, b.docs ?? EMPTY_DOCS);
  return b.subs;
}

/** A single bucket's body: its doc count and sub-aggregation results. */
export function singleBucket(docs: Int32Array, subs: readonly Node[]): Json {
  return { doc_count: docs.length, ...runNodes(subs, docs) };
}

/** `keyed: true` renders buckets as an object by key, otherwise as an array. */
export function keyedBuckets(entries: readonly (readonly [string, Json])[], keyed: boolean): Json | Json[] {
  return keyed ? Object.fromEntries(entries) : entries.map(([, b]) => b);
}

/** Compiles a bucket aggregation's sub-aggregations. */
export function compileSubs(spec: AggSpec, env: Env): Node[] {
  return spec.subs.map((s) => env.compile(s));
}

/** ES's `search.max_buckets` default (7.x). */
export const MAX_BUCKETS = 65535;

/** Adds `n` buckets to the request's total; past search.max_buckets that is ES's too_many_buckets_exception. */
export function countBuckets(env: Env, spec: AggSpec, n: number): void {
  env.buckets += n;
  if (env.buckets > MAX_BUCKETS) {
    throw new AggregationError(
      `Trying to create too many buckets. Must be less than or equal to: [${MAX_BUCKETS}] but was [${env.buckets}]. This limit can be set by changing the [search.max_buckets] cluster level setting.`,
      spec.path,
      "too_many_buckets_exception",
    );
  }
}

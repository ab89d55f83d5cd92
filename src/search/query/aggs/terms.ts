/** The terms aggregation, with ES's single-shard shard_size / sum_other_doc_count / error bound semantics. */

import { bucketSubs, compileSubs, countBuckets, KeyedDocs, type RawBucket } from "./buckets.ts";
import { type AggSpec, defineNode, type Env, type Node } from "./core.ts";
import { termFilter } from "./include-exclude.ts";
import { bucketComparator, needsSubResults, parseOrder } from "./order.ts";
import { boolParam, checkParams, checkSign, intParam } from "./parse.ts";
import { keywordGetter, numericGetter, resolveSource } from "./sources.ts";
import type { Json } from "./util.ts";

const TERMS_PARAMS = [
  "field",
  "size",
  "shard_size",
  "min_doc_count",
  "shard_min_doc_count",
  "order",
  "missing",
  "include",
  "exclude",
  "execution_hint",
  "collect_mode",
  "show_term_doc_count_error",
  "format",
  "value_type",
  "script",
];

type Key = string | number;

export function compileTerms(spec: AggSpec, env: Env): Node {
  checkParams(spec, TERMS_PARAMS);
  const src = resolveSource(spec, env, ["keyword", "boolean", "number", "date"]);
  const size = intParam(spec, "size") ?? 10;
  checkSign(spec, "size", size, false);
  const shardSizeParam = intParam(spec, "shard_size");
  checkSign(spec, "shardSize", shardSizeParam, false);
  const minDocCount = intParam(spec, "min_doc_count") ?? 1;
  checkSign(spec, "minDocCount", minDocCount, true);
  const showError = boolParam(spec, "show_term_doc_count_error", false);
  const subs = compileSubs(spec, env);
  const crits = parseOrder(spec, subs, [{ kind: "count", asc: false }]);
  const keyOrder = crits[0]?.kind === "key";
  const countDesc = crits[0]?.kind === "count" && !crits[0].asc;
  // ES: unless ordered by key, each shard returns size * 1.5 + 10 candidates (BucketUtils).
  const shardSize = Math.max(size, shardSizeParam ?? (keyOrder ? size : Math.floor(size * 1.5 + 10)));

  // An unmapped field with `missing` puts every doc in the missing bucket, typed by the value.
  let kind = src.kind;
  if (kind === "unmapped" && src.missing !== undefined)
    kind = typeof src.missing === "number" ? "number" : "keyword";
  const numericKeys = kind === "number" || kind === "date" || kind === "boolean";
  const accept = termFilter(spec, src, env, numericKeys);
  const orderBySubs = needsSubResults(crits);
  const wantDocs = subs.length > 0;

  return defineNode(spec, (docs) => {
    let buckets: RawBucket<Key>[];
    if (kind === "unmapped") buckets = [];
    else if (numericKeys) buckets = countTerms<number>(docs, numericGetter(src, env, spec), wantDocs);
    else buckets = countTerms<string>(docs, keywordGetter(src, env), wantDocs);
    if (accept) buckets = buckets.filter((b) => accept(b.key));
    if (orderBySubs) for (const b of buckets) bucketSubs(b, subs);
    buckets.sort(bucketComparator(crits));
    // Single-shard version of ES's shard-then-reduce: the shard keeps its top shard_size buckets
    // (the rest go to sum_other_doc_count), the reduce drops those under min_doc_count.
    const shardTop = buckets.slice(0, shardSize);
    const eligible = shardTop.filter((b) => b.count >= minDocCount);
    const top = eligible.slice(0, size);
    const other = sumCounts(buckets.slice(shardSize)) + sumCounts(eligible.slice(size));
    let docCountError = 0;
    if (shardTop.length >= shardSize && shardTop.length > 0 && !keyOrder) {
      docCountError = countDesc ? (shardTop[shardTop.length - 1] as RawBucket<Key>).count : -1;
    }
    countBuckets(env, spec, top.length);
    const out: Json[] = top.map((b) => {
      const bucket: Json = { key: b.key };
      if (numericKeys && src.format) bucket.key_as_string = src.format(b.key as number);
      bucket.doc_count = b.count;
      if (showError) bucket.doc_count_error_upper_bound = docCountError === -1 ? -1 : 0;
      Object.assign(bucket, bucketSubs(b, subs));
      return bucket;
    });
    return { doc_count_error_upper_bound: docCountError, sum_other_doc_count: other, buckets: out };
  });
}

function sumCounts(buckets: readonly RawBucket<Key>[]): number {
  let sum = 0;
  for (const b of buckets) sum += b.count;
  return sum;
}

/** Counts each distinct value of each doc once (Map counting, no per-doc allocation). */
function countTerms<K extends Key>(
  docs: Int32Array,
  get: (doc: number) => readonly K[],
  wantDocs: boolean,
): RawBucket<K>[] {
  const collected = new KeyedDocs<K>(wantDocs);
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i] as number;
    const vals = get(doc);
    for (let j = 0; j < vals.length; j++) {
      const v = vals[j] as K;
      if (j > 0 && occursBefore(vals, j, v)) continue;
      collected.add(v, doc);
    }
  }
  return [...collected.counts.keys()].map((key) => collected.bucket(key));
}

/** Whether `v` is among the first `j` values (strict equality, so NaN never repeats). */
function occursBefore<K>(vals: readonly K[], j: number, v: K): boolean {
  for (let k = 0; k < j; k++) if (vals[k] === v) return true;
  return false;
}

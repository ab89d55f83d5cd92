/**
 * The histogram and date_histogram aggregations: values rounded to bucket keys, with ES's gap
 * filling for min_doc_count 0 (within extended_bounds) and hard_bounds clipping.
 */

import { UTC, type Zone } from "../../dates/zone.ts";
import {
  bucketSubs,
  compileSubs,
  countBuckets,
  KeyedDocs,
  keyedBuckets,
  MAX_BUCKETS,
  type RawBucket,
} from "./buckets.ts";
import { AggregationError, type AggSpec, defineNode, type Env, type Node } from "./core.ts";
import { timeZoneParam } from "./dates.ts";
import { javaDouble } from "./format.ts";
import { bucketComparator, isKeyAsc, needsSubResults, parseOrder } from "./order.ts";
import { boolParam, checkParams, checkSign, intParam, paramError } from "./parse.ts";
import { dateRounding, numericRounding, type Rounding } from "./rounding.ts";
import { keySource, numericGetter, parseNumericValue, resolveSource, type Source } from "./sources.ts";
import { isAbsent, isObject, type Json } from "./util.ts";

const HISTOGRAM_PARAMS = [
  "field",
  "interval",
  "offset",
  "min_doc_count",
  "extended_bounds",
  "hard_bounds",
  "keyed",
  "order",
  "missing",
  "format",
  "value_type",
  "script",
];
const DATE_HISTOGRAM_PARAMS = [...HISTOGRAM_PARAMS, "calendar_interval", "fixed_interval", "time_zone"];

interface Bounds {
  min: number | undefined;
  max: number | undefined;
}

export function compileHistogram(spec: AggSpec, env: Env): Node {
  const isDate = spec.type === "date_histogram";
  checkParams(spec, isDate ? DATE_HISTOGRAM_PARAMS : HISTOGRAM_PARAMS);
  const zone = isDate ? timeZoneParam(spec) : UTC;
  const src = resolveSource(spec, env, isDate ? ["date", "number"] : ["number", "date", "boolean"], zone);
  // date_histogram on a numeric field treats values as epoch millis.
  const { format, valueSrc } = keySource(spec, src, isDate, zone);
  const rounding = isDate ? dateRounding(spec, zone) : numericRounding(spec);
  const minDocCount = intParam(spec, "min_doc_count") ?? 0;
  checkSign(spec, "minDocCount", minDocCount, true);
  const keyed = boolParam(spec, "keyed", false);
  const extended = parseBounds(spec, "extended", valueSrc, env, zone);
  const hard = parseBounds(spec, "hard", valueSrc, env, zone);
  const subs = compileSubs(spec, env);
  const crits = parseOrder(spec, subs, [{ kind: "key", asc: true }]);
  const inHard = (key: number) =>
    hard === undefined ||
    ((hard.min === undefined || key >= hard.min) && (hard.max === undefined || key <= hard.max));

  return defineNode(spec, (docs) => {
    const get = numericGetter(src, env, spec);
    const collected = collectKeys(docs, get, rounding, isDate, inHard, subs.length > 0);
    let keys = [...collected.counts.keys()].sort((a, b) => a - b);
    if (minDocCount === 0) keys = fillGaps(keys, rounding, extended, hard, inHard, env, spec) ?? keys;
    let buckets: RawBucket<number>[] = [];
    for (const key of keys) {
      if ((collected.counts.get(key) ?? 0) >= minDocCount) buckets.push(collected.bucket(key));
    }
    if (!isKeyAsc(crits)) {
      if (needsSubResults(crits)) for (const b of buckets) bucketSubs(b, subs);
      buckets = buckets.sort(bucketComparator(crits));
    }
    countBuckets(env, spec, buckets.length);
    const out = buckets.map((b) => {
      const bucket: Json = {};
      const keyString = format ? format(b.key) : javaDouble(b.key);
      if (format) bucket.key_as_string = keyString;
      bucket.key = b.key;
      bucket.doc_count = b.count;
      Object.assign(bucket, bucketSubs(b, subs));
      return [keyString, bucket] as const;
    });
    return { buckets: keyedBuckets(out, keyed) };
  });
}

/** `extended_bounds` / `hard_bounds`: min and max, parsed like the field's values. */
function parseBounds(
  spec: AggSpec,
  kind: "extended" | "hard",
  valueSrc: Source,
  env: Env,
  zone: Zone,
): Bounds | undefined {
  const key = `${kind}_bounds`;
  const raw = spec.body[key];
  if (isAbsent(raw)) return undefined;
  if (!isObject(raw)) throw paramError(spec, key, "an object", raw);
  const parse = (v: unknown) =>
    isAbsent(v) ? undefined : parseNumericValue(v, valueSrc, env, spec, key, zone);
  const b = { min: parse(raw.min), max: parse(raw.max) };
  if (b.min !== undefined && b.max !== undefined && b.min > b.max) {
    throw new AggregationError(
      `[${key}.min][${b.min}] cannot be greater than [${key}.max][${b.max}] for histogram aggregation [${spec.name}]`,
      spec.path,
    );
  }
  return b;
}

/** Counts each doc once per bucket key its values round to (within hard_bounds). */
function collectKeys(
  docs: Int32Array,
  get: (doc: number) => readonly number[],
  rounding: Rounding,
  isDate: boolean,
  inHard: (key: number) => boolean,
  wantDocs: boolean,
): KeyedDocs<number> {
  const collected = new KeyedDocs<number>(wantDocs);
  // Date rounding is costly (time zones); consecutive values mostly share the last bucket.
  let lastLo = Number.NaN;
  let lastHi = Number.NaN;
  let lastKey = Number.NaN;
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i] as number;
    const vals = get(doc);
    let prevKey = Number.NaN;
    for (let j = 0; j < vals.length; j++) {
      const v = vals[j] as number;
      let key: number;
      if (v >= lastLo && v < lastHi) key = lastKey;
      else {
        key = rounding.round(v);
        if (isDate) {
          lastKey = key;
          lastLo = key;
          lastHi = rounding.next(key);
        }
      }
      if (key === prevKey || (vals.length > 2 && j > 1 && seenKey(vals, j, key, rounding))) continue;
      prevKey = key;
      if (inHard(key)) collected.add(key, doc);
    }
  }
  return collected;
}

/** Whether an earlier value of the doc already fell in bucket `key` (values need not be sorted). */
function seenKey(vals: readonly number[], j: number, key: number, rounding: Rounding): boolean {
  for (let k = 0; k < j - 1; k++) if (rounding.round(vals[k] as number) === key) return true;
  return false;
}

/**
 * min_doc_count 0: every key from the first to the last bucket (widened to extended_bounds, clipped
 * to hard_bounds); undefined when there is no key at all.
 */
function fillGaps(
  keys: readonly number[],
  rounding: Rounding,
  extended: Bounds | undefined,
  hard: Bounds | undefined,
  inHard: (key: number) => boolean,
  env: Env,
  spec: AggSpec,
): number[] | undefined {
  let lo = keys[0];
  let hi = keys[keys.length - 1];
  if (extended?.min !== undefined) {
    const k = rounding.round(extended.min);
    if (lo === undefined || k < lo) lo = k;
  }
  if (extended?.max !== undefined) {
    const k = rounding.round(extended.max);
    if (hi === undefined || k > hi) hi = k;
  }
  if (lo !== undefined && hi === undefined) hi = lo;
  if (hi !== undefined && lo === undefined) lo = hi;
  if (hard?.min !== undefined && lo !== undefined) lo = Math.max(lo, rounding.round(hard.min));
  if (hard?.max !== undefined && hi !== undefined) hi = Math.min(hi, rounding.round(hard.max));
  if (lo === undefined || hi === undefined) return undefined;
  const filled: number[] = [];
  for (let k = lo; k <= hi; k = rounding.next(k)) {
    // Checked while filling so that a tiny interval over a wide range fails fast.
    if (filled.length + 1 + env.buckets > MAX_BUCKETS) countBuckets(env, spec, filled.length + 1);
    if (inHard(k)) filled.push(k);
  }
  return filled;
}

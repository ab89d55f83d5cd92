/** The range and date_range aggregations. */

import { UTC } from "../../dates/zone.ts";
import { compileSubs, countBuckets, EMPTY_DOCS, keyedBuckets } from "./buckets.ts";
import { AggregationError, type AggSpec, defineNode, type Env, type Node, runNodes } from "./core.ts";
import { timeZoneParam } from "./dates.ts";
import { javaDouble } from "./format.ts";
import { boolParam, checkParams, paramError } from "./parse.ts";
import { keySource, numericGetter, parseNumericValue, resolveSource } from "./sources.ts";
import { isAbsent, isObject, type Json } from "./util.ts";

interface RangeDef {
  key: string | undefined;
  from: number;
  to: number;
}

const RANGE_PARAMS = ["field", "ranges", "keyed", "missing", "format", "time_zone", "value_type", "script"];

export function compileRange(spec: AggSpec, env: Env): Node {
  checkParams(spec, RANGE_PARAMS);
  const isDateRange = spec.type === "date_range";
  const zone = timeZoneParam(spec);
  // date_range prints dates in time_zone; range prints them in UTC (its time_zone only parses bounds).
  const src = isDateRange
    ? resolveSource(spec, env, ["date", "number"], zone)
    : resolveSource(spec, env, ["number", "date", "boolean"], UTC);
  const keyed = boolParam(spec, "keyed", false);
  // date_range always formats as dates, whatever the field.
  const { format, valueSrc } = keySource(spec, src, isDateRange, zone);
  const rangesRaw = spec.body.ranges;
  if (!Array.isArray(rangesRaw) || rangesRaw.length === 0) {
    throw new AggregationError(`No [ranges] specified for the [${spec.name}] aggregation`, spec.path);
  }
  const ranges: RangeDef[] = rangesRaw.map((r) => {
    if (!isObject(r)) throw paramError(spec, "ranges", "an array of objects", rangesRaw);
    for (const k of Object.keys(r)) {
      if (k !== "key" && k !== "from" && k !== "to") {
        throw new AggregationError(`[range] unknown field [${k}]`, spec.path, "x_content_parse_exception");
      }
    }
    const bound = (v: unknown, inf: number) =>
      isAbsent(v) ? inf : parseNumericValue(v, valueSrc, env, spec, "ranges", zone);
    return {
      key: isAbsent(r.key) ? undefined : String(r.key),
      from: bound(r.from, Number.NEGATIVE_INFINITY),
      to: bound(r.to, Number.POSITIVE_INFINITY),
    };
  });
  // ES sorts the ranges (by from, then to) and reports them in that order.
  ranges.sort((a, b) => a.from - b.from || a.to - b.to);
  const subs = compileSubs(spec, env);
  const fmt = (v: number) => (format ? format(v) : javaDouble(v));
  const label = (v: number) => (Number.isFinite(v) ? fmt(v) : "*");

  return defineNode(spec, (docs) => {
    const lists = collectRanges(docs, numericGetter(src, env, spec), ranges);
    countBuckets(env, spec, ranges.length);
    const buckets = ranges.map((range, r) => {
      const key = range.key ?? `${label(range.from)}-${label(range.to)}`;
      const b: Json = keyed ? {} : { key };
      if (Number.isFinite(range.from)) {
        b.from = range.from;
        if (format) b.from_as_string = format(range.from);
      }
      if (Number.isFinite(range.to)) {
        b.to = range.to;
        if (format) b.to_as_string = format(range.to);
      }
      const list = lists[r] as number[];
      b.doc_count = list.length;
      Object.assign(b, runNodes(subs, subs.length > 0 ? Int32Array.from(list) : EMPTY_DOCS));
      return [key, b] as const;
    });
    return { buckets: keyedBuckets(buckets, keyed) };
  });
}

/** The docs of each range (a doc counts once per range, whichever of its values falls in it). */
function collectRanges(
  docs: Int32Array,
  get: (doc: number) => readonly number[],
  ranges: RangeDef[],
): number[][] {
  const lists: number[][] = ranges.map(() => []);
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i] as number;
    const vals = get(doc);
    if (vals.length === 0) continue;
    for (let r = 0; r < ranges.length; r++) {
      const range = ranges[r] as RangeDef;
      if (vals.some((v) => v >= range.from && v < range.to)) (lists[r] as number[]).push(doc);
    }
  }
  return lists;
}

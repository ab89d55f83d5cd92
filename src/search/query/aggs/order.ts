/**
 * Bucket order: parsing `order` (`{"_count": "desc"}`, `[{"_key": "asc"}, …]`, `{"agg>sub.metric":
 * "desc"}`), resolving order paths against the sub-aggregations, and comparing buckets as ES does.
 */

import type { RawBucket } from "./buckets.ts";
import { AggregationError, type AggSpec, type Node, type Shape } from "./core.ts";
import { paramError } from "./parse.ts";
import { compareStrings, isAbsent, isObject, type Json } from "./util.ts";

export interface OrderCrit {
  kind: "count" | "key" | "path";
  asc: boolean;
  /** For `path`: reads the value from the bucket's sub-aggregation results. */
  get?: (subs: Json) => number;
  path?: string;
}

/** Parses `order` and appends ES's implicit `_key asc` tie-breaker. */
export function parseOrder(spec: AggSpec, subs: readonly Node[], dflt: OrderCrit[]): OrderCrit[] {
  const raw = spec.body.order;
  const crits: OrderCrit[] = [];
  for (const item of isAbsent(raw) ? [] : Array.isArray(raw) ? raw : [raw]) {
    if (!isObject(item)) throw paramError(spec, "order", "an object or an array of objects", raw);
    for (const [key, dirRaw] of Object.entries(item)) {
      const dir = typeof dirRaw === "string" ? dirRaw.toLowerCase() : dirRaw;
      if (dir !== "asc" && dir !== "desc") {
        throw new AggregationError(
          `Unknown order direction [${String(dirRaw)}]`,
          spec.path,
          "parsing_exception",
        );
      }
      const asc = dir === "asc";
      if (key === "_count") crits.push({ kind: "count", asc });
      else if (key === "_key" || key === "_term" || key === "_time") crits.push({ kind: "key", asc });
      else crits.push({ kind: "path", asc, path: key, get: compileOrderPath(key, subs, spec) });
    }
  }
  if (crits.length === 0) crits.push(...dflt);
  if (!crits.some((c) => c.kind === "key")) crits.push({ kind: "key", asc: true });
  return crits;
}

const PATH_SHAPE_RULE =
  "Buckets can only be sorted on a sub-aggregator path that is built out of zero or more single-bucket aggregations within the path and a final single-bucket or a metrics aggregation at the path end.";

function invalidOrderPath(path: string, spec: AggSpec, why: string): AggregationError {
  return new AggregationError(`Invalid aggregation order path [${path}]. ${why}`, spec.path);
}

/** Resolves `a>b.metric` / `a>b[metric]` against the sub-aggregations; returns a reader of bucket results. */
function compileOrderPath(path: string, subs: readonly Node[], spec: AggSpec): (subs: Json) => number {
  const elements = path.split(">");
  const steps: string[] = [];
  let nodes = subs;
  let finalKey: string | undefined;
  let finalShape: Shape | undefined;
  for (let i = 0; i < elements.length; i++) {
    let el = elements[i] as string;
    let key: string | undefined;
    const bracket = /^(.*)\[([^\]]+)\]$/.exec(el);
    if (bracket) {
      el = bracket[1] as string;
      key = bracket[2];
    } else if (i === elements.length - 1 && el.includes(".")) {
      const dot = el.indexOf(".");
      key = el.slice(dot + 1);
      el = el.slice(0, dot);
    }
    const node = nodes.find((n) => n.name === el);
    if (!node) throw invalidOrderPath(path, spec, `Unknown aggregation [${el}]`);
    steps.push(el);
    if (i < elements.length - 1) {
      if (node.shape.kind !== "single_bucket") throw invalidOrderPath(path, spec, PATH_SHAPE_RULE);
      nodes = node.shape.subs;
      continue;
    }
    finalShape = node.shape;
    finalKey = key;
  }
  const leafKey = orderLeafKey(finalShape as Shape, finalKey, steps.at(-1), (why) =>
    invalidOrderPath(path, spec, why),
  );
  return (subsJson) => {
    let cur: unknown = subsJson;
    for (const step of steps) cur = isObject(cur) ? cur[step] : undefined;
    const v = isObject(cur) ? cur[leafKey] : undefined;
    return typeof v === "number" ? v : Number.NaN;
  };
}

/** The result property an order path ends on (`value`, a metric name, `doc_count`). */
function orderLeafKey(
  shape: Shape,
  key: string | undefined,
  agg: string | undefined,
  fail: (why: string) => AggregationError,
): string {
  switch (shape.kind) {
    case "single_value":
      if (key !== undefined && key !== "value") throw fail(`[${agg}] is a single-value metrics aggregation`);
      return "value";
    case "multi_value":
      if (key === undefined) {
        throw fail("When ordering on a multi-value metrics aggregation a metric name must be specified.");
      }
      if (!shape.names.includes(key)) {
        throw fail(`Unknown metric name [${key}] on multi-value metrics aggregation [${agg}]`);
      }
      return key;
    case "single_bucket":
      if (key !== undefined && key !== "_count" && key !== "doc_count") {
        throw fail(`Unknown key [${key}] on single-bucket aggregation [${agg}]`);
      }
      return "doc_count";
    default:
      throw fail(PATH_SHAPE_RULE);
  }
}

function compareKeys(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return compareStrings(String(a), String(b));
}

/** ES's Comparators.compareDiscardNaN: NaN (empty metrics) sort last in both directions. */
function compareDiscardNaN(a: number, b: number, asc: boolean): number {
  const na = Number.isNaN(a);
  const nb = Number.isNaN(b);
  if (na || nb) return na === nb ? 0 : na ? 1 : -1;
  return asc ? a - b : b - a;
}

export function bucketComparator<K extends string | number>(crits: readonly OrderCrit[]) {
  return (a: RawBucket<K>, b: RawBucket<K>): number => {
    for (const c of crits) {
      let r: number;
      if (c.kind === "count") r = c.asc ? a.count - b.count : b.count - a.count;
      else if (c.kind === "key") r = c.asc ? compareKeys(a.key, b.key) : compareKeys(b.key, a.key);
      else {
        const get = c.get as (subs: Json) => number;
        r = compareDiscardNaN(get(a.subs ?? {}), get(b.subs ?? {}), c.asc);
      }
      if (r !== 0) return r;
    }
    return 0;
  };
}

export const needsSubResults = (crits: readonly OrderCrit[]) => crits.some((c) => c.kind === "path");
export const isKeyAsc = (crits: readonly OrderCrit[]) => crits[0]?.kind === "key" && crits[0].asc;

/** Single-bucket and filter aggregations: filter, filters and missing. */

import { compileSubs, countBuckets, keyedBuckets, singleBucket } from "./buckets.ts";
import { AggregationError, type AggSpec, defineNode, type Env, type Node } from "./core.ts";
import { boolParam, checkParams, strParam } from "./parse.ts";
import { resolveSource } from "./sources.ts";
import { compareStrings, isObject, type Json } from "./util.ts";

type Matcher = (docs: Int32Array) => Int32Array;

export function compileFilters(spec: AggSpec, env: Env): Node {
  const { ctx } = env;
  const filterFn = ctx.filter?.bind(ctx);
  if (!filterFn) {
    throw new AggregationError(`Aggregation type [${spec.type}] is not supported by this engine`, spec.path);
  }
  const subs = compileSubs(spec, env);
  /** Lazily evaluates a query once over all matching docs; buckets intersect with that set. */
  const matcher = (query: unknown): Matcher => {
    let set: Set<number> | undefined;
    return (docs) => {
      if (!set) set = new Set(filterFn(query, ctx.docs));
      const s = set;
      const out: number[] = [];
      for (let i = 0; i < docs.length; i++) if (s.has(docs[i] as number)) out.push(docs[i] as number);
      return Int32Array.from(out);
    };
  };
  if (spec.type === "filter") {
    const match = matcher(spec.body);
    return defineNode(spec, (docs) => singleBucket(match(docs), subs), { kind: "single_bucket", subs });
  }
  checkParams(spec, ["filters", "other_bucket", "other_bucket_key"]);
  const raw = spec.body.filters;
  const otherKey = strParam(spec, "other_bucket_key");
  const other = boolParam(spec, "other_bucket", otherKey !== undefined);
  let keyed: boolean;
  let filters: { key: string; match: Matcher }[];
  if (Array.isArray(raw)) {
    keyed = false;
    filters = raw.map((q, i) => ({ key: String(i), match: matcher(q) }));
  } else if (isObject(raw)) {
    keyed = true;
    filters = Object.keys(raw)
      .sort(compareStrings)
      .map((k) => ({ key: k, match: matcher(raw[k]) }));
  } else {
    throw new AggregationError(`[filters] requires a [filters] object or array in [${spec.name}]`, spec.path);
  }
  return defineNode(spec, (docs) => {
    const entries: [string, Json][] = [];
    const inAny = other ? new Set<number>() : undefined;
    for (const f of filters) {
      const matched = f.match(docs);
      if (inAny) for (const d of matched) inAny.add(d);
      entries.push([f.key, singleBucket(matched, subs)]);
    }
    if (inAny)
      entries.push([
        otherKey ?? "_other_",
        singleBucket(
          docs.filter((d) => !inAny.has(d)),
          subs,
        ),
      ]);
    countBuckets(env, spec, entries.length);
    return { buckets: keyedBuckets(entries, keyed) };
  });
}

export function compileMissing(spec: AggSpec, env: Env): Node {
  checkParams(spec, ["field", "value_type", "script"]);
  const src = resolveSource(spec, env, ["keyword", "boolean", "number", "date"]);
  const subs = compileSubs(spec, env);
  const { ctx } = env;
  const hasValue =
    src.kind === "unmapped"
      ? () => false
      : src.kind === "keyword" || src.kind === "boolean"
        ? (doc: number) => ctx.keywordValues(src.field, doc).length > 0
        : (doc: number) => ctx.numericValues(src.field, doc).length > 0;
  return defineNode(
    spec,
    (docs) =>
      singleBucket(
        docs.filter((d) => !hasValue(d)),
        subs,
      ),
    {
      kind: "single_bucket",
      subs,
    },
  );
}

/**
 * Walks a query DSL tree through the places compound queries keep their sub-queries (bool clauses,
 * dis_max and hybrid queries, filters of knn and neural …), so search pipelines can find and rewrite
 * clauses such as `neural` wherever they are. Rewrites copy only the path to what changed.
 */
import { isObject } from "../mapping.ts";

/** Returns a replacement for a clause, or undefined to keep it and walk into its sub-queries. */
export type ClauseVisitor = (type: string, spec: unknown, depth: number) => unknown;

/** Keys holding one query or a list of queries, per compound query type. */
const CHILD_KEYS: Record<string, readonly string[]> = {
  bool: ["must", "should", "filter", "must_not"],
  dis_max: ["queries"],
  hybrid: ["queries", "filter"],
  constant_score: ["filter"],
  boosting: ["positive", "negative"],
  function_score: ["query"],
  script_score: ["query"],
  nested: ["query"],
  has_child: ["query"],
  has_parent: ["query"],
};

/** Vector queries keep a `filter` query inside each field's spec. */
const FIELD_FILTER_QUERIES = new Set(["knn", "neural"]);

export function rewriteQuery(query: unknown, visit: ClauseVisitor, depth = 0): unknown {
  if (!isObject(query)) return query;
  const keys = Object.keys(query);
  if (keys.length !== 1) return query;
  const type = keys[0] as string;
  const spec = query[type];
  const replaced = visit(type, spec, depth);
  if (replaced !== undefined) return replaced;
  if (!isObject(spec)) return query;
  const child = (q: unknown) => rewriteQuery(q, visit, depth + 1);
  let next: Record<string, unknown> | undefined;
  const set = (key: string, value: unknown) => {
    if (value === spec[key]) return;
    next ??= { ...spec };
    next[key] = value;
  };
  for (const key of CHILD_KEYS[type] ?? []) {
    const value = spec[key];
    if (Array.isArray(value)) {
      const mapped = value.map(child);
      if (mapped.some((m, i) => m !== value[i])) set(key, mapped);
    } else if (value !== undefined) set(key, child(value));
  }
  if (type === "function_score" && Array.isArray(spec.functions)) {
    const functions = spec.functions.map((fn) =>
      isObject(fn) && fn.filter !== undefined ? withKey(fn, "filter", child(fn.filter)) : fn,
    );
    if (functions.some((fn, i) => fn !== (spec.functions as unknown[])[i])) set("functions", functions);
  }
  if (FIELD_FILTER_QUERIES.has(type)) {
    for (const [field, fieldSpec] of Object.entries(spec)) {
      if (isObject(fieldSpec) && fieldSpec.filter !== undefined)
        set(field, withKey(fieldSpec, "filter", child(fieldSpec.filter)));
    }
  }
  return next ? { [type]: next } : query;
}

/** Calls `visit` on every clause of a query tree (pre-order). */
export function visitQueries(
  query: unknown,
  visit: (type: string, spec: unknown, depth: number) => void,
): void {
  rewriteQuery(query, (type, spec, depth) => {
    visit(type, spec, depth);
    return undefined;
  });
}

function withKey(obj: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  return value === obj[key] ? obj : { ...obj, [key]: value };
}

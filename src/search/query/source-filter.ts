/** `_source` filtering: true/false, a pattern, a list, or `{includes, excludes}` with `*` wildcards on dotted paths. */
import { parsingError } from "../errors.ts";
import { isObject } from "../mapping.ts";

export interface SourceFilter {
  enabled: boolean;
  includes: string[];
  excludes: string[];
}

export function parseSourceFilter(spec: unknown): SourceFilter {
  if (spec === undefined || spec === true || spec === "true")
    return { enabled: true, includes: [], excludes: [] };
  if (spec === false || spec === "false") return { enabled: false, includes: [], excludes: [] };
  if (typeof spec === "string") return { enabled: true, includes: spec.split(","), excludes: [] };
  if (Array.isArray(spec)) return { enabled: true, includes: spec.map(String), excludes: [] };
  if (isObject(spec)) {
    const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
    for (const key of Object.keys(spec)) {
      if (!["includes", "excludes", "include", "exclude"].includes(key))
        throw parsingError(`Unknown key for [_source]: [${key}]`);
    }
    return {
      enabled: true,
      includes: list(spec.includes ?? spec.include),
      excludes: list(spec.excludes ?? spec.exclude),
    };
  }
  throw parsingError(
    `[_source] must be a boolean, a string, an array or an object, got ${JSON.stringify(spec)}`,
  );
}

/**
 * The `_source` spec of the URL parameters `_source` (true, false or a list of fields),
 * `_source_includes` and `_source_excludes` (which win over the list); undefined when none is given.
 */
export function sourceSpecOfParams(q: Record<string, string | undefined>): unknown {
  if (q._source_includes !== undefined || q._source_excludes !== undefined)
    return {
      includes: q._source_includes?.split(",") ?? [],
      excludes: q._source_excludes?.split(",") ?? [],
    };
  if (q._source === undefined) return undefined;
  return q._source === "false"
    ? false
    : q._source === "true" || q._source === ""
      ? true
      : q._source.split(",");
}

function toRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
}

export function applySourceFilter(
  source: Record<string, unknown>,
  filter: SourceFilter,
): Record<string, unknown> | undefined {
  if (!filter.enabled) return undefined;
  if (!filter.includes.length && !filter.excludes.length) return source;
  const inc = filter.includes.map(toRegExp);
  const exc = filter.excludes.map(toRegExp);
  // a path is kept if it (or a parent) is included, or if it is a parent of an include pattern
  const included = (path: string) => !inc.length || inc.some((re) => re.test(path));
  const couldContainIncluded = (path: string) =>
    !inc.length ||
    filter.includes.some(
      (p) => p.startsWith(`${path}.`) || p === "*" || toRegExp(`${path}.*`).test(p) || p.startsWith("*"),
    );
  const walk = (
    obj: Record<string, unknown>,
    prefix: string,
    parentIncluded: boolean,
  ): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
      const path = prefix + key;
      if (exc.some((re) => re.test(path))) continue;
      const isIncluded = parentIncluded || included(path);
      if (isObject(value)) {
        if (isIncluded || couldContainIncluded(path)) {
          const child = walk(value, `${path}.`, isIncluded);
          if (Object.keys(child).length || isIncluded) out[key] = child;
        }
      } else if (isIncluded) out[key] = value;
    }
    return out;
  };
  return walk(source, "", false);
}

/** Values at a dotted path in a source document (arrays flattened). */
export function valuesAtPath(source: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  const visit = (value: unknown, rest: string) => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v, rest);
      return;
    }
    if (!rest) {
      if (value !== undefined && value !== null) out.push(value);
      return;
    }
    if (!isObject(value)) return;
    if (rest in value) visit(value[rest], "");
    const parts = rest.split(".");
    for (let i = 1; i < parts.length; i++) {
      const head = parts.slice(0, i).join(".");
      if (head in value) visit(value[head], parts.slice(i).join("."));
    }
  };
  visit(source, path);
  return out;
}

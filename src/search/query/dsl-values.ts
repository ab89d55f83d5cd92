/** Small readers for query DSL values that produce ES-style parsing errors naming the query and key. */
import { parsingError } from "../errors.ts";
import { isObject } from "../mapping.ts";

export function asObject(value: unknown, where: string): Record<string, unknown> {
  if (!isObject(value))
    throw parsingError(`[${where}] query malformed, expected an object but found ${describe(value)}`);
  return value;
}

export function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return `${typeof value} ${JSON.stringify(value)}`;
}

export function numberParam(value: unknown, where: string, key: string): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n)) {
    throw parsingError(`[${where}] query: [${key}] must be a number, got ${describe(value)}`);
  }
  return n;
}

export function intParam(value: unknown, where: string, key: string, min = 0): number {
  const n = numberParam(value, where, key);
  if (!Number.isInteger(n) || n < min)
    throw parsingError(`[${where}] query: [${key}] must be an integer >= ${min}, got ${describe(value)}`);
  return n;
}

export function stringParam(value: unknown, where: string, key: string): string {
  if (typeof value !== "string")
    throw parsingError(`[${where}] query: [${key}] must be a string, got ${describe(value)}`);
  return value;
}

export function boolParam(value: unknown, where: string, key: string): boolean {
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw parsingError(`[${where}] query: [${key}] must be true or false, got ${describe(value)}`);
}

export function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw parsingError(`[${where}] query does not support [${key}]`);
  }
}

/** A single-key object `{field: spec}` (term, match …); returns the field and spec. */
export function singleField(
  body: Record<string, unknown>,
  where: string,
  extra: readonly string[] = ["boost", "_name"],
): [string, unknown] {
  const fields = Object.keys(body).filter((k) => !extra.includes(k));
  if (fields.length !== 1) {
    throw parsingError(
      fields.length === 0
        ? `[${where}] query requires a field name`
        : `[${where}] query doesn't support multiple fields, found [${fields[0]}] and [${fields[1]}]`,
    );
  }
  const field = fields[0] as string;
  return [field, body[field]];
}

/** ES minimum_should_match: `2`, `-1`, `75%`, `-25%`, `3<90%`, `2<-25% 9<-3`. */
export function resolveMinimumShouldMatch(spec: unknown, clauses: number): number {
  if (spec === undefined || spec === null) return 0;
  const s = String(spec).trim();
  if (s.includes("<")) {
    let result = clauses;
    for (const part of s.split(/\s+/)) {
      const [threshold = "", inner = ""] = part.split("<");
      const t = Number(threshold);
      if (!Number.isInteger(t)) throw parsingError(`Invalid minimum_should_match [${s}]`);
      if (clauses > t) result = resolveMinimumShouldMatch(inner, clauses);
    }
    return result;
  }
  let n: number;
  if (s.endsWith("%")) {
    const pct = Number(s.slice(0, -1));
    if (!Number.isFinite(pct)) throw parsingError(`Invalid minimum_should_match [${s}]`);
    const calc = Math.trunc((clauses * Math.abs(pct)) / 100);
    n = pct < 0 ? clauses - calc : calc;
  } else {
    const v = Number(s);
    if (!Number.isInteger(v)) throw parsingError(`Invalid minimum_should_match [${s}]`);
    n = v < 0 ? clauses + v : v;
  }
  return Math.max(0, Math.min(clauses, n));
}

/**
 * The `filter` of a scene or a request: an Elasticsearch-like subset over catalog fields, parsed
 * once into a predicate. Supported: `term`, `terms`, `range` (gt/gte/lt/lte), `exists`, and `bool`
 * with `must`/`filter` (all), `should` (any) and `must_not` (none). Fields: item_id, title,
 * category, status, time (the item's time, ms since the epoch or an ISO date in range bounds).
 */
import { badRequest } from "../common/errors.ts";

export interface FilterableItem {
  item_id: string;
  title: string | null;
  category: string | null;
  status: string;
  item_time: number | null;
}

export type ItemPredicate = (item: FilterableItem) => boolean;

const FIELDS = ["item_id", "title", "category", "status", "time"] as const;
type Field = (typeof FIELDS)[number];

const fail = (param: string, expected: string) =>
  badRequest("InvalidFilter", `${param}: expected ${expected}`, param);

function field(name: string, param: string): Field {
  if (!(FIELDS as readonly string[]).includes(name))
    throw fail(param, `one of the catalog fields ${FIELDS.join(", ")}, got ${JSON.stringify(name)}`);
  return name as Field;
}

const fieldValue = (item: FilterableItem, f: Field): string | number | null =>
  f === "time" ? item.item_time : item[f];

function single(obj: unknown, param: string): [string, unknown] {
  if (!obj || typeof obj !== "object" || Array.isArray(obj) || Object.keys(obj).length !== 1)
    throw fail(param, "an object with exactly one field");
  return Object.entries(obj)[0] as [string, unknown];
}

function bound(value: unknown, param: string): number {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  throw fail(param, "a number or an ISO date");
}

function scalar(value: unknown, param: string): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  throw fail(param, "a string, number or boolean");
}

function clauses(value: unknown, param: string): ItemPredicate[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((c, i) => parseFilter(c, Array.isArray(value) ? `${param}[${i}]` : param));
}

/** Parses a filter object; a 400 names the path of the first problem (e.g. `filter.bool.must[1].term`). */
export function parseFilter(filter: unknown, param = "filter"): ItemPredicate {
  const [kind, body] = single(filter, param);
  const at = `${param}.${kind}`;
  switch (kind) {
    case "term": {
      const [name, value] = single(body, at);
      const f = field(name, `${at}.${name}`);
      const want = scalar(value, `${at}.${name}`);
      return (item) => {
        const v = fieldValue(item, f);
        return v !== null && String(v) === want;
      };
    }
    case "terms": {
      const [name, values] = single(body, at);
      const f = field(name, `${at}.${name}`);
      if (!Array.isArray(values)) throw fail(`${at}.${name}`, "an array of values");
      const want = new Set(values.map((v, i) => scalar(v, `${at}.${name}[${i}]`)));
      return (item) => {
        const v = fieldValue(item, f);
        return v !== null && want.has(String(v));
      };
    }
    case "range": {
      const [name, spec] = single(body, at);
      const f = field(name, `${at}.${name}`);
      if (!spec || typeof spec !== "object") throw fail(`${at}.${name}`, "an object of gt/gte/lt/lte");
      const tests: Array<(v: number) => boolean> = [];
      for (const [op, raw] of Object.entries(spec)) {
        const b = bound(raw, `${at}.${name}.${op}`);
        if (op === "gt") tests.push((v) => v > b);
        else if (op === "gte") tests.push((v) => v >= b);
        else if (op === "lt") tests.push((v) => v < b);
        else if (op === "lte") tests.push((v) => v <= b);
        else throw fail(`${at}.${name}.${op}`, "one of gt, gte, lt, lte");
      }
      return (item) => {
        const v = fieldValue(item, f);
        const n = typeof v === "number" ? v : Number(v);
        return v !== null && Number.isFinite(n) && tests.every((t) => t(n));
      };
    }
    case "exists": {
      if (!body || typeof body !== "object" || typeof (body as { field?: unknown }).field !== "string")
        throw fail(at, '{"field": <name>}');
      const f = field((body as { field: string }).field, `${at}.field`);
      return (item) => fieldValue(item, f) !== null;
    }
    case "bool": {
      if (!body || typeof body !== "object" || Array.isArray(body)) throw fail(at, "an object");
      const all: ItemPredicate[] = [];
      let any: ItemPredicate[] = [];
      let none: ItemPredicate[] = [];
      for (const [occur, value] of Object.entries(body)) {
        if (occur === "must" || occur === "filter") all.push(...clauses(value, `${at}.${occur}`));
        else if (occur === "should") any = clauses(value, `${at}.should`);
        else if (occur === "must_not") none = clauses(value, `${at}.must_not`);
        else throw fail(`${at}.${occur}`, "one of must, filter, should, must_not");
      }
      return (item) =>
        all.every((p) => p(item)) &&
        (any.length === 0 || any.some((p) => p(item))) &&
        !none.some((p) => p(item));
    }
    default:
      throw fail(at, "one of term, terms, range, exists, bool");
  }
}

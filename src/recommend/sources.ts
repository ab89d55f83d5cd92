/**
 * Reading a datasource's records as catalog items: pages of an index through the search backend
 * (sorted by _id, with the content vector when the mapping has a knn_vector field), or the rows of
 * a CSV/JSONL file. Each item carries a fingerprint so a sync can tell changed items from the rest.
 */
import { createHash } from "node:crypto";
import type { SearchBackend } from "../backends/index.ts";
import { badRequest } from "../common/errors.ts";
import type { SourceItem } from "./catalog.ts";
import type { FieldMap } from "./datasources.ts";

const PAGE = 500;

/** ms since the epoch from a number (seconds when small) or a date string; null otherwise. */
export function toTime(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value < 1e11 ? value * 1000 : value;
  if (typeof value === "string" && value.trim()) {
    if (/^\d+(\.\d+)?$/.test(value.trim())) return toTime(Number(value));
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? null : parsed;
  }
  return null;
}

const first = (record: Record<string, unknown>, names: string[]): unknown =>
  names.map((n) => record[n]).find((v) => v !== undefined && v !== null && v !== "");

const text = (value: unknown): string | null =>
  value === undefined || value === null ? null : Array.isArray(value) ? value.join("|") : String(value);

/** Maps one record to a catalog item; null when it has no id. */
export function toItem(id: unknown, record: Record<string, unknown>, fields: FieldMap): SourceItem | null {
  if (id === undefined || id === null || String(id) === "") return null;
  const vector = fields.vector ? record[fields.vector] : undefined;
  const item: SourceItem = {
    item_id: String(id),
    title: text(first(record, fields.title)),
    category: text(first(record, fields.category)),
    status: text(first(record, fields.status)) ?? "active",
    item_time: toTime(first(record, fields.time)),
    hash: "",
  };
  if (Array.isArray(vector) && vector.every((x) => typeof x === "number")) item.vector = vector as number[];
  item.hash = createHash("sha1")
    .update(JSON.stringify([item.title, item.category, item.status, item.item_time, item.vector ?? null]))
    .digest("hex");
  return item;
}

/** The first knn_vector field of an index's mapping, for content similarity. */
export async function vectorField(backend: SearchBackend, index: string): Promise<string | undefined> {
  const mappings = await backend.json<
    Record<string, { mappings?: { properties?: Record<string, { type?: string }> } }>
  >("GET", `/${encodeURIComponent(index)}/_mapping`);
  for (const entry of Object.values(mappings)) {
    for (const [name, spec] of Object.entries(entry.mappings?.properties ?? {}))
      if (spec.type === "knn_vector" || spec.type === "dense_vector") return name;
  }
  return undefined;
}

interface Hit {
  _id: string;
  sort?: unknown[];
  _source?: Record<string, unknown>;
  _score?: number;
}
interface SearchAnswer {
  hits: { hits: Hit[]; total?: { value: number } | number };
}

/**
 * Every document of an index as catalog items: pages sorted by _id, each after the last _id of
 * the one before (`search_after`, which Elasticsearch, OpenSearch and the embedded engine all take),
 * so no result window limits how many are read.
 */
export async function readIndex(
  backend: SearchBackend,
  index: string,
  fields: FieldMap,
): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  const source = [...fields.title, ...fields.category, ...fields.time, ...fields.status];
  if (fields.vector) source.push(fields.vector);
  if (fields.item_id !== "_id") source.push(fields.item_id);
  let after: unknown[] | undefined;
  for (;;) {
    const page = await backend.json<SearchAnswer>("POST", `/${encodeURIComponent(index)}/_search`, {
      body: {
        size: PAGE,
        sort: [{ _id: "asc" }],
        ...(after && { search_after: after }),
        _source: source,
        track_total_hits: false,
        query: { match_all: {} },
      },
    });
    for (const hit of page.hits.hits) {
      const record = hit._source ?? {};
      const item = toItem(fields.item_id === "_id" ? hit._id : record[fields.item_id], record, fields);
      if (item) items.push(item);
    }
    const last = page.hits.hits.at(-1);
    if (!last || page.hits.hits.length < PAGE) return items;
    after = last.sort ?? [last._id];
  }
}

/** The nearest items to each given item by its vector: a kNN query per item through the backend. */
export async function contentNeighbors(
  backend: SearchBackend,
  index: string,
  field: string,
  items: SourceItem[],
  k = 20,
  idField = "_id",
): Promise<Map<string, Array<[string, number]>>> {
  const out = new Map<string, Array<[string, number]>>();
  for (const item of items) {
    if (!item.vector) continue;
    const answer = await backend.json<SearchAnswer>("POST", `/${encodeURIComponent(index)}/_search`, {
      body: {
        size: k + 1,
        _source: idField === "_id" ? false : [idField],
        query: { knn: { [field]: { vector: item.vector, k: k + 1 } } },
      },
    });
    out.set(
      item.item_id,
      answer.hits.hits
        .map((h): [string, number] => [
          idField === "_id" ? h._id : String(h._source?.[idField]),
          h._score ?? 0,
        ])
        .filter(([id]) => id !== item.item_id)
        .slice(0, k),
    );
  }
  return out;
}

/** Splits CSV text into rows of fields (RFC 4180: quoted fields may hold commas, quotes and newlines). */
export function parseCsv(input: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && input[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.length > 1 || r[0] !== "");
}

/** A CSV (header row first) or JSONL catalog as items; a bad line is a 400 naming it. */
export function readFileCatalog(content: string, format: "csv" | "jsonl", fields: FieldMap): SourceItem[] {
  const records: Record<string, unknown>[] = [];
  if (format === "csv") {
    const [header, ...rows] = parseCsv(content);
    if (!header) return [];
    for (const row of rows) records.push(Object.fromEntries(header.map((h, i) => [h.trim(), row[i]])));
  } else {
    for (const [i, line] of content.split("\n").entries()) {
      if (!line.trim()) continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        throw badRequest("InvalidCatalog", `path: line ${i + 1} is not a JSON object`, "path");
      }
    }
  }
  const items: SourceItem[] = [];
  for (const record of records) {
    const item = toItem(record[fields.item_id], record, fields);
    if (item) items.push(item);
  }
  return items;
}

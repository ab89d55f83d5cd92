/**
 * `_mget`: many documents by id in one request, as Elasticsearch answers it — `{"docs": [...]}`
 * entries naming `_index` (or the path's index), `_id` and optionally their own `_source`, or
 * `{"ids": [...]}` with the index in the path. Each entry answers like `GET <index>/_doc/<id>`;
 * a missing document is `found: false` and a missing index an `error` on that entry alone.
 */
import { EngineError, errorBody, illegalArgument } from "./errors.ts";
import { isObject } from "./mapping.ts";
import { parseSourceFilter, type SourceFilter } from "./query/source-filter.ts";

export interface MgetItem {
  index: string;
  id: string;
  /** The entry's own `_source`, over the request's. */
  source?: SourceFilter;
}

/** What one `GET <index>/_doc/<id>` would answer (throws for a missing index). */
export type GetDocument = (index: string, id: string, source: SourceFilter) => Record<string, unknown>;

const ENTRY_KEYS = ["_index", "_id", "_source", "routing", "_routing", "stored_fields"];

/** The entries of an `_mget` body; every problem is one 400 listing them, as Elasticsearch does. */
export function parseMget(body: unknown, pathIndex: string | undefined): MgetItem[] {
  if (!isObject(body))
    throw illegalArgument('[_mget] needs a body: {"docs": [{"_index", "_id"}]} or {"ids": [...]}');
  for (const key of Object.keys(body))
    if (key !== "docs" && key !== "ids")
      throw illegalArgument(`unknown key [${key}] in [_mget]: expected [docs] or [ids]`);
  const problems: string[] = [];
  const items: MgetItem[] = [];
  if (body.ids !== undefined) {
    if (!Array.isArray(body.ids)) throw illegalArgument("[ids] in [_mget] must be an array of document ids");
    body.ids.forEach((id, i) => {
      if (pathIndex === undefined) problems.push(`index is missing for doc ${i}`);
      if (typeof id !== "string" && typeof id !== "number") problems.push(`id is missing for doc ${i}`);
      else if (pathIndex !== undefined) items.push({ index: pathIndex, id: String(id) });
    });
  }
  if (body.docs !== undefined) {
    if (!Array.isArray(body.docs))
      throw illegalArgument('[docs] in [_mget] must be an array of {"_index", "_id"} objects');
    body.docs.forEach((doc, i) => {
      if (!isObject(doc)) {
        problems.push(`doc ${i} must be an object with [_id]`);
        return;
      }
      const unknown = Object.keys(doc).find((k) => !ENTRY_KEYS.includes(k));
      if (unknown !== undefined) throw illegalArgument(`unknown key [${unknown}] in [docs][${i}] of [_mget]`);
      const index = doc._index ?? pathIndex;
      const id = doc._id;
      if (typeof index !== "string" || index === "") problems.push(`index is missing for doc ${i}`);
      if (typeof id !== "string" && typeof id !== "number") problems.push(`id is missing for doc ${i}`);
      if (typeof index === "string" && index !== "" && (typeof id === "string" || typeof id === "number"))
        items.push({
          index,
          id: String(id),
          ...(doc._source !== undefined && { source: parseSourceFilter(doc._source) }),
        });
    });
  }
  if (body.docs === undefined && body.ids === undefined) problems.push("no documents to get");
  if (problems.length)
    throw new EngineError(
      400,
      "action_request_validation_exception",
      `Validation Failed: ${problems.map((p, i) => `${i + 1}: ${p};`).join("")}`,
    );
  return items;
}

/** Each entry as `GET <index>/_doc/<id>` answers it; an engine error stays on its entry. */
export function runMget(items: MgetItem[], source: SourceFilter, get: GetDocument): { docs: unknown[] } {
  return {
    docs: items.map((item) => {
      try {
        return get(item.index, item.id, item.source ?? source);
      } catch (err) {
        if (!(err instanceof EngineError)) throw err;
        return { _index: item.index, _id: item.id, error: errorBody(err).error };
      }
    }),
  };
}

/**
 * `_delete_by_query` and `_update_by_query` (without a script: every match is indexed again from
 * its stored source, which fills sub-fields added to the mapping since, and runs the `pipeline`
 * or the index's default ingest pipeline, as Elasticsearch does). Matches are read in `_id` order
 * with `search_after`, a batch at a time, and written with `_bulk` under `if_seq_no`, so a
 * document changed since it was read is a version conflict: counted with `conflicts=proceed`,
 * otherwise the run stops with a 409 listing it. The answer has Elasticsearch's fields.
 */
import { illegalArgument, parsingError } from "./errors.ts";
import { isObject } from "./mapping.ts";

export type ByQueryKind = "delete" | "update";

export interface ByQueryRequest {
  kind: ByQueryKind;
  query: Record<string, unknown>;
  conflicts: "abort" | "proceed";
  maxDocs?: number;
  batchSize: number;
}

type Hit = { _index: string; _id: string; _seq_no: number; _primary_term: number; _source?: unknown };
type Failure = { index: string; id: string; cause: unknown; status: number };

/** A hit's bulk metadata: its document at the sequence number the search saw. */
const bulkMeta = (h: Hit) => ({
  _index: h._index,
  _id: h._id,
  if_seq_no: h._seq_no,
  if_primary_term: h._primary_term,
});

/** What the engine does for a run: search a page of matches, write a batch of `_bulk` lines. */
export interface ByQueryEngine {
  search(body: Record<string, unknown>): Promise<{ hits: { hits: Hit[] } }>;
  bulk(lines: unknown[]): Promise<{
    items: Array<Record<string, { status: number; error?: unknown; _id: string; _index: string }>>;
  }>;
}

const DEFAULT_BATCH = 1000;

function positiveInt(value: unknown, name: string): number {
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1)
    throw illegalArgument(`[${name}] must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/** The request from the body (`query`, `max_docs`, `conflicts`) and URL parameters (which `q` and the rest set). */
export function parseByQuery(
  kind: ByQueryKind,
  body: unknown,
  params: Record<string, string | undefined>,
): ByQueryRequest {
  const b = body === undefined || body === null ? {} : body;
  if (!isObject(b)) throw parsingError("request body must be a JSON object");
  for (const key of Object.keys(b)) {
    if (key === "script")
      throw illegalArgument(
        `[_update_by_query] scripts are not supported: update the documents with _bulk "update" actions (partial "doc"), or send no script to index every match again from its source`,
      );
    if (!["query", "max_docs", "conflicts"].includes(key))
      throw parsingError(`[_${kind}_by_query] unknown field [${key}]: expected query, max_docs or conflicts`);
  }
  if (b.query !== undefined && !isObject(b.query)) throw parsingError("[query] must be an object");
  if (params.q !== undefined && b.query !== undefined)
    throw illegalArgument("request [q] and a query in the body cannot both be given");
  const query =
    params.q !== undefined
      ? {
          query_string: {
            query: params.q,
            ...(params.df && { default_field: params.df }),
            ...(params.default_operator && { default_operator: params.default_operator }),
          },
        }
      : ((b.query as Record<string, unknown> | undefined) ?? { match_all: {} });
  const conflicts = params.conflicts ?? b.conflicts ?? "abort";
  if (conflicts !== "abort" && conflicts !== "proceed")
    throw illegalArgument(`[conflicts] must be "abort" or "proceed", got ${JSON.stringify(conflicts)}`);
  if (params.wait_for_completion !== undefined && params.wait_for_completion !== "true")
    throw illegalArgument(
      "wait_for_completion=false needs the tasks API, which Lodestone does not have: run the request synchronously (the default)",
    );
  if (params.requests_per_second !== undefined && Number(params.requests_per_second) !== -1)
    throw illegalArgument("[requests_per_second] throttling is not supported: leave it out (or -1)");
  if (params.slices !== undefined && params.slices !== "1" && params.slices !== "auto")
    throw illegalArgument(`[slices] must be 1 or auto (an index here has one shard), got [${params.slices}]`);
  const maxDocs = params.max_docs ?? b.max_docs;
  return {
    kind,
    query,
    conflicts,
    ...(maxDocs !== undefined && { maxDocs: positiveInt(maxDocs, "max_docs") }),
    batchSize:
      params.scroll_size === undefined ? DEFAULT_BATCH : positiveInt(params.scroll_size, "scroll_size"),
  };
}

/** Runs the request; returns the answer's status (200, or 409 when a conflict aborted it) and body. */
export async function runByQuery(
  req: ByQueryRequest,
  engine: ByQueryEngine,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const started = performance.now();
  let total = 0;
  let done = 0;
  let batches = 0;
  let conflicts = 0;
  const failures: Failure[] = [];
  let after: unknown[] | undefined;
  while (req.maxDocs === undefined || total < req.maxDocs) {
    const size = Math.min(req.batchSize, req.maxDocs === undefined ? req.batchSize : req.maxDocs - total);
    const page = await engine.search({
      size,
      query: req.query,
      sort: [{ _id: "asc" }],
      seq_no_primary_term: true,
      _source: req.kind === "update",
      ...(after && { search_after: after }),
    });
    const hits = page.hits.hits;
    if (hits.length === 0) break;
    after = [hits.at(-1)?._id];
    total += hits.length;
    batches++;
    const lines = hits.flatMap((h) =>
      req.kind === "delete" ? [{ delete: bulkMeta(h) }] : [{ index: bulkMeta(h) }, h._source ?? {}],
    );
    const res = await engine.bulk(lines);
    for (const item of res.items) {
      const r = Object.values(item)[0];
      if (!r) continue;
      const conflict = r.status === 409;
      if (conflict) conflicts++;
      if (!r.error) done++;
      else if (!conflict || req.conflicts === "abort")
        failures.push({ index: r._index, id: r._id, cause: r.error, status: r.status });
    }
    if (failures.length) break;
    if (hits.length < size) break;
  }
  const body = {
    took: Math.round(performance.now() - started),
    timed_out: false,
    total,
    [req.kind === "delete" ? "deleted" : "updated"]: done,
    batches,
    version_conflicts: conflicts,
    noops: 0,
    retries: { bulk: 0, search: 0 },
    throttled_millis: 0,
    requests_per_second: -1,
    throttled_until_millis: 0,
    failures,
  };
  // an aborting conflict answers 409, as Elasticsearch does; other failures their worst status
  const status = failures.some((f) => f.status === 409)
    ? 409
    : Math.max(200, ...failures.map((f) => f.status));
  return { status, body };
}

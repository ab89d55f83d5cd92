/**
 * What ingestion asks of the index, all through a SearchBackend (so it runs on the embedded
 * engine and on an OpenSearch cluster alike): create it or add the missing chunk fields, read
 * what a root already holds (per file: its ingest keys and chunk count), list a file's chunk
 * ids, and write in `_bulk` batches. Deletes are by id: a file's chunk ids are listed anyway to
 * tell what changed, and `_bulk` deletes report per chunk.
 */
import type { SearchBackend } from "../../backends/types.ts";
import { badRequest } from "../../common/errors.ts";
import { indexNameProblem } from "../../common/index-name.ts";
import { chunkMapping } from "./fields.ts";

/** The search API's cap on from + size (index.max_result_window's default). */
const PAGE = 10_000;
/** Files per root read in one terms aggregation (each bucket has two sub-aggregations). */
const MAX_FILES_PER_ROOT = 10_000;

const indexPath = (index: string) => `/${encodeURIComponent(index)}`;
const status = (err: unknown) => (err as { status?: number }).status;

/** Elasticsearch's index name rules, checked before any file is read. */
export function checkIndexName(name: string): void {
  const why = indexNameProblem(name);
  if (why) throw badRequest("InvalidIndexName", `index name ${JSON.stringify(name)} ${why}`, "index");
}

interface MappingAnswer {
  [index: string]: { mappings?: { properties?: Record<string, { type?: string }> } };
}

/** The index's field types, or undefined when it does not exist. */
async function fieldTypes(search: SearchBackend, index: string): Promise<Record<string, string> | undefined> {
  let answer: MappingAnswer;
  try {
    answer = await search.json<MappingAnswer>("GET", `${indexPath(index)}/_mapping`);
  } catch (err) {
    if (status(err) === 404) return undefined;
    throw err;
  }
  const props = Object.values(answer)[0]?.mappings?.properties ?? {};
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.type ?? "object"]));
}

export interface IndexSetup {
  created: boolean;
  /** Fields added to an existing index's mapping. */
  added: string[];
  /** Whether the index exists (false only in a dry run against a missing index). */
  exists: boolean;
}

/**
 * Creates the index with the chunk mapping, or adds to an existing one the chunk fields it lacks
 * (its own fields, analyzers, vector field and default pipeline stay as they are).
 */
export async function ensureIndex(
  search: SearchBackend,
  index: string,
  opts: { analyzer: string; dryRun: boolean },
): Promise<IndexSetup> {
  const mapping = chunkMapping(opts.analyzer);
  const types = await fieldTypes(search, index);
  if (!types) {
    if (!opts.dryRun)
      await search.json("PUT", indexPath(index), { body: { mappings: { properties: mapping } } });
    return { created: !opts.dryRun, added: [], exists: !opts.dryRun };
  }
  const wrong = (["content", "source", "source_root", "ingest_key"] as const).find(
    (f) => types[f] !== undefined && types[f] !== mapping[f]?.type,
  );
  if (wrong)
    throw badRequest(
      "IncompatibleMapping",
      `index ${index}: field ${wrong} is mapped as ${types[wrong]}, ingestion needs ${mapping[wrong]?.type}; ingest into another index`,
      "index",
    );
  const missing = Object.keys(mapping).filter((f) => types[f] === undefined);
  if (missing.length && !opts.dryRun)
    await search.json("PUT", `${indexPath(index)}/_mapping`, {
      body: { properties: Object.fromEntries(missing.map((f) => [f, mapping[f]])) },
    });
  return { created: false, added: missing, exists: true };
}

/** What the index holds of one file. */
export interface IndexedFile {
  /** The distinct ingest keys of its chunks (one when its last ingestion completed). */
  keys: string[];
  /** Chunks in the index. */
  count: number;
  /** The chunk count its last ingestion planned. */
  planned: number;
}

interface Bucket {
  key: string;
  doc_count: number;
}

/** Per source: what a root's files have in the index. */
export async function rootState(
  search: SearchBackend,
  index: string,
  root: string,
): Promise<Map<string, IndexedFile>> {
  const answer = await search.json<{
    aggregations: {
      sources: {
        sum_other_doc_count: number;
        buckets: Array<Bucket & { keys: { buckets: Bucket[] }; planned: { value: number | null } }>;
      };
    };
  }>("POST", `${indexPath(index)}/_search`, {
    body: {
      size: 0,
      query: { term: { source_root: root } },
      aggs: {
        sources: {
          terms: { field: "source", size: MAX_FILES_PER_ROOT },
          aggs: {
            keys: { terms: { field: "ingest_key", size: 3 } },
            planned: { max: { field: "source_chunks" } },
          },
        },
      },
    },
  });
  const { sources } = answer.aggregations;
  if (sources.sum_other_doc_count > 0)
    throw badRequest(
      "TooManyFiles",
      `${root} holds more than ${MAX_FILES_PER_ROOT} files in ${index}; ingest its sub-folders separately`,
      "paths",
    );
  return new Map(
    sources.buckets.map((b) => [
      b.key,
      { keys: b.keys.buckets.map((k) => k.key), count: b.doc_count, planned: b.planned.value ?? -1 },
    ]),
  );
}

/**
 * A file's chunks: id → the stored values of `fields` (none: ids only), paged by chunk ordinal
 * (the engine has neither scroll nor search_after).
 */
export async function fileChunks(
  search: SearchBackend,
  index: string,
  source: string,
  fields: readonly string[] = [],
): Promise<Map<string, Record<string, unknown>>> {
  const chunks = new Map<string, Record<string, unknown>>();
  let after = -1;
  for (;;) {
    const answer = await search.json<{
      hits: { hits: Array<{ _id: string; _source?: Record<string, unknown>; sort: number[] }> };
    }>("POST", `${indexPath(index)}/_search`, {
      body: {
        size: PAGE,
        _source: fields.length ? fields : false,
        sort: [{ chunk: "asc" }],
        query: { bool: { filter: [{ term: { source } }, { range: { chunk: { gt: after } } }] } },
      },
    });
    const hits = answer.hits.hits;
    for (const hit of hits) chunks.set(hit._id, hit._source ?? {});
    if (hits.length < PAGE) return chunks;
    after = hits.at(-1)?.sort[0] ?? after;
  }
}

export async function refresh(search: SearchBackend, index: string): Promise<void> {
  await search.json("POST", `${indexPath(index)}/_refresh`);
}

export type BulkAction =
  | { op: "index"; id: string; doc: Record<string, unknown> }
  | { op: "update"; id: string; doc: Record<string, unknown> }
  | { op: "delete"; id: string };

export interface BulkFailure {
  id: string;
  op: string;
  status: number;
  reason: string;
}

interface BulkAnswer {
  items: Array<Record<string, { _id?: string; status: number; error?: { type?: string; reason?: string } }>>;
}

/** `_bulk` in batches; item failures are collected with their reasons, not thrown. */
export class BulkWriter {
  private pending: BulkAction[] = [];
  readonly failures: BulkFailure[] = [];
  written = 0;

  constructor(
    private readonly search: SearchBackend,
    private readonly index: string,
    private readonly opts: { batch: number; pipeline?: string; onWritten?: (n: number) => void },
  ) {}

  async add(action: BulkAction): Promise<void> {
    this.pending.push(action);
    if (this.pending.length >= this.opts.batch) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    const lines: string[] = [];
    for (const a of batch) {
      lines.push(JSON.stringify({ [a.op]: { _id: a.id } }));
      if (a.op === "index") lines.push(JSON.stringify(a.doc));
      else if (a.op === "update") lines.push(JSON.stringify({ doc: a.doc }));
    }
    const answer = await this.search.json<BulkAnswer>("POST", `${indexPath(this.index)}/_bulk`, {
      rawBody: `${lines.join("\n")}\n`,
      contentType: "application/x-ndjson",
      query: { pipeline: this.opts.pipeline },
    });
    answer.items.forEach((item, i) => {
      const [op, result] = Object.entries(item)[0] ?? [];
      const action = batch[i] as BulkAction;
      // deleting a chunk that is already gone is what was wanted
      if (result?.error && !(op === "delete" && result.status === 404))
        this.failures.push({
          id: action.id,
          op: action.op,
          status: result.status,
          reason: `${result.error.type ?? "error"}: ${result.error.reason ?? "no reason given"}`,
        });
      else this.written++;
    });
    this.opts.onWritten?.(this.written);
  }
}

/**
 * Ingestion: files → extracted text → chunks → index documents, synchronised with what the
 * index already holds for each root. Per file the ingest key (file hash + chunking and loader
 * options) decides: the same key with all planned chunks present → nothing is read further or
 * written; otherwise the file is chunked again, chunks with new text are indexed, chunks whose
 * text is still there keep their document (only their metadata is updated, so their embedding
 * stays), chunks whose text is gone are deleted. Files no longer under a root are deleted.
 */
import type { SearchBackend } from "../../backends/types.ts";
import { badRequest, errorMessage } from "../../common/errors.ts";
import { chunkDocuments, type IdentifiedChunk } from "./chunk-documents.ts";
import { chunkDocument, DEFAULT_CHUNKING, validateChunking } from "./chunker.ts";
import { DuplicateFinder } from "./duplicates.ts";
import { METADATA_FIELDS } from "./fields.ts";
import {
  type BulkAction,
  BulkWriter,
  checkIndexName,
  ensureIndex,
  fileChunks,
  type IndexedFile,
  refresh,
  rootState,
} from "./index-store.ts";
import { formatOf, loadDocument, SUPPORTED_EXTENSIONS } from "./loaders/index.ts";
import { type SourceFile, type SourceRoot, sha256 } from "./sources.ts";
import type { ChunkingOptions, LoaderOptions } from "./types.ts";

/** Bumped when loaders or the chunker change what they make of the same file. */
const INGEST_VERSION = 2;

export interface IngestOptions {
  backend: SearchBackend;
  index: string;
  /** Resolved roots (sources.ts: sourceRoot). */
  sources: SourceRoot[];
  chunking?: ChunkingOptions;
  /** JSON/JSONL field names. */
  fields?: Pick<LoaderOptions, "textField" | "titleField" | "idField">;
  /** An ingest pipeline instead of the index's default one. */
  pipeline?: string;
  /** The analyzer of text fields when the index is created (default english). */
  analyzer?: string;
  /** Actions per `_bulk` request (default 200). */
  batch?: number;
  /** Read and chunk everything, compare with the index, write nothing. */
  dryRun?: boolean;
  /** Skip chunks whose text another file already has in the index (duplicates.ts). */
  dedupe?: boolean;
  onProgress?: (progress: IngestProgress) => void;
}

export interface IngestProgress {
  filesDone: number;
  filesTotal: number;
  /** Bulk actions the index has acknowledged. */
  written: number;
  /** The file just handled. */
  source?: string;
}

export interface IngestSummary {
  index: string;
  created_index: boolean;
  /** Fields added to an existing index's mapping. */
  added_fields: string[];
  roots: string[];
  dry_run: boolean;
  files: {
    added: number;
    changed: number;
    unchanged: number;
    deleted: number;
    skipped: number;
    failed: number;
  };
  chunks: { indexed: number; updated: number; deleted: number; unchanged: number; duplicates: number };
  /** Files of unsupported types. */
  skipped: Array<{ source: string; reason: string }>;
  /** Files that could not be read, and bulk items the index refused. */
  errors: Array<{ source: string; reason: string }>;
  took_ms: number;
}

type FileOutcome = "added" | "changed" | "unchanged" | "skipped" | "failed";

/** The ingest key: changes when the file, the chunking or the JSON field options change. */
function ingestKey(sourceHash: string, opts: IngestOptions, chunking: ChunkingOptions): string {
  return sha256(JSON.stringify([INGEST_VERSION, sourceHash, chunking, opts.fields ?? {}])).slice(0, 24);
}

function metadataOf(chunk: IdentifiedChunk): Record<string, unknown> {
  const doc = chunk.doc as unknown as Record<string, unknown>;
  // page and record are null when absent, so an update clears a stale value
  return Object.fromEntries(METADATA_FIELDS.map((f) => [f, doc[f] ?? null]));
}

const isCurrent = (had: IndexedFile | undefined, key: string) =>
  had !== undefined && had.keys.length === 1 && had.keys[0] === key && had.count === had.planned;

export async function ingest(opts: IngestOptions): Promise<IngestSummary> {
  const started = Date.now();
  checkIndexName(opts.index);
  const chunking = opts.chunking ?? DEFAULT_CHUNKING;
  const invalid = validateChunking(chunking);
  if (invalid) throw badRequest("InvalidChunking", invalid, "chunking");
  const dryRun = Boolean(opts.dryRun);
  const setup = await ensureIndex(opts.backend, opts.index, { analyzer: opts.analyzer ?? "english", dryRun });
  const summary: IngestSummary = {
    index: opts.index,
    created_index: setup.created,
    added_fields: setup.added,
    roots: opts.sources.map((r) => r.root),
    dry_run: dryRun,
    files: { added: 0, changed: 0, unchanged: 0, deleted: 0, skipped: 0, failed: 0 },
    chunks: { indexed: 0, updated: 0, deleted: 0, unchanged: 0, duplicates: 0 },
    skipped: [],
    errors: [],
    took_ms: 0,
  };
  const progress: IngestProgress = {
    filesDone: 0,
    filesTotal: opts.sources.reduce((n, r) => n + r.files.length, 0),
    written: 0,
  };
  const report = (source?: string) => opts.onProgress?.({ ...progress, source });
  const sourceOfId = new Map<string, string>();
  const writer = new BulkWriter(opts.backend, opts.index, {
    batch: opts.batch ?? 200,
    pipeline: opts.pipeline,
    onWritten: (n) => {
      progress.written = n;
      report();
    },
  });
  const write = async (action: BulkAction, source: string) => {
    if (dryRun) return;
    sourceOfId.set(action.id, source);
    await writer.add(action);
  };
  const now = new Date().toISOString();
  const duplicates = opts.dedupe
    ? new DuplicateFinder(opts.backend, opts.index, setup.exists && !setup.created)
    : undefined;
  /** Chunks held elsewhere when their file was handled: decided again at the end of the run. */
  const deferred: Array<{ source: string; chunk: IdentifiedChunk }> = [];
  const hashOf = (chunk: IdentifiedChunk) => chunk.doc.content_hash;
  const indexChunk = async (source: string, chunk: IdentifiedChunk) => {
    duplicates?.hold(source, hashOf(chunk));
    summary.chunks.indexed++;
    await write({ op: "index", id: chunk.id, doc: chunk.doc as unknown as Record<string, unknown> }, source);
  };

  /** Brings one file's chunks in the index up to date. */
  const syncFile = async (
    file: SourceFile,
    root: string,
    had: IndexedFile | undefined,
  ): Promise<FileOutcome> => {
    const format = formatOf(file.name);
    if (!format) {
      summary.skipped.push({
        source: file.source,
        reason: `unsupported file type (ingestion reads ${SUPPORTED_EXTENSIONS.join(", ")})`,
      });
      return "skipped";
    }
    let chunks: IdentifiedChunk[];
    try {
      const bytes = await file.read();
      const sourceHash = sha256(bytes);
      const key = ingestKey(sourceHash, opts, chunking);
      if (isCurrent(had, key)) {
        summary.chunks.unchanged += had?.count ?? 0;
        return "unchanged";
      }
      const doc = await loadDocument(bytes, format, { name: file.name, ...opts.fields });
      const facts = {
        source: file.source,
        root,
        format,
        sourceHash,
        ingestKey: key,
        modifiedAt: file.modifiedAt,
      };
      chunks = chunkDocuments(chunkDocument(doc, chunking), facts, now);
    } catch (err) {
      summary.errors.push({ source: file.source, reason: errorMessage(err) });
      return "failed";
    }
    const existing =
      // a new file may still have chunks under another root (or from an interrupted run)
      setup.exists && !setup.created
        ? await fileChunks(opts.backend, opts.index, file.source, [...METADATA_FIELDS, "content_hash"])
        : new Map<string, Record<string, unknown>>();
    let writes = 0;
    const fresh: IdentifiedChunk[] = [];
    for (const chunk of chunks) {
      const stored = existing.get(chunk.id);
      existing.delete(chunk.id);
      if (!stored) {
        fresh.push(chunk);
        continue;
      }
      duplicates?.hold(file.source, hashOf(chunk));
      const metadata = metadataOf(chunk);
      if (METADATA_FIELDS.every((f) => (stored[f] ?? null) === metadata[f])) summary.chunks.unchanged++;
      else {
        summary.chunks.updated++;
        writes++;
        await write({ op: "update", id: chunk.id, doc: metadata }, file.source);
      }
    }
    for (const [id, stored] of existing) {
      duplicates?.release(file.source, String(stored.content_hash));
      summary.chunks.deleted++;
      writes++;
      await write({ op: "delete", id }, file.source);
    }
    const held = duplicates
      ? await duplicates.heldElsewhere(file.source, fresh.map(hashOf))
      : new Set<string>();
    for (const chunk of fresh) {
      if (held.has(hashOf(chunk))) deferred.push({ source: file.source, chunk });
      else {
        writes++;
        await indexChunk(file.source, chunk);
      }
    }
    if (!chunks.length) {
      summary.skipped.push({
        source: file.source,
        reason: "no text found (a scanned PDF has no text layer; a JSON file may need --text-field)",
      });
      return "skipped";
    }
    // (a file read again only to re-check its duplicates may have nothing to write)
    return !had ? "added" : writes ? "changed" : "unchanged";
  };

  // a file under two of the roots given (a folder and a file in it) is handled by the first
  const handled = new Set<string>();
  for (const root of opts.sources) {
    const state = setup.exists ? await rootState(opts.backend, opts.index, root.root) : new Map();
    for (const file of root.files) {
      if (!handled.has(file.source)) {
        summary.files[await syncFile(file, root.root, state.get(file.source))]++;
        handled.add(file.source);
      }
      state.delete(file.source);
      progress.filesDone++;
      report(file.source);
    }
    // what is left was under this root before and is gone now (unless another root has it now)
    for (const source of state.keys()) {
      if (handled.has(source)) continue;
      const gone = await fileChunks(opts.backend, opts.index, source, ["content_hash"]);
      for (const [id, stored] of gone) {
        duplicates?.release(source, String(stored.content_hash));
        await write({ op: "delete", id }, source);
      }
      summary.chunks.deleted += gone.size;
      summary.files.deleted++;
    }
  }
  // a deferred duplicate whose holder was changed or deleted later in the run is indexed now
  for (let i = 0; i < deferred.length; ) {
    const source = deferred[i]?.source as string;
    let j = i;
    while (j < deferred.length && deferred[j]?.source === source) j++;
    const group = deferred.slice(i, j).map((d) => d.chunk);
    const held = (await duplicates?.heldElsewhere(source, group.map(hashOf))) ?? new Set<string>();
    for (const chunk of group) {
      if (held.has(hashOf(chunk))) summary.chunks.duplicates++;
      else await indexChunk(source, chunk);
    }
    i = j;
  }
  if (!dryRun) {
    await writer.flush();
    if (setup.exists) await refresh(opts.backend, opts.index);
  }
  for (const f of writer.failures)
    summary.errors.push({
      source: sourceOfId.get(f.id) ?? f.id,
      reason: `${f.op} of chunk ${f.id}: ${f.status} ${f.reason}`,
    });
  summary.took_ms = Date.now() - started;
  return summary;
}

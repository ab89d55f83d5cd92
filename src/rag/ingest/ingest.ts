/**
 * Ingestion: files → extracted text → chunks → index documents, synchronised with what the
 * index already holds for each root. Per file the ingest key (file hash + chunking and loader
 * options) decides: the same key with all planned chunks present → nothing is read further or
 * written; otherwise the file is chunked again, chunks with new text are indexed, chunks whose
 * text is still there keep their document (when their metadata differs, only it is updated, so
 * their embedding stays), chunks whose text is gone are deleted. Files no longer under a root are
 * deleted. With `dedupe`, text other files hold is skipped (duplicates.ts).
 */
import type { SearchBackend } from "../../backends/types.ts";
import { badRequest, errorMessage, isLodestoneError } from "../../common/errors.ts";
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
  type IndexSetup,
  refresh,
  rootState,
} from "./index-store.ts";
import { formatOf, loadDocument, SUPPORTED_EXTENSIONS } from "./loaders/index.ts";
import { NO_TEXT } from "./loaders/json.ts";
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
  /** Whether the index was created (in a dry run: would be). */
  created_index: boolean;
  /** Fields added to an existing index's mapping (in a dry run: would be). */
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

const hashOf = (chunk: IdentifiedChunk) => chunk.doc.content_hash;

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
  const run = new IngestRun(opts, chunking, setup);
  // a file under two of the roots given (a folder and a file in it) is handled by the first
  const handled = new Set<string>();
  for (const root of opts.sources) {
    const state = setup.exists ? await rootState(opts.backend, opts.index, root.root) : new Map();
    for (const file of root.files) {
      if (!handled.has(file.source)) run.count(await run.syncFile(file, root.root, state.get(file.source)));
      handled.add(file.source);
      state.delete(file.source);
      run.fileDone(file.source);
    }
    // what is left was under this root before and is gone now (unless another root has it now)
    for (const source of state.keys()) if (!handled.has(source)) await run.deleteFile(source);
  }
  return run.finish(started);
}

/** One ingestion: the summary, the bulk writer and the duplicate bookkeeping it shares across files. */
class IngestRun {
  readonly summary: IngestSummary;
  private readonly progress: IngestProgress;
  private readonly writer: BulkWriter;
  private readonly sourceOfId = new Map<string, string>();
  private readonly duplicates: DuplicateFinder | undefined;
  /** Chunks another file held when theirs was handled: decided again at the end of the run. */
  private readonly deferred: Array<{ source: string; chunk: IdentifiedChunk }> = [];
  private readonly now = new Date().toISOString();

  constructor(
    private readonly opts: IngestOptions,
    private readonly chunking: ChunkingOptions,
    private readonly setup: IndexSetup,
  ) {
    this.summary = {
      index: opts.index,
      // in a dry run: what would be created or added
      created_index: setup.created || !setup.exists,
      added_fields: setup.added,
      roots: opts.sources.map((r) => r.root),
      dry_run: Boolean(opts.dryRun),
      files: { added: 0, changed: 0, unchanged: 0, deleted: 0, skipped: 0, failed: 0 },
      chunks: { indexed: 0, updated: 0, deleted: 0, unchanged: 0, duplicates: 0 },
      skipped: [],
      errors: [],
      took_ms: 0,
    };
    this.progress = {
      filesDone: 0,
      filesTotal: opts.sources.reduce((n, r) => n + r.files.length, 0),
      written: 0,
    };
    this.writer = new BulkWriter(opts.backend, opts.index, {
      batch: opts.batch ?? 200,
      pipeline: opts.pipeline,
      onWritten: (n) => {
        this.progress.written = n;
        this.report();
      },
    });
    // before this run, a just-created index held nothing
    const heldBefore = setup.exists && !setup.created;
    this.duplicates = opts.dedupe ? new DuplicateFinder(opts.backend, opts.index, heldBefore) : undefined;
  }

  private report(source?: string): void {
    this.opts.onProgress?.({ ...this.progress, source });
  }

  count(outcome: FileOutcome): void {
    this.summary.files[outcome]++;
  }

  fileDone(source: string): void {
    this.progress.filesDone++;
    this.report(source);
  }

  private async write(action: BulkAction, source: string): Promise<void> {
    if (this.opts.dryRun) return;
    this.sourceOfId.set(action.id, source);
    await this.writer.add(action);
  }

  private async indexChunk(source: string, chunk: IdentifiedChunk): Promise<void> {
    this.duplicates?.hold(source, hashOf(chunk));
    this.summary.chunks.indexed++;
    await this.write(
      { op: "index", id: chunk.id, doc: chunk.doc as unknown as Record<string, unknown> },
      source,
    );
  }

  private async deleteChunk(source: string, id: string, contentHash: unknown): Promise<void> {
    this.duplicates?.release(source, String(contentHash));
    this.summary.chunks.deleted++;
    await this.write({ op: "delete", id }, source);
  }

  /** The file's chunks as they should be now, or why there are none. */
  private async chunksOf(
    file: SourceFile,
    root: string,
    had: IndexedFile | undefined,
  ): Promise<IdentifiedChunk[] | FileOutcome> {
    const format = formatOf(file.name);
    if (!format) {
      this.summary.skipped.push({
        source: file.source,
        reason: `unsupported file type (ingestion reads ${SUPPORTED_EXTENSIONS.join(", ")})`,
      });
      return "skipped";
    }
    try {
      const bytes = await file.read();
      const sourceHash = sha256(bytes);
      const key = ingestKey(sourceHash, this.opts, this.chunking);
      if (isCurrent(had, key)) {
        this.summary.chunks.unchanged += had?.count ?? 0;
        return "unchanged";
      }
      const doc = await loadDocument(bytes, format, { name: file.name, ...this.opts.fields });
      const facts = {
        source: file.source,
        root,
        format,
        sourceHash,
        ingestKey: key,
        modifiedAt: file.modifiedAt,
      };
      return chunkDocuments(chunkDocument(doc, this.chunking), facts, this.now);
    } catch (err) {
      // a JSON file that is not a document collection (package.json, settings) is not an error
      if (isLodestoneError(err) && err.code === NO_TEXT) {
        this.summary.skipped.push({ source: file.source, reason: err.message });
        return "skipped";
      }
      this.summary.errors.push({ source: file.source, reason: errorMessage(err) });
      return "failed";
    }
  }

  /** Brings one file's chunks in the index up to date. */
  async syncFile(file: SourceFile, root: string, had: IndexedFile | undefined): Promise<FileOutcome> {
    const chunks = await this.chunksOf(file, root, had);
    if (!Array.isArray(chunks)) return chunks;
    const { backend, index } = this.opts;
    const existing =
      // a new file may still have chunks under another root (or from an interrupted run)
      this.setup.exists && !this.setup.created
        ? await fileChunks(backend, index, file.source, [...METADATA_FIELDS, "content_hash"])
        : new Map<string, Record<string, unknown>>();
    let writes = 0;
    const fresh: IdentifiedChunk[] = [];
    for (const chunk of chunks) {
      const stored = existing.get(chunk.id);
      existing.delete(chunk.id);
      if (!stored) fresh.push(chunk);
      else if (await this.keepChunk(file.source, chunk, stored)) writes++;
    }
    for (const [id, stored] of existing) {
      writes++;
      await this.deleteChunk(file.source, id, stored.content_hash);
    }
    const held = (await this.duplicates?.heldElsewhere(file.source, fresh.map(hashOf))) ?? new Set();
    for (const chunk of fresh) {
      if (held.has(hashOf(chunk))) this.deferred.push({ source: file.source, chunk });
      else {
        writes++;
        await this.indexChunk(file.source, chunk);
      }
    }
    if (!chunks.length) {
      this.summary.skipped.push({
        source: file.source,
        reason: "no text found (a scanned PDF has no text layer; a JSON file may need --text-field)",
      });
      return "skipped";
    }
    // (a file read again only to re-check its duplicates may have nothing to write)
    return !had ? "added" : writes ? "changed" : "unchanged";
  }

  /** A chunk whose text is still in the file: its metadata is updated when it differs. Whether it wrote. */
  private async keepChunk(source: string, chunk: IdentifiedChunk, stored: Record<string, unknown>) {
    this.duplicates?.hold(source, hashOf(chunk));
    const metadata = metadataOf(chunk);
    if (METADATA_FIELDS.every((f) => (stored[f] ?? null) === metadata[f])) {
      this.summary.chunks.unchanged++;
      return false;
    }
    this.summary.chunks.updated++;
    await this.write({ op: "update", id: chunk.id, doc: metadata }, source);
    return true;
  }

  /** A file gone from its root: all its chunks. */
  async deleteFile(source: string): Promise<void> {
    const gone = await fileChunks(this.opts.backend, this.opts.index, source, ["content_hash"]);
    for (const [id, stored] of gone) await this.deleteChunk(source, id, stored.content_hash);
    this.summary.files.deleted++;
  }

  /** A deferred duplicate whose holder was changed or deleted later in the run is indexed now. */
  private async resolveDeferred(): Promise<void> {
    const bySource = new Map<string, IdentifiedChunk[]>();
    for (const { source, chunk } of this.deferred)
      bySource.set(source, [...(bySource.get(source) ?? []), chunk]);
    for (const [source, chunks] of bySource) {
      const held = (await this.duplicates?.heldElsewhere(source, chunks.map(hashOf))) ?? new Set();
      for (const chunk of chunks) {
        if (held.has(hashOf(chunk))) this.summary.chunks.duplicates++;
        else await this.indexChunk(source, chunk);
      }
    }
  }

  async finish(started: number): Promise<IngestSummary> {
    await this.resolveDeferred();
    if (!this.opts.dryRun) {
      await this.writer.flush();
      if (this.setup.exists) await refresh(this.opts.backend, this.opts.index);
    }
    for (const f of this.writer.failures)
      this.summary.errors.push({
        source: this.sourceOfId.get(f.id) ?? f.id,
        reason: `${f.op} of chunk ${f.id}: ${f.status} ${f.reason}`,
      });
    this.summary.took_ms = Date.now() - started;
    return this.summary;
  }
}

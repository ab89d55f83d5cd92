/**
 * The fields of a chunk document and the mapping ingestion gives them. Other parts (RAG apps,
 * citations, the console) read `content`, `title`, `section`, `source` and `page`.
 */

export interface ChunkDocument {
  /** The chunk's text. */
  content: string;
  /** The document's title (a JSON record's own title). */
  title: string;
  /** Heading path "A › B" ("" above the first heading). */
  section: string;
  /** Relative path of a local file, or its oss:// URL. */
  source: string;
  /** The folder, prefix or file the source was ingested through (deletions stay inside it). */
  source_root: string;
  format: string;
  /** 1-based PDF page. */
  page?: number;
  /** A JSON record's id. */
  record?: string;
  /** 0-based position among the file's chunks. */
  chunk: number;
  /** Offsets of `content` in the text extracted from the file. */
  offset_start: number;
  offset_end: number;
  tokens: number;
  /** sha256 of the file's bytes. */
  source_hash: string;
  /** sha256 of the chunk text with whitespace runs collapsed. */
  content_hash: string;
  /** Chunks of the file as it was ingested (for detecting an interrupted ingestion). */
  source_chunks: number;
  /** The file's hash together with the chunking options: a file is re-chunked when this changes. */
  ingest_key: string;
  /** The file's modification time. */
  modified_at: string;
  /** When this chunk's text was (re)indexed. */
  ingested_at: string;
}

/** The mapping of an index ingestion creates; on an existing index the missing fields are added. */
export function chunkMapping(analyzer: string): Record<string, Record<string, unknown>> {
  const text = { type: "text", analyzer };
  const keyword = { type: "keyword" };
  const integer = { type: "integer" };
  const date = { type: "date" };
  return {
    content: text,
    title: { ...text, fields: { raw: { type: "keyword", ignore_above: 256 } } },
    section: text,
    source: keyword,
    source_root: keyword,
    format: keyword,
    page: integer,
    record: keyword,
    chunk: integer,
    offset_start: integer,
    offset_end: integer,
    tokens: integer,
    source_hash: keyword,
    content_hash: keyword,
    source_chunks: integer,
    ingest_key: keyword,
    modified_at: date,
    ingested_at: date,
  };
}

/** The metadata fields rewritten when a chunk's text is unchanged but its file changed. */
export const METADATA_FIELDS = [
  "title",
  "section",
  "source_root",
  "format",
  "page",
  "record",
  "chunk",
  "offset_start",
  "offset_end",
  "tokens",
  "source_hash",
  "source_chunks",
  "ingest_key",
  "modified_at",
] as const satisfies ReadonlyArray<keyof ChunkDocument>;

/**
 * A file's chunks as index documents with deterministic ids: the id hashes (source, JSON record,
 * normalised chunk text), so the same text of the same file (and record) always lands on the same
 * document and re-ingesting writes nothing new. Identical text twice in one file — or in one JSON
 * record — is indexed once (its first occurrence); the same text in two files or two records is
 * two documents (each is its own citation, with its own title).
 */
import type { ChunkDocument } from "./fields.ts";
import { sha256 } from "./sources.ts";
import type { Chunk, Format } from "./types.ts";

export interface FileFacts {
  source: string;
  root: string;
  format: Format;
  sourceHash: string;
  ingestKey: string;
  modifiedAt: string;
}

export interface IdentifiedChunk {
  id: string;
  doc: ChunkDocument;
}

export const normaliseChunkText = (text: string) => text.normalize("NFC").replace(/\s+/g, " ").trim();

export function chunkId(source: string, contentHash: string, record?: string): string {
  return sha256(
    record === undefined ? `${source}\n${contentHash}` : `${source}\n${record}\n${contentHash}`,
  ).slice(0, 40);
}

export function chunkDocuments(chunks: Chunk[], file: FileFacts, now: string): IdentifiedChunk[] {
  const seen = new Set<string>();
  const unique: Array<{ chunk: Chunk; hash: string; id: string }> = [];
  for (const chunk of chunks) {
    const hash = sha256(normaliseChunkText(chunk.text));
    const id = chunkId(file.source, hash, chunk.record);
    if (seen.has(id)) continue;
    seen.add(id);
    unique.push({ chunk, hash, id });
  }
  return unique.map(({ chunk, hash, id }, ordinal) => ({
    id,
    doc: {
      content: chunk.text,
      title: chunk.title,
      section: chunk.section,
      source: file.source,
      source_root: file.root,
      format: file.format,
      ...(chunk.page !== undefined && { page: chunk.page }),
      ...(chunk.record !== undefined && { record: chunk.record }),
      chunk: ordinal,
      offset_start: chunk.start,
      offset_end: chunk.end,
      tokens: chunk.tokens,
      source_hash: file.sourceHash,
      content_hash: hash,
      source_chunks: unique.length,
      ingest_key: file.ingestKey,
      modified_at: file.modifiedAt,
      ingested_at: now,
    },
  }));
}

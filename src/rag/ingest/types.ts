/** What loaders extract from a file and what the chunker makes of it. */

/** One paragraph-like unit of a document's text: the chunker packs blocks, never across groups. */
export interface Block {
  /** Offsets into the document's `text`. */
  start: number;
  end: number;
  /** Code and preformatted text is split at line ends instead of sentence ends. */
  kind: "prose" | "code";
  /** The heading path above the block (outermost first). */
  headings: string[];
  /** 1-based PDF page. */
  page?: number;
  /** A JSON record's own title, when it differs from the file's. */
  title?: string;
  /** A JSON record's id (`--id-field`, else its position). */
  record?: string;
}

export interface ExtractedDocument {
  title: string;
  /** The text the blocks point into (offsets of chunks are offsets into this). */
  text: string;
  blocks: Block[];
}

export type Format = "markdown" | "text" | "html" | "pdf" | "json";

export interface LoaderOptions {
  /** The file's name (without folders), for a title when the file has none. */
  name: string;
  /** JSON/JSONL fields (defaults: text|content|body, title|name, id|_id). */
  textField?: string;
  titleField?: string;
  idField?: string;
}

export interface Chunk {
  /** 0-based position among the document's chunks. */
  ordinal: number;
  text: string;
  start: number;
  end: number;
  tokens: number;
  title: string;
  /** Heading path joined with " › ". */
  section: string;
  page?: number;
  record?: string;
}

export interface ChunkingOptions {
  /** Most tokens per chunk (overlap included). */
  size: number;
  /** Tokens of the previous chunk of the same section repeated at the start of the next. */
  overlap: number;
}

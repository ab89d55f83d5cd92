/** The loader for a file name's extension; unknown extensions have none (skipped and reported). */
import type { ExtractedDocument, Format, LoaderOptions } from "../types.ts";
import { loadHtml } from "./html.ts";
import { loadJson } from "./json.ts";
import { loadMarkdown } from "./markdown.ts";
import { loadPdf } from "./pdf.ts";
import { loadText } from "./text.ts";

const FORMATS: Record<string, Format> = {
  ".md": "markdown",
  ".markdown": "markdown",
  ".mdx": "markdown",
  ".txt": "text",
  ".text": "text",
  ".html": "html",
  ".htm": "html",
  ".xhtml": "html",
  ".pdf": "pdf",
  ".json": "json",
  ".jsonl": "json",
  ".ndjson": "json",
};

/** Every extension a loader reads, for messages. */
export const SUPPORTED_EXTENSIONS = Object.keys(FORMATS);

const extension = (name: string) => /\.[^./]+$/.exec(name.toLowerCase())?.[0] ?? "";

export function formatOf(name: string): Format | undefined {
  return FORMATS[extension(name)];
}

/** Extracts a file's text and structure from its bytes. */
export async function loadDocument(
  bytes: Uint8Array,
  format: Format,
  opts: LoaderOptions,
): Promise<ExtractedDocument> {
  if (format === "pdf") return loadPdf(bytes, opts);
  const text = new TextDecoder("utf-8").decode(bytes);
  switch (format) {
    case "markdown":
      return loadMarkdown(text, opts);
    case "html":
      return loadHtml(text, opts);
    case "json":
      return loadJson(text, { ...opts, jsonl: extension(opts.name) !== ".json" });
    default:
      return loadText(text, opts);
  }
}

/**
 * PDF through pdfjs-dist (the legacy build, which runs on Node 20): the text of each page, its
 * lines grouped into paragraphs where the vertical gap between lines is larger than usual; each
 * paragraph is a block carrying its 1-based page number. The title is the PDF's own Title, else
 * the file name. Scanned pages (images without a text layer) give no text.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { TextBuilder } from "../text-builder.ts";
import type { ExtractedDocument, LoaderOptions } from "../types.ts";
import { titleFromName } from "./names.ts";

// pdfjs reads the 14 standard fonts' metrics from here; without it every page warns
const STANDARD_FONTS = `${
  pathToFileURL(
    path.join(
      path.dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json")),
      "standard_fonts",
    ),
  ).pathname
}/`;

/**
 * pdfjs's legacy build bundles core-js polyfills; one replaces the global JSON.stringify with a
 * version that calls a JavaScript replacer on every value (for JSON.rawJSON, which Node 20 lacks),
 * several times slower for every response the server writes. So pdfjs is loaded only when a PDF
 * is read, and the native JSON functions are put back after it loads.
 */
let pdfjsModule: Promise<typeof import("pdfjs-dist/legacy/build/pdf.mjs")> | undefined;
function loadPdfjs() {
  pdfjsModule ??= (async () => {
    const { parse, stringify } = JSON;
    const loaded = await import("pdfjs-dist/legacy/build/pdf.mjs");
    Object.assign(JSON, { parse, stringify });
    return loaded;
  })();
  return pdfjsModule;
}

/** The part of pdfjs's TextItem read here. */
interface PdfTextItem {
  str: string;
  hasEOL: boolean;
  transform: number[];
  height: number;
}

interface Line {
  text: string;
  y: number;
  height: number;
}

/** The page's lines, top to bottom as the content stream gives them. */
function pageLines(items: PdfTextItem[]): Line[] {
  const lines: Line[] = [];
  let current: Line | undefined;
  for (const item of items) {
    const y = item.transform[5] ?? 0;
    const height = item.height || Math.abs(item.transform[3] ?? 0) || 10;
    if (!current) {
      current = { text: "", y, height };
      lines.push(current);
    }
    current.text += item.str;
    current.height = Math.max(current.height, height);
    if (item.hasEOL) current = undefined;
  }
  return lines.filter((l) => l.text.trim());
}

/** Lines joined into paragraphs: a gap of more than 1.5 line heights starts a new one. */
function paragraphs(lines: Line[]): string[] {
  const out: string[] = [];
  let text = "";
  let previous: Line | undefined;
  for (const line of lines) {
    const gap = previous ? Math.abs(previous.y - line.y) : 0;
    if (previous && gap > 1.5 * Math.max(previous.height, line.height)) {
      out.push(text);
      text = "";
    }
    const piece = line.text.trim();
    // a word hyphenated across lines is joined again
    text = !text ? piece : text.endsWith("-") ? text.slice(0, -1) + piece : `${text} ${piece}`;
    previous = line;
  }
  if (text) out.push(text);
  return out;
}

export async function loadPdf(bytes: Uint8Array, opts: LoaderOptions): Promise<ExtractedDocument> {
  const pdfjs = await loadPdfjs();
  const pdf = await pdfjs.getDocument({
    // pdfjs takes ownership of (detaches) the buffer it is given
    data: new Uint8Array(bytes),
    standardFontDataUrl: STANDARD_FONTS,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
    isEvalSupported: false,
  }).promise;
  try {
    const meta = await pdf.getMetadata().catch(() => undefined);
    const info = (meta?.info ?? {}) as { Title?: unknown };
    const out = new TextBuilder();
    for (let page = 1; page <= pdf.numPages; page++) {
      const content = await (await pdf.getPage(page)).getTextContent();
      const items = content.items.flatMap((i) => ("str" in i ? [i] : []));
      for (const paragraph of paragraphs(pageLines(items)))
        out.block(paragraph.replace(/\s+/g, " "), { kind: "prose", headings: [], page });
    }
    const title = typeof info.Title === "string" ? info.Title.trim() : "";
    return { title: title || titleFromName(opts.name), text: out.text, blocks: out.blocks };
  } finally {
    await pdf.destroy();
  }
}

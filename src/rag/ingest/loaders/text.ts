/** Plain text: paragraphs are separated by blank lines; wrapped lines inside one are joined. */
import { collapseSpaces, TextBuilder } from "../text-builder.ts";
import type { ExtractedDocument, LoaderOptions } from "../types.ts";
import { titleFromName } from "./names.ts";

export function loadText(source: string, opts: LoaderOptions): ExtractedDocument {
  const out = new TextBuilder();
  for (const paragraph of source.replace(/^\uFEFF/, "").split(/\r?\n[ \t]*\r?\n/))
    out.block(collapseSpaces(paragraph).replace(/\n/g, " "), { kind: "prose", headings: [] });
  return { title: titleFromName(opts.name), text: out.text, blocks: out.blocks };
}

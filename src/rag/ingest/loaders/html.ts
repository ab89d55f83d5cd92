/**
 * HTML through htmlparser2: the title from <title> (else the first <h1>, which then stays out of
 * section paths), h1–h6 open sections, block elements (p, li, td, div, …) end paragraphs, <pre>
 * is a code block, and what a reader does not see as content is dropped (script, style, nav,
 * noscript, template, svg, head apart from the title).
 */
import { Parser } from "htmlparser2";
import { collapseSpaces, TextBuilder } from "../text-builder.ts";
import type { ExtractedDocument, LoaderOptions } from "../types.ts";
import { titleFromName } from "./names.ts";

const DROPPED = new Set(["script", "style", "nav", "noscript", "template", "svg", "head"]);
const BLOCKS = new Set([
  "p",
  "div",
  "li",
  "ul",
  "ol",
  "dl",
  "dt",
  "dd",
  "td",
  "th",
  "tr",
  "table",
  "blockquote",
  "section",
  "article",
  "main",
  "aside",
  "header",
  "footer",
  "figure",
  "figcaption",
  "caption",
  "form",
  "hr",
  "address",
]);
const HEADING = /^h([1-6])$/;

export function loadHtml(source: string, opts: LoaderOptions): ExtractedDocument {
  const out = new TextBuilder();
  const path: Array<{ depth: number; text: string }> = [];
  let title = "";
  let inTitle = false;
  let dropped = 0;
  let pre = 0;
  let heading: { depth: number; text: string } | undefined;
  let buffer = "";

  const headings = () => path.map((h) => h.text);
  const flush = () => {
    if (buffer)
      out.block(collapseSpaces(buffer).replace(/\n/g, " "), { kind: "prose", headings: headings() });
    buffer = "";
  };

  const parser = new Parser(
    {
      onopentag(name) {
        if (name === "title") inTitle = true;
        if (DROPPED.has(name)) dropped++;
        if (dropped) return;
        const h = HEADING.exec(name);
        // a line break inside a paragraph (or <pre>) is kept as one
        if (name === "br") {
          if (heading) heading.text += " ";
          else buffer += "\n";
        } else if (h) {
          flush();
          heading = { depth: Number(h[1]), text: "" };
        } else if (name === "pre") {
          flush();
          pre++;
        } else if (BLOCKS.has(name) && !heading && !pre) flush();
      },
      ontext(text) {
        if (inTitle) title += text;
        else if (dropped) return;
        else if (heading) heading.text += text;
        else buffer += text;
      },
      onclosetag(name) {
        if (name === "title") inTitle = false;
        if (DROPPED.has(name)) {
          dropped = Math.max(0, dropped - 1);
          return;
        }
        if (dropped) return;
        if (heading && HEADING.test(name)) {
          const text = collapseSpaces(heading.text).replace(/\n/g, " ").trim();
          out.heading(text);
          if (heading.depth === 1 && !title.trim() && text) title = text;
          else if (text) {
            while (path.length && (path.at(-1)?.depth ?? 0) >= heading.depth) path.pop();
            path.push({ depth: heading.depth, text });
          }
          heading = undefined;
        } else if (name === "pre" && pre) {
          out.block(buffer, { kind: "code", headings: headings() });
          buffer = "";
          pre--;
        } else if (BLOCKS.has(name) && !heading && !pre) flush();
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(source);
  parser.end();
  flush();
  return {
    title: collapseSpaces(title).replace(/\n/g, " ").trim() || titleFromName(opts.name),
    text: out.text,
    blocks: out.blocks,
  };
}

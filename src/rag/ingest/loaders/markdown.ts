/**
 * Markdown through marked's lexer: headings open sections (the first level-1 heading is the
 * title and is left out of section paths); paragraphs, list items and quotes become prose blocks
 * with inline markup reduced to its text (link text, image alt, code span text); fenced and
 * indented code, and tables (one line per row), are code blocks, split at line ends; HTML blocks
 * give their visible text (no comments or scripts); YAML front matter gives a `title:`.
 */
import { marked, type Token, type Tokens } from "marked";
import { collapseSpaces, TextBuilder } from "../text-builder.ts";
import type { ExtractedDocument, LoaderOptions } from "../types.ts";
import { loadHtml } from "./html.ts";
import { titleFromName } from "./names.ts";

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/;

/** The visible text of inline tokens. */
export function inlineText(tokens: Token[] | undefined): string {
  let out = "";
  for (const t of tokens ?? []) {
    if (t.type === "image") out += (t as Tokens.Image).text;
    else if (t.type === "br") out += "\n";
    else if (t.type === "html") continue;
    else if (t.type === "codespan") out += (t as Tokens.Codespan).text;
    else if ("tokens" in t && t.tokens) out += inlineText(t.tokens);
    else if ("text" in t) out += String(t.text);
  }
  return out;
}

export function loadMarkdown(source: string, opts: LoaderOptions): ExtractedDocument {
  let body = source.replace(/^\uFEFF/, "");
  let title = "";
  const front = FRONT_MATTER.exec(body);
  if (front) {
    title = /^title:\s*["']?(.*?)["']?\s*$/m.exec(front[1] ?? "")?.[1] ?? "";
    body = body.slice(front[0].length);
  }
  const tokens = marked.lexer(body);
  const h1 = tokens.find((t): t is Tokens.Heading => t.type === "heading" && t.depth === 1);
  const titleHeading = title ? undefined : h1;
  if (titleHeading) title = inlineText(titleHeading.tokens).trim();
  const out = new TextBuilder();
  const path: Array<{ depth: number; text: string }> = [];
  const headings = () => path.map((h) => h.text);

  const visit = (list: Token[]) => {
    for (const t of list) {
      switch (t.type) {
        case "heading": {
          const h = t as Tokens.Heading;
          const text = inlineText(h.tokens).trim();
          out.heading(text);
          if (h === titleHeading) break;
          while (path.length && (path.at(-1)?.depth ?? 0) >= h.depth) path.pop();
          path.push({ depth: h.depth, text });
          break;
        }
        case "paragraph":
        case "text":
          out.block(collapseSpaces(inlineText((t as Tokens.Paragraph).tokens ?? [t])), {
            kind: "prose",
            headings: headings(),
          });
          break;
        case "code":
          out.block((t as Tokens.Code).text, { kind: "code", headings: headings() });
          break;
        case "blockquote":
          visit((t as Tokens.Blockquote).tokens);
          break;
        case "list":
          for (const item of (t as Tokens.List).items) visit(item.tokens);
          break;
        case "table": {
          const table = t as Tokens.Table;
          const rows = [table.header, ...table.rows].map((row) =>
            row.map((cell) => inlineText(cell.tokens).trim()).join(" | "),
          );
          out.block(rows.join("\n"), { kind: "code", headings: headings() });
          break;
        }
        case "html": {
          // an HTML block's visible text (<details>, <div> wrappers); comments and scripts go
          const html = loadHtml((t as Tokens.HTML).text, opts);
          for (const b of html.blocks)
            out.block(html.text.slice(b.start, b.end), { kind: b.kind, headings: headings() });
          break;
        }
        default:
          // space, hr, def: nothing to read
          break;
      }
    }
  };
  visit(tokens);
  return { title: title || titleFromName(opts.name), text: out.text, blocks: out.blocks };
}

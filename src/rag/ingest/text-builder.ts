/**
 * Builds a loader's extracted text block by block, so offsets are known as the text grows:
 * blocks are separated by a blank line, headings are kept in the text as lines of their own
 * (they read naturally in offsets' context) but are not blocks.
 */
import type { Block } from "./types.ts";

export class TextBuilder {
  private parts: string[] = [];
  private length = 0;
  readonly blocks: Block[] = [];

  private append(text: string): number {
    if (this.length > 0) {
      this.parts.push("\n\n");
      this.length += 2;
    }
    const start = this.length;
    this.parts.push(text);
    this.length += text.length;
    return start;
  }

  heading(text: string): void {
    const clean = text.trim();
    if (clean) this.append(clean);
  }

  block(text: string, meta: Omit<Block, "start" | "end">): void {
    const clean = meta.kind === "code" ? text.replace(/^\n+|\s+$/g, "") : text.trim();
    if (!/[\p{L}\p{N}]/u.test(clean)) return;
    const start = this.append(clean);
    this.blocks.push({ ...meta, start, end: start + clean.length });
  }

  get text(): string {
    return this.parts.join("");
  }
}

/** Collapses runs of spaces and tabs (not line ends) the way a renderer shows them. */
export function collapseSpaces(text: string): string {
  return text.replace(/[ \t\f\v\u00a0]+/g, " ").replace(/ *\n */g, "\n");
}

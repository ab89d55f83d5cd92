/**
 * Character filters rewrite the text before the tokenizer sees it; tokens must still carry offsets into
 * the original text. A filter's output therefore records, per output UTF-16 unit, the span of input it
 * came from, and token offsets are mapped back through every filter, last one first.
 */
import type { Token } from "./types.ts";

/** Output text plus, per output UTF-16 unit, the span of input it came from. */
export interface Mapped {
  text: string;
  starts: Int32Array;
  ends: Int32Array;
  sourceLength: number;
}

export type MappedCharFilter = (text: string) => Mapped;

/**
 * Builds a Mapped output from left to right: input up to a replaced span is copied as is, a replaced
 * span's output units all map into that span (the last one to its end).
 */
export class MappedBuilder {
  private readonly parts: string[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Input before this offset has been copied or replaced. */
  private done = 0;

  constructor(private readonly src: string) {}

  /** Copies the input up to `to`. */
  keep(to: number): void {
    const from = this.done;
    if (to <= from) return;
    this.parts.push(this.src.slice(from, to));
    for (let i = from; i < to; i++) {
      this.starts.push(i);
      this.ends.push(i + 1);
    }
    this.done = to;
  }

  /** Copies the input up to `from`, then outputs `replacement` (may be empty) for the input `from`…`to`. */
  replace(from: number, to: number, replacement: string): void {
    this.keep(from);
    this.done = to;
    const len = replacement.length;
    if (len === 0) return;
    this.parts.push(replacement);
    const span = Math.max(0, to - from);
    for (let k = 0; k < len; k++) {
      this.starts.push(from + Math.min(k, Math.max(0, span - 1)));
      this.ends.push(k === len - 1 ? to : Math.min(from + k + 1, to));
    }
  }

  /** Copies the rest of the input. */
  build(): Mapped {
    this.keep(this.src.length);
    return {
      text: this.parts.join(""),
      starts: Int32Array.from(this.starts),
      ends: Int32Array.from(this.ends),
      sourceLength: this.src.length,
    };
  }
}

function mapStart(m: Mapped, off: number): number {
  if (off < m.starts.length) return m.starts[off] as number;
  return m.sourceLength;
}

function mapEnd(m: Mapped, off: number): number {
  if (off <= 0) return m.starts.length ? (m.starts[0] as number) : 0;
  return m.ends[Math.min(off, m.ends.length) - 1] as number;
}

/** Token offsets into the original text, through the char filters' outputs (`maps`, in filter order). */
export function correctOffsets(tokens: Token[], maps: Mapped[]): Token[] {
  if (!maps.length) return tokens;
  return tokens.map((t) => {
    let start = t.start;
    let end = t.end;
    for (let i = maps.length - 1; i >= 0; i--) {
      const m = maps[i] as Mapped;
      start = mapStart(m, start);
      end = mapEnd(m, end);
    }
    return { ...t, start, end: Math.max(start, end) };
  });
}

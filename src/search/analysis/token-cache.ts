/**
 * A bounded memo from a raw ASCII token, given as a span of the text it was scanned from, to what
 * an analyzer makes of it (its final term, or null when a filter drops it). Looking a span up
 * hashes its chars in place, so a frequent word costs neither a substring nor a JS string hash:
 * on corpora, most tokens are hits (Zipf). Keys live in a byte pool, not as strings, so nothing
 * here keeps the scanned texts alive.
 */
import type { TermKeys } from "./types.ts";

const SLOT_BITS = 18;
/** Entries before the cache starts over (half the slots: short probe runs). */
const MAX_ENTRIES = 1 << (SLOT_BITS - 1);

export class TokenCache implements TermKeys {
  readonly size = MAX_ENTRIES;
  /** Bumped whenever the cache starts over (entry numbers are then reused). */
  epoch = 0;
  /** Open addressing, two ints a slot: the key's hash and its entry + 1 (0 = empty), one cache line. */
  private readonly slots = new Int32Array(2 << SLOT_BITS);
  private readonly keyStart = new Int32Array(MAX_ENTRIES + 1);
  private pool = new Uint8Array(1 << 20);
  private values: (string | null)[] = [];

  /** `compute` gets the token as a string of its own; its result is memoised. */
  constructor(private readonly compute: (token: string) => string | null) {}

  /** The analyzer's output for text[start, end); the text must be pure ASCII. */
  get(text: string, start: number, end: number): string | null {
    const e = this.entry(text, start, end); // first: a miss may start the cache over
    return this.values[e] as string | null;
  }

  /** The output of entry `e` (from `entry`). */
  value(e: number): string | null {
    return this.values[e] as string | null;
  }

  /** The entry number of text[start, end) (computed and added when missing); below `size`. */
  entry(text: string, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    const mask = (1 << SLOT_BITS) - 1;
    const len = end - start;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = (this.slots[2 * s + 1] as number) - 1;
      if (e < 0) return this.add(s, h, text, start, end);
      if (this.slots[2 * s] !== h) continue;
      const from = this.keyStart[e] as number;
      if ((this.keyStart[e + 1] as number) - from !== len) continue;
      let i = 0;
      while (i < len && this.pool[from + i] === text.charCodeAt(start + i)) i++;
      if (i === len) return e;
    }
  }

  private add(slot: number, h: number, text: string, start: number, end: number): number {
    // a fresh string: a slice could share (and so keep alive) the whole scanned text
    const token = Buffer.from(text.slice(start, end), "latin1").toString("latin1");
    const value = this.compute(token);
    let e = this.values.length;
    if (e === MAX_ENTRIES) {
      this.clear();
      e = 0;
      slot = h & ((1 << SLOT_BITS) - 1);
    }
    const from = this.keyStart[e] as number;
    if (from + token.length > this.pool.length) {
      const next = new Uint8Array(Math.max(this.pool.length * 2, from + token.length));
      next.set(this.pool);
      this.pool = next;
    }
    for (let i = 0; i < token.length; i++) this.pool[from + i] = token.charCodeAt(i);
    this.keyStart[e + 1] = from + token.length;
    this.values.push(value);
    this.slots[2 * slot] = h;
    this.slots[2 * slot + 1] = e + 1;
    return e;
  }

  private clear(): void {
    this.slots.fill(0);
    this.values = [];
    this.epoch++;
  }
}

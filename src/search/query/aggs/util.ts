/** Small value helpers shared by the aggregation modules. */

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A request value that was left out (`undefined`) or sent as JSON `null`: both mean "not set". */
export function isAbsent(v: unknown): v is undefined | null {
  return v === undefined || v === null;
}

/** A number sent as a JSON string ("12", " 1.5") becomes a number; anything else is returned as is. */
export function toNumber(v: unknown): unknown {
  return typeof v === "string" && v.trim() !== "" ? Number(v) : v;
}

/** Escapes text for use as a literal inside a RegExp. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** UTF-8 byte order (= code point order), as Lucene compares BytesRefs. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      const sa = ca >= 0xd800 && ca <= 0xdfff;
      const sb = cb >= 0xd800 && cb <= 0xdfff;
      if (sa !== sb) return sa ? 1 : -1;
      return ca - cb;
    }
  }
  return a.length - b.length;
}

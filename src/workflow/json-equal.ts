/** Structural equality of JSON values, ignoring key order (what a stored definition is compared by). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

export const jsonEqual = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

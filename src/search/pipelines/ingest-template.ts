/**
 * Mustache-style templates in processor settings (`"value": "{{first}} {{last}}"`,
 * `"field": "{{service}}"`, `{{_ingest.timestamp}}`), as OpenSearch's ingest templates use them:
 * variable tags `{{name}}`, `{{{name}}}` and `{{&name}}` with dotted paths. Values are inserted
 * unescaped; sections and partials are not supported (they need a script engine).
 */

/** Looks a dotted name up in the document; undefined when absent. */
export type TemplateLookup = (name: string) => unknown;

export type Template = (lookup: TemplateLookup) => string;

const TAG = /\{\{\{\s*([^}]+?)\s*\}\}\}|\{\{\s*&?\s*([^}#^/!>]+?)\s*\}\}/g;

export function hasTemplate(text: string): boolean {
  return text.includes("{{");
}

/** Compiles a template; text without tags becomes a constant. */
export function compileTemplate(text: string): Template {
  if (!hasTemplate(text)) return () => text;
  const parts: Array<string | { name: string }> = [];
  let last = 0;
  for (const m of text.matchAll(TAG)) {
    parts.push(text.slice(last, m.index));
    parts.push({ name: (m[1] ?? m[2]) as string });
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return (lookup) => parts.map((p) => (typeof p === "string" ? p : templateText(lookup(p.name)))).join("");
}

function templateText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A setting's value with templates in every string inside it (set's and append's `value`). */
export type ValueSource = (lookup: TemplateLookup) => unknown;

export function compileValue(value: unknown): ValueSource {
  if (typeof value === "string") return compileTemplate(value);
  if (Array.isArray(value)) {
    const items = value.map(compileValue);
    return (lookup) => items.map((item) => item(lookup));
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => [compileTemplate(k), compileValue(v)] as const);
    return (lookup) => Object.fromEntries(entries.map(([k, v]) => [k(lookup), v(lookup)]));
  }
  return () => value;
}

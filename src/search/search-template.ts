/**
 * Search templates (`lang: "mustache"`) rendered as Elasticsearch renders them into a JSON search
 * body: `{{name}}` inserts a value escaped for a JSON string, `{{{name}}}` and `{{&name}}` insert
 * it as is, `{{#toJson}}name{{/toJson}}` inserts it as JSON, `{{#join}}name{{/join}}` joins an
 * array with commas (or `{{#join delimiter='…'}}`), and `{{#name}}…{{/name}}` / `{{^name}}…{{/name}}`
 * are mustache sections (shown when the value is set, once per array item with `{{.}}`, or when
 * it is not). Names are dotted paths into the parameters. An object inserted by `{{name}}` is
 * written as JSON (Elasticsearch writes Java's `toString()`, which no JSON body can use).
 */
import { illegalArgument } from "./errors.ts";

type Node =
  | string
  | { kind: "var"; name: string; escape: boolean }
  | { kind: "section"; name: string; inverted: boolean; children: Node[]; raw: string };

const TAG = /\{\{\{\s*([\s\S]+?)\s*\}\}\}|\{\{\s*([#^/&!]?)\s*([\s\S]*?)\s*\}\}/g;
const JOIN = /^join(?:\s+delimiter='([^']*)')?$/;

interface Open {
  name: string;
  inverted: boolean;
  children: Node[];
  /** Where the section's inner text starts. */
  start: number;
}

function parse(source: string): Node[] {
  const root: Node[] = [];
  const stack: Open[] = [];
  const current = () => stack.at(-1)?.children ?? root;
  let last = 0;
  for (const m of source.matchAll(TAG)) {
    if (m.index > last) current().push(source.slice(last, m.index));
    last = m.index + m[0].length;
    const [, triple, sigil, name = ""] = m;
    if (triple !== undefined) current().push({ kind: "var", name: triple, escape: false });
    else if (sigil === "!") continue;
    else if (sigil === "#" || sigil === "^")
      stack.push({ name, inverted: sigil === "^", children: [], start: last });
    else if (sigil === "/") {
      const open = stack.pop();
      if (open?.name !== name)
        throw illegalArgument(
          `search template: {{/${name}}} closes ${open ? `{{#${open.name}}}` : "no open section"}`,
        );
      current().push({
        kind: "section",
        name: open.name,
        inverted: open.inverted,
        children: open.children,
        raw: source.slice(open.start, m.index),
      });
    } else current().push({ kind: "var", name, escape: sigil !== "&" });
  }
  const unclosed = stack.at(-1);
  if (unclosed) throw illegalArgument(`search template: section {{#${unclosed.name}}} is not closed`);
  if (last < source.length) current().push(source.slice(last));
  return root;
}

/** A dotted name looked up from the innermost context out; `.` is the innermost context itself. */
function lookup(contexts: readonly unknown[], name: string): unknown {
  if (name === ".") return contexts.at(-1);
  const [head, ...rest] = name.split(".") as [string, ...string[]];
  for (let i = contexts.length - 1; i >= 0; i--) {
    const ctx = contexts[i];
    if (typeof ctx === "object" && ctx !== null && head in ctx) {
      let value: unknown = (ctx as Record<string, unknown>)[head];
      for (const part of rest)
        value =
          typeof value === "object" && value !== null ? (value as Record<string, unknown>)[part] : undefined;
      return value;
    }
  }
  return undefined;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

const jsonEscape = (s: string) => JSON.stringify(s).slice(1, -1);

function falsy(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === false ||
    value === "" ||
    (Array.isArray(value) && value.length === 0)
  );
}

function render(nodes: readonly Node[], contexts: unknown[]): string {
  let out = "";
  for (const node of nodes) {
    if (typeof node === "string") out += node;
    else if (node.kind === "var") {
      const value = text(lookup(contexts, node.name));
      out += node.escape ? jsonEscape(value) : value;
    } else if (node.name === "toJson" && !node.inverted) {
      out += JSON.stringify(lookup(contexts, node.raw.trim()) ?? null);
    } else if (JOIN.test(node.name) && !node.inverted) {
      const delimiter = JOIN.exec(node.name)?.[1] ?? ",";
      const value = lookup(contexts, node.raw.trim());
      out += Array.isArray(value) ? value.map(text).join(delimiter) : text(value);
    } else {
      const value = lookup(contexts, node.name);
      if (node.inverted) {
        if (falsy(value)) out += render(node.children, contexts);
      } else if (Array.isArray(value)) {
        for (const item of value) out += render(node.children, [...contexts, item]);
      } else if (!falsy(value)) out += render(node.children, [...contexts, value]);
    }
  }
  return out;
}

/** A compiled template: renders the search body text for a set of parameters. */
export type SearchTemplate = (params: Record<string, unknown>) => string;

/** Compiles a template source; an unbalanced section is a 400. */
export function compileSearchTemplate(source: string): SearchTemplate {
  const nodes = parse(source);
  return (params) => render(nodes, [params]);
}

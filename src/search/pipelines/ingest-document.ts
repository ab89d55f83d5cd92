/**
 * The document a pipeline works on, as OpenSearch's IngestDocument: one map holding the source
 * fields and the metadata fields (`_index`, `_id`, `_routing`), plus the ingest metadata
 * (`_ingest.timestamp`, and `_ingest.on_failure_*` inside on_failure handlers). Fields are
 * addressed by dotted paths (`a.b`, list elements by number `a.0`, `_source.a`, `_ingest.x`), with
 * OpenSearch's error messages.
 */
import { illegalArgument } from "../errors.ts";
import { isObject } from "../mapping.ts";
import type { TemplateLookup } from "./ingest-template.ts";
import { javaType } from "./processor-config.ts";

export const METADATA_FIELDS = ["_index", "_id", "_routing"] as const;

type Container = Record<string, unknown> | unknown[];

export interface IngestMetadata {
  index: string;
  id?: string;
  routing?: string;
}

export class IngestDocument {
  /** Source fields and metadata fields in one map, as pipelines see them. */
  readonly data: Record<string, unknown>;
  readonly ingest: Record<string, unknown>;

  constructor(source: Record<string, unknown>, meta: IngestMetadata, timestamp = new Date()) {
    this.data = source;
    this.data._index = meta.index;
    if (meta.id !== undefined) this.data._id = meta.id;
    if (meta.routing !== undefined) this.data._routing = meta.routing;
    this.ingest = { timestamp: timestamp.toISOString() };
  }

  get index(): string {
    return String(this.data._index ?? "");
  }

  get id(): string | undefined {
    const id = this.data._id;
    return id === undefined || id === null ? undefined : String(id);
  }

  /** The source as it will be stored: everything but the metadata fields. */
  source(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.data))
      if (!(METADATA_FIELDS as readonly string[]).includes(k)) out[k] = v;
    return out;
  }

  /** The document as `_simulate` shows it (metadata, `_source`, `_ingest`), copied. */
  view(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of METADATA_FIELDS)
      if (this.data[k] !== undefined && this.data[k] !== null) out[k] = String(this.data[k]);
    out._source = structuredClone(this.source());
    out._ingest = structuredClone(this.ingest);
    return out;
  }

  /** What templates see: fields by dotted path, `_source.x` and `_ingest.x` included. */
  readonly lookup: TemplateLookup = (name) => {
    try {
      return this.has(name) ? this.get(name) : undefined;
    } catch {
      return undefined;
    }
  };

  private root(path: string): { context: Record<string, unknown>; elements: string[] } {
    if (!path) throw illegalArgument("path cannot be null nor empty");
    let rest = path;
    let context = this.data;
    if (path.startsWith("_ingest.")) {
      context = this.ingest;
      rest = path.slice(8);
    } else if (path.startsWith("_source.")) rest = path.slice(8);
    const elements = rest.split(".");
    if (elements.some((e) => e === "")) throw illegalArgument(`path [${path}] is not valid`);
    return { context, elements };
  }

  has(path: string, failOutOfRange = false): boolean {
    const { context, elements } = this.root(path);
    let node: unknown = context;
    for (const el of elements) {
      if (isObject(node)) {
        if (!Object.hasOwn(node, el)) return false;
        node = node[el];
      } else if (Array.isArray(node)) {
        const i = listIndex(el);
        if (i === undefined) return false;
        if (i < 0 || i >= node.length) {
          if (failOutOfRange)
            throw illegalArgument(
              `[${i}] is out of bounds for array with length [${node.length}] as part of path [${path}]`,
            );
          return false;
        }
        node = node[i];
      } else return false;
    }
    return true;
  }

  /** The value at `path`; a missing field is an error naming it. */
  get(path: string): unknown {
    const { context, elements } = this.root(path);
    let node: unknown = context;
    for (const el of elements) node = resolve(node, el, path);
    return node;
  }

  /** The value, or undefined when absent and `ignoreMissing` (OpenSearch's getFieldValue). */
  getOptional(path: string, ignoreMissing: boolean): unknown {
    if (ignoreMissing && !this.has(path)) return undefined;
    return this.get(path);
  }

  set(path: string, value: unknown): void {
    this.write(path, value, false, true);
  }

  /** Appends to a list field, creating it, or turning a single value into a list. */
  append(path: string, value: unknown, allowDuplicates = true): void {
    this.write(path, value, true, allowDuplicates);
  }

  remove(path: string): void {
    const { context, elements } = this.root(path);
    const leaf = elements.at(-1) as string;
    let node: unknown = context;
    for (const el of elements.slice(0, -1)) node = resolve(node, el, path);
    if (isObject(node)) {
      if (!Object.hasOwn(node, leaf))
        throw illegalArgument(`field [${leaf}] not present as part of path [${path}]`);
      delete node[leaf];
    } else if (Array.isArray(node)) {
      const i = checkedIndex(node, leaf, path);
      node.splice(i, 1);
    } else
      throw illegalArgument(
        `cannot remove [${leaf}] from object of type [${javaType(node)}] as part of path [${path}]`,
      );
  }

  private write(path: string, value: unknown, append: boolean, allowDuplicates: boolean): void {
    const { context, elements } = this.root(path);
    const leaf = elements.at(-1) as string;
    let node: Container = context;
    for (let k = 0; k < elements.length - 1; k++) {
      const el = elements[k] as string;
      const child = elements[k + 1] as string;
      if (isObject(node)) {
        if (!Object.hasOwn(node, el) || node[el] === undefined) node[el] = {};
        node = containerOrFail(node[el], child, path);
      } else node = containerOrFail(node[checkedIndex(node, el, path)], child, path);
    }
    if (isObject(node)) {
      if (!append) node[leaf] = value;
      else node[leaf] = appendValues(Object.hasOwn(node, leaf) ? node[leaf] : [], value, allowDuplicates);
    } else {
      const i = checkedIndex(node, leaf, path);
      node[i] = append ? appendValues(node[i], value, allowDuplicates) : value;
    }
  }
}

function containerOrFail(value: unknown, child: string, path: string): Container {
  if (isObject(value) || Array.isArray(value)) return value;
  if (value === null)
    throw illegalArgument(`cannot set [${child}] with null parent as part of path [${path}]`);
  throw illegalArgument(
    `cannot set [${child}] with parent object of type [${javaType(value)}] as part of path [${path}]`,
  );
}

function listIndex(el: string): number | undefined {
  return /^-?\d+$/.test(el) ? Number(el) : undefined;
}

function checkedIndex(list: unknown[], el: string, path: string): number {
  const i = listIndex(el);
  if (i === undefined)
    throw illegalArgument(`[${el}] is not an integer, cannot be used as an index as part of path [${path}]`);
  if (i < 0 || i >= list.length)
    throw illegalArgument(
      `[${i}] is out of bounds for array with length [${list.length}] as part of path [${path}]`,
    );
  return i;
}

function resolve(node: unknown, el: string, path: string): unknown {
  if (node === null || node === undefined)
    throw illegalArgument(`cannot resolve [${el}] from null as part of path [${path}]`);
  if (isObject(node)) {
    if (!Object.hasOwn(node, el))
      throw illegalArgument(`field [${el}] not present as part of path [${path}]`);
    return node[el];
  }
  if (Array.isArray(node)) return node[checkedIndex(node, el, path)];
  throw illegalArgument(
    `cannot resolve [${el}] from object of type [${javaType(node)}] as part of path [${path}]`,
  );
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === "object" && JSON.stringify(a) === JSON.stringify(b));
}

function appendValues(existing: unknown, value: unknown, allowDuplicates: boolean): unknown[] {
  const list = Array.isArray(existing) ? existing : [existing];
  const values = Array.isArray(value) ? value : [value];
  for (const v of values) if (allowDuplicates || !list.some((x) => sameValue(x, v))) list.push(v);
  return list;
}

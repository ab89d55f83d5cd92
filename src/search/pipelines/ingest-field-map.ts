/**
 * The `field_map` of the neural-search processors (text_embedding, text_chunking): source field →
 * target field, with nested objects mapped by nested maps (`{"passage": {"text": "embedding"}}`),
 * and the checks of the document's values OpenSearch makes before it processes them.
 */
import { illegalArgument } from "../errors.ts";
import { isObject } from "../mapping.ts";
import type { ProcessorConfig } from "./processor-config.ts";

export interface FieldMap {
  [source: string]: string | FieldMap;
}

/** OpenSearch's default `index.mapping.depth.limit`. */
const MAX_DEPTH = 20;

/** Reads and checks a field_map; `dottedKeys` turns `a.b` keys into nested maps (text_embedding does). */
export function readFieldMap(cfg: ProcessorConfig, dottedKeys: boolean): FieldMap {
  const raw = cfg.plainMap("field_map");
  const invalid = () =>
    cfg.error(undefined, "Unable to create the processor as field_map has invalid key or value");
  if (!Object.keys(raw).length) throw invalid();
  const walk = (map: Record<string, unknown>): FieldMap => {
    const out: FieldMap = {};
    for (const [key, value] of Object.entries(map)) {
      if (!key.trim()) throw invalid();
      let target: string | FieldMap;
      if (typeof value === "string" && value.trim()) target = value;
      else if (isObject(value) && Object.keys(value).length) target = walk(value);
      else throw invalid();
      const dot = dottedKeys ? key.indexOf(".") : -1;
      if (dot > 0) mergeInto(out, key.slice(0, dot), walk({ [key.slice(dot + 1)]: target }));
      else if (typeof target !== "string" && isObject(out[key])) mergeInto(out, key, target);
      else out[key] = target;
    }
    return out;
  };
  return walk(raw);
}

function mergeInto(out: FieldMap, key: string, nested: FieldMap): void {
  const existing = out[key];
  out[key] = isObject(existing) ? { ...existing, ...nested } : nested;
}

/** Checks the document's values for a field map: strings, lists of strings or nested objects only. */
export function checkFieldValues(
  data: Record<string, unknown>,
  fieldMap: FieldMap,
  allowEmpty: boolean,
): void {
  checkMap("field_map", data, fieldMap, 1, allowEmpty);
}

function checkDepth(key: string, depth: number): void {
  if (depth > MAX_DEPTH)
    throw illegalArgument(`map type field [${key}] reaches max depth limit, cannot process it`);
}

function checkMap(
  sourceKey: string,
  value: Record<string, unknown>,
  fieldMap: string | FieldMap | undefined,
  depth: number,
  allowEmpty: boolean,
): void {
  checkDepth(sourceKey, depth);
  if (!isObject(fieldMap))
    throw illegalArgument(
      `[${sourceKey}] configuration doesn't match actual value type, configuration type is: java.lang.String, actual value type is: java.util.LinkedHashMap`,
    );
  for (const [key, next] of Object.entries(fieldMap)) {
    const v = value[key];
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) checkList(key, v, fieldMap, depth + 1, allowEmpty);
    else if (isObject(v)) checkMap(key, v, next, depth + 1, allowEmpty);
    else if (typeof v !== "string")
      throw illegalArgument(`map type field [${key}] is neither string nor nested type, cannot process it`);
    else if (!allowEmpty && !v.trim())
      throw illegalArgument(`map type field [${key}] has empty string value, cannot process it`);
  }
}

function checkList(
  key: string,
  list: unknown[],
  fieldMap: FieldMap,
  depth: number,
  allowEmpty: boolean,
): void {
  checkDepth(key, depth);
  for (const element of list) {
    if (element === null || element === undefined)
      throw illegalArgument(`list type field [${key}] has null, cannot process it`);
    if (Array.isArray(element))
      throw illegalArgument(`list type field [${key}] is nested list type, cannot process it`);
    if (isObject(element)) checkMap(key, element, fieldMap[key], depth + 1, allowEmpty);
    else if (typeof element !== "string")
      throw illegalArgument(`list type field [${key}] has non string value, cannot process it`);
    else if (!allowEmpty && !element.trim())
      throw illegalArgument(`list type field [${key}] has empty string, cannot process it`);
  }
}

/** The dotted paths of a field map's targets (`{"a": {"b": "t"}}` → `a.t`). */
export function targetPaths(fieldMap: FieldMap, prefix = ""): string[] {
  return Object.entries(fieldMap).flatMap(([key, target]) =>
    typeof target === "string" ? [`${prefix}${target}`] : targetPaths(target, `${prefix}${key}.`),
  );
}

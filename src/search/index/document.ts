/**
 * Turns a JSON source document into what the segment builder indexes, following the mapping:
 * text through its analyzer (positions, lengths for norms), keyword/boolean as exact terms plus
 * ordinals, numbers and dates as doc values, knn vectors as float arrays. Also finds the fields a
 * document would add to the mapping (dynamic mapping) before anything is indexed.
 */
import type { Analyzer, TermKeys, TermSink } from "../analysis/types.ts";
import { EngineError, mapperParsing } from "../errors.ts";
import { dynamicFieldFor, type FieldMapping, isObject, type Mapping, NUMERIC_TYPES } from "../mapping.ts";
import { parseDate } from "./dates.ts";
import type { AnalyzedDoc, AnalyzedField } from "./segment-builder.ts";

export interface DocumentContext {
  mapping: Mapping;
  analyzer(name: string): Analyzer;
  discountOverlaps(field: FieldMapping): boolean;
}

/** The properties a document would add to the mapping, or undefined; throws for strict mappings. */
export function dynamicMappingUpdate(
  source: Record<string, unknown>,
  mapping: Mapping,
): Record<string, unknown> | undefined {
  const update: Record<string, unknown> = {};
  let changed = false;
  const walk = (obj: Record<string, unknown>, prefix: string, target: Record<string, unknown>) => {
    for (const [key, raw] of Object.entries(obj)) {
      const path = prefix + key;
      const value = Array.isArray(raw) ? raw.find((v) => v !== null) : raw;
      if (value === undefined || value === null) continue;
      const known = mapping.fields.get(path);
      if (isObject(value) && !known) {
        if (!mapping.objects.has(path)) {
          if (!allowNew(mapping, prefix, path)) continue;
          const obj: Record<string, unknown> = { properties: {} };
          target[key] = obj;
          changed = true;
          walk(value, `${path}.`, obj.properties as Record<string, unknown>);
        } else {
          const obj: Record<string, unknown> = { properties: {} };
          walk(value, `${path}.`, obj.properties as Record<string, unknown>);
          if (Object.keys(obj.properties as object).length) target[key] = obj;
        }
        continue;
      }
      if (known || mapping.objects.has(path)) continue;
      if (!allowNew(mapping, prefix, path)) continue;
      const def = dynamicFieldFor(value, path);
      if (!def) continue;
      if (def.type === "object") continue;
      target[key] = def;
      changed = true;
    }
  };
  walk(source, "", update);
  return changed ? { properties: update } : undefined;
}

function allowNew(mapping: Mapping, prefix: string, path: string): boolean {
  const objectPath = prefix.endsWith(".") ? prefix.slice(0, -1) : prefix;
  const mode = mapping.dynamicAt(objectPath);
  if (mode === "strict") {
    const field = path.slice(prefix.length);
    throw new EngineError(
      400,
      "strict_dynamic_mapping_exception",
      `mapping set to strict, dynamic introduction of [${field}] within [${objectPath || "_doc"}] is not allowed`,
    );
  }
  return mode === true;
}

/** Collects values per mapped leaf path (arrays flattened, dotted keys honoured). */
export function collectValues(source: Record<string, unknown>, mapping: Mapping): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  const push = (path: string, value: unknown) => {
    let list = out.get(path);
    if (!list) out.set(path, (list = []));
    list.push(value);
  };
  const visit = (value: unknown, path: string) => {
    if (value === null || value === undefined) {
      const field = mapping.fields.get(path);
      if (field?.nullValue !== undefined) push(path, field.nullValue);
      return;
    }
    const field = mapping.fields.get(path);
    if (Array.isArray(value)) {
      if (field?.type === "knn_vector") push(path, value);
      else for (const v of value) visit(v, path);
      return;
    }
    if (isObject(value)) {
      if (field) {
        throw mapperParsing(
          `failed to parse field [${path}] of type [${field.type}]: expected a ${field.type} value but found an object`,
        );
      }
      for (const [k, v] of Object.entries(value)) visit(v, `${path}.${k}`);
      return;
    }
    if (field) push(path, value);
  };
  for (const [k, v] of Object.entries(source)) visit(v, k);
  // multi-fields and copy_to receive their source field's values
  for (const field of mapping.fields.values()) {
    if (field.parent) {
      const vals = out.get(field.parent);
      if (vals) out.set(field.path, vals);
    }
  }
  for (const field of mapping.fields.values()) {
    const copyTo = field.raw.copy_to;
    const vals = out.get(field.path);
    if (!copyTo || !vals) continue;
    for (const target of Array.isArray(copyTo) ? copyTo : [copyTo]) {
      if (!mapping.fields.has(String(target))) {
        throw mapperParsing(`copy_to target [${String(target)}] of field [${field.path}] is not mapped`);
      }
      out.set(String(target), [...(out.get(String(target)) ?? []), ...vals]);
    }
  }
  return out;
}

export function analyzeDocument(
  id: string,
  seqNo: number,
  version: number,
  source: Record<string, unknown>,
  ctx: DocumentContext,
): AnalyzedDoc {
  const doc: AnalyzedDoc = { id, seqNo, version, inverted: [], ordinals: [], numerics: [], vectors: [] };
  const values = collectValues(source, ctx.mapping);
  for (const [path, vals] of values) {
    const field = ctx.mapping.fields.get(path);
    if (!field) continue;
    const fail = (v: unknown, expected: string) =>
      mapperParsing(
        `failed to parse field [${path}] of type [${field.type}] in document with id '${id}'. Preview of field's value: '${preview(v)}' (expected ${expected})`,
      );
    switch (field.type) {
      case "text": {
        if (!field.index) break;
        const analyzer = ctx.analyzer(field.analyzer);
        doc.inverted.push(
          analyzeText(
            field,
            vals.map((v) => textValue(v, fail)),
            analyzer,
            ctx.discountOverlaps(field),
          ),
        );
        break;
      }
      case "keyword": {
        const kept: string[] = [];
        for (const v of vals) {
          const s = textValue(v, fail);
          if (field.ignoreAbove !== undefined && s.length > field.ignoreAbove) continue;
          kept.push(field.normalizer ? normalize(s, ctx.analyzer(field.normalizer)) : s);
        }
        if (!kept.length) break;
        if (field.index) doc.inverted.push(exactTerms(path, kept));
        doc.ordinals.push({ field: path, values: kept });
        break;
      }
      case "boolean": {
        const kept = vals.map((v) => String(booleanValue(v, fail)));
        if (field.index) doc.inverted.push(exactTerms(path, kept));
        doc.ordinals.push({ field: path, values: kept });
        break;
      }
      case "date": {
        doc.numerics.push({ field: path, values: vals.map((v) => dateValue(v, field, fail)) });
        break;
      }
      case "knn_vector": {
        if (vals.length !== 1) throw fail(vals, "a single vector");
        const vector = vals[0];
        if (
          !Array.isArray(vector) ||
          vector.some((x) => typeof x !== "number" || !Number.isFinite(Math.fround(x)))
        ) {
          throw fail(vector, `an array of ${field.dimension} finite float numbers`);
        }
        if (vector.length !== field.dimension) {
          throw mapperParsing(
            `Vector dimension mismatch. Expected: ${field.dimension}, Given: ${vector.length} (field [${path}] in document with id '${id}')`,
          );
        }
        if (field.knn?.spaceType === "cosinesimil" && vector.every((x) => x === 0))
          throw mapperParsing(
            `zero vector is not supported when space type is [cosinesimil] (field [${path}] in document with id '${id}')`,
          );
        doc.vectors.push({ field: path, vector: Float32Array.from(vector) });
        break;
      }
      default: {
        if (NUMERIC_TYPES.has(field.type))
          doc.numerics.push({ field: path, values: vals.map((v) => numericValue(v, field, fail)) });
      }
    }
  }
  return doc;
}

function analyzeText(
  field: FieldMapping,
  texts: string[],
  analyzer: Analyzer,
  discountOverlaps: boolean,
): AnalyzedField {
  const out = new FieldTerms(field.path, field.norms, discountOverlaps);
  for (let v = 0; v < texts.length; v++) {
    if (v > 0) out.nextValue(field.positionIncrementGap);
    const text = texts[v] as string;
    if (analyzer.indexTerms) analyzer.indexTerms(text, out);
    else for (const t of analyzer.analyze(text)) out.push(t.term, t.position, -1, undefined);
  }
  return out;
}

/** A text field's tokens as the analyzer hands them over: flat lists, plus memo keys when it has them. */
class FieldTerms implements AnalyzedField, TermSink {
  readonly terms: string[] = [];
  readonly positions: number[] = [];
  keys: AnalyzedField["keys"];
  length = 0;
  private base = 0;
  private prev = -1;
  private last = -1;
  private keyed = true;

  constructor(
    readonly field: string,
    readonly norms: boolean,
    private readonly discountOverlaps: boolean,
  ) {}

  /** The next value of a multi-valued field starts `gap` positions after the last token. */
  nextValue(gap: number): void {
    this.base = this.last + gap + 1;
    this.prev = -1;
  }

  push(term: string, position: number, key: number, keys: TermKeys | undefined): void {
    if (!(this.discountOverlaps && position === this.prev)) this.length++;
    this.prev = position;
    this.last = this.base + position;
    this.terms.push(term);
    this.positions.push(this.last);
    if (!this.keyed) return;
    // keys are usable only if every token has one from the same memo epoch
    const own = this.keys;
    if (key < 0 || !keys || (own && (own.space !== keys || own.epoch !== keys.epoch))) {
      this.keyed = false;
      this.keys = undefined;
      return;
    }
    if (own) own.of.push(key);
    else this.keys = { space: keys, epoch: keys.epoch, of: [key] };
  }
}

function exactTerms(field: string, values: string[]): AnalyzedField {
  const terms = [...new Set(values)];
  return { field, terms, positions: undefined, length: terms.length, norms: false };
}

function normalize(value: string, analyzer: Analyzer): string {
  return analyzer
    .analyze(value)
    .map((t) => t.term)
    .join("");
}

function textValue(v: unknown, fail: (v: unknown, expected: string) => Error): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw fail(v, "a string");
}

function booleanValue(v: unknown, fail: (v: unknown, expected: string) => Error): boolean {
  if (v === true || v === "true") return true;
  if (v === false || v === "false" || v === "") return false;
  throw fail(v, "true or false");
}

const INT_RANGES: Record<string, [number, number]> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  integer: [-(2 ** 31), 2 ** 31 - 1],
  long: [-(2 ** 63), 2 ** 63 - 1],
  unsigned_long: [0, 2 ** 64 - 1],
};

function numericValue(
  v: unknown,
  field: FieldMapping,
  fail: (v: unknown, expected: string) => Error,
): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) throw fail(v, "a number");
  const range = INT_RANGES[field.type];
  if (range) {
    const t = Math.trunc(n);
    if (t < range[0] || t > range[1]) throw fail(v, `a value in [${range[0]}, ${range[1]}]`);
    return t;
  }
  if (field.type === "scaled_float" && field.scalingFactor)
    return Math.round(n * field.scalingFactor) / field.scalingFactor;
  if (field.type === "float" || field.type === "half_float") return Math.fround(n);
  return n;
}

function dateValue(v: unknown, field: FieldMapping, fail: (v: unknown, expected: string) => Error): number {
  const ms = parseDate(v, field.format);
  if (ms === undefined)
    throw fail(v, `a date in format [${field.format ?? "strict_date_optional_time||epoch_millis"}]`);
  return ms;
}

function preview(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

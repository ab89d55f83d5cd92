/**
 * Values sources: resolving an aggregation's `field` against the mapping, reading per-doc values
 * (with the `missing` substitute), and parsing request values (missing, include, bounds, ranges) the
 * way the field's type reads them.
 */
import { compileDateFormat, DEFAULT_DATE_FORMAT } from "../../dates/format.ts";
import { parseDateExpression } from "../../dates/math.ts";
import { UTC, type Zone } from "../../dates/zone.ts";
import { AggregationError, type AggSpec, type Env } from "./core.ts";
import { dateErrors } from "./dates.ts";
import { decimalFormatter, type Formatter } from "./format.ts";
import { paramError, strParam } from "./parse.ts";
import { isAbsent, toNumber } from "./util.ts";

export type SourceKind = "keyword" | "boolean" | "number" | "date" | "unmapped";

export interface Source {
  field: string;
  kind: SourceKind;
  /** Mapping type, for error messages. */
  mappingType: string | undefined;
  /** Whole-number field types (long, integer …). */
  integral: boolean;
  /** DocValueFormat-like formatter for *_as_string fields; undefined means ES's RAW format. */
  format: Formatter | undefined;
  /** The `missing` value of the request, if any. */
  missing: unknown;
}

export const INTEGRAL_TYPES = new Set(["long", "integer", "short", "byte", "unsigned_long"]);
export const FLOAT_TYPES = new Set(["double", "float", "half_float", "scaled_float"]);
const KEYWORD_TYPES = new Set(["keyword", "constant_keyword", "wildcard", "ip", "version"]);

const EMPTY_NUMS: readonly number[] = [];
const EMPTY_STRS: readonly string[] = [];
const ONE: readonly number[] = [1];
const ZERO: readonly number[] = [0];

export function textFieldError(field: string, path: string): AggregationError {
  return new AggregationError(
    `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`,
    path,
  );
}

function sourceKind(
  mappingType: string | undefined,
  field: string,
  spec: AggSpec,
): SourceKind | "unsupported" {
  if (mappingType === undefined) return "unmapped";
  if (mappingType === "text" || mappingType === "match_only_text") throw textFieldError(field, spec.path);
  if (KEYWORD_TYPES.has(mappingType)) return "keyword";
  if (mappingType === "boolean") return "boolean";
  if (INTEGRAL_TYPES.has(mappingType) || FLOAT_TYPES.has(mappingType)) return "number";
  if (mappingType === "date" || mappingType === "date_nanos") return "date";
  return "unsupported";
}

/** The date pattern a source's values print and parse with: the request's, else the mapping's. */
function datePattern(spec: AggSpec, env: Env, field: string): string {
  return strParam(spec, "format") ?? env.ctx.dateFormat?.(field) ?? DEFAULT_DATE_FORMAT;
}

function dateFormatter(pattern: string, spec: AggSpec, zone: Zone): Formatter {
  const df = compileDateFormat(pattern, dateErrors(spec));
  return (v) => df.print(v, zone);
}

/**
 * Resolves the `field` of a values-source aggregation. `allowed` lists the value kinds the
 * aggregation accepts; anything else is ES's "Field [x] of type [t] is not supported" error.
 */
export function resolveSource(
  spec: AggSpec,
  env: Env,
  allowed: readonly SourceKind[],
  zone: Zone = UTC,
): Source {
  if (spec.body.script !== undefined) {
    throw new AggregationError(`[${spec.path}][${spec.type}] scripts are not supported`, spec.path);
  }
  const field = spec.body.field;
  if (isAbsent(field) || field === "") {
    throw new AggregationError(`[${spec.path}][${spec.type}] requires a field`, spec.path);
  }
  if (typeof field !== "string") throw paramError(spec, "field", "a string", field);
  const mappingType = env.ctx.fieldType(field);
  const kind = sourceKind(mappingType, field, spec);
  if (kind !== "unmapped" && !allowed.includes(kind as SourceKind)) {
    throw new AggregationError(
      `Field [${field}] of type [${mappingType}] is not supported for aggregation [${spec.type}]`,
      spec.path,
    );
  }
  const formatParam = strParam(spec, "format");
  let format: Formatter | undefined;
  if (kind === "date") format = dateFormatter(datePattern(spec, env, field), spec, zone);
  else if (kind === "boolean") format = (v) => (v !== 0 ? "true" : "false");
  else if (kind === "number" && formatParam !== undefined) format = decimalFormatter(formatParam);
  return {
    field,
    kind: kind as SourceKind,
    mappingType,
    integral: mappingType !== undefined && INTEGRAL_TYPES.has(mappingType),
    format,
    missing: spec.body.missing ?? undefined,
  };
}

/**
 * For aggregations whose keys are dates whatever the field (date_range, date_histogram read numbers
 * as epoch millis): the key formatter, and the source that request values (ranges, bounds) are
 * parsed against — an unmapped field reads them as `asDates` says.
 */
export function keySource(
  spec: AggSpec,
  src: Source,
  asDates: boolean,
  zone: Zone,
): { format: Formatter | undefined; valueSrc: Source } {
  if (asDates && src.kind !== "date") {
    const format = dateFormatter(strParam(spec, "format") ?? DEFAULT_DATE_FORMAT, spec, zone);
    return { format, valueSrc: { ...src, kind: "date" } };
  }
  if (src.kind === "unmapped")
    return { format: src.format, valueSrc: { ...src, kind: asDates ? "date" : "number" } };
  return { format: src.format, valueSrc: src };
}

/** Substitutes `missing` for the values of docs that have none. */
function withMissing<T>(
  get: (doc: number) => readonly T[],
  missing: readonly T[] | undefined,
): (doc: number) => readonly T[] {
  if (missing === undefined) return get;
  return (doc) => {
    const vals = get(doc);
    return vals.length === 0 ? missing : vals;
  };
}

/** Numeric values of a doc (booleans as 1/0), with the `missing` value substituted. */
export function numericGetter(src: Source, env: Env, spec: AggSpec): (doc: number) => readonly number[] {
  const { ctx } = env;
  const field = src.field;
  let missing: readonly number[] | undefined;
  if (src.missing !== undefined) missing = [parseNumericValue(src.missing, src, env, spec, "missing")];
  switch (src.kind) {
    case "number":
    case "date":
      return withMissing((doc) => ctx.numericValues(field, doc), missing);
    case "boolean":
      return withMissing((doc) => {
        const vals = ctx.keywordValues(field, doc);
        if (vals.length === 0) return EMPTY_NUMS;
        if (vals.length === 1) return vals[0] === "true" ? ONE : ZERO;
        return vals.map((v) => (v === "true" ? 1 : 0)).sort((a, b) => a - b);
      }, missing);
    default:
      return withMissing(() => EMPTY_NUMS, missing);
  }
}

/** Keyword values of a doc, with the `missing` value substituted. */
export function keywordGetter(src: Source, env: Env): (doc: number) => readonly string[] {
  const { ctx } = env;
  const field = src.field;
  const get = src.kind === "unmapped" ? () => EMPTY_STRS : (doc: number) => ctx.keywordValues(field, doc);
  return withMissing(get, src.missing === undefined ? undefined : [String(src.missing)]);
}

/** Parses a request value (missing, include, bounds, range from/to) for a numeric/date/boolean source. */
export function parseNumericValue(
  v: unknown,
  src: Source,
  env: Env,
  spec: AggSpec,
  key: string,
  zone = UTC,
): number {
  if (src.kind === "boolean") {
    if (v === true || v === "true" || v === 1) return 1;
    if (v === false || v === "false" || v === 0) return 0;
    throw new AggregationError(
      `Can't parse boolean value [${String(v)}], expected [true] or [false]`,
      spec.path,
    );
  }
  if (src.kind === "date") {
    return parseDateExpression(v, datePattern(spec, env, src.field), zone, env.now, dateErrors(spec));
  }
  const n = toNumber(v);
  if (typeof n !== "number" || Number.isNaN(n)) {
    throw new AggregationError(
      `[${spec.type}] failed to parse [${key}] value [${String(v)}] as a number`,
      spec.path,
    );
  }
  return n;
}

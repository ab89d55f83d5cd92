/**
 * The `convert` processor's conversions with Java's parsing rules, as OpenSearch applies them:
 * integer and long accept decimal and `0x` hexadecimal text, float and double Java's number
 * syntax, boolean only "true"/"false" (any case), and `auto` tries boolean, integer, long, float,
 * then double on strings and leaves anything else as it was.
 */
import { illegalArgument } from "../errors.ts";
import type { ProcessorConfig } from "./processor-config.ts";

export const CONVERT_TYPES = ["integer", "long", "float", "double", "boolean", "string", "auto"] as const;
export type ConvertType = (typeof CONVERT_TYPES)[number];

export function parseConvertType(cfg: ProcessorConfig): ConvertType {
  const type = cfg.string("type");
  if (!(CONVERT_TYPES as readonly string[]).includes(type))
    throw cfg.error("type", `type [${type}] not supported, cannot convert field.`);
  return type as ConvertType;
}

const INT_LIMITS = { integer: 2 ** 31, long: 2 ** 63 } as const;

function toInteger(value: unknown, type: "integer" | "long"): number {
  const text = String(value);
  const hex = /^(-?)0x([0-9a-fA-F]+)$/.exec(text);
  const n = hex
    ? Number.parseInt(`${hex[1]}${hex[2]}`, 16)
    : /^[+-]?\d+$/.test(text)
      ? Number(text)
      : Number.NaN;
  const limit = INT_LIMITS[type];
  if (!Number.isFinite(n) || n >= limit || n < -limit)
    throw illegalArgument(`unable to convert [${text}] to ${type}`);
  return n;
}

const JAVA_FLOAT = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)$/;

function toFloat(value: unknown, type: "float" | "double"): number {
  const text = String(value).trim();
  if (!JAVA_FLOAT.test(text)) throw illegalArgument(`unable to convert [${String(value)}] to ${type}`);
  return Number.parseFloat(text.replace(/[fFdD]$/, ""));
}

function toBoolean(value: unknown): boolean {
  const text = String(value).toLowerCase();
  if (text === "true") return true;
  if (text === "false") return false;
  throw illegalArgument(`[${String(value)}] is not a boolean value, cannot convert to boolean`);
}

export function convertValue(value: unknown, type: ConvertType): unknown {
  switch (type) {
    case "integer":
    case "long":
      return toInteger(value, type);
    case "float":
    case "double":
      return toFloat(value, type);
    case "boolean":
      return toBoolean(value);
    case "string":
      return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
    case "auto":
      return autoConvert(value);
  }
}

function autoConvert(value: unknown): unknown {
  if (typeof value !== "string") return value;
  for (const attempt of [
    () => toBoolean(value),
    () => toInteger(value, "integer"),
    () => toInteger(value, "long"),
    () => toFloat(value, "float"),
  ]) {
    try {
      return attempt();
    } catch {
      // not this type: try the next
    }
  }
  return value;
}

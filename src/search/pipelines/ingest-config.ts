/**
 * Reading a processor's configuration the way OpenSearch's ConfigurationUtils does: typed
 * readers with its messages (`[field] required property is missing`), the processor's type, tag
 * and the property named in the error body, and unknown parameters refused once all were read.
 */
import { EngineError } from "../errors.ts";
import { isObject } from "../mapping.ts";

/** OpenSearch's name for a JSON value's Java class, as its messages show it. */
export function javaType(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return "java.lang.String";
  if (typeof value === "boolean") return "java.lang.Boolean";
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return "java.lang.Double";
    return Math.abs(value) <= 2 ** 31 - 1 ? "java.lang.Integer" : "java.lang.Long";
  }
  if (Array.isArray(value)) return "java.util.ArrayList";
  return "java.util.LinkedHashMap";
}

/** A configuration error (400 `parse_exception`) naming the processor and, when given, the property. */
export function configError(
  processorType: string | undefined,
  tag: string | undefined,
  property: string | undefined,
  reason: string,
): EngineError {
  const extra: Record<string, unknown> = {};
  if (processorType) extra.processor_type = processorType;
  if (tag) extra.processor_tag = tag;
  if (property) extra.property_name = property;
  return new EngineError(400, "parse_exception", property ? `[${property}] ${reason}` : reason, extra);
}

/** One processor's configuration object, read property by property. */
export class ProcessorConfig {
  private readonly used = new Set<string>();

  constructor(
    readonly type: string,
    private readonly raw: Record<string, unknown>,
    readonly tag: string | undefined,
  ) {}

  error(property: string | undefined, reason: string): EngineError {
    return configError(this.type, this.tag, property, reason);
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== null;
  }

  /** The raw value (any JSON), marking the property as known. */
  value(name: string): unknown {
    this.used.add(name);
    return this.raw[name];
  }

  requiredValue(name: string): unknown {
    const v = this.value(name);
    if (v === undefined || v === null) throw this.error(name, "required property is missing");
    return v;
  }

  string(name: string): string {
    return this.asString(name, this.requiredValue(name));
  }

  optionalString(name: string): string | undefined {
    const v = this.value(name);
    return v === undefined || v === null ? undefined : this.asString(name, v);
  }

  private asString(name: string, v: unknown): string {
    if (typeof v !== "string")
      throw this.error(name, `property isn't a string, but of type [${javaType(v)}]`);
    return v;
  }

  boolean(name: string, fallback: boolean): boolean {
    const v = this.value(name);
    if (v === undefined || v === null) return fallback;
    // OpenSearch also accepts the strings "true" and "false"
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    throw this.error(name, `property isn't a boolean, but of type [${javaType(v)}]`);
  }

  int(name: string, fallback: number): number {
    const v = this.value(name);
    if (v === undefined || v === null) return fallback;
    const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n))
      throw this.error(name, `property cannot be converted to an int [${String(v)}]`);
    return n;
  }

  map(name: string): Record<string, unknown> {
    const v = this.requiredValue(name);
    if (!isObject(v)) throw this.error(name, `property isn't a map, but of type [${javaType(v)}]`);
    return v;
  }

  /** A string or a list of strings (remove's `field`), as a list. */
  stringOrList(name: string): string[] {
    const v = this.requiredValue(name);
    const list = Array.isArray(v) ? v : [v];
    for (const item of list)
      if (typeof item !== "string")
        throw this.error(
          name,
          `property isn't a string or a list of strings, but contains [${javaType(item)}]`,
        );
    return list as string[];
  }

  /** Refuses parameters no reader asked for, as OpenSearch does once a processor is built. */
  finish(): void {
    const unknown = Object.keys(this.raw).filter((k) => !this.used.has(k));
    if (unknown.length)
      throw this.error(
        undefined,
        `processor [${this.type}] doesn't support one or more provided configuration parameters [${unknown.join(", ")}]`,
      );
  }
}

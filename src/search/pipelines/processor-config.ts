/**
 * Reads a processor's configuration, ingest and search pipelines alike, the way OpenSearch's
 * ConfigurationUtils does: typed properties, required or optional, nested maps read as their own
 * readers, and a final check that nothing unknown is left. Every error is a 400 `parse_exception`
 * with OpenSearch's reason (`[property] reason`, the property dotted inside nested maps) and the
 * processor's type, tag (when known) and the property in the error body.
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

/** The `tag` a processor's configuration gives itself, if any (known before the config is read). */
export function processorTag(config: unknown): string | undefined {
  return isObject(config) && typeof config.tag === "string" ? config.tag : undefined;
}

/** One processor's configuration object (or a map nested in it), read property by property. */
export class ProcessorConfig {
  private readonly used = new Set<string>();

  constructor(
    /** The processor type, e.g. `set` or `normalization-processor`. */
    readonly type: string,
    private readonly config: Record<string, unknown>,
    readonly tag: string | undefined = undefined,
    /** Dotted path of this map inside the processor's config (for nested maps). */
    private readonly prefix = "",
  ) {}

  /** An error about a property of this map, or about the processor when `key` is undefined. */
  error(key: string | undefined, reason: string): EngineError {
    return configError(this.type, this.tag, key === undefined ? undefined : this.prefix + key, reason);
  }

  keys(): string[] {
    return Object.keys(this.config);
  }

  /** Whether the property is set; null counts as unset, as in OpenSearch. */
  has(key: string): boolean {
    return this.config[key] !== undefined && this.config[key] !== null;
  }

  /** The raw value (any JSON), marking the property as known. */
  value(key: string): unknown {
    this.used.add(key);
    return this.config[key];
  }

  requiredValue(key: string): unknown {
    const v = this.value(key);
    if (v === undefined || v === null) throw this.error(key, "required property is missing");
    return v;
  }

  /** The value, or undefined when unset or null. */
  private optionalValue(key: string): unknown {
    const v = this.value(key);
    return v === null ? undefined : v;
  }

  private typeError(key: string, expected: string, v: unknown): EngineError {
    return this.error(key, `property isn't ${expected}, but of type [${javaType(v)}]`);
  }

  string(key: string): string {
    return this.asString(key, this.requiredValue(key));
  }

  optionalString(key: string): string | undefined {
    const v = this.optionalValue(key);
    return v === undefined ? undefined : this.asString(key, v);
  }

  private asString(key: string, v: unknown): string {
    if (typeof v !== "string") throw this.typeError(key, "a string", v);
    return v;
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.optionalValue(key);
    if (v === undefined) return fallback;
    // OpenSearch also accepts the strings "true" and "false"
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    throw this.typeError(key, "a boolean", v);
  }

  /** An integer (numeric strings too, as Integer.parseInt takes them), in [min, max] when min is given. */
  int(key: string, fallback: number, min?: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.optionalValue(key);
    if (v === undefined) return fallback;
    const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n))
      throw this.error(key, `property cannot be converted to an int [${String(v)}]`);
    if (min !== undefined && (n < min || n > max))
      throw this.error(key, `must be in the interval between ${min} and ${max}, got ${n}`);
    return n;
  }

  /** A finite number (numeric strings too, as Double.parseDouble takes them) in [min, max]. */
  number(key: string, fallback: number, min: number, max: number): number {
    const v = this.optionalValue(key);
    if (v === undefined) return fallback;
    const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isFinite(n))
      throw this.error(key, `property cannot be converted to a number [${String(v)}]`);
    if (n < min || n > max)
      throw this.error(key, `must be in the interval between ${min} and ${max}, got ${n}`);
    return n;
  }

  /** An optional list of finite numbers. */
  numbers(key: string): number[] | undefined {
    const v = this.optionalValue(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "number" || !Number.isFinite(x)))
      throw this.error(key, `must be a list of numbers, got ${JSON.stringify(v)}`);
    return v as number[];
  }

  /** A required, nonempty list of field names. */
  strings(key: string): string[] {
    const v = this.requiredValue(key);
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
      throw this.error(key, `must be a list of field names, got ${JSON.stringify(v)}`);
    if (!v.length) throw this.error(key, "must be nonempty");
    return v as string[];
  }

  /** A string or a list of strings (remove's `field`), as a list. */
  stringOrList(key: string): string[] {
    const v = this.requiredValue(key);
    const list = Array.isArray(v) ? v : [v];
    for (const item of list)
      if (typeof item !== "string")
        throw this.error(
          key,
          `property isn't a string or a list of strings, but contains [${javaType(item)}]`,
        );
    return list as string[];
  }

  /** A required map as a plain object, for processors that walk it themselves. */
  plainMap(key: string): Record<string, unknown> {
    return this.asMap(key, this.requiredValue(key));
  }

  /** A required nested map as its own reader (its keys are checked by its own `done`). */
  map(key: string): ProcessorConfig {
    return this.reader(key, this.asMap(key, this.requiredValue(key)));
  }

  optionalMap(key: string): ProcessorConfig | undefined {
    const v = this.optionalValue(key);
    return v === undefined ? undefined : this.reader(key, this.asMap(key, v));
  }

  private asMap(key: string, v: unknown): Record<string, unknown> {
    if (!isObject(v)) throw this.typeError(key, "a map", v);
    return v;
  }

  private reader(key: string, map: Record<string, unknown>): ProcessorConfig {
    return new ProcessorConfig(this.type, map, this.tag, `${this.prefix}${key}.`);
  }

  /** Refuses parameters no reader asked for, as OpenSearch does once a processor is built. */
  done(): void {
    const unknown = Object.keys(this.config).filter((k) => !this.used.has(k));
    if (unknown.length)
      throw this.error(
        undefined,
        `processor [${this.type}] doesn't support one or more provided configuration parameters [${unknown
          .map((k) => this.prefix + k)
          .join(", ")}]`,
      );
  }
}

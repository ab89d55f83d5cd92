/**
 * Reads a search processor's configuration the way OpenSearch's ConfigurationUtils does: typed
 * properties, required or optional, nested maps, and a final check that nothing unknown is left.
 * Every error is a 400 `parse_exception` naming the processor and the property.
 */
import { EngineError } from "../errors.ts";
import { isObject } from "../mapping.ts";

export class ProcessorConfig {
  private readonly read = new Set<string>();

  constructor(
    /** The processor type, e.g. `normalization-processor`. */
    readonly type: string,
    private readonly config: Record<string, unknown>,
    /** Dotted path of this map inside the processor's config (for nested maps). */
    private readonly prefix = "",
  ) {}

  error(key: string, message: string): EngineError {
    const property = `${this.prefix}${key}`;
    return new EngineError(400, "parse_exception", `processor [${this.type}]: [${property}] ${message}`, {
      processor_type: this.type,
      property_name: property,
    });
  }

  keys(): string[] {
    return Object.keys(this.config);
  }

  has(key: string): boolean {
    return this.config[key] !== undefined;
  }

  raw(key: string): unknown {
    this.read.add(key);
    return this.config[key];
  }

  private missing(key: string): EngineError {
    return this.error(key, "required property is missing");
  }

  string(key: string): string;
  string(key: string, optional: true): string | undefined;
  string(key: string, optional = false): string | undefined {
    const v = this.raw(key);
    if (v === undefined) {
      if (optional) return undefined;
      throw this.missing(key);
    }
    if (typeof v !== "string") throw this.error(key, `property isn't a string, but of type [${typeName(v)}]`);
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    throw this.error(key, `property isn't a boolean, but of type [${typeName(v)}]`);
  }

  int(key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n))
      throw this.error(key, `must be an integer, got ${JSON.stringify(v)}`);
    if (n < min || n > max)
      throw this.error(key, `must be in the interval between ${min} and ${max}, got ${n}`);
    return n;
  }

  numbers(key: string): number[] | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "number" || !Number.isFinite(x)))
      throw this.error(key, `must be a list of numbers, got ${JSON.stringify(v)}`);
    return v as number[];
  }

  strings(key: string): string[] {
    const v = this.raw(key);
    if (v === undefined) throw this.missing(key);
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
      throw this.error(key, `must be a list of field names, got ${JSON.stringify(v)}`);
    if (!v.length) throw this.error(key, "must be nonempty");
    return v as string[];
  }

  /** A nested map as its own reader (its keys are checked by its own `done`). */
  map(key: string): ProcessorConfig;
  map(key: string, optional: true): ProcessorConfig | undefined;
  map(key: string, optional = false): ProcessorConfig | undefined {
    const v = this.raw(key);
    if (v === undefined) {
      if (optional) return undefined;
      throw this.missing(key);
    }
    if (!isObject(v)) throw this.error(key, `property isn't a map, but of type [${typeName(v)}]`);
    return new ProcessorConfig(this.type, v, `${this.prefix}${key}.`);
  }

  /** Rejects properties nobody read. */
  done(): void {
    const unknown = Object.keys(this.config).filter((k) => !this.read.has(k));
    if (unknown.length)
      throw new EngineError(
        400,
        "parse_exception",
        `processor [${this.type}] doesn't support one or more provided configuration parameters [${unknown
          .map((k) => `${this.prefix}${k}`)
          .join(", ")}]`,
        { processor_type: this.type },
      );
  }
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return "list";
  if (v === null) return "null";
  if (isObject(v)) return "map";
  return typeof v === "string" ? "string" : typeof v === "number" ? "number" : typeof v;
}

/**
 * A component definition's parameters, read with type checks whose errors name the full settings key.
 * What a factory never reads is reported as unknown (with a suggestion among what it did read).
 */
import { didYouMean, isObject, settingsError, show, toList } from "./settings-validation.ts";

/** Rules given inline (`name`) or in a file (`name_path`). */
export interface RulesSetting {
  name: string;
  inline: string[] | undefined;
  path: string | undefined;
}

export class Params {
  private readonly read = new Set<string>(["type"]);

  constructor(
    readonly key: string,
    readonly raw: Record<string, unknown>,
    readonly what: string,
  ) {}

  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== null;
  }

  private take(name: string): unknown {
    this.read.add(name);
    const v = this.raw[name];
    return v === null ? undefined : v;
  }

  private error(name: string, message: string) {
    return settingsError(`${this.key}.${name}`, message);
  }

  ignore(...names: string[]): void {
    for (const n of names) this.read.add(n);
  }

  string(name: string): string | undefined;
  string(name: string, def: string): string;
  string(name: string, def?: string): string | undefined {
    const v = this.take(name);
    if (v === undefined) return def;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    throw this.error(name, `expected a string but got [${show(v)}]`);
  }

  int(name: string, def: number, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.take(name);
    if (v === undefined) return def;
    const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n)) {
      throw this.error(name, `expected an integer but got [${show(v)}]`);
    }
    if (n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
      throw this.error(name, `must be ${range} but was [${n}]`);
    }
    return n;
  }

  bool(name: string, def: boolean): boolean {
    const v = this.take(name);
    if (v === undefined) return def;
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    throw this.error(name, `expected a boolean (true or false) but got [${show(v)}]`);
  }

  list(name: string): string[] | undefined {
    const v = this.take(name);
    if (v === undefined) return undefined;
    const items = Array.isArray(v)
      ? v
      : isObject(v) && Object.keys(v).every((k) => /^\d+$/.test(k))
        ? toList(v, `${this.key}.${name}`)
        : [v];
    return items.map((item, i) => {
      if (typeof item === "string") return item;
      if (typeof item === "number" || typeof item === "boolean") return String(item);
      throw this.error(name, `expected a list of strings but element [${i}] is [${show(item)}]`);
    });
  }

  rules(name: string): RulesSetting {
    return { name, inline: this.list(name), path: this.string(`${name}_path`) };
  }

  /** The settings key of the rules in use (the inline ones when both are set); one of them is required. */
  rulesKey(rules: RulesSetting, type: string): string {
    const { name, inline, path } = rules;
    if (!inline && path === undefined) {
      throw this.error(
        name,
        `${type} requires either \`${name}\` or \`${name}_path\` to be configured${this.hint()}`,
      );
    }
    return `${this.key}.${inline ? name : `${name}_path`}`;
  }

  /** Parameters present but never read, with a suggestion among the read ones. */
  private unknown(): { list: string; plural: string } | undefined {
    const unknown = Object.keys(this.raw)
      .filter((k) => !this.read.has(k))
      .map((k) => `[${k}]${didYouMean(k, this.read)}`);
    return unknown.length ? { list: unknown.join(", "), plural: unknown.length > 1 ? "s" : "" } : undefined;
  }

  /** For an error about missing settings: "; found unknown parameter(s) …" when something was misspelt. */
  hint(): string {
    const u = this.unknown();
    return u ? `; found unknown parameter${u.plural} ${u.list}` : "";
  }

  warnUnknown(warn: (m: string) => void): void {
    const u = this.unknown();
    if (u) warn(`${this.key}: unknown parameter${u.plural} ${u.list} for ${this.what}; ignored`);
  }
}

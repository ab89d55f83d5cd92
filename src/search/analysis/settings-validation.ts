/**
 * Settings errors and the checks on the shape of `index.analysis`: messages name the full settings key
 * and list what exists (with a "did you mean" for near misses); "almost right" settings (a definition
 * without a type whose intent is clear, unknown sections, unused definitions) are accepted with a
 * warning.
 */
import type { AnalysisOptions } from "./types.ts";

export class AnalysisSettingsError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = "AnalysisSettingsError";
  }
}

export const settingsError = (key: string, message: string) =>
  new AnalysisSettingsError(key, `${key}: ${message}`);

export const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Own keys only: a name such as `constructor` or `toString` is not a component type. */
export const hasKey = (table: object, key: string): boolean => Object.hasOwn(table, key);

/** The table's entry for a settings value (own keys only, see hasKey). */
export const lookup = <T>(table: Record<string, T>, key: string): T | undefined =>
  hasKey(table, key) ? table[key] : undefined;

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      prev[j] = Math.min(
        (prev[j] as number) + 1,
        (prev[j - 1] as number) + 1,
        diag + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diag = tmp;
    }
  }
  return prev[b.length] as number;
}

/** " (did you mean [x]?)" when a candidate is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDist = Number.POSITIVE_INFINITY;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = levenshtein(w, c.toLowerCase());
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return best !== undefined && bestDist <= limit && bestDist > 0 ? ` (did you mean [${best}]?)` : "";
}

/** `[x]` followed by a suggestion among `known`, for "unknown …" messages. */
export const unknownName = (name: string, known: Iterable<string>) => `[${name}]${didYouMean(name, known)}`;

const isFlattenedArray = (value: Record<string, unknown>) => {
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => /^\d+$/.test(k));
};

/** The values of an object with keys 0, 1, … (how flattened settings spell arrays), in key order. */
function flattenedArray(value: Record<string, unknown>): unknown[] {
  return Object.keys(value)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => value[k]);
}

/** A settings list: an array, a single value, or an object with keys 0, 1, … (flattened arrays). */
export function toList(value: unknown, key: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  if (isObject(value)) {
    if (isFlattenedArray(value)) return flattenedArray(value);
    if (typeof value.type === "string") return [value];
    throw settingsError(key, `expected a list but got [${show(value)}]`);
  }
  return [value];
}

export type Kind = "tokenizer" | "char_filter" | "filter";

/**
 * A component definition's `type`. Without one, a filter that defines synonyms is a synonym_graph and
 * a char_filter that defines mappings is a mapping (with a warning); anything else is an error.
 */
export function componentType(
  kind: Kind,
  name: string,
  raw: Record<string, unknown>,
  key: string,
  known: Record<string, unknown>,
  opts: AnalysisOptions,
): string {
  const type = raw.type;
  const knownTypes = `known types: [${Object.keys(known).join(", ")}]`;
  if (type === undefined || type === null) {
    if (kind === "filter" && (raw.synonyms !== undefined || raw.synonyms_path !== undefined)) {
      opts.warn(`${key} has no type; treated as synonym_graph because it defines synonyms`);
      return "synonym_graph";
    }
    if (kind === "char_filter" && (raw.mappings !== undefined || raw.mappings_path !== undefined)) {
      opts.warn(`${key} has no type; treated as mapping because it defines mappings`);
      return "mapping";
    }
    throw settingsError(`${key}.type`, `${kind} [${name}] has no type; ${knownTypes}`);
  }
  if (typeof type !== "string")
    throw settingsError(`${key}.type`, `expected a string but got [${show(type)}]`);
  if (!hasKey(known, type)) {
    throw settingsError(
      `${key}.type`,
      `unknown ${kind} type ${unknownName(type, Object.keys(known))}; ${knownTypes}`,
    );
  }
  return type;
}

/** A reference to a component that does not exist (or a built-in type that cannot be used by bare name). */
export function unknownReference(
  kind: Kind,
  ref: string,
  key: string,
  customNames: string[],
  builtins: string[],
  needsSettings: Record<string, string>,
): AnalysisSettingsError {
  const needs = lookup(needsSettings, ref);
  if (needs) {
    return settingsError(
      key,
      `${kind} [${ref}] needs settings (${needs}); define a ${kind} of type [${ref}] under index.analysis.${kind} and reference it by name`,
    );
  }
  const label = kind === "char_filter" ? "char_filters" : `${kind}s`;
  return settingsError(
    key,
    `unknown ${kind} ${unknownName(ref, [...customNames, ...builtins])}; custom ${label}: [${customNames.join(", ")}], built-in: [${builtins.join(", ")}]`,
  );
}

const SECTIONS = ["analyzer", "tokenizer", "filter", "char_filter", "normalizer"] as const;
export type Section = (typeof SECTIONS)[number];
export type Definition = [name: string, def: Record<string, unknown>, key: string];

/** `index.analysis` as named definitions per section; unknown sections are warned about and ignored. */
export function analysisSections(
  analysis: unknown,
  warn: (message: string) => void,
): (section: Section) => Definition[] {
  const settings = analysis === undefined || analysis === null ? {} : analysis;
  if (!isObject(settings))
    throw settingsError("index.analysis", `expected an object but got [${show(settings)}]`);
  for (const key of Object.keys(settings)) {
    if (!(SECTIONS as readonly string[]).includes(key)) {
      warn(
        `index.analysis.${key} is not an analysis section${didYouMean(key, SECTIONS)}; known: [${SECTIONS.join(", ")}]; ignored`,
      );
    }
  }
  return (name) => {
    const value = settings[name];
    if (value === undefined || value === null) return [];
    if (!isObject(value)) {
      throw settingsError(
        `index.analysis.${name}`,
        `expected an object of named definitions but got [${show(value)}]`,
      );
    }
    return Object.entries(value).map(([n, def]) => {
      const key = `index.analysis.${name}.${n}`;
      if (!isObject(def)) throw settingsError(key, `expected a definition object but got [${show(def)}]`);
      return [n, def, key];
    });
  };
}

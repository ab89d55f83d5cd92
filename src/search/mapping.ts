/**
 * Mappings: the ES JSON (`{"properties":{…}}`) is kept as sent (plus dynamic additions) and compiled
 * into a flat table of leaf fields (`title`, `title.keyword`, `meta.year` …) the indexer and the
 * query compiler use. Validation errors name the field and say what was expected, like ES's
 * mapper_parsing_exception.
 */
import { EngineError, illegalArgument, mapperParsing } from "./errors.ts";
import { type KnnMethod, parseKnnMethod } from "./knn-method.ts";

export type FieldType =
  | "text"
  | "keyword"
  | "long"
  | "integer"
  | "short"
  | "byte"
  | "double"
  | "float"
  | "half_float"
  | "scaled_float"
  | "unsigned_long"
  | "date"
  | "boolean"
  | "knn_vector";

export const NUMERIC_TYPES = new Set<string>([
  "long",
  "integer",
  "short",
  "byte",
  "double",
  "float",
  "half_float",
  "scaled_float",
  "unsigned_long",
]);

export interface FieldMapping {
  /** Full dotted path, e.g. `title.keyword`. */
  path: string;
  type: FieldType;
  /** Indexed for search (`index: false` keeps doc values only). */
  index: boolean;
  docValues: boolean;
  analyzer: string;
  searchAnalyzer: string;
  searchQuoteAnalyzer: string;
  similarity: string | undefined;
  normalizer: string | undefined;
  ignoreAbove: number | undefined;
  nullValue: unknown;
  format: string | undefined;
  positionIncrementGap: number;
  norms: boolean;
  fielddata: boolean;
  dimension: number | undefined;
  /** knn_vector: the HNSW method, space type and parameters. */
  knn: KnnMethod | undefined;
  scalingFactor: number | undefined;
  /** Set for multi-fields: the parent field whose value feeds this one. */
  parent: string | undefined;
  raw: Record<string, unknown>;
}

export type DynamicMode = true | false | "strict";

const COMMON = ["type", "index", "store", "doc_values", "boost", "meta", "copy_to", "fields", "null_value"];
const ALLOWED_PARAMS: Record<string, string[]> = {
  text: [
    ...COMMON,
    "analyzer",
    "search_analyzer",
    "search_quote_analyzer",
    "similarity",
    "norms",
    "position_increment_gap",
    "fielddata",
    "index_options",
    "term_vector",
    "index_phrases",
    "index_prefixes",
    "eager_global_ordinals",
    "fielddata_frequency_filter",
  ],
  keyword: [
    ...COMMON,
    "ignore_above",
    "normalizer",
    "similarity",
    "norms",
    "split_queries_on_whitespace",
    "eager_global_ordinals",
    "index_options",
  ],
  date: [...COMMON, "format", "locale", "ignore_malformed"],
  boolean: COMMON,
  knn_vector: [
    "type",
    "dimension",
    "method",
    "model_id",
    "data_type",
    "mode",
    "compression_level",
    "space_type",
  ],
  numeric: [...COMMON, "coerce", "ignore_malformed", "scaling_factor"],
};

const OBJECT_PARAMS = new Set(["type", "properties", "dynamic", "enabled"]);

export class Mapping {
  dynamic: DynamicMode = true;
  /** The mapping as ES shows it: `{dynamic?, properties}`. */
  readonly properties: Record<string, unknown> = {};
  /** Leaf fields by full path. */
  readonly fields = new Map<string, FieldMapping>();
  /** Object paths (for `exists` on objects and dynamic checks). */
  readonly objects = new Map<string, DynamicMode | undefined>();
  /** Root parameters kept as sent (`_source`, `_meta`, `date_detection` …). */
  readonly extras: Record<string, unknown> = {};

  constructor(readonly defaultAnalyzer = "standard") {}

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.dynamic !== true) out.dynamic = this.dynamic === false ? "false" : this.dynamic;
    Object.assign(out, this.extras);
    if (Object.keys(this.properties).length) out.properties = this.properties;
    return out;
  }

  /** Merges a mapping body (`{properties, dynamic}`) after validating all of it; nothing changes on error. */
  merge(body: unknown, isKnownAnalyzer: (name: string) => boolean): void {
    if (body === undefined || body === null) return;
    if (typeof body !== "object" || Array.isArray(body)) throw mapperParsing("mapping must be an object");
    let root = body as Record<string, unknown>;
    // ES 6-style typed mappings (`{"_doc":{"properties":…}}`) are accepted for `_doc`
    if (Object.keys(root).length === 1 && typeof root._doc === "object" && root._doc) {
      root = root._doc as Record<string, unknown>;
    }
    const staged = new Mapping(this.defaultAnalyzer);
    staged.dynamic = this.dynamic;
    Object.assign(staged.properties, structuredClone(this.properties));
    Object.assign(staged.extras, this.extras);
    for (const [key, value] of Object.entries(root)) {
      if (key === "properties") continue;
      if (key === "dynamic") staged.dynamic = parseDynamic(value, "dynamic");
      else if (
        ["_source", "_meta", "_routing", "date_detection", "numeric_detection", "dynamic_templates"].includes(
          key,
        )
      ) {
        staged.extras[key] = value;
      } else
        throw mapperParsing(
          `Root mapping definition has unsupported parameters:  [${key} : ${JSON.stringify(value)}]`,
        );
    }
    if (root.properties !== undefined) {
      if (!isObject(root.properties)) throw mapperParsing("[properties] must be an object");
      mergeProperties(staged.properties, root.properties, "");
    }
    staged.compile(isKnownAnalyzer);
    // compiled fine: swap in
    for (const key of Object.keys(this.properties)) delete this.properties[key];
    Object.assign(this.properties, staged.properties);
    this.dynamic = staged.dynamic;
    Object.assign(this.extras, staged.extras);
    this.fields.clear();
    this.objects.clear();
    for (const [k, v] of staged.fields) this.fields.set(k, v);
    for (const [k, v] of staged.objects) this.objects.set(k, v);
  }

  private compile(isKnownAnalyzer: (name: string) => boolean): void {
    const walk = (props: Record<string, unknown>, prefix: string) => {
      for (const [name, def] of Object.entries(props)) {
        const path = prefix + name;
        if (!isObject(def))
          throw mapperParsing(`Expected map for property [${name}] but got ${JSON.stringify(def)}`);
        const type = def.type ?? (def.properties ? "object" : undefined);
        if (type === "object" || type === "nested") {
          for (const key of Object.keys(def)) {
            if (!OBJECT_PARAMS.has(key))
              throw mapperParsing(`unknown parameter [${key}] on mapper [${path}] of type [${type}]`);
          }
          this.objects.set(
            path,
            def.dynamic === undefined ? undefined : parseDynamic(def.dynamic, `${path}.dynamic`),
          );
          if (def.properties !== undefined) {
            if (!isObject(def.properties)) throw mapperParsing(`[properties] of [${path}] must be an object`);
            walk(def.properties, `${path}.`);
          }
          continue;
        }
        if (typeof type !== "string") throw mapperParsing(`No type specified for field [${path}]`);
        const field = compileField(path, type, def, this.defaultAnalyzer, isKnownAnalyzer, undefined);
        this.fields.set(path, field);
        if (def.fields !== undefined) {
          if (!isObject(def.fields)) throw mapperParsing(`[fields] of [${path}] must be an object`);
          for (const [sub, subDef] of Object.entries(def.fields)) {
            if (!isObject(subDef) || typeof subDef.type !== "string") {
              throw mapperParsing(`No type specified for field [${path}.${sub}]`);
            }
            if (subDef.fields !== undefined)
              throw mapperParsing(`[fields] of multi-field [${path}.${sub}] are not supported`);
            const subPath = `${path}.${sub}`;
            this.fields.set(
              subPath,
              compileField(subPath, subDef.type, subDef, this.defaultAnalyzer, isKnownAnalyzer, path),
            );
          }
        }
      }
    };
    walk(this.properties, "");
  }

  /** The dynamic mode in effect for new fields under an object path ("" = root). */
  dynamicAt(objectPath: string): DynamicMode {
    let path = objectPath;
    while (path) {
      const mode = this.objects.get(path);
      if (mode !== undefined) return mode;
      const dot = path.lastIndexOf(".");
      path = dot < 0 ? "" : path.slice(0, dot);
    }
    return this.dynamic;
  }

  /** Fields matching a pattern such as `title`, `title*`, `*.keyword`, `*`. */
  resolveFields(pattern: string): FieldMapping[] {
    if (!pattern.includes("*")) {
      const field = this.fields.get(pattern);
      return field ? [field] : [];
    }
    const re = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`);
    return [...this.fields.values()].filter((f) => re.test(f.path));
  }
}

function compileField(
  path: string,
  type: string,
  def: Record<string, unknown>,
  defaultAnalyzer: string,
  isKnownAnalyzer: (name: string) => boolean,
  parent: string | undefined,
): FieldMapping {
  const kind = NUMERIC_TYPES.has(type) ? "numeric" : type;
  const allowed = ALLOWED_PARAMS[kind];
  if (!allowed) {
    throw mapperParsing(
      `No handler for type [${type}] declared on field [${path}]; supported types: text, keyword, long, integer, short, byte, double, float, half_float, scaled_float, unsigned_long, date, boolean, object, nested, knn_vector`,
    );
  }
  for (const key of Object.keys(def)) {
    if (!allowed.includes(key))
      throw mapperParsing(`unknown parameter [${key}] on mapper [${path}] of type [${type}]`);
  }
  const str = (key: string): string | undefined => {
    const v = def[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string")
      throw mapperParsing(`[${key}] on mapper [${path}] must be a string, got ${JSON.stringify(v)}`);
    return v;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = def[key];
    if (v === undefined) return fallback;
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    throw mapperParsing(
      `Failed to parse value [${String(v)}] as only [true] or [false] are allowed. (parameter [${key}] on mapper [${path}])`,
    );
  };
  const int = (key: string, min: number): number | undefined => {
    const v = def[key];
    if (v === undefined) return undefined;
    const n = typeof v === "string" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n) || n < min) {
      throw mapperParsing(
        `[${key}] on mapper [${path}] must be an integer >= ${min}, got ${JSON.stringify(v)}`,
      );
    }
    return n;
  };
  const checkAnalyzer = (key: string, name: string | undefined) => {
    if (name !== undefined && !isKnownAnalyzer(name)) {
      throw mapperParsing(
        `analyzer [${name}] has not been configured in mappings (parameter [${key}] on field [${path}])`,
      );
    }
  };
  const analyzer = str("analyzer");
  const searchAnalyzer = str("search_analyzer");
  const searchQuoteAnalyzer = str("search_quote_analyzer");
  checkAnalyzer("analyzer", analyzer);
  checkAnalyzer("search_analyzer", searchAnalyzer);
  checkAnalyzer("search_quote_analyzer", searchQuoteAnalyzer);
  if (searchAnalyzer && !analyzer && type === "text") {
    // ES requires analyzer when search_analyzer is set
    throw mapperParsing(`analyzer on field [${path}] must be set when search_analyzer is set`);
  }
  let dimension: number | undefined;
  let knn: KnnMethod | undefined;
  if (type === "knn_vector") {
    knn = parseKnnMethod(path, def);
    dimension = int("dimension", 1);
    if (dimension === undefined) throw mapperParsing(`Dimension value missing for vector: ${path}`);
    if (dimension > 16000)
      throw mapperParsing(`Dimension value cannot be greater than 16000 for vector: ${path}`);
  }
  if (type === "scaled_float" && def.scaling_factor === undefined) {
    throw mapperParsing(`Field [scaling_factor] is required (field [${path}] of type [scaled_float])`);
  }
  const indexAnalyzer = analyzer ?? defaultAnalyzer;
  return {
    path,
    type: type as FieldType,
    index: bool("index", true),
    docValues: bool("doc_values", type !== "text"),
    analyzer: indexAnalyzer,
    searchAnalyzer: searchAnalyzer ?? indexAnalyzer,
    searchQuoteAnalyzer: searchQuoteAnalyzer ?? searchAnalyzer ?? indexAnalyzer,
    similarity: str("similarity"),
    normalizer: str("normalizer"),
    ignoreAbove: int("ignore_above", 0),
    nullValue: def.null_value,
    format: str("format"),
    positionIncrementGap: int("position_increment_gap", 0) ?? 100,
    norms: bool("norms", type === "text"),
    fielddata: bool("fielddata", false),
    dimension,
    knn,
    scalingFactor: def.scaling_factor === undefined ? undefined : Number(def.scaling_factor),
    parent,
    raw: def,
  };
}

function parseDynamic(value: unknown, key: string): DynamicMode {
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  if (value === "strict") return "strict";
  throw mapperParsing(`[${key}] must be one of [true, false, strict], got ${JSON.stringify(value)}`);
}

const UPDATABLE = new Set([
  "search_analyzer",
  "search_quote_analyzer",
  "fields",
  "ignore_above",
  "properties",
  "meta",
  "boost",
]);

/** Merges new properties into existing ones with ES's conflict rules (type and analyzer are fixed). */
function mergeProperties(
  target: Record<string, unknown>,
  incoming: Record<string, unknown>,
  prefix: string,
): void {
  for (const [name, def] of Object.entries(incoming)) {
    const path = prefix + name;
    if (name === "" || name.startsWith(".") || name.endsWith(".") || name.includes("..")) {
      throw mapperParsing(`field name cannot be empty or contain empty path segments: [${path}]`);
    }
    if (!isObject(def))
      throw mapperParsing(`Expected map for property [${path}] but got ${JSON.stringify(def)}`);
    const existing = target[name];
    if (!isObject(existing)) {
      target[name] = structuredClone(def);
      continue;
    }
    const oldType = existing.type ?? (existing.properties ? "object" : undefined);
    const newType = def.type ?? (def.properties ? "object" : undefined);
    if (newType !== undefined && oldType !== newType) {
      throw illegalArgument(`mapper [${path}] cannot be changed from type [${oldType}] to [${newType}]`);
    }
    for (const [key, value] of Object.entries(def)) {
      if (key === "type") continue;
      if (key === "properties" && isObject(value)) {
        existing.properties ??= {};
        mergeProperties(existing.properties as Record<string, unknown>, value, `${path}.`);
      } else if (key === "fields" && isObject(value)) {
        existing.fields = { ...(isObject(existing.fields) ? existing.fields : {}), ...value };
      } else if (JSON.stringify(existing[key]) !== JSON.stringify(value)) {
        if (!UPDATABLE.has(key)) {
          throw illegalArgument(
            `Mapper for [${path}] conflicts with existing mapper:\n\tCannot update parameter [${key}] from [${String(existing[key] ?? "default")}] to [${String(value)}]`,
          );
        }
        existing[key] = value;
      }
    }
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Dynamic mapping for a new value, as ES infers it. */
export function dynamicFieldFor(value: unknown, path: string): Record<string, unknown> | undefined {
  if (typeof value === "string") {
    if (
      /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) &&
      !Number.isNaN(Date.parse(value))
    ) {
      return { type: "date" };
    }
    return { type: "text", fields: { keyword: { type: "keyword", ignore_above: 256 } } };
  }
  if (typeof value === "number") return { type: Number.isInteger(value) ? "long" : "float" };
  if (typeof value === "boolean") return { type: "boolean" };
  if (isObject(value)) return { type: "object" };
  if (value === null) return undefined;
  throw new EngineError(400, "mapper_parsing_exception", `cannot infer a mapping for field [${path}]`);
}

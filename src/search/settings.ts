/**
 * Index settings as Elasticsearch accepts them: nested (`{"index":{"similarity":…}}`), flattened
 * (`{"index.similarity.default.type":"BM25"}`) or without the `index.` prefix. Everything is kept
 * internally as one flat map of `index.*` keys, which makes "which keys changed" and "is this key
 * dynamic" simple; GET _settings answers in the nested form with string values, as ES does.
 */
import { illegalArgument } from "./errors.ts";

export type FlatSettings = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Flattens any accepted settings shape to `index.*` keys (arrays stay whole: they are values). */
export function flattenSettings(body: unknown, what = "settings"): FlatSettings {
  if (body === undefined || body === null) return {};
  if (!isPlainObject(body)) throw illegalArgument(`${what} must be an object, got ${JSON.stringify(body)}`);
  const out: FlatSettings = {};
  const walk = (prefix: string, value: unknown) => {
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      if (keys.length === 0 && prefix) out[prefix] = {};
      for (const key of keys) walk(prefix ? `${prefix}.${key}` : key, value[key]);
      return;
    }
    out[prefix.startsWith("index.") ? prefix : `index.${prefix}`] = value;
  };
  // `{"settings":{…}}` inside a PUT _settings body is accepted by ES as well
  const root = isPlainObject(body.settings) && Object.keys(body).length === 1 ? body.settings : body;
  walk("", root);
  return out;
}

/** Nested view of flat keys (`index.a.b` → `{index:{a:{b}}}`); `stringify` renders leaf values as ES does. */
export function nestSettings(flat: FlatSettings, stringify = true): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(flat).sort()) {
    const parts = key.split(".");
    let node = out;
    for (const part of parts.slice(0, -1)) {
      if (!isPlainObject(node[part])) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    const value = flat[key];
    node[parts.at(-1) as string] = stringify ? stringifySetting(value) : value;
  }
  return out;
}

function stringifySetting(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => stringifySetting(v));
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return value;
}

/** The sub-tree under a prefix, nested and with original value types (e.g. `index.analysis`). */
export function settingsSubtree(flat: FlatSettings, prefix: string): Record<string, unknown> {
  const sub: FlatSettings = {};
  for (const [key, value] of Object.entries(flat)) {
    if (key.startsWith(`${prefix}.`)) sub[key.slice(prefix.length + 1)] = value;
  }
  return nestSettings(sub, false);
}

interface SettingRule {
  /** Dynamic settings may change on an open index. */
  dynamic: boolean;
  validate?(value: unknown, key: string): unknown;
}

const intSetting =
  (min: number, max = Number.MAX_SAFE_INTEGER) =>
  (value: unknown, key: string) => {
    const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
      throw illegalArgument(
        `Failed to parse value [${String(value)}] for setting [${key}] must be an integer between ${min} and ${max}`,
      );
    }
    return n;
  };

const boolSetting = (value: unknown, key: string) => {
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw illegalArgument(
    `Failed to parse value [${String(value)}] as only [true] or [false] are allowed (setting [${key}])`,
  );
};

const timeSetting = (value: unknown, key: string) => {
  if (value === -1 || value === "-1") return "-1";
  if (typeof value === "string" && /^\d+(ms|s|m|h|d)?$/.test(value)) return value;
  throw illegalArgument(`failed to parse setting [${key}] with value [${String(value)}] as a time value`);
};

const stringSetting = (value: unknown, key: string) => {
  if (typeof value !== "string") throw illegalArgument(`setting [${key}] must be a string`);
  return value;
};

const RULES: Record<string, SettingRule> = {
  "index.number_of_shards": { dynamic: false, validate: intSetting(1, 1024) },
  "index.number_of_replicas": { dynamic: true, validate: intSetting(0) },
  "index.auto_expand_replicas": { dynamic: true },
  "index.refresh_interval": { dynamic: true, validate: timeSetting },
  "index.max_result_window": { dynamic: true, validate: intSetting(1) },
  "index.max_ngram_diff": { dynamic: true, validate: intSetting(0) },
  "index.max_shingle_diff": { dynamic: true, validate: intSetting(0) },
  "index.codec": { dynamic: false, validate: stringSetting },
  "index.knn": { dynamic: false, validate: boolSetting },
  "index.knn.algo_param.ef_search": { dynamic: true, validate: intSetting(2) },
  "index.default_pipeline": { dynamic: true, validate: stringSetting },
  "index.final_pipeline": { dynamic: true, validate: stringSetting },
  "index.search.default_pipeline": { dynamic: true, validate: stringSetting },
  "index.hidden": { dynamic: true, validate: boolSetting },
  "index.blocks.write": { dynamic: true, validate: boolSetting },
  "index.blocks.read_only": { dynamic: true, validate: boolSetting },
  "index.blocks.read_only_allow_delete": { dynamic: true, validate: boolSetting },
  "index.mapping.total_fields.limit": { dynamic: true, validate: intSetting(1) },
  "index.query.default_field": { dynamic: true },
  "index.translog.durability": { dynamic: true, validate: stringSetting },
  "index.sort.field": { dynamic: false },
  "index.sort.order": { dynamic: false },
};

/** Settings ES computes itself; users may not set them. */
const PRIVATE = new Set([
  "index.uuid",
  "index.creation_date",
  "index.provided_name",
  "index.version.created",
]);

const PREFIX_RULES: [string, SettingRule][] = [
  // similarity and analysis are static in ES: they need a closed index (search-time synonyms excepted)
  ["index.similarity.", { dynamic: false }],
  ["index.analysis.", { dynamic: false }],
];

export function settingRule(key: string): SettingRule | undefined {
  return RULES[key] ?? PREFIX_RULES.find(([prefix]) => key.startsWith(prefix))?.[1];
}

/** Validates and coerces user-provided flat settings; unknown keys are refused like ES does. */
export function validateSettings(flat: FlatSettings, { allowPrivate = false } = {}): FlatSettings {
  const out: FlatSettings = {};
  for (const [key, value] of Object.entries(flat)) {
    if (PRIVATE.has(key)) {
      if (!allowPrivate) throw illegalArgument(`private index setting [${key}] can not be set explicitly`);
      out[key] = value;
      continue;
    }
    const rule = settingRule(key);
    if (!rule) {
      throw illegalArgument(
        `unknown setting [${key}] please check that any required plugins are installed, or check the breaking changes documentation for removed settings`,
      );
    }
    out[key] = value === null ? null : rule.validate ? rule.validate(value, key) : value;
  }
  return out;
}

export interface SimilaritySettings {
  type: string;
  k1: number;
  b: number;
  discountOverlaps: boolean;
}

const SIMILARITY_TYPES = new Set(["BM25", "boolean", "classic"]);

/** The named similarity from settings (`default` unless a field names another); ES defaults k1 1.2, b 0.75. */
export function similarityFor(flat: FlatSettings, name = "default"): SimilaritySettings {
  if (name === "BM25" || name === "boolean") return { type: name, k1: 1.2, b: 0.75, discountOverlaps: true };
  const prefix = `index.similarity.${name}.`;
  const defined = Object.keys(flat).some((k) => k.startsWith(prefix));
  if (!defined && name !== "default") {
    throw illegalArgument(
      `Unknown Similarity type [${name}] for field; define it under index.similarity.${name}`,
    );
  }
  const type = String(flat[`${prefix}type`] ?? "BM25");
  if (!SIMILARITY_TYPES.has(type)) {
    throw illegalArgument(
      `Unknown Similarity type [${type}] for [${name}] (setting [${prefix}type]); expected one of [BM25, boolean]`,
    );
  }
  if (type === "classic") {
    throw illegalArgument(
      `The [classic] similarity may not be used anymore. Please use the [BM25] similarity or build a custom [scripted] similarity instead. (setting [${prefix}type])`,
    );
  }
  const num = (key: string, fallback: number) => {
    const raw = flat[`${prefix}${key}`];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) {
      throw illegalArgument(
        `illegal ${key} value: ${String(raw)}, must be a non-negative finite value (setting [${prefix}${key}])`,
      );
    }
    if (key === "b" && n > 1)
      throw illegalArgument(`illegal b value: ${n}, must be between 0 and 1 (setting [${prefix}b])`);
    return n;
  };
  for (const key of Object.keys(flat)) {
    if (!key.startsWith(prefix)) continue;
    const param = key.slice(prefix.length);
    if (!["type", "k1", "b", "discount_overlaps"].includes(param)) {
      throw illegalArgument(
        `Unknown settings for similarity of type [${type}]: [${param}] (setting [${key}])`,
      );
    }
  }
  const overlaps = flat[`${prefix}discount_overlaps`];
  return {
    type,
    k1: num("k1", 1.2),
    b: num("b", 0.75),
    discountOverlaps: overlaps !== false && overlaps !== "false",
  };
}

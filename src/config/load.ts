import fs from "node:fs";
import path from "node:path";
import type { TObject, TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import YAML from "yaml";
import { LodestoneError } from "../common/errors.ts";
import { ConfigSchema, type LodestoneConfig } from "./schema.ts";

/** Config file names looked for in the working directory, in order. */
export const CONFIG_FILE_NAMES = ["lodestone.config.json", "lodestone.config.yaml", "lodestone.config.yml"];

export interface LoadOptions {
  /** Values from command-line flags, highest precedence; keys are config paths such as `jobs.concurrency`. */
  flags?: Record<string, unknown>;
  /** An explicit config file (from `--config`); otherwise `LODESTONE_CONFIG`, then the default names in `cwd`. */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface LoadedConfig {
  config: LodestoneConfig;
  /** The config file that was read, if any. */
  file: string | undefined;
}

type Layer = { label: (key: string) => string; values: Map<string, unknown> };

/** `jobs.stopGraceMs` → `LODESTONE_JOBS_STOP_GRACE_MS` */
export function envVarName(key: string): string {
  return `LODESTONE_${key
    .split(".")
    .map((part) => part.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase())
    .join("_")}`;
}

/** Every leaf key of the schema with its sub-schema, e.g. `["jobs.concurrency", TInteger]`. */
function leafKeys(schema: TObject, prefix = ""): Array<[string, TSchema]> {
  const out: Array<[string, TSchema]> = [];
  for (const [name, sub] of Object.entries(schema.properties)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (sub.type === "object" && sub.properties) out.push(...leafKeys(sub as TObject, key));
    else out.push([key, sub]);
  }
  return out;
}

const LEAVES = leafKeys(ConfigSchema);
const LEAF_SCHEMAS = new Map(LEAVES);

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

/** Flattens a parsed config file into leaf keys, refusing keys the schema does not know. */
function flattenFile(data: unknown, file: string, prefix = "", out = new Map<string, unknown>()) {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw configError(prefix || "(root)", "an object", data, file);
  }
  for (const [name, value] of Object.entries(data)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (LEAF_SCHEMAS.has(key)) out.set(key, value);
    else if (LEAVES.some(([leaf]) => leaf.startsWith(`${key}.`))) flattenFile(value, file, key, out);
    else {
      const known = LEAVES.map(([leaf]) => leaf).join(", ");
      throw new LodestoneError(
        400,
        "InvalidConfig",
        `config: unknown key "${key}" in ${file}; known keys: ${known}`,
        key,
      );
    }
  }
  return out;
}

function describe(schema: TSchema): string {
  if (schema.anyOf) return `one of ${schema.anyOf.map((s: TSchema) => JSON.stringify(s.const)).join(", ")}`;
  const bounds = [
    schema.minimum !== undefined ? `>= ${schema.minimum}` : "",
    schema.maximum !== undefined ? `<= ${schema.maximum}` : "",
  ].filter(Boolean);
  const noun =
    schema.type === "integer" ? "an integer" : schema.type === "string" ? "a non-empty string" : schema.type;
  return [noun, bounds.join(" and ")].filter(Boolean).join(" ");
}

function configError(key: string, expected: string, got: unknown, source: string): LodestoneError {
  return new LodestoneError(
    400,
    "InvalidConfig",
    `config: ${key} must be ${expected} (got ${JSON.stringify(got)} from ${source})`,
    key,
  );
}

function findConfigFile(opts: LoadOptions, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const explicit = opts.configFile ?? env.LODESTONE_CONFIG;
  if (explicit) {
    const file = path.resolve(cwd, explicit);
    if (!fs.existsSync(file)) {
      throw new LodestoneError(400, "InvalidConfig", `config: file ${file} does not exist`, "config");
    }
    return file;
  }
  return CONFIG_FILE_NAMES.map((name) => path.join(cwd, name)).find((file) => fs.existsSync(file));
}

function readConfigFile(file: string): Map<string, unknown> {
  const text = fs.readFileSync(file, "utf8");
  let data: unknown;
  try {
    data = file.endsWith(".json") ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new LodestoneError(400, "InvalidConfig", `config: ${file} is not valid: ${(err as Error).message}`);
  }
  const values = flattenFile(data ?? {}, file);
  // A relative data directory in a file means relative to that file, as users of config files expect.
  const dataDir = values.get("dataDir");
  if (typeof dataDir === "string") values.set("dataDir", path.resolve(path.dirname(file), dataDir));
  return values;
}

/**
 * Loads the configuration: defaults ← config file ← `LODESTONE_*` environment ← flags.
 * Throws a LodestoneError naming the key, what it expects and where the bad value came from.
 */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const file = findConfigFile(opts, env, cwd);
  const layers: Layer[] = [];
  if (file) layers.push({ label: () => file, values: readConfigFile(file) });

  const fromEnv = new Map<string, unknown>();
  for (const [key] of LEAVES) {
    const value = env[envVarName(key)];
    if (value !== undefined && value !== "") fromEnv.set(key, value);
  }
  layers.push({ label: (key) => `environment variable ${envVarName(key)}`, values: fromEnv });

  const fromFlags = new Map<string, unknown>();
  for (const [key, value] of Object.entries(opts.flags ?? {})) {
    if (!LEAF_SCHEMAS.has(key))
      throw new LodestoneError(400, "InvalidConfig", `config: unknown key "${key}"`, key);
    if (value !== undefined) fromFlags.set(key, value);
  }
  layers.push({ label: (key) => `flag for ${key}`, values: fromFlags });

  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [key, raw] of layer.values) {
      const schema = LEAF_SCHEMAS.get(key) as TSchema;
      // Environment variables and flags are strings; convert them to the key's type before checking.
      const value = Value.Convert(schema, raw);
      if (!Value.Check(schema, value)) throw configError(key, describe(schema), raw, layer.label(key));
      setPath(merged, key, value);
    }
  }
  const config = Value.Default(ConfigSchema, merged) as LodestoneConfig;
  if (!Value.Check(ConfigSchema, config)) {
    const first = Value.Errors(ConfigSchema, config).First();
    throw new LodestoneError(
      400,
      "InvalidConfig",
      `config: ${first?.path ?? ""} ${first?.message ?? "is invalid"}`,
    );
  }
  config.dataDir = path.resolve(cwd, config.dataDir);
  if (config.port !== 0 && config.port === config.searchPort) {
    throw configError(
      "searchPort",
      `different from port (${config.port})`,
      config.searchPort,
      "the merged config",
    );
  }
  return { config, file };
}

function clientHost(config: LodestoneConfig): string {
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  return host.includes(":") ? `[${host}]` : host;
}

/** The URL client commands use to reach the server. */
export function serverUrl(config: LodestoneConfig): string {
  if (config.url) return config.url.replace(/\/+$/, "");
  return `http://${clientHost(config)}:${config.port}`;
}

/** The URL of the server's Elasticsearch/OpenSearch-compatible API. */
export function searchUrl(config: LodestoneConfig): string {
  // a remote server (--url) serves search on the same host
  const host = config.url ? new URL(config.url).hostname : clientHost(config);
  return `http://${host}:${config.searchPort}`;
}

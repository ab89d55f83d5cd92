/**
 * What the checks look at, read once from the search API: the node's identity, its plugins, every
 * index's flat settings and mappings, and the ingest and search pipelines.
 */
import { isObject } from "../search/mapping.ts";
import type { FlatSettings } from "../search/settings.ts";
import { type DoctorClient, statusOf } from "./findings.ts";

export interface PluginRow {
  name: string;
  component: string;
  version?: string;
}

export interface IndexState {
  name: string;
  settings: FlatSettings;
  /** The index's `mappings` object (`properties`, `dynamic`, …). */
  mappings: Record<string, unknown>;
}

export type Pipelines = Record<string, Record<string, unknown>>;

export interface ClusterState {
  /** `GET /`: `version.number`, `version.distribution`, `version.build_type`. */
  info: Record<string, unknown>;
  /** A Lodestone engine (it reports `build_type: "lodestone"`) rather than an OpenSearch cluster. */
  lodestone: boolean;
  plugins: PluginRow[];
  /** User indices; system and hidden ones (`.plugins-ml-…`) belong to the plugins and are skipped. */
  indices: IndexState[];
  ingestPipelines: Pipelines;
  searchPipelines: Pipelines;
}

/** GETs a listing that a cluster without any entries answers with 404 (`/_search/pipeline`). */
async function listing(client: DoctorClient, path: string): Promise<Pipelines> {
  try {
    return await client.json<Pipelines>("GET", path);
  } catch (err) {
    if (statusOf(err) === 404) return {};
    throw err;
  }
}

export async function readCluster(
  search: DoctorClient,
  info: Record<string, unknown>,
): Promise<ClusterState> {
  const [plugins, mappings, settings, ingestPipelines, searchPipelines] = await Promise.all([
    search.json<PluginRow[]>("GET", "/_cat/plugins", { query: { format: "json" } }),
    search.json<Record<string, { mappings?: Record<string, unknown> }>>("GET", "/_mapping"),
    search.json<Record<string, { settings?: FlatSettings }>>("GET", "/_settings", {
      query: { flat_settings: true },
    }),
    listing(search, "/_ingest/pipeline"),
    listing(search, "/_search/pipeline"),
  ]);
  const names = [...new Set([...Object.keys(settings), ...Object.keys(mappings)])].filter(
    (name) => !name.startsWith("."),
  );
  const version = isObject(info.version) ? info.version : {};
  return {
    info,
    lodestone: version.build_type === "lodestone",
    plugins: Array.isArray(plugins) ? plugins : [],
    indices: names.sort().map((name) => ({
      name,
      settings: settings[name]?.settings ?? {},
      mappings: mappings[name]?.mappings ?? {},
    })),
    ingestPipelines,
    searchPipelines,
  };
}

/** An index's pipeline setting, unless unset or turned off with `_none`. */
export function pipelineSetting(index: IndexState, key: string): string | undefined {
  const value = index.settings[key];
  return typeof value === "string" && value !== "" && value !== "_none" ? value : undefined;
}

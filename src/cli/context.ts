import type { Command } from "commander";
import { createBackend, type SearchBackend } from "../backends/index.ts";
import { loadConfig, searchUrl, serverUrl } from "../config/load.ts";
import { ApiClient, CliError } from "./client.ts";

export interface GlobalOptions {
  url?: string;
  config?: string;
}

/** The options given before the subcommand (`lodestone --url … dlc list-jobs`) or after it. */
export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

/** A client for the server named by --url, else by the configuration (file, LODESTONE_URL, host and port). */
export function apiClient(command: Command): ApiClient {
  const opts = globalOptions(command);
  if (opts.url) return new ApiClient(opts.url.replace(/\/+$/, ""));
  const { config } = loadConfig({ configFile: opts.config });
  return new ApiClient(serverUrl(config));
}

/**
 * A client for the Elasticsearch/OpenSearch-compatible API: `searchUrlFlag` when given, else the
 * search port the server at --url reports in GET /health (on the host of --url: the server only
 * knows its own bind address), else the configured search port on that host.
 */
export async function searchClient(command: Command, searchUrlFlag?: string): Promise<ApiClient> {
  if (searchUrlFlag) return new ApiClient(searchUrlFlag.replace(/\/+$/, ""));
  const opts = globalOptions(command);
  if (opts.url) {
    const reported = await reportedSearchPort(apiClient(command));
    if (reported) {
      const url = new URL(opts.url);
      return new ApiClient(`${url.protocol}//${url.hostname}:${reported}`);
    }
  }
  const { config } = loadConfig({ configFile: opts.config, flags: opts.url ? { url: opts.url } : {} });
  return new ApiClient(searchUrl(config));
}

/**
 * The OpenSearch cluster the configuration names (`search.backend: opensearch`, with its
 * credentials), or undefined when the search layer is the embedded engine.
 */
export function configuredCluster(command: Command): SearchBackend | undefined {
  const { config } = loadConfig({ configFile: globalOptions(command).config });
  if (config.search.backend !== "opensearch") return undefined;
  try {
    return createBackend(config.search, { embeddedUrl: searchUrl(config), platformUrl: serverUrl(config) });
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
}

/** The search API's port from the platform's /health, or undefined (older server, no answer). */
async function reportedSearchPort(platform: ApiClient): Promise<string | undefined> {
  try {
    const health = await platform.json<{ search_url?: string }>("GET", "/health");
    return health.search_url ? new URL(health.search_url).port || undefined : undefined;
  } catch {
    return undefined;
  }
}

import type { Command } from "commander";
import { loadConfig, searchUrl, serverUrl } from "../config/load.ts";
import { ApiClient } from "./client.ts";

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
 * configured search port on the host of --url (or of the configured server).
 */
export function searchClient(command: Command, searchUrlFlag?: string): ApiClient {
  if (searchUrlFlag) return new ApiClient(searchUrlFlag.replace(/\/+$/, ""));
  const opts = globalOptions(command);
  const { config } = loadConfig({ configFile: opts.config, flags: opts.url ? { url: opts.url } : {} });
  return new ApiClient(searchUrl(config));
}

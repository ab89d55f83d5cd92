/**
 * For `quickstart` and `workflow run`: the server at the configured URL when one answers,
 * otherwise a platform started in this process (stopped by the caller), and the search backend
 * the configuration names (the platform's embedded engine, or an OpenSearch cluster).
 */
import path from "node:path";
import { createBackend, type SearchBackend } from "../backends/index.ts";
import { searchUrl, serverUrl } from "../config/load.ts";
import type { LodestoneConfig } from "../config/schema.ts";
import { type RunningPlatform, startPlatform } from "../server/platform.ts";
import { ApiClient, CliError } from "./client.ts";

export interface Connection {
  api: ApiClient;
  search: SearchBackend;
  /** Set when this process started the platform. */
  running?: RunningPlatform;
}

async function isServing(client: ApiClient): Promise<boolean> {
  try {
    await client.json("GET", "/health");
    return true;
  } catch {
    return false;
  }
}

function backend(config: LodestoneConfig, embeddedUrl: string, platformUrl: string): SearchBackend {
  try {
    return createBackend(config.search, { embeddedUrl, platformUrl });
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
}

export async function connectOrStart(
  config: LodestoneConfig,
  say: (line: string) => void,
): Promise<Connection> {
  const api = new ApiClient(serverUrl(config));
  const onCluster =
    config.search.backend === "opensearch" ? `, searching on OpenSearch at ${config.search.url}` : "";
  if (await isServing(api)) {
    const search = backend(config, searchUrl(config), api.baseUrl);
    say(`• using the server already running at ${api.baseUrl}${onCluster}`);
    return { api, search };
  }
  const running = await startPlatform(config, { logFile: path.join(config.dataDir, "logs", "server.log") });
  let search: SearchBackend;
  try {
    search = backend(config, running.searchUrl, running.url);
  } catch (err) {
    await running.close();
    throw err;
  }
  say(
    `• started Lodestone at ${running.url} (data in ${config.dataDir}, log in logs/server.log)${onCluster}`,
  );
  return { api: new ApiClient(running.url), search, running };
}

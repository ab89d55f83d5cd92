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

/**
 * The configured backend; an OpenSearch cluster must answer before any work starts (a wrong URL
 * would otherwise show only after training), and says which version it runs.
 */
async function backend(
  config: LodestoneConfig,
  embeddedUrl: string,
  platformUrl: string,
  say: (line: string) => void,
): Promise<SearchBackend> {
  let search: SearchBackend;
  try {
    search = createBackend(config.search, { embeddedUrl, platformUrl });
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  if (search.kind === "embedded") return search;
  try {
    const cluster = await search.describe();
    say(
      `• searching on OpenSearch ${cluster.version} (cluster ${cluster.cluster_name}) at ${search.baseUrl}; models reach it through ${config.search.platformUrl || platformUrl}`,
    );
    return search;
  } catch (err) {
    await search.close();
    throw err;
  }
}

export async function connectOrStart(
  config: LodestoneConfig,
  say: (line: string) => void,
): Promise<Connection> {
  const api = new ApiClient(serverUrl(config));
  if (await isServing(api)) {
    say(`• using the server already running at ${api.baseUrl}`);
    return { api, search: await backend(config, searchUrl(config), api.baseUrl, say) };
  }
  const running = await startPlatform(config, { logFile: path.join(config.dataDir, "logs", "server.log") });
  say(`• started Lodestone at ${running.url} (data in ${config.dataDir}, log in logs/server.log)`);
  try {
    const search = await backend(config, running.searchUrl, running.url, say);
    return { api: new ApiClient(running.url), search, running };
  } catch (err) {
    await running.close();
    throw err;
  }
}

/**
 * For `quickstart` and `workflow run`: the server at the configured URL when one answers,
 * otherwise a platform started in this process (stopped by the caller).
 */
import path from "node:path";
import { searchUrl, serverUrl } from "../config/load.ts";
import type { LodestoneConfig } from "../config/schema.ts";
import { type RunningPlatform, startPlatform } from "../server/platform.ts";
import { ApiClient } from "./client.ts";

export interface Connection {
  api: ApiClient;
  search: ApiClient;
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

export async function connectOrStart(
  config: LodestoneConfig,
  say: (line: string) => void,
): Promise<Connection> {
  const api = new ApiClient(serverUrl(config));
  if (await isServing(api)) {
    say(`• using the server already running at ${api.baseUrl}`);
    return { api, search: new ApiClient(searchUrl(config)) };
  }
  const running = await startPlatform(config, { logFile: path.join(config.dataDir, "logs", "server.log") });
  say(`• started Lodestone at ${running.url} (data in ${config.dataDir}, log in logs/server.log)`);
  return { api: new ApiClient(running.url), search: new ApiClient(running.searchUrl), running };
}

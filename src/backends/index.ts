/** The backend the configuration names: `search.backend` with `search.url` and its credentials. */
import { LodestoneError } from "../common/errors.ts";
import type { LodestoneConfig } from "../config/schema.ts";
import { EmbeddedBackend } from "./embedded.ts";
import { OpenSearchBackend } from "./opensearch.ts";
import type { SearchBackend } from "./types.ts";

export type { BackendDescription, BackendKind, EndpointRef, SearchBackend } from "./types.ts";

export interface BackendPlace {
  /** The running platform's own search API (the embedded backend's default URL). */
  embeddedUrl: string;
  /** The running platform's API (the default of `search.platformUrl`). */
  platformUrl: string;
  env?: NodeJS.ProcessEnv;
}

const invalid = (key: string, message: string) => new LodestoneError(400, "InvalidConfig", message, key);

/** Reads the secret an `…Env` key names; an unset variable is an error naming it. */
function secret(env: NodeJS.ProcessEnv, key: string, name: string): string | undefined {
  if (!name) return undefined;
  const value = env[name];
  if (!value) throw invalid(key, `config: ${key} names the environment variable ${name}, which is not set`);
  return value;
}

/** Keys a server in this process takes from its own modules, by its search API's URL. */
const ownKeys = new Map<string, string>();

/**
 * Registers the key the search API at `url` takes from the platform that runs it (it asks for one
 * off loopback); embedded backends built for that URL without LODESTONE_API_KEY send it. Keyed by
 * URL, so several platforms in one process (tests) each use their own.
 */
export function registerOwnKey(url: string, key: string): () => void {
  const normalized = url.replace(/\/+$/, "");
  ownKeys.set(normalized, key);
  return () => ownKeys.delete(normalized);
}

export function createBackend(search: LodestoneConfig["search"], place: BackendPlace): SearchBackend {
  const env = place.env ?? process.env;
  const lodestoneKey = env.LODESTONE_API_KEY || undefined;
  if (search.backend === "embedded") {
    const url = search.url || place.embeddedUrl;
    return new EmbeddedBackend(url, lodestoneKey ?? ownKeys.get(url.replace(/\/+$/, "")));
  }
  if (!search.url)
    throw invalid(
      "search.url",
      "config: search.backend is opensearch but search.url is empty; give the cluster's URL (--search-url, search.url or LODESTONE_SEARCH_URL)",
    );
  return new OpenSearchBackend({
    url: search.url,
    username: search.username || undefined,
    password: secret(env, "search.passwordEnv", search.passwordEnv),
    apiKey: secret(env, "search.apiKeyEnv", search.apiKeyEnv),
    tlsRejectUnauthorized: search.tlsRejectUnauthorized,
    requestTimeoutMs: search.requestTimeoutMs,
    platform: { url: search.platformUrl || place.platformUrl, apiKey: lodestoneKey },
  });
}

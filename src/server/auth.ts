/**
 * API keys for both servers (the platform API and the search API): `lsk-` + 40 random base62
 * characters, sent as `Authorization: Bearer <key>`, `x-api-key: <key>` or Elasticsearch's
 * `Authorization: ApiKey base64(id:key)`. Only the SHA-256 of a key is stored, with its first
 * characters for display; the plain key is returned once, by `KeyStore.create`. A key has a scope
 * (read, search or admin, see scopes.ts) and a per-key request rate (rate-limit.ts).
 *
 * Policy: servers bound to a loopback address need no key unless `auth.required: true`; any
 * other bind address requires one unless `auth.required: false`. Health checks and the console's
 * static files are always open.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { IncomingMessage } from "node:http";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { badRequest, LodestoneError, notFound } from "../common/errors.ts";
import { newId } from "../common/ids.ts";
import type { LodestoneConfig } from "../config/schema.ts";
import type { Db } from "../state/db.ts";
import { errorBody } from "./errors.ts";
import type { Platform } from "./platform-types.ts";
import { TokenBuckets } from "./rate-limit.ts";
import { isKeyScope, KEY_SCOPES, type KeyScope, scopeAllows } from "./scopes.ts";

export { KEY_SCOPES, type KeyScope } from "./scopes.ts";

export const KEY_PREFIX = "lsk-";
const KEY_RANDOM_CHARS = 40;
/** `lsk-` and the first 8 random characters: enough to tell keys apart, useless to guess the rest. */
const DISPLAY_PREFIX_LENGTH = KEY_PREFIX.length + 8;
const KEY_PATTERN = /^lsk-[0-9A-Za-z]{40}$/;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** `last_used_at` is written at most this often per key, so busy keys do not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;
/** Routes answered without a key (route patterns as registered); the console's static files are
 * public too, its API calls carry the key (see web/src/api.ts). */
const PUBLIC_ROUTES = new Set([
  "/health",
  "/health/live",
  "/health/ready",
  "/",
  "/console",
  "/console/*",
  "/console/vendor/:name",
]);

export const CREATE_KEY_HINT = "lodestone keys create <name>";

/** What may be shown about a key: everything but the key. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  /** The first characters of the key, e.g. `lsk-a1B2c3D4`. */
  prefix: string;
  /** What the key may do: read (searches, answers), search (the search API), admin (everything). */
  scope: KeyScope;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  hash: string;
  scope: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export type VerifyResult =
  | { ok: true; key: ApiKeyInfo }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "revoked"; key: ApiKeyInfo };

/** A new random key: `lsk-` + 40 base62 characters (about 238 bits). */
export function generateKey(): string {
  let out = KEY_PREFIX;
  while (out.length < KEY_PREFIX.length + KEY_RANDOM_CHARS) {
    for (const byte of randomBytes(48)) {
      // 248 = 4 × 62: dropping larger bytes keeps every character equally likely
      if (byte < 248 && out.length < KEY_PREFIX.length + KEY_RANDOM_CHARS) out += BASE62[byte % 62];
    }
  }
  return out;
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

function toInfo(row: ApiKeyRow): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scope: isKeyScope(row.scope) ? row.scope : "read",
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** The keys of one platform database. */
export class KeyStore {
  constructor(private readonly db: Db) {}

  /** Creates a key. The returned `key` is the only time the plain key exists outside its holder. */
  create(name: string, scope: KeyScope = "admin"): { key: string; info: ApiKeyInfo } {
    if (!isKeyScope(scope)) {
      throw badRequest("InvalidParameter", `the scope must be one of ${KEY_SCOPES.join(", ")}`, "scope");
    }
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100 || /\p{Cc}/u.test(trimmed)) {
      throw badRequest(
        "InvalidParameter",
        "the key name must be 1 to 100 printable characters, e.g. ci or alice-laptop",
        "name",
      );
    }
    const key = generateKey();
    const row: ApiKeyRow = {
      id: newId("key-", 12),
      name: trimmed,
      prefix: key.slice(0, DISPLAY_PREFIX_LENGTH),
      hash: hashKey(key),
      scope,
      created_at: Date.now(),
      last_used_at: null,
      revoked_at: null,
    };
    this.db
      .prepare(
        "INSERT INTO api_keys (id, name, prefix, hash, scope, created_at) VALUES (@id, @name, @prefix, @hash, @scope, @created_at)",
      )
      .run(row);
    return { key, info: toInfo(row) };
  }

  /** Every key, revoked ones included, oldest first; never the key or its hash. */
  list(): ApiKeyInfo[] {
    const rows = this.db.prepare("SELECT * FROM api_keys ORDER BY created_at, id").all() as ApiKeyRow[];
    return rows.map(toInfo);
  }

  /** Whether any key can still be used. */
  hasActiveKeys(): boolean {
    return this.db.prepare("SELECT 1 FROM api_keys WHERE revoked_at IS NULL LIMIT 1").get() !== undefined;
  }

  /**
   * Finds one key by its id (`key-…`) or by its displayed prefix (`lsk-a1B2c3D4`, a trailing `…`
   * allowed, or a shorter unambiguous start of it).
   */
  find(idOrPrefix: string): ApiKeyInfo {
    const wanted = idOrPrefix.trim().replace(/(…|\.\.\.)$/, "");
    const byId = this.db.prepare("SELECT * FROM api_keys WHERE id = ?").get(wanted) as ApiKeyRow | undefined;
    if (byId) return toInfo(byId);
    if (wanted.startsWith(KEY_PREFIX) && wanted.length > KEY_PREFIX.length) {
      const start = wanted.slice(0, DISPLAY_PREFIX_LENGTH);
      const rows = (
        this.db
          .prepare("SELECT * FROM api_keys WHERE substr(prefix, 1, ?) = ?")
          .all(start.length, start) as ApiKeyRow[]
      ).filter((row) => wanted.length <= DISPLAY_PREFIX_LENGTH || row.hash === hashKey(wanted));
      if (rows.length > 1) {
        const which = rows.map((r) => `${r.id} (${r.prefix}…, ${r.name})`).join(", ");
        throw new LodestoneError(
          409,
          "AmbiguousKey",
          `${idOrPrefix} matches ${rows.length} keys: ${which}; give the id or the whole prefix`,
        );
      }
      if (rows[0]) return toInfo(rows[0]);
    }
    throw notFound(
      "KeyNotFound",
      `no API key ${JSON.stringify(idOrPrefix)}; give an id (key-…) or a prefix (lsk-…) from "lodestone keys list"`,
    );
  }

  /** Revokes a key by id or prefix; revoking a revoked key changes nothing. */
  revoke(idOrPrefix: string): ApiKeyInfo {
    const key = this.find(idOrPrefix);
    if (key.revokedAt !== null) return key;
    const now = Date.now();
    this.db
      .prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
      .run(now, key.id);
    return { ...key, revokedAt: now };
  }

  /** Checks a presented key, comparing SHA-256 digests in constant time. */
  verify(presented: string): VerifyResult {
    if (!KEY_PATTERN.test(presented)) return { ok: false, reason: "invalid" };
    const digest = Buffer.from(hashKey(presented), "hex");
    const rows = this.db
      .prepare("SELECT * FROM api_keys WHERE prefix = ?")
      .all(presented.slice(0, DISPLAY_PREFIX_LENGTH)) as ApiKeyRow[];
    let match: ApiKeyRow | undefined;
    for (const row of rows) {
      if (timingSafeEqual(Buffer.from(row.hash, "hex"), digest)) match = row;
    }
    if (!match) return { ok: false, reason: "invalid" };
    if (match.revoked_at !== null) return { ok: false, reason: "revoked", key: toInfo(match) };
    const now = Date.now();
    if (match.last_used_at === null || now - match.last_used_at >= LAST_USED_RESOLUTION_MS) {
      this.db.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?").run(now, match.id);
      match.last_used_at = now;
    }
    return { ok: true, key: toInfo(match) };
  }
}

/** `127.0.0.1` (and all of 127/8), `::1`, `localhost`, IPv4-mapped loopback. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost" || h.endsWith(".localhost") || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = h.startsWith("::ffff:") ? h.slice(7) : h;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Whether the platform API asks for a key: `auth.required` if set, else unless bound to loopback. */
export function authRequired(config: LodestoneConfig): boolean {
  return config.auth?.required ?? !isLoopbackHost(config.host);
}

/**
 * The key a request presents: `Authorization: Bearer <key>`, Elasticsearch's
 * `Authorization: ApiKey base64(<id>:<key>)` (or the key itself), else `x-api-key`.
 */
export function presentedKey(headers: FastifyRequest["headers"]): string | undefined {
  const authorization = headers.authorization;
  if (authorization) {
    const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (bearer) return bearer[1];
    const apiKey = /^ApiKey[ \t]+(\S+)[ \t]*$/i.exec(authorization)?.[1];
    if (apiKey) {
      if (KEY_PATTERN.test(apiKey)) return apiKey;
      const decoded = Buffer.from(apiKey, "base64").toString("utf8");
      return decoded.slice(decoded.indexOf(":") + 1);
    }
    // a malformed Authorization header is a wrong key, not a missing one
    return "";
  }
  const header = headers["x-api-key"];
  return typeof header === "string" ? header.trim() : undefined;
}

/** Why a request is refused: its HTTP status, a code, a message saying what to do. */
export interface Refusal {
  status: 401 | 403 | 429;
  code: "invalid_api_key" | "insufficient_scope" | "rate_limited";
  message: string;
  /** Seconds until a rate-limited key may try again. */
  retryAfter?: number;
}

/**
 * The one key policy of both servers: which requests need a key, which keys are valid, what their
 * scope allows and how fast they may call. Keys are read from the database on each request, so
 * keys created or revoked with `lodestone keys` take effect without a restart.
 */
export class KeyGuard {
  readonly required: boolean;
  private readonly keys: KeyStore;
  private readonly internalKeyHash: Buffer;
  private readonly buckets: TokenBuckets;

  constructor(platform: Platform, buckets?: TokenBuckets) {
    this.required = authRequired(platform.config);
    this.keys = new KeyStore(platform.db);
    this.internalKeyHash = Buffer.from(hashKey(platform.internalApiKey));
    const { ratePerKey, rateBurst } = platform.config.limits;
    this.buckets = buckets ?? new TokenBuckets(ratePerKey, rateBurst);
  }

  hasActiveKeys(): boolean {
    return this.keys.hasActiveKeys();
  }

  /** Undefined when the request may go on. `server` says which API the route belongs to. */
  check(request: FastifyRequest, server: "platform" | "search"): Refusal | undefined {
    if (!this.required) return undefined;
    // the search API's in-process callers (tuning's app.inject): no network request can be one
    if (server === "search" && !(request.raw instanceof IncomingMessage)) return undefined;
    const route = request.routeOptions.url;
    if (server === "platform" && route !== undefined && PUBLIC_ROUTES.has(route)) return undefined;
    const presented = presentedKey(request.headers);
    if (presented === undefined) {
      return {
        status: 401,
        code: "invalid_api_key",
        message: `this server requires an API key: send "Authorization: Bearer <key>" or "x-api-key: <key>"; create a key on the server's machine with "${CREATE_KEY_HINT}"`,
      };
    }
    // the platform's own key for its jobs (in memory only, new at every start): admin, not limited
    if (timingSafeEqual(Buffer.from(hashKey(presented)), this.internalKeyHash)) return undefined;
    const result = this.keys.verify(presented);
    if (!result.ok) {
      return {
        status: 401,
        code: "invalid_api_key",
        message:
          result.reason === "revoked"
            ? `the API key ${result.key.prefix}… was revoked; create a new one with "${CREATE_KEY_HINT}"`
            : `invalid API key: keys look like lsk-… and are shown once by "${CREATE_KEY_HINT}" (see "lodestone keys list")`,
      };
    }
    const { key } = result;
    if (!scopeAllows(key.scope, server, request.method, route ?? request.url)) {
      return {
        status: 403,
        code: "insufficient_scope",
        message: `the API key ${key.prefix}… has scope "${key.scope}", which does not allow ${request.method} ${route ?? request.url.split("?")[0]} on the ${server} API; use a key with a wider scope ("${CREATE_KEY_HINT} --scope admin")`,
      };
    }
    const wait = this.buckets.take(key.id);
    if (wait > 0) {
      const retryAfter = Math.max(1, Math.ceil(wait / 1000));
      return {
        status: 429,
        code: "rate_limited",
        message: `the API key ${key.prefix}… sent more than ${this.buckets.ratePerSecond} requests per second (burst ${this.buckets.burst}); retry after ${retryAfter} s, or raise limits.ratePerKey`,
        retryAfter,
      };
    }
    return undefined;
  }
}

function warnAboutPolicy(app: FastifyInstance, platform: Platform, guard: KeyGuard, what: string): void {
  const { config } = platform;
  if (!guard.required) {
    if (config.auth?.required === false && !isLoopbackHost(config.host)) {
      app.log.warn(
        `auth.required is false: the ${what} on ${config.host} accepts requests without an API key`,
      );
    }
  } else if (!guard.hasActiveKeys()) {
    app.log.warn(
      `the ${what} requires an API key (host ${config.host}) and none exists yet; create one with "${CREATE_KEY_HINT}"`,
    );
  }
}

/**
 * Installs the key check on every platform route but the public ones (and on unknown routes, so
 * they do not reveal what exists), answering in the platform's error shape.
 */
export function installAuth(app: FastifyInstance, platform: Platform, guard = new KeyGuard(platform)): void {
  warnAboutPolicy(app, platform, guard, "platform API");
  if (!guard.required) return;
  app.addHook("onRequest", async (request, reply) => {
    const refusal = guard.check(request, "platform");
    if (!refusal) return;
    if (refusal.status === 401) reply.header("www-authenticate", 'Bearer realm="lodestone"');
    if (refusal.retryAfter !== undefined) reply.header("retry-after", String(refusal.retryAfter));
    return reply
      .code(refusal.status)
      .send(errorBody(refusal.status, refusal.code, refusal.message, null, request.id));
  });
}

/** Elasticsearch's error types for the refusals, so ES clients report them as they would a cluster's. */
const SEARCH_ERROR_TYPE: Record<Refusal["status"], string> = {
  401: "security_exception",
  403: "security_exception",
  429: "es_rejected_execution_exception",
};

/**
 * The same check on every route of the search API (unknown routes included), answering in
 * Elasticsearch's error shape. Installed by the platform on the search server (search/ imports
 * nothing of server/).
 */
export function installSearchAuth(
  app: FastifyInstance,
  platform: Platform,
  guard = new KeyGuard(platform),
): void {
  warnAboutPolicy(app, platform, guard, "search API");
  if (!guard.required) return;
  app.addHook("onRequest", async (request, reply) => {
    const refusal = guard.check(request, "search");
    if (!refusal) return;
    if (refusal.status === 401) reply.header("www-authenticate", 'ApiKey, Bearer realm="lodestone"');
    if (refusal.retryAfter !== undefined) reply.header("retry-after", String(refusal.retryAfter));
    const cause = { type: SEARCH_ERROR_TYPE[refusal.status], reason: refusal.message };
    return reply
      .code(refusal.status)
      .header("content-type", "application/json; charset=UTF-8")
      .send(JSON.stringify({ error: { root_cause: [cause], ...cause }, status: refusal.status }));
  });
}

/**
 * API keys for the platform API: `lsk-` + 40 random base62 characters, sent as
 * `Authorization: Bearer <key>` or `x-api-key: <key>`. Only the SHA-256 of a key is stored, with
 * its first characters for display; the plain key is returned once, by `KeyStore.create`.
 *
 * Policy: a server bound to a loopback address needs no key unless `auth.required: true`; any
 * other bind address requires one unless `auth.required: false`. `GET /health` is always open.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { badRequest, LodestoneError, notFound } from "../common/errors.ts";
import { newId } from "../common/ids.ts";
import type { LodestoneConfig } from "../config/schema.ts";
import type { Db } from "../state/db.ts";
import { errorBody } from "./errors.ts";
import type { Platform } from "./platform-types.ts";

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
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  hash: string;
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
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** The keys of one platform database. */
export class KeyStore {
  constructor(private readonly db: Db) {}

  /** Creates a key. The returned `key` is the only time the plain key exists outside its holder. */
  create(name: string): { key: string; info: ApiKeyInfo } {
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
      created_at: Date.now(),
      last_used_at: null,
      revoked_at: null,
    };
    this.db
      .prepare(
        "INSERT INTO api_keys (id, name, prefix, hash, created_at) VALUES (@id, @name, @prefix, @hash, @created_at)",
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

/** The key a request presents: `Authorization: Bearer <key>`, else `x-api-key`. */
function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization) {
    const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    // a malformed Authorization header is a wrong key, not a missing one
    return bearer?.[1] ?? "";
  }
  const header = request.headers["x-api-key"];
  return typeof header === "string" ? header.trim() : undefined;
}

function refuse(request: FastifyRequest, reply: FastifyReply, message: string): FastifyReply {
  return reply
    .code(401)
    .header("www-authenticate", 'Bearer realm="lodestone"')
    .send(errorBody(401, "invalid_api_key", message, null, request.id));
}

/**
 * Installs the API key check on every route but the public ones (and on unknown routes, so they
 * do not reveal what exists). Keys are read from the database on each request, so keys created
 * or revoked with `lodestone keys` take effect without a restart.
 */
export function installAuth(app: FastifyInstance, platform: Platform): void {
  const { config } = platform;
  if (!authRequired(config)) {
    if (config.auth?.required === false && !isLoopbackHost(config.host)) {
      app.log.warn(
        `auth.required is false: the platform API on ${config.host} accepts requests without an API key`,
      );
    }
    return;
  }
  const keys = new KeyStore(platform.db);
  const internalKeyHash = Buffer.from(hashKey(platform.internalApiKey));
  if (!keys.hasActiveKeys()) {
    app.log.warn(
      `the platform API requires an API key (host ${config.host}) and none exists yet; create one with "${CREATE_KEY_HINT}"`,
    );
  }
  app.addHook("onRequest", async (request, reply) => {
    if (request.routeOptions.url !== undefined && PUBLIC_ROUTES.has(request.routeOptions.url)) return;
    const presented = presentedKey(request);
    if (presented === undefined) {
      return refuse(
        request,
        reply,
        `this server requires an API key: send "Authorization: Bearer <key>" or "x-api-key: <key>"; create a key on the server's machine with "${CREATE_KEY_HINT}"`,
      );
    }
    // the platform's own key for its jobs (in memory only, new at every start)
    if (timingSafeEqual(Buffer.from(hashKey(presented)), internalKeyHash)) return;
    const result = keys.verify(presented);
    if (result.ok) return;
    if (result.reason === "revoked") {
      return refuse(
        request,
        reply,
        `the API key ${result.key.prefix}… was revoked; create a new one with "${CREATE_KEY_HINT}"`,
      );
    }
    return refuse(
      request,
      reply,
      `invalid API key: keys look like lsk-… and are shown once by "${CREATE_KEY_HINT}" (see "lodestone keys list")`,
    );
  });
}

/**
 * Datasources: where an instance's catalog comes from: an Elasticsearch/OpenSearch index (the
 * embedded engine, or a cluster the config allows), or a CSV/JSONL file in object storage or in an
 * allowed folder. Remote endpoints are checked against `recommend.allowedEndpoints`, so an API call
 * cannot make the server send requests to an arbitrary host.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { badRequest, notFound } from "../common/errors.ts";
import type { Db } from "../state/db.ts";
import { parseOssUrl } from "../storage/oss-url.ts";
import type { SyncCounts } from "./catalog.ts";
import type { DatasourceInput, FieldMapInput } from "./schema.ts";

export interface SyncState {
  state: "pending" | "syncing" | "synced" | "failed";
  last_started_at?: number;
  last_finished_at?: number;
  last_counts?: SyncCounts;
  items?: number;
  message?: string;
}

export type Datasource = DatasourceInput & {
  datasource_id: string;
  instance_id: string;
  created_at: number;
  /** For elasticsearch: whether `endpoint` is this platform's embedded engine. */
  embedded?: boolean;
  sync: SyncState;
};

/** Where a datasource's endpoint may point. */
export interface EndpointPolicy {
  /** The embedded engine's URL (always allowed). */
  embeddedUrl: string;
  /** URL prefixes allowed besides it (config `recommend.allowedEndpoints`, plus `search.url`). */
  allowed: string[];
  /** Folders a `file` datasource may read (the data directory and `recommend.fileRoots`). */
  fileRoots: string[];
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1", "0.0.0.0"]);

/** Parses an endpoint given with or without a scheme ("127.0.0.1:9200" is http). */
export function endpointUrl(endpoint: string, param = "endpoint"): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `http://${endpoint}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw badRequest(
      "InvalidEndpoint",
      `${param}: ${JSON.stringify(endpoint)} is not a URL such as http://127.0.0.1:9200`,
      param,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw badRequest(
      "InvalidEndpoint",
      `${param}: expected an http:// or https:// URL, got ${url.protocol}`,
      param,
    );
  return url;
}

const hostPort = (u: URL) =>
  `${LOOPBACK.has(u.hostname) ? "loopback" : u.hostname}:${u.port || (u.protocol === "https:" ? "443" : "80")}`;

/** Whether `endpoint` is the embedded engine; throws a 400 when it is neither that nor allowed. */
export function checkEndpoint(endpoint: string, policy: EndpointPolicy): { embedded: boolean; url: string } {
  const url = endpointUrl(endpoint);
  if (hostPort(url) === hostPort(new URL(policy.embeddedUrl)))
    return { embedded: true, url: policy.embeddedUrl };
  const text = url.toString().replace(/\/$/, "");
  const allowed = policy.allowed.some((prefix) => {
    const p = endpointUrl(prefix, "recommend.allowedEndpoints");
    return (
      hostPort(p) === hostPort(url) && p.protocol === url.protocol && url.pathname.startsWith(p.pathname)
    );
  });
  if (!allowed)
    throw badRequest(
      "EndpointNotAllowed",
      `endpoint ${text} is not this platform's search engine (${policy.embeddedUrl}) nor in the config's recommend.allowedEndpoints; an administrator adds it there (LODESTONE_CONFIG file) to allow it`,
      "endpoint",
    );
  return { embedded: false, url: text };
}

/** Checks a file/oss path: a valid oss:// URL, or a file under an allowed folder. */
export function checkPath(input: { type: "file" | "oss"; path: string }, policy: EndpointPolicy): string {
  if (input.type === "oss") {
    parseOssUrl(input.path, "path");
    return input.path;
  }
  const resolved = path.resolve(input.path);
  const inside = policy.fileRoots.some((root) => {
    const rel = path.relative(path.resolve(root), resolved);
    return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
  });
  if (!inside)
    throw badRequest(
      "PathNotAllowed",
      `path ${resolved} is outside the folders file datasources may read (${policy.fileRoots.join(", ")}); put it in object storage and use type "oss", or add its folder to recommend.fileRoots`,
      "path",
    );
  return resolved;
}

/** The catalog fields a datasource reads, with defaults that suit a RAG index (rag-docs). */
export interface FieldMap {
  item_id: string;
  title: string[];
  category: string[];
  time: string[];
  status: string[];
  vector?: string;
}

export function fieldMap(input: FieldMapInput | undefined, itemIdField: string, es: boolean): FieldMap {
  const f = input ?? {};
  return {
    item_id: f.item_id ?? (es ? "_id" : itemIdField),
    title: f.title ? [f.title] : ["title", "name"],
    category: f.category ? [f.category] : ["category", "genres", "source", "section"],
    time: f.time ? [f.time] : ["time", "modified_at", "ingested_at", "timestamp", "created_at"],
    status: f.status ? [f.status] : ["status"],
    vector: f.vector,
  };
}

export class DatasourceStore {
  /** Lists by instance ("" = all), read on every recommendation; dropped on any change. */
  private readonly cache = new Map<string, Datasource[]>();

  constructor(private readonly db: Db) {}

  create(instanceId: string, input: DatasourceInput, embedded?: boolean): Datasource {
    const ds: Datasource = {
      ...input,
      datasource_id: `ds-${randomBytes(6).toString("hex")}`,
      instance_id: instanceId,
      created_at: Date.now(),
      ...(embedded !== undefined && { embedded }),
      sync: { state: "pending" },
    };
    const { sync, ...body } = ds;
    this.db
      .prepare("INSERT INTO rec_datasources (id, instance_id, body, sync, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(ds.datasource_id, instanceId, JSON.stringify(body), JSON.stringify(sync), ds.created_at);
    this.cache.clear();
    return ds;
  }

  list(instanceId?: string): Datasource[] {
    const cached = this.cache.get(instanceId ?? "");
    if (cached) return cached;
    const rows = (
      instanceId === undefined
        ? this.db.prepare("SELECT body, sync FROM rec_datasources ORDER BY created_at").all()
        : this.db
            .prepare("SELECT body, sync FROM rec_datasources WHERE instance_id = ? ORDER BY created_at")
            .all(instanceId)
    ) as { body: string; sync: string }[];
    const list = rows.map((r) => ({ ...JSON.parse(r.body), sync: JSON.parse(r.sync) }));
    this.cache.set(instanceId ?? "", list);
    return list;
  }

  get(instanceId: string, id: string): Datasource {
    const found = this.list(instanceId).find((d) => d.datasource_id === id);
    if (!found)
      throw notFound(
        "DatasourceNotFound",
        `no datasource ${id} in ${instanceId}; GET /v2/instances/${instanceId}/datasources lists them`,
        "datasource_id",
      );
    return found;
  }

  /** Forgets cached lists (after an instance and, by cascade, its datasources were deleted). */
  forget(): void {
    this.cache.clear();
  }

  setSync(id: string, sync: SyncState): void {
    this.db.prepare("UPDATE rec_datasources SET sync = ? WHERE id = ?").run(JSON.stringify(sync), id);
    this.cache.clear();
  }

  delete(instanceId: string, id: string): void {
    this.get(instanceId, id);
    this.db.transaction(() => {
      this.db
        .prepare("DELETE FROM rec_items WHERE instance_id = ? AND datasource_id = ?")
        .run(instanceId, id);
      this.db.prepare("DELETE FROM rec_datasources WHERE id = ?").run(id);
    })();
    this.cache.clear();
  }
}

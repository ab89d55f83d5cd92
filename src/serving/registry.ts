/**
 * The model registry (Bailian-style `m-…` ids): registering copies a model folder from object
 * storage into the data directory (so later changes to the bucket cannot change a deployed
 * model), validates it with the models module's loader (a missing or inconsistent file → 400
 * naming it), and records name, version (1, 2, … for the same name), kind and config. Built-in
 * models are always listed and cannot be deleted.
 */
import fs from "node:fs";
import path from "node:path";
import { badRequest, conflict, notFound } from "../common/errors.ts";
import { newId } from "../common/ids.ts";
import { loadModelFolder, ModelFolderError } from "../models/artifacts.ts";
import { BASE_EMBEDDER_NAME } from "../models/base-embedder.ts";
import type { Db } from "../state/db.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import { isOssUrl, parseOssUrl } from "../storage/oss-url.ts";
import { downloadToDirectory } from "../storage/transfer.ts";
import { ANSWERER_MODEL } from "./answerer.ts";
import { type ConnectorSpec, connectorClient, connectorKind, probeConnector } from "./connector-models.ts";
import { LODESTONE_CONNECTOR } from "./endpoints.ts";

export type ModelKind = "embedding" | "reranker" | "chat";

export interface ModelRecord {
  id: string;
  name: string;
  version: number;
  kind: ModelKind;
  /** `oss://…` it was registered from, or `builtin`. */
  source: string;
  config: Record<string, unknown>;
  createdAt: number;
  builtin: boolean;
}

export const BUILTIN_MODELS: readonly ModelRecord[] = [
  {
    id: `m-${BASE_EMBEDDER_NAME}`,
    name: BASE_EMBEDDER_NAME,
    version: 1,
    kind: "embedding",
    source: "builtin",
    config: { architecture: "lodestone-dual-encoder", dimension: 768, similarity: "cosine", trained: false },
    createdAt: 0,
    builtin: true,
  },
  {
    id: `m-${ANSWERER_MODEL}`,
    name: ANSWERER_MODEL,
    version: 1,
    kind: "chat",
    source: "builtin",
    config: { architecture: "lodestone-extractive-answerer" },
    createdAt: 0,
    builtin: true,
  },
];

interface ModelRow {
  id: string;
  name: string;
  version: number;
  kind: ModelKind;
  source: string;
  config: string;
  created_at: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class ModelRegistry {
  constructor(
    private readonly db: Db,
    private readonly objects: ObjectStore,
    /** Where registered model folders are kept: `<modelsDir>/<model_id>/`. */
    private readonly modelsDir: string,
  ) {
    this.removeUnrecorded();
  }

  /**
   * Registration copies the files first and records the model last, so a crash in between leaves
   * a folder no record points to (often half-copied): removed when the registry opens.
   */
  private removeUnrecorded(): void {
    if (!fs.existsSync(this.modelsDir)) return;
    const known = new Set(
      (this.db.prepare("SELECT id FROM models").all() as Array<{ id: string }>).map((r) => r.id),
    );
    for (const entry of fs.readdirSync(this.modelsDir, { withFileTypes: true }))
      if (entry.isDirectory() && entry.name.startsWith("m-") && !known.has(entry.name))
        fs.rmSync(path.join(this.modelsDir, entry.name), { recursive: true, force: true });
  }

  async register(name: string, ossPath: string): Promise<ModelRecord> {
    checkName(name);
    if (!isOssUrl(ossPath))
      throw badRequest(
        "invalid_oss_path",
        `oss_path must be an oss://bucket/prefix/ URL, got ${ossPath}`,
        "oss_path",
      );
    const id = newId("m-", 12);
    const dir = path.join(this.modelsDir, id);
    const url = parseOssUrl(ossPath.endsWith("/") ? ossPath : `${ossPath}/`, "oss_path");
    try {
      fs.mkdirSync(dir, { recursive: true });
      await downloadToDirectory(this.objects, url, dir);
      if (fs.readdirSync(dir).length === 0)
        throw badRequest(
          "model_files_missing",
          `${ossPath} holds no files: expected a model folder (config.json, …)`,
          "oss_path",
        );
      let loaded: Awaited<ReturnType<typeof loadModelFolder>>;
      try {
        loaded = await loadModelFolder(dir);
      } catch (err) {
        if (err instanceof ModelFolderError)
          throw badRequest("invalid_model", `${ossPath}: ${err.message}`, "oss_path");
        throw err;
      }
      const version = this.nextVersion(name);
      const record: ModelRecord = {
        id,
        name,
        version,
        kind: loaded.kind,
        source: ossPath,
        config: loaded.config as unknown as Record<string, unknown>,
        createdAt: Date.now(),
        builtin: false,
      };
      this.db
        .prepare(
          "INSERT INTO models (id, name, version, kind, source, config, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .run(id, name, version, record.kind, ossPath, JSON.stringify(record.config), record.createdAt);
      return record;
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * Registers an upstream server as a model after probing it (see connector-models.ts); `apiKey`
   * is an ML Commons connector's credential (used for the probe, not stored with the model).
   */
  async registerConnector(name: string, spec: ConnectorSpec, apiKey?: string): Promise<ModelRecord> {
    checkName(name);
    const { api_key_env, ...rest } = spec;
    const probed = await probeConnector(connectorClient(name, spec, apiKey), spec);
    const config: Record<string, unknown> = { ...rest, ...(api_key_env ? { api_key_env } : {}) };
    if (probed.dimension !== undefined) config.dimension = probed.dimension;
    return this.insert(newId("m-", 12), name, connectorKind(spec.type), `connector:${spec.type}`, config);
  }

  /**
   * Registers a remote model whose connector calls one of this platform's endpoints (or models):
   * `target` serves it (see `aliasTarget`); `kind` and `dimension` are the target's.
   */
  registerAlias(
    name: string,
    target: { id: string; kind: ModelKind; dimension?: number; connectorId: string; url: string },
  ): ModelRecord {
    checkName(name);
    const config: Record<string, unknown> = {
      type: "lodestone",
      base_url: target.url,
      model: target.id,
      target: target.id,
      connector_id: target.connectorId,
      ...(target.dimension ? { dimension: target.dimension } : {}),
    };
    return this.insert(newId("m-", 12), name, target.kind, LODESTONE_CONNECTOR, config);
  }

  private insert(
    id: string,
    name: string,
    kind: ModelKind,
    source: string,
    config: Record<string, unknown>,
  ): ModelRecord {
    const record: ModelRecord = {
      id,
      name,
      version: this.nextVersion(name),
      kind,
      source,
      config,
      createdAt: Date.now(),
      builtin: false,
    };
    this.db
      .prepare(
        "INSERT INTO models (id, name, version, kind, source, config, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(id, name, record.version, kind, source, JSON.stringify(config), record.createdAt);
    return record;
  }

  list(): ModelRecord[] {
    const rows = this.db.prepare("SELECT * FROM models ORDER BY created_at, id").all() as ModelRow[];
    return [...BUILTIN_MODELS, ...rows.map(fromRow)];
  }

  get(id: string): ModelRecord {
    const found = this.find(id);
    if (!found)
      throw notFound("model_not_found", `no model ${id}; list them with GET /v1/models`, "model_id");
    return found;
  }

  find(id: string): ModelRecord | undefined {
    const builtin = BUILTIN_MODELS.find((m) => m.id === id);
    if (builtin) return builtin;
    const row = this.db.prepare("SELECT * FROM models WHERE id = ?").get(id) as ModelRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** The newest version registered under `name` (built-ins included). */
  latestByName(name: string): ModelRecord | undefined {
    const builtin = BUILTIN_MODELS.find((m) => m.name === name);
    if (builtin) return builtin;
    const row = this.db
      .prepare("SELECT * FROM models WHERE name = ? ORDER BY version DESC LIMIT 1")
      .get(name) as ModelRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** The folder a registered model's files were copied to. */
  folder(id: string): string {
    return path.join(this.modelsDir, id);
  }

  /** Deletes a registered model; `inUse` names the endpoints still serving it (refused then). */
  delete(id: string, inUse: string[]): void {
    const model = this.get(id);
    if (model.builtin)
      throw badRequest("builtin_model", `${model.name} is built in and cannot be deleted`, "model_id");
    if (inUse.length)
      throw conflict(
        "model_in_use",
        `model ${id} is served by endpoint${inUse.length > 1 ? "s" : ""} ${inUse.join(", ")}; delete ${inUse.length > 1 ? "them" : "it"} first (DELETE /v1/endpoints/{id})`,
        "model_id",
      );
    this.db.prepare("DELETE FROM models WHERE id = ?").run(id);
    fs.rmSync(this.folder(id), { recursive: true, force: true });
  }

  private nextVersion(name: string): number {
    const row = this.db.prepare("SELECT MAX(version) AS v FROM models WHERE name = ?").get(name) as {
      v: number | null;
    };
    return (row.v ?? 0) + 1;
  }
}

function checkName(name: string): void {
  if (!NAME.test(name))
    throw badRequest(
      "invalid_model_name",
      "model_name must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit",
      "model_name",
    );
  if (BUILTIN_MODELS.some((m) => m.name === name))
    throw conflict(
      "model_exists",
      `${name} is a built-in model; register yours under another name`,
      "model_name",
    );
}

function fromRow(row: ModelRow): ModelRecord {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    kind: row.kind,
    source: row.source,
    config: JSON.parse(row.config) as Record<string, unknown>,
    createdAt: row.created_at,
    builtin: false,
  };
}

/**
 * Recommendation instances (AIRec's `airec-…`: one catalog, one behaviour log, one set of models)
 * and their scenes (named defaults for filters and strategy, e.g. "home" or "related").
 */
import { randomBytes } from "node:crypto";
import { conflict, notFound } from "../common/errors.ts";
import type { Db } from "../state/db.ts";
import { parseFilter } from "./filters.ts";
import {
  type BehaviorType,
  DEFAULT_BEHAVIOR_WEIGHTS,
  type InstanceInput,
  type SceneInput,
} from "./schema.ts";

export interface Instance {
  instance_id: string;
  name: string;
  type: string;
  item_id_field: string;
  behavior_weights: Record<BehaviorType, number>;
  created_at: number;
}

export type Scene = SceneInput & { instance_id: string; created_at: number };

export const newInstanceId = () => `airec-${randomBytes(8).toString("hex")}`;

export class InstanceStore {
  /** Instances read on every request; an entry is dropped when its instance is deleted. */
  private readonly cache = new Map<string, Instance>();

  constructor(private readonly db: Db) {}

  create(input: InstanceInput): Instance {
    const id = input.instance_id ?? newInstanceId();
    if (this.find(id))
      throw conflict(
        "InstanceExists",
        `instance ${id} already exists; delete it first or choose another id`,
        "instance_id",
      );
    const instance: Instance = {
      instance_id: id,
      name: input.name ?? id,
      type: input.type ?? "content",
      item_id_field: input.item_id_field ?? "item_id",
      behavior_weights: { ...DEFAULT_BEHAVIOR_WEIGHTS, ...input.behavior_weights },
      created_at: Date.now(),
    };
    this.db
      .prepare("INSERT INTO rec_instances (id, body, created_at, updated_at) VALUES (?, ?, ?, ?)")
      .run(id, JSON.stringify(instance), instance.created_at, instance.created_at);
    return instance;
  }

  list(): Instance[] {
    return (
      this.db.prepare("SELECT body FROM rec_instances ORDER BY created_at").all() as { body: string }[]
    ).map((r) => JSON.parse(r.body));
  }

  find(id: string): Instance | undefined {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const row = this.db.prepare("SELECT body FROM rec_instances WHERE id = ?").get(id) as
      | { body: string }
      | undefined;
    const found = row && (JSON.parse(row.body) as Instance);
    if (found) this.cache.set(id, found);
    return found;
  }

  get(id: string, param = "instance_id"): Instance {
    const found = this.find(id);
    if (!found)
      throw notFound(
        "InstanceNotFound",
        `no recommendation instance ${id}; create one with POST /v2/instances`,
        param,
      );
    return found;
  }

  /** Deletes the instance with its scenes, datasources, catalog and behaviours (foreign keys cascade). */
  delete(id: string): void {
    this.get(id);
    this.db.prepare("DELETE FROM rec_instances WHERE id = ?").run(id);
    this.cache.delete(id);
  }

  createScene(instanceId: string, input: SceneInput): Scene {
    this.get(instanceId);
    if (input.filter) parseFilter(input.filter, "filter");
    const scene: Scene = { ...input, instance_id: instanceId, created_at: Date.now() };
    const done = this.db
      .prepare(
        "INSERT OR IGNORE INTO rec_scenes (instance_id, scene_id, body, created_at) VALUES (?, ?, ?, ?)",
      )
      .run(instanceId, input.scene_id, JSON.stringify(scene), scene.created_at);
    if (done.changes === 0)
      throw conflict(
        "SceneExists",
        `scene ${input.scene_id} already exists in ${instanceId}; delete it first to change it`,
        "scene_id",
      );
    return scene;
  }

  scenes(instanceId: string): Scene[] {
    this.get(instanceId);
    return (
      this.db
        .prepare("SELECT body FROM rec_scenes WHERE instance_id = ? ORDER BY scene_id")
        .all(instanceId) as { body: string }[]
    ).map((r) => JSON.parse(r.body));
  }

  scene(instanceId: string, sceneId: string, param = "scene"): Scene {
    const row = this.db
      .prepare("SELECT body FROM rec_scenes WHERE instance_id = ? AND scene_id = ?")
      .get(instanceId, sceneId) as { body: string } | undefined;
    if (!row)
      throw notFound(
        "SceneNotFound",
        `no scene ${sceneId} in ${instanceId}; create it with POST /v2/instances/${instanceId}/scenes`,
        param,
      );
    return JSON.parse(row.body);
  }

  deleteScene(instanceId: string, sceneId: string): void {
    this.scene(instanceId, sceneId, "scene_id");
    this.db.prepare("DELETE FROM rec_scenes WHERE instance_id = ? AND scene_id = ?").run(instanceId, sceneId);
  }
}

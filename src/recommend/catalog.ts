/**
 * The catalog of an instance: the items its datasources sync (title, category, time, status and a
 * fingerprint of the source record), and the content neighbours computed for them. Serving reads a
 * snapshot kept in memory, rebuilt after each sync that changed something.
 */
import type { Db } from "../state/db.ts";
import type { FilterableItem } from "./filters.ts";

export interface CatalogItem extends FilterableItem {
  datasource_id: string;
  /** Whether the item may be recommended (its status is one of the datasource's active values). */
  active: boolean;
  hash: string;
  added_at: number;
}

/** One source record mapped to catalog fields. */
export interface SourceItem {
  item_id: string;
  title: string | null;
  category: string | null;
  status: string;
  item_time: number | null;
  hash: string;
  /** The item's content vector, when the source has one (for content neighbours). */
  vector?: number[];
}

export interface SyncCounts {
  added: number;
  changed: number;
  deleted: number;
  unchanged: number;
}

/** Content neighbours of an item, best first: [item id, similarity]. */
export type Neighbors = Array<[string, number]>;

export class CatalogStore {
  private readonly snapshots = new Map<string, Map<string, CatalogItem>>();
  private readonly neighborCache = new Map<string, Map<string, Neighbors>>();

  constructor(private readonly db: Db) {}

  /** The fingerprints of a datasource's items, to find what changed. */
  hashes(instanceId: string, datasourceId: string): Map<string, string> {
    const rows = this.db
      .prepare("SELECT item_id, hash FROM rec_items WHERE instance_id = ? AND datasource_id = ?")
      .all(instanceId, datasourceId) as { item_id: string; hash: string }[];
    return new Map(rows.map((r) => [r.item_id, r.hash]));
  }

  /** Writes new and changed items and removes deleted ones, in one transaction. */
  apply(instanceId: string, datasourceId: string, upserts: SourceItem[], deletes: string[]): void {
    const now = Date.now();
    const upsert = this.db.prepare(`
      INSERT INTO rec_items (instance_id, item_id, datasource_id, title, category, status, item_time, hash, added_at, updated_at)
      VALUES (@instance_id, @item_id, @datasource_id, @title, @category, @status, @item_time, @hash, @now, @now)
      ON CONFLICT (instance_id, item_id) DO UPDATE SET datasource_id = excluded.datasource_id,
        title = excluded.title, category = excluded.category, status = excluded.status,
        item_time = excluded.item_time, hash = excluded.hash, updated_at = excluded.updated_at`);
    const remove = this.db.prepare("DELETE FROM rec_items WHERE instance_id = ? AND item_id = ?");
    const removeNeighbors = this.db.prepare(
      "DELETE FROM rec_neighbors WHERE instance_id = ? AND item_id = ?",
    );
    this.db.transaction(() => {
      for (const item of upserts) {
        const { vector: _vector, ...fields } = item;
        upsert.run({ ...fields, instance_id: instanceId, datasource_id: datasourceId, now });
      }
      for (const id of deletes) {
        remove.run(instanceId, id);
        removeNeighbors.run(instanceId, id);
      }
    })();
    this.snapshots.delete(instanceId);
  }

  /** Replaces the stored content neighbours of some items. */
  setNeighbors(instanceId: string, neighbors: Map<string, Neighbors>): void {
    const put = this.db.prepare(
      "INSERT OR REPLACE INTO rec_neighbors (instance_id, item_id, neighbors) VALUES (?, ?, ?)",
    );
    this.db.transaction(() => {
      for (const [id, list] of neighbors) put.run(instanceId, id, JSON.stringify(list));
    })();
    this.neighborCache.delete(instanceId);
  }

  /** The catalog as served: every item by id (cached until the next change). */
  items(instanceId: string, isActive: (item: { status: string; datasource_id: string }) => boolean) {
    let snapshot = this.snapshots.get(instanceId);
    if (!snapshot) {
      const rows = this.db
        .prepare(
          "SELECT item_id, datasource_id, title, category, status, item_time, hash, added_at FROM rec_items WHERE instance_id = ?",
        )
        .all(instanceId) as Omit<CatalogItem, "active">[];
      snapshot = new Map(rows.map((r) => [r.item_id, { ...r, active: isActive(r) }]));
      this.snapshots.set(instanceId, snapshot);
    }
    return snapshot;
  }

  neighbors(instanceId: string): Map<string, Neighbors> {
    let cached = this.neighborCache.get(instanceId);
    if (!cached) {
      const rows = this.db
        .prepare("SELECT item_id, neighbors FROM rec_neighbors WHERE instance_id = ?")
        .all(instanceId) as { item_id: string; neighbors: string }[];
      cached = new Map(rows.map((r) => [r.item_id, JSON.parse(r.neighbors) as Neighbors]));
      this.neighborCache.set(instanceId, cached);
    }
    return cached;
  }

  /** Forgets the cached snapshots of an instance (after it was deleted or its datasources changed). */
  forget(instanceId: string): void {
    this.snapshots.delete(instanceId);
    this.neighborCache.delete(instanceId);
  }
}

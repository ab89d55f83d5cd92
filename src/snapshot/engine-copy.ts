/**
 * Prepares the copy of the search engine's store for a snapshot: keeps only the chosen indices
 * and drops the commit points, so a restored engine rebuilds its segments and vector graphs from
 * the documents (the source of truth) instead of expecting derived files the snapshot leaves out.
 */
import Database from "better-sqlite3";
import { LodestoneError } from "../common/errors.ts";
import type { SnapshotIndex } from "./manifest.ts";

/** Index names or `*` patterns, as `--indices a,logs-*` gives them. */
function matcher(patterns: string[]): (name: string) => boolean {
  const res = patterns.map(
    (p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`),
  );
  return (name) => res.some((re) => re.test(name));
}

export function prepareEngineCopy(file: string, indices?: string[]): SnapshotIndex[] {
  const db = new Database(file);
  try {
    return db.transaction(() => {
      const rows = db.prepare("SELECT uuid, name FROM indices ORDER BY name").all() as Array<{
        uuid: string;
        name: string;
      }>;
      const keep = indices?.length ? matcher(indices) : () => true;
      if (indices?.length) {
        const unknown = indices.filter((p) => !rows.some((r) => matcher([p])(r.name)));
        if (unknown.length)
          throw new LodestoneError(
            404,
            "index_not_found",
            `no index matches ${unknown.join(", ")}; the indices are ${rows.map((r) => r.name).join(", ") || "(none)"}`,
            "indices",
          );
      }
      const out: SnapshotIndex[] = [];
      for (const row of rows) {
        if (!keep(row.name)) {
          db.prepare("DELETE FROM docs WHERE index_uuid = ?").run(row.uuid);
          db.prepare("DELETE FROM indices WHERE uuid = ?").run(row.uuid);
          continue;
        }
        const { n } = db.prepare("SELECT COUNT(*) AS n FROM docs WHERE index_uuid = ?").get(row.uuid) as {
          n: number;
        };
        out.push({ name: row.name, docs: n });
      }
      db.prepare("DELETE FROM commits").run();
      return out;
    })();
  } finally {
    db.exec("VACUUM");
    db.close();
  }
}

import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { LodestoneError } from "../common/errors.ts";
import { MIGRATIONS, type Migration } from "./migrations.ts";

export type Db = Database.Database;

/**
 * Opens (creating if needed) the platform database in WAL mode and brings its schema up to date.
 * WAL with synchronous=NORMAL keeps every committed transaction across a `kill -9` of the process;
 * only a power loss can drop the last few, which is the trade SQLite's own docs recommend for WAL.
 */
export function openDatabase(file: string, migrations: Migration[] = MIGRATIONS): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db, migrations);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma("user_version", { simple: true }) as number;
}

function migrate(db: Db, migrations: Migration[]): void {
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new LodestoneError(
      500,
      "SchemaTooNew",
      `the database ${db.name} has schema version ${current}, newer than this Lodestone knows (${latest}); upgrade Lodestone or use another --data-dir`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

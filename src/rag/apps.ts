/**
 * RAG apps in the platform database (`rag_apps`): create, list, get by id or name, replace,
 * delete. An app is checked before it is stored (checkApp): its index answers a search with its
 * filter, and the endpoints it names exist and serve the right kind of model.
 */
import { conflict, LodestoneError, notFound } from "../common/errors.ts";
import { newId } from "../common/ids.ts";
import type { Db } from "../state/db.ts";
import { type App, type AppInput, withDefaults } from "./app-schema.ts";

interface AppRow {
  id: string;
  name: string;
  body: string;
  created_at: number;
  updated_at: number;
}

const fromRow = (row: AppRow): App => ({
  id: row.id,
  ...(JSON.parse(row.body) as Omit<App, "id" | "created_at" | "updated_at">),
  created_at: new Date(row.created_at).toISOString(),
  updated_at: new Date(row.updated_at).toISOString(),
});

const body = (app: Omit<App, "id" | "created_at" | "updated_at">) => JSON.stringify(app);

export class AppStore {
  constructor(private readonly db: Db) {}

  create(input: AppInput): App {
    const app = withDefaults(input);
    this.refuseTakenName(app.name);
    const id = newId("app-", 12);
    const now = Date.now();
    this.db
      .prepare("INSERT INTO rag_apps (id, name, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
      .run(id, app.name, body(app), now, now);
    return this.get(id);
  }

  list(): App[] {
    return (this.db.prepare("SELECT * FROM rag_apps ORDER BY created_at, id").all() as AppRow[]).map(fromRow);
  }

  /** By id (`app-…`) or name. */
  find(ref: string): App | undefined {
    const row = this.db.prepare("SELECT * FROM rag_apps WHERE id = ? OR name = ?").get(ref, ref) as
      | AppRow
      | undefined;
    return row && fromRow(row);
  }

  get(ref: string, param = "app"): App {
    const app = this.find(ref);
    if (!app) throw notFound("app_not_found", `no RAG app ${ref}; list them with GET /v1/rag/apps`, param);
    return app;
  }

  /** Full replacement; the id and creation time stay. */
  replace(ref: string, input: AppInput): App {
    const current = this.get(ref);
    const app = withDefaults(input);
    if (app.name !== current.name) this.refuseTakenName(app.name);
    this.db
      .prepare("UPDATE rag_apps SET name = ?, body = ?, updated_at = ? WHERE id = ?")
      .run(app.name, body(app), Date.now(), current.id);
    return this.get(current.id);
  }

  delete(ref: string): App {
    const app = this.get(ref);
    this.db.prepare("DELETE FROM rag_apps WHERE id = ?").run(app.id);
    return app;
  }

  /** A 409 when the name is taken (by another app than `except`). */
  refuseTakenName(name: string): void {
    if (this.find(name))
      throw conflict(
        "app_exists",
        `a RAG app named ${name} exists; change it with PUT /v1/rag/apps/${name} or pick another name`,
        "name",
      );
  }
}

/** A 400 naming the app field at fault. */
export const invalidApp = (param: string, message: string) =>
  new LodestoneError(400, "invalid_app", message, param);

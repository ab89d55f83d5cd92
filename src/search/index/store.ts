/**
 * The engine's source of truth: SQLite in WAL mode holds index metadata, every document's latest
 * source with its seq_no/version, and the commit point of the derived segment files. A write is
 * acknowledged only after its transaction commits, so it survives `kill -9`; segments are rebuilt
 * from here (documents newer than the commit checkpoint are replayed) when the engine opens.
 */
import Database from "better-sqlite3";
import { type Db, openDatabase } from "../../state/db.ts";
import type { GraphFile } from "./vector-graph.ts";

const MIGRATIONS = [
  {
    version: 1,
    name: "engine: indices, documents, commits",
    sql: `
      CREATE TABLE indices (
        uuid TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL,
        settings TEXT NOT NULL,
        mappings TEXT NOT NULL,
        aliases TEXT NOT NULL DEFAULT '{}',
        next_seq_no INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL
      );
      CREATE TABLE docs (
        index_uuid TEXT NOT NULL,
        id TEXT NOT NULL,
        seq_no INTEGER NOT NULL,
        version INTEGER NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (index_uuid, id)
      );
      CREATE INDEX docs_by_seq ON docs (index_uuid, seq_no);
      CREATE TABLE commits (
        index_uuid TEXT PRIMARY KEY,
        checkpoint INTEGER NOT NULL,
        segments TEXT NOT NULL
      );
      CREATE TABLE search_pipelines (id TEXT PRIMARY KEY, body TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    name: "engine: ingest pipelines",
    sql: "CREATE TABLE ingest_pipelines (id TEXT PRIMARY KEY, body TEXT NOT NULL);",
  },
  {
    version: 3,
    name: "engine: vector graph files of a commit",
    sql: "ALTER TABLE commits ADD COLUMN graphs TEXT NOT NULL DEFAULT '{}';",
  },
];

export interface IndexRow {
  uuid: string;
  name: string;
  state: "open" | "close";
  settings: string;
  mappings: string;
  aliases: string;
  next_seq_no: number;
  created_ms: number;
}

/** The derived files that reflect every document up to `checkpoint`: segments and vector graphs by field. */
export interface Commit {
  checkpoint: number;
  segments: string[];
  graphs: Record<string, GraphFile>;
}

export interface DocRow {
  id: string;
  seq_no: number;
  version: number;
  source: string;
}

/** An error of the store itself (SQLite: disk full, I/O, a failed commit …). */
export function isStoreError(err: unknown): boolean {
  return err instanceof Database.SqliteError;
}

export class EngineStore {
  readonly db: Db;
  private readonly stmts;

  constructor(file: string) {
    this.db = openDatabase(file, MIGRATIONS);
    const db = this.db;
    this.stmts = {
      upsertDoc: db.prepare(
        `INSERT INTO docs (index_uuid, id, seq_no, version, source) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (index_uuid, id) DO UPDATE SET seq_no = excluded.seq_no, version = excluded.version, source = excluded.source`,
      ),
      deleteDoc: db.prepare("DELETE FROM docs WHERE index_uuid = ? AND id = ?"),
      getDoc: db.prepare("SELECT id, seq_no, version, source FROM docs WHERE index_uuid = ? AND id = ?"),
      setSeq: db.prepare("UPDATE indices SET next_seq_no = ? WHERE uuid = ?"),
      setMappings: db.prepare("UPDATE indices SET mappings = ? WHERE uuid = ?"),
      liveVersions: db.prepare("SELECT id, seq_no FROM docs WHERE index_uuid = ?"),
      docsAfter: db.prepare(
        "SELECT id, seq_no, version, source FROM docs WHERE index_uuid = ? AND seq_no > ? ORDER BY seq_no",
      ),
      getCommit: db.prepare("SELECT checkpoint, segments, graphs FROM commits WHERE index_uuid = ?"),
      setCommit: db.prepare(
        "INSERT INTO commits (index_uuid, checkpoint, segments, graphs) VALUES (?, ?, ?, ?) ON CONFLICT (index_uuid) DO UPDATE SET checkpoint = excluded.checkpoint, segments = excluded.segments, graphs = excluded.graphs",
      ),
      countDocs: db.prepare("SELECT COUNT(*) AS n FROM docs WHERE index_uuid = ?"),
    };
  }

  listIndices(): IndexRow[] {
    return this.db.prepare("SELECT * FROM indices ORDER BY name").all() as IndexRow[];
  }

  insertIndex(row: IndexRow): void {
    this.db
      .prepare(
        "INSERT INTO indices (uuid, name, state, settings, mappings, aliases, next_seq_no, created_ms) VALUES (@uuid, @name, @state, @settings, @mappings, @aliases, @next_seq_no, @created_ms)",
      )
      .run(row);
  }

  updateIndex(
    uuid: string,
    fields: Partial<Pick<IndexRow, "state" | "settings" | "mappings" | "aliases">>,
  ): void {
    for (const [key, value] of Object.entries(fields)) {
      this.db.prepare(`UPDATE indices SET ${key} = ? WHERE uuid = ?`).run(value, uuid);
    }
  }

  deleteIndex(uuid: string): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM docs WHERE index_uuid = ?").run(uuid);
      this.db.prepare("DELETE FROM commits WHERE index_uuid = ?").run(uuid);
      this.db.prepare("DELETE FROM indices WHERE uuid = ?").run(uuid);
    })();
  }

  /** Runs writes atomically; the returned value is only seen once the transaction committed. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  putDoc(uuid: string, id: string, seqNo: number, version: number, source: string): void {
    this.stmts.upsertDoc.run(uuid, id, seqNo, version, source);
  }

  removeDoc(uuid: string, id: string): void {
    this.stmts.deleteDoc.run(uuid, id);
  }

  getDoc(uuid: string, id: string): DocRow | undefined {
    return this.stmts.getDoc.get(uuid, id) as DocRow | undefined;
  }

  setNextSeqNo(uuid: string, next: number): void {
    this.stmts.setSeq.run(next, uuid);
  }

  setMappings(uuid: string, mappings: string): void {
    this.stmts.setMappings.run(mappings, uuid);
  }

  /** id → seq_no of every stored document (decides which segment copies are live). */
  liveVersions(uuid: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const row of this.stmts.liveVersions.iterate(uuid) as Iterable<{ id: string; seq_no: number }>)
      out.set(row.id, row.seq_no);
    return out;
  }

  docsAfter(uuid: string, checkpoint: number): Iterable<DocRow> {
    return this.stmts.docsAfter.iterate(uuid, checkpoint) as Iterable<DocRow>;
  }

  getCommit(uuid: string): Commit | undefined {
    const row = this.stmts.getCommit.get(uuid) as
      | { checkpoint: number; segments: string; graphs: string }
      | undefined;
    return row
      ? { checkpoint: row.checkpoint, segments: JSON.parse(row.segments), graphs: JSON.parse(row.graphs) }
      : undefined;
  }

  setCommit(uuid: string, commit: Commit): void {
    this.stmts.setCommit.run(
      uuid,
      commit.checkpoint,
      JSON.stringify(commit.segments),
      JSON.stringify(commit.graphs),
    );
  }

  /** Stored ingest pipeline definitions (JSON text), by id. */
  ingestPipelines(): Array<{ id: string; body: string }> {
    return this.db.prepare("SELECT id, body FROM ingest_pipelines ORDER BY id").all() as Array<{
      id: string;
      body: string;
    }>;
  }

  putIngestPipeline(id: string, body: string): void {
    this.db
      .prepare(
        "INSERT INTO ingest_pipelines (id, body) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body",
      )
      .run(id, body);
  }

  deleteIngestPipeline(id: string): void {
    this.db.prepare("DELETE FROM ingest_pipelines WHERE id = ?").run(id);
  }

  countDocs(uuid: string): number {
    return (this.stmts.countDocs.get(uuid) as { n: number }).n;
  }

  close(): void {
    this.db.close();
  }
}

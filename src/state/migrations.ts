/**
 * Versioned schema migrations for the platform database, applied in order, each in its own
 * transaction. Never edit a migration that has shipped: add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "jobs",
    sql: `
      CREATE TABLE jobs (
        id              TEXT PRIMARY KEY,
        display_name    TEXT NOT NULL,
        status          TEXT NOT NULL,
        image           TEXT NOT NULL,
        script          TEXT NOT NULL,
        runtime         TEXT NOT NULL,
        oss_input       TEXT,
        oss_output      TEXT,
        hyper_params    TEXT NOT NULL DEFAULT '{}',
        envs            TEXT NOT NULL DEFAULT '{}',
        reason_code     TEXT,
        reason_message  TEXT,
        progress        REAL NOT NULL DEFAULT 0,
        progress_message TEXT,
        pid             INTEGER,
        exit_code       INTEGER,
        created_at      INTEGER NOT NULL,
        started_at      INTEGER,
        finished_at     INTEGER,
        updated_at      INTEGER NOT NULL
      );
      CREATE INDEX jobs_status ON jobs(status);
      CREATE INDEX jobs_created ON jobs(created_at);
      CREATE TABLE job_metrics (
        job_id  TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        name    TEXT NOT NULL,
        step    INTEGER NOT NULL,
        value   REAL NOT NULL,
        time    INTEGER NOT NULL
      );
      CREATE INDEX job_metrics_job ON job_metrics(job_id, name, step);
    `,
  },
  {
    version: 2,
    name: "models and endpoints",
    sql: `
      CREATE TABLE models (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        version     INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        source      TEXT NOT NULL,
        config      TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        UNIQUE (name, version)
      );
      CREATE TABLE endpoints (
        id              TEXT PRIMARY KEY,
        model_id        TEXT NOT NULL,
        status          TEXT NOT NULL,
        replicas        INTEGER NOT NULL,
        options         TEXT NOT NULL DEFAULT '{}',
        reason_message  TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      );
      CREATE INDEX endpoints_model ON endpoints(model_id);
    `,
  },
  {
    version: 3,
    name: "api keys",
    // Only the SHA-256 of a key is kept; `prefix` (the first characters of the key) is for display.
    sql: `
      CREATE TABLE api_keys (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        prefix        TEXT NOT NULL,
        hash          TEXT NOT NULL UNIQUE,
        created_at    INTEGER NOT NULL,
        last_used_at  INTEGER,
        revoked_at    INTEGER
      );
      CREATE INDEX api_keys_prefix ON api_keys(prefix);
    `,
  },
  {
    version: 4,
    name: "ml commons tasks",
    // Register and deploy tasks of the ML Commons API (`GET /_plugins/_ml/tasks/{id}`).
    sql: `
      CREATE TABLE ml_tasks (
        id              TEXT PRIMARY KEY,
        task_type       TEXT NOT NULL,
        function_name   TEXT,
        model_id        TEXT,
        state           TEXT NOT NULL,
        error           TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: "ml commons connectors and model groups",
    // `body` is the connector as created (credential included, as OpenSearch keeps it in its
    // system index); the API never returns the credential.
    sql: `
      CREATE TABLE ml_connectors (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        body        TEXT NOT NULL,
        created_at  INTEGER NOT NULL
      );
      CREATE TABLE ml_model_groups (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL UNIQUE,
        description  TEXT NOT NULL DEFAULT '',
        created_at   INTEGER NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: "rag apps, chats and the interaction log",
    // rag_apps.body is the whole app definition (JSON, validated by src/rag/app-schema.ts);
    // rag_chats keeps every answer: a session's turns (memory) and what feedback refers to
    // (context: the chunks given to the LLM, which of them the answer cited; the last rating).
    // interactions is the behaviour log the RAG apps write and the recommender reads
    // (src/state/interactions.ts); event_id makes writes idempotent.
    sql: `
      CREATE TABLE rag_apps (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        body        TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
      );
      CREATE TABLE rag_chats (
        id               TEXT PRIMARY KEY,
        app_id           TEXT NOT NULL,
        session_id       TEXT NOT NULL,
        user_id          TEXT,
        query            TEXT NOT NULL,
        rewritten_query  TEXT NOT NULL,
        answer           TEXT NOT NULL,
        context          TEXT NOT NULL,
        rating           TEXT,
        comment          TEXT,
        at               INTEGER NOT NULL
      );
      CREATE INDEX rag_chats_session ON rag_chats(app_id, session_id, at);
      CREATE TABLE interactions (
        event_id    TEXT PRIMARY KEY,
        at          INTEGER NOT NULL,
        source      TEXT NOT NULL,
        app         TEXT,
        user_id     TEXT,
        session_id  TEXT,
        trace_id    TEXT,
        type        TEXT NOT NULL,
        item_id     TEXT,
        item_index  TEXT,
        query       TEXT,
        value       REAL
      );
      CREATE INDEX interactions_at ON interactions(at);
      CREATE INDEX interactions_user ON interactions(user_id, at);
    `,
  },
  {
    version: 7,
    name: "recommendation instances, catalog, behaviours",
    // src/recommend: rec_behaviors is the durable behaviour log (event_id unique per instance, so a
    // repeated push adds nothing; exposures are rows of type "expose" with the request's trace id);
    // rec_items is the catalog a datasource syncs (hash = the source's fingerprint, for changes);
    // rec_neighbors holds precomputed content neighbours (kNN on the index at sync time);
    // rec_questions keeps what users asked the RAG apps; rec_cursors the intake's place in the
    // interaction log (its rowid).
    sql: `
      CREATE TABLE rec_instances (
        id          TEXT PRIMARY KEY,
        body        TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
      );
      CREATE TABLE rec_scenes (
        instance_id TEXT NOT NULL REFERENCES rec_instances(id) ON DELETE CASCADE,
        scene_id    TEXT NOT NULL,
        body        TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (instance_id, scene_id)
      );
      CREATE TABLE rec_datasources (
        id          TEXT PRIMARY KEY,
        instance_id TEXT NOT NULL REFERENCES rec_instances(id) ON DELETE CASCADE,
        body        TEXT NOT NULL,
        sync        TEXT NOT NULL DEFAULT '{}',
        created_at  INTEGER NOT NULL
      );
      CREATE TABLE rec_items (
        instance_id   TEXT NOT NULL REFERENCES rec_instances(id) ON DELETE CASCADE,
        item_id       TEXT NOT NULL,
        datasource_id TEXT NOT NULL,
        title         TEXT,
        category      TEXT,
        status        TEXT NOT NULL,
        item_time     INTEGER,
        hash          TEXT NOT NULL,
        added_at      INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        PRIMARY KEY (instance_id, item_id)
      );
      CREATE TABLE rec_neighbors (
        instance_id TEXT NOT NULL REFERENCES rec_instances(id) ON DELETE CASCADE,
        item_id     TEXT NOT NULL,
        neighbors   TEXT NOT NULL,
        PRIMARY KEY (instance_id, item_id)
      );
      CREATE TABLE rec_behaviors (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        instance_id TEXT NOT NULL REFERENCES rec_instances(id) ON DELETE CASCADE,
        event_id    TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        item_id     TEXT NOT NULL,
        type        TEXT NOT NULL,
        value       REAL NOT NULL,
        at          INTEGER NOT NULL,
        trace_id    TEXT,
        scene       TEXT,
        source      TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        UNIQUE (instance_id, event_id)
      );
      CREATE INDEX rec_behaviors_user ON rec_behaviors(instance_id, user_id, seq) WHERE type <> 'expose';
      CREATE INDEX rec_behaviors_item ON rec_behaviors(instance_id, item_id);
      CREATE TABLE rec_questions (
        event_id TEXT PRIMARY KEY,
        user_id  TEXT NOT NULL,
        app      TEXT,
        query    TEXT NOT NULL,
        at       INTEGER NOT NULL
      );
      CREATE INDEX rec_questions_user ON rec_questions(user_id, at);
      CREATE TABLE rec_cursors (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: "api key scopes",
    // read: searches and RAG answers only; search: reads plus index writes; admin: everything (existing keys)
    sql: `ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'admin';`,
  },
  {
    version: 9,
    name: "recommendation exposures in their own log",
    // /v2/recommend logs ~10 exposures per request. As rec_behaviors rows each one touched the
    // (instance, event_id) and (instance, item) indexes at random places, so a batch of a few
    // hundred rewrote hundreds of pages and stalled serving; here they are appended in seq order
    // with one index that keeps a user's rows together, and old ones are pruned (recommend.exposures).
    // Exposures pushed by clients as behaviours stay in rec_behaviors (idempotent on their event id).
    sql: `
      CREATE TABLE rec_exposures (
        seq         INTEGER PRIMARY KEY,
        instance_id TEXT NOT NULL REFERENCES rec_instances(id) ON DELETE CASCADE,
        user_id     TEXT NOT NULL,
        item_id     TEXT NOT NULL,
        at          INTEGER NOT NULL,
        trace_id    TEXT NOT NULL,
        scene       TEXT
      );
      CREATE INDEX rec_exposures_user ON rec_exposures(instance_id, user_id, seq);
      INSERT INTO rec_exposures (instance_id, user_id, item_id, at, trace_id, scene)
        SELECT instance_id, user_id, item_id, at, trace_id, scene FROM rec_behaviors
        WHERE type = 'expose' AND source = 'recommend' AND trace_id IS NOT NULL ORDER BY seq;
      DELETE FROM rec_behaviors WHERE type = 'expose' AND source = 'recommend' AND trace_id IS NOT NULL;
    `,
  },
];

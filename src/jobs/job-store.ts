import type { Db } from "../state/db.ts";
import type { Job, JobStatus, MetricPoint } from "./types.ts";

interface JobRow {
  id: string;
  display_name: string;
  status: JobStatus;
  image: string;
  script: string;
  runtime: Job["runtime"];
  oss_input: string | null;
  oss_output: string | null;
  hyper_params: string;
  envs: string;
  reason_code: string | null;
  reason_message: string | null;
  progress: number;
  progress_message: string | null;
  pid: number | null;
  exit_code: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

const COLUMNS: Record<keyof Job, keyof JobRow> = {
  id: "id",
  displayName: "display_name",
  status: "status",
  image: "image",
  script: "script",
  runtime: "runtime",
  ossInput: "oss_input",
  ossOutput: "oss_output",
  hyperParameters: "hyper_params",
  envs: "envs",
  reasonCode: "reason_code",
  reasonMessage: "reason_message",
  progress: "progress",
  progressMessage: "progress_message",
  pid: "pid",
  exitCode: "exit_code",
  createdAt: "created_at",
  startedAt: "started_at",
  finishedAt: "finished_at",
  updatedAt: "updated_at",
};
const JSON_FIELDS = new Set<keyof Job>(["hyperParameters", "envs"]);

function fromRow(row: JobRow): Job {
  const job = {} as Record<string, unknown>;
  for (const [field, column] of Object.entries(COLUMNS)) {
    const value = row[column];
    job[field] = JSON_FIELDS.has(field as keyof Job) ? JSON.parse(value as string) : value;
  }
  return job as unknown as Job;
}

function toColumnValue(field: keyof Job, value: unknown): unknown {
  return JSON_FIELDS.has(field) ? JSON.stringify(value) : value;
}

export interface ListJobsQuery {
  status?: JobStatus;
  displayName?: string;
  limit: number;
  offset: number;
}

/** Job metadata in the platform database: the source of truth for every job's state. */
export class JobStore {
  constructor(private readonly db: Db) {}

  insert(job: Job): void {
    const fields = Object.keys(COLUMNS) as Array<keyof Job>;
    const sql = `INSERT INTO jobs (${fields.map((f) => COLUMNS[f]).join(", ")}) VALUES (${fields.map(() => "?").join(", ")})`;
    this.db.prepare(sql).run(...fields.map((f) => toColumnValue(f, job[f])));
  }

  get(id: string): Job | undefined {
    const row = this.db.prepare("SELECT * FROM jobs WHERE id = ?").get(id) as JobRow | undefined;
    return row && fromRow(row);
  }

  /** Applies a partial update and returns the job as stored afterwards. */
  update(id: string, patch: Partial<Job>): Job {
    const fields = Object.keys(patch) as Array<keyof Job>;
    const values = fields.map((f) => toColumnValue(f, patch[f]));
    const sets = [...fields.map((f) => `${COLUMNS[f]} = ?`), "updated_at = ?"];
    this.db.prepare(`UPDATE jobs SET ${sets.join(", ")} WHERE id = ?`).run(...values, Date.now(), id);
    return this.get(id) as Job;
  }

  list(query: ListJobsQuery): { jobs: Job[]; total: number } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.status) {
      where.push("status = ?");
      params.push(query.status);
    }
    if (query.displayName) {
      where.push("display_name = ?");
      params.push(query.displayName);
    }
    const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const total = (
      this.db.prepare(`SELECT count(*) AS n FROM jobs ${clause}`).get(...params) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT * FROM jobs ${clause} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as JobRow[];
    return { jobs: rows.map(fromRow), total };
  }

  withStatus(statuses: JobStatus[]): Job[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM jobs WHERE status IN (${statuses.map(() => "?").join(", ")}) ORDER BY created_at, id`,
      )
      .all(...statuses) as JobRow[];
    return rows.map(fromRow);
  }

  delete(id: string): void {
    this.db.prepare("DELETE FROM jobs WHERE id = ?").run(id);
  }

  addMetrics(jobId: string, points: MetricPoint[]): void {
    const insert = this.db.prepare(
      "INSERT INTO job_metrics (job_id, name, step, value, time) VALUES (?, ?, ?, ?, ?)",
    );
    this.db.transaction(() => {
      for (const p of points) insert.run(jobId, p.name, p.step, p.value, p.time);
    })();
  }

  metrics(jobId: string, name?: string): MetricPoint[] {
    const sql = `SELECT name, step, value, time FROM job_metrics WHERE job_id = ?${name ? " AND name = ?" : ""} ORDER BY rowid`;
    return this.db.prepare(sql).all(...(name ? [jobId, name] : [jobId])) as MetricPoint[];
  }

  /** The last reported value of each metric. */
  latestMetrics(jobId: string): Record<string, number> {
    const rows = this.db
      .prepare(
        "SELECT name, value FROM job_metrics WHERE rowid IN (SELECT max(rowid) FROM job_metrics WHERE job_id = ? GROUP BY name) ORDER BY name",
      )
      .all(jobId) as Array<{ name: string; value: number }>;
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  }
}

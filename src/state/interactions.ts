/**
 * The interaction log: what users did with items (asked, clicked, liked, disliked), written by the
 * RAG apps and read by the recommender. It is the one place those two meet (they never import each
 * other), so it lives here beside the database and knows nothing of either.
 *
 * Writes are idempotent: an event whose `event_id` is already stored is left as it is, unless it
 * is written with `replace` (a changed rating replaces the earlier one for the same item).
 */
import type { Db } from "./db.ts";

export type InteractionType = "ask" | "click" | "like" | "dislike";

export interface InteractionEvent {
  /** Unique; writing the same id again does not add a second event. */
  event_id: string;
  /** Milliseconds since the epoch. */
  at: number;
  /** Who wrote it, e.g. "rag". */
  source: string;
  app: string | null;
  user_id: string | null;
  session_id: string | null;
  /** The answer (chat id) or recommendation the event belongs to. */
  trace_id: string | null;
  type: InteractionType;
  /** The item (a chunk id / document id) acted on; null for "ask". */
  item_id: string | null;
  /** The index the item lives in. */
  item_index: string | null;
  /** The query text, for "ask". */
  query: string | null;
  value: number | null;
}

export interface InteractionQuery {
  user_id?: string;
  app?: string;
  type?: InteractionType;
  /** Events at or after this time (ms). */
  since?: number;
  /** At most this many, oldest first; default 1000. */
  limit?: number;
}

const COLUMNS = [
  "event_id",
  "at",
  "source",
  "app",
  "user_id",
  "session_id",
  "trace_id",
  "type",
  "item_id",
  "item_index",
  "query",
  "value",
] as const;

export class InteractionLog {
  constructor(private readonly db: Db) {}

  /** Stores the events in one transaction; returns how many were new or replaced. */
  append(events: readonly InteractionEvent[], opts: { replace?: boolean } = {}): number {
    const verb = opts.replace ? "INSERT OR REPLACE" : "INSERT OR IGNORE";
    const insert = this.db.prepare(
      `${verb} INTO interactions (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map((c) => `@${c}`).join(", ")})`,
    );
    return this.db.transaction(() => events.reduce((n, e) => n + insert.run(e).changes, 0))();
  }

  /** Events matching every given condition, oldest first. */
  list(q: InteractionQuery = {}): InteractionEvent[] {
    const where: string[] = [];
    const args: Record<string, unknown> = { limit: q.limit ?? 1000 };
    for (const key of ["user_id", "app", "type"] as const)
      if (q[key] !== undefined) {
        where.push(`${key} = @${key}`);
        args[key] = q[key];
      }
    if (q.since !== undefined) {
      where.push("at >= @since");
      args.since = q.since;
    }
    const sql = `SELECT ${COLUMNS.join(", ")} FROM interactions ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY at, event_id LIMIT @limit`;
    return this.db.prepare(sql).all(args) as InteractionEvent[];
  }

  /**
   * Events written after `cursor` (a position returned earlier; 0 = the beginning), in write
   * order, with each one's position: readers follow the log without missing or repeating events.
   * A replaced event (a changed rating) is written anew, so it is normally read again.
   */
  after(cursor: number, limit = 1000): Array<InteractionEvent & { seq: number }> {
    return this.db
      .prepare(
        `SELECT rowid AS seq, ${COLUMNS.join(", ")} FROM interactions WHERE rowid > ? ORDER BY rowid LIMIT ?`,
      )
      .all(cursor, limit) as Array<InteractionEvent & { seq: number }>;
  }
}

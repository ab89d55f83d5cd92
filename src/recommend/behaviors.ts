/**
 * The behaviour log of an instance: events pushed in bulk (validated one by one, so a bad event
 * is rejected with its reason while the rest are stored), the RAG apps' clicks and ratings, and
 * exposures logged by /v2/recommend. Stored in SQLite and acknowledged only after the commit; the
 * client's event id makes a repeated push add nothing.
 */
import { createHash } from "node:crypto";
import type { Db } from "../state/db.ts";
import { BEHAVIOR_TYPES, type BehaviorType } from "./schema.ts";
import { toTime } from "./sources.ts";

export interface Behavior {
  event_id: string;
  user_id: string;
  item_id: string;
  type: BehaviorType;
  value: number;
  /** ms since the epoch */
  at: number;
  trace_id: string | null;
  scene: string | null;
  source: string;
}

/** What /v2/recommend showed a user, under the request's trace id (kept in rec_exposures). */
export interface Exposure {
  user_id: string;
  item_id: string;
  at: number;
  trace_id: string;
  scene: string | null;
}

export interface Rejection {
  index: number;
  event_id?: string;
  field: string;
  reason: string;
}

/** Per-item counts serving needs (exploration, cold items), kept in memory and updated on insert. */
export interface ItemStats {
  exposes: number;
  /** Behaviours other than exposures (clicks, likes, …). */
  actions: number;
  /** Positive behaviours (weight > 0): successes for Thompson sampling / UCB. */
  positives: number;
}

const MAX_ID = 256;
/** Behaviours per user that serving reads (profile and the "already seen" filter). */
const HISTORY = 500;
/** Users whose histories stay cached. */
const HISTORY_CACHE = 20_000;
const FUTURE_SLACK_MS = 24 * 3600 * 1000;

const isId = (v: unknown) =>
  (typeof v === "string" && v.length > 0 && v.length <= MAX_ID) ||
  (typeof v === "number" && Number.isFinite(v));

/** Checks one pushed event (AIRec's `{cmd, fields: {bhv_type, …}}` form is accepted too). */
export function validateBehavior(
  raw: unknown,
  index: number,
  now: number,
): { ok: Omit<Behavior, "source"> } | { rejected: Rejection } {
  const reject = (field: string, reason: string, event_id?: string) => ({
    rejected: { index, field, reason, ...(event_id !== undefined && { event_id }) },
  });
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return reject("", "expected an object");
  const wrapped = raw as Record<string, unknown>;
  const e = (wrapped.fields && typeof wrapped.fields === "object" ? wrapped.fields : wrapped) as Record<
    string,
    unknown
  >;
  if (wrapped.fields !== undefined && wrapped.cmd !== undefined && wrapped.cmd !== "add")
    return reject("cmd", `only "add" is supported, got ${JSON.stringify(wrapped.cmd)}`);
  const eventId = e.event_id ?? e.bhv_id;
  if (eventId !== undefined && !(typeof eventId === "string" && eventId.length > 0 && eventId.length <= 128))
    return reject("event_id", "expected a string of 1 to 128 characters");
  const id = eventId as string | undefined;
  if (!isId(e.user_id)) return reject("user_id", `required: a string of 1 to ${MAX_ID} characters`, id);
  if (!isId(e.item_id)) return reject("item_id", `required: a string of 1 to ${MAX_ID} characters`, id);
  const type = e.type ?? e.bhv_type;
  if (typeof type !== "string" || !(BEHAVIOR_TYPES as readonly string[]).includes(type))
    return reject("type", `required: one of ${BEHAVIOR_TYPES.join(", ")}, got ${JSON.stringify(type)}`, id);
  const rawValue = e.value ?? e.bhv_value;
  const value = rawValue === undefined ? 1 : typeof rawValue === "string" ? Number(rawValue) : rawValue;
  if (typeof value !== "number" || !Number.isFinite(value))
    return reject("value", `expected a number, got ${JSON.stringify(rawValue)}`, id);
  if (type === "rating" && (rawValue === undefined || value < 0 || value > 5))
    return reject("value", "a rating needs a value from 0 to 5", id);
  const rawTime = e.timestamp ?? e.bhv_time;
  const at = rawTime === undefined ? now : toTime(rawTime);
  if (at === null)
    return reject(
      "timestamp",
      `expected ms or seconds since the epoch or an ISO date, got ${JSON.stringify(rawTime)}`,
      id,
    );
  if (at > now + FUTURE_SLACK_MS) return reject("timestamp", "is more than a day in the future", id);
  if (e.trace_id !== undefined && typeof e.trace_id !== "string")
    return reject("trace_id", "expected a string", id);
  if (e.scene !== undefined && typeof e.scene !== "string") return reject("scene", "expected a string", id);
  const user_id = String(e.user_id);
  const item_id = String(e.item_id);
  return {
    ok: {
      // without a client id, the same event pushed twice still counts once
      event_id:
        id ??
        `h-${createHash("sha1")
          .update(JSON.stringify([user_id, item_id, type, value, at]))
          .digest("hex")
          .slice(0, 24)}`,
      user_id,
      item_id,
      type: type as BehaviorType,
      value,
      at,
      trace_id: (e.trace_id as string | undefined) ?? null,
      scene: (e.scene as string | undefined) ?? null,
    },
  };
}

export class BehaviorStore {
  private readonly stats = new Map<string, Map<string, ItemStats>>();
  /** Recent histories served lately, by instance and user; dropped when that user acts again. */
  private readonly histories = new Map<string, Behavior[]>();
  /** Bumped when an item gets its first behaviour (it stops being new), per instance. */
  private readonly warmed = new Map<string, number>();
  /** The newest behaviour's seq per instance (exposures aside), once read. */
  private readonly newest = new Map<string, number>();

  constructor(private readonly db: Db) {}

  /**
   * Stores events in one transaction; returns, per event, whether it was new. Returns after the
   * commit, so an acknowledged event survives a crash.
   */
  insert(instanceId: string, events: Behavior[]): boolean[] {
    const put = this.db.prepare(`
      INSERT OR IGNORE INTO rec_behaviors (instance_id, event_id, user_id, item_id, type, value, at, trace_id, scene, source, received_at)
      VALUES (@instance_id, @event_id, @user_id, @item_id, @type, @value, @at, @trace_id, @scene, @source, @received_at)`);
    const received_at = Date.now();
    let newest = this.newest.get(instanceId);
    const created = this.db.transaction(() =>
      events.map((e) => {
        const { changes, lastInsertRowid } = put.run({ ...e, instance_id: instanceId, received_at });
        if (changes === 1 && e.type !== "expose" && newest !== undefined)
          newest = Math.max(newest, Number(lastInsertRowid));
        return changes === 1;
      }),
    )();
    if (newest !== undefined) this.newest.set(instanceId, newest);
    for (const [i, e] of events.entries())
      if (created[i] && e.type !== "expose") this.histories.delete(`${instanceId}\u0000${e.user_id}`);
    const stats = this.stats.get(instanceId);
    if (stats)
      for (const [i, e] of events.entries())
        if (created[i] && count(stats, e.item_id, e.type, e.value))
          this.warmed.set(instanceId, (this.warmed.get(instanceId) ?? 0) + 1);
    return created;
  }

  /** Replaces events by id (a changed rating from the RAG feedback replaces the earlier one). */
  replace(instanceId: string, events: Behavior[]): void {
    const del = this.db.prepare("DELETE FROM rec_behaviors WHERE instance_id = ? AND event_id = ?");
    this.db.transaction(() => {
      for (const e of events) del.run(instanceId, e.event_id);
    })();
    this.forget(instanceId);
    this.insert(instanceId, events);
  }

  /** A user's latest behaviours other than exposures, newest first (the last 500; cached). */
  history(instanceId: string, userId: string): Behavior[] {
    const key = `${instanceId}\u0000${userId}`;
    let found = this.histories.get(key);
    if (!found) {
      found = this.readHistory(instanceId, userId, HISTORY);
      if (this.histories.size >= HISTORY_CACHE)
        this.histories.delete(this.histories.keys().next().value as string);
      this.histories.set(key, found);
    }
    return found;
  }

  private readHistory(instanceId: string, userId: string, limit: number): Behavior[] {
    return this.db
      .prepare(
        `SELECT event_id, user_id, item_id, type, value, at, trace_id, scene, source FROM rec_behaviors
         WHERE instance_id = ? AND user_id = ? AND type <> 'expose' ORDER BY seq DESC LIMIT ?`,
      )
      .all(instanceId, userId, limit) as Behavior[];
  }

  /** A user's behaviours of any type (logged exposures too), newest first: the debugging view. */
  list(instanceId: string, userId: string, opts: { type?: string; limit?: number } = {}): Behavior[] {
    const limit = opts.limit ?? 100;
    const pushed = this.db
      .prepare(
        `SELECT event_id, user_id, item_id, type, value, at, trace_id, scene, source FROM rec_behaviors
         WHERE instance_id = @instance AND user_id = @user AND (@type IS NULL OR type = @type)
         ORDER BY seq DESC LIMIT @limit`,
      )
      .all({ instance: instanceId, user: userId, type: opts.type ?? null, limit }) as Behavior[];
    if (opts.type !== undefined && opts.type !== "expose") return pushed;
    const logged = this.db
      .prepare(
        `SELECT trace_id || ':' || item_id AS event_id, user_id, item_id, 'expose' AS type, 1 AS value, at,
           trace_id, scene, 'recommend' AS source
         FROM rec_exposures WHERE instance_id = ? AND user_id = ? ORDER BY seq DESC LIMIT ?`,
      )
      .all(instanceId, userId, limit) as Behavior[];
    return [...pushed, ...logged].sort((a, b) => b.at - a.at).slice(0, limit);
  }

  /** Appends what /v2/recommend showed (one transaction), counted for exploration at once. */
  logExposures(instanceId: string, exposures: Exposure[]): void {
    const put = this.db.prepare(
      "INSERT INTO rec_exposures (instance_id, user_id, item_id, at, trace_id, scene) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.db.transaction(() => {
      for (const e of exposures) put.run(instanceId, e.user_id, e.item_id, e.at, e.trace_id, e.scene);
    })();
    const stats = this.stats.get(instanceId);
    if (stats) for (const e of exposures) count(stats, e.item_id, "expose", 1);
  }

  /**
   * Removes logged exposures before `olderThan` (ms) and beyond the newest `keep`, looking at no
   * more than the oldest `chunk` rows per call so a prune never holds serving up for long. The
   * in-memory counts keep them until the next start.
   */
  pruneExposures(olderThan: number, keep: number, chunk = 5000): number {
    const { lo, hi } = this.db.prepare("SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM rec_exposures").get() as {
      lo: number | null;
      hi: number | null;
    };
    if (lo === null || hi === null) return 0;
    const window = lo + chunk - 1;
    const del = this.db.prepare("DELETE FROM rec_exposures WHERE seq <= ? AND (seq <= ? OR at < ?)");
    return del.run(window, hi - keep, olderThan).changes;
  }

  /** Behaviours pushed (exposures aside) and exposures logged, for the instance's description. */
  counts(instanceId: string): { behaviors: number; exposures: number } {
    const n = (sql: string) => (this.db.prepare(sql).get(instanceId) as { n: number }).n;
    return {
      behaviors: n("SELECT COUNT(*) AS n FROM rec_behaviors WHERE instance_id = ? AND type <> 'expose'"),
      exposures:
        n("SELECT COUNT(*) AS n FROM rec_behaviors WHERE instance_id = ? AND type = 'expose'") +
        n("SELECT COUNT(*) AS n FROM rec_exposures WHERE instance_id = ?"),
    };
  }

  /** The users who acted most recently (exposures aside), with their number of behaviours. */
  users(instanceId: string, limit = 100): Array<{ user_id: string; behaviors: number; last_at: number }> {
    return this.db
      .prepare(
        `SELECT user_id, COUNT(*) AS behaviors, MAX(at) AS last_at FROM rec_behaviors
         WHERE instance_id = ? AND type <> 'expose' GROUP BY user_id ORDER BY MAX(seq) DESC LIMIT ?`,
      )
      .all(instanceId, limit) as Array<{ user_id: string; behaviors: number; last_at: number }>;
  }

  /** Counts per item (cached; rebuilt from the log the first time). */
  itemStats(instanceId: string): Map<string, ItemStats> {
    let stats = this.stats.get(instanceId);
    if (!stats) {
      stats = new Map();
      const rows = this.db
        .prepare(
          "SELECT item_id, type, COUNT(*) AS n, SUM(value > 0) AS pos FROM rec_behaviors WHERE instance_id = ? GROUP BY item_id, type",
        )
        .all(instanceId) as { item_id: string; type: BehaviorType; n: number; pos: number }[];
      for (const r of rows) count(stats, r.item_id, r.type, 1, r.n, r.pos);
      const logged = this.db
        .prepare("SELECT item_id, COUNT(*) AS n FROM rec_exposures WHERE instance_id = ? GROUP BY item_id")
        .all(instanceId) as { item_id: string; n: number }[];
      for (const r of logged) count(stats, r.item_id, "expose", 1, r.n);
      this.stats.set(instanceId, stats);
    }
    return stats;
  }

  /**
   * The newest behaviour's position, to tell whether anything arrived since the last training
   * (read once, then kept up to date by insert()).
   */
  lastSeq(instanceId: string): number {
    let seq = this.newest.get(instanceId);
    if (seq === undefined) {
      const row = this.db
        .prepare("SELECT MAX(seq) AS seq FROM rec_behaviors WHERE instance_id = ? AND type <> 'expose'")
        .get(instanceId) as { seq: number | null };
      seq = row.seq ?? 0;
      this.newest.set(instanceId, seq);
    }
    return seq;
  }

  /** Behaviours after `seq` (exposures left out), in order, for training exports. */
  page(instanceId: string, afterSeq: number, limit: number): Array<Behavior & { seq: number }> {
    return this.db
      .prepare(
        `SELECT seq, event_id, user_id, item_id, type, value, at, trace_id, scene, source FROM rec_behaviors
         WHERE instance_id = ? AND seq > ? AND type <> 'expose' ORDER BY seq LIMIT ?`,
      )
      .all(instanceId, afterSeq, limit) as Array<Behavior & { seq: number }>;
  }

  /** Changes whenever an item of the instance stops being new (for caches of new items). */
  warmth(instanceId: string): number {
    return this.warmed.get(instanceId) ?? 0;
  }

  forget(instanceId: string): void {
    this.stats.delete(instanceId);
    this.newest.delete(instanceId);
    for (const key of this.histories.keys())
      if (key.startsWith(`${instanceId}\u0000`)) this.histories.delete(key);
    this.warmed.set(instanceId, (this.warmed.get(instanceId) ?? 0) + 1);
  }
}

/** Adds behaviours to an item's counts; true when they are its first besides exposures. */
function count(
  stats: Map<string, ItemStats>,
  item: string,
  type: BehaviorType,
  value: number,
  n = 1,
  pos?: number,
): boolean {
  let s = stats.get(item);
  if (!s) {
    s = { exposes: 0, actions: 0, positives: 0 };
    stats.set(item, s);
  }
  if (type === "expose") {
    s.exposes += n;
    return false;
  }
  s.actions += n;
  if (type !== "dislike") s.positives += pos ?? (value > 0 ? n : 0);
  return s.actions === n;
}

/** How much an event says the user wants the item (0 for exposures and dislikes). */
export function behaviorWeight(
  weights: Record<BehaviorType, number>,
  b: { type: BehaviorType; value: number },
): number {
  if (b.type === "expose" || b.type === "dislike") return 0;
  const w = weights[b.type] ?? 0;
  return b.type === "rating" ? (w * b.value) / 5 : w;
}

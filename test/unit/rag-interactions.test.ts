/** The interaction log: idempotent appends, replacement of a rating, reads by user, app, type and time. */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { openDatabase } from "../../src/state/db.ts";
import { type InteractionEvent, InteractionLog } from "../../src/state/interactions.ts";
import { tempDir } from "../helpers/platform.ts";

const event = (over: Partial<InteractionEvent>): InteractionEvent => ({
  event_id: "e1",
  at: 1000,
  source: "rag",
  app: "docs",
  user_id: "u1",
  session_id: "s1",
  trace_id: "chat-1",
  type: "ask",
  item_id: null,
  item_index: null,
  query: "q",
  value: null,
  ...over,
});

test("the interaction log keeps one event per id and reads it back by user, app, type and time", () => {
  const dir = tempDir();
  let db = openDatabase(path.join(dir, "db.sqlite"));
  let log = new InteractionLog(db);
  assert.equal(
    log.append([event({}), event({ event_id: "e2", at: 2000, type: "like", item_id: "c1", value: 1 })]),
    2,
  );
  assert.equal(log.append([event({})]), 0);
  assert.equal(
    log.append([event({ event_id: "e2", at: 3000, type: "dislike", item_id: "c1", value: -1 })], {
      replace: true,
    }),
    1,
  );
  log.append([event({ event_id: "e3", at: 4000, user_id: "u2", app: "other" })]);
  db.close();
  db = openDatabase(path.join(dir, "db.sqlite")); // durable
  log = new InteractionLog(db);
  assert.deepEqual(
    log.list({ user_id: "u1" }).map((e) => [e.event_id, e.type, e.value]),
    [
      ["e1", "ask", null],
      ["e2", "dislike", -1],
    ],
  );
  assert.deepEqual(
    log.list({ since: 3500 }).map((e) => e.event_id),
    ["e3"],
  );
  assert.deepEqual(
    log.list({ app: "docs", type: "ask" }).map((e) => e.event_id),
    ["e1"],
  );
  assert.equal(log.list({ limit: 1 }).length, 1);
  db.close();
});

/** The exposure log: appended apart from behaviours, listed with them, counted, pruned by age and count. */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { type Behavior, BehaviorStore, type Exposure } from "../../src/recommend/behaviors.ts";
import { openDatabase } from "../../src/state/db.ts";
import { tempDir } from "../helpers/platform.ts";

function setup() {
  const db = openDatabase(path.join(tempDir(), "db.sqlite"));
  db.prepare("INSERT INTO rec_instances (id, body, created_at, updated_at) VALUES ('i1', '{}', 0, 0)").run();
  return { db, store: new BehaviorStore(db) };
}

const click = (item: string, at: number): Behavior => ({
  event_id: `c-${item}-${at}`,
  user_id: "u1",
  item_id: item,
  type: "click",
  value: 1,
  at,
  trace_id: null,
  scene: null,
  source: "api",
});
const shown = (item: string, at: number, user = "u1"): Exposure => ({
  user_id: user,
  item_id: item,
  at,
  trace_id: `t${at}`,
  scene: null,
});

test("logged exposures are listed with the user's behaviours, counted, and leave training's cursor alone", () => {
  const { db, store } = setup();
  store.insert("i1", [click("a", 1000)]);
  const seq = store.lastSeq("i1");
  store.logExposures("i1", [shown("a", 2000), shown("b", 2000), shown("b", 3000, "u2")]);
  assert.equal(store.lastSeq("i1"), seq, "exposures are not behaviours to train on");
  store.insert("i1", [click("c", 4000)]);
  assert.ok(store.lastSeq("i1") > seq);
  assert.deepEqual(
    store.list("i1", "u1").map((b) => [b.type, b.item_id, b.event_id]),
    [
      ["click", "c", "c-c-4000"],
      ["expose", "b", "t2000:b"],
      ["expose", "a", "t2000:a"],
      ["click", "a", "c-a-1000"],
    ],
  );
  assert.deepEqual(
    store.list("i1", "u1", { type: "expose" }).map((b) => b.item_id),
    ["b", "a"],
  );
  assert.deepEqual(
    store.list("i1", "u1", { type: "click" }).map((b) => b.item_id),
    ["c", "a"],
  );
  assert.deepEqual(store.counts("i1"), { behaviors: 2, exposures: 3 });
  // counts after a restart come from both logs
  const fresh = new BehaviorStore(db);
  assert.deepEqual(fresh.itemStats("i1").get("b"), { exposes: 2, actions: 0, positives: 0 });
  assert.deepEqual(fresh.itemStats("i1").get("a"), { exposes: 1, actions: 1, positives: 1 });
});

test("pruning drops exposures past the retention age and beyond the kept count, oldest first, a chunk at a time", () => {
  const { store } = setup();
  store.logExposures(
    "i1",
    Array.from({ length: 100 }, (_, i) => shown(`x${i}`, 1000 + i)),
  );
  // older than 1030: the first 30 go
  assert.equal(store.pruneExposures(1030, 1_000_000), 30);
  assert.equal(store.counts("i1").exposures, 70);
  // keep 50: 20 more, but at most a chunk of 8 per call
  assert.equal(store.pruneExposures(0, 50, 8), 8);
  assert.equal(store.pruneExposures(0, 50, 8), 8);
  assert.equal(store.pruneExposures(0, 50, 8), 4);
  assert.equal(store.pruneExposures(0, 50, 8), 0);
  const left = store.list("i1", "u1", { type: "expose", limit: 1000 }).map((b) => b.item_id);
  assert.equal(left.length, 50);
  assert.equal(left.at(-1), "x50");
});

/** WAL checkpoints on a worker thread: commits stop checkpointing, the thread copies them back, close hands back. */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { BackgroundCheckpointer } from "../../src/state/checkpointer.ts";
import { openDatabase } from "../../src/state/db.ts";
import { tempDir } from "../helpers/platform.ts";

test("the checkpoint thread copies commits into the database file while commits no longer checkpoint", async () => {
  const file = path.join(tempDir(), "db.sqlite");
  const db = openDatabase(file, []);
  db.exec("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)");
  const failures: string[] = [];
  const checkpointer = new BackgroundCheckpointer(50, (m) => failures.push(m));
  checkpointer.attach(db);
  assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 0);
  await checkpointer.ready;
  const put = db.prepare("INSERT INTO t (b) VALUES (?)");
  // ~40 MB in 100 commits: with its own checkpoints off, only the thread moves them into the file
  for (let round = 0; round < 100; round++) {
    db.transaction(() => {
      for (let i = 0; i < 400; i++) put.run("x".repeat(1000));
    })();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const deadline = Date.now() + 20_000;
  while (fs.statSync(file).size < 30e6 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(fs.statSync(file).size >= 30e6, `database file of ${fs.statSync(file).size} bytes`);
  await checkpointer.close();
  assert.deepEqual(failures, []);
  assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 1000);
  assert.equal((db.prepare("SELECT COUNT(*) AS n FROM t").get() as { n: number }).n, 40_000);
  db.close();
});

test("a dead checkpoint thread gives the databases their own checkpoints back", async () => {
  const db = openDatabase(path.join(tempDir(), "db.sqlite"), []);
  const failures: string[] = [];
  const checkpointer = new BackgroundCheckpointer(50, (m) => failures.push(m));
  checkpointer.attach(db);
  // @ts-expect-error: reaching the private worker to kill it
  await checkpointer.worker.terminate();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(failures.length, 1);
  assert.match(failures[0] as string, /checkpoint thread stopped/);
  assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 1000);
  await checkpointer.close();
  db.close();
});

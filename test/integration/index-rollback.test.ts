/**
 * A bulk batch is stored and put in the refresh buffer document by document inside one store
 * transaction: when the store fails part-way, nothing of the batch may stay behind — not in the
 * store, not searchable after a refresh, not in the mapping — and the same documents index fine
 * afterwards.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";
import Database from "better-sqlite3";
import { SearchEngine } from "../../src/search/engine.ts";
import { EngineStore } from "../../src/search/index/store.ts";
import { tempDir } from "../helpers/platform.ts";

function ids(engine: SearchEngine, query: string): string[] {
  const res = engine.search("t", { query: { match: { text: query } }, _source: false });
  return (res.hits as { hits: { _id: string }[] }).hits.map((h) => h._id).sort();
}

test("a batch whose store write fails leaves no trace in the buffer, the store or the mapping", async () => {
  const dir = tempDir();
  const engine = await SearchEngine.open({ dataDir: dir });
  try {
    engine.createIndex("t", { mappings: { properties: { text: { type: "text", analyzer: "english" } } } });
    engine.bulk([{ index: { _id: "a" } }, { text: "alpha bravo" }], { index: "t", refresh: true });

    const put = EngineStore.prototype.putDoc;
    EngineStore.prototype.putDoc = function (this: EngineStore, uuid, id, seqNo, version, source) {
      if (id === "bad") throw new Database.SqliteError("disk I/O error", "SQLITE_IOERR");
      put.call(this, uuid, id, seqNo, version, source);
    };
    let res: Record<string, unknown>;
    try {
      res = engine.bulk(
        [
          { index: { _id: "b" } },
          { text: "charlie alpha", extra: 5 },
          { index: { _id: "bad" } },
          { text: "delta" },
        ],
        { index: "t" },
      );
    } finally {
      EngineStore.prototype.putDoc = put;
    }
    assert.equal(res.errors, true);
    for (const item of res.items as { index: { status: number; error: { type: string } } }[]) {
      assert.equal(item.index.status, 500);
      assert.equal(item.index.error.type, "store_exception");
    }
    engine.refresh("t");
    assert.deepEqual(ids(engine, "alpha"), ["a"]);
    assert.deepEqual(ids(engine, "charlie"), []);
    assert.equal(engine.getDoc("t", "b").found, false);
    assert.equal(JSON.stringify(engine.getMapping("t")).includes("extra"), false);

    engine.bulk([{ index: { _id: "b" } }, { text: "charlie alpha" }], { index: "t", refresh: true });
    assert.deepEqual(ids(engine, "alpha"), ["a", "b"]);
    assert.deepEqual(ids(engine, "charlie"), ["b"]);
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

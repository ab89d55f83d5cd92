/**
 * A full disk and a read-only data directory (a size-limited tmpfs, remounted read-only): writes
 * to a full disk fail with 507 naming the cause while the server stays up and answers reads; a
 * read-only directory stops the server from starting with a clear message (503 is its status in
 * the APIs); earlier data is intact, and once space is freed (or the directory is writable again)
 * new writes succeed — also after a kill -9 and restart.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { api } from "../helpers/platform.ts";
import { killServer, type ServerProcess, spawnServer } from "../helpers/server-process.ts";
import { fillDisk, type Mount, mountTmpfs } from "./mounts.ts";

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely
type Body = any;

const mounts: Mount[] = [];
let server: ServerProcess | undefined;
after(async () => {
  if (server) await killServer(server);
  for (const m of mounts) m.unmount();
});

function mountOrSkip(t: { skip(message: string): void }, sizeMb: number): Mount | undefined {
  const m = mountTmpfs(sizeMb);
  if ("skip" in m) {
    t.skip(m.skip);
    return undefined;
  }
  mounts.push(m);
  return m;
}

const start = (dir: string) => spawnServer(dir, undefined, undefined, 90_000);

function bulkBody(index: string, prefix: string, n: number, pad = 0): string {
  let out = "";
  for (let i = 0; i < n; i++)
    out += `${JSON.stringify({ index: { _index: index, _id: `${prefix}${i}` } })}\n${JSON.stringify({ t: `alpha ${prefix}${i} ${"x".repeat(pad)}` })}\n`;
  return out;
}

async function bulk(url: string, body: string): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${url}/_bulk`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body,
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, body: await res.json() };
}

/** Platform and search writes while the storage refuses them: each answers `status` naming `cause`. */
async function expectRefused(s: ServerProcess, status: number, cause: RegExp): Promise<void> {
  const item = (await bulk(s.searchUrl, bulkBody("keep", "late", 200, 200))).body.items[0].index;
  assert.equal(item.status, status, JSON.stringify(item));
  assert.match(item.error.reason, cause);
  const doc = await api<Body>(s.searchUrl, "PUT", "/keep/_doc/one?refresh=true", { t: "gamma" });
  assert.equal(doc.status, status, JSON.stringify(doc.body));
  assert.match(doc.body.error.reason, cause);
  const index = await api<Body>(s.searchUrl, "PUT", "/other", {});
  assert.equal(index.status, status, JSON.stringify(index.body));
  assert.match(index.body.error.reason, cause);
  const flush = await api<Body>(s.searchUrl, "POST", "/keep/_flush");
  assert.ok([200, status].includes(flush.status), JSON.stringify(flush.body));
  const job = await api<Body>(s.url, "POST", "/api/v1/jobs", {
    DisplayName: "j",
    Script: "a.mjs",
    ScriptContent: "console.log(1)",
  });
  assert.equal(job.status, status, JSON.stringify(job.body));
  assert.match(job.body.error.message, cause);
  const object = await fetch(`${s.url}/v1/oss/keep-bucket/big.bin`, {
    method: "PUT",
    body: Buffer.alloc(256 * 1024, 1),
    signal: AbortSignal.timeout(60_000),
  });
  const objectBody = (await object.json()) as Body;
  assert.equal(object.status, status, JSON.stringify(objectBody));
  assert.match(objectBody.error.message, cause);
}

/** The earlier data answers: counts, a query, the object. */
async function expectIntact(s: ServerProcess, docs: number): Promise<void> {
  assert.equal((await api(s.url, "GET", "/health")).status, 200);
  assert.equal((await api<Body>(s.searchUrl, "GET", "/keep/_count")).body.count, docs);
  const hits = await api<Body>(s.searchUrl, "POST", "/keep/_search", { query: { match: { t: "k7" } } });
  assert.deepEqual(
    hits.body.hits.hits.map((h: Body) => h._id),
    ["k7"],
  );
  const object = await fetch(`${s.url}/v1/oss/keep-bucket/a.txt`, { signal: AbortSignal.timeout(60_000) });
  assert.equal(await object.text(), "kept");
}

async function seed(s: ServerProcess): Promise<void> {
  const created = await api(s.searchUrl, "PUT", "/keep", {
    mappings: { properties: { t: { type: "text" } } },
  });
  assert.equal(created.status, 200);
  const res = await bulk(s.searchUrl, bulkBody("keep", "k", 100));
  assert.equal(res.body.errors, false);
  assert.equal((await api(s.searchUrl, "POST", "/keep/_refresh")).status, 200);
  assert.equal((await api(s.url, "PUT", "/v1/oss/keep-bucket")).status, 201);
  const put = await fetch(`${s.url}/v1/oss/keep-bucket/a.txt`, { method: "PUT", body: "kept" });
  assert.equal(put.status, 201);
}

test("a full disk: writes answer 507 naming the full disk, reads go on, and writes succeed once space is freed", async (t) => {
  const m = mountOrSkip(t, 96);
  if (!m) return;
  server = await start(m.dir);
  await seed(server);
  const filler = fillDisk(m.dir);
  await expectRefused(server, 507, /disk is full/);
  await expectIntact(server, 100);
  const tmp = fs.readdirSync(path.join(m.dir, "search", "indices"), { recursive: true }).map(String);
  assert.deepEqual(
    tmp.filter((f) => f.endsWith(".tmp")),
    [],
    "a failed flush left a partial file",
  );

  fs.rmSync(filler);
  const more = await bulk(server.searchUrl, bulkBody("keep", "after", 50));
  assert.equal(more.body.errors, false, JSON.stringify(more.body.items[0]));
  assert.equal((await api(server.searchUrl, "POST", "/keep/_flush")).status, 200);
  await api(server.searchUrl, "POST", "/keep/_refresh");
  await expectIntact(server, 150);

  await killServer(server);
  server = await start(m.dir);
  await expectIntact(server, 150);
  await killServer(server);
});

/**
 * A mount with files open for writing cannot be remounted read-only (EBUSY), so the read-only case
 * is a server started on a data directory that became read-only while it was down (a volume
 * mounted ro, a full-disk emergency remount): it must refuse to start with one clear sentence,
 * change nothing, and start normally once the directory is writable again.
 */
test("a read-only data directory: the server refuses to start with a message naming it, and nothing is lost", async (t) => {
  const m = mountOrSkip(t, 96);
  if (!m) return;
  server = await start(m.dir);
  await seed(server);
  await killServer(server);
  m.remount("ro");
  try {
    await assert.rejects(start(m.dir), (err: Error) => {
      assert.match(err.message, /server exited with 1: error: cannot use the data directory .*read-only/);
      assert.doesNotMatch(err.message, /\n\s+at /, "a stack trace instead of a message");
      return true;
    });
  } finally {
    m.remount("rw");
  }
  server = await start(m.dir);
  await expectIntact(server, 100);
  const more = await bulk(server.searchUrl, bulkBody("keep", "after", 50));
  assert.equal(more.body.errors, false, JSON.stringify(more.body.items[0]));
  await api(server.searchUrl, "POST", "/keep/_refresh");
  await expectIntact(server, 150);
  await killServer(server);
});

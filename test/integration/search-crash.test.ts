import assert from "node:assert/strict";
import { after, test } from "node:test";
import { tempDir } from "../helpers/platform.ts";
import { seededRandom } from "../helpers/random.ts";
import { killServer, type ServerProcess, spawnServer } from "../helpers/server-process.ts";

const DOCS = 50_000;
const BATCH = 1_000;

async function es(url: string, method: string, path: string, body?: unknown, ndjson = false) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { "content-type": ndjson ? "application/x-ndjson" : "application/json" },
    body: body === undefined ? undefined : ndjson ? (body as string) : JSON.stringify(body),
  });
  return {
    status: res.status, // biome-ignore lint/suspicious/noExplicitAny: test reads arbitrary ES response bodies
    body: (await res.json()) as Record<string, any>,
  };
}

function bulkBody(from: number, to: number): string {
  let out = "";
  for (let n = from; n < to; n++) {
    out += `${JSON.stringify({ index: { _index: "load", _id: `d${n}` } })}\n`;
    out += `${JSON.stringify({ n, tag: "t", text: `alpha w${n} bravo charlie number ${n % 97}` })}\n`;
  }
  return out;
}

let server: ServerProcess | undefined;
after(async () => {
  if (server) await killServer(server);
});

test("kill -9 during a 50k-document bulk load: every acknowledged document is searchable, none half-indexed", async () => {
  const seed = Number(process.env.LODESTONE_FAULT_SEED ?? 20261125);
  const random = seededRandom(seed);
  const dir = tempDir();
  server = await spawnServer(dir);
  const created = await es(server.searchUrl, "PUT", "/load", {
    mappings: { properties: { n: { type: "integer" }, tag: { type: "keyword" }, text: { type: "text" } } },
  });
  assert.equal(created.status, 200);

  const killBatch = 10 + Math.floor(random() * 30);
  const acked = new Set<string>();
  let inFlight: string[] = [];
  for (let b = 0; b * BATCH < DOCS; b++) {
    const body = bulkBody(b * BATCH, (b + 1) * BATCH);
    if (b === killBatch) {
      inFlight = Array.from({ length: BATCH }, (_, i) => `d${b * BATCH + i}`);
      const pending = fetch(`${server.searchUrl}/_bulk`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body,
      }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, Math.floor(random() * 40)));
      await killServer(server);
      await pending;
      break;
    }
    const res = await es(server.searchUrl, "POST", "/_bulk", body, true);
    assert.equal(res.status, 200);
    assert.equal(res.body.errors, false);
    for (const item of res.body.items) if (item.index.status === 201) acked.add(item.index._id);
  }
  assert.equal(acked.size, killBatch * BATCH, `seed ${seed}`);

  server = await spawnServer(dir);
  const url = server.searchUrl;
  const total = (await es(url, "GET", "/load/_count")).body.count as number;
  // the in-flight batch is one transaction: entirely there or entirely absent
  assert.ok(
    total === acked.size || total === acked.size + inFlight.length,
    `count ${total} after ${acked.size} acknowledged (seed ${seed})`,
  );

  const ids = [...acked];
  for (let i = 0; i < ids.length; i += BATCH) {
    const chunk = ids.slice(i, i + BATCH);
    const found = await es(url, "POST", "/load/_count", { query: { ids: { values: chunk } } });
    assert.equal(
      found.body.count,
      chunk.length,
      `acknowledged ids ${chunk[0]}… missing after restart (seed ${seed})`,
    );
  }
  // no half-indexed document: every stored doc is in the text index, the keyword index and the numeric doc values
  assert.equal(
    (await es(url, "POST", "/load/_count", { query: { match: { text: "alpha" } } })).body.count,
    total,
  );
  assert.equal((await es(url, "POST", "/load/_count", { query: { term: { tag: "t" } } })).body.count, total);
  assert.equal(
    (await es(url, "POST", "/load/_count", { query: { range: { n: { gte: 0 } } } })).body.count,
    total,
  );
  for (let k = 0; k < 100; k++) {
    const id = ids[Math.floor(random() * ids.length)] as string;
    const res = await es(url, "POST", "/load/_search", { query: { match: { text: `w${id.slice(1)}` } } });
    assert.deepEqual(
      res.body.hits.hits.map((h: { _id: string }) => h._id),
      [id],
    );
    assert.equal(res.body.hits.hits[0]._source.n, Number(id.slice(1)));
  }
  // the restarted engine keeps accepting writes
  const more = await es(url, "PUT", "/load/_doc/after?refresh=true", {
    n: -1,
    tag: "t",
    text: "alpha after restart",
  });
  assert.equal(more.status, 201);
});

/**
 * kill -9 while bulk batches run through a text_embedding default pipeline on a real server with
 * a real (small, deployed) embedding endpoint: after the restart every acknowledged document has
 * its vector in _source, and a knn query with that vector finds the document first.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { api, tempDir } from "../helpers/platform.ts";
import { seededRandom } from "../helpers/random.ts";
import { killServer, type ServerProcess, spawnServer } from "../helpers/server-process.ts";
import { deploySmallEmbedderTo, distinctText, waitEndpointRunning } from "../helpers/small-models.ts";

const BATCH = 100;
const DIMENSION = 32;
const MAX_BATCHES = 40;

function bulkBody(from: number, to: number): string {
  let out = "";
  for (let n = from; n < to; n++) {
    out += `${JSON.stringify({ index: { _index: "vecs", _id: `d${n}` } })}\n`;
    out += `${JSON.stringify({ n, text: distinctText(n) })}\n`;
  }
  return out;
}

async function postBulk(url: string, body: string) {
  const res = await fetch(`${url}/_bulk`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body,
  });
  // biome-ignore lint/suspicious/noExplicitAny: test reads arbitrary bulk responses
  return { status: res.status, body: (await res.json()) as any };
}

let server: ServerProcess | undefined;
after(async () => {
  if (server) await killServer(server);
});

test("kill -9 during embedded bulk loads: acknowledged documents keep their vectors and are their own nearest neighbour", async () => {
  const seed = Number(process.env.LODESTONE_FAULT_SEED ?? 20261126);
  const random = seededRandom(seed);
  const dir = tempDir();
  server = await spawnServer(dir);
  const endpoint = await deploySmallEmbedderTo(server, DIMENSION);
  const search = server.searchUrl;

  assert.equal(
    (
      await api(search, "PUT", "/_ingest/pipeline/embed", {
        processors: [{ text_embedding: { model_id: endpoint, field_map: { text: "embedding" } } }],
      })
    ).status,
    200,
  );
  const created = await api(search, "PUT", "/vecs", {
    settings: { "index.knn": true, "index.default_pipeline": "embed" },
    mappings: {
      properties: {
        n: { type: "integer" },
        text: { type: "text" },
        embedding: { type: "knn_vector", dimension: DIMENSION },
      },
    },
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));

  const killBatch = 3 + Math.floor(random() * (MAX_BATCHES - 10));
  const acked = new Set<string>();
  let inFlight: string[] = [];
  for (let b = 0; b < MAX_BATCHES; b++) {
    const body = bulkBody(b * BATCH, (b + 1) * BATCH);
    if (b === killBatch) {
      inFlight = Array.from({ length: BATCH }, (_, i) => `d${b * BATCH + i}`);
      const pending = postBulk(search, body).catch(() => undefined);
      // somewhere in the embedding calls or the write
      await new Promise((r) => setTimeout(r, Math.floor(random() * 150)));
      await killServer(server);
      const answered = await pending;
      // answered before the kill: those are acknowledged too
      for (const item of answered?.body.items ?? []) if (item.index.status === 201) acked.add(item.index._id);
      break;
    }
    const res = await postBulk(search, body);
    assert.equal(res.status, 200);
    assert.equal(res.body.errors, false, `seed ${seed}: ${JSON.stringify(res.body.items[0])}`);
    for (const item of res.body.items) if (item.index.status === 201) acked.add(item.index._id);
  }
  assert.ok(acked.size >= killBatch * BATCH, `seed ${seed}`);

  server = await spawnServer(dir);
  const url = server.searchUrl;
  const total = (await api<{ count: number }>(url, "GET", "/vecs/_count")).body.count;
  assert.ok(
    total === killBatch * BATCH || total === killBatch * BATCH + inFlight.length,
    `count ${total} after ${acked.size} acknowledged (seed ${seed}): the in-flight batch is all or nothing`,
  );

  const ids = [...acked];
  const vectors = new Map<string, number[]>();
  for (const id of ids) {
    const doc = await api<{ found: boolean; _source: { embedding?: number[] } }>(
      url,
      "GET",
      `/vecs/_doc/${id}`,
    );
    assert.ok(doc.body.found, `acknowledged ${id} missing after restart (seed ${seed})`);
    assert.equal(doc.body._source.embedding?.length, DIMENSION, `${id} has no vector (seed ${seed})`);
    vectors.set(id, doc.body._source.embedding as number[]);
  }
  for (let k = 0; k < 100; k++) {
    const id = ids[Math.floor(random() * ids.length)] as string;
    const res = await api<{ hits: { hits: Array<{ _id: string }> } }>(url, "POST", "/vecs/_search", {
      size: 1,
      _source: false,
      query: { knn: { embedding: { vector: vectors.get(id), k: 10 } } },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.hits.hits[0]?._id, id, `knn with ${id}'s own vector (seed ${seed})`);
  }

  // the restarted server embeds new documents through the same pipeline
  await waitEndpointRunning(server, endpoint);
  const more = await api<{ result: string }>(url, "PUT", "/vecs/_doc/after?refresh=true", {
    text: "after restart",
  });
  assert.equal(more.status, 201, JSON.stringify(more.body));
  const after = await api<{ _source: { embedding: number[] } }>(url, "GET", "/vecs/_doc/after");
  assert.equal(after.body._source.embedding.length, DIMENSION);
});

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "@opensearch-project/opensearch";
import { startTestPlatform, tempDir } from "../helpers/platform.ts";
import { seededRandom } from "../helpers/random.ts";
import { SEED_RAG_DOCS } from "../helpers/seed.ts";
import { killServer, type ServerProcess, spawnServer } from "../helpers/server-process.ts";

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary ES response bodies
type Body = Record<string, any>;

function randomVectors(n: number, dim: number, seed: number): number[][] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => Math.fround(random() * 2 - 1)));
}

/** The client's error for a failed request: status and ES error body. */
async function failure(promise: Promise<unknown>): Promise<{ status: number; error: Body }> {
  try {
    await promise;
  } catch (err) {
    const meta = (err as { meta?: { statusCode: number; body: Body } }).meta;
    if (meta) return { status: meta.statusCode, error: meta.body.error };
    throw err;
  }
  throw new Error("the request succeeded");
}

describe("knn through the official OpenSearch client", () => {
  type Running = Awaited<ReturnType<typeof startTestPlatform>>;
  const dataDir = tempDir();
  const DOCS = 600;
  const vectors = randomVectors(DOCS, 768, 3);
  let running: Running;
  let client: Client;

  before(async () => {
    running = await startTestPlatform({}, dataDir);
    client = new Client({ node: running.searchUrl });
  });
  after(async () => {
    await client.close();
    await running.close();
  });

  const ids = (res: { body: Body }) => res.body.hits.hits.map((h: Body) => h._id);
  const graphs = () => running.platform.search.indices.get("rag-docs")?.shard?.vectorGraphs() ?? [];

  test("the seed's knn_vector mapping, bulk vectors, knn search with and without a filter", async () => {
    // the seed's request, verbatim
    const created = await client.indices.create({
      index: "rag-docs",
      body: SEED_RAG_DOCS,
    });
    assert.equal(created.body.acknowledged, true);
    const bulk = await client.bulk({
      refresh: true,
      body: vectors.flatMap((embedding, i) => [
        { index: { _index: "rag-docs", _id: String(i) } },
        { content: `chunk ${i} about ${i % 2 ? "odd" : "even"} topics 文档`, embedding },
      ]),
    });
    assert.equal(bulk.body.errors, false);

    for (const i of [0, 123, 599]) {
      const res = await client.search({
        index: "rag-docs",
        body: { size: 5, query: { knn: { embedding: { vector: vectors[i], k: 5 } } } },
      });
      assert.equal(ids(res)[0], String(i));
      assert.equal(res.body.hits.hits[0]._score, 1, "l2 distance 0 scores 1 / (1 + 0)");
      assert.equal(res.body.hits.total.value, 5);
    }
    const filtered = await client.search({
      index: "rag-docs",
      body: {
        size: 10,
        query: { knn: { embedding: { vector: vectors[10], k: 10, filter: { match: { content: "odd" } } } } },
      },
    });
    assert.equal(filtered.body.hits.hits.length, 10);
    assert.ok(ids(filtered).every((id: string) => Number(id) % 2 === 1));
    assert.ok(!ids(filtered).includes("10"));

    // knn next to BM25 in a bool, as hybrid-minded clients write it
    const mixed = await client.search({
      index: "rag-docs",
      body: {
        size: 3,
        query: {
          bool: {
            should: [{ match: { content: "chunk" } }, { knn: { embedding: { vector: vectors[42], k: 3 } } }],
          },
        },
      },
    });
    assert.equal(ids(mixed)[0], "42");
  });

  test("wrong dimensions and bad methods are 400s that name both numbers", async () => {
    const doc = await failure(
      client.index({
        index: "rag-docs",
        id: "short",
        body: { content: "x", embedding: vectors[0]?.slice(1) },
      }),
    );
    assert.equal(doc.status, 400);
    assert.equal(doc.error.type, "mapper_parsing_exception");
    assert.match(doc.error.reason, /Expected: 768, Given: 767/);

    const query = await failure(
      client.search({
        index: "rag-docs",
        body: { query: { knn: { embedding: { vector: [1, 2, 3], k: 3 } } } },
      }),
    );
    assert.equal(query.status, 400);
    assert.match(query.error.reason, /invalid dimension: 3\. Dimension should be: 768/);

    const method = await failure(
      client.indices.create({
        index: "bad-method",
        body: {
          settings: { "index.knn": true },
          mappings: {
            properties: {
              v: {
                type: "knn_vector",
                dimension: 4,
                method: { name: "ivf", engine: "faiss", space_type: "l2" },
              },
            },
          },
        },
      }),
    );
    assert.equal(method.status, 400);
    assert.equal(method.error.type, "mapper_parsing_exception");
    assert.match(method.error.reason, /knn_vector field \[v\].*\[hnsw\]/);

    const notVector = await failure(
      client.search({ index: "rag-docs", body: { query: { knn: { content: { vector: [1], k: 1 } } } } }),
    );
    assert.equal(notVector.status, 400);
    assert.match(notVector.error.reason, /Field 'content' is not knn_vector type/);
  });

  test("a restarted engine loads the committed graph instead of rebuilding it", async () => {
    const [graph] = graphs();
    assert.equal(graph?.live, DOCS);
    await client.close();
    await running.close();
    running = await startTestPlatform({}, dataDir);
    client = new Client({ node: running.searchUrl });
    const [reopened] = graphs();
    assert.equal(reopened?.origin, "loaded");
    assert.equal(reopened?.live, DOCS);
    const res = await client.search({
      index: "rag-docs",
      body: { size: 1, query: { knn: { embedding: { vector: vectors[77], k: 1 } } } },
    });
    assert.deepEqual(ids(res), ["77"]);
  });
});

test("kill -9 while bulk loading or flushing vectors: every acknowledged vector is found by knn after restart", async () => {
  const seed = Number(process.env.LODESTONE_FAULT_SEED ?? 20261126);
  const random = seededRandom(seed);
  const dir = tempDir();
  const DIM = 16;
  const BATCH = 200;
  let server: ServerProcess | undefined = await spawnServer(dir);
  try {
    const es = async (method: string, path: string, body?: unknown, ndjson = false) => {
      const res = await fetch(`${(server as ServerProcess).searchUrl}${path}`, {
        method,
        headers: { "content-type": ndjson ? "application/x-ndjson" : "application/json" },
        body: body === undefined ? undefined : ndjson ? String(body) : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Body };
    };
    const created = await es("PUT", "/vec", {
      settings: { "index.knn": true },
      mappings: {
        properties: {
          v: {
            type: "knn_vector",
            dimension: DIM,
            method: { name: "hnsw", space_type: "l2", engine: "faiss" },
          },
          n: { type: "integer" },
        },
      },
    });
    assert.equal(created.status, 200);

    const current = new Map<string, number[]>();
    const deleted = new Map<string, number[]>();
    const next = () => Array.from({ length: DIM }, () => Math.fround(random() * 2 - 1));
    const bulk = async (lines: unknown[]) => {
      const res = await es("POST", "/_bulk", `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`, true);
      assert.equal(res.status, 200);
      assert.equal(res.body.errors, false);
    };
    const killBatch = 6 + Math.floor(random() * 6);
    let inFlight = new Map<string, number[]>();
    for (let b = 0; ; b++) {
      const batch = new Map<string, number[]>();
      for (let i = 0; i < BATCH; i++) batch.set(`d${b * BATCH + i}`, next());
      const lines = [...batch].flatMap(([id, v]) => [{ index: { _index: "vec", _id: id } }, { v, n: b }]);
      if (b === killBatch) {
        // the kill lands in a bulk request, or in a flush writing segments and graphs
        const duringFlush = random() < 0.5;
        if (!duringFlush) inFlight = batch;
        const pending = (
          duringFlush
            ? fetch(`${server.searchUrl}/vec/_flush`, { method: "POST" })
            : fetch(`${server.searchUrl}/_bulk`, {
                method: "POST",
                headers: { "content-type": "application/x-ndjson" },
                body: `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`,
              })
        ).catch(() => undefined);
        await new Promise((r) => setTimeout(r, Math.floor(random() * 30)));
        await killServer(server);
        await pending;
        break;
      }
      await bulk(lines);
      for (const [id, v] of batch) current.set(id, v);
      if (b === 3) {
        // a commit with a graph, then updates and deletes the restart must replay on top of it
        assert.equal((await es("POST", "/vec/_flush")).status, 200);
        const updates = [...current.keys()].slice(0, 50).map((id) => [id, next()] as const);
        await bulk(updates.flatMap(([id, v]) => [{ index: { _index: "vec", _id: id } }, { v, n: -1 }]));
        for (const [id, v] of updates) current.set(id, v);
        const gone = [...current.keys()].slice(50, 70);
        await bulk(gone.map((id) => ({ delete: { _index: "vec", _id: id } })));
        for (const id of gone) {
          deleted.set(id, current.get(id) as number[]);
          current.delete(id);
        }
      }
    }

    server = await spawnServer(dir);
    const total = (await es("GET", "/vec/_count")).body.count as number;
    assert.ok(
      total === current.size || total === current.size + inFlight.size,
      `count ${total} after ${current.size} acknowledged (seed ${seed})`,
    );
    if (total > current.size) for (const [id, v] of inFlight) current.set(id, v);

    /** The top hit of a knn query for each vector, through _msearch in chunks. */
    const topHits = async (vectors: number[][]): Promise<(string | undefined)[]> => {
      const out: (string | undefined)[] = [];
      for (let i = 0; i < vectors.length; i += 200) {
        const chunk = vectors.slice(i, i + 200);
        const body = chunk.flatMap((vector) => [
          { index: "vec" },
          { size: 1, query: { knn: { v: { vector, k: 1 } } } },
        ]);
        const res = await es("POST", "/_msearch", `${body.map((l) => JSON.stringify(l)).join("\n")}\n`, true);
        for (const r of res.body.responses) out.push(r.hits?.hits[0]?._id);
      }
      return out;
    };
    const expected = [...current.keys()];
    const found = await topHits([...current.values()]);
    const missing = expected.filter((id, i) => found[i] !== id);
    assert.deepEqual(missing, [], `documents not found by their own vector after restart (seed ${seed})`);
    const ghosts = (await topHits([...deleted.values()])).filter((id) => id !== undefined && deleted.has(id));
    assert.deepEqual(ghosts, [], "deleted documents stay deleted");

    // the restarted engine keeps indexing and searching vectors
    const extra = next();
    assert.equal((await es("PUT", "/vec/_doc/after?refresh=true", { v: extra, n: 0 })).status, 201);
    assert.deepEqual(await topHits([extra]), ["after"]);
  } finally {
    if (server) await killServer(server);
  }
});

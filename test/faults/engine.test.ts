/**
 * kill -9 at seeded random points during bulk indexing and during ingestion through a
 * text_embedding default pipeline (a small deployed embedder), both loads running together in
 * every cycle; after each restart every acknowledged write is there exactly once, the in-flight
 * bulk is all or nothing, counts agree and the indices answer BM25 and knn queries.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { api, tempDir } from "../helpers/platform.ts";
import type { ServerProcess } from "../helpers/server-process.ts";
import { deploySmallEmbedderTo, distinctText, waitEndpointRunning } from "../helpers/small-models.ts";
import { faultCycles, faultSeed, runKillCycles } from "./cycles.ts";
import { bulkLoad } from "./doc-load.ts";

const DIMENSION = 16;

// biome-ignore lint/suspicious/noExplicitAny: ES response bodies are read loosely
type Body = any;

test("kill -9 during bulk indexing and embedding ingestion: acknowledged writes survive exactly once", async () => {
  let endpoint = "";
  const plain = bulkLoad({
    name: "bulk indexing",
    index: "load",
    create: {
      mappings: { properties: { n: { type: "integer" }, tag: { type: "keyword" }, text: { type: "text" } } },
    },
    batch: 200,
    source: (n) => ({ n, tag: "t", text: `alpha w${n} bravo number ${n % 97}` }),
    everyDoc: { match: { text: "alpha" } },
    async sample(server, ids) {
      for (const id of ids) {
        const res = await api<Body>(server.searchUrl, "POST", "/load/_search", {
          query: { match: { text: `w${id.slice(1)}` } },
        });
        assert.deepEqual(
          res.body.hits.hits.map((h: Body) => h._id),
          [id],
          `BM25 query for ${id}`,
        );
      }
    },
  });
  const embedded = bulkLoad({
    name: "ingestion with embeddings",
    index: "vecs",
    create: {
      settings: { "index.knn": true, "index.default_pipeline": "embed" },
      mappings: {
        properties: {
          n: { type: "integer" },
          text: { type: "text" },
          embedding: { type: "knn_vector", dimension: DIMENSION },
        },
      },
    },
    batch: 25,
    source: (n) => ({ n, text: distinctText(n % 4096) }),
    everyDoc: { exists: { field: "embedding" } },
    async setup(server) {
      endpoint = await deploySmallEmbedderTo(server, DIMENSION);
      const pipeline = await api(server.searchUrl, "PUT", "/_ingest/pipeline/embed", {
        processors: [{ text_embedding: { model_id: endpoint, field_map: { text: "embedding" } } }],
      });
      assert.equal(pipeline.status, 200, JSON.stringify(pipeline.body));
    },
    ready: (server: ServerProcess) => waitEndpointRunning(server, endpoint),
    async sample(server, ids) {
      for (const id of ids) {
        const doc = await api<Body>(server.searchUrl, "GET", `/vecs/_doc/${id}`);
        assert.equal(doc.body._source.embedding?.length, DIMENSION, `${id} has no vector`);
        const res = await api<Body>(server.searchUrl, "POST", "/vecs/_search", {
          size: 1,
          query: { knn: { embedding: { vector: doc.body._source.embedding, k: 5 } } },
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(
          res.body.hits.hits[0]?._source.text,
          doc.body._source.text,
          `knn with ${id}'s own vector`,
        );
      }
    },
  });
  const report = await runKillCycles({
    name: "engine faults",
    dataDir: tempDir("lodestone-faults-engine-"),
    seed: faultSeed(20261206),
    cycles: faultCycles(20),
    scenarios: [plain, embedded],
    delayMs: [150, 1200],
  });
  for (const [name, r] of Object.entries(report.scenarios))
    assert.ok(
      r.killPoints >= Math.min(report.cycles, 20) * 0.9,
      `${name}: only ${r.killPoints} kills landed inside its work`,
    );
});

/**
 * The OpenSearch backend end to end, with the embedded engine standing in for the cluster (no
 * OpenSearch server can run here): a small workflow (three docs/ pages, tiny training) runs once
 * on the embedded backend, then again with `search.backend = opensearch` pointed at the engine's
 * search port through @opensearch-project/opensearch. The second run registers the endpoints as
 * ML Commons remote models through connectors, indexes with the remote embedder's model id, runs
 * neural, hybrid and hybrid + rerank with remote model ids, tunes relevance through the client,
 * and gets the same nDCG@10 as the embedded backend on every row. A third run creates no new connector.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { createBackend, type SearchBackend } from "../../src/backends/index.ts";
import { ApiClient } from "../../src/cli/client.ts";
import { runWorkflow, type WorkflowReport } from "../../src/workflow/runner.ts";
import { loadWorkflow } from "../../src/workflow/schema.ts";
import { startTestPlatform, tempDir } from "../helpers/platform.ts";
import { PROJECT_ROOT } from "../helpers/server-process.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;
type Json = Record<string, unknown>;

/** The value at a path of keys and indices in a JSON answer. */
function at(value: unknown, ...path: Array<string | number>): unknown {
  return path.reduce<unknown>((v, key) => (v as Record<string | number, unknown> | undefined)?.[key], value);
}

const DOCS = ["object-storage.md", "security.md", "configuration.md"];

function writeWorkflow(dir: string): string {
  const data = path.join(dir, "docs");
  fs.mkdirSync(data);
  for (const name of DOCS) fs.copyFileSync(path.join(PROJECT_ROOT, "docs", name), path.join(data, name));
  const file = path.join(dir, "small.yaml");
  fs.writeFileSync(
    file,
    `name: small
data:
  source: ./docs
  format: markdown
  oss: oss://small/data/
  questions: { per_doc: 3, test_share: 0.3, validation_share: 0.2, seed: 5 }
training:
  embedder:
    name: small-embedder
    output: oss://small/models/embedder/
    hyper_parameters: { dim: 32, epochs: 2 }
  reranker:
    name: small-reranker
    output: oss://small/models/reranker/
    hyper_parameters: { epochs: 5 }
index:
  name: small-docs
  text_field: content
  vector_field: embedding
  settings: { index.similarity.default.type: BM25 }
  mappings:
    properties:
      title: { type: text, analyzer: english }
      content: { type: text, analyzer: english }
      embedding: { type: knn_vector, dimension: auto, method: { name: hnsw, space_type: innerproduct } }
pipelines:
  ingest: small-embed
  hybrid: small-hybrid
  rerank: small-hybrid-rerank
  bm25_weight: 0.5
evaluation: { depth: 20 }
tuning:
  - type: relevance
`,
  );
  return file;
}

let server: Running;
let workflowFile: string;

before(async () => {
  server = await startTestPlatform();
  workflowFile = writeWorkflow(tempDir());
});

after(async () => {
  await server?.close();
});

async function run(search: SearchBackend): Promise<WorkflowReport> {
  try {
    return await runWorkflow(loadWorkflow(workflowFile), { api: new ApiClient(server.url), search });
  } finally {
    await search.close();
  }
}

const backend = (kind: "embedded" | "opensearch") =>
  createBackend(
    {
      backend: kind,
      url: kind === "opensearch" ? server.searchUrl : "",
      username: "",
      passwordEnv: "",
      apiKeyEnv: "",
      tlsRejectUnauthorized: true,
      requestTimeoutMs: 60_000,
      platformUrl: "",
    },
    { embeddedUrl: server.searchUrl, platformUrl: server.url, env: {} },
  );

const engine = () => new ApiClient(server.searchUrl);

test("a workflow on the OpenSearch backend registers remote models and matches the embedded backend", async () => {
  const embedded = await run(backend("embedded"));
  assert.equal(embedded.index.reused, false);
  const get = (route: string) => engine().json<Json>("GET", route);
  const embedderId = async () =>
    at(
      await get("/_ingest/pipeline/small-embed"),
      "small-embed",
      "processors",
      0,
      "text_embedding",
      "model_id",
    );
  assert.equal(await embedderId(), embedded.models.embedder.endpoint_id);
  assert.ok(embedded.data.test_queries >= 5, `${embedded.data.test_queries} test queries`);

  // the same engine as a cluster: a fresh index, ingested through the remote model
  await engine().json("DELETE", "/small-docs");
  const remote = await run(backend("opensearch"));
  assert.equal(remote.index.reused, false);
  assert.equal(remote.models.embedder.endpoint_id, embedded.models.embedder.endpoint_id);

  const embedderModel = String(await embedderId());
  assert.match(embedderModel, /^m-/);
  const rerank = await get("/_search/pipeline/small-hybrid-rerank");
  const rerankerModel = String(
    at(rerank, "small-hybrid-rerank", "response_processors", 0, "rerank", "ml_opensearch", "model_id"),
  );
  assert.match(rerankerModel, /^m-/);

  for (const [id, endpoint] of [
    [embedderModel, embedded.models.embedder.endpoint_id],
    [rerankerModel, embedded.models.reranker.endpoint_id],
  ] as const) {
    const doc = await get(`/_plugins/_ml/models/${id}`);
    assert.equal(doc.function_name, "REMOTE");
    assert.equal(doc.model_state, "DEPLOYED");
    assert.equal(at(doc, "connector", "model"), endpoint);
    const connector = await get(`/_plugins/_ml/connectors/${doc.connector_id}`);
    assert.equal(connector.protocol, "http");
    assert.equal(at(connector, "parameters", "model"), endpoint);
    assert.equal(connector.credential, undefined);
  }

  assert.deepEqual(
    remote.evaluation.map((r) => r.name),
    embedded.evaluation.map((r) => r.name),
  );
  for (const [i, row] of remote.evaluation.entries()) {
    const base = embedded.evaluation[i];
    assert.ok(
      base && Math.abs(row.ndcg10 - base.ndcg10) < 1e-6,
      `${row.name}: ${row.ndcg10} vs ${base?.ndcg10}`,
    );
    assert.ok(Math.abs(row.recall100 - (base?.recall100 ?? Number.NaN)) < 1e-6, row.name);
  }
  assert.ok(embedded.evaluation.every((r) => r.ndcg10 > 0));
  // the tuner ran through the official client as well
  assert.deepEqual(
    remote.evaluation.slice(-2).map((r) => r.name),
    ["tuned", "tuned_bm25"],
  );

  // a re-run finds the remote models by name: no new connector, the same model ids
  const connectors = async () =>
    (
      await engine().json<{ hits: { total: { value: number } } }>(
        "POST",
        "/_plugins/_ml/connectors/_search",
        {
          body: { query: { match_all: {} }, size: 100 },
        },
      )
    ).hits.total.value;
  assert.equal(await connectors(), 2);
  const again = await run(backend("opensearch"));
  assert.equal(again.index.reused, true);
  assert.equal(await connectors(), 2);
  assert.deepEqual(
    again.evaluation.map((r) => r.ndcg10),
    remote.evaluation.map((r) => r.ndcg10),
  );
});

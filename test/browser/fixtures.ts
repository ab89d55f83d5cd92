/**
 * A small search index with every retrieval mode the console compares: BM25 text fields, a
 * 64-d knn_vector filled by a default text_embedding pipeline over a small deployed embedder,
 * a hybrid (min_max) search pipeline and the same with a rerank response processor.
 */
import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { RunningPlatform } from "../../src/server/platform.ts";
import { launchBrowser, type TestBrowser } from "../helpers/browser.ts";
import { api, startTestPlatform, tempDir } from "../helpers/platform.ts";
import { DOCS, deployFolder, uploadSmallModels } from "../helpers/small-models.ts";

export const INDEX = "lab";
export const TITLES = ["Boundary layers", "Shock waves", "Heat transfer", "Wing lift"];

/** Judged queries over the fixture (ids are the documents' positions in DOCS). */
export const JUDGED = [
  { id: "q-shock", query_text: "supersonic shock waves", ratings: [{ _id: "1", rating: 2 }] },
  { id: "q-heat", query_text: "heat transfer mach number", ratings: [{ _id: "2", rating: 2 }] },
  { id: "q-wing", query_text: "wing lift angle of attack", ratings: [{ _id: "3", rating: 2 }] },
  { id: "q-layer", query_text: "boundary layer flat plate", ratings: [{ _id: "0", rating: 2 }] },
];

async function ok(server: RunningPlatform, method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${server.searchUrl}${path}`, {
    method,
    headers: { "content-type": path.includes("_bulk") ? "application/x-ndjson" : "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.text()}`);
}

export async function seedSearchFixture(
  server: RunningPlatform,
): Promise<{ embedder: string; reranker: string }> {
  await uploadSmallModels(server, tempDir(), { embedder: "oss://lab/emb/", reranker: "oss://lab/rerank/" });
  const [embedder, reranker] = await Promise.all([
    deployFolder(server, "lab-embedder", "oss://lab/emb/"),
    deployFolder(server, "lab-reranker", "oss://lab/rerank/"),
  ]);
  await ok(server, "PUT", `/_ingest/pipeline/${INDEX}-embed`, {
    processors: [{ text_embedding: { model_id: embedder.endpointId, field_map: { content: "embedding" } } }],
  });
  await ok(server, "PUT", `/${INDEX}`, {
    settings: { "index.knn": true, "index.default_pipeline": `${INDEX}-embed` },
    mappings: {
      properties: {
        title: { type: "text", analyzer: "english" },
        content: { type: "text", analyzer: "english" },
        section: { type: "keyword" },
        source: { type: "keyword" },
        embedding: {
          type: "knn_vector",
          dimension: 64,
          method: { name: "hnsw", space_type: "innerproduct" },
        },
      },
    },
  });
  const bulk = DOCS.flatMap((content, i) => [
    JSON.stringify({ index: { _id: String(i) } }),
    JSON.stringify({ title: TITLES[i], section: "Aerodynamics", source: "docs/aero.md", content }),
  ]);
  await ok(server, "POST", `/${INDEX}/_bulk?refresh=true`, `${bulk.join("\n")}\n`);
  const normalization = {
    "normalization-processor": {
      normalization: { technique: "min_max" },
      combination: { technique: "arithmetic_mean", parameters: { weights: [0.5, 0.5] } },
    },
  };
  await ok(server, "PUT", `/_search/pipeline/${INDEX}-hybrid`, { phase_results_processors: [normalization] });
  await ok(server, "PUT", `/_search/pipeline/${INDEX}-hybrid-rerank`, {
    phase_results_processors: [normalization],
    response_processors: [
      {
        rerank: {
          ml_opensearch: { model_id: reranker.endpointId },
          context: { document_fields: ["content"] },
        },
      },
    ],
  });
  // the platform API is what the console reads; check it sees the index through the pass-through
  const cat = await api<{ index: string }[]>(
    server.url,
    "GET",
    "/console/api/search/_cat/indices?format=json",
  );
  assert.ok(
    cat.body.some((r) => r.index === INDEX),
    JSON.stringify(cat.body),
  );
  return { embedder: embedder.endpointId, reranker: reranker.endpointId };
}

export interface SearchFixture {
  server: RunningPlatform;
  browser: TestBrowser;
  models: { embedder: string; reranker: string };
}

/**
 * Registers before/after hooks: a platform with the fixture index and a browser, for one test
 * file; `setup` adds what the file needs on top, inside the same hook (so it runs after).
 */
export function useSearchFixture(setup?: (fixture: SearchFixture) => Promise<void>): SearchFixture {
  const fixture = {} as SearchFixture;
  before(async () => {
    [fixture.server, fixture.browser] = await Promise.all([startTestPlatform(), launchBrowser()]);
    fixture.models = await seedSearchFixture(fixture.server);
    await setup?.(fixture);
  });
  after(async () => {
    await fixture.browser?.close();
    await fixture.server?.close();
  });
  return fixture;
}

/**
 * What the load benchmark needs on its server, made over HTTP the way a user would: an index of
 * the docs/ corpus embedded by a deployed endpoint of the built-in embedder (or the quickstart's
 * rag-docs and `docs` app when the server runs on a quickstart data folder), a hybrid search
 * pipeline, a BM25 and a hybrid RAG app, and a recommendation instance whose catalog is that
 * index, with behaviours and a trained model.
 */
import { EmbeddedBackend } from "../../src/backends/embedded.ts";
import { mulberry32 } from "../../src/models/training/random.ts";
import type { App } from "../../src/rag/app-schema.ts";
import { ingest } from "../../src/rag/ingest/ingest.ts";
import { sourceRoot } from "../../src/rag/ingest/sources.ts";
import { PROJECT_ROOT } from "../lib/paths.ts";

export interface Target {
  index: string;
  textField: string;
  vectorField: string;
  /** The embedding endpoint neural queries name. */
  modelId: string;
  hybridPipeline: string;
  bm25App: string;
  hybridApp: string;
  instance: string;
  /** Item ids of the catalog (document ids) and user ids with history, for recommend and pushes. */
  items: string[];
  users: string[];
}

type Call = <T = Record<string, unknown>>(method: string, route: string, body?: unknown) => Promise<T>;

export interface Servers {
  api: Call;
  search: Call;
  searchUrl: string;
}

/** A JSON client of one base URL; a non-2xx answer throws with its body. */
export function client(base: string): Call {
  return async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${route}`, {
      method,
      ...(body !== undefined && {
        headers: { "content-type": typeof body === "string" ? "application/x-ndjson" : "application/json" },
      }),
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text.slice(0, 400)}`);
    return JSON.parse(text) as T;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function deployEmbedder(s: Servers): Promise<string> {
  const ep = await s.api<{ endpoint_id: string }>("POST", "/v1/endpoints", {
    model_id: "m-lodestone-embed-base",
  });
  for (const deadline = Date.now() + 180_000; Date.now() < deadline; await sleep(300)) {
    const e = await s.api<{ status: string; reason: string | null }>(
      "GET",
      `/v1/endpoints/${ep.endpoint_id}`,
    );
    if (e.status === "Running") return ep.endpoint_id;
    if (e.status === "Failed") throw new Error(`the embedder endpoint failed: ${e.reason}`);
  }
  throw new Error("the embedder endpoint is still Creating after 3 minutes");
}

/** A fresh server: the docs/ corpus ingested into `load-docs` through an embedding pipeline. */
async function freshIndex(s: Servers, log: (m: string) => void) {
  const modelId = await deployEmbedder(s);
  await s.search("PUT", "/_ingest/pipeline/load-embed", {
    processors: [{ text_embedding: { model_id: modelId, field_map: { content: "embedding" } } }],
  });
  await s.search("PUT", "/load-docs", {
    settings: { "index.knn": true, "index.default_pipeline": "load-embed" },
    mappings: {
      properties: {
        embedding: {
          type: "knn_vector",
          dimension: 768,
          method: { name: "hnsw", space_type: "cosinesimil" },
        },
      },
    },
  });
  log("ingesting docs/ into load-docs …");
  const summary = await ingest({
    backend: new EmbeddedBackend(s.searchUrl, ""),
    index: "load-docs",
    sources: [await sourceRoot("docs", { base: PROJECT_ROOT })],
  });
  if (summary.errors.length)
    throw new Error(`ingesting docs/ failed: ${JSON.stringify(summary.errors.slice(0, 3))}`);
  log(`  ${summary.chunks.indexed} chunks from ${summary.files.added} files`);
  await s.search("PUT", "/_search/pipeline/load-hybrid", {
    phase_results_processors: [
      {
        "normalization-processor": {
          normalization: { technique: "min_max" },
          combination: { technique: "arithmetic_mean", parameters: { weights: [0.3, 0.7] } },
        },
      },
    ],
  });
  const hybrid = {
    name: "load-hybrid",
    index: "load-docs",
    retrieval: { mode: "hybrid", model_id: modelId, search_pipeline: "load-hybrid", k: 5, candidates: 50 },
    llm: { provider: "builtin" },
  };
  await s.api("POST", "/v1/rag/apps", hybrid);
  return { index: "load-docs", modelId, hybridPipeline: "load-hybrid", hybridApp: hybrid.name };
}

/** A quickstart data folder: its rag-docs index and `docs` app as they are. */
async function quickstartIndex(s: Servers) {
  const app = await s.api<App>("GET", "/v1/rag/apps/docs").catch(() => {
    throw new Error(
      "no RAG app docs in this data folder; run the quickstart there first, or omit --data-dir",
    );
  });
  if (!app.retrieval.model_id || !app.retrieval.search_pipeline)
    throw new Error("the docs app is not hybrid: the quickstart's app has a model and a search pipeline");
  return {
    index: app.index,
    modelId: app.retrieval.model_id,
    hybridPipeline: app.retrieval.search_pipeline,
    hybridApp: app.name,
  };
}

async function bm25App(s: Servers, index: string): Promise<string> {
  const name = "load-bm25";
  await s.api("DELETE", `/v1/rag/apps/${name}`).catch(() => {});
  await s.api("POST", "/v1/rag/apps", {
    name,
    index,
    retrieval: { mode: "bm25", k: 5 },
    llm: { provider: "builtin" },
  });
  return name;
}

/** An instance over the index, 100 users' seeded behaviours and a trained item_cf + popular model. */
async function recommendInstance(s: Servers, index: string, log: (m: string) => void) {
  const instance = "airec-load";
  await s.api("DELETE", `/v2/instances/${instance}`).catch(() => {});
  await s.api("POST", "/v2/instances", { instance_id: instance, name: "load", type: "article" });
  const ds = await s.api<{ result: { datasource_id: string } }>(
    "POST",
    `/v2/instances/${instance}/datasources`,
    {
      type: "elasticsearch",
      endpoint: s.searchUrl,
      index,
    },
  );
  await s.api("POST", `/v2/instances/${instance}/datasources/${ds.result.datasource_id}/sync`);
  const hits = await s.search<{ hits: { hits: { _id: string }[] } }>("POST", `/${index}/_search`, {
    size: 300,
    _source: false,
    query: { match_all: {} },
  });
  const items = hits.hits.hits.map((h) => h._id);
  const random = mulberry32(11);
  const users = Array.from({ length: 100 }, (_, i) => `u${i}`);
  const behaviors = users.flatMap((user_id) =>
    Array.from({ length: 15 }, (_, j) => ({
      event_id: `seed-${user_id}-${j}`,
      user_id,
      // users lean to a band of the catalog, so item_cf has co-occurrences to learn
      item_id: items[Math.floor((random() * 0.2 + (Number(user_id.slice(1)) % 5) * 0.2) * items.length)],
      type: random() < 0.8 ? "click" : "like",
    })),
  );
  await s.api("POST", `/v2/instances/${instance}/behaviors`, { behaviors });
  log("training the recommendation model (item_cf, popular) …");
  const train = await s.api<{ result: { job_id: string } }>("POST", `/v2/instances/${instance}/train`, {
    channels: ["item_cf", "popular"],
  });
  for (const deadline = Date.now() + 300_000; ; await sleep(500)) {
    const job = await s.api<{ Status: string; ReasonMessage?: string }>(
      "GET",
      `/api/v1/jobs/${train.result.job_id}`,
    );
    if (job.Status === "Succeeded") break;
    if (job.Status === "Failed" || job.Status === "Stopped")
      throw new Error(`recommend training ${job.Status}: ${job.ReasonMessage ?? ""}`);
    if (Date.now() > deadline) throw new Error("recommend training did not finish in 5 minutes");
  }
  return { instance, items, users };
}

export async function prepare(s: Servers, fresh: boolean, log: (m: string) => void): Promise<Target> {
  const base = fresh ? await freshIndex(s, log) : await quickstartIndex(s);
  const bm25 = await bm25App(s, base.index);
  const rec = await recommendInstance(s, base.index, log);
  return { ...base, textField: "content", vectorField: "embedding", bm25App: bm25, ...rec };
}

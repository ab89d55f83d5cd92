/**
 * Cranfield test nDCG@10 through the search API only — `match`, `neural`, `hybrid` with a
 * normalization pipeline (min_max + arithmetic_mean) and with RRF, and hybrid + the `rerank`
 * response processor — next to the offline evaluation (src/eval, as `lodestone eval` and the
 * models benchmark compute it) of the very same model folders. The API should lose nothing.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type BeirQuery, documentText, loadBeir } from "../../src/eval/beir.ts";
import { BM25_DEFAULTS, bm25IndexBody, openBm25Index } from "../../src/eval/bm25-index.ts";
import { denseRun, rerankRun } from "../../src/eval/dense.ts";
import { fuseWeighted, reciprocalRankFusion, tuneFusionWeight } from "../../src/eval/fusion.ts";
import { evaluateRun, type Run } from "../../src/eval/metrics.ts";
import { loadModelFolder, saveEmbedder, saveReranker } from "../../src/models/artifacts.ts";
import { loadGlove } from "../../src/models/glove.ts";
import { Reranker } from "../../src/models/reranker.ts";
import { corpusAsBeir, loadTrainingData, validationQrels } from "../../src/models/training/data.ts";
import { initialEmbedderFor } from "../../src/models/training/init-embedder.ts";
import { trainEmbedder } from "../../src/models/training/train-embedder.ts";
import { trainReranker } from "../../src/models/training/train-reranker.ts";
import type { PairScorer, RerankCandidate, TextEncoder } from "../../src/models/types.ts";
import { DATASETS_DIR } from "../lib/paths.ts";
import { startBenchPlatform } from "../lib/platform.ts";
import { markdownTable } from "../lib/report.ts";

const DEPTH = 1000;
const RERANK_DEPTH = 100;
const TOLERANCE = 0.002;

interface Options {
  dimension: number;
  log: (s: string) => void;
}

interface Models {
  embedFolder: string;
  rerankFolder: string;
  /** The hybrid weight on BM25, tuned on the validation split of the training queries. */
  bm25Weight: number;
}

/** Trains the embedder and reranker as the models benchmark does, once per dimension (cached). */
export async function trainedModels(opts: Options): Promise<Models> {
  const dir = path.join(os.tmpdir(), "lodestone-cache", "bench-knn", `cranfield-${opts.dimension}`);
  const marker = path.join(dir, "models.json");
  if (fs.existsSync(marker)) {
    opts.log(`reusing the models trained earlier in ${dir}`);
    return JSON.parse(fs.readFileSync(marker, "utf8")) as Models;
  }
  const dataDir = path.join(DATASETS_DIR, "cranfield");
  const glove = await loadGlove({ cacheDir: path.join(os.tmpdir(), "lodestone-cache", "glove") });
  const judged = loadTrainingData(dataDir);
  const model = initialEmbedderFor(judged, { glove, dimension: opts.dimension });
  const retriever = await openBm25Index(corpusAsBeir(judged));
  try {
    opts.log("training the embedder on Cranfield's train qrels …");
    await trainEmbedder(model, judged, retriever, {});
    const validationQueries = judged.validation.map((q) => ({ id: q.id, text: q.text }));
    const tuned = tuneFusionWeight(
      validationQrels(judged),
      retriever.run(validationQueries, DEPTH),
      denseRun(model, corpusAsBeir(judged), validationQueries, DEPTH),
    );
    opts.log("training the reranker …");
    const reranker = Reranker.create(model);
    trainReranker(reranker, judged, retriever);
    const models: Models = {
      embedFolder: path.join(dir, "embedder"),
      rerankFolder: path.join(dir, "reranker"),
      bm25Weight: tuned.weight,
    };
    saveEmbedder(model, models.embedFolder);
    saveReranker(reranker, models.rerankFolder);
    fs.writeFileSync(marker, JSON.stringify(models));
    return models;
  } finally {
    await retriever.close();
  }
}

/**
 * Scores candidates as the rerank processor does: with each document's BM25 score for the query
 * from the index (here: its score in the BM25 run, 0 below its depth) as the reranker's BM25 feature.
 */
function withIndexBm25(scorer: PairScorer, bm25: Run, test: ReturnType<typeof loadBeir>): PairScorer {
  const docText = new Map(test.corpus.map((d) => [d.id, documentText(d)]));
  const byQuery = new Map<string, Map<string, number>>();
  for (const q of test.queries) {
    const scores = new Map<string, number>();
    for (const d of bm25.get(q.id) ?? []) scores.set(docText.get(d.id) as string, d.score);
    byQuery.set(q.text, scores);
  }
  return {
    score(query: string, candidates: readonly RerankCandidate[]) {
      const scores = byQuery.get(query);
      return scorer.score(
        query,
        candidates.map((c) => ({ text: c.text, bm25: scores?.get(c.text) ?? 0 })),
      );
    },
  };
}

async function offlineRuns(models: Models, test: ReturnType<typeof loadBeir>) {
  const emb = await loadModelFolder(models.embedFolder);
  const rr = await loadModelFolder(models.rerankFolder);
  if (emb.kind !== "embedding" || rr.kind !== "reranker") throw new Error("unexpected model folders");
  const bm25Index = await openBm25Index(test.corpus);
  const bm25 = bm25Index.run(test.queries, DEPTH);
  await bm25Index.close();
  const dense = denseRun(emb.encoder as TextEncoder, test.corpus, test.queries, DEPTH);
  const hybrid = fuseWeighted(bm25, dense, models.bm25Weight);
  const rrf = reciprocalRankFusion([bm25, dense]);
  const hybridRerank = rerankRun(withIndexBm25(rr.scorer, bm25, test), hybrid, RERANK_DEPTH, test);
  return { match: bm25, neural: dense, hybrid, rrf, hybrid_rerank: hybridRerank };
}

async function apiRuns(models: Models, test: ReturnType<typeof loadBeir>, opts: Options) {
  const bench = await startBenchPlatform("knn");
  const es = <T>(method: string, route: string, body?: unknown) => bench.search<T>(method, route, body);
  try {
    const deploy = (name: string, folder: string) => bench.deploy(name, folder);
    const embedder = await deploy("cranfield-embedder", models.embedFolder);
    const reranker = await deploy("cranfield-reranker", models.rerankFolder);
    opts.log(`deployed ${embedder} and ${reranker}`);

    // the offline BM25 index's body, plus the vector field and an embedding pipeline
    const body = bm25IndexBody(BM25_DEFAULTS) as {
      settings: Record<string, unknown>;
      mappings: { properties: Record<string, unknown> };
    };
    await es("PUT", "/_ingest/pipeline/cranfield-embed", {
      processors: [{ text_embedding: { model_id: embedder, field_map: { contents: "embedding" } } }],
    });
    await es("PUT", "/cranfield", {
      settings: { ...body.settings, "index.knn": true, "index.default_pipeline": "cranfield-embed" },
      mappings: {
        properties: {
          ...body.mappings.properties,
          // vectors are unit length: inner product = cosine, and its score (1 + cos) keeps min-max intact
          embedding: {
            type: "knn_vector",
            dimension: opts.dimension,
            method: { name: "hnsw", space_type: "innerproduct" },
          },
        },
      },
    });
    const started = performance.now();
    for (let i = 0; i < test.corpus.length; i += 500) {
      const lines = test.corpus.slice(i, i + 500).flatMap((d) => [
        JSON.stringify({
          // text_embedding refuses empty text (as OpenSearch does): such a document goes in without a vector
          index: documentText(d).trim() ? { _id: d.id } : { _id: d.id, pipeline: "_none" },
        }),
        JSON.stringify({ contents: documentText(d) }),
      ]);
      const res = await es<{ errors: boolean; items: unknown[] }>(
        "POST",
        "/cranfield/_bulk",
        `${lines.join("\n")}\n`,
      );
      if (res.errors)
        throw new Error(
          `bulk: ${JSON.stringify(res.items.find((x) => JSON.stringify(x).includes("error")))}`,
        );
    }
    await es("POST", "/cranfield/_refresh");
    const indexSeconds = (performance.now() - started) / 1000;
    opts.log(
      `indexed ${test.corpus.length} documents through the text_embedding pipeline in ${indexSeconds.toFixed(1)} s`,
    );

    const w = models.bm25Weight;
    await es("PUT", "/_search/pipeline/cranfield-minmax", {
      phase_results_processors: [
        {
          "normalization-processor": {
            normalization: { technique: "min_max" },
            combination: { technique: "arithmetic_mean", parameters: { weights: [w, 1 - w] } },
          },
        },
      ],
    });
    await es("PUT", "/_search/pipeline/cranfield-rrf", {
      phase_results_processors: [
        { "score-ranker-processor": { combination: { technique: "rrf", rank_constant: 60 } } },
      ],
    });
    await es("PUT", "/_search/pipeline/cranfield-minmax-rerank", {
      phase_results_processors: [
        {
          "normalization-processor": {
            normalization: { technique: "min_max" },
            combination: { technique: "arithmetic_mean", parameters: { weights: [w, 1 - w] } },
          },
        },
      ],
      response_processors: [
        { rerank: { ml_opensearch: { model_id: reranker }, context: { document_fields: ["contents"] } } },
      ],
    });

    const match = (q: BeirQuery) => ({ match: { contents: q.text } });
    const neural = (q: BeirQuery, k: number) => ({
      neural: { embedding: { query_text: q.text, model_id: embedder, k } },
    });
    const hybrid = (q: BeirQuery) => ({
      hybrid: { queries: [match(q), neural(q, DEPTH)], pagination_depth: DEPTH },
    });
    const variants: Record<string, { pipeline?: string; body: (q: BeirQuery) => Record<string, unknown> }> = {
      match: { body: (q) => ({ query: match(q) }) },
      neural: { body: (q) => ({ query: neural(q, RERANK_DEPTH) }) },
      hybrid: { pipeline: "cranfield-minmax", body: (q) => ({ query: hybrid(q) }) },
      rrf: { pipeline: "cranfield-rrf", body: (q) => ({ query: hybrid(q) }) },
      hybrid_rerank: {
        pipeline: "cranfield-minmax-rerank",
        body: (q) => ({ query: hybrid(q), ext: { rerank: { query_context: { query_text: q.text } } } }),
      },
    };
    const runs: Record<string, Run> = {};
    const latency: Record<string, number> = {};
    for (const [name, v] of Object.entries(variants)) {
      const run: Run = new Map();
      const t0 = performance.now();
      for (const q of test.queries) {
        const route = `/cranfield/_search${v.pipeline ? `?search_pipeline=${v.pipeline}` : ""}`;
        const res = await es<{ hits: { hits: { _id: string; _score: number }[] } }>("POST", route, {
          size: RERANK_DEPTH,
          _source: false,
          ...v.body(q),
        });
        run.set(
          q.id,
          res.hits.hits.map((h) => ({ id: h._id, score: h._score })),
        );
      }
      latency[name] = (performance.now() - t0) / test.queries.length;
      runs[name] = run;
      opts.log(`${name} through _search: ${latency[name]?.toFixed(1)} ms/query`);
    }
    return { runs, latency, indexSeconds };
  } finally {
    await bench.close();
  }
}

export async function cranfieldBenchmark(opts: Options) {
  const test = loadBeir(path.join(DATASETS_DIR, "cranfield"), "test");
  const models = await trainedModels(opts);
  const offline = await offlineRuns(models, test);
  const api = await apiRuns(models, test, opts);
  const rows = Object.entries(offline).map(([name, run]) => {
    const want = evaluateRun(test.qrels, run).ndcg10;
    const got = evaluateRun(test.qrels, api.runs[name] as Run).ndcg10;
    return { name, offline: want, api: got, difference: got - want, ms_per_query: api.latency[name] ?? 0 };
  });
  const worst = Math.max(...rows.map((r) => Math.abs(r.difference)));
  const markdown = [
    markdownTable({
      title: `Cranfield test nDCG@10 through _search vs the offline evaluation (${opts.dimension}-d embedder, BM25 weight ${models.bm25Weight.toFixed(2)})`,
      columns: ["retrieval", "offline (src/eval)", "_search API", "difference", "ms/query"],
      rows: rows.map((r) => [r.name, r.offline, r.api, r.difference, r.ms_per_query]),
    }),
    `Largest difference ${worst.toFixed(4)} (tolerance ${TOLERANCE}): ${worst <= TOLERANCE ? "the API loses nothing" : "OVER TOLERANCE"}. Indexing through the text_embedding pipeline: ${api.indexSeconds.toFixed(1)} s.`,
    "",
  ].join("\n");
  return {
    report: {
      dimension: opts.dimension,
      bm25_weight: models.bm25Weight,
      rows,
      worst_difference: worst,
      index_seconds: api.indexSeconds,
    },
    markdown,
  };
}

/**
 * Runs a workflow against a running server, through its HTTP APIs only: data → train embedder →
 * train reranker → deploy both → ingest pipeline + index → ingest → search pipelines → tuning →
 * evaluation → RAG apps. Every step skips work whose output already exists, so a re-run is cheap.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { SearchBackend } from "../backends/index.ts";
import type { ApiClient } from "../cli/client.ts";
import type { StepContext, WorkflowEvent } from "./context.ts";
import type { Workflow } from "./schema.ts";
import { createIndex, embedderRef } from "./steps/create-index.ts";
import { deployModel } from "./steps/deploy.ts";
import { type EvaluationComparison, type EvaluationRow, evaluate } from "./steps/evaluate.ts";
import { ingestDocuments } from "./steps/ingest.ts";
import { type AppResult, createRagApps } from "./steps/rag-apps.ts";
import { createSearchPipelines } from "./steps/search-pipelines.ts";
import { standardVariants } from "./steps/search-runs.ts";
import { trainEmbedder, trainReranker } from "./steps/train.ts";
import { checkTuning, runTuning } from "./steps/tune.ts";
import { prepareData } from "./steps/upload.ts";

const DEFAULT_DEPTH = 100;

export interface WorkflowReport {
  workflow: string;
  data: { documents: number; validation_queries: number; test_queries: number; oss: string };
  jobs: { embedder: { id: string; trained: boolean }; reranker: { id: string; trained: boolean } };
  models: {
    embedder: { model_id: string; endpoint_id: string; dimension: number | null; reused: boolean };
    reranker: { model_id: string; endpoint_id: string; reused: boolean };
  };
  index: { name: string; reused: boolean };
  bm25_weight: number;
  evaluation: EvaluationRow[];
  /** Paired nDCG@10 differences on the test queries: each variant vs BM25, tuned vs its start. */
  comparisons: EvaluationComparison[];
  /** What each tuner found (train and held-out metrics, the proposal). */
  tuning: unknown[];
  /** The RAG apps over the index (`apps:`), and whether this run created, updated or kept each. */
  apps: AppResult[];
  seconds: number;
}

export interface RunOptions {
  api: ApiClient;
  search: SearchBackend;
  onEvent?: (event: WorkflowEvent) => void;
}

export async function runWorkflow(workflow: Workflow, opts: RunOptions): Promise<WorkflowReport> {
  checkTuning(workflow.tuning);
  const started = performance.now();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `lodestone-workflow-${workflow.name}-`));
  const ctx: StepContext = {
    workflow,
    api: opts.api,
    search: opts.search,
    workDir,
    emit: (event) => opts.onEvent?.(event),
  };
  const depth = workflow.evaluation?.depth ?? DEFAULT_DEPTH;
  try {
    const { dataset, trainingUrl } = await prepareData(ctx);
    const embedJob = await trainEmbedder(ctx, trainingUrl);
    const rerankJob = await trainReranker(ctx, trainingUrl, embedJob);
    const { embedder: embSpec, reranker: rrSpec } = workflow.training;
    const embedder = await deployModel(ctx, "deploy-embedder", embSpec.name, embSpec.output, embedJob);
    const reranker = await deployModel(ctx, "deploy-reranker", rrSpec.name, rrSpec.output, rerankJob);
    const index = await createIndex(ctx, { ...embedder, name: embSpec.name }, dataset.corpus);
    if (!index.current) await ingestDocuments(ctx, dataset.corpus);
    // the ids neural queries and rerank processors name on this backend
    const endpoints = {
      embedder: await ctx.search.modelIdFor(embedderRef(embedder, embSpec.name)),
      reranker: await ctx.search.modelIdFor({
        endpointId: reranker.endpointId,
        kind: "rerank",
        name: rrSpec.name,
      }),
    };
    const bm25Weight = await createSearchPipelines(ctx, endpoints, dataset.validation, depth);
    const baseline = standardVariants(ctx, endpoints.embedder);
    const tuned = await runTuning(ctx, {
      endpoints,
      bm25Weight,
      train: dataset.train,
      validation: dataset.validation,
      baseline,
      depth,
    });
    const { rows: evaluation, comparisons } = await evaluate(
      ctx,
      [...baseline, ...tuned],
      dataset.test,
      depth,
    );
    // apps name the platform's endpoints; the RAG service maps them for the backend itself
    const apps = await createRagApps(ctx, { embedder: embedder.endpointId, reranker: reranker.endpointId });
    return {
      workflow: workflow.name,
      data: {
        documents: dataset.corpus.length,
        validation_queries: dataset.validation.queries.length,
        test_queries: dataset.test.queries.length,
        oss: workflow.data.oss,
      },
      jobs: {
        embedder: { id: embedJob.job.JobId, trained: embedJob.trained },
        reranker: { id: rerankJob.job.JobId, trained: rerankJob.trained },
      },
      models: {
        embedder: {
          model_id: embedder.modelId,
          endpoint_id: embedder.endpointId,
          dimension: embedder.dimension,
          reused: embedder.reused,
        },
        reranker: { model_id: reranker.modelId, endpoint_id: reranker.endpointId, reused: reranker.reused },
      },
      index: { name: workflow.index.name, reused: index.current },
      bm25_weight: bm25Weight,
      evaluation,
      comparisons,
      tuning: tuned.flatMap((v) => (v.details === undefined ? [] : [v.details])),
      apps,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * The `relevance` tuner of a workflow's `tuning` list: src/eval/tune over the workflow's index,
 * trained on the judged queries the models trained on and confirmed on the validation queries
 * (the test queries stay out of it). Its copy of the index, `<index>-tuned`, keeps the tuned
 * settings and is what the "tuned" row searches, with the tuned query and search pipeline (and the
 * "BM25 tuned" row, with the tuned lexical query alone). The
 * report is stored in `<data.oss>tuning/`; a re-run with the same inputs reuses it.
 */
import { createHash } from "node:crypto";
import { renderQueryTemplate } from "../../eval/tune/config.ts";
import { parseTuneRequest, requestsFrom, STAGES } from "../../eval/tune/request.ts";
import { type TuneReport, tune } from "../../eval/tune/tuner.ts";
import { parseOssUrl } from "../../storage/oss-url.ts";
import { type StepContext, stepDone, stepSkipped, stepStart } from "../context.ts";
import { WorkflowError } from "../schema.ts";
import type { SearchVariant } from "./search-runs.ts";
import type { RelevanceTuner, TuneInput } from "./tune.ts";

const STEP = "tune";
/** Part of the stored report's key: raise it when tuning itself changes, so old reports are not reused. */
const TUNER_VERSION = 5;
const OPTIONS = ["stages", "metric", "max_train_queries"];

function tuneBody(ctx: StepContext, options: Record<string, unknown>, input: TuneInput) {
  for (const key of Object.keys(options))
    if (!OPTIONS.includes(key))
      throw new WorkflowError(`tuning: unknown option ${key} of the relevance tuner (${OPTIONS.join(", ")})`);
  const { index, evaluation } = ctx.workflow;
  return {
    index: index.name,
    fields: [index.text_field],
    vector_field: index.vector_field,
    embedder_model_id: input.endpoints.embedder,
    reranker_model_id: input.endpoints.reranker,
    requests: requestsFrom(input.train.queries, input.train.qrels),
    heldout_requests: requestsFrom(input.validation.queries, input.validation.qrels),
    // the models trained on the training questions: fusion and rerank choose on the validation ones
    models_trained_on_requests: true,
    stages: options.stages ?? [...STAGES],
    ...(options.metric !== undefined && { metric: options.metric }),
    ...(options.max_train_queries !== undefined && { max_train_queries: options.max_train_queries }),
    baseline: {
      bm25_weight: input.bm25Weight,
      normalization: "min_max",
      rerank_depth: evaluation?.rerank_depth ?? 100,
    },
    depth: input.depth,
    scratch_index: `${index.name}-tuned`,
    keep_scratch: true,
  };
}

type Template = Pick<TuneReport["proposal"], "query_template" | "search_pipeline">;

/** A search body from a proposed template and pipeline, `size(depth)` hits deep. */
function templateBody(t: Template, size: (depth: number) => number): SearchVariant["body"] {
  return (q, depth) => ({
    ...renderQueryTemplate(t.query_template, q.text),
    size: size(depth),
    ...(t.search_pipeline && { search_pipeline: t.search_pipeline }),
  });
}

/** The tuned search ("tuned"), and its lexical query alone ("BM25 tuned"), on the tuned index. */
function tunedVariants(report: TuneReport): SearchVariant[] {
  const { lexical } = report.proposal;
  const rerankDepth = report.config.rerankDepth;
  const index = report.scratch_index ?? report.index;
  const tuned: SearchVariant = {
    name: "tuned",
    label: "tuned",
    details: report,
    // the tuner starts from the hybrid + rerank search (tuneBody's baseline)
    improvesOn: "hybrid_rerank",
    index,
    body: templateBody(report.proposal, (depth) => (rerankDepth > 0 ? Math.min(rerankDepth, depth) : depth)),
  };
  if (!lexical) return [tuned];
  return [
    tuned,
    {
      name: "tuned_bm25",
      label: "BM25 tuned",
      improvesOn: "bm25",
      index,
      body: templateBody(lexical, (depth) => depth),
    },
  ];
}

async function storedReport(ctx: StepContext, key: string, digest: string): Promise<TuneReport | undefined> {
  try {
    const stored = await ctx.api.json<{ digest: string; report: TuneReport }>("GET", key);
    if (stored.digest !== digest || !stored.report.scratch_index) return undefined;
    await ctx.search.json("GET", `/${stored.report.scratch_index}/_count`);
    return stored.report;
  } catch {
    return undefined;
  }
}

export const relevanceTuner: RelevanceTuner = {
  async tune(ctx, options, input) {
    const body = tuneBody(ctx, options, input);
    const request = parseTuneRequest(body);
    // the create-index step's digest of the index body, embedder and corpus
    const indexState = await ctx.search.json("GET", `/${ctx.workflow.index.name}/_mapping`);
    const digest = createHash("sha256")
      .update(JSON.stringify({ version: TUNER_VERSION, body, indexState }))
      .digest("hex");
    const { bucket, key } = parseOssUrl(`${ctx.workflow.data.oss}tuning/report.json`);
    const route = `/v1/oss/${bucket}/${key}`;
    const reused = await storedReport(ctx, route, digest);
    if (reused) {
      stepSkipped(
        ctx,
        STEP,
        `tuned index ${reused.scratch_index} is current (${reused.stages.filter((s) => s.status === "accepted").length} changes kept)`,
      );
      return tunedVariants(reused);
    }
    stepStart(
      ctx,
      STEP,
      `${request.stages.join(", ")} on ${request.train.queries.length} training queries, confirmed on ${request.heldout.queries.length} validation queries`,
    );
    const report = await tune(ctx.search, request, {
      onEvent: (e) => {
        if (e.type === "trial")
          ctx.emit({
            type: "progress",
            step: STEP,
            label: `tune ${e.stage}`,
            fraction: e.done / e.total,
            message: e.message,
          });
        else if (e.type === "stage" && e.status !== "start")
          ctx.emit({
            type: "step",
            step: `${STEP} ${e.stage}`,
            status: e.status === "accepted" ? "done" : "skipped",
            message: `${e.status}${e.message ? `: ${e.message}` : ""}`,
          });
      },
    });
    await ctx.api.json("PUT", route, {
      rawBody: JSON.stringify({ digest, report }),
      contentType: "application/json",
    });
    stepDone(
      ctx,
      STEP,
      `${report.metric} ${report.baseline.heldout.toFixed(4)} → ${report.tuned.heldout.toFixed(4)} on validation; tuned index ${report.scratch_index}`,
    );
    return tunedVariants(report);
  },
};

/**
 * Step "search-pipelines": the hybrid weight on BM25 (from the file, or tuned on the validation
 * queries with tuneFusionWeight over BM25 and neural runs fetched through `_search`), then the
 * hybrid and hybrid + rerank search pipelines.
 */
import { tuneFusionWeight } from "../../eval/fusion.ts";
import type { StepContext } from "../context.ts";
import type { EvalSet } from "../dataset.ts";
import { hybridPipelineBody, putPipeline, rerankPipelineBody } from "./pipelines.ts";
import { type SearchVariant, searchRun, standardVariants } from "./search-runs.ts";

const STEP = "search-pipelines";

export async function hybridWeight(
  ctx: StepContext,
  embedderModel: string,
  validation: EvalSet,
  depth: number,
): Promise<{ weight: number; tuned: boolean }> {
  const fixed = ctx.workflow.pipelines.bm25_weight ?? "auto";
  if (fixed !== "auto") return { weight: fixed, tuned: false };
  if (validation.queries.length === 0)
    throw new Error("pipelines.bm25_weight is auto but there are no validation queries; give a number");
  const variants = standardVariants(ctx, embedderModel);
  const run = (name: string) =>
    searchRun(ctx, variants.find((v) => v.name === name) as SearchVariant, validation.queries, depth);
  const bm25 = await run("bm25");
  const neural = await run("neural");
  return { weight: tuneFusionWeight(validation.qrels, bm25, neural).weight, tuned: true };
}

export async function createSearchPipelines(
  ctx: StepContext,
  endpoints: { embedder: string; reranker: string },
  validation: EvalSet,
  depth: number,
): Promise<number> {
  const { pipelines, index } = ctx.workflow;
  const { weight, tuned } = await hybridWeight(ctx, endpoints.embedder, validation, depth);
  const wrote = [
    await putPipeline(ctx, `/_search/pipeline/${pipelines.hybrid}`, hybridPipelineBody(weight)),
    await putPipeline(
      ctx,
      `/_search/pipeline/${pipelines.rerank}`,
      rerankPipelineBody(weight, endpoints.reranker, index.text_field),
    ),
  ].some(Boolean);
  const how = tuned ? `tuned on ${validation.queries.length} validation queries` : "from the workflow";
  ctx.emit({
    type: "step",
    step: STEP,
    status: wrote ? "done" : "skipped",
    message: `${pipelines.hybrid} and ${pipelines.rerank}: BM25 weight ${weight.toFixed(2)} (${how})${wrote ? "" : ", unchanged"}`,
  });
  return weight;
}

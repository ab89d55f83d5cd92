/**
 * Ingest and search pipelines, created or replaced only when the stored definition differs, and
 * the bodies the workflow uses: a text_embedding ingest pipeline, a min_max + arithmetic_mean
 * normalization pipeline, and the same with a rerank response processor.
 */
import { ApiError } from "../../cli/client.ts";
import type { StepContext } from "../context.ts";
import { jsonEqual } from "../json-equal.ts";

/** PUTs `body` at `route` (…/pipeline/<id>) unless the same definition is stored; true when written. */
export async function putPipeline(
  ctx: StepContext,
  route: string,
  body: Record<string, unknown>,
): Promise<boolean> {
  const id = route.slice(route.lastIndexOf("/") + 1);
  const stored = await ctx.search
    .json<Record<string, unknown>>("GET", route)
    .catch((err): Record<string, unknown> => {
      if (err instanceof ApiError && err.status === 404) return {};
      throw err;
    });
  if (stored[id] !== undefined && jsonEqual(stored[id], body)) return false;
  await ctx.search.json("PUT", route, { body });
  return true;
}

export function ingestPipelineBody(embedderModel: string, textField: string, vectorField: string) {
  return {
    description: "embeds the text field with the workflow's trained embedder",
    processors: [{ text_embedding: { model_id: embedderModel, field_map: { [textField]: vectorField } } }],
  };
}

function normalization(bm25Weight: number) {
  return {
    "normalization-processor": {
      normalization: { technique: "min_max" },
      combination: { technique: "arithmetic_mean", parameters: { weights: [bm25Weight, 1 - bm25Weight] } },
    },
  };
}

export function hybridPipelineBody(bm25Weight: number) {
  return { phase_results_processors: [normalization(bm25Weight)] };
}

export function rerankPipelineBody(bm25Weight: number, rerankerModel: string, textField: string) {
  return {
    phase_results_processors: [normalization(bm25Weight)],
    response_processors: [
      {
        rerank: { ml_opensearch: { model_id: rerankerModel }, context: { document_fields: [textField] } },
      },
    ],
  };
}

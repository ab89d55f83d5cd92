/**
 * Step "index": the ingest pipeline and the index (settings and mapping from the workflow, a
 * knn_vector `dimension: auto` filled with the embedder's). The index records a digest of its
 * body, the embedder and the corpus in `mappings._meta`; an index with the same digest and all
 * its documents is kept, anything else is recreated.
 */
import { createHash } from "node:crypto";
import type { EndpointRef } from "../../backends/index.ts";
import { ApiError } from "../../cli/client.ts";
import { type StepContext, stepDone, stepSkipped } from "../context.ts";
import type { IndexedDoc } from "../dataset.ts";
import { canonicalJson } from "../json-equal.ts";
import { ingestPipelineBody, putPipeline } from "./pipelines.ts";

const STEP = "index";

export interface IndexResult {
  /** True when the index already held this corpus, embedded by this embedder. */
  current: boolean;
}

/** The mapping's properties with every knn_vector `dimension: "auto"` set to `dimension`. */
export function fillDimension(
  properties: Record<string, unknown>,
  dimension: number,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(properties).map(([name, field]) => {
      const f = field as Record<string, unknown>;
      if (f.type === "knn_vector" && f.dimension === "auto") return [name, { ...f, dimension }];
      if (f.properties)
        return [
          name,
          { ...f, properties: fillDimension(f.properties as Record<string, unknown>, dimension) },
        ];
      return [name, f];
    }),
  );
}

export function indexBody(ctx: StepContext, embedderDimension: number): Record<string, unknown> {
  const { index, pipelines } = ctx.workflow;
  return {
    settings: { ...index.settings, "index.knn": true, "index.default_pipeline": pipelines.ingest },
    mappings: { ...index.mappings, properties: fillDimension(index.mappings.properties, embedderDimension) },
  };
}

/** The embedding endpoint as the search backend sees it. */
export const embedderRef = (
  embedder: { endpointId: string; dimension: number | null },
  name: string,
): EndpointRef => ({
  endpointId: embedder.endpointId,
  kind: "embedding",
  dimension: embedder.dimension,
  name,
});

export async function createIndex(
  ctx: StepContext,
  embedder: { endpointId: string; dimension: number | null; name: string },
  corpus: IndexedDoc[],
): Promise<IndexResult> {
  const { index, pipelines } = ctx.workflow;
  if (!embedder.dimension) throw new Error(`the embedder behind ${embedder.endpointId} has no dimension`);
  const modelId = await ctx.search.modelIdFor(embedderRef(embedder, embedder.name));
  await putPipeline(
    ctx,
    `/_ingest/pipeline/${pipelines.ingest}`,
    ingestPipelineBody(modelId, index.text_field, index.vector_field),
  );
  const body = indexBody(ctx, embedder.dimension);
  const digest = createHash("sha256")
    .update(canonicalJson({ body, embedder: embedder.endpointId, corpus }))
    .digest("hex")
    .slice(0, 16);
  const existing = await ctx.search
    .json<Record<string, { mappings?: { _meta?: { digest?: string } } }>>("GET", `/${index.name}/_mapping`)
    .catch((err) => {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    });
  if (existing) {
    const { count } = await ctx.search.json<{ count: number }>("GET", `/${index.name}/_count`);
    if (existing[index.name]?.mappings?._meta?.digest === digest && count === corpus.length) {
      stepSkipped(
        ctx,
        STEP,
        `${index.name} already holds the ${count} documents, embedded by ${embedder.endpointId}`,
      );
      return { current: true };
    }
    await ctx.search.json("DELETE", `/${index.name}`);
  }
  const mappings = body.mappings as Record<string, unknown>;
  await ctx.search.json("PUT", `/${index.name}`, {
    body: { ...body, mappings: { ...mappings, _meta: { workflow: ctx.workflow.name, digest } } },
  });
  stepDone(
    ctx,
    STEP,
    `created ${index.name} (${embedder.dimension}-d ${index.vector_field}, default pipeline ${pipelines.ingest})`,
  );
  return { current: false };
}

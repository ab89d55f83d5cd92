/**
 * What a text_embedding processor must agree with: its model (known to the model service, an
 * embedding model) and the index it writes to (a knn_vector target of the model's dimension).
 * Checked at PUT pipeline, when an index gets the pipeline as default or final pipeline, and for
 * every document written — each time with a message naming both numbers.
 */
import { EngineError } from "../errors.ts";
import type { SearchModelInfo, SearchModels } from "../models.ts";
import type { EmbeddingTarget, Pipeline } from "./ingest-pipeline.ts";
import { knownModel } from "./model-calls.ts";

/** The model's description, or a 400 when it is unknown or not an embedding model. */
export function embeddingModel(models: SearchModels, modelId: string): SearchModelInfo {
  return knownModel(models, modelId, "embedding", "text_embedding processor");
}

/** Looks up the knn_vector dimension of a field of one index. */
export type VectorDimensionOf = (path: string) => number | undefined;

/**
 * Fails when a target field of the processor is a knn_vector of another dimension than the
 * model's (a chunked source writes `{"knn": vector}` objects, so `<target>.knn` counts too).
 */
export function checkTargetDimensions(
  target: EmbeddingTarget,
  modelDimension: number | undefined,
  index: string,
  dimensionOf: VectorDimensionOf,
): void {
  if (modelDimension === undefined) return;
  for (const path of target.paths) {
    for (const field of [path, `${path}.knn`]) {
      const dimension = dimensionOf(field);
      if (dimension !== undefined && dimension !== modelDimension)
        throw new EngineError(
          400,
          "illegal_argument_exception",
          `the text_embedding model [${target.modelId}] produces vectors of dimension ${modelDimension}, but field [${field}] of index [${index}] is a knn_vector of dimension ${dimension}; map the field with "dimension": ${modelDimension} or use a model of dimension ${dimension}`,
          { index },
        );
    }
  }
}

/** Checks every text_embedding processor of a pipeline against an index (models the service can't describe are skipped). */
export function checkPipelineDimensions(
  pipeline: Pipeline,
  models: SearchModels | undefined,
  index: string,
  dimensionOf: VectorDimensionOf,
): void {
  if (!models) return;
  for (const p of pipeline.allProcessors()) {
    if (!p.embedding) continue;
    const info = models.describe(p.embedding.modelId);
    checkTargetDimensions(p.embedding, info?.dimension, index, dimensionOf);
  }
}

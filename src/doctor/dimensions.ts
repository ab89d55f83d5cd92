/**
 * Check 2: every knn_vector field an index's default or final pipeline writes with text_embedding
 * has the dimension of the model writing it. The engine checks this when a pipeline and an index
 * meet, but not through `pipeline` processors, nor when a model name comes to mean a new version
 * of another dimension — and a remote cluster does not check it at all.
 */
import { type ClusterState, pipelineSetting } from "./cluster.ts";
import type { Finding } from "./findings.ts";
import { mappedFields, vectorDimension } from "./mappings.ts";
import type { ModelDirectory } from "./models.ts";
import { embeddingTargets } from "./pipelines.ts";

const INGEST_SETTINGS = ["index.default_pipeline", "index.final_pipeline"];

export async function checkDimensions(state: ClusterState, models: ModelDirectory): Promise<Finding[]> {
  const findings: Finding[] = [];
  let matched = 0;
  for (const index of state.indices) {
    const fields = mappedFields(index.mappings);
    const pipelines = INGEST_SETTINGS.flatMap((key) => pipelineSetting(index, key) ?? []);
    const targets = pipelines.flatMap((p) => embeddingTargets(p, state.ingestPipelines));
    const seen = new Set<string>();
    for (const target of targets) {
      const key = `${target.modelId}\u0000${target.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // a list of passages is written as [{"knn": vector}, …]: the vector field is <path>.knn
      const field = [target.path, `${target.path}.knn`].find((p) => vectorDimension(fields, p) !== undefined);
      const at = { index: index.name, field: target.path, pipeline: target.pipeline, model: target.modelId };
      if (field === undefined) {
        findings.push({
          check: "dimensions",
          level: "warning",
          message: `ingest pipeline [${target.pipeline}] writes embeddings of model [${target.modelId}] to field [${target.path}] of index [${index.name}], which is not mapped as a knn_vector: the vectors are stored but knn and neural queries cannot search them`,
          fix: `map [${target.path}] as {"type": "knn_vector", "dimension": <the model's dimension>} in a new index and reindex into it`,
          details: at,
        });
        continue;
      }
      const model = await models.describe(target.modelId);
      const dimension = vectorDimension(fields, field) as number;
      // unknown models are reported by the models check; a model without a dimension cannot be compared
      if (model.dimension === undefined) continue;
      if (model.dimension === dimension) {
        matched++;
        continue;
      }
      findings.push({
        check: "dimensions",
        level: "error",
        message: `field [${field}] of index [${index.name}] is a knn_vector of dimension ${dimension}, but ingest pipeline [${target.pipeline}] writes it with model [${target.modelId}] of dimension ${model.dimension}: every document with the source text fails`,
        fix: `point pipeline [${target.pipeline}] at a model of dimension ${dimension}, or map [${field}] with "dimension": ${model.dimension} in a new index and reindex into it`,
        details: { ...at, field, field_dimension: dimension, model_dimension: model.dimension },
      });
    }
  }
  if (findings.length) return findings;
  return [
    {
      check: "dimensions",
      level: "ok",
      message:
        matched === 0
          ? "no knn_vector field is written by a text_embedding pipeline"
          : `${matched} knn_vector field(s) written by text_embedding pipelines match their models' dimensions`,
    },
  ];
}

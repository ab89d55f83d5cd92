/** Search request processors: `filter_query` (OpenSearch core), `neural_query_enricher` (neural-search) and Lodestone's `rm3` (rm3.ts). */
import { isObject } from "../mapping.ts";
import { addFilter } from "../query/hybrid.ts";
import { applyNeuralDefaults } from "../query/neural.ts";
import type { ProcessorFactory, RequestProcessor } from "./processor-types.ts";
import { rm3 } from "./rm3.ts";

/** Adds a filter to every request: a bool filter around the query, or the filter of a top-level hybrid. */
const filterQuery: ProcessorFactory<RequestProcessor> = (config) => {
  const query = config.requiredValue("query");
  if (!isObject(query) || Object.keys(query).length !== 1)
    throw config.error(
      "query",
      `must be a query object such as {"term":{"field":"value"}}, got ${JSON.stringify(query)}`,
    );
  return { process: (body) => ({ ...body, query: addFilter(body.query, query) }) };
};

/** Default model ids for neural clauses without one: per field, else for the whole pipeline. */
const neuralQueryEnricher: ProcessorFactory<RequestProcessor> = (config, ctx) => {
  const modelId = config.optionalString("default_model_id");
  const fields = config.optionalMap("neural_field_default_id");
  const fieldModels: Record<string, string> = {};
  if (fields) {
    for (const field of fields.keys()) fieldModels[field] = fields.string(field);
    fields.done();
  }
  if (modelId === undefined && !fields)
    throw config.error(
      "default_model_id",
      "model Id or neural info map either of them should be provided (default_model_id or neural_field_default_id)",
    );
  for (const id of [modelId, ...Object.values(fieldModels)])
    if (id !== undefined) ctx.checkModel?.(id, "embedding", "[neural_query_enricher]");
  return {
    process: (body) =>
      body.query === undefined
        ? body
        : { ...body, query: applyNeuralDefaults(body.query, { modelId, fieldModels }) },
  };
};

export const REQUEST_PROCESSORS: Record<string, ProcessorFactory<RequestProcessor>> = {
  filter_query: filterQuery,
  neural_query_enricher: neuralQueryEnricher,
  rm3,
};

/**
 * `_ingest/pipeline/_simulate`: runs a pipeline over the request's documents without writing
 * them and answers as OpenSearch does — `{"docs":[{"doc":{_index,_id,_source,_ingest}}]}`, an
 * `error` per failed document, `null` for a dropped one, and with `verbose` the result of every
 * processor (`processor_results`).
 */
import { EngineError } from "../errors.ts";
import { isObject } from "../mapping.ts";
import { IngestDocument } from "./ingest-document.ts";
import {
  DROP,
  errorObject,
  type IngestRuntime,
  type Pipeline,
  type ProcessorResult,
} from "./ingest-pipeline.ts";
import { configError, javaType } from "./processor-config.ts";

export interface SimulateDoc {
  index: string;
  id: string;
  routing?: string;
  source: Record<string, unknown>;
}

/** The `docs` of a simulate request (`_index` and `_id` default to "_index" and "_id", as in OpenSearch). */
export function parseSimulateDocs(docs: unknown): SimulateDoc[] {
  if (docs === undefined || docs === null)
    throw configError(undefined, undefined, "docs", "required property is missing");
  if (!Array.isArray(docs))
    throw configError(undefined, undefined, "docs", `property isn't a list, but of type [${javaType(docs)}]`);
  if (!docs.length)
    throw configError(undefined, undefined, "docs", "must specify at least one document in [docs]");
  return docs.map((d) => {
    if (!isObject(d))
      throw configError(
        undefined,
        undefined,
        "docs",
        `each document must be an object, got [${javaType(d)}]`,
      );
    const source = d._source;
    if (source === undefined || source === null)
      throw configError(undefined, undefined, "_source", "required property is missing");
    if (!isObject(source))
      throw configError(
        undefined,
        undefined,
        "_source",
        `property isn't a map, but of type [${javaType(source)}]`,
      );
    return {
      index: d._index === undefined ? "_index" : String(d._index),
      id: d._id === undefined ? "_id" : String(d._id),
      routing: d._routing === undefined ? undefined : String(d._routing),
      source: structuredClone(source),
    };
  });
}

/** Runs the documents concurrently, so text_embedding calls are batched across them. */
export async function simulate(
  pipeline: Pipeline,
  docs: SimulateDoc[],
  runtime: IngestRuntime,
  verbose: boolean,
): Promise<Record<string, unknown>> {
  const results = await Promise.all(
    docs.map(async (d) => {
      const doc = new IngestDocument(d.source, { index: d.index, id: d.id, routing: d.routing });
      const trace: ProcessorResult[] | undefined = verbose ? [] : undefined;
      try {
        const outcome = await pipeline.execute(doc, { runtime, stack: [], trace });
        if (trace) return { processor_results: trace };
        return outcome === DROP ? null : { doc: doc.view() };
      } catch (err) {
        if (!(err instanceof EngineError)) throw err;
        return trace ? { processor_results: trace } : { error: errorObject(err) };
      }
    }),
  );
  return { docs: results };
}

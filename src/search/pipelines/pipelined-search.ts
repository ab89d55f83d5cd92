/**
 * A search through its search pipeline, as OpenSearch runs it: resolve the pipeline (the
 * `search_pipeline` parameter, an inline `search_pipeline` object, or the index's
 * `index.search.default_pipeline`), run its request processors, embed the neural clauses, run the
 * query (a hybrid one through the phase results processor), then the response processors.
 */
import { illegalArgument, parsingError } from "../errors.ts";
import { isObject } from "../mapping.ts";
import type { SearchModels } from "../models.ts";
import { addFilter, executeHybrid, NO_PIPELINE, topLevelHybrid } from "../query/hybrid.ts";
import { embedNeuralQueries, hasNeural } from "../query/neural.ts";
import { executeSearch, parseSearchRequest, type SearchTarget } from "../query/search.ts";
import { valuesAtPath } from "../query/source-filter.ts";
import { analyzeTerms } from "../query/text-query.ts";
import type { ProcessorCommon, RequestContext, ResponseContext } from "./processor-types.ts";
import {
  AD_HOC_PIPELINE_ID,
  parseSearchPipeline,
  type SearchPipeline,
  type SearchPipelines,
} from "./search-pipelines.ts";

export interface PipelinedSearchContext {
  targets: SearchTarget[];
  pipelines: SearchPipelines;
  /** `index.search.default_pipeline` of the index searched, when the request names a single index. */
  defaultPipeline: string | undefined;
  models: () => SearchModels;
  /** Filters of the aliases searched (applied after the request processors). */
  aliasFilters: unknown[];
}

export async function pipelinedSearch(
  ctx: PipelinedSearchContext,
  rawBody: unknown,
  params: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const started = performance.now();
  const given = rawBody === undefined || rawBody === null ? {} : rawBody;
  if (!isObject(given)) throw parsingError("request body must be a JSON object");
  const { search_pipeline: inline, ...rest } = given;
  const pipeline = resolvePipeline(ctx, inline, params.search_pipeline);
  let body: Record<string, unknown> = rest;
  const requestContext = pipeline?.request.length ? requestContextOf(ctx.targets) : undefined;
  for (const p of pipeline?.request ?? []) {
    const before = body;
    body = await tolerant(p, () => p.process(before, requestContext), before);
  }
  const request = body;
  // a misplaced or pipeline-less hybrid query fails before any model is called
  if (topLevelHybrid(body.query) && !pipeline?.phase) throw illegalArgument(NO_PIPELINE);
  if (hasNeural(body)) body = await embedNeuralQueries(body, ctx.targets, ctx.models);
  for (const filter of ctx.aliasFilters) body = { ...body, query: addFilter(body.query, filter) };
  const hybrid = topLevelHybrid(body.query);
  let response = hybrid
    ? executeHybrid(
        ctx.targets,
        parseSearchRequest(ctx.targets, body, params),
        hybrid,
        pipeline?.phase?.hybridizer,
      )
    : executeSearch(ctx.targets, body, params);
  const responseContext: ResponseContext = {
    request,
    models: ctx.models,
    source: (index, id) => ctx.targets.find((t) => t.name === index)?.source(id),
    lexicalScores: (hits, fields, query) => lexicalScores(ctx.targets, hits, fields, query),
  };
  for (const p of pipeline?.response ?? []) {
    const before = response;
    response = await tolerant(p, () => p.process(before, responseContext), before);
  }
  return { ...response, took: Math.round(performance.now() - started) };
}

function requestContextOf(targets: SearchTarget[]): RequestContext {
  return {
    search: (body) => executeSearch(targets, body, {}),
    source: (index, id) => targets.find((t) => t.name === index)?.source(id),
    fieldTexts: (index, id, field) => {
      const target = targets.find((t) => t.name === index);
      const path = target?.ctx.mapping.fields.get(field)?.parent ?? field;
      const source = target?.source(id);
      return source ? valuesAtPath(source, path).filter((v): v is string => typeof v === "string") : [];
    },
    analyze: (field, text) => {
      const target = targets.find((t) => t.ctx.mapping.fields.get(field)?.type === "text");
      const mapping = target?.ctx.mapping.fields.get(field);
      return target && mapping ? analyzeTerms(target.ctx, mapping, text).map((t) => t.term) : [];
    },
  };
}

/** BM25 of given hits for a query text: a `match` per field over just those documents, per index. */
function lexicalScores(
  targets: SearchTarget[],
  hits: readonly { _index: string; _id: string }[],
  fields: string[],
  query: string,
): number[] {
  const scores = new Map<string, number>();
  for (const target of targets) {
    const ids = hits.filter((h) => h._index === target.name).map((h) => h._id);
    if (!ids.length) continue;
    const searchable = fields.filter((f) => target.ctx.mapping.fields.get(f)?.type === "text");
    if (!searchable.length) continue;
    const res = executeSearch([target], {
      size: ids.length,
      _source: false,
      query: {
        bool: {
          should: searchable.map((f) => ({ match: { [f]: query } })),
          filter: { ids: { values: ids } },
        },
      },
    });
    for (const hit of (res.hits as { hits: { _id: string; _score: number }[] }).hits)
      scores.set(`${target.name}\u0000${hit._id}`, hit._score);
  }
  return hits.map((h) => scores.get(`${h._index}\u0000${h._id}`) ?? 0);
}

function resolvePipeline(
  ctx: PipelinedSearchContext,
  inline: unknown,
  named: unknown,
): SearchPipeline | undefined {
  if (inline !== undefined) {
    if (named !== undefined)
      throw illegalArgument(
        "Both named and inline search pipeline were specified. Please only specify one or the other.",
      );
    if (!isObject(inline))
      throw parsingError("[search_pipeline] in the search body must be a pipeline object");
    return parseSearchPipeline(AD_HOC_PIPELINE_ID, inline);
  }
  const id = typeof named === "string" && named !== "" ? named : ctx.defaultPipeline;
  return id === undefined ? undefined : ctx.pipelines.resolve(id);
}

/** Runs a processor; with ignore_failure, a failure leaves the input as it was. */
async function tolerant<T>(p: ProcessorCommon, run: () => T | Promise<T>, input: T): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (p.ignoreFailure) return input;
    throw err;
  }
}

/**
 * Search response processors: `rerank` (neural-search: `ml_opensearch` scores each returned hit
 * against the query text with a reranker model, `by_field` sorts by a numeric source field),
 * `collapse` and `truncate_hits` (OpenSearch core). They act on the hits being returned.
 */
import { illegalArgument } from "../errors.ts";
import { isObject } from "../mapping.ts";
import { valuesAtPath } from "../query/source-filter.ts";
import { rerankTexts } from "./model-calls.ts";
import type { ProcessorConfig } from "./processor-config.ts";
import type {
  ProcessorBody,
  ProcessorFactory,
  ResponseContext,
  ResponseProcessor,
} from "./processor-types.ts";

interface Hit extends Record<string, unknown> {
  _index: string;
  _id: string;
  _score: number | null;
  _source?: Record<string, unknown>;
}

const hitsOf = (response: Record<string, unknown>): Hit[] => (response.hits as { hits: Hit[] }).hits;

function withHits(
  response: Record<string, unknown>,
  hits: Hit[],
  maxScore?: number | null,
): Record<string, unknown> {
  const section = response.hits as Record<string, unknown>;
  return { ...response, hits: { ...section, ...(maxScore !== undefined && { max_score: maxScore }), hits } };
}

/** New scores, best first (stable on ties), and max_score from the best, as the plugin's rescoring does. */
function rescored(response: Record<string, unknown>, hits: Hit[], scores: number[]): Record<string, unknown> {
  const scoredHits = hits.map((h, i) => ({ ...h, _score: scores[i] as number }));
  scoredHits.sort((a, b) => (b._score as number) - (a._score as number));
  return withHits(response, scoredHits, scoredHits[0]?._score ?? null);
}

/** A hit's source: the returned one, or the stored one when the request filtered `_source` out. */
const sourceOf = (hit: Hit, ctx: ResponseContext) => hit._source ?? ctx.source(hit._index, hit._id);

/** A dotted path into a JSON value; list elements by index (`query.bool.should.0.match`). */
function pathValue(value: unknown, path: string): unknown {
  let node = value;
  for (const part of path.split(".")) {
    if (Array.isArray(node)) node = /^\d+$/.test(part) ? node[Number(part)] : undefined;
    else if (isObject(node)) node = node[part];
    else return undefined;
  }
  return node;
}

/** The query text a reranker compares hits with: `ext.rerank.query_context` of the request. */
function rerankQueryText(request: Record<string, unknown>): string {
  const context = pathValue(request, "ext.rerank.query_context");
  if (!isObject(context))
    throw illegalArgument(
      '[rerank] processor needs the query text: send it as "ext": {"rerank": {"query_context": {"query_text": "…"}}} (or "query_text_path": "<path into the request>") in the search request (ext.rerank.query_context)',
    );
  if (context.query_text !== undefined && context.query_text_path !== undefined)
    throw illegalArgument(
      'Cannot specify both "query_text" and "query_text_path" in ext.rerank.query_context',
    );
  if (context.query_text !== undefined) {
    if (typeof context.query_text !== "string")
      throw illegalArgument("ext.rerank.query_context.query_text must be a string");
    return context.query_text;
  }
  if (typeof context.query_text_path === "string") {
    if (context.query_text_path.length > 1000)
      throw illegalArgument("query_text_path exceeded the maximum path length of 1000 characters");
    const text = pathValue(request, context.query_text_path);
    if (typeof text !== "string")
      throw illegalArgument(
        `query_text_path must point to a string field; [${context.query_text_path}] is ${text === undefined ? "missing" : JSON.stringify(text)}`,
      );
    return text;
  }
  throw illegalArgument('Must specify either "query_text" or "query_text_path" in ext.rerank.query_context');
}

/** The text of a hit's document_fields, each field's values joined, fields separated by a space. */
function documentText(hit: Hit, fields: string[], ctx: ResponseContext): string {
  const source = sourceOf(hit, ctx) ?? {};
  return fields
    .map((field) =>
      valuesAtPath(source, field)
        .map((v) => (typeof v === "string" ? v : JSON.stringify(v)))
        .join(" "),
    )
    .join(" ");
}

const rerank: ProcessorFactory<ResponseProcessor> = (config, ctx) => {
  const kinds = ["ml_opensearch", "by_field"].filter((k) => config.has(k));
  if (kinds.length === 0)
    throw config.error(
      "ml_opensearch",
      "No rerank type found. Possible rerank types are: [ml_opensearch, by_field]",
    );
  if (kinds.length > 1)
    throw config.error(
      kinds[1] as string,
      `Multiple rerank types found: [${kinds.join(", ")}]. Only one is permitted.`,
    );
  if (kinds[0] === "by_field") return byField(config);
  const ml = config.map("ml_opensearch");
  const modelId = ml.string("model_id");
  ml.done();
  ctx.checkModel?.(modelId, "reranker", "[rerank] processor");
  const context = config.map("context");
  const fields = context.strings("document_fields");
  context.done();
  return {
    async process(response, rctx) {
      const queryText = rerankQueryText(rctx.request);
      const hits = hitsOf(response);
      if (!hits.length) return response;
      const texts = hits.map((h) => documentText(h, fields, rctx));
      const lexical = rctx.lexicalScores(hits, fields, queryText);
      return rescored(response, hits, await rerankTexts(rctx.models(), modelId, queryText, texts, lexical));
    },
  };
};

function byField(config: ProcessorConfig): ProcessorBody<ResponseProcessor> {
  const spec = config.map("by_field");
  const targetField = spec.string("target_field");
  const removeTarget = spec.boolean("remove_target_field", false);
  const keepPrevious = spec.boolean("keep_previous_score", false);
  spec.done();
  // by_field needs no context; accept one for symmetry with ml_opensearch
  config.value("context");
  return {
    async process(response, rctx) {
      const hits = hitsOf(response);
      const scores = hits.map((hit) => {
        const source = sourceOf(hit, rctx);
        if (!source)
          throw illegalArgument(`There is no source field to be able to perform rerank on hit [${hit._id}]`);
        const value = pathValue(source, targetField);
        if (value === undefined)
          throw illegalArgument(`The field to rerank by is not found at hit [${hit._id}]`);
        if (typeof value !== "number")
          throw illegalArgument(
            `The field mapping to rerank by [${JSON.stringify(value)}] is not Numerical, instead of type [${Array.isArray(value) ? "List" : typeof value}]`,
          );
        return value;
      });
      const edited = hits.map((hit) => {
        if (!hit._source || (!keepPrevious && !removeTarget)) return hit;
        const source = structuredClone(hit._source);
        if (keepPrevious) source.previous_score = hit._score;
        if (removeTarget) removePath(source, targetField);
        return { ...hit, _source: source };
      });
      return rescored(response, edited, scores);
    },
  };
}

/** Deletes a dotted path and the objects it leaves empty. */
function removePath(source: Record<string, unknown>, path: string): void {
  const [head, ...rest] = path.split(".") as [string, ...string[]];
  if (!rest.length) {
    delete source[head];
    return;
  }
  const child = source[head];
  if (!isObject(child)) return;
  removePath(child, rest.join("."));
  if (!Object.keys(child).length) delete source[head];
}

/** Keeps the first hit of each value of a field (documents without it share one group). */
const collapse: ProcessorFactory<ResponseProcessor> = (config) => {
  const field = config.string("field");
  return {
    async process(response, rctx) {
      const seen = new Set<string>();
      const hits = hitsOf(response).filter((hit) => {
        const key = JSON.stringify(valuesAtPath(sourceOf(hit, rctx) ?? {}, field)[0] ?? null);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      return withHits(response, hits);
    },
  };
};

/** Keeps the first target_size hits. */
const truncateHits: ProcessorFactory<ResponseProcessor> = (config) => {
  if (!config.has("target_size")) throw config.error("target_size", "required property is missing");
  const targetSize = config.int("target_size", 0, 0);
  return { process: async (response) => withHits(response, hitsOf(response).slice(0, targetSize)) };
};

export const RESPONSE_PROCESSORS: Record<string, ProcessorFactory<ResponseProcessor>> = {
  rerank,
  collapse,
  truncate_hits: truncateHits,
};

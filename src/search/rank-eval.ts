/**
 * `_rank_eval` (Elasticsearch 7.10 / OpenSearch 2.x rank-eval module): runs each rated request's
 * search — a verbatim search body, or a mustache template filled with the request's parameters —
 * through the asynchronous search path (search pipelines, neural and hybrid queries), scores its
 * hits against the request's ratings with one metric (rank-eval-metrics.ts) and averages the
 * scores. A request whose search fails is reported under `failures` and left out of the average.
 */
import { EngineError, errorBody, illegalArgument, isEngineError } from "./errors.ts";
import { isObject } from "./mapping.ts";
import {
  combineScores,
  evaluateQuery,
  METRIC_NAMES,
  type MetricName,
  type RankEvalMetric,
  type RatedDoc,
} from "./rank-eval-metrics.ts";
import { compileSearchTemplate, type SearchTemplate } from "./search-template.ts";

/** What rank_eval needs of the engine: the search the `_search` endpoint runs. */
export interface RankEvalSearcher {
  searchAsync(
    expr: string,
    body: unknown,
    params?: Record<string, unknown>,
  ): Promise<Record<string, unknown>>;
}

export interface RatedRequest {
  id: string;
  /** The search body, or undefined for a templated request. */
  request: Record<string, unknown> | undefined;
  templateId: string | undefined;
  params: Record<string, unknown>;
  ratings: RatedDoc[];
  summaryFields: string[];
}

export interface TemplateDef {
  render: SearchTemplate;
  /** The template's own `params`: defaults under each request's parameters. */
  defaults: Record<string, unknown>;
}

export interface RankEvalSpec {
  requests: RatedRequest[];
  metric: RankEvalMetric;
  templates: Map<string, TemplateDef>;
  maxConcurrentSearches: number;
}

/** Elasticsearch's default `max_concurrent_searches`. */
const MAX_CONCURRENT_SEARCHES = 10;
const DEFAULT_K = 10;

const unknownField = (path: string, field: string, allowed: readonly string[]) =>
  new EngineError(
    400,
    "x_content_parse_exception",
    `${path} unknown field [${field}]; expected one of [${allowed.join(", ")}]`,
  );

const shown = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v));

function checkFields(obj: Record<string, unknown>, path: string, allowed: readonly string[]): void {
  for (const field of Object.keys(obj))
    if (!allowed.includes(field)) throw unknownField(path, field, allowed);
}

function object(value: unknown, path: string, what: string): Record<string, unknown> {
  if (value === undefined) throw illegalArgument(`${path} is required`);
  if (!isObject(value)) throw illegalArgument(`${path} must be ${what}, got ${shown(value)}`);
  return value;
}

function string(value: unknown, path: string): string {
  if (value === undefined) throw illegalArgument(`${path} is required`);
  if (typeof value !== "string" || value === "")
    throw illegalArgument(`${path} must be a non-empty string, got ${shown(value)}`);
  return value;
}

function integer(value: unknown, path: string, min: number, what: string): number {
  if (!Number.isInteger(value) || (value as number) < min)
    throw illegalArgument(`${path} must be ${what}, got ${shown(value)}`);
  return value as number;
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== "boolean") throw illegalArgument(`${path} must be true or false, got ${shown(value)}`);
  return value;
}

const METRIC_FIELDS: Record<MetricName, readonly string[]> = {
  precision: ["k", "relevant_rating_threshold", "ignore_unlabeled"],
  recall: ["k", "relevant_rating_threshold"],
  mean_reciprocal_rank: ["k", "relevant_rating_threshold"],
  dcg: ["k", "normalize", "unknown_doc_rating"],
  expected_reciprocal_rank: ["k", "maximum_relevance", "unknown_doc_rating"],
};

function parseMetric(value: unknown): RankEvalMetric {
  const supported = `[${METRIC_NAMES.join(", ")}]`;
  const metric = object(value, "[metric]", `an object naming one metric of ${supported}`);
  const names = Object.keys(metric);
  if (names.length !== 1)
    throw illegalArgument(`[metric] must name exactly one metric of ${supported}, got ${shown(names)}`);
  const name = names[0] as string;
  if (!(METRIC_NAMES as readonly string[]).includes(name))
    throw illegalArgument(`[metric] unknown metric [${name}]; supported metrics: ${supported}`);
  const path = `[metric][${name}]`;
  const p = object(metric[name], path, "an object of the metric's parameters");
  checkFields(p, path, METRIC_FIELDS[name as MetricName]);
  const k =
    p.k === undefined ? DEFAULT_K : integer(p.k, `${path}[k]`, 1, "a positive integer (the search window)");
  const threshold = () =>
    p.relevant_rating_threshold === undefined
      ? 1
      : integer(
          p.relevant_rating_threshold,
          `${path}[relevant_rating_threshold]`,
          0,
          "a non-negative integer",
        );
  const unknownDocRating = () =>
    p.unknown_doc_rating === undefined
      ? undefined
      : integer(p.unknown_doc_rating, `${path}[unknown_doc_rating]`, -Infinity, "an integer");
  switch (name as MetricName) {
    case "precision":
      return {
        name: "precision",
        k,
        relevantRatingThreshold: threshold(),
        ignoreUnlabeled:
          p.ignore_unlabeled === undefined ? false : boolean(p.ignore_unlabeled, `${path}[ignore_unlabeled]`),
      };
    case "recall":
      return { name: "recall", k, relevantRatingThreshold: threshold() };
    case "mean_reciprocal_rank":
      return { name: "mean_reciprocal_rank", k, relevantRatingThreshold: threshold() };
    case "dcg":
      return {
        name: "dcg",
        k,
        normalize: p.normalize === undefined ? false : boolean(p.normalize, `${path}[normalize]`),
        unknownDocRating: unknownDocRating(),
      };
    case "expected_reciprocal_rank":
      if (p.maximum_relevance === undefined)
        throw illegalArgument(`${path}[maximum_relevance] is required (the highest rating in the ratings)`);
      return {
        name: "expected_reciprocal_rank",
        k,
        maximumRelevance: integer(p.maximum_relevance, `${path}[maximum_relevance]`, 1, "a positive integer"),
        unknownDocRating: unknownDocRating(),
      };
  }
}

function parseRatings(value: unknown, path: string, requestId: string): RatedDoc[] {
  if (value === undefined) throw illegalArgument(`${path} is required`);
  if (!Array.isArray(value))
    throw illegalArgument(
      `${path} must be an array of rated documents ({"_index", "_id", "rating"}), got ${shown(value)}`,
    );
  const seen = new Set<string>();
  return value.map((item, j) => {
    const at = `${path}[${j}]`;
    const doc = object(item, at, 'a rated document {"_index", "_id", "rating"}');
    checkFields(doc, at, ["_index", "_id", "rating"]);
    const index = string(doc._index, `${at}[_index]`);
    const id = string(doc._id, `${at}[_id]`);
    if (doc.rating === undefined) throw illegalArgument(`${at}[rating] is required`);
    const rating = integer(doc.rating, `${at}[rating]`, -Infinity, "an integer");
    const docKey = JSON.stringify({ _index: index, _id: id });
    if (seen.has(docKey))
      throw illegalArgument(
        `Found duplicate rated document key [${docKey}] in evaluation request [${requestId}]`,
      );
    seen.add(docKey);
    return { index, id, rating };
  });
}

/** Elasticsearch's checks on a rated request's search body (also run on rendered templates). */
export function checkEvaluatedRequest(body: Record<string, unknown>, path: string): void {
  const refuse = (part: string) => illegalArgument(`${path}: Query in rated requests should not ${part}.`);
  if (body.suggest !== undefined) throw refuse("contain a suggest section");
  if (body.aggs !== undefined || body.aggregations !== undefined) throw refuse("contain aggregations");
  if (body.highlight !== undefined) throw refuse("contain a highlighter section");
  if (body.explain === true) throw refuse("use explain");
  if (body.profile === true) throw refuse("use profile");
}

function parseRequest(value: unknown, i: number, templates: ReadonlyMap<string, TemplateDef>): RatedRequest {
  const path = `[requests][${i}]`;
  const r = object(value, path, "a rated request object");
  checkFields(r, path, ["id", "request", "ratings", "template_id", "params", "summary_fields"]);
  const id = string(r.id, `${path}[id]`);
  const ratings = parseRatings(r.ratings, `${path}[ratings]`, id);
  const request =
    r.request === undefined ? undefined : object(r.request, `${path}[request]`, "a search body");
  const templateId = r.template_id === undefined ? undefined : string(r.template_id, `${path}[template_id]`);
  const params =
    r.params === undefined ? {} : object(r.params, `${path}[params]`, "an object of template parameters");
  if (request && (templateId !== undefined || Object.keys(params).length > 0))
    throw illegalArgument(
      `${path}: Ambiguous rated request: Set both, verbatim test request and test request template parameters.`,
    );
  if (!request && templateId === undefined)
    throw illegalArgument(
      Object.keys(params).length > 0
        ? `${path}: If template parameters are supplied need to set id of template to apply them to too.`
        : `${path} needs a [request] (a search body) or a [template_id] and [params]`,
    );
  if (templateId !== undefined && !templates.has(templateId))
    throw illegalArgument(
      `${path}[template_id] [${templateId}] is not one of the [templates]: [${[...templates.keys()].join(", ")}]`,
    );
  if (request) checkEvaluatedRequest(request, `${path}[request]`);
  let summaryFields: string[] = [];
  if (r.summary_fields !== undefined) {
    if (!Array.isArray(r.summary_fields) || r.summary_fields.some((f) => typeof f !== "string"))
      throw illegalArgument(
        `${path}[summary_fields] must be an array of field names, got ${shown(r.summary_fields)}`,
      );
    summaryFields = r.summary_fields as string[];
  }
  return { id, request, templateId, params, ratings, summaryFields };
}

function parseTemplates(value: unknown): Map<string, TemplateDef> {
  const templates = new Map<string, TemplateDef>();
  if (value === undefined) return templates;
  if (!Array.isArray(value))
    throw illegalArgument(`[templates] must be an array of {"id", "template"} objects, got ${shown(value)}`);
  value.forEach((item, i) => {
    const path = `[templates][${i}]`;
    const t = object(item, path, 'an object {"id", "template"}');
    checkFields(t, path, ["id", "template"]);
    const id = string(t.id, `${path}[id]`);
    if (templates.has(id)) throw illegalArgument(`${path}[id] [${id}] is defined twice`);
    const script = object(t.template, `${path}[template]`, 'a template {"source": …}');
    checkFields(script, `${path}[template]`, ["source", "lang", "params", "id"]);
    if (script.id !== undefined)
      throw illegalArgument(
        `${path}[template][id]: stored templates are not supported; give the template inline as [source]`,
      );
    if (script.lang !== undefined && script.lang !== "mustache")
      throw illegalArgument(`${path}[template][lang] must be [mustache], got ${shown(script.lang)}`);
    const source = script.source;
    if (typeof source !== "string" && !isObject(source))
      throw illegalArgument(
        source === undefined
          ? `${path}[template][source] is required`
          : `${path}[template][source] must be a string or an object, got ${shown(source)}`,
      );
    const defaults =
      script.params === undefined
        ? {}
        : object(script.params, `${path}[template][params]`, "an object of default parameters");
    // an object source is a template too: Elasticsearch writes it out as JSON text, then renders it
    templates.set(id, {
      render: compileSearchTemplate(typeof source === "string" ? source : JSON.stringify(source)),
      defaults,
    });
  });
  return templates;
}

/** Parses and validates a `_rank_eval` body; every mistake is a 400 naming the field. */
export function parseRankEvalSpec(body: unknown): RankEvalSpec {
  const spec = object(body, "[rank_eval]", "a JSON object");
  checkFields(spec, "[rank_eval]", ["requests", "metric", "templates", "max_concurrent_searches"]);
  if (spec.requests === undefined) throw illegalArgument("[requests] is required");
  if (spec.metric === undefined) throw illegalArgument("[metric] is required");
  if (!Array.isArray(spec.requests) || spec.requests.length === 0)
    throw illegalArgument(
      `[requests] must be a non-empty array of rated requests, got ${shown(spec.requests)}`,
    );
  const templates = parseTemplates(spec.templates);
  const requests = spec.requests.map((r, i) => parseRequest(r, i, templates));
  const ids = new Set<string>();
  requests.forEach((r, i) => {
    // the response is keyed by id: a repeated one would hide a request's result
    if (ids.has(r.id)) throw illegalArgument(`[requests][${i}][id] [${r.id}] is used by another request`);
    ids.add(r.id);
  });
  return {
    requests,
    metric: parseMetric(spec.metric),
    templates,
    maxConcurrentSearches:
      spec.max_concurrent_searches === undefined
        ? MAX_CONCURRENT_SEARCHES
        : integer(spec.max_concurrent_searches, "[max_concurrent_searches]", 1, "a positive integer"),
  };
}

type Prepared = { body: Record<string, unknown> } | { failure: EngineError };

/**
 * The search body a request runs: its own, or its template rendered with its parameters, sized to
 * the metric's k. A rendering that is not a JSON object is that request's failure (Elasticsearch
 * records its parse error); a rendered body with aggregations and the like refuses the whole call.
 */
function prepare(r: RatedRequest, spec: RankEvalSpec, i: number): Prepared {
  let body = r.request;
  if (!body) {
    const template = spec.templates.get(r.templateId as string) as TemplateDef;
    const text = template.render({ ...template.defaults, ...r.params });
    let parsed: unknown;
    let why = "it is not a JSON object";
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      why = (err as Error).message;
    }
    if (!isObject(parsed)) {
      return {
        failure: new EngineError(
          400,
          "json_parse_exception",
          `template [${r.templateId}] rendered for request [${r.id}] is not a search body: ${why}`,
          { rendered: text },
        ),
      };
    }
    body = parsed;
    checkEvaluatedRequest(body, `[requests][${i}] rendered from template [${r.templateId}]`);
  }
  // the metric's window replaces any size; the source is fetched only for summary_fields
  return {
    body: { ...body, size: spec.metric.k, _source: r.summaryFields.length > 0 ? r.summaryFields : false },
  };
}

/** Runs `task` over every item with at most `limit` running at a time; results in item order. */
async function pooled<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

type Hit = Record<string, unknown> & { _index: string; _id: string };

type Outcome = { detail: Record<string, unknown>; score: number } | { failure: Record<string, unknown> };

/**
 * Evaluates a `_rank_eval` body against the indices of `indexExpr`. `params` are the request's
 * search parameters (`search_pipeline`), applied to every search.
 */
export async function rankEval(
  engine: RankEvalSearcher,
  indexExpr: string,
  body: unknown,
  params: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const spec = parseRankEvalSpec(body);
  // every template is rendered before the first search, as Elasticsearch builds its msearch
  const prepared = spec.requests.map((r, i) => prepare(r, spec, i));
  const outcomes = await pooled(spec.requests, spec.maxConcurrentSearches, async (r, i): Promise<Outcome> => {
    const search = prepared[i] as Prepared;
    try {
      if ("failure" in search) throw search.failure;
      const response = await engine.searchAsync(indexExpr, search.body, params);
      const hits = (response.hits as { hits: Hit[] }).hits;
      const evaluation = evaluateQuery(
        spec.metric,
        hits.map((h) => ({ index: h._index, id: h._id })),
        r.ratings,
      );
      const evaluated = hits.slice(0, evaluation.ratings.length);
      return {
        score: evaluation.metricScore,
        detail: {
          metric_score: evaluation.metricScore,
          unrated_docs: evaluated
            .filter((_, j) => evaluation.ratings[j] === null)
            .map((h) => ({ _index: h._index, _id: h._id })),
          hits: evaluated.map((hit, j) => ({ hit, rating: evaluation.ratings[j] })),
          metric_details: evaluation.metricDetails,
        },
      };
    } catch (err) {
      if (!isEngineError(err)) throw err;
      return { failure: { error: errorBody(err).error } };
    }
  });
  const details: Record<string, unknown> = {};
  const failures: Record<string, unknown> = {};
  const scores: number[] = [];
  outcomes.forEach((o, i) => {
    const id = spec.requests[i]?.id as string;
    if ("failure" in o) failures[id] = o.failure;
    else {
      details[id] = o.detail;
      scores.push(o.score);
    }
  });
  const metricScore = combineScores(scores);
  // with every request failed the mean is 0/0; Elasticsearch's JSON writer sends it as "NaN"
  return { metric_score: Number.isNaN(metricScore) ? "NaN" : metricScore, details, failures };
}

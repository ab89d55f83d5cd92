/**
 * `rm3` search request processor: pseudo-relevance feedback (RM3, as Anserini's Rm3Reranker
 * builds it). For every plain `match` on the configured field — at the top level, in a bool's
 * clauses or among a hybrid query's sub-queries — a first pass takes the top `fb_docs` hits; each
 * hit's field text, analysed like the query, gives a term distribution tf/|d|, weighted by the
 * hit's score; the `fb_terms` heaviest terms form the feedback model, interpolated with the query's
 * own terms (`original_query_weight`); the match is replaced by a bool of boosted term queries.
 * Lodestone-only: an OpenSearch cluster has no such processor (the tuner offers it on Lodestone).
 */
import { isObject } from "../mapping.ts";
import type { ProcessorFactory, RequestContext, RequestProcessor } from "./processor-types.ts";

export interface Rm3Options {
  field: string;
  fbDocs: number;
  fbTerms: number;
  originalQueryWeight: number;
}

type Query = Record<string, unknown>;

/** The query text of a `match` on `field` that RM3 may rewrite (no operator/fuzziness/… options). */
function plainMatchText(query: unknown, field: string): string | undefined {
  if (!isObject(query) || !isObject(query.match) || Object.keys(query).length !== 1) return undefined;
  const spec = query.match[field];
  if (typeof spec === "string") return spec;
  if (isObject(spec) && typeof spec.query === "string") {
    const extra = Object.keys(spec).filter((k) => k !== "query" && k !== "boost");
    return extra.length === 0 ? spec.query : undefined;
  }
  return undefined;
}

/** A term distribution: term → weight. */
type TermWeights = Map<string, number>;

function normalizeL1(weights: TermWeights): TermWeights {
  let sum = 0;
  for (const w of weights.values()) sum += w;
  if (sum > 0) for (const [t, w] of weights) weights.set(t, w / sum);
  return weights;
}

/** Terms worth expanding with: not numbers, not single characters (Anserini's filter). */
const usefulTerm = (term: string) => term.length > 1 && !/^[0-9.,]+$/.test(term);

/** The feedback model: Σ_d score(d)·tf(t,d)/|d| over the first-pass hits, top `fbTerms`, L1-normalised. */
export function feedbackModel(docs: Array<{ score: number; terms: string[] }>, fbTerms: number): TermWeights {
  const model: TermWeights = new Map();
  for (const { score, terms } of docs) {
    if (terms.length === 0 || !(score > 0)) continue;
    const tf = new Map<string, number>();
    for (const t of terms) if (usefulTerm(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, n] of tf) model.set(t, (model.get(t) ?? 0) + (score * n) / terms.length);
  }
  const top = [...normalizeL1(model)].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, fbTerms);
  return normalizeL1(new Map(top));
}

/** original_query_weight·P(t|Q) + (1 − original_query_weight)·P(t|R). */
export function interpolate(
  queryTerms: string[],
  feedback: TermWeights,
  originalWeight: number,
): TermWeights {
  const query: TermWeights = new Map();
  for (const t of queryTerms) query.set(t, (query.get(t) ?? 0) + 1);
  normalizeL1(query);
  const out: TermWeights = new Map();
  for (const [t, w] of query) out.set(t, originalWeight * w);
  for (const [t, w] of feedback) out.set(t, (out.get(t) ?? 0) + (1 - originalWeight) * w);
  return out;
}

async function expandMatch(
  text: string,
  opts: Rm3Options,
  ctx: RequestContext,
  boost: unknown,
): Promise<Query> {
  const original: Query = { match: { [opts.field]: text } };
  const queryTerms = ctx.analyze(opts.field, text);
  if (queryTerms.length === 0) return original;
  const first = ctx.search({ size: opts.fbDocs, _source: false, query: original });
  const hits = (first.hits as { hits: Array<{ _index: string; _id: string; _score: number }> }).hits;
  const docs = hits.map((h) => ({
    score: h._score,
    terms: ctx.analyze(opts.field, ctx.fieldTexts(h._index, h._id, opts.field).join("\n")),
  }));
  const weights = interpolate(queryTerms, feedbackModel(docs, opts.fbTerms), opts.originalQueryWeight);
  const should = [...weights]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([term, weight]) => ({ term: { [opts.field]: { value: term, boost: weight } } }));
  return { bool: { should, ...(typeof boost === "number" && { boost }) } };
}

/** Rewrites the plain matches on the field inside `query` (top level, bool clauses, hybrid sub-queries). */
async function rewrite(query: unknown, opts: Rm3Options, ctx: RequestContext): Promise<unknown> {
  const text = plainMatchText(query, opts.field);
  if (text !== undefined) {
    const spec = (query as { match: Record<string, unknown> }).match[opts.field];
    return expandMatch(text, opts, ctx, isObject(spec) ? spec.boost : undefined);
  }
  if (!isObject(query) || Object.keys(query).length !== 1) return query;
  const [kind, inner] = Object.entries(query)[0] as [string, unknown];
  if (kind === "hybrid" && isObject(inner) && Array.isArray(inner.queries)) {
    const queries = [];
    for (const q of inner.queries) queries.push(await rewrite(q, opts, ctx));
    return { hybrid: { ...inner, queries } };
  }
  if (kind === "bool" && isObject(inner)) {
    const out: Record<string, unknown> = { ...inner };
    for (const occur of ["must", "should"]) {
      const clauses = inner[occur];
      if (Array.isArray(clauses)) {
        const rewritten = [];
        for (const c of clauses) rewritten.push(await rewrite(c, opts, ctx));
        out[occur] = rewritten;
      } else if (clauses !== undefined) out[occur] = await rewrite(clauses, opts, ctx);
    }
    return { bool: out };
  }
  return query;
}

export const rm3: ProcessorFactory<RequestProcessor> = (config) => {
  const opts: Rm3Options = {
    field: config.string("field"),
    fbDocs: config.int("fb_docs", 10, 1, 100),
    fbTerms: config.int("fb_terms", 10, 1, 100),
    originalQueryWeight: config.number("original_query_weight", 0.5, 0, 1),
  };
  return {
    process: async (body, ctx) =>
      body.query === undefined || !ctx ? body : { ...body, query: await rewrite(body.query, opts, ctx) },
  };
};

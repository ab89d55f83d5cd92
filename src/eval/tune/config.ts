/**
 * A relevance configuration the tuner explores, and what it becomes in Elasticsearch/OpenSearch
 * terms: index settings (BM25 k1/b per similarity, a search-time synonym filter), a query body
 * (a `match` per field with its boost, optionally a sloppy `match_phrase`, inside a `hybrid` with
 * a `neural` clause when there is an embedder) and a search pipeline (rm3, normalization or RRF,
 * rerank). The same functions build the bodies the tuner measures and the ones it proposes.
 */
import { compileSearchTemplate } from "../../search/search-template.ts";
import type { Technique, TuneRequest } from "./request.ts";

export interface Bm25Params {
  k1: number;
  b: number;
}

export interface FieldClause {
  field: string;
  boost: number;
  /** Boost of a `match_phrase` (slop PHRASE_SLOP) on the field; 0 = no phrase clause. */
  phraseBoost: number;
}

export interface PrfParams {
  fbDocs: number;
  fbTerms: number;
  originalQueryWeight: number;
}

export interface TuneConfig {
  /** Similarity name (`default` or a field's named one) → BM25 parameters. */
  similarity: Record<string, Bm25Params>;
  clauses: FieldClause[];
  /** Solr-format synonym rules added to the fields' search analyzer. */
  synonyms: string[];
  prf: PrfParams | null;
  technique: Technique;
  /** Weight of the lexical sub-query in the normalization combination. */
  bm25Weight: number;
  /** Hits the reranker reorders (the response size); 0 when there is no reranker. */
  rerankDepth: number;
}

export const PHRASE_SLOP = 3;
export const RRF_RANK_CONSTANT = 60;

/** Which part of the configuration a measurement runs (stages measure what they change). */
export type View = "lexical" | "hybrid" | "full";

export const QUERY_PLACEHOLDER = "{{query_text}}";

/** A proposal's query template filled in, as Elasticsearch renders it as a mustache search template. */
export function renderQueryTemplate(
  template: Record<string, unknown>,
  queryText: string,
): Record<string, unknown> {
  return JSON.parse(compileSearchTemplate(JSON.stringify(template))({ query_text: queryText }));
}

export function lexicalQuery(config: TuneConfig, text: string): Record<string, unknown> {
  const clauses: Record<string, unknown>[] = [];
  for (const c of config.clauses) {
    if (c.boost > 0)
      clauses.push({ match: { [c.field]: c.boost === 1 ? text : { query: text, boost: c.boost } } });
    if (c.phraseBoost > 0)
      clauses.push({ match_phrase: { [c.field]: { query: text, slop: PHRASE_SLOP, boost: c.phraseBoost } } });
  }
  return clauses.length === 1 ? (clauses[0] as Record<string, unknown>) : { bool: { should: clauses } };
}

function usesHybrid(req: TuneRequest, view: View): boolean {
  return view !== "lexical" && req.embedder !== undefined && req.vectorField !== undefined;
}

/** The search body for one query text (`size` = depth, or the rerank depth when reranking). */
export function searchBody(
  req: TuneRequest,
  config: TuneConfig,
  text: string,
  view: View,
): Record<string, unknown> {
  const lexical = lexicalQuery(config, text);
  const rerank = view === "full" && req.reranker !== undefined && config.rerankDepth > 0;
  const query = usesHybrid(req, view)
    ? {
        hybrid: {
          queries: [
            lexical,
            {
              neural: {
                [req.vectorField as string]: { query_text: text, model_id: req.embedder, k: req.depth },
              },
            },
          ],
          pagination_depth: req.depth,
        },
      }
    : lexical;
  return {
    size: rerank ? Math.min(config.rerankDepth, req.depth) : req.depth,
    query,
    ...(rerank && { ext: { rerank: { query_context: { query_text: text } } } }),
  };
}

function phaseProcessor(config: TuneConfig): Record<string, unknown> {
  if (config.technique === "rrf")
    return {
      "score-ranker-processor": { combination: { technique: "rrf", rank_constant: RRF_RANK_CONSTANT } },
    };
  return {
    "normalization-processor": {
      normalization: { technique: config.technique },
      combination: {
        technique: "arithmetic_mean",
        parameters: { weights: [config.bm25Weight, 1 - config.bm25Weight] },
      },
    },
  };
}

/** The search pipeline of a view, or undefined when it needs none. */
export function pipelineBody(
  req: TuneRequest,
  config: TuneConfig,
  view: View,
): Record<string, unknown> | undefined {
  const pipeline: Record<string, unknown[]> = {};
  if (config.prf)
    pipeline.request_processors = config.clauses
      .filter((c) => c.boost > 0)
      .map((c) => ({
        rm3: {
          field: c.field,
          fb_docs: config.prf?.fbDocs,
          fb_terms: config.prf?.fbTerms,
          original_query_weight: config.prf?.originalQueryWeight,
        },
      }));
  if (usesHybrid(req, view)) pipeline.phase_results_processors = [phaseProcessor(config)];
  if (view === "full" && req.reranker !== undefined && config.rerankDepth > 0)
    pipeline.response_processors = [
      { rerank: { ml_opensearch: { model_id: req.reranker }, context: { document_fields: req.fields } } },
    ];
  return Object.keys(pipeline).length ? pipeline : undefined;
}

/** Index settings a configuration needs (to PUT on a closed index), for `names` of similarities. */
export function similaritySettings(similarity: Record<string, Bm25Params>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(similarity)) {
    out[`index.similarity.${name}.type`] = "BM25";
    out[`index.similarity.${name}.k1`] = p.k1;
    out[`index.similarity.${name}.b`] = p.b;
  }
  return out;
}

/**
 * The starting configuration: the fields' own k1/b (on the copy's tunable sub-fields,
 * `queryFields`), one plain match per field.
 */
export function startConfig(
  req: TuneRequest,
  similarity: Record<string, Bm25Params>,
  queryFields: Record<string, string>,
): TuneConfig {
  return {
    similarity,
    clauses: req.fields.map((field) => ({ field: queryFields[field] ?? field, boost: 1, phraseBoost: 0 })),
    synonyms: [],
    prf: null,
    technique: req.start.technique,
    bm25Weight: req.start.bm25Weight,
    rerankDepth: req.reranker ? req.start.rerankDepth : 0,
  };
}

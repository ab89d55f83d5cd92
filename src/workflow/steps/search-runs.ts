/**
 * Retrieval variants run through `_search`, one request per query: BM25 (`match`), `neural`,
 * `hybrid` with the normalization pipeline, and hybrid + rerank. A relevance-tuning step adds its
 * own variant (see tune.ts) and is evaluated the same way.
 */
import type { BeirQuery } from "../../eval/beir.ts";
import type { Run } from "../../eval/metrics.ts";
import type { StepContext } from "../context.ts";

export interface SearchVariant {
  /** Key in the JSON report. */
  name: string;
  /** Row label in the table. */
  label: string;
  pipeline?: string;
  /** The index searched, when not the workflow's (a tuned copy). */
  index?: string;
  /** What produced the variant (a tuning report), for the workflow's JSON report. */
  details?: unknown;
  /** The variant this one sets out to improve on, compared with it query by query (besides BM25). */
  improvesOn?: string;
  body(query: BeirQuery, depth: number): Record<string, unknown>;
}

interface SearchResponse {
  hits: { hits: Array<{ _id: string; _score: number }> };
}

export function baseQueries(ctx: StepContext, embedderModel: string) {
  const { text_field, vector_field } = ctx.workflow.index;
  const match = (q: BeirQuery) => ({ match: { [text_field]: q.text } });
  const neural = (q: BeirQuery, k: number) => ({
    neural: { [vector_field]: { query_text: q.text, model_id: embedderModel, k } },
  });
  const hybrid = (q: BeirQuery, depth: number) => ({
    hybrid: { queries: [match(q), neural(q, depth)], pagination_depth: depth },
  });
  return { match, neural, hybrid };
}

const DEFAULT_RERANK_DEPTH = 100;

export function standardVariants(ctx: StepContext, embedderModel: string): SearchVariant[] {
  const { match, neural, hybrid } = baseQueries(ctx, embedderModel);
  const { pipelines } = ctx.workflow;
  const rerankDepth = ctx.workflow.evaluation?.rerank_depth ?? DEFAULT_RERANK_DEPTH;
  return [
    { name: "bm25", label: "BM25 (match)", body: (q) => ({ query: match(q) }) },
    { name: "neural", label: "neural", body: (q, depth) => ({ query: neural(q, depth) }) },
    {
      name: "hybrid",
      label: "hybrid (min_max)",
      pipeline: pipelines.hybrid,
      body: (q, d) => ({ query: hybrid(q, d) }),
    },
    {
      name: "hybrid_rerank",
      label: "hybrid + rerank",
      pipeline: pipelines.rerank,
      // the reranker reorders the top rerank_depth of the fused list (the response's size)
      body: (q, d) => ({
        size: Math.min(rerankDepth, d),
        query: hybrid(q, d),
        ext: { rerank: { query_context: { query_text: q.text } } },
      }),
    },
  ];
}

/** Runs one variant over the queries; `depth` results per query. */
export async function searchRun(
  ctx: StepContext,
  variant: SearchVariant,
  queries: BeirQuery[],
  depth: number,
  onQuery?: (done: number) => void,
): Promise<Run> {
  const run: Run = new Map();
  const name = variant.index ?? ctx.workflow.index.name;
  for (const [i, q] of queries.entries()) {
    const res = await ctx.search.json<SearchResponse>("POST", `/${name}/_search`, {
      query: variant.pipeline ? { search_pipeline: variant.pipeline } : undefined,
      body: { size: depth, _source: false, ...variant.body(q, depth) },
    });
    run.set(
      q.id,
      res.hits.hits.map((h) => ({ id: h._id, score: h._score })),
    );
    onQuery?.(i + 1);
  }
  return run;
}

/**
 * Measures a configuration on judged queries: one `_msearch` per batch of queries against the
 * index (the pipeline inline in each body, as OpenSearch 2.x accepts it), scored with the same
 * metrics as `lodestone eval` and `_rank_eval`.
 */
import { perQueryMetric, type Run, rankDocs, type ScoredDoc } from "../metrics.ts";
import { pipelineBody, searchBody, type TuneConfig, type View } from "./config.ts";
import type { Judgements, TuneRequest } from "./request.ts";
import { postNdjson, type SearchTransport } from "./transport.ts";

const BATCH = 32;

interface MsearchResponse {
  responses: Array<{
    hits?: { hits: Array<{ _id: string; _score: number | null }> };
    error?: { type?: string; reason?: string };
    status?: number;
  }>;
}

export class TuneSearchError extends Error {}

export async function runConfig(
  transport: SearchTransport,
  req: TuneRequest,
  index: string,
  config: TuneConfig,
  judged: Judgements,
  view: View,
): Promise<Run> {
  const run: Run = new Map();
  const pipeline = pipelineBody(req, config, view);
  for (let i = 0; i < judged.queries.length; i += BATCH) {
    const batch = judged.queries.slice(i, i + BATCH);
    const lines = batch.flatMap((q) => [
      { index },
      {
        ...searchBody(req, config, q.text, view),
        _source: false,
        ...(pipeline && { search_pipeline: pipeline }),
      },
    ]);
    const res = await postNdjson<MsearchResponse>(transport, "/_msearch", lines);
    res.responses.forEach((r, j) => {
      const q = batch[j];
      if (!q) return;
      if (!r.hits)
        throw new TuneSearchError(
          `searching ${index} for query ${q.id} failed: ${r.error?.type ?? "error"}: ${r.error?.reason ?? JSON.stringify(r)}`,
        );
      run.set(
        q.id,
        r.hits.hits.map((h) => ({ id: h._id, score: h._score ?? 0 })),
      );
    });
  }
  return run;
}

/**
 * Measures configurations on any subset of the judged queries while searching each query once
 * per configuration and view (searches are deterministic): cross-validation measures the same
 * candidates on many overlapping subsets. Keeps each query's top `metric.k` hits, all a metric
 * at k reads.
 */
export class RunCache {
  private readonly runs = new Map<string, Map<string, ScoredDoc[]>>();

  constructor(
    private readonly transport: SearchTransport,
    private readonly req: TuneRequest,
    private readonly index: string,
    /** Brings the index's settings in line with the configuration before it is searched. */
    private readonly prepare: (config: TuneConfig) => Promise<void>,
  ) {}

  /** The request's metric, the mean over the judged queries. */
  async measure(config: TuneConfig, judged: Judgements, view: View): Promise<number> {
    const values = await this.perQuery(config, judged, view);
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
  }

  /** Each judged query's metric, in the qrels' order (for paired comparisons). */
  async perQuery(config: TuneConfig, judged: Judgements, view: View): Promise<number[]> {
    const { name, k } = this.req.metric;
    return perQueryMetric(judged.qrels, await this.run(config, judged, view), name, k);
  }

  private async run(config: TuneConfig, judged: Judgements, view: View): Promise<Run> {
    const key = `${view}|${JSON.stringify(config)}`;
    let runs = this.runs.get(key);
    if (!runs) {
      runs = new Map();
      this.runs.set(key, runs);
    }
    const known = runs;
    // keyed by the query's text: two sets may give the same id to different queries
    const missing = judged.queries.filter((q) => !known.has(q.text));
    if (missing.length > 0) {
      await this.prepare(config);
      const got = await runConfig(
        this.transport,
        this.req,
        this.index,
        config,
        { ...judged, queries: missing },
        view,
      );
      for (const q of missing) known.set(q.text, rankDocs(got.get(q.id) ?? []).slice(0, this.req.metric.k));
    }
    return new Map(judged.queries.map((q) => [q.id, known.get(q.text) ?? []]));
  }
}

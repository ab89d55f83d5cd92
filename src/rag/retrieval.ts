/**
 * The retrieval chain of a RAG app: one `_search` through the SearchBackend (BM25 multi_match,
 * neural, or hybrid through a normalization pipeline; the app's filter ANDed in), then an optional
 * rerank of the top `depth` chunks by a reranker endpoint. Every stage reports its hits and scores
 * for the answer's trace.
 */
import type { SearchBackend } from "../backends/index.ts";
import type { App, RetrievalMode } from "./app-schema.ts";
import type { RagModels } from "./models.ts";

/** A retrieved chunk with the fields citations show. */
export interface Chunk {
  id: string;
  index: string;
  score: number;
  text: string;
  title: string;
  source: string;
  section?: string;
  page?: number;
  offset_start?: number;
}

export interface StageHit {
  chunk_id: string;
  score: number;
}

export type Stage =
  | { stage: "retrieve"; mode: RetrievalMode; took_ms: number; hits: StageHit[] }
  | { stage: "rerank"; model_id: string; took_ms: number; hits: StageHit[] }
  | { stage: "generate"; provider: string; took_ms: number };

export interface RetrieveOptions {
  mode?: RetrievalMode;
  k?: number;
  /** ANDed with the app's own filter. */
  filter?: Record<string, unknown>;
}

export interface Retrieved {
  chunks: Chunk[];
  stages: Stage[];
}

/** A hybrid query without a named pipeline is combined by this one (OpenSearch's usual default). */
const DEFAULT_HYBRID_PIPELINE = {
  phase_results_processors: [
    {
      "normalization-processor": {
        normalization: { technique: "min_max" },
        combination: { technique: "arithmetic_mean" },
      },
    },
  ],
};

interface SearchHit {
  _id: string;
  _index: string;
  _score: number | null;
  _source?: Record<string, unknown>;
}

/** The model ids neural queries name, per backend (OpenSearch needs a remote model per endpoint). */
export class ModelIds {
  private readonly cache = new Map<string, Promise<string>>();
  constructor(
    private readonly backend: SearchBackend,
    private readonly models: RagModels,
  ) {}

  embedding(endpointId: string): Promise<string> {
    let id = this.cache.get(endpointId);
    if (!id) {
      const info = this.models.describe(endpointId, "retrieval.model_id");
      id = this.backend.modelIdFor({
        endpointId,
        kind: "embedding",
        dimension: info.dimension,
        name: info.name,
      });
      // a failure is not remembered: the next question tries again
      id.catch(() => this.cache.delete(endpointId));
      this.cache.set(endpointId, id);
    }
    return id;
  }
}

/** The `_search` body (and its pipeline) for a question. */
export async function searchRequest(
  app: App,
  question: string,
  opts: RetrieveOptions,
  modelIds: ModelIds,
): Promise<{ body: Record<string, unknown>; pipeline?: string }> {
  const r = app.retrieval;
  const mode = opts.mode ?? r.mode;
  const filters = [r.filter, opts.filter].filter((f): f is Record<string, unknown> => f !== undefined);
  const filter =
    filters.length === 0 ? undefined : filters.length === 1 ? filters[0] : { bool: { filter: filters } };
  const lexical = {
    bool: {
      must: [{ multi_match: { query: question, fields: r.text_fields } }],
      ...(filter && { filter: [filter] }),
    },
  };
  const neural = async () => ({
    neural: {
      [r.vector_field]: {
        query_text: question,
        model_id: await modelIds.embedding(r.model_id as string),
        k: r.candidates,
        ...(filter && { filter }),
      },
    },
  });
  const source = { excludes: [r.vector_field] };
  // hits the answer reads: the reranker's depth when there is one, else only the top k (the
  // candidates still set how deep neural and hybrid retrieval look)
  const k = opts.k ?? r.k;
  const size = app.rerank ? Math.max(k, Math.min(r.candidates, app.rerank.depth)) : k;
  const base = { size, _source: source };
  if (mode === "bm25") return { body: { ...base, query: lexical } };
  if (mode === "neural") return { body: { ...base, query: await neural() } };
  const hybrid = { hybrid: { queries: [lexical, await neural()], pagination_depth: r.candidates } };
  if (r.search_pipeline) return { body: { ...base, query: hybrid }, pipeline: r.search_pipeline };
  return { body: { ...base, query: hybrid, search_pipeline: DEFAULT_HYBRID_PIPELINE } };
}

const asString = (v: unknown) =>
  typeof v === "string" ? v : Array.isArray(v) ? v.filter((x) => typeof x === "string").join("\n") : "";
const asNumber = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/**
 * Where a chunk comes from: its `source` field (set by `lodestone ingest`), else the file part of
 * a passage id such as `jobs.md#3` (the workflow's markdown passages), else its title, else its id.
 */
export function chunkSource(id: string, src: Record<string, unknown>): string {
  const given = asString(src.source) || asString(src.path) || asString(src.url);
  if (given) return given;
  const hash = id.lastIndexOf("#");
  if (hash > 0) return id.slice(0, hash);
  return asString(src.title) || id;
}

export function toChunk(hit: SearchHit, contentField: string): Chunk {
  const src = hit._source ?? {};
  const page = asNumber(src.page);
  const section = asString(src.section);
  const offset = asNumber(src.offset_start);
  return {
    id: hit._id,
    index: hit._index,
    score: hit._score ?? 0,
    text: asString(src[contentField]),
    title: asString(src.title),
    source: chunkSource(hit._id, src),
    ...(section && { section }),
    ...(page !== undefined && { page }),
    ...(offset !== undefined && { offset_start: offset }),
  };
}

const stageHits = (chunks: Chunk[]): StageHit[] => chunks.map((c) => ({ chunk_id: c.id, score: c.score }));

/** Retrieves, reranks and keeps the top k chunks of a question. */
export async function retrieve(
  backend: SearchBackend,
  models: RagModels,
  modelIds: ModelIds,
  app: App,
  question: string,
  opts: RetrieveOptions = {},
): Promise<Retrieved> {
  const k = opts.k ?? app.retrieval.k;
  const mode = opts.mode ?? app.retrieval.mode;
  let started = performance.now();
  const { body, pipeline } = await searchRequest(app, question, opts, modelIds);
  const res = await backend.json<{ hits: { hits: SearchHit[] } }>(
    "POST",
    `/${encodeURIComponent(app.index)}/_search`,
    {
      body,
      ...(pipeline && { query: { search_pipeline: pipeline } }),
    },
  );
  let chunks = res.hits.hits.map((h) => toChunk(h, app.retrieval.content_field));
  const stages: Stage[] = [{ stage: "retrieve", mode, took_ms: elapsed(started), hits: stageHits(chunks) }];
  if (app.rerank && chunks.length > 0) {
    started = performance.now();
    const head = chunks.slice(0, app.rerank.depth);
    const scores = await models.rerank(
      app.rerank.model_id,
      question,
      head.map((c) => c.text),
    );
    const reranked = head
      .map((c, i) => ({ ...c, score: Number(scores[i]) }))
      .sort((a, b) => b.score - a.score);
    stages.push({
      stage: "rerank",
      model_id: app.rerank.model_id,
      took_ms: elapsed(started),
      hits: stageHits(reranked),
    });
    // chunks below the rerank depth keep their retrieval order behind the reranked ones
    chunks = [...reranked, ...chunks.slice(app.rerank.depth)];
  }
  return { chunks: chunks.slice(0, k), stages };
}

export const elapsed = (since: number) => Math.round((performance.now() - since) * 100) / 100;

/**
 * What an index offers for retrieval, read from the engine (mapping, default ingest pipeline,
 * search pipelines), and the search bodies of the four modes the playground and the relevance
 * lab compare: BM25, neural, hybrid and hybrid + rerank.
 */
import { search } from "./api.ts";

export interface IndexRetrieval {
  index: string;
  /** Text fields for multi_match (dotted paths). */
  textFields: string[];
  vectorField: string | null;
  /** The embedding model of the index's default ingest pipeline (text_embedding processor). */
  modelId: string | null;
  /** Search pipelines with a normalization/score-ranker phase (needed by hybrid queries). */
  hybridPipelines: string[];
  /** Search pipelines that also rerank their response. */
  rerankPipelines: string[];
  /** The reranker model of the first rerank pipeline, for tuning. */
  rerankModelId: string | null;
}

export type Mode = "bm25" | "neural" | "hybrid" | "rerank";
export const MODES: { mode: Mode; label: string }[] = [
  { mode: "bm25", label: "BM25" },
  { mode: "neural", label: "neural" },
  { mode: "hybrid", label: "hybrid" },
  { mode: "rerank", label: "hybrid + rerank" },
];

interface Property {
  type?: string;
  properties?: Record<string, Property>;
  fields?: Record<string, Property>;
}

/** Dotted paths of the fields of each type in a mapping's properties. */
export function fieldsByType(properties: Record<string, Property>, prefix = ""): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (type: string, name: string) => out.set(type, [...(out.get(type) ?? []), name]);
  for (const [name, prop] of Object.entries(properties)) {
    const full = prefix + name;
    if (prop.properties) {
      for (const [type, names] of fieldsByType(prop.properties, `${full}.`))
        for (const n of names) add(type, n);
    } else add(prop.type ?? "object", full);
  }
  return out;
}

type Processor = Record<string, Record<string, unknown>>;
interface SearchPipeline {
  phase_results_processors?: Processor[];
  response_processors?: Processor[];
}

function firstProcessor(list: Processor[] | undefined, names: string[]): Record<string, unknown> | undefined {
  for (const p of list ?? []) for (const n of names) if (p[n]) return p[n];
  return undefined;
}

/** Pipelines named after the index come first: they were most likely made for it. */
function byAffinity(index: string) {
  return (a: string, b: string) =>
    Number(b.startsWith(index)) - Number(a.startsWith(index)) || a.localeCompare(b);
}

export async function describeIndex(index: string): Promise<IndexRetrieval> {
  const enc = encodeURIComponent(index);
  const [mappingResponse, settingsResponse, pipelines] = await Promise.all([
    search<Record<string, { mappings: { properties?: Record<string, Property> } }>>(
      "GET",
      `/${enc}/_mapping`,
    ),
    search<Record<string, { settings: { index?: Record<string, unknown> } }>>("GET", `/${enc}/_settings`),
    search<Record<string, SearchPipeline>>("GET", "/_search/pipeline").catch(
      () => ({}) as Record<string, SearchPipeline>,
    ),
  ]);
  const mapping = Object.values(mappingResponse)[0]?.mappings.properties ?? {};
  const types = fieldsByType(mapping);
  const vectorField = types.get("knn_vector")?.[0] ?? null;
  const indexSettings = Object.values(settingsResponse)[0]?.settings.index ?? {};
  const defaultPipeline = indexSettings.default_pipeline;
  let modelId: string | null = null;
  if (typeof defaultPipeline === "string" && defaultPipeline !== "_none") {
    const ingest = await search<Record<string, { processors?: Processor[] }>>(
      "GET",
      `/_ingest/pipeline/${encodeURIComponent(defaultPipeline)}`,
    ).catch(() => ({}) as Record<string, { processors?: Processor[] }>);
    const processor = firstProcessor(Object.values(ingest)[0]?.processors, ["text_embedding"]);
    if (typeof processor?.model_id === "string") modelId = processor.model_id;
  }
  const hybrid: string[] = [];
  const rerank: string[] = [];
  let rerankModelId: string | null = null;
  for (const [name, body] of Object.entries(pipelines)) {
    if (!firstProcessor(body.phase_results_processors, ["normalization-processor", "score-ranker-processor"]))
      continue;
    const reranker = firstProcessor(body.response_processors, ["rerank"]);
    if (reranker) rerank.push(name);
    else hybrid.push(name);
  }
  hybrid.sort(byAffinity(index));
  rerank.sort(byAffinity(index));
  const firstRerank = rerank[0]
    ? firstProcessor(pipelines[rerank[0]]?.response_processors, ["rerank"])
    : undefined;
  const ml = firstRerank?.ml_opensearch as { model_id?: unknown } | undefined;
  if (typeof ml?.model_id === "string") rerankModelId = ml.model_id;
  return {
    index,
    textFields: types.get("text") ?? [],
    vectorField,
    modelId,
    hybridPipelines: hybrid,
    rerankPipelines: rerank,
    rerankModelId,
  };
}

export interface ModeChoice {
  textFields: string[];
  vectorField: string | null;
  modelId: string | null;
  hybridPipeline: string | null;
  rerankPipeline: string | null;
}

export interface ModeRequest {
  body: Record<string, unknown>;
  /** The `search_pipeline` URL parameter, when the mode needs one. */
  pipeline?: string;
}

/** The search body of one mode for `text`, or a message saying what the index lacks for it. */
export function modeRequest(
  mode: Mode,
  text: string,
  choice: ModeChoice,
  size: number,
): ModeRequest | string {
  const lexical = { multi_match: { query: text, fields: choice.textFields } };
  if (mode === "bm25") {
    return choice.textFields.length ? { body: { query: lexical, size } } : "the index has no text fields";
  }
  if (!choice.vectorField) return "the index has no knn_vector field";
  if (!choice.modelId)
    return "no embedding model: the index's default ingest pipeline has no text_embedding processor";
  const depth = Math.max(size, 50);
  const neural = {
    neural: { [choice.vectorField]: { query_text: text, model_id: choice.modelId, k: depth } },
  };
  if (mode === "neural") return { body: { query: neural, size } };
  if (!choice.textFields.length) return "the index has no text fields";
  const hybrid = { hybrid: { queries: [lexical, neural], pagination_depth: depth } };
  const pipeline = mode === "hybrid" ? choice.hybridPipeline : choice.rerankPipeline;
  if (!pipeline) {
    return mode === "hybrid"
      ? "no hybrid search pipeline (a normalization-processor): PUT /_search/pipeline/<name>"
      : "no search pipeline with a rerank response processor";
  }
  // the rerank processor reads the query text from the request's ext
  const ext = mode === "rerank" ? { ext: { rerank: { query_context: { query_text: text } } } } : {};
  return { body: { query: hybrid, size, ...ext }, pipeline };
}

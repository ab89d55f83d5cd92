/**
 * A RAG app's definition: the request body of `POST /v1/rag/apps` / `PUT /v1/rag/apps/{app}`
 * (TypeBox, so the server's validation names the bad field), the defaults filled in, and the
 * stored App. The contract is in docs/rag.md.
 */
import { type Static, Type } from "@sinclair/typebox";

export const APP_NAME_PATTERN = "^[a-z0-9][a-z0-9_-]{0,62}$";
export const RETRIEVAL_MODES = ["bm25", "neural", "hybrid"] as const;
export type RetrievalMode = (typeof RETRIEVAL_MODES)[number];

const EndpointRef = Type.String({ minLength: 1, maxLength: 128 });
const Mode = Type.Union(RETRIEVAL_MODES.map((m) => Type.Literal(m)));

export const DEFAULT_SYSTEM =
  "You answer questions using only the numbered passages you are given. Cite every passage you use with its number in brackets, like [1]. If the passages do not contain the answer, say that it is not in the provided passages.";
export const DEFAULT_TEMPLATE = "Context:\n{{context}}\n\nQuestion: {{question}}";

const Retrieval = Type.Object(
  {
    mode: Mode,
    /** BM25 multi_match fields, with optional ^boosts. */
    text_fields: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 32 }),
    ),
    /** The field holding a chunk's text: what the LLM and the reranker read, and citations quote. */
    content_field: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    vector_field: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    /** The embedding endpoint (`ep-…`) neural and hybrid queries embed the question with. */
    model_id: Type.Optional(EndpointRef),
    /** hybrid: the normalization search pipeline; without one, min_max + arithmetic_mean 0.5/0.5. */
    search_pipeline: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    /** Chunks passed to the LLM. */
    k: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    /** Chunks retrieved before reranking. */
    candidates: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    /** An Elasticsearch query every chunk must match (ANDed in). */
    filter: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

const Rerank = Type.Object(
  {
    /** A reranker endpoint (`ep-…`). */
    model_id: EndpointRef,
    /** The top `depth` retrieved chunks are reranked. */
    depth: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);

const Llm = Type.Union([
  Type.Object({ provider: Type.Literal("builtin") }, { additionalProperties: false }),
  Type.Object(
    {
      provider: Type.Literal("endpoint"),
      /** A chat endpoint or model (e.g. a connector to an OpenAI-compatible server). */
      model_id: EndpointRef,
      temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
      max_tokens: Type.Optional(Type.Integer({ minimum: 1, maximum: 32768 })),
    },
    { additionalProperties: false },
  ),
]);

export const AppBody = Type.Object(
  {
    name: Type.String({ pattern: APP_NAME_PATTERN }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    index: Type.String({ minLength: 1, maxLength: 255 }),
    retrieval: Retrieval,
    rerank: Type.Optional(Type.Union([Rerank, Type.Null()])),
    llm: Type.Optional(Llm),
    prompt: Type.Optional(
      Type.Object(
        {
          system: Type.Optional(Type.String({ maxLength: 20000 })),
          template: Type.Optional(Type.String({ minLength: 1, maxLength: 20000 })),
        },
        { additionalProperties: false },
      ),
    ),
    citations: Type.Optional(
      Type.Object({ style: Type.Literal("numeric") }, { additionalProperties: false }),
    ),
    memory: Type.Optional(
      Type.Object({ turns: Type.Integer({ minimum: 0, maximum: 50 }) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
export type AppInput = Static<typeof AppBody>;

export type LlmSpec =
  | { provider: "builtin" }
  | { provider: "endpoint"; model_id: string; temperature?: number; max_tokens?: number };

/** A stored app: the input with every default filled in. */
export interface App {
  id: string;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
  index: string;
  retrieval: {
    mode: RetrievalMode;
    text_fields: string[];
    content_field: string;
    vector_field: string;
    model_id?: string;
    search_pipeline?: string;
    k: number;
    candidates: number;
    filter?: Record<string, unknown>;
  };
  rerank: { model_id: string; depth: number } | null;
  llm: LlmSpec;
  prompt: { system: string; template: string };
  citations: { style: "numeric" };
  memory: { turns: number };
}

export const RETRIEVAL_DEFAULTS = {
  text_fields: ["title^2", "content"],
  content_field: "content",
  vector_field: "embedding",
  k: 5,
  candidates: 50,
};
export const RERANK_DEPTH = 20;
export const MEMORY_TURNS = 6;

/** The app an input describes, defaults filled in (id and times are the store's). */
export function withDefaults(input: AppInput): Omit<App, "id" | "created_at" | "updated_at"> {
  const r = input.retrieval;
  return {
    name: input.name,
    description: input.description ?? "",
    index: input.index,
    retrieval: {
      mode: r.mode,
      text_fields: r.text_fields ?? RETRIEVAL_DEFAULTS.text_fields,
      content_field: r.content_field ?? RETRIEVAL_DEFAULTS.content_field,
      vector_field: r.vector_field ?? RETRIEVAL_DEFAULTS.vector_field,
      ...(r.model_id !== undefined && { model_id: r.model_id }),
      ...(r.search_pipeline !== undefined && { search_pipeline: r.search_pipeline }),
      k: r.k ?? RETRIEVAL_DEFAULTS.k,
      candidates: Math.max(r.candidates ?? RETRIEVAL_DEFAULTS.candidates, r.k ?? RETRIEVAL_DEFAULTS.k),
      ...(r.filter !== undefined && { filter: r.filter }),
    },
    rerank: input.rerank
      ? { model_id: input.rerank.model_id, depth: input.rerank.depth ?? RERANK_DEPTH }
      : null,
    llm: input.llm ?? { provider: "builtin" },
    prompt: {
      system: input.prompt?.system ?? DEFAULT_SYSTEM,
      template: input.prompt?.template ?? DEFAULT_TEMPLATE,
    },
    citations: { style: "numeric" },
    memory: { turns: input.memory?.turns ?? MEMORY_TURNS },
  };
}

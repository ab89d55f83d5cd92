/**
 * Checks an app against the platform before it is stored, so a mistake shows at creation and not
 * at the first question: the template's placeholders, the index (and the vector field a neural
 * or hybrid app searches), the filter (a probe search), the search pipeline, and that each
 * endpoint exists and serves the right kind of model. Each problem is a 400 naming the field.
 */
import type { SearchBackend } from "../backends/index.ts";
import { errorMessage, isLodestoneError } from "../common/errors.ts";
import { ApiError } from "../common/http-client.ts";
import type { App } from "./app-schema.ts";
import { invalidApp } from "./apps.ts";
import type { RagModels } from "./models.ts";
import { templateProblem } from "./prompts.ts";

type Definition = Omit<App, "id" | "created_at" | "updated_at">;

/** The kind of model an endpoint serves, or a 400 naming `param` when it is missing or another kind. */
function expectKind(models: RagModels, ref: string, kind: string, param: string, what: string): void {
  let info: ReturnType<RagModels["describe"]>;
  try {
    info = models.describe(ref, param);
  } catch (err) {
    if (isLodestoneError(err) && err.status < 500) throw invalidApp(param, `${param}: ${err.message}`);
    throw err;
  }
  if (info.kind !== kind)
    throw invalidApp(param, `${param}: ${ref} serves a ${info.kind} model (${info.name}), not ${what}`);
}

/** The mapping of `field` (a dotted path) in an index's mapping, if any. */
function fieldMapping(mapping: Record<string, unknown>, field: string): Record<string, unknown> | undefined {
  let node: Record<string, unknown> | undefined = mapping;
  for (const part of field.split(".")) {
    const props = node?.properties as Record<string, Record<string, unknown>> | undefined;
    node = props?.[part];
  }
  return node;
}

const status = (err: unknown) =>
  err instanceof ApiError ? err.status : isLodestoneError(err) ? err.status : 500;

export async function checkApp(app: Definition, backend: SearchBackend, models: RagModels): Promise<void> {
  const problem = templateProblem(app.prompt.template);
  if (problem) throw invalidApp("prompt.template", problem);
  const r = app.retrieval;
  if (r.mode !== "bm25") {
    if (!r.model_id)
      throw invalidApp(
        "retrieval.model_id",
        `retrieval.model_id is required for ${r.mode} retrieval: the embedding endpoint (ep-…) the documents were embedded with`,
      );
    expectKind(models, r.model_id, "embedding", "retrieval.model_id", "an embedding model");
  }
  if (app.rerank) expectKind(models, app.rerank.model_id, "reranker", "rerank.model_id", "a reranker");
  if (app.llm.provider === "endpoint")
    expectKind(models, app.llm.model_id, "chat", "llm.model_id", "a chat model");

  const index = encodeURIComponent(app.index);
  const mappings = await backend
    .json<Record<string, { mappings?: Record<string, unknown> }>>("GET", `/${index}/_mapping`)
    .catch((err) => {
      if (status(err) === 404)
        throw invalidApp(
          "index",
          `no index ${app.index} on the search backend; create it and add documents first (lodestone ingest, or PUT /${app.index} and _bulk)`,
        );
      throw err;
    });
  if (r.mode !== "bm25") {
    const vector = Object.values(mappings).some(
      (m) => fieldMapping(m.mappings ?? {}, r.vector_field)?.type === "knn_vector",
    );
    if (!vector)
      throw invalidApp(
        "retrieval.vector_field",
        `${app.index} has no knn_vector field ${r.vector_field}; ${r.mode} retrieval searches one`,
      );
  }
  if (r.mode === "hybrid" && r.search_pipeline)
    await backend.json("GET", `/_search/pipeline/${encodeURIComponent(r.search_pipeline)}`).catch((err) => {
      if (status(err) === 404)
        throw invalidApp(
          "retrieval.search_pipeline",
          `no search pipeline ${r.search_pipeline}; create it with PUT /_search/pipeline/${r.search_pipeline} or leave it out`,
        );
      throw err;
    });
  // the lexical query with the filter, run once: a bad filter or text field shows here
  await backend
    .json("POST", `/${index}/_search`, {
      body: {
        size: 0,
        query: {
          bool: {
            must: [{ multi_match: { query: "probe", fields: r.text_fields } }],
            ...(r.filter && { filter: [r.filter] }),
          },
        },
      },
    })
    .catch((err) => {
      if (status(err) === 400)
        throw invalidApp(
          r.filter ? "retrieval.filter" : "retrieval.text_fields",
          `the search backend refused the app's query: ${errorMessage(err)}`,
        );
      throw err;
    });
}

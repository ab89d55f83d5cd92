/**
 * Step "rag-apps": the workflow's RAG apps over its index — the trained embedder for neural and
 * hybrid retrieval through the hybrid pipeline, the trained reranker, the built-in answerer or a
 * chat model — created with `POST /v1/rag/apps`, replaced with `PUT` when the stored one differs,
 * left alone when it is the same (so a re-run changes nothing).
 */
import { ApiError } from "../../cli/client.ts";
import { type StepContext, stepDone, stepSkipped } from "../context.ts";
import { jsonEqual } from "../json-equal.ts";
import type { Workflow } from "../schema.ts";

const STEP = "rag-apps";

type AppSpec = NonNullable<Workflow["apps"]>[number];

export interface AppResult {
  name: string;
  id: string;
  status: "created" | "updated" | "unchanged";
}

/** The `POST /v1/rag/apps` body for an app of the workflow; endpoints are `ep-…` ids. */
export function appBody(
  workflow: Workflow,
  spec: AppSpec,
  endpoints: { embedder: string; reranker: string },
): Record<string, unknown> {
  const { index, pipelines } = workflow;
  const mode = spec.retrieval ?? "hybrid";
  const depth = spec.rerank_depth ?? 20;
  const llm = spec.llm ?? "builtin";
  return {
    name: spec.name,
    description: spec.description ?? `Answers from ${index.name} (workflow ${workflow.name})`,
    index: index.name,
    retrieval: {
      mode,
      text_fields: ["title^2", index.text_field],
      content_field: index.text_field,
      vector_field: index.vector_field,
      ...(mode !== "bm25" && { model_id: endpoints.embedder }),
      ...(mode === "hybrid" && { search_pipeline: pipelines.hybrid }),
      k: spec.k ?? 5,
      candidates: spec.candidates ?? 50,
    },
    rerank: depth > 0 ? { model_id: endpoints.reranker, depth } : null,
    llm: llm === "builtin" ? { provider: "builtin" } : { provider: "endpoint", model_id: llm },
    ...(spec.prompt && { prompt: spec.prompt }),
    citations: { style: "numeric" },
    memory: { turns: spec.memory_turns ?? 6 },
  };
}

/** The stored app's fields that the body sets (the server adds id, times and defaults). */
function sameDefinition(stored: Record<string, unknown>, body: Record<string, unknown>): boolean {
  const pick = (o: Record<string, unknown>, like: Record<string, unknown>): unknown =>
    Object.fromEntries(
      Object.keys(like).map((k) => {
        const a = o[k];
        const b = like[k];
        return [
          k,
          a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(b)
            ? pick(a as Record<string, unknown>, b as Record<string, unknown>)
            : a,
        ];
      }),
    );
  return jsonEqual(pick(stored, body), body);
}

export async function createRagApps(
  ctx: StepContext,
  endpoints: { embedder: string; reranker: string },
): Promise<AppResult[]> {
  const results: AppResult[] = [];
  for (const spec of ctx.workflow.apps ?? []) {
    const body = appBody(ctx.workflow, spec, endpoints);
    const stored = await ctx.api
      .json<Record<string, unknown>>("GET", `/v1/rag/apps/${spec.name}`)
      .catch((err) => {
        if (err instanceof ApiError && err.status === 404) return undefined;
        throw err;
      });
    if (!stored) {
      const app = await ctx.api.json<{ id: string }>("POST", "/v1/rag/apps", { body });
      stepDone(ctx, STEP, `created the RAG app ${spec.name} (${app.id}) over ${ctx.workflow.index.name}`);
      results.push({ name: spec.name, id: app.id, status: "created" });
    } else if (sameDefinition(stored, body)) {
      stepSkipped(ctx, STEP, `the RAG app ${spec.name} (${stored.id}) is up to date`);
      results.push({ name: spec.name, id: String(stored.id), status: "unchanged" });
    } else {
      const app = await ctx.api.json<{ id: string }>("PUT", `/v1/rag/apps/${spec.name}`, { body });
      stepDone(ctx, STEP, `updated the RAG app ${spec.name} (${app.id})`);
      results.push({ name: spec.name, id: app.id, status: "updated" });
    }
  }
  return results;
}

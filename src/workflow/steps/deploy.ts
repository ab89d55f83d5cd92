/**
 * Step "deploy": each trained model folder registered (`POST /v1/models` → m-…) and served
 * (`POST /v1/endpoints` → ep-…). A model registered from the same oss path after its job finished
 * is reused, and so is an endpoint already serving it.
 */
import { type StepContext, stepDone, stepSkipped } from "../context.ts";
import type { TrainedJob } from "./train.ts";

interface ModelView {
  model_id: string;
  model_name: string;
  source: string | null;
  created: number;
  dimension: number | null;
  kind: string;
}

interface EndpointView {
  endpoint_id: string;
  model_id: string;
  status: "Creating" | "Running" | "Failed" | "Stopped";
  reason: string | null;
}

export interface Deployed {
  modelId: string;
  endpointId: string;
  /** The embedder's output dimension (null for a reranker). */
  dimension: number | null;
  reused: boolean;
}

const POLL_MS = 200;
const DEPLOY_TIMEOUT_MS = 300_000;

async function settled(ctx: StepContext, endpointId: string): Promise<EndpointView> {
  const deadline = Date.now() + DEPLOY_TIMEOUT_MS;
  for (;;) {
    const endpoint = await ctx.api.json<EndpointView>("GET", `/v1/endpoints/${endpointId}`);
    if (endpoint.status !== "Creating") return endpoint;
    if (Date.now() > deadline) throw new Error(`endpoint ${endpointId} is still Creating after 5 minutes`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function deployModel(
  ctx: StepContext,
  step: string,
  name: string,
  ossPath: string,
  trained: TrainedJob,
): Promise<Deployed> {
  const { data: models } = await ctx.api.json<{ data: ModelView[] }>("GET", "/v1/models");
  // registration copies the folder: a copy made before the job last wrote it is stale
  const current = models
    .filter(
      (m) =>
        m.model_name === name && m.source === ossPath && m.created >= Math.floor(trained.finishedAt / 1000),
    )
    .at(-1);
  const model =
    current ??
    (await ctx.api.json<ModelView>("POST", "/v1/models", { body: { model_name: name, oss_path: ossPath } }));
  const { data: endpoints } = await ctx.api.json<{ data: EndpointView[] }>("GET", "/v1/endpoints");
  const serving = endpoints.find(
    (e) => e.model_id === model.model_id && (e.status === "Running" || e.status === "Creating"),
  );
  const endpoint = await settled(
    ctx,
    serving?.endpoint_id ??
      (await ctx.api.json<EndpointView>("POST", "/v1/endpoints", { body: { model_id: model.model_id } }))
        .endpoint_id,
  );
  if (endpoint.status !== "Running")
    throw new Error(`endpoint ${endpoint.endpoint_id} for ${name} is ${endpoint.status}: ${endpoint.reason}`);
  const reused = Boolean(current && serving);
  const message = `${name}: model ${model.model_id}, endpoint ${endpoint.endpoint_id} Running`;
  if (reused) stepSkipped(ctx, step, `${message} (already deployed)`);
  else stepDone(ctx, step, message);
  return { modelId: model.model_id, endpointId: endpoint.endpoint_id, dimension: model.dimension, reused };
}

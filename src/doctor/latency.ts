/**
 * Check 5: each running embedding model a pipeline calls answers one small request in time —
 * `POST /v1/embeddings` on the platform, else ML Commons' text_embedding `_predict`.
 */
import type { ClusterState } from "./cluster.ts";
import { type DoctorClient, errorText, type Finding } from "./findings.ts";
import type { ModelDirectory } from "./models.ts";
import { modelUses } from "./pipelines.ts";

export const DEFAULT_SLOW_MS = 1000;
const PROBE = ["lodestone doctor latency probe"];

const slowFix = (platform: boolean) =>
  platform
    ? "serve it from an endpoint with more replicas and batching (lodestone endpoints deploy <model> --replicas 4 --max-batch-size 64), or use a smaller model"
    : "deploy it to more ML nodes or use a smaller model";

async function timed(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await call();
  return Math.round(performance.now() - started);
}

export async function checkLatency(
  state: ClusterState,
  models: ModelDirectory,
  clients: { search: DoctorClient; platform?: DoctorClient },
  slowMs = DEFAULT_SLOW_MS,
): Promise<Finding[]> {
  const ids = [...new Set(modelUses(state).flatMap((u) => (u.kind === "embedding" ? [u.modelId] : [])))];
  const findings: Finding[] = [];
  for (const id of ids) {
    const model = await models.describe(id);
    if (model.state !== "running") continue;
    const { platform, search } = clients;
    let call: () => Promise<unknown>;
    if (platform) call = () => platform.json("POST", "/v1/embeddings", { body: { model: id, input: PROBE } });
    // without the platform, only a local embedder has a _predict whose body is known
    else if (model.kind === "embedding")
      call = () =>
        search.json("POST", `/_plugins/_ml/_predict/text_embedding/${encodeURIComponent(id)}`, {
          body: { text_docs: PROBE },
        });
    else continue;
    try {
      const first = await timed(call);
      // the first call may load the model (word vectors, a cold connection): time a second one
      const ms = first > slowMs ? await timed(call) : first;
      const cold = ms < first && ms <= slowMs ? ` (the first call took ${first} ms: a cold start)` : "";
      findings.push({
        check: "latency",
        level: ms > slowMs ? "warning" : "ok",
        message: `model [${id}] embedded a short text in ${ms} ms${cold}${ms > slowMs ? `, over ${slowMs} ms: ingest and neural queries wait that long per batch` : ""}`,
        fix: ms > slowMs ? slowFix(Boolean(platform)) : undefined,
        details: { model: id, ms, first_ms: first, threshold_ms: slowMs },
      });
    } catch (err) {
      findings.push({
        check: "latency",
        level: "error",
        message: `model [${id}] failed to embed a short text: ${errorText(err)}`,
        fix: `${platform ? "see its endpoint (lodestone endpoints list) and the server log" : "see the cluster's ML Commons logs"}; the pipelines calling it fail the same way`,
        details: { model: id },
      });
    }
  }
  return findings;
}

/**
 * Check 3: what pipelines and indices refer to exists and serves — the pipelines an index runs by
 * default, the pipelines `pipeline` processors run, and the models processors call (present, of
 * the right kind, deployed).
 */
import { type ClusterState, pipelineSetting } from "./cluster.ts";
import type { Finding } from "./findings.ts";
import type { ModelDescription, ModelDirectory } from "./models.ts";
import { missingPipelineRefs, modelUses } from "./pipelines.ts";

const INDEX_PIPELINES = [
  { key: "index.default_pipeline", listing: "ingest", fails: "writes to it fail" },
  { key: "index.final_pipeline", listing: "ingest", fails: "writes to it fail" },
  { key: "index.search.default_pipeline", listing: "search", fails: "searches of it fail" },
] as const;

export function checkPipelineRefs(state: ClusterState): Finding[] {
  const findings: Finding[] = [];
  for (const index of state.indices)
    for (const { key, listing, fails } of INDEX_PIPELINES) {
      const name = pipelineSetting(index, key);
      const pipelines = listing === "ingest" ? state.ingestPipelines : state.searchPipelines;
      if (name === undefined || name in pipelines) continue;
      findings.push({
        check: "pipelines",
        level: "error",
        message: `index [${index.name}] has ${key} [${name}], but there is no ${listing} pipeline [${name}]: ${fails}`,
        fix: `create it (PUT /_${listing}/pipeline/${name}) or unset the setting: PUT /${index.name}/_settings {"${key}": null}`,
        details: { index: index.name, setting: key, pipeline: name },
      });
    }
  for (const { pipeline, name } of missingPipelineRefs(state.ingestPipelines))
    findings.push({
      check: "pipelines",
      level: "error",
      message: `ingest pipeline [${pipeline}] runs pipeline [${name}], which does not exist: documents through it fail`,
      fix: `create it (PUT /_ingest/pipeline/${name}) or remove the pipeline processor from [${pipeline}]`,
      details: { pipeline, missing: name },
    });
  if (findings.length) return findings;
  const ingest = Object.keys(state.ingestPipelines).length;
  const search = Object.keys(state.searchPipelines).length;
  return [
    {
      check: "pipelines",
      level: "ok",
      message: `${ingest} ingest and ${search} search pipeline(s); every pipeline an index or processor names exists`,
    },
  ];
}

/** One finding per model that is missing, of the wrong kind or not serving (with how to start it). */
export async function checkModelRefs(state: ClusterState, models: ModelDirectory): Promise<Finding[]> {
  const uses = modelUses(state);
  const byModel = new Map<string, typeof uses>();
  for (const use of uses) byModel.set(use.modelId, [...(byModel.get(use.modelId) ?? []), use]);
  const findings: Finding[] = [];
  for (const [modelId, usesOf] of byModel) {
    const where = [...new Set(usesOf.map((u) => u.where))].join(", ");
    const model = await models.describe(modelId);
    const problem = modelProblem(model, where, [...new Set(usesOf.flatMap((u) => u.kind ?? []))]);
    if (problem)
      findings.push({ ...problem, details: { model: modelId, used_by: where, ...problem.details } });
  }
  if (findings.length || uses.length === 0) return findings;
  return [
    {
      check: "models",
      level: "ok",
      message: `the ${byModel.size} model(s) pipelines call exist and are deployed`,
      details: { models: [...byModel.keys()] },
    },
  ];
}

function modelProblem(model: ModelDescription, where: string, kinds: string[]): Finding | undefined {
  const check = "models";
  if (model.lookupError !== undefined)
    return {
      check,
      level: "warning",
      message: `cannot check model [${model.id}] used by ${where}: ${model.lookupError}`,
    };
  if (!model.found)
    return {
      check,
      level: "error",
      message: `model [${model.id}] used by ${where} does not exist: the pipeline fails wherever it runs`,
      fix: "register and deploy a model (lodestone models list / POST /_plugins/_ml/models/_search show what exists), then point the pipeline at its id",
    };
  const wrongKind = kinds.find(
    (k) => model.kind !== undefined && model.kind !== "remote" && model.kind !== k,
  );
  if (wrongKind)
    return {
      check,
      level: "error",
      message: `model [${model.id}] used by ${where} is a ${model.kind} model, but the processor needs a ${wrongKind} model`,
      fix: `point the pipeline at a ${wrongKind} model`,
      details: { kind: model.kind, needed: wrongKind },
    };
  if (model.state === "running") return undefined;
  if (model.state === "starting")
    return {
      check,
      level: "warning",
      message: `model [${model.id}] used by ${where} is still starting; calls wait for it or fail until it runs`,
      fix: "check again in a moment",
      details: { state: model.state },
    };
  const why = model.reason ? ` (${model.reason})` : "";
  return {
    check,
    level: "error",
    message: `model [${model.id}]${model.name ? ` (${model.name})` : ""} used by ${where} is ${model.state?.replace("_", " ")}${why}: the pipeline fails until it runs`,
    fix: model.startFix ? `start it: ${model.startFix}` : undefined,
    details: { state: model.state, reason: model.reason },
  };
}

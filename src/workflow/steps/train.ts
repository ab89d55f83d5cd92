/**
 * Steps "train-embedder" and "train-reranker": a built-in DLC job per model. A job is reused when
 * one with the same name, script, input, output and hyper-parameters already succeeded after its
 * inputs last changed (the data objects, and for the reranker the embedder it starts from).
 */

import { type JobView, watchJob } from "../../cli/job-progress.ts";
import { listAll } from "../../cli/oss-client.ts";
import { parseOssUrl } from "../../storage/oss-url.ts";
import { type StepContext, stepDone, stepSkipped, stepStart } from "../context.ts";

export interface TrainedJob {
  job: JobView;
  /** Whether this run trained it (false: an earlier job was reused). */
  trained: boolean;
  /** When the job finished (ms): models registered before that are stale. */
  finishedAt: number;
}

interface JobSpec {
  step: string;
  name: string;
  script: string;
  input: string;
  output: string;
  hyperParameters: Record<string, string>;
  /** Inputs changed at this time (ms): a job created before it is stale. */
  notBefore: number;
}

const sameParams = (a: Record<string, string>, b: Record<string, string>) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** The latest modification time of the objects under an oss:// prefix. */
export async function lastModified(ctx: StepContext, prefix: string): Promise<number> {
  const { objects } = await listAll(ctx.api, parseOssUrl(prefix));
  return Math.max(0, ...objects.map((o) => Date.parse(o.lastModified)));
}

async function findReusable(ctx: StepContext, spec: JobSpec): Promise<JobView | undefined> {
  const { Jobs } = await ctx.api.json<{ Jobs: JobView[] }>("GET", "/api/v1/jobs", {
    query: { DisplayName: spec.name, Status: "Succeeded", PageSize: 100 },
  });
  return Jobs.find(
    (j) =>
      j.Script === spec.script &&
      j.OssInput === spec.input &&
      j.OssOutput === spec.output &&
      sameParams((j.HyperParameters as Record<string, string>) ?? {}, spec.hyperParameters) &&
      Date.parse(j.GmtCreateTime as string) >= spec.notBefore,
  );
}

async function runJob(ctx: StepContext, spec: JobSpec): Promise<TrainedJob> {
  const reusable = await findReusable(ctx, spec);
  if (reusable) {
    stepSkipped(ctx, spec.step, `job ${reusable.JobId} (${spec.name}) already succeeded with these inputs`);
    return { job: reusable, trained: false, finishedAt: Date.parse(reusable.GmtFinishTime as string) };
  }
  const created = await ctx.api.json<{ JobId: string }>("POST", "/api/v1/jobs", {
    body: {
      DisplayName: spec.name,
      Script: spec.script,
      OssInput: spec.input,
      OssOutput: spec.output,
      HyperParameters: spec.hyperParameters,
    },
  });
  stepStart(ctx, spec.step, `DLC job ${created.JobId} (${spec.script} → ${spec.output})`);
  const job = await watchJob(ctx.api, created.JobId, (j) =>
    ctx.emit({
      type: "progress",
      step: spec.step,
      label: spec.name,
      fraction: j.Progress,
      message: `${j.Status} ${j.ProgressMessage ?? ""}`.trim(),
    }),
  );
  if (job.Status !== "Succeeded")
    throw new Error(
      `job ${job.JobId} (${spec.name}) ended ${job.Status}: ${job.ReasonMessage}; see lodestone dlc logs ${job.JobId}`,
    );
  stepDone(ctx, spec.step, `job ${job.JobId} succeeded in ${job.Duration} s: ${job.ProgressMessage ?? ""}`);
  return { job, trained: true, finishedAt: Date.parse(job.GmtFinishTime as string) };
}

const asStrings = (hp: Record<string, string | number> = {}) =>
  Object.fromEntries(Object.entries(hp).map(([k, v]) => [k, String(v)]));

export async function trainEmbedder(ctx: StepContext, input: string): Promise<TrainedJob> {
  const spec = ctx.workflow.training.embedder;
  return runJob(ctx, {
    step: "train-embedder",
    name: spec.name,
    script: "train-embedding",
    input,
    output: spec.output,
    hyperParameters: asStrings(spec.hyper_parameters),
    notBefore: await lastModified(ctx, input),
  });
}

/** The reranker starts from the trained embedder's term vectors (hyper-parameter `embedder`). */
export async function trainReranker(
  ctx: StepContext,
  input: string,
  embedder: TrainedJob,
): Promise<TrainedJob> {
  const spec = ctx.workflow.training.reranker;
  return runJob(ctx, {
    step: "train-reranker",
    name: spec.name,
    script: "train-reranker",
    input,
    output: spec.output,
    hyperParameters: { embedder: ctx.workflow.training.embedder.output, ...asStrings(spec.hyper_parameters) },
    notBefore: Math.max(await lastModified(ctx, input), embedder.finishedAt),
  });
}

/**
 * Step "data": the source folder (local, or downloaded from an existing oss:// prefix) is turned
 * into the dataset, and the training part is synced to `<data.oss>training/` — only files whose
 * size differs are uploaded, so an unchanged corpus keeps its objects (and their times, which
 * tell the training step whether a finished job is still current).
 */
import fs from "node:fs";
import path from "node:path";
import { ApiError } from "../../cli/client.ts";
import { copyPaths, listAll } from "../../cli/oss-client.ts";
import { isOssUrl, parseOssUrl } from "../../storage/oss-url.ts";
import { localFiles } from "../../storage/transfer.ts";
import { type StepContext, stepDone, stepSkipped, stepStart } from "../context.ts";
import { type Dataset, prepareDataset } from "../dataset.ts";

const STEP = "data";

async function ensureBucket(ctx: StepContext, bucket: string): Promise<void> {
  await ctx.api.json("PUT", `/v1/oss/${bucket}`).catch((err) => {
    if (!(err instanceof ApiError && err.code === "BucketAlreadyExists")) throw err;
  });
}

/** Uploads the files of `dir` missing under `prefix` or of another size; returns how many. */
export async function syncFolder(ctx: StepContext, dir: string, prefix: string): Promise<number> {
  const url = parseOssUrl(prefix);
  await ensureBucket(ctx, url.bucket);
  const { objects } = await listAll(ctx.api, url);
  const sizes = new Map(objects.map((o) => [o.key.slice(url.key.length), o.size]));
  let uploaded = 0;
  for (const rel of await localFiles(dir)) {
    const file = path.join(dir, rel);
    // an equal size is trusted: rewriting unchanged objects would make every run look new
    if (sizes.get(rel) === fs.statSync(file).size) continue;
    await copyPaths(ctx.api, file, prefix + rel, false);
    uploaded++;
  }
  return uploaded;
}

async function localSource(ctx: StepContext): Promise<string> {
  const { source } = ctx.workflow.data;
  if (!isOssUrl(source)) {
    const dir = path.resolve(ctx.workflow.baseDir, source);
    if (!fs.existsSync(dir)) throw new Error(`data.source: ${dir} does not exist`);
    return dir;
  }
  const dir = path.join(ctx.workDir, "source");
  await copyPaths(ctx.api, source.endsWith("/") ? source : `${source}/`, dir, true);
  return dir;
}

export interface DataResult {
  dataset: Dataset;
  /** The training jobs' input. */
  trainingUrl: string;
}

export async function prepareData(ctx: StepContext): Promise<DataResult> {
  const { data } = ctx.workflow;
  stepStart(ctx, STEP, `reading ${data.source} (${data.format})`);
  const source = await localSource(ctx);
  const dataset = prepareDataset(source, ctx.workflow, ctx.workDir);
  const trainingUrl = `${data.oss}training/`;
  let uploaded = await syncFolder(ctx, dataset.trainingDir, trainingUrl);
  // local documents are kept next to the training data they became (a BEIR source is not: its
  // test judgements must stay out of object storage, where the jobs read)
  if (!isOssUrl(data.source) && data.format === "markdown")
    uploaded += await syncFolder(ctx, source, `${data.oss}source/`);
  const summary = `${dataset.corpus.length} documents, ${dataset.validation.queries.length} validation and ${dataset.test.queries.length} held-out test queries`;
  if (uploaded === 0) stepSkipped(ctx, STEP, `${summary}; already in ${data.oss}`);
  else stepDone(ctx, STEP, `${summary}; uploaded ${uploaded} files to ${data.oss}`);
  return { dataset, trainingUrl };
}

/**
 * What a job script written in TypeScript or JavaScript imports to find its folders and report
 * progress and metrics. Scripts in other languages print the same lines themselves (protocol.ts).
 */
import { formatReport, type ScriptReport } from "./protocol.ts";

export interface JobContext {
  jobId: string;
  /** The staged copy of the job's oss:// input (empty folder when it has none). */
  inputDir: string;
  /** Everything written here is copied to the job's oss:// output when the script succeeds. */
  outputDir: string;
  /** Kept across retries of the same job, for checkpoints. */
  checkpointDir: string;
  hyperParameters: Record<string, string>;
  /** The platform API, for scripts that call other services (search, models). */
  apiUrl: string | undefined;
}

export function jobContext(env: NodeJS.ProcessEnv = process.env): JobContext {
  const required = (name: string) => {
    const value = env[name];
    if (!value)
      throw new Error(`${name} is not set: run this script as a Lodestone job (lodestone dlc create-job)`);
    return value;
  };
  return {
    jobId: required("LODESTONE_JOB_ID"),
    inputDir: required("LODESTONE_INPUT_DIR"),
    outputDir: required("LODESTONE_OUTPUT_DIR"),
    checkpointDir: required("LODESTONE_CHECKPOINT_DIR"),
    hyperParameters: JSON.parse(env.LODESTONE_HYPERPARAMETERS ?? "{}"),
    apiUrl: env.LODESTONE_API_URL,
  };
}

export function report(report: ScriptReport): void {
  process.stdout.write(`${formatReport(report)}\n`);
}

export function reportProgress(progress: number, message?: string): void {
  report(message === undefined ? { progress } : { progress, message });
}

export function reportMetrics(metrics: Record<string, number>, step?: number): void {
  report(step === undefined ? { metrics } : { metrics, step });
}

/** Reads a numeric hyper-parameter, with a default and a clear error for a bad value. */
export function numberParam(ctx: JobContext, name: string, fallback: number): number {
  const raw = ctx.hyperParameters[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value))
    throw new Error(`hyper-parameter ${name} must be a number, got ${JSON.stringify(raw)}`);
  return value;
}

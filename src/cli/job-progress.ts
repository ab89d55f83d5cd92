import cliProgress from "cli-progress";
import type { ApiClient } from "./client.ts";
import { readEvents } from "./client.ts";

/** The fields of a job view the CLI reads. */
export interface JobView {
  JobId: string;
  DisplayName: string;
  Status: string;
  ReasonCode: string | null;
  ReasonMessage: string | null;
  Progress: number;
  ProgressMessage: string | null;
  Metrics: Record<string, number>;
  Duration: number;
  OssOutput: string | null;
  [key: string]: unknown;
}

const FINAL = new Set(["Succeeded", "Failed", "Stopped"]);

/** Calls `onUpdate` with each state of a job from the server's event stream until it ends; returns the final one. */
export async function watchJob(
  client: ApiClient,
  jobId: string,
  onUpdate: (job: JobView) => void,
): Promise<JobView> {
  let last: JobView | undefined;
  for (;;) {
    const response = await client.send("GET", `/api/v1/jobs/${jobId}/events`);
    for await (const job of readEvents<JobView>(response)) {
      onUpdate(job);
      last = job;
    }
    // The stream ends when the job is final; a dropped connection is simply reopened.
    if (last && FINAL.has(last.Status)) return last;
  }
}

/**
 * Follows a job until it ends, from the server's event stream: a progress bar on a terminal,
 * a line per state change otherwise (CI logs, pipes). Returns the final job.
 */
export async function followJob(
  client: ApiClient,
  jobId: string,
  opts: { quiet?: boolean } = {},
): Promise<JobView> {
  const tty = Boolean(process.stderr.isTTY) && !opts.quiet;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: "{name} |{bar}| {percentage}% | {status} | {message}",
          hideCursor: true,
          stream: process.stderr,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let started = false;
  let lastLine = "";
  const last = await watchJob(client, jobId, (job) => {
    const payload = {
      name: job.DisplayName,
      status: job.Status,
      message: (job.ProgressMessage ?? "").slice(0, 60),
    };
    if (bar) {
      if (!started) bar.start(100, 0, payload);
      started = true;
      bar.update(Math.round(job.Progress * 100), payload);
    } else if (!opts.quiet) {
      const line = `${job.JobId} ${job.Status} ${Math.round(job.Progress * 100)}%`;
      if (line !== lastLine) process.stderr.write(`${line}\n`);
      lastLine = line;
    }
  });
  bar?.stop();
  return last;
}

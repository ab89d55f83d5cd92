/** PAI-DLC job states. Succeeded, Failed and Stopped are final. */
export const JOB_STATUSES = [
  "Creating",
  "Queuing",
  "Running",
  "Succeeded",
  "Failed",
  "Stopping",
  "Stopped",
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(["Succeeded", "Failed", "Stopped"]);

/** How a job's script is executed. */
export type JobRuntime = "builtin" | "node" | "python3";

export interface Job {
  id: string;
  displayName: string;
  status: JobStatus;
  image: string;
  script: string;
  runtime: JobRuntime;
  ossInput: string | null;
  ossOutput: string | null;
  hyperParameters: Record<string, string>;
  envs: Record<string, string>;
  reasonCode: string | null;
  reasonMessage: string | null;
  /** 0..1 */
  progress: number;
  progressMessage: string | null;
  pid: number | null;
  exitCode: number | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  updatedAt: number;
}

export interface CreateJobRequest {
  displayName: string;
  image?: string;
  /** A built-in script name, an oss:// URL, a file name inside the input, or the name of `scriptContent`. */
  script: string;
  /** The script's source, when the client uploads a local file with the job. */
  scriptContent?: string;
  ossInput?: string;
  ossOutput?: string;
  hyperParameters?: Record<string, string>;
  envs?: Record<string, string>;
}

export interface MetricPoint {
  name: string;
  step: number;
  value: number;
  time: number;
}

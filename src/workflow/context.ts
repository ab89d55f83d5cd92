/** What every workflow step receives: the platform API, the search backend, the workflow, and a way to report progress. */
import type { SearchBackend } from "../backends/index.ts";
import type { ApiClient } from "../cli/client.ts";
import type { Workflow } from "./schema.ts";

export type WorkflowEvent =
  /** A step began, finished, or found its output already there and did nothing. */
  | { type: "step"; step: string; status: "start" | "done" | "skipped"; message: string }
  /** Progress of a long part of a step (a training job, a bulk load): `fraction` in [0, 1]. */
  | { type: "progress"; step: string; label: string; fraction: number; message: string };

export interface StepContext {
  workflow: Workflow;
  /** The platform API (oss, jobs, models, endpoints). */
  api: ApiClient;
  /**
   * The search layer: the embedded engine or an OpenSearch cluster (`search.backend`). Model ids in
   * request bodies come from `search.modelIdFor(endpoint)`, never raw `ep-…` ids.
   */
  search: SearchBackend;
  /** A scratch folder for this run (generated data, downloads). */
  workDir: string;
  emit(event: WorkflowEvent): void;
}

export const stepStart = (ctx: StepContext, step: string, message: string) =>
  ctx.emit({ type: "step", step, status: "start", message });
export const stepDone = (ctx: StepContext, step: string, message: string) =>
  ctx.emit({ type: "step", step, status: "done", message });
export const stepSkipped = (ctx: StepContext, step: string, message: string) =>
  ctx.emit({ type: "step", step, status: "skipped", message });

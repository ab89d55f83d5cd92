import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { badRequest } from "../../common/errors.ts";
import { FINAL_STATUSES, JOB_STATUSES, type Job } from "../../jobs/types.ts";
import { parseUserCommand } from "../../jobs/user-command.ts";
import { readLog } from "../../jobs/workspace.ts";
import type { Platform } from "../platform-types.ts";

const StringMap = Type.Record(Type.String(), Type.String());
const CreateJobBody = Type.Object(
  {
    DisplayName: Type.String({ minLength: 1, maxLength: 128, pattern: "^[^\\u0000-\\u001f]+$" }),
    Script: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    UserCommand: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    ScriptContent: Type.Optional(Type.String()),
    Image: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    JobType: Type.Optional(Type.String({ maxLength: 64 })),
    JobSpecs: Type.Optional(
      Type.Array(Type.Object({ Image: Type.Optional(Type.String()) }), { maxItems: 16 }),
    ),
    OssInput: Type.Optional(Type.String({ maxLength: 2048 })),
    OssOutput: Type.Optional(Type.String({ maxLength: 2048 })),
    HyperParameters: Type.Optional(StringMap),
    Envs: Type.Optional(StringMap),
  },
  { additionalProperties: false },
);
const JobParams = Type.Object({ JobId: Type.String({ pattern: "^dlc[a-z0-9]{13}$" }) });
const ListQuery = Type.Object(
  {
    Status: Type.Optional(Type.Union(JOB_STATUSES.map((s) => Type.Literal(s)))),
    DisplayName: Type.Optional(Type.String()),
    PageNumber: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
    PageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  },
  { additionalProperties: false },
);
const LogQuery = Type.Object(
  {
    Offset: Type.Optional(Type.Integer({ default: 0 })),
    MaxLines: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 1000 })),
  },
  { additionalProperties: false },
);

/** A job as the API shows it: PAI-DLC field names, times as ISO strings, durations in seconds. */
export function jobView(job: Job, metrics: Record<string, number>) {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  const end = job.finishedAt ?? (job.startedAt ? Date.now() : null);
  const durationMs = job.startedAt && end ? end - job.startedAt : 0;
  return {
    JobId: job.id,
    DisplayName: job.displayName,
    JobType: "LodestoneJob",
    Status: job.status,
    ReasonCode: job.reasonCode,
    ReasonMessage: job.reasonMessage,
    Image: job.image,
    Script: job.script,
    Runtime: job.runtime,
    OssInput: job.ossInput,
    OssOutput: job.ossOutput,
    HyperParameters: job.hyperParameters,
    // Values of environment variables may be secrets; only their names are shown.
    Envs: Object.fromEntries(Object.keys(job.envs).map((k) => [k, "******"])),
    Progress: job.progress,
    ProgressMessage: job.progressMessage,
    Metrics: metrics,
    ExitCode: job.exitCode,
    GmtCreateTime: iso(job.createdAt),
    GmtRunningTime: iso(job.startedAt),
    GmtFinishTime: iso(job.finishedAt),
    Duration: Math.round(durationMs / 1000),
    DurationMs: durationMs,
  };
}

/** PAI-DLC-compatible job API under `/api/v1/jobs`. */
export function jobRoutes(app: FastifyInstance, platform: Platform): void {
  const { jobs, jobStore } = platform;
  const view = (job: Job) => jobView(job, jobStore.latestMetrics(job.id));

  app.post("/api/v1/jobs", { schema: { body: CreateJobBody } }, async (request, reply) => {
    const body = request.body as Static<typeof CreateJobBody>;
    let script = body.Script;
    let hyperParameters = body.HyperParameters;
    if (body.UserCommand) {
      // Script, when given too, is the uploaded copy of the command's script.
      const parsed = parseUserCommand(body.UserCommand);
      script ??= parsed.script;
      hyperParameters = { ...parsed.hyperParameters, ...hyperParameters };
    }
    if (!script) throw badRequest("InvalidParameter", "body.Script (or UserCommand) is required", "Script");
    const job = await jobs.create({
      displayName: body.DisplayName,
      script,
      scriptContent: body.ScriptContent,
      image: body.Image ?? body.JobSpecs?.find((spec) => spec.Image)?.Image,
      ossInput: body.OssInput,
      ossOutput: body.OssOutput,
      hyperParameters,
      envs: body.Envs,
    });
    reply.status(201);
    return { JobId: job.id, RequestId: request.id, Job: view(job) };
  });

  app.get("/api/v1/jobs", { schema: { querystring: ListQuery } }, async (request) => {
    const q = request.query as Static<typeof ListQuery>;
    const pageNumber = q.PageNumber ?? 1;
    const pageSize = q.PageSize ?? 50;
    const { jobs: page, total } = jobStore.list({
      status: q.Status,
      displayName: q.DisplayName,
      limit: pageSize,
      offset: (pageNumber - 1) * pageSize,
    });
    return {
      Jobs: page.map(view),
      TotalCount: total,
      PageNumber: pageNumber,
      PageSize: pageSize,
      RequestId: request.id,
    };
  });

  app.get("/api/v1/jobs/:JobId", { schema: { params: JobParams } }, async (request) => {
    const { JobId } = request.params as Static<typeof JobParams>;
    return { ...view(jobs.get(JobId)), RequestId: request.id };
  });

  app.post("/api/v1/jobs/:JobId/stop", { schema: { params: JobParams } }, async (request) => {
    const { JobId } = request.params as Static<typeof JobParams>;
    return { ...view(jobs.stop(JobId)), RequestId: request.id };
  });

  app.delete("/api/v1/jobs/:JobId", { schema: { params: JobParams } }, async (request) => {
    const { JobId } = request.params as Static<typeof JobParams>;
    jobs.delete(JobId);
    return { JobId, RequestId: request.id };
  });

  app.get(
    "/api/v1/jobs/:JobId/logs",
    { schema: { params: JobParams, querystring: LogQuery } },
    async (request) => {
      const { JobId } = request.params as Static<typeof JobParams>;
      const q = request.query as Static<typeof LogQuery>;
      jobs.get(JobId);
      const page = readLog(jobs.workspace(JobId), q.Offset ?? 0, q.MaxLines ?? 1000);
      return { JobId, Logs: page.lines, NextOffset: page.nextOffset, RequestId: request.id };
    },
  );

  app.get("/api/v1/jobs/:JobId/metrics", { schema: { params: JobParams } }, async (request) => {
    const { JobId } = request.params as Static<typeof JobParams>;
    jobs.get(JobId);
    const points = jobStore
      .metrics(JobId)
      .map((p) => ({ Name: p.name, Step: p.step, Value: p.value, Time: new Date(p.time).toISOString() }));
    return { JobId, Metrics: points, RequestId: request.id };
  });

  // Server-sent events: the job now, then after each change, until it reaches a final state.
  app.get("/api/v1/jobs/:JobId/events", { schema: { params: JobParams } }, async (request, reply) => {
    const { JobId } = request.params as Static<typeof JobParams>;
    const first = jobs.get(JobId);
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    const send = (job: Job) => {
      out.write(`event: job\ndata: ${JSON.stringify(view(job))}\n\n`);
      if (FINAL_STATUSES.has(job.status)) close();
    };
    const onJob = (job: Job) => {
      if (job.id === JobId) send(job);
    };
    const keepAlive = setInterval(() => out.write(": keep-alive\n\n"), 15000);
    const close = () => {
      jobs.off("job", onJob);
      clearInterval(keepAlive);
      out.end();
    };
    jobs.on("job", onJob);
    request.raw.on("close", close);
    send(first);
  });

  app.get("/api/v1/scripts", async (request) => ({
    Scripts: platform.scripts.list().map((s) => ({ Name: s.name, Description: s.description })),
    RequestId: request.id,
  }));
}

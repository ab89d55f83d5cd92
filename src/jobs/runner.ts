import { EventEmitter } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { badRequest, conflict, errorMessage, notFound } from "../common/errors.ts";
import { newId } from "../common/ids.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import { isOssUrl, parseOssUrl } from "../storage/oss-url.ts";
import { downloadToDirectory, uploadDirectory } from "../storage/transfer.ts";
import type { JobStore } from "./job-store.ts";
import { isJobProcess, type ScriptProcess, signalGroup, spawnScript } from "./process.ts";
import { parseReport } from "./protocol.ts";
import { runtimeFor, type ScriptRegistry, scriptCommand } from "./scripts.ts";
import { type CreateJobRequest, FINAL_STATUSES, type Job, type JobRuntime } from "./types.ts";
import { createWorkspace, type JobWorkspace, jobWorkspace } from "./workspace.ts";

export interface JobRunnerOptions {
  store: JobStore;
  objects: ObjectStore;
  scripts: ScriptRegistry;
  jobsRoot: string;
  concurrency: number;
  stopGraceMs: number;
  /** Extra environment for every job (e.g. the API URL). */
  env?: Record<string, string>;
}

const STDERR_TAIL_LINES = 20;
const PROGRESS_WRITE_INTERVAL_MS = 200;
const MAX_SCRIPT_BYTES = 5 * 1024 * 1024;
const HP_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

interface ActiveJob {
  id: string;
  process?: ScriptProcess;
  stopRequested: boolean;
  /** Set when the server, not a user, ended the job. */
  interruptedByShutdown?: boolean;
  killTimer?: NodeJS.Timeout;
  stderrTail: string[];
  /** Settles when the job has reached its final state. */
  done?: Promise<void>;
  log?: fs.WriteStream;
  lastProgressWrite: number;
  pendingProgress?: { progress?: number; progressMessage?: string | null };
}

/**
 * Runs PAI-DLC-style jobs: a FIFO queue with a concurrency limit, one child process per job,
 * states kept in the JobStore so they survive a restart. Emits `job` with the job after each change.
 */
export class JobRunner extends EventEmitter<{ job: [Job] }> {
  private readonly queue: string[] = [];
  private readonly active = new Map<string, ActiveJob>();
  private closed = false;
  private started = false;

  constructor(private readonly opts: JobRunnerOptions) {
    super();
    this.setMaxListeners(0);
  }

  /**
   * Starts running queued jobs, with extra environment for them (such as the API URL, known only
   * once the server listens). Until then jobs are accepted and queued.
   */
  /** Whether start() ran and close() did not (the readiness check asks). */
  get isRunning(): boolean {
    return this.started && !this.closed;
  }

  start(env: Record<string, string> = {}): void {
    this.opts.env = { ...this.opts.env, ...env };
    this.started = true;
    this.pump();
  }

  /**
   * Brings the stored state back to the truth after the previous server process ended: jobs that
   * were running are killed if still alive and marked Failed ("server restarted"), queued jobs
   * queue again.
   */
  recover(): void {
    for (const job of this.opts.store.withStatus(["Creating", "Running", "Stopping"])) {
      if (job.pid && isJobProcess(job.pid, job.id)) signalGroup(job.pid, "SIGKILL");
      const stopped = job.status === "Stopping";
      this.finish(job.id, {
        status: stopped ? "Stopped" : "Failed",
        reasonCode: stopped ? "StoppedByUser" : "ServerRestarted",
        reasonMessage: stopped
          ? "stopped by user (the server restarted while stopping)"
          : "server restarted while the job was running; submit it again",
      });
    }
    for (const job of this.opts.store.withStatus(["Queuing"])) this.queue.push(job.id);
  }

  async create(req: CreateJobRequest): Promise<Job> {
    if (this.closed)
      throw conflict("ServerShuttingDown", "the server is shutting down; submit the job again later");
    const runtime = this.validate(req);
    await this.checkScriptSource(req, runtime);
    const now = Date.now();
    const job: Job = {
      id: newId("dlc", 13),
      displayName: req.displayName,
      status: "Creating",
      image: req.image ?? defaultImage(runtime),
      script: req.script,
      runtime,
      ossInput: req.ossInput ?? null,
      ossOutput: req.ossOutput ?? null,
      hyperParameters: req.hyperParameters ?? {},
      envs: req.envs ?? {},
      reasonCode: null,
      reasonMessage: null,
      progress: 0,
      progressMessage: null,
      pid: null,
      exitCode: null,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      updatedAt: now,
    };
    this.opts.store.insert(job);
    const ws = this.workspace(job.id);
    createWorkspace(ws);
    if (req.scriptContent !== undefined) {
      fs.writeFileSync(path.join(ws.codeDir, path.basename(req.script)), req.scriptContent);
    }
    const queued = this.update(job.id, { status: "Queuing" });
    this.queue.push(job.id);
    this.pump();
    return this.opts.store.get(job.id) ?? queued;
  }

  get(id: string): Job {
    const job = this.opts.store.get(id);
    if (!job)
      throw notFound(
        "JobNotFound",
        `job ${id} does not exist; list jobs with: lodestone dlc list-jobs`,
        "JobId",
      );
    return job;
  }

  workspace(id: string): JobWorkspace {
    return jobWorkspace(this.opts.jobsRoot, id);
  }

  /** Stops a queued or running job. A running one gets SIGTERM, then SIGKILL after the grace period. */
  stop(id: string): Job {
    const job = this.get(id);
    if (FINAL_STATUSES.has(job.status)) {
      throw conflict("JobAlreadyFinished", `job ${id} is already ${job.status}; nothing to stop`, "JobId");
    }
    if (job.status === "Stopping") return job;
    const queued = this.queue.indexOf(id);
    if (queued !== -1) {
      this.queue.splice(queued, 1);
      return this.finish(id, {
        status: "Stopped",
        reasonCode: "StoppedByUser",
        reasonMessage: "stopped by user",
      });
    }
    const active = this.active.get(id);
    if (!active) {
      return this.finish(id, {
        status: "Stopped",
        reasonCode: "StoppedByUser",
        reasonMessage: "stopped by user",
      });
    }
    active.stopRequested = true;
    const stopping = this.update(id, { status: "Stopping" });
    const pid = active.process?.child.pid;
    if (pid) {
      signalGroup(pid, "SIGTERM");
      active.killTimer = setTimeout(() => signalGroup(pid, "SIGKILL"), this.opts.stopGraceMs);
    }
    return stopping;
  }

  /** Deletes a finished job, its metrics and its workspace. */
  delete(id: string): void {
    const job = this.get(id);
    if (!FINAL_STATUSES.has(job.status)) {
      throw conflict(
        "JobNotFinished",
        `job ${id} is ${job.status}; stop it first (lodestone dlc stop-job ${id})`,
        "JobId",
      );
    }
    this.opts.store.delete(id);
    fs.rmSync(this.workspace(id).root, { recursive: true, force: true });
  }

  /** Ends every running job (marked Failed: the server shut down) and stops taking new ones. */
  async close(): Promise<void> {
    this.closed = true;
    const waits: Array<Promise<void> | undefined> = [];
    for (const active of this.active.values()) {
      active.stopRequested = true;
      active.interruptedByShutdown = this.get(active.id).status !== "Stopping";
      const pid = active.process?.child.pid;
      if (pid) signalGroup(pid, "SIGKILL");
      waits.push(active.done);
    }
    await Promise.all(waits);
  }

  private validate(req: CreateJobRequest): JobRuntime {
    for (const [name, value] of Object.entries(req.hyperParameters ?? {})) {
      if (!HP_NAME.test(name)) {
        throw badRequest(
          "InvalidParameter",
          `HyperParameters: name ${JSON.stringify(name)} must match ${HP_NAME}`,
          "HyperParameters",
        );
      }
      if (typeof value !== "string")
        throw badRequest("InvalidParameter", `HyperParameters.${name} must be a string`, "HyperParameters");
    }
    for (const name of Object.keys(req.envs ?? {})) {
      if (!ENV_NAME.test(name) || name.startsWith("LODESTONE_")) {
        throw badRequest(
          "InvalidParameter",
          `Envs: ${JSON.stringify(name)} must be a variable name not starting with LODESTONE_`,
          "Envs",
        );
      }
    }
    if (req.ossInput !== undefined) parseOssUrl(req.ossInput, "OssInput");
    if (req.ossOutput !== undefined) parseOssUrl(req.ossOutput, "OssOutput");
    if (req.scriptContent !== undefined && Buffer.byteLength(req.scriptContent) > MAX_SCRIPT_BYTES) {
      throw badRequest(
        "InvalidParameter",
        `ScriptContent is larger than ${MAX_SCRIPT_BYTES} bytes`,
        "ScriptContent",
      );
    }
    const runtime = runtimeFor(path.posix.basename(req.script), this.opts.scripts);
    if (runtime === "builtin" && req.script !== path.posix.basename(req.script)) {
      throw badRequest(
        "InvalidScript",
        `Script: ${req.script} is not a file with a known extension`,
        "Script",
      );
    }
    return runtime;
  }

  /** Checks, before queuing, that the script can be found where the request says it is. */
  private async checkScriptSource(req: CreateJobRequest, runtime: JobRuntime): Promise<void> {
    if (runtime === "builtin" || req.scriptContent !== undefined) return;
    if (isOssUrl(req.script)) {
      const url = parseOssUrl(req.script, "Script");
      await this.opts.objects.headObject(url.bucket, url.key).catch((err) => {
        throw badRequest(
          "InvalidScript",
          `Script: ${req.script} cannot be read: ${errorMessage(err)}`,
          "Script",
        );
      });
      return;
    }
    if (req.script.includes("..") || path.isAbsolute(req.script)) {
      throw badRequest("InvalidScript", `Script: ${req.script} must be a path inside OssInput`, "Script");
    }
    const input = req.ossInput ? parseOssUrl(req.ossInput, "OssInput") : undefined;
    const key = input ? `${input.key.replace(/\/?$/, "/")}${req.script}`.replace(/^\//, "") : undefined;
    const found =
      input &&
      key &&
      (await this.opts.objects.headObject(input.bucket, key).then(
        () => true,
        () => false,
      ));
    if (!found) {
      throw badRequest(
        "InvalidScript",
        `Script: ${req.script} is not a built-in script and was not found in OssInput (${req.ossInput ?? "none given"}); pass a local file (the CLI uploads it), an oss:// URL, or a file inside OssInput`,
        "Script",
      );
    }
  }

  private pump(): void {
    while (
      this.started &&
      !this.closed &&
      this.active.size < this.opts.concurrency &&
      this.queue.length > 0
    ) {
      const id = this.queue.shift() as string;
      const active: ActiveJob = { id, stopRequested: false, stderrTail: [], lastProgressWrite: 0 };
      this.active.set(id, active);
      active.done = this.run(active)
        .catch((err) => {
          this.finish(id, {
            status: "Failed",
            reasonCode: "InternalError",
            reasonMessage: errorMessage(err),
          });
        })
        .finally(() => {
          this.active.delete(id);
          this.pump();
        });
    }
  }

  private async run(active: ActiveJob): Promise<void> {
    const job = this.update(active.id, { status: "Running", startedAt: Date.now() });
    const ws = this.workspace(job.id);
    createWorkspace(ws);
    active.log = fs.createWriteStream(ws.logFile, { flags: "a" });
    try {
      if (job.ossInput) {
        this.log(active, `[lodestone] staging ${job.ossInput} into the input folder`);
        const stats = await downloadToDirectory(this.opts.objects, parseOssUrl(job.ossInput), ws.inputDir);
        this.log(active, `[lodestone] staged ${stats.files} files (${stats.bytes} bytes)`);
      }
      if (active.stopRequested) return void this.finishStopped(active);
      const file = await this.stageScript(job, ws);
      const { command, args } = scriptCommand(
        job.runtime === "builtin" ? "node" : job.runtime,
        file,
        job.hyperParameters,
      );
      this.log(active, `[lodestone] running ${job.script} (${job.runtime}, image ${job.image})`);
      active.process = spawnScript({
        command,
        args,
        cwd: ws.inputDir,
        env: this.jobEnv(job, ws),
        onStdoutLine: (line) => this.onStdout(active, line),
        onStderrLine: (line) => this.onStderr(active, line),
      });
      this.update(job.id, { pid: active.process.child.pid ?? null });
      const { code, signal } = await active.process.exited;
      clearTimeout(active.killTimer);
      this.flushProgress(active);
      if (active.stopRequested) return void this.finishStopped(active, code);
      if (code !== 0) {
        const tail = active.stderrTail.join("\n").trim();
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        this.finish(job.id, {
          status: "Failed",
          exitCode: code,
          reasonCode: "ScriptFailed",
          reasonMessage: tail ? `script ${how}: ${tail}` : `script ${how}`,
        });
        return;
      }
      if (job.ossOutput) {
        this.log(active, `[lodestone] copying outputs to ${job.ossOutput}`);
        const stats = await uploadDirectory(
          this.opts.objects,
          ws.outputDir,
          parseOssUrl(job.ossOutput),
        ).catch((err) => {
          throw Object.assign(new Error(`copying outputs to ${job.ossOutput} failed: ${errorMessage(err)}`), {
            reasonCode: "OutputUploadFailed",
          });
        });
        this.log(active, `[lodestone] copied ${stats.files} files (${stats.bytes} bytes)`);
      }
      this.finish(job.id, {
        status: "Succeeded",
        exitCode: 0,
        progress: 1,
        reasonCode: null,
        reasonMessage: null,
      });
    } catch (err) {
      const reasonCode = (err as { reasonCode?: string }).reasonCode ?? "JobSetupFailed";
      if (active.stopRequested) this.finishStopped(active);
      else this.finish(job.id, { status: "Failed", reasonCode, reasonMessage: errorMessage(err) });
    } finally {
      this.log(active, `[lodestone] job ${this.get(job.id).status}`);
      await new Promise((resolve) => active.log?.end(resolve));
      // The staged input is a copy; the output and log stay for inspection.
      fs.rmSync(ws.inputDir, { recursive: true, force: true });
    }
  }

  /** The script file to run: a built-in module, the uploaded content, an oss:// object or a file in the input. */
  private async stageScript(job: Job, ws: JobWorkspace): Promise<string> {
    const builtin = this.opts.scripts.get(job.script);
    if (builtin) return builtin.file;
    const uploaded = path.join(ws.codeDir, path.basename(job.script));
    if (fs.existsSync(uploaded)) return uploaded;
    if (isOssUrl(job.script)) {
      await downloadToDirectory(this.opts.objects, parseOssUrl(job.script), ws.codeDir);
      return uploaded;
    }
    const inInput = path.join(ws.inputDir, ...job.script.split("/"));
    if (!inInput.startsWith(ws.inputDir + path.sep) || !fs.existsSync(inInput)) {
      throw new Error(`script ${job.script} is no longer in ${job.ossInput}`);
    }
    return inInput;
  }

  private jobEnv(job: Job, ws: JobWorkspace): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, ...job.envs, ...this.opts.env };
    // The server's own configuration is not the job's business.
    for (const name of ["LODESTONE_CONFIG", "LODESTONE_PORT", "LODESTONE_SEARCH_PORT", "LODESTONE_HOST"])
      delete env[name];
    Object.assign(env, {
      LODESTONE_JOB_ID: job.id,
      LODESTONE_JOB_NAME: job.displayName,
      LODESTONE_INPUT_DIR: ws.inputDir,
      LODESTONE_OUTPUT_DIR: ws.outputDir,
      LODESTONE_CHECKPOINT_DIR: ws.checkpointDir,
      LODESTONE_HYPERPARAMETERS: JSON.stringify(job.hyperParameters),
      LODESTONE_OSS_INPUT: job.ossInput ?? "",
      LODESTONE_OSS_OUTPUT: job.ossOutput ?? "",
      PYTHONUNBUFFERED: "1",
    });
    for (const [name, value] of Object.entries(job.hyperParameters)) {
      env[`LODESTONE_HP_${name.toUpperCase().replace(/[^A-Z0-9_]/g, "_")}`] = value;
    }
    return env;
  }

  private onStdout(active: ActiveJob, line: string): void {
    const report = parseReport(line);
    if (!report) {
      this.log(active, line);
      return;
    }
    const now = Date.now();
    if (report.metrics) {
      const step = report.step ?? 0;
      this.opts.store.addMetrics(
        active.id,
        Object.entries(report.metrics).map(([name, value]) => ({ name, step, value, time: now })),
      );
    }
    if (report.progress !== undefined || report.message !== undefined) {
      active.pendingProgress = {
        ...active.pendingProgress,
        ...(report.progress !== undefined && { progress: report.progress }),
        ...(report.message !== undefined && { progressMessage: report.message }),
      };
      // Scripts may report very often; the database and listeners get at most a few updates a second.
      if (now - active.lastProgressWrite >= PROGRESS_WRITE_INTERVAL_MS) this.flushProgress(active);
    } else if (report.metrics) {
      this.emit("job", this.get(active.id));
    }
  }

  private onStderr(active: ActiveJob, line: string): void {
    this.log(active, line);
    active.stderrTail.push(line.slice(0, 1000));
    if (active.stderrTail.length > STDERR_TAIL_LINES) active.stderrTail.shift();
  }

  private flushProgress(active: ActiveJob): void {
    if (!active.pendingProgress) return;
    this.update(active.id, active.pendingProgress);
    active.pendingProgress = undefined;
    active.lastProgressWrite = Date.now();
  }

  private log(active: ActiveJob, line: string): void {
    active.log?.write(`${line}\n`);
  }

  private finishStopped(active: ActiveJob, exitCode: number | null = null): Job {
    if (active.interruptedByShutdown) {
      return this.finish(active.id, {
        status: "Failed",
        exitCode,
        reasonCode: "ServerShutdown",
        reasonMessage: "the server shut down while the job was running; submit it again",
      });
    }
    return this.finish(active.id, {
      status: "Stopped",
      exitCode,
      reasonCode: "StoppedByUser",
      reasonMessage: "stopped by user",
    });
  }

  private finish(id: string, patch: Partial<Job>): Job {
    return this.update(id, { pid: null, finishedAt: Date.now(), ...patch });
  }

  private update(id: string, patch: Partial<Job>): Job {
    const job = this.opts.store.update(id, patch);
    this.emit("job", job);
    return job;
  }
}

function defaultImage(runtime: JobRuntime): string {
  return runtime === "python3"
    ? "pai/pytorch:2.0"
    : runtime === "node"
      ? "lodestone/node:20"
      : "lodestone/builtin";
}

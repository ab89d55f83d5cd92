import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import readline from "node:readline";

export interface ScriptProcess {
  child: ChildProcess;
  /** Resolves with the exit code (or 128+signal number style null code → -1) when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnOptions {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  onStdoutLine: (line: string) => void;
  onStderrLine: (line: string) => void;
}

/**
 * Starts a job script in its own process group, so stopping it also stops whatever it spawned
 * (a Python script's data loaders, a shell's children).
 */
export function spawnScript(opts: SpawnOptions): ScriptProcess {
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdoutDone = readLines(child.stdout, opts.onStdoutLine);
  const stderrDone = readLines(child.stderr, opts.onStderrLine);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("error", (err) => {
      opts.onStderrLine(`failed to start ${opts.command}: ${err.message}`);
      resolve({ code: 127, signal: null });
    });
    child.on("close", (code, signal) => {
      // Wait for the last lines so the log and the stderr tail are complete.
      Promise.all([stdoutDone, stderrDone]).then(() => resolve({ code, signal }));
    });
  });
  return { child, exited };
}

function readLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): Promise<void> {
  if (!stream) return Promise.resolve();
  const lines = readline.createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on("line", onLine);
  return new Promise((resolve) => lines.on("close", resolve));
}

/** Sends a signal to a whole process group; false if it no longer exists. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `pid` is still the process a job started: after a crash of the server the pid may have
 * been reused, so the process's environment must carry the job id.
 */
export function isJobProcess(pid: number, jobId: string): boolean {
  try {
    const environ = fs.readFileSync(`/proc/${pid}/environ`, "latin1");
    return environ.split("\0").includes(`LODESTONE_JOB_ID=${jobId}`);
  } catch {
    return false;
  }
}

import { type ChildProcess, execFile, spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const BIN = path.join(PROJECT_ROOT, "bin", "lodestone.js");

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** The Elasticsearch/OpenSearch-compatible API. */
  searchUrl: string;
}

/**
 * Runs `lodestone serve` as a separate process (so it can be killed with SIGKILL) and waits for
 * /health, at most `startTimeoutMs` (a loaded CI machine may need more than the default).
 */
export async function spawnServer(
  dataDir: string,
  port?: number,
  searchPort?: number,
  startTimeoutMs = 20000,
): Promise<ServerProcess> {
  const p = port ?? (await freePort());
  const sp = searchPort ?? (await freePort());
  const args = [BIN, "serve", "--data-dir", dataDir, "--port", String(p), "--search-port", String(sp)];
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    // fake upstream servers of tests listen on loopback: the SSRF policy must let them be called
    env: { ...process.env, LODESTONE_LOG_LEVEL: "warn", LODESTONE_OUTBOUND_ALLOWED_HOSTS: "127.0.0.1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const url = `http://127.0.0.1:${p}`;
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/health`)).ok)
        return { child, url, port: p, searchUrl: `http://127.0.0.1:${sp}` };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`server did not start within ${startTimeoutMs / 1000} s: ${stderr}`);
}

/** Kills a server process and waits until it is gone. */
export async function killServer(server: ServerProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const gone = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill(signal);
  await gone;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `lodestone` command and returns its exit code and output (never throws on a non-zero exit). */
export function runCli(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
) {
  return new Promise<CliResult>((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: opts.cwd ?? PROJECT_ROOT,
        env: { ...process.env, ...opts.env },
        timeout: opts.timeoutMs ?? 60000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

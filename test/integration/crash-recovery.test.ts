import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { api, tempDir } from "../helpers/platform.ts";
import { killServer, type ServerProcess, spawnServer, waitFor } from "../helpers/server-process.ts";

type Job = {
  JobId: string;
  Status: string;
  ReasonCode: string | null;
  ReasonMessage: string | null;
  Metrics: object;
};

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let server: ServerProcess | undefined;
after(async () => {
  if (server) await killServer(server);
});

test("kill -9 of the server while a job runs: after restart no job is Running, the script is gone, nothing is lost", async () => {
  const dataDir = tempDir();
  const pidFile = path.join(dataDir, "script.pid");
  server = await spawnServer(dataDir);
  const call = <T = Job>(method: string, route: string, body?: unknown) =>
    api<T>((server as ServerProcess).url, method, route, body);

  await call("PUT", "/v1/oss/keep");
  await fetch(`${server.url}/v1/oss/keep/notes/a.txt`, {
    method: "PUT",
    body: "acknowledged",
    signal: AbortSignal.timeout(60_000),
  });
  const done = await call<{ JobId: string }>("POST", "/api/v1/jobs", {
    DisplayName: "before-crash",
    Script: "m.mjs",
    ScriptContent: `console.log('##lodestone {"metrics":{"loss":0.25},"step":4}')`,
  });
  await waitFor(async () =>
    (await call("GET", `/api/v1/jobs/${done.body.JobId}`)).body.Status === "Succeeded" ? true : undefined,
  );

  const running = await call<{ JobId: string }>("POST", "/api/v1/jobs", {
    DisplayName: "during-crash",
    Script: "long.mjs",
    ScriptContent: `import fs from "node:fs"; fs.writeFileSync(process.env.PID_FILE, String(process.pid)); setInterval(() => {}, 1000);`,
    Envs: { PID_FILE: pidFile },
  });
  const queued = await call<{ JobId: string }>("POST", "/api/v1/jobs", {
    DisplayName: "queued-at-crash",
    Script: "corpus-stats",
    OssInput: "oss://keep/notes/",
  });
  const scriptPid = await waitFor(async () =>
    fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, "utf8")) : undefined,
  );
  assert.equal((await call("GET", `/api/v1/jobs/${running.body.JobId}`)).body.Status, "Running");
  assert.equal((await call("GET", `/api/v1/jobs/${queued.body.JobId}`)).body.Status, "Queuing");

  await killServer(server, "SIGKILL");
  assert.ok(isAlive(scriptPid), "the script outlived the server, as an orphan would");

  server = await spawnServer(dataDir);
  const crashed = (await call("GET", `/api/v1/jobs/${running.body.JobId}`)).body;
  assert.equal(crashed.Status, "Failed");
  assert.equal(crashed.ReasonCode, "ServerRestarted");
  assert.match(String(crashed.ReasonMessage), /server restarted/);
  await waitFor(
    async () => (isAlive(scriptPid) ? undefined : true),
    5000,
    "the orphaned script to be killed",
  );

  const before = (await call("GET", `/api/v1/jobs/${done.body.JobId}`)).body;
  assert.equal(before.Status, "Succeeded");
  assert.deepEqual(before.Metrics, { loss: 0.25 });
  const object = await fetch(`${server.url}/v1/oss/keep/notes/a.txt`, {
    signal: AbortSignal.timeout(60_000),
  });
  assert.equal(await object.text(), "acknowledged");

  const resumed = await waitFor(async () => {
    const job = (await call("GET", `/api/v1/jobs/${queued.body.JobId}`)).body;
    return ["Succeeded", "Failed"].includes(job.Status) ? job : undefined;
  });
  assert.equal(resumed.Status, "Succeeded", "a job queued at the crash runs after the restart");
  const list = await call<{ Jobs: Job[] }>("GET", "/api/v1/jobs?Status=Running");
  assert.equal(list.body.Jobs.length, 0);
  await killServer(server);
});

test("SIGTERM shuts the server down gracefully: a running job is marked Failed (server shut down), exit code 0", async () => {
  const dataDir = tempDir();
  const graceful = await spawnServer(dataDir);
  const call = <T = Job>(method: string, route: string, body?: unknown) =>
    api<T>(graceful.url, method, route, body);
  const { body } = await call<{ JobId: string }>("POST", "/api/v1/jobs", {
    DisplayName: "interrupted",
    Script: "forever.mjs",
    ScriptContent: `console.log('##lodestone {"progress":0.3}'); setInterval(() => {}, 1000);`,
  });
  await waitFor(async () =>
    (await call("GET", `/api/v1/jobs/${body.JobId}`)).body.Status === "Running" ? true : undefined,
  );
  const exited = new Promise<number | null>((resolve) =>
    graceful.child.once("exit", (code) => resolve(code)),
  );
  graceful.child.kill("SIGTERM");
  assert.equal(await exited, 0);

  server = await spawnServer(dataDir);
  const job = (await api<Job>(server.url, "GET", `/api/v1/jobs/${body.JobId}`)).body;
  assert.equal(job.Status, "Failed");
  assert.equal(job.ReasonCode, "ServerShutdown");
  await killServer(server);
});

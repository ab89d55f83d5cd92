/**
 * DLC jobs that a kill interrupts: each job's script writes its outputs one file at a time and
 * reports progress. After the restart a job is never "Running" from before the kill (the runner
 * marks it Failed, ServerRestarted, and kills the orphaned script), jobs queued at the kill run,
 * and the oss:// output holds whole files only: all of them for a Succeeded job.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { api, tempDir } from "../helpers/platform.ts";
import { type ServerProcess, waitFor } from "../helpers/server-process.ts";
import type { FaultScenario } from "./cycles.ts";

const PARTS = 6;
const partText = (i: number) => `part ${i} `.repeat(4000);

const SCRIPT = `import fs from "node:fs";
import path from "node:path";
fs.writeFileSync(process.env.PID_FILE, String(process.pid));
const parts = ${PARTS};
for (let i = 0; i < parts; i++) {
  fs.writeFileSync(path.join(process.env.LODESTONE_OUTPUT_DIR, "part-" + i + ".txt"), ("part " + i + " ").repeat(4000));
  console.log("##lodestone " + JSON.stringify({ progress: (i + 1) / parts }));
  await new Promise((r) => setTimeout(r, 40));
}
`;

interface Job {
  JobId: string;
  Status: string;
  ReasonCode: string | null;
  GmtRunningTime: string | null;
}

interface Submitted {
  id: string;
  prefix: string;
  pidFile: string;
}

const TERMINAL = ["Succeeded", "Failed", "Stopped"];

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export function jobLoad(): FaultScenario {
  const jobs: Submitted[] = [];
  const pids = tempDir("lodestone-fault-pids-");
  let killedAt = 0;

  const objectText = async (server: ServerProcess, key: string) =>
    (await fetch(`${server.url}/v1/oss/jobs-out/${key}`, { signal: AbortSignal.timeout(60_000) })).text();

  return {
    name: "training jobs",
    async setup(server) {
      const bucket = await api(server.url, "PUT", "/v1/oss/jobs-out");
      assert.equal(bucket.status, 201, JSON.stringify(bucket.body));
    },
    async load(server, stop, _random, cycle) {
      let running = false;
      for (let k = 0; !stop.aborted; k++) {
        const prefix = `c${cycle}-j${k}/`;
        const pidFile = path.join(pids, `c${cycle}-j${k}.pid`);
        try {
          running = true;
          const created = await api<Job>(server.url, "POST", "/api/v1/jobs", {
            DisplayName: `fault-${cycle}-${k}`,
            Script: "parts.mjs",
            ScriptContent: SCRIPT,
            OssOutput: `oss://jobs-out/${prefix}`,
            Envs: { PID_FILE: pidFile },
          });
          assert.equal(created.status, 201, JSON.stringify(created.body));
          jobs.push({ id: created.body.JobId, prefix, pidFile });
          for (;;) {
            const job = await api<Job>(server.url, "GET", `/api/v1/jobs/${created.body.JobId}`);
            if (TERMINAL.includes(job.body.Status)) {
              assert.equal(job.body.Status, "Succeeded", JSON.stringify(job.body));
              break;
            }
            await new Promise((r) => setTimeout(r, 20));
          }
          running = false;
        } catch (err) {
          if (!stop.aborted && !(err instanceof TypeError)) throw err;
          killedAt = Date.now();
          return running;
        }
      }
      killedAt = Date.now();
      return running;
    },
    async verify(server) {
      // right after the restart: nothing from before the kill still claims to run
      const listed = await api<{ Jobs: Job[] }>(server.url, "GET", "/api/v1/jobs?Status=Running");
      for (const job of listed.body.Jobs)
        assert.ok(
          job.GmtRunningTime && Date.parse(job.GmtRunningTime) >= killedAt,
          `job ${job.JobId} still Running from before the kill`,
        );
      for (const submitted of jobs) {
        const job = await waitFor(
          async () => {
            const j = await api<Job>(server.url, "GET", `/api/v1/jobs/${submitted.id}`);
            assert.equal(j.status, 200, `acknowledged job ${submitted.id} is gone`);
            return TERMINAL.includes(j.body.Status) ? j.body : undefined;
          },
          30_000,
          `job ${submitted.id} to finish`,
        );
        assert.ok(
          job.Status === "Succeeded" || (job.Status === "Failed" && job.ReasonCode === "ServerRestarted"),
          `job ${submitted.id}: ${job.Status} ${job.ReasonCode}`,
        );
        const listing = await api<{ objects: Array<{ key: string }> }>(
          server.url,
          "GET",
          `/v1/oss/jobs-out?prefix=${encodeURIComponent(submitted.prefix)}`,
        );
        const keys = listing.body.objects.map((o) => o.key.slice(submitted.prefix.length)).sort();
        const expected = Array.from({ length: PARTS }, (_, i) => `part-${i}.txt`);
        if (job.Status === "Succeeded") assert.deepEqual(keys, expected, `outputs of ${submitted.id}`);
        for (const key of keys) {
          assert.ok(expected.includes(key), `unexpected output object ${key}`);
          const i = Number(key.slice(5, -4));
          assert.equal(await objectText(server, submitted.prefix + key), partText(i), `${key} is torn`);
        }
        if (fs.existsSync(submitted.pidFile)) {
          const pid = Number(fs.readFileSync(submitted.pidFile, "utf8"));
          if (pid)
            await waitFor(async () => (isAlive(pid) ? undefined : true), 10_000, `script ${pid} to be gone`);
        }
      }
      return jobs.length;
    },
  };
}

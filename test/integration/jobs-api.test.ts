import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { api, startTestPlatform } from "../helpers/platform.ts";
import { waitFor } from "../helpers/server-process.ts";

type Job = Record<string, unknown> & { JobId: string; Status: string; ReasonMessage: string | null };

// A user script: reads every file of the input, reports progress and a metric, writes a summary.
const COPY_SCRIPT = `
import fs from "node:fs";
import path from "node:path";
const input = process.env.LODESTONE_INPUT_DIR;
const names = fs.readdirSync(input).sort();
let bytes = 0;
names.forEach((name, i) => {
  bytes += fs.statSync(path.join(input, name)).size;
  console.log("##lodestone " + JSON.stringify({ progress: (i + 1) / names.length, message: name }));
});
console.log("##lodestone " + JSON.stringify({ metrics: { files: names.length, bytes }, step: 1 }));
const hp = JSON.parse(process.env.LODESTONE_HYPERPARAMETERS);
fs.writeFileSync(path.join(process.env.LODESTONE_OUTPUT_DIR, "summary.txt"), names.join(",") + " " + hp.tag + " " + process.argv.slice(2).join(" "));
console.log("done");
`;
const FAILING_SCRIPT = `console.error("loading data"); console.error("ValueError: no such column 'label'"); process.exit(3);`;
// Ignores SIGTERM so the runner must escalate to SIGKILL after the grace period.
const STUBBORN_SCRIPT = `process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("##lodestone {\\"progress\\":0.1}"); setInterval(() => {}, 1000);`;

describe("PAI-DLC job API", () => {
  let server: Awaited<ReturnType<typeof startTestPlatform>>;
  const call = <T = Job>(method: string, route: string, body?: unknown) =>
    api<T>(server.url, method, route, body);
  const waitFinal = (id: string, timeoutMs = 20000) =>
    waitFor(
      async () => {
        const { body } = await call("GET", `/api/v1/jobs/${id}`);
        return ["Succeeded", "Failed", "Stopped"].includes(body.Status) ? body : undefined;
      },
      timeoutMs,
      `job ${id} to finish`,
    );

  before(async () => {
    server = await startTestPlatform({ "jobs.stopGraceMs": 1000 });
    await call("PUT", "/v1/oss/bucket");
    for (const [key, text] of [
      ["data/a.txt", "alpha"],
      ["data/b.txt", "bravo!"],
    ]) {
      await fetch(`${server.url}/v1/oss/bucket/${key}`, { method: "PUT", body: text });
    }
  });
  after(() => server.close());

  test("a user .mjs script reads the input, writes the output, and reports progress and metrics", async () => {
    const created = await call<{ JobId: string }>("POST", "/api/v1/jobs", {
      DisplayName: "copy",
      Image: "pai/pytorch:2.0",
      Script: "copy.mjs",
      ScriptContent: COPY_SCRIPT,
      OssInput: "oss://bucket/data/",
      OssOutput: "oss://bucket/out/",
      HyperParameters: { tag: "v1" },
    });
    assert.equal(created.status, 201);
    assert.match(created.body.JobId, /^dlc[a-z0-9]{13}$/);
    const job = await waitFinal(created.body.JobId);
    assert.equal(job.Status, "Succeeded", String(job.ReasonMessage));
    assert.equal(job.Progress, 1);
    assert.deepEqual(job.Metrics, { bytes: 11, files: 2 });
    assert.equal(job.Image, "pai/pytorch:2.0");
    assert.ok(typeof job.DurationMs === "number" && job.DurationMs > 0);
    assert.ok(job.GmtFinishTime);
    const output = await fetch(`${server.url}/v1/oss/bucket/out/summary.txt`);
    assert.equal(await output.text(), "a.txt,b.txt v1 --tag=v1");
    const logs = await call<{ Logs: string[] }>("GET", `/api/v1/jobs/${job.JobId}/logs`);
    assert.ok(logs.body.Logs.includes("done"));
    assert.ok(
      !logs.body.Logs.some((line) => line.startsWith("##lodestone")),
      "protocol lines are not log lines",
    );
    const metrics = await call<{ Metrics: Array<{ Name: string; Value: number }> }>(
      "GET",
      `/api/v1/jobs/${job.JobId}/metrics`,
    );
    assert.deepEqual(metrics.body.Metrics.map((m) => m.Name).sort(), ["bytes", "files"]);
  });

  test("a failing script ends Failed with the tail of its stderr, and copies no output", async () => {
    const { body } = await call<{ JobId: string }>("POST", "/api/v1/jobs", {
      DisplayName: "broken",
      Script: "broken.js",
      ScriptContent: FAILING_SCRIPT,
      OssOutput: "oss://bucket/broken-out/",
    });
    const job = await waitFinal(body.JobId);
    assert.equal(job.Status, "Failed");
    assert.equal(job.ExitCode, 3);
    assert.match(
      String(job.ReasonMessage),
      /exited with code 3: loading data\nValueError: no such column 'label'/,
    );
    const list = await call<{ objects: unknown[] }>("GET", "/v1/oss/bucket?prefix=broken-out/");
    assert.equal(list.body.objects.length, 0);
  });

  test("stop-job stops a running script that ignores SIGTERM within 2 s", async () => {
    const { body } = await call<{ JobId: string }>("POST", "/api/v1/jobs", {
      DisplayName: "stubborn",
      Script: "stubborn.mjs",
      ScriptContent: STUBBORN_SCRIPT,
    });
    await waitFor(async () => {
      const { body: job } = await call("GET", `/api/v1/jobs/${body.JobId}`);
      return job.Status === "Running" && job.Progress === 0.1 ? job : undefined;
    });
    const started = Date.now();
    const stopping = await call("POST", `/api/v1/jobs/${body.JobId}/stop`);
    assert.equal(stopping.body.Status, "Stopping");
    const job = await waitFinal(body.JobId, 5000);
    const elapsed = Date.now() - started;
    assert.equal(job.Status, "Stopped");
    assert.ok(elapsed < 2000, `stopped after ${elapsed} ms`);
    const again = await call("POST", `/api/v1/jobs/${body.JobId}/stop`);
    assert.equal(again.status, 409);
  });

  test("jobs queue behind the concurrency limit and a queued job can be stopped", async () => {
    const first = await call<{ JobId: string }>("POST", "/api/v1/jobs", {
      DisplayName: "first",
      Script: "wait.mjs",
      ScriptContent: "setTimeout(() => {}, 1500);",
    });
    const second = await call<{ JobId: string }>("POST", "/api/v1/jobs", {
      DisplayName: "second",
      Script: "wait.mjs",
      ScriptContent: "setTimeout(() => {}, 10);",
    });
    const queued = await call("GET", `/api/v1/jobs/${second.body.JobId}`);
    assert.equal(queued.body.Status, "Queuing");
    const stopped = await call("POST", `/api/v1/jobs/${second.body.JobId}/stop`);
    assert.equal(stopped.body.Status, "Stopped");
    assert.equal((await waitFinal(first.body.JobId)).Status, "Succeeded");
    const list = await call<{ Jobs: Job[]; TotalCount: number }>("GET", "/api/v1/jobs?Status=Stopped");
    assert.ok(list.body.Jobs.some((j) => j.JobId === second.body.JobId));
  });

  test("a Python script runs with python3 and hyper-parameters as arguments", async () => {
    const script = [
      "import json, os, sys",
      "hp = json.loads(os.environ['LODESTONE_HYPERPARAMETERS'])",
      "print('##lodestone ' + json.dumps({'metrics': {'epochs': float(hp['epochs'])}}))",
      "open(os.path.join(os.environ['LODESTONE_OUTPUT_DIR'], 'args.txt'), 'w').write(' '.join(sys.argv[1:]))",
    ].join("\n");
    const { body } = await call<{ JobId: string }>("POST", "/api/v1/jobs", {
      DisplayName: "py",
      UserCommand: "python3 train.py --epochs 3",
      ScriptContent: script,
      OssOutput: "oss://bucket/py/",
    });
    const job = await waitFinal(body.JobId);
    assert.equal(job.Status, "Succeeded", String(job.ReasonMessage));
    assert.equal(job.Runtime, "python3");
    assert.deepEqual(job.Metrics, { epochs: 3 });
    assert.equal(await (await fetch(`${server.url}/v1/oss/bucket/py/args.txt`)).text(), "--epochs=3");
  });

  test("the job event stream sends states until the job is final", async () => {
    const { body } = await call<{ JobId: string }>("POST", "/api/v1/jobs", {
      DisplayName: "events",
      Script: "corpus-stats",
      OssInput: "oss://bucket/data/",
    });
    const response = await fetch(`${server.url}/api/v1/jobs/${body.JobId}/events`);
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    const text = await response.text();
    const statuses = [...text.matchAll(/"Status":"(\w+)"/g)].map((m) => m[1]);
    assert.equal(statuses.at(-1), "Succeeded");
  });

  test("bad requests get a 400 that names the field", async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ Script: "corpus-stats" }, "DisplayName", /DisplayName is required/],
      [{ DisplayName: "x" }, "Script", /Script \(or UserCommand\) is required/],
      [{ DisplayName: "x", Script: "nope" }, "Script", /not a built-in script/],
      [{ DisplayName: "x", Script: "corpus-stats", OssInput: "s3://b/x" }, "OssInput", /oss:\/\/bucket\/key/],
      [{ DisplayName: "x", Script: "corpus-stats", OssOutput: "oss://bucket/../x" }, "OssOutput", /"\.\."/],
      [
        { DisplayName: "x", Script: "train.py", OssInput: "oss://bucket/data/" },
        "Script",
        /not found in OssInput/,
      ],
      [
        { DisplayName: "x", Script: "corpus-stats", HyperParameters: { "bad name": "1" } },
        "HyperParameters",
        /must match/,
      ],
      [
        { DisplayName: "x", Script: "corpus-stats", Envs: { LODESTONE_INPUT_DIR: "/" } },
        "Envs",
        /LODESTONE_/,
      ],
      [{ DisplayName: "x", Script: "corpus-stats", Colour: "red" }, "Colour", /not a known field/],
    ];
    for (const [body, param, message] of cases) {
      const res = await call<{ error: { param: string; message: string; type: string } }>(
        "POST",
        "/api/v1/jobs",
        body,
      );
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.param, param, JSON.stringify(res.body));
      assert.match(res.body.error.message, message);
      assert.equal(res.body.error.type, "invalid_request_error");
    }
    const missing = await call<{ error: { code: string } }>("GET", "/api/v1/jobs/dlc0000000000000");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "JobNotFound");
    const malformed = await fetch(`${server.url}/api/v1/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    assert.equal(malformed.status, 400);
    assert.equal((await call("GET", "/health")).status, 200, "the server is still up");
  });
});

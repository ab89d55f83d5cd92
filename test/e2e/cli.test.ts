import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { tempDir } from "../helpers/platform.ts";
import { freePort, killServer, runCli, type ServerProcess, spawnServer } from "../helpers/server-process.ts";

describe("lodestone CLI against a running server", () => {
  let server: ServerProcess;
  let work: string;
  const cli = (...args: string[]) => runCli(["--url", server.url, ...args]);
  const json = async (...args: string[]) => {
    const result = await cli(...args, "--json");
    assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
    return JSON.parse(result.stdout);
  };

  before(async () => {
    server = await spawnServer(tempDir());
    work = tempDir();
    fs.mkdirSync(path.join(work, "data", "sub"), { recursive: true });
    fs.writeFileSync(path.join(work, "data", "one.txt"), "one two three");
    fs.writeFileSync(path.join(work, "data", "sub", "two.txt"), "four five");
    fs.writeFileSync(
      path.join(work, "wordcount.mjs"),
      `import fs from "node:fs";
import path from "node:path";
const dir = process.env.LODESTONE_INPUT_DIR;
const words = fs.readFileSync(path.join(dir, "one.txt"), "utf8").split(/\\s+/).length;
console.log("##lodestone " + JSON.stringify({ progress: 0.5 }));
console.log("##lodestone " + JSON.stringify({ metrics: { words }, progress: 1 }));
fs.writeFileSync(path.join(process.env.LODESTONE_OUTPUT_DIR, "count.txt"), String(words));
`,
    );
    fs.writeFileSync(
      path.join(work, "fail.mjs"),
      `console.error("out of memory: tried to allocate 42 GiB"); process.exit(1);`,
    );
  });
  after(() => killServer(server));

  test("oss mb, cp -r, ls, cp back, rm", async () => {
    assert.equal((await cli("oss", "mb", "oss://bucket")).code, 0);
    const again = await cli("oss", "mb", "oss://bucket");
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
    const copied = await json("oss", "cp", "-r", path.join(work, "data"), "oss://bucket/data/");
    assert.equal(copied.copied.length, 2);
    const listing = await json("oss", "ls", "oss://bucket/data/");
    assert.deepEqual(listing.commonPrefixes, ["data/sub/"]);
    assert.deepEqual(
      listing.objects.map((o: { key: string }) => o.key),
      ["data/one.txt"],
    );
    const back = path.join(work, "back");
    assert.equal((await cli("oss", "cp", "-r", "oss://bucket/data/", back)).code, 0);
    assert.equal(fs.readFileSync(path.join(back, "sub", "two.txt"), "utf8"), "four five");
    const buckets = await json("oss", "ls");
    assert.ok(buckets.buckets.some((b: { name: string }) => b.name === "bucket"));
    const hostile = await cli("oss", "cp", path.join(work, "data", "one.txt"), "oss://bucket/../../etc/x");
    assert.equal(hostile.code, 2);
    assert.match(hostile.stderr, /"\.\."/);
  });

  test("dlc create-job with a local .mjs script runs to Succeeded; get-job shows duration, metrics, progress", async () => {
    const job = await json(
      "dlc",
      "create-job",
      "--name",
      "emb-tune",
      "--image",
      "pai/pytorch:2.0",
      "--script",
      path.join(work, "wordcount.mjs"),
      "--oss-input",
      "oss://bucket/data/",
      "--oss-output",
      "oss://bucket/models/",
      "--wait",
    );
    assert.equal(job.Status, "Succeeded", job.ReasonMessage);
    const out = path.join(work, "count.txt");
    assert.equal((await cli("oss", "cp", "oss://bucket/models/count.txt", out)).code, 0);
    assert.equal(fs.readFileSync(out, "utf8"), "3");
    const shown = await json("dlc", "get-job", job.JobId);
    assert.equal(shown.Progress, 1);
    assert.deepEqual(shown.Metrics, { words: 3 });
    assert.equal(typeof shown.Duration, "number");
    const human = await cli("dlc", "get-job", job.JobId);
    assert.match(human.stdout, /Status\s+Succeeded/);
    assert.match(human.stdout, /Duration\s+\d+s/);
    assert.match(human.stdout, /words\s+3/);
    const listed = await json("dlc", "list-jobs", "--status", "Succeeded");
    assert.ok(listed.Jobs.some((j: { JobId: string }) => j.JobId === job.JobId));
    const logs = await json("dlc", "logs", job.JobId);
    assert.ok(logs.Logs.some((line: string) => line.includes("copied 1 files")));
  });

  test("a failing script ends Failed with its stderr in the reason, and the CLI exits 1", async () => {
    const result = await cli(
      "dlc",
      "create-job",
      "--name",
      "oom",
      "--script",
      path.join(work, "fail.mjs"),
      "--wait",
    );
    assert.equal(result.code, 1);
    assert.match(result.stdout, /Status\s+Failed/);
    assert.match(result.stdout, /out of memory: tried to allocate 42 GiB/);
  });

  test("stop-job stops a running job", async () => {
    fs.writeFileSync(path.join(work, "sleep.mjs"), "setInterval(() => {}, 1000);");
    const created = await json(
      "dlc",
      "create-job",
      "--name",
      "sleeper",
      "--script",
      path.join(work, "sleep.mjs"),
    );
    const stopped = await json("dlc", "stop-job", created.JobId, "--wait");
    assert.equal(stopped.Status, "Stopped");
  });

  test("usage errors exit 2 and say what to do; an unreachable server says how to start one", async () => {
    const missing = await cli("dlc", "create-job", "--script", "corpus-stats");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--name/);
    const badHp = await cli(
      "dlc",
      "create-job",
      "--name",
      "x",
      "--script",
      "corpus-stats",
      "--hp",
      "novalue",
    );
    assert.equal(badHp.code, 2);
    assert.match(badHp.stderr, /key=value/);
    const down = await runCli(["--url", `http://127.0.0.1:${await freePort()}`, "dlc", "list-jobs"]);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /lodestone serve/);
    const help = await cli("dlc", "create-job", "--help");
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:/);
  });
});

import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { isOssUrl } from "../../storage/oss-url.ts";
import { CliError } from "../client.ts";
import { apiClient } from "../context.ts";
import { followJob, type JobView } from "../job-progress.ts";
import { formatDuration, printJson, printTable } from "../output.ts";

interface CreateFlags {
  name: string;
  image?: string;
  script?: string;
  command?: string;
  ossInput?: string;
  ossOutput?: string;
  hp: string[];
  env: string[];
  wait?: boolean;
  json?: boolean;
}

/** `--hp epochs=3` (repeatable) → {epochs: "3"} */
function keyValues(pairs: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CliError(`${flag} expects key=value, got ${JSON.stringify(pair)}`, 2);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Prints a job for people: one field per line, then its metrics. */
function printJob(job: JobView): void {
  const rows: Array<[string, unknown]> = [
    ["JobId", job.JobId],
    ["DisplayName", job.DisplayName],
    ["Status", job.Status],
    [
      "Progress",
      `${Math.round(job.Progress * 100)}%${job.ProgressMessage ? ` (${job.ProgressMessage})` : ""}`,
    ],
    ["Duration", formatDuration(job.Duration)],
    ["Script", `${job.Script} (${job.Runtime}, image ${job.Image})`],
    ["OssInput", job.OssInput],
    ["OssOutput", job.OssOutput],
    ["Created", job.GmtCreateTime],
    ["Finished", job.GmtFinishTime],
  ];
  if (job.ReasonMessage) rows.push(["Reason", `${job.ReasonCode}: ${job.ReasonMessage}`]);
  for (const [key, value] of rows)
    if (value !== null && value !== undefined) console.log(`${key.padEnd(12)} ${value}`);
  const metrics = Object.entries(job.Metrics);
  if (metrics.length) {
    console.log("Metrics");
    for (const [name, value] of metrics) console.log(`  ${name.padEnd(18)} ${value}`);
  }
}

/** Exit status for a finished job: 0 when it succeeded. */
function jobExitCode(job: JobView): number {
  return job.Status === "Succeeded" ? 0 : 1;
}

export function registerDlc(program: Command): void {
  const dlc = program
    .command("dlc")
    .description("training jobs, compatible with PAI-DLC (create-job, get-job, list-jobs, stop-job, logs)");

  dlc
    .command("create-job")
    .description("submit a job that runs a script on the oss:// input and writes to the oss:// output")
    .requiredOption("--name <name>", "display name of the job")
    .option("--image <image>", "image to record (e.g. pai/pytorch:2.0); the runtime follows the script")
    .option(
      "--script <script>",
      "built-in script name, local .js/.mjs/.ts/.py file (uploaded), oss:// URL, or file in the input",
    )
    .option("--command <command>", 'PAI-style user command, e.g. "python3 train.py --epochs 3"')
    .option("--oss-input <url>", "oss:// prefix staged into LODESTONE_INPUT_DIR")
    .option("--oss-output <url>", "oss:// prefix that receives LODESTONE_OUTPUT_DIR when the job succeeds")
    .option(
      "--hp <key=value>",
      "hyper-parameter, repeatable (passed as --key=value and LODESTONE_HP_KEY)",
      collect,
      [],
    )
    .option("--env <key=value>", "environment variable for the script, repeatable", collect, [])
    .option("--wait", "follow the job with a progress bar until it ends; exit 1 unless it succeeds")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Examples:
  lodestone dlc create-job --name emb-tune --image pai/pytorch:2.0 --script train.py \\
      --oss-input oss://bucket/data/ --oss-output oss://bucket/models/
  lodestone dlc create-job --name stats --script corpus-stats --oss-input oss://demo/data/ \\
      --oss-output oss://demo/stats/ --hp top=10 --wait
`,
    )
    .action(async (flags: CreateFlags, command: Command) => {
      if (!flags.script && !flags.command) throw new CliError("give --script or --command", 2);
      const client = apiClient(command);
      const body: Record<string, unknown> = {
        DisplayName: flags.name,
        Image: flags.image,
        OssInput: flags.ossInput,
        OssOutput: flags.ossOutput,
        HyperParameters: keyValues(flags.hp, "--hp"),
        Envs: keyValues(flags.env, "--env"),
      };
      if (flags.command) body.UserCommand = flags.command;
      const script = flags.script ?? "";
      if (flags.script) body.Script = script;
      // A local file travels with the job, so the server need not share this machine's disk.
      const local = flags.script ?? flags.command?.split(/\s+/).find((w) => /\.(c?m?js|m?ts|py)$/.test(w));
      if (local && !isOssUrl(local) && fs.existsSync(local) && fs.statSync(local).isFile()) {
        body.Script = path.basename(local);
        body.ScriptContent = fs.readFileSync(local, "utf8");
      }
      const created = await client.json<{ JobId: string; Job: JobView }>("POST", "/api/v1/jobs", { body });
      if (!flags.wait) {
        if (flags.json) return printJson(created);
        console.log(`created job ${created.JobId} (${created.Job.Status})`);
        console.log(`follow it with: lodestone dlc get-job ${created.JobId} --wait`);
        return;
      }
      const job = await followJob(client, created.JobId, { quiet: flags.json });
      if (flags.json) printJson(job);
      else printJob(job);
      process.exitCode = jobExitCode(job);
    });

  dlc
    .command("get-job <jobId>")
    .description("show a job: status, progress, duration, metrics, reason")
    .option("--wait", "follow the job until it ends; exit 1 unless it succeeds")
    .option("--json", "print JSON")
    .action(async (jobId: string, flags: { wait?: boolean; json?: boolean }, command: Command) => {
      const client = apiClient(command);
      const job = flags.wait
        ? await followJob(client, jobId, { quiet: flags.json })
        : await client.json<JobView>("GET", `/api/v1/jobs/${jobId}`);
      if (flags.json) printJson(job);
      else printJob(job);
      if (flags.wait) process.exitCode = jobExitCode(job);
    });

  dlc
    .command("list-jobs")
    .description("list jobs, newest first")
    .option("--status <status>", "only jobs in this state (Queuing, Running, Succeeded, Failed, …)")
    .option("--name <name>", "only jobs with this display name")
    .option("--page <n>", "page number", "1")
    .option("--page-size <n>", "jobs per page (max 100)", "50")
    .option("--json", "print JSON")
    .action(
      async (
        flags: { status?: string; name?: string; page: string; pageSize: string; json?: boolean },
        command,
      ) => {
        const result = await apiClient(command).json<{ Jobs: JobView[]; TotalCount: number }>(
          "GET",
          "/api/v1/jobs",
          {
            query: {
              Status: flags.status,
              DisplayName: flags.name,
              PageNumber: flags.page,
              PageSize: flags.pageSize,
            },
          },
        );
        if (flags.json) return printJson(result);
        printTable(
          ["JOB ID", "NAME", "STATUS", "PROGRESS", "DURATION", "CREATED"],
          result.Jobs.map((j) => [
            j.JobId,
            j.DisplayName,
            j.Status,
            `${Math.round(j.Progress * 100)}%`,
            formatDuration(j.Duration),
            String(j.GmtCreateTime),
          ]),
        );
        console.log(`${result.TotalCount} job(s)`);
      },
    );

  dlc
    .command("stop-job <jobId>")
    .description("stop a queued or running job (SIGTERM, then SIGKILL after the grace period)")
    .option("--wait", "wait until it has stopped")
    .option("--json", "print JSON")
    .action(async (jobId: string, flags: { wait?: boolean; json?: boolean }, command: Command) => {
      const client = apiClient(command);
      let job = await client.json<JobView>("POST", `/api/v1/jobs/${jobId}/stop`);
      if (flags.wait) job = await followJob(client, jobId, { quiet: true });
      if (flags.json) printJson(job);
      else console.log(`job ${jobId} is ${job.Status}`);
    });

  dlc
    .command("delete-job <jobId>")
    .description("delete a finished job with its logs and metrics")
    .option("--json", "print JSON")
    .action(async (jobId: string, flags: { json?: boolean }, command: Command) => {
      const result = await apiClient(command).json("DELETE", `/api/v1/jobs/${jobId}`);
      if (flags.json) printJson(result);
      else console.log(`deleted job ${jobId}`);
    });

  dlc
    .command("logs <jobId>")
    .description("print a job's log (stdout and stderr of its script)")
    .option("-f, --follow", "keep printing new lines until the job ends")
    .option("--tail <n>", "only the last n lines")
    .option("--json", "print JSON")
    .action(
      async (jobId: string, flags: { follow?: boolean; tail?: string; json?: boolean }, command: Command) => {
        const client = apiClient(command);
        let offset = flags.tail ? -Math.abs(Number(flags.tail)) : 0;
        const lines: string[] = [];
        for (;;) {
          const page = await client.json<{ Logs: string[]; NextOffset: number }>(
            "GET",
            `/api/v1/jobs/${jobId}/logs`,
            {
              query: { Offset: offset, MaxLines: 10000 },
            },
          );
          if (flags.json) lines.push(...page.Logs);
          else for (const line of page.Logs) console.log(line);
          offset = page.NextOffset;
          if (page.Logs.length > 0) continue;
          if (!flags.follow) break;
          const job = await client.json<JobView>("GET", `/api/v1/jobs/${jobId}`);
          if (["Succeeded", "Failed", "Stopped"].includes(job.Status)) {
            const rest = await client.json<{ Logs: string[] }>("GET", `/api/v1/jobs/${jobId}/logs`, {
              query: { Offset: offset },
            });
            if (flags.json) lines.push(...rest.Logs);
            else for (const line of rest.Logs) console.log(line);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        if (flags.json) printJson({ JobId: jobId, Logs: lines });
      },
    );

  dlc
    .command("scripts")
    .description("list the built-in scripts")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }, command: Command) => {
      const result = await apiClient(command).json<{ Scripts: Array<{ Name: string; Description: string }> }>(
        "GET",
        "/api/v1/scripts",
      );
      if (flags.json) return printJson(result);
      printTable(
        ["SCRIPT", "DESCRIPTION"],
        result.Scripts.map((s) => [s.Name, s.Description]),
      );
    });
}

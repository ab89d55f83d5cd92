import { type Command, InvalidArgumentError } from "commander";
import { type ApiClient, CliError } from "../client.ts";
import { apiClient } from "../context.ts";
import { formatDuration, printJson, printTable } from "../output.ts";
import { explained, type ModelView, positiveInt, printFields, resolveModelId } from "./models.ts";

/** An endpoint as `GET /v1/endpoints/{id}` shows it. */
export interface EndpointView {
  endpoint_id: string;
  model_id: string;
  status: "Creating" | "Running" | "Failed" | "Stopped";
  replicas: number;
  /** Micro-batching settings, when the server reports them. */
  max_batch_size?: number | null;
  max_wait_ms?: number | null;
  reason: string | null;
  created_at: string;
  updated_at: string;
}

const POLL_MS = 250;

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number ≥ 0");
  return n;
}

function printEndpoint(e: EndpointView): void {
  printFields([
    ["EndpointId", e.endpoint_id],
    ["ModelId", e.model_id],
    ["Status", e.status],
    ["Replicas", e.replicas],
    ["MaxBatchSize", e.max_batch_size],
    ["MaxWaitMs", e.max_wait_ms],
    ["Reason", e.reason],
    ["Created", e.created_at],
    ["Updated", e.updated_at],
  ]);
}

/** Polls an endpoint until it has left Creating; a line on stderr per state (unless quiet). */
async function waitForEndpoint(
  client: ApiClient,
  id: string,
  timeoutSeconds: number,
  quiet: boolean,
): Promise<EndpointView> {
  const started = Date.now();
  let lastStatus = "";
  for (;;) {
    const endpoint = await explained(
      client.json<EndpointView>("GET", `/v1/endpoints/${encodeURIComponent(id)}`),
    );
    if (!quiet && endpoint.status !== lastStatus)
      process.stderr.write(
        `${id} ${endpoint.status} (${formatDuration(Math.round((Date.now() - started) / 1000))})\n`,
      );
    lastStatus = endpoint.status;
    if (endpoint.status !== "Creating") return endpoint;
    if (Date.now() - started > timeoutSeconds * 1000)
      throw new CliError(
        `endpoint ${id} is still Creating after ${timeoutSeconds}s; check it later with: lodestone endpoints show ${id}`,
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export function registerEndpoints(program: Command): void {
  const endpoints = program
    .command("endpoints")
    .description("inference endpoints: deploy a registered model with replicas, list, show, delete")
    .addHelpText(
      "after",
      `
Examples:
  lodestone endpoints deploy m-0123456789ab --replicas 2 --wait
  lodestone endpoints list
  lodestone endpoints show ep-0123456789ab
  lodestone endpoints delete ep-0123456789ab

An endpoint goes Creating → Running (or Failed, with the reason). Use its id, the model id or
the model name as --model of lodestone embed, rerank and chat.
`,
    );

  endpoints
    .command("deploy <model>")
    .description("start an endpoint serving a model (by id, or by name for its newest version)")
    .option("--replicas <n>", "worker threads serving it, 1–8", positiveInt, 1)
    .option("--max-batch-size <n>", "most texts per micro-batch sent to a replica", positiveInt)
    .option(
      "--max-wait-ms <ms>",
      "wait this long for a fuller batch (default 0: no added delay)",
      nonNegativeInt,
    )
    .option("--wait", "wait until it is Running; exit 1 with the reason if it fails")
    .option("--timeout <seconds>", "give up waiting after this long", positiveInt, 600)
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Examples:
  lodestone endpoints deploy m-0123456789ab --wait
  lodestone endpoints deploy custom-emb --replicas 2 --wait --json
  lodestone endpoints deploy custom-emb --max-batch-size 64 --max-wait-ms 5
`,
    )
    .action(
      async (
        ref: string,
        flags: {
          replicas: number;
          maxBatchSize?: number;
          maxWaitMs?: number;
          wait?: boolean;
          timeout: number;
          json?: boolean;
        },
        command: Command,
      ) => {
        const client = apiClient(command);
        const modelId = await resolveModelId(client, ref);
        let endpoint = await explained(
          client.json<EndpointView>("POST", "/v1/endpoints", {
            body: {
              model_id: modelId,
              replicas: flags.replicas,
              max_batch_size: flags.maxBatchSize,
              max_wait_ms: flags.maxWaitMs,
            },
          }),
        );
        if (flags.wait && endpoint.status === "Creating")
          endpoint = await waitForEndpoint(client, endpoint.endpoint_id, flags.timeout, Boolean(flags.json));
        if (flags.json) printJson(endpoint);
        if (endpoint.status === "Failed")
          throw new CliError(
            `endpoint ${endpoint.endpoint_id} failed: ${endpoint.reason ?? "no reason given"}\n  register a fixed model folder (lodestone models register …) and deploy that; remove this endpoint with: lodestone endpoints delete ${endpoint.endpoint_id}`,
          );
        if (flags.json) return;
        printEndpoint(endpoint);
        if (endpoint.status === "Running")
          console.log(`\nuse it as --model ${endpoint.endpoint_id} of lodestone embed, rerank or chat`);
        else console.log(`\nfollow it with: lodestone endpoints show ${endpoint.endpoint_id} --wait`);
      },
    );

  endpoints
    .command("list")
    .description("list the endpoints with their model, status and replicas")
    .option("--json", "print JSON")
    .addHelpText("after", "\nExamples:\n  lodestone endpoints list\n  lodestone endpoints list --json\n")
    .action(async (flags: { json?: boolean }, command: Command) => {
      const client = apiClient(command);
      const result = await client.json<{ data: EndpointView[] }>("GET", "/v1/endpoints");
      if (flags.json) return printJson(result);
      const { data: models } = await client.json<{ data: ModelView[] }>("GET", "/v1/models");
      const names = new Map(models.map((m) => [m.model_id, `${m.model_name} v${m.version}`]));
      printTable(
        ["ENDPOINT ID", "MODEL ID", "MODEL", "STATUS", "REPLICAS", "CREATED", "REASON"],
        result.data.map((e) => [
          e.endpoint_id,
          e.model_id,
          names.get(e.model_id),
          e.status,
          e.replicas,
          e.created_at,
          e.reason && e.reason.length > 60 ? `${e.reason.slice(0, 59)}…` : e.reason,
        ]),
      );
      console.log(`${result.data.length} endpoint(s)`);
    });

  endpoints
    .command("show <endpoint-id>")
    .description("show an endpoint: model, status (Creating, Running, Failed), replicas, reason")
    .option("--wait", "wait while it is Creating; exit 1 with the reason if it fails")
    .option("--timeout <seconds>", "give up waiting after this long", positiveInt, 600)
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  lodestone endpoints show ep-0123456789ab\n  lodestone endpoints show ep-0123456789ab --wait --json\n",
    )
    .action(
      async (id: string, flags: { wait?: boolean; timeout: number; json?: boolean }, command: Command) => {
        const client = apiClient(command);
        const endpoint = flags.wait
          ? await waitForEndpoint(client, id, flags.timeout, Boolean(flags.json))
          : await explained(client.json<EndpointView>("GET", `/v1/endpoints/${encodeURIComponent(id)}`));
        if (flags.json) printJson(endpoint);
        else printEndpoint(endpoint);
        if (flags.wait && endpoint.status === "Failed")
          throw new CliError(`endpoint ${id} failed: ${endpoint.reason ?? "no reason given"}`);
      },
    );

  for (const [verb, description] of [
    ["stop", "stop an endpoint's replicas (it keeps its id and settings; start it again later)"],
    ["start", "start a stopped or failed endpoint again (--wait until it runs)"],
  ] as const) {
    endpoints
      .command(`${verb} <endpoint-id>`)
      .description(description)
      .option("--wait", "wait until it is Running (start) ; exit 1 with the reason if it fails")
      .option("--timeout <seconds>", "give up waiting after this long", positiveInt, 600)
      .option("--json", "print JSON")
      .addHelpText(
        "after",
        `\nExamples:\n  lodestone endpoints ${verb} ep-0123456789ab${verb === "start" ? " --wait" : ""}\n`,
      )
      .action(
        async (id: string, flags: { wait?: boolean; timeout: number; json?: boolean }, command: Command) => {
          const client = apiClient(command);
          let endpoint = await explained(
            client.json<EndpointView>("POST", `/v1/endpoints/${encodeURIComponent(id)}/${verb}`),
          );
          if (flags.wait && verb === "start")
            endpoint = await waitForEndpoint(client, id, flags.timeout, Boolean(flags.json));
          if (flags.json) printJson(endpoint);
          else printEndpoint(endpoint);
          if (endpoint.status === "Failed")
            throw new CliError(`endpoint ${id} failed: ${endpoint.reason ?? "no reason given"}`);
        },
      );
  }

  endpoints
    .command("delete <endpoint-id>")
    .description("stop an endpoint and delete it")
    .option("--json", "print JSON")
    .addHelpText("after", "\nExamples:\n  lodestone endpoints delete ep-0123456789ab\n")
    .action(async (id: string, flags: { json?: boolean }, command: Command) => {
      const result = await explained(
        apiClient(command).json("DELETE", `/v1/endpoints/${encodeURIComponent(id)}`),
      );
      if (flags.json) return printJson(result);
      console.log(`deleted endpoint ${id}`);
    });
}

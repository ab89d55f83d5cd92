import { type Command, InvalidArgumentError } from "commander";
import { type ApiClient, ApiError, CliError } from "../client.ts";
import { apiClient } from "../context.ts";
import { printJson, printTable } from "../output.ts";

/** The fields of a model view (`GET /v1/models/{id}`) the CLI reads. */
export interface ModelView {
  model_id: string;
  model_name: string;
  version: number;
  kind: string;
  source: string;
  builtin: boolean;
  dimension: number | null;
  created: number;
  config: Record<string, unknown>;
}

/** What to do next after a server error, by its code; the server's message is kept as it is. */
const NEXT_STEPS: Record<string, (message: string) => string> = {
  model_not_found: () => "see the registered and built-in models with: lodestone models list",
  endpoint_not_found: () => "see the endpoints with: lodestone endpoints list",
  model_not_deployed: (message) =>
    `deploy it with: lodestone endpoints deploy ${/\((m-[^)\s]+)\)/.exec(message)?.[1] ?? "<model-id>"} --wait`,
  endpoint_not_running: (message) =>
    `check it with: lodestone endpoints show ${/endpoint (ep-[^\s]+)/.exec(message)?.[1] ?? "<endpoint-id>"}`,
  model_in_use: (message) => {
    const ids = /served by endpoints? ([^;]+);/.exec(message)?.[1]?.split(", ") ?? ["<endpoint-id>"];
    return `delete ${ids.length > 1 ? "them" : "it"} first with: ${ids.map((id) => `lodestone endpoints delete ${id}`).join(" && ")}`;
  },
  wrong_model_kind: () => "see each model's kind with: lodestone models list",
  invalid_model: () =>
    "a model folder is what a train-embedding or train-reranker job writes to its --oss-output (see docs/models.md)",
  model_files_missing: () =>
    "copy a model folder there first (lodestone oss cp -r <folder> oss://…/), or point at a job's --oss-output",
};

/** Runs an API call; a server error gets a line saying what to do next. */
export async function explained<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    const next = err instanceof ApiError ? NEXT_STEPS[err.code] : undefined;
    if (!next || !(err instanceof ApiError)) throw err;
    throw new ApiError(err.status, err.code, `${err.message}\n  ${next(err.message)}`);
  }
}

/** A model id as given (`m-…`), or the newest version registered under a name. */
export async function resolveModelId(client: ApiClient, ref: string): Promise<string> {
  if (ref.startsWith("m-")) return ref;
  const { data } = await client.json<{ data: ModelView[] }>("GET", "/v1/models");
  const named = data.filter((m) => m.model_name === ref).sort((a, b) => b.version - a.version);
  return named[0]?.model_id ?? ref;
}

/** Commander parser for options that take a whole number ≥ 1. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1`);
  return n;
}

/** One `Name  value` line per field that has a value. */
export function printFields(rows: Array<[string, unknown]>): void {
  const width = Math.max(...rows.map(([key]) => key.length));
  for (const [key, value] of rows)
    if (value !== null && value !== undefined && value !== "")
      console.log(`${key.padEnd(width)}  ${typeof value === "object" ? JSON.stringify(value) : value}`);
}

const created = (m: ModelView) => (m.builtin ? "built in" : new Date(m.created * 1000).toISOString());

function printModel(m: ModelView): void {
  printFields([
    ["ModelId", m.model_id],
    ["Name", m.model_name],
    ["Version", m.version],
    ["Kind", m.kind],
    ["Dimension", m.dimension],
    ["Source", m.source],
    ["Created", created(m)],
  ]);
  const config = Object.entries(m.config ?? {});
  if (config.length) {
    console.log("Config");
    const width = Math.max(...config.map(([key]) => key.length));
    for (const [key, value] of config)
      console.log(`  ${key.padEnd(width)}  ${typeof value === "object" ? JSON.stringify(value) : value}`);
  }
}

export function registerModels(program: Command): void {
  const models = program
    .command("models")
    .description("the model registry: register model folders from oss://, list, show, delete")
    .addHelpText(
      "after",
      `
Examples:
  lodestone models list
  lodestone models register custom-emb oss://bucket/models/
  lodestone models show m-lodestone-embed-base
  lodestone models delete m-0123456789ab

Built-in models (lodestone-embed-base, lodestone-answerer) are always listed and need no endpoint.
`,
    );

  models
    .command("register <name> [oss-path]")
    .description(
      "copy a model folder (a training job's --oss-output) from oss:// into the registry, or register an upstream server with --connector",
    )
    .option(
      "--connector <type>",
      "an upstream server instead of a folder: openai-chat, openai-embeddings or rerank",
    )
    .option("--base-url <url>", "the upstream's base URL, e.g. http://gpu-box:8000/v1 (with --connector)")
    .option("--upstream-model <id>", "the model id the upstream serves (with --connector)")
    .option("--api-key-env <name>", "environment variable of the server that holds the upstream's API key")
    .option("--style <style>", "rerank servers: tei or cohere", "tei")
    .option(
      "--dimensions <n>",
      "embedding servers: the dimension to expect (checked by a probe call)",
      positiveInt,
    )
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Examples:
  lodestone models register custom-emb oss://bucket/models/
  lodestone models register custom-emb oss://bucket/models/ --json
  lodestone models register gpu-bge --connector openai-embeddings --base-url http://gpu-box:8080/v1 \\
      --upstream-model BAAI/bge-m3 --dimensions 1024
  lodestone models register qwen --connector openai-chat --base-url https://dashscope.aliyuncs.com/compatible-mode/v1 \\
      --upstream-model qwen-max --api-key-env DASHSCOPE_API_KEY

Registering the same name again adds version 2, 3, …; then serve it with
  lodestone endpoints deploy <model-id> --wait
`,
    )
    .action(
      async (
        name: string,
        ossPath: string | undefined,
        flags: {
          json?: boolean;
          connector?: string;
          baseUrl?: string;
          upstreamModel?: string;
          apiKeyEnv?: string;
          style: string;
          dimensions?: number;
        },
        command: Command,
      ) => {
        if ((ossPath === undefined) === (flags.connector === undefined))
          throw new CliError(
            "give an oss:// model folder, or --connector with --base-url and --upstream-model",
            2,
          );
        const body = flags.connector
          ? {
              model_name: name,
              connector: {
                type: flags.connector,
                base_url: flags.baseUrl,
                model: flags.upstreamModel,
                ...(flags.apiKeyEnv ? { api_key_env: flags.apiKeyEnv } : {}),
                ...(flags.connector === "rerank" ? { style: flags.style } : {}),
                ...(flags.dimensions ? { dimensions: flags.dimensions } : {}),
              },
            }
          : { model_name: name, oss_path: ossPath };
        const model = await explained(apiClient(command).json<ModelView>("POST", "/v1/models", { body }));
        if (flags.json) return printJson(model);
        printModel(model);
        if (!flags.connector)
          console.log(`\nserve it with: lodestone endpoints deploy ${model.model_id} --wait`);
      },
    );

  models
    .command("list")
    .description("list the built-in and registered models")
    .option("--json", "print JSON")
    .addHelpText("after", "\nExamples:\n  lodestone models list\n  lodestone models list --json\n")
    .action(async (flags: { json?: boolean }, command: Command) => {
      const result = await apiClient(command).json<{ data: ModelView[] }>("GET", "/v1/models");
      if (flags.json) return printJson(result);
      printTable(
        ["MODEL ID", "NAME", "VERSION", "KIND", "DIMENSION", "SOURCE", "CREATED"],
        result.data.map((m) => [
          m.model_id,
          m.model_name,
          m.version,
          m.kind,
          m.dimension,
          m.source,
          created(m),
        ]),
      );
      console.log(`${result.data.length} model(s)`);
    });

  models
    .command("show <model>")
    .description("show a model (by id, or by name for its newest version): kind, dimension, source, config")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  lodestone models show m-lodestone-embed-base\n  lodestone models show custom-emb --json\n",
    )
    .action(async (ref: string, flags: { json?: boolean }, command: Command) => {
      const client = apiClient(command);
      const id = await resolveModelId(client, ref);
      const model = await explained(client.json<ModelView>("GET", `/v1/models/${encodeURIComponent(id)}`));
      if (flags.json) return printJson(model);
      printModel(model);
    });

  models
    .command("delete <model-id>")
    .description("delete a registered model and its files (refused while an endpoint serves it)")
    .option("--json", "print JSON")
    .addHelpText("after", "\nExamples:\n  lodestone models delete m-0123456789ab\n")
    .action(async (id: string, flags: { json?: boolean }, command: Command) => {
      const result = await explained(
        apiClient(command).json("DELETE", `/v1/models/${encodeURIComponent(id)}`),
      );
      if (flags.json) return printJson(result);
      console.log(`deleted model ${id}`);
    });
}

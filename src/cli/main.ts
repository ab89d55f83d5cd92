import { Command, CommanderError } from "commander";
import { isLodestoneError } from "../common/errors.ts";
import { VERSION } from "../server/version.ts";
import { CliError } from "./client.ts";
import { registerDlc } from "./commands/dlc.ts";
import { registerDoctor } from "./commands/doctor.ts";
import { registerEndpoints } from "./commands/endpoints.ts";
import { registerEval } from "./commands/eval.ts";
import { registerIndex } from "./commands/index-bulk.ts";
import { registerInference } from "./commands/inference.ts";
import { registerIngest } from "./commands/ingest.ts";
import { registerKeys } from "./commands/keys.ts";
import { registerModels } from "./commands/models.ts";
import { registerOss } from "./commands/oss.ts";
import { registerRecommend } from "./commands/recommend.ts";
import { registerServe } from "./commands/serve.ts";
import { registerSnapshot } from "./commands/snapshot.ts";
import { registerTune } from "./commands/tune.ts";
import { registerQuickstart, registerWorkflow } from "./commands/workflow.ts";

/** Exit codes: 0 ok, 1 the operation failed, 2 the command was used wrongly. */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command("lodestone")
    .description("Lodestone: training jobs, model serving, search and recommendations on one machine")
    .version(VERSION)
    .option("--url <url>", "URL of a running Lodestone server (LODESTONE_URL; default http://127.0.0.1:8080)")
    .option("--api-key <key>", "API key for a server that requires one (prefer LODESTONE_API_KEY)")
    .option("--config <file>", "config file (LODESTONE_CONFIG; default ./lodestone.config.json|yaml)")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    // the HTTP client reads LODESTONE_API_KEY; --api-key overrides it
    .hook("preAction", (_program, action) => {
      const { apiKey } = action.optsWithGlobals() as { apiKey?: string };
      if (apiKey) process.env.LODESTONE_API_KEY = apiKey;
    });
  registerServe(program);
  registerQuickstart(program);
  registerOss(program);
  registerDlc(program);
  registerEval(program);
  registerKeys(program);
  registerModels(program);
  registerEndpoints(program);
  registerInference(program);
  registerIndex(program);
  registerDoctor(program);
  registerWorkflow(program);
  registerTune(program);
  registerIngest(program);
  registerSnapshot(program);
  registerRecommend(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      const ok =
        err.exitCode === 0 || err.code === "commander.helpDisplayed" || err.code === "commander.version";
      process.exitCode = ok ? 0 : EXIT_USAGE;
      return;
    }
    if (err instanceof CliError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    if (isLodestoneError(err)) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = err.status < 500 ? EXIT_USAGE : EXIT_FAILURE;
      return;
    }
    process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = EXIT_FAILURE;
  }
}

await main(process.argv);

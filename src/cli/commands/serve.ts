import type { Command } from "commander";
import { loadConfig } from "../../config/load.ts";
import type { LodestoneConfig } from "../../config/schema.ts";
import { type RunningPlatform, startPlatform } from "../../server/platform.ts";
import { globalOptions } from "../context.ts";

export interface ServerFlags {
  dataDir?: string;
  host?: string;
  port?: string;
  searchPort?: string;
}

/**
 * The config for commands that start a server: file and environment, overridden by these flags
 * (and by `more`, further flags by config key).
 */
export function serverConfig(
  command: Command,
  flags: ServerFlags,
  more: Record<string, unknown> = {},
): LodestoneConfig {
  const { config } = loadConfig({
    configFile: globalOptions(command).config,
    flags: {
      dataDir: flags.dataDir,
      host: flags.host,
      port: flags.port,
      searchPort: flags.searchPort,
      ...more,
    },
  });
  return config;
}

export function addServerFlags(command: Command): Command {
  return command
    .option("--data-dir <dir>", "data directory (LODESTONE_DATA_DIR, default ./.lodestone)")
    .option("--host <address>", "address to bind (LODESTONE_HOST, default 127.0.0.1)")
    .option("--port <port>", "platform API port (LODESTONE_PORT, default 8080)")
    .option("--search-port <port>", "search API port (LODESTONE_SEARCH_PORT, default 9200)");
}

/** Closes the server on Ctrl-C or SIGTERM, finishing in-flight requests first. */
export function closeOnSignals(running: RunningPlatform): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`\n${signal}: shutting down…\n`);
      running.close().then(resolve, (err) => {
        process.stderr.write(`shutdown failed: ${(err as Error).message}\n`);
        process.exit(1);
      });
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
}

export function registerServe(program: Command): void {
  addServerFlags(
    program
      .command("serve")
      .description(
        "run the Lodestone server (platform API, object storage, jobs, Elasticsearch-compatible search)",
      )
      .addHelpText("after", "\nExample:\n  lodestone serve --data-dir ./.lodestone --port 8080\n"),
  ).action(async (flags: ServerFlags, command: Command) => {
    const config = serverConfig(command, flags);
    const running = await startPlatform(config);
    process.stderr.write(
      `Lodestone ${running.platform.version} API on ${running.url}, search (Elasticsearch/OpenSearch API) on ${running.searchUrl} (data in ${config.dataDir})\n`,
    );
    await closeOnSignals(running);
  });
}

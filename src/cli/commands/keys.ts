import type { Command } from "commander";
import { isLodestoneError } from "../../common/errors.ts";
import { dataLayout } from "../../config/layout.ts";
import { loadConfig } from "../../config/load.ts";
import { type ApiKeyInfo, KEY_SCOPES, type KeyScope, KeyStore } from "../../server/auth.ts";
import { openDatabase } from "../../state/db.ts";
import { CliError } from "../client.ts";
import { globalOptions } from "../context.ts";
import { printJson, printTable } from "../output.ts";

interface KeysFlags {
  dataDir?: string;
  json?: boolean;
  scope?: string;
}

/**
 * Runs `fn` on the key store of the configured data directory (file, LODESTONE_DATA_DIR,
 * --data-dir), as `serve` resolves it. Works on the database directly: no server needed, and a
 * server that is running sees the change on its next request.
 */
function withKeys<T>(command: Command, flags: KeysFlags, fn: (keys: KeyStore, dataDir: string) => T): T {
  const { config } = loadConfig({
    configFile: globalOptions(command).config,
    flags: { dataDir: flags.dataDir },
  });
  const db = openDatabase(dataLayout(config.dataDir).dbFile);
  try {
    return fn(new KeyStore(db), config.dataDir);
  } catch (err) {
    // "no such key" is a failed operation (exit 1), not a misuse of the command
    if (isLodestoneError(err) && err.status !== 400) throw new CliError(err.message, 1);
    throw err;
  } finally {
    db.close();
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function keyView(key: ApiKeyInfo) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scope: key.scope,
    created_at: iso(key.createdAt),
    last_used_at: iso(key.lastUsedAt),
    revoked_at: iso(key.revokedAt),
  };
}

const dataDirOption = "data directory (LODESTONE_DATA_DIR, default ./.lodestone)";

export function registerKeys(program: Command): void {
  const keys = program
    .command("keys")
    .description("API keys of the platform API (works on the data directory; no server needed)")
    .addHelpText(
      "after",
      "\nExamples:\n  lodestone keys create ci --data-dir /var/lib/lodestone\n  lodestone keys create dashboard --scope read\n  lodestone keys list\n  lodestone keys revoke lsk-a1B2c3D4\n",
    );

  keys
    .command("create <name>")
    .description("create a key; it is printed once, on stdout, and only its hash is stored")
    .option(
      "--scope <scope>",
      `what the key may do: read (searches, RAG answers, recommendations), search (the whole search API), admin (everything); one of ${KEY_SCOPES.join(", ")}`,
      "admin",
    )
    .option("--data-dir <dir>", dataDirOption)
    .option("--json", "print JSON")
    .action((name: string, flags: KeysFlags, command: Command) => {
      const scope = flags.scope ?? "admin";
      if (!(KEY_SCOPES as readonly string[]).includes(scope)) {
        throw new CliError(
          `--scope must be one of ${KEY_SCOPES.join(", ")}, not ${JSON.stringify(scope)}`,
          2,
        );
      }
      const { key, info } = withKeys(command, flags, (store) => store.create(name, scope as KeyScope));
      if (flags.json) return printJson({ ...keyView(info), key });
      process.stdout.write(`${key}\n`);
      process.stderr.write(
        `created API key ${info.id} "${info.name}" (${info.prefix}…, scope ${info.scope}); it is shown only this once.\n` +
          'Send it as "Authorization: Bearer <key>" or "x-api-key: <key>"; the CLI reads LODESTONE_API_KEY.\n',
      );
    });

  keys
    .command("list")
    .description("list keys (never the keys themselves), revoked ones included")
    .option("--data-dir <dir>", dataDirOption)
    .option("--json", "print JSON")
    .action((flags: KeysFlags, command: Command) => {
      const list = withKeys(command, flags, (store) => store.list()).map(keyView);
      if (flags.json) return printJson({ keys: list });
      printTable(
        ["ID", "NAME", "PREFIX", "SCOPE", "CREATED", "LAST USED", "REVOKED"],
        list.map((k) => [k.id, k.name, `${k.prefix}…`, k.scope, k.created_at, k.last_used_at, k.revoked_at]),
      );
    });

  keys
    .command("revoke <id-or-prefix>")
    .description("revoke a key by its id (key-…) or prefix (lsk-…); it stops working at once")
    .option("--data-dir <dir>", dataDirOption)
    .option("--json", "print JSON")
    .action((idOrPrefix: string, flags: KeysFlags, command: Command) => {
      const { before, after } = withKeys(command, flags, (store) => {
        const found = store.find(idOrPrefix);
        return { before: found, after: store.revoke(found.id) };
      });
      if (flags.json) return printJson(keyView(after));
      const already = before.revokedAt !== null ? " (it already was)" : "";
      console.log(`revoked API key ${after.id} "${after.name}" (${after.prefix}…)${already}`);
    });
}

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { createSnapshot } from "../../snapshot/create.ts";
import { type SnapshotManifest, verifySnapshot } from "../../snapshot/manifest.ts";
import { restoreSnapshot } from "../../snapshot/restore.ts";
import { isOssUrl, parseOssUrl } from "../../storage/oss-url.ts";
import { CliError } from "../client.ts";
import { apiClient } from "../context.ts";
import { copyPaths, listAll } from "../oss-client.ts";
import { formatBytes, printJson, printTable } from "../output.ts";
import { serverConfig } from "./serve.ts";

/** A bar on a terminal (nothing with --json or when piped): files copied out of all. */
function progress(label: string, quiet: boolean) {
  if (quiet || !process.stderr.isTTY) return { update: (_d: number, _t: number) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} |{bar}| {value}/{total} files`, hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done: number, total: number) {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    stop: () => started && bar.stop(),
  };
}

function summary(manifest: SnapshotManifest, where: string, json: boolean, verb: string): void {
  const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
  if (json) {
    printJson({ location: where, ...manifest, files: manifest.files.length, bytes });
    return;
  }
  console.log(`${verb} ${where}: ${manifest.files.length} files, ${formatBytes(bytes)}`);
  if (manifest.indices.length)
    printTable(
      ["INDEX", "DOCS"],
      manifest.indices.map((i) => [i.name, i.docs]),
    );
}

/** The data directory of the server at --url (its GET /health says), when one answers. */
async function runningDataDir(command: Command): Promise<string | undefined> {
  try {
    const health = await apiClient(command).json<{ data_dir?: string }>("GET", "/health");
    return health.data_dir;
  } catch {
    return undefined;
  }
}

const tempFolder = () => fs.mkdtempSync(path.join(os.tmpdir(), "lodestone-snapshot-"));

export function registerSnapshot(program: Command): void {
  const snapshot = program
    .command("snapshot")
    .description("back up a data directory (indices, platform state, models, objects) and restore it")
    .addHelpText(
      "after",
      "\nExamples:\n  lodestone snapshot create ./backups/2026-12-06 --data-dir .lodestone\n  lodestone snapshot create oss://backups/nightly/ --indices rag-docs\n  lodestone snapshot restore ./backups/2026-12-06 --data-dir ./restored\n  lodestone serve --data-dir ./restored\n\nSee docs/snapshots.md.",
    );

  snapshot
    .command("create <dest>")
    .description(
      "snapshot the data directory into a new folder or oss://bucket/prefix/ (safe while a server runs on it)",
    )
    .option(
      "--data-dir <dir>",
      "data directory (default: the running server's at --url, else LODESTONE_DATA_DIR or ./.lodestone)",
    )
    .option("--indices <names>", "comma-separated index names or patterns (default: all indices)")
    .option("--json", "print the manifest summary as JSON")
    .action(
      async (
        dest: string,
        opts: { dataDir?: string; indices?: string; json?: boolean },
        command: Command,
      ) => {
        const dataDir = opts.dataDir ?? (await runningDataDir(command)) ?? serverConfig(command, {}).dataDir;
        const indices = opts.indices
          ?.split(",")
          .map((s) => s.trim())
          .filter(Boolean);
        const remote = isOssUrl(dest);
        if (remote) {
          const url = parseOssUrl(dest.endsWith("/") ? dest : `${dest}/`, "dest");
          if ((await listAll(apiClient(command), url)).objects.length)
            throw new CliError(`${dest} already holds objects; snapshot into a new prefix`);
        }
        // an oss:// snapshot is taken locally first, then uploaded through the server's object storage
        const folder = remote ? tempFolder() : dest;
        const bar = progress("snapshot", Boolean(opts.json));
        try {
          const manifest = await createSnapshot({ dataDir, dest: folder, indices, onProgress: bar.update });
          bar.stop();
          if (remote)
            await copyPaths(apiClient(command), folder, dest.endsWith("/") ? dest : `${dest}/`, true);
          summary(manifest, dest, Boolean(opts.json), `snapshot of ${dataDir} in`);
        } finally {
          bar.stop();
          if (remote) fs.rmSync(folder, { recursive: true, force: true });
        }
      },
    );

  snapshot
    .command("restore <src>")
    .description("restore a snapshot (a folder or oss://bucket/prefix/) into a fresh data directory")
    .requiredOption("--data-dir <dir>", "the data directory to create (must be empty unless --force)")
    .option("--force", "replace the contents of a non-empty data directory (stop its server first)")
    .option("--json", "print the manifest summary as JSON")
    .action(
      async (src: string, opts: { dataDir: string; force?: boolean; json?: boolean }, command: Command) => {
        const remote = isOssUrl(src);
        const folder = remote ? tempFolder() : src;
        const bar = progress("restore", Boolean(opts.json));
        try {
          if (remote) await copyPaths(apiClient(command), src.endsWith("/") ? src : `${src}/`, folder, true);
          const manifest = restoreSnapshot({
            source: folder,
            dataDir: opts.dataDir,
            force: opts.force,
            onProgress: bar.update,
          });
          bar.stop();
          summary(manifest, path.resolve(opts.dataDir), Boolean(opts.json), "restored into");
          if (!opts.json) console.log(`start it with: lodestone serve --data-dir ${opts.dataDir}`);
        } finally {
          bar.stop();
          if (remote) fs.rmSync(folder, { recursive: true, force: true });
        }
      },
    );

  snapshot
    .command("verify <src>")
    .description("check a snapshot folder's manifest and every file's checksum without restoring it")
    .option("--json", "print the manifest summary as JSON")
    .action(async (src: string, opts: { json?: boolean }) => {
      summary(verifySnapshot(src), src, Boolean(opts.json), "verified");
    });
}

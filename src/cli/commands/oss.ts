import type { Command } from "commander";
import { asPrefix, formatOssUrl, parseOssUrl } from "../../storage/oss-url.ts";
import { CliError } from "../client.ts";
import { apiClient } from "../context.ts";
import { copyPaths, listAll, objectPath } from "../oss-client.ts";
import { formatBytes, printJson, printTable } from "../output.ts";

export function registerOss(program: Command): void {
  const oss = program
    .command("oss")
    .description("object storage: buckets and objects at oss://bucket/key")
    .addHelpText(
      "after",
      "\nExamples:\n  lodestone oss mb oss://demo\n  lodestone oss cp -r ./docs oss://demo/data/\n  lodestone oss ls oss://demo/data/\n  lodestone oss rm -r oss://demo/data/\n",
    );

  oss
    .command("mb <url>")
    .description("make a bucket")
    .option("--json", "print JSON")
    .action(async (url: string, opts: { json?: boolean }, command: Command) => {
      const { bucket } = parseOssUrl(url, "url");
      const info = await apiClient(command).json("PUT", `/v1/oss/${bucket}`);
      if (opts.json) printJson(info);
      else console.log(`made bucket oss://${bucket}`);
    });

  oss
    .command("rb <url>")
    .description("remove an empty bucket")
    .option("--json", "print JSON")
    .action(async (url: string, opts: { json?: boolean }, command: Command) => {
      const { bucket } = parseOssUrl(url, "url");
      await apiClient(command).json("DELETE", `/v1/oss/${bucket}`);
      if (opts.json) printJson({ removed: bucket });
      else console.log(`removed bucket oss://${bucket}`);
    });

  oss
    .command("ls [url]")
    .description("list buckets, or the objects and folders under an oss:// prefix")
    .option("-r, --recursive", "list every object below the prefix, not only one level")
    .option("--json", "print JSON")
    .action(
      async (url: string | undefined, opts: { recursive?: boolean; json?: boolean }, command: Command) => {
        const client = apiClient(command);
        if (!url) {
          const { buckets } = await client.json<{ buckets: Array<{ name: string; createdAt: string }> }>(
            "GET",
            "/v1/oss",
          );
          if (opts.json) return printJson({ buckets });
          return printTable(
            ["BUCKET", "CREATED"],
            buckets.map((b) => [`oss://${b.name}`, b.createdAt]),
          );
        }
        const target = parseOssUrl(url, "url");
        const page = await listAll(client, target, opts.recursive ? undefined : "/");
        if (opts.json) return printJson(page);
        printTable(
          ["SIZE", "MODIFIED", "URL"],
          [
            ...page.commonPrefixes.map((p) => ["DIR", "", formatOssUrl(target.bucket, p)]),
            ...page.objects.map((o) => [
              formatBytes(o.size),
              o.lastModified,
              formatOssUrl(target.bucket, o.key),
            ]),
          ],
        );
      },
    );

  oss
    .command("cp <source> <target>")
    .description("copy a file or folder to oss://, or objects from oss:// to a local path")
    .option("-r, --recursive", "copy a folder or a whole prefix")
    .option("--json", "print JSON")
    .action(
      async (
        source: string,
        target: string,
        opts: { recursive?: boolean; json?: boolean },
        command: Command,
      ) => {
        const copied = await copyPaths(apiClient(command), source, target, Boolean(opts.recursive));
        if (opts.json) return printJson({ copied });
        const bytes = copied.reduce((sum, c) => sum + c.bytes, 0);
        console.log(`copied ${copied.length} file(s), ${formatBytes(bytes)}, to ${target}`);
      },
    );

  oss
    .command("rm <url>")
    .description("remove an object, or with -r every object under a prefix")
    .option("-r, --recursive", "remove everything under the prefix")
    .option("--json", "print JSON")
    .action(async (url: string, opts: { recursive?: boolean; json?: boolean }, command: Command) => {
      const client = apiClient(command);
      const target = parseOssUrl(url, "url");
      let keys = [target.key];
      if (opts.recursive) {
        const prefix = asPrefix(target.key);
        keys = (await listAll(client, { bucket: target.bucket, key: prefix })).objects.map((o) => o.key);
      } else if (target.key === "" || target.key.endsWith("/")) {
        throw new CliError(`${url} is a prefix; use -r to remove everything under it`, 2);
      }
      for (const key of keys) await client.json("DELETE", objectPath(target, key));
      if (opts.json) return printJson({ removed: keys.map((k) => formatOssUrl(target.bucket, k)) });
      console.log(`removed ${keys.length} object(s)`);
    });
}

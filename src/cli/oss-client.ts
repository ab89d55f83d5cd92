import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { asPrefix, formatOssUrl, isOssUrl, type OssUrl, parseOssUrl } from "../storage/oss-url.ts";
import { localFiles } from "../storage/transfer.ts";
import { type ApiClient, CliError } from "./client.ts";

/** Object storage through the HTTP API, for the CLI: listing, upload, download and copy. */

interface ObjectInfo {
  key: string;
  size: number;
  lastModified: string;
}
export interface ListPage {
  objects: ObjectInfo[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextMarker?: string;
}

export const objectPath = (url: OssUrl, key = url.key) =>
  `/v1/oss/${url.bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;

export async function listAll(client: ApiClient, url: OssUrl, delimiter?: string): Promise<ListPage> {
  const all: ListPage = { objects: [], commonPrefixes: [], isTruncated: false };
  let marker: string | undefined;
  do {
    const page = await client.json<ListPage>("GET", `/v1/oss/${url.bucket}`, {
      query: { prefix: url.key, delimiter, marker },
    });
    all.objects.push(...page.objects);
    all.commonPrefixes.push(...page.commonPrefixes);
    marker = page.isTruncated ? page.nextMarker : undefined;
  } while (marker);
  return all;
}

async function upload(client: ApiClient, file: string, url: OssUrl): Promise<number> {
  const stat = await fsp.stat(file);
  const body = Readable.toWeb(fs.createReadStream(file)) as ReadableStream;
  await client.send("PUT", objectPath(url), { rawBody: body });
  return stat.size;
}

async function download(client: ApiClient, url: OssUrl, file: string): Promise<number> {
  const response = await client.send("GET", objectPath(url));
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await pipeline(Readable.fromWeb(response.body as never), fs.createWriteStream(file));
  return Number(response.headers.get("content-length") ?? 0);
}

/** `cp` between local paths and oss:// URLs, one file or (with -r) a whole folder or prefix. */
export async function copyPaths(client: ApiClient, source: string, target: string, recursive: boolean) {
  const copied: Array<{ from: string; to: string; bytes: number }> = [];
  if (!isOssUrl(source) && isOssUrl(target)) {
    const dest = parseOssUrl(target, "target");
    const stat = await fsp.stat(source).catch(() => {
      throw new CliError(`${source} does not exist`);
    });
    if (stat.isDirectory()) {
      if (!recursive) throw new CliError(`${source} is a folder; use -r to copy it`, 2);
      const prefix = asPrefix(dest.key);
      for (const rel of await localFiles(source)) {
        const to = { bucket: dest.bucket, key: prefix + rel };
        copied.push({
          from: path.join(source, rel),
          to: formatOssUrl(to.bucket, to.key),
          bytes: await upload(client, path.join(source, rel), to),
        });
      }
    } else {
      const key = dest.key === "" || dest.key.endsWith("/") ? dest.key + path.basename(source) : dest.key;
      copied.push({
        from: source,
        to: formatOssUrl(dest.bucket, key),
        bytes: await upload(client, source, { bucket: dest.bucket, key }),
      });
    }
  } else if (isOssUrl(source) && !isOssUrl(target)) {
    const src = parseOssUrl(source, "source");
    if (recursive || src.key === "" || src.key.endsWith("/")) {
      const prefix = asPrefix(src.key);
      const { objects } = await listAll(client, { bucket: src.bucket, key: prefix });
      for (const object of objects) {
        const file = path.join(target, ...object.key.slice(prefix.length).split("/"));
        copied.push({
          from: formatOssUrl(src.bucket, object.key),
          to: file,
          bytes: await download(client, { bucket: src.bucket, key: object.key }, file),
        });
      }
    } else {
      const isDir = await fsp.stat(target).then(
        (s) => s.isDirectory(),
        () => target.endsWith("/"),
      );
      const file = isDir ? path.join(target, path.posix.basename(src.key)) : target;
      copied.push({ from: source, to: file, bytes: await download(client, src, file) });
    }
  } else {
    throw new CliError(
      "cp copies between a local path and an oss:// URL: one side must be oss://, the other local",
      2,
    );
  }
  return copied;
}

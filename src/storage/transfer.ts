import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { validateKey } from "./names.ts";
import type { ObjectStore } from "./object-store.ts";
import { asPrefix, type OssUrl } from "./oss-url.ts";

export interface TransferStats {
  files: number;
  bytes: number;
}

export type TransferProgress = (done: TransferStats) => void;

/** Every object key under a prefix, following list pagination. */
export async function listAllKeys(store: ObjectStore, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let marker: string | undefined;
  do {
    const page = await store.listObjects(bucket, { prefix, marker });
    keys.push(...page.objects.map((o) => o.key));
    marker = page.isTruncated ? page.nextMarker : undefined;
  } while (marker);
  return keys;
}

/**
 * Copies an oss:// object, or every object under an oss:// prefix, into a local folder, keeping the
 * key paths below the prefix. A URL naming one object copies that object into the folder.
 */
export async function downloadToDirectory(
  store: ObjectStore,
  url: OssUrl,
  localDir: string,
  onProgress?: TransferProgress,
): Promise<TransferStats> {
  await fsp.mkdir(localDir, { recursive: true });
  const stats: TransferStats = { files: 0, bytes: 0 };
  const isObject = url.key !== "" && !url.key.endsWith("/") && (await exists(store, url.bucket, url.key));
  const prefix = isObject ? url.key : asPrefix(url.key);
  const keys = isObject ? [url.key] : await listAllKeys(store, url.bucket, prefix);
  if (keys.length === 0) await store.headBucket(url.bucket);
  for (const key of keys) {
    const relative = isObject ? path.posix.basename(key) : key.slice(prefix.length);
    const target = path.join(localDir, ...relative.split("/"));
    await fsp.mkdir(path.dirname(target), { recursive: true });
    const { info, body } = await store.getObject(url.bucket, key);
    await pipeline(body, fs.createWriteStream(target));
    stats.files++;
    stats.bytes += info.size;
    onProgress?.(stats);
  }
  return stats;
}

/** Uploads every regular file below a local folder to an oss:// prefix (symbolic links are skipped). */
export async function uploadDirectory(
  store: ObjectStore,
  localDir: string,
  url: OssUrl,
  onProgress?: TransferProgress,
): Promise<TransferStats> {
  const prefix = asPrefix(url.key);
  const stats: TransferStats = { files: 0, bytes: 0 };
  for (const relative of await localFiles(localDir)) {
    const key = prefix + relative;
    validateKey(key, "path");
    const info = await store.putObject(url.bucket, key, fs.createReadStream(path.join(localDir, relative)));
    stats.files++;
    stats.bytes += info.size;
    onProgress?.(stats);
  }
  return stats;
}

/** Relative "/"-separated paths of the regular files below a folder, sorted. */
export async function localFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (sub: string) => {
    const entries = await fsp.readdir(path.join(dir, sub), { withFileTypes: true });
    for (const entry of entries) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await visit(rel);
      else if (entry.isFile()) out.push(rel);
    }
  };
  await visit("");
  return out.sort();
}

async function exists(store: ObjectStore, bucket: string, key: string): Promise<boolean> {
  try {
    await store.headObject(bucket, key);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === "NoSuchKey") return false;
    throw err;
  }
}

/**
 * Where files come from. A root is one path or oss:// URL as the user gave it: a folder or
 * prefix (every file below it; files that disappear from it are deleted from the index on the
 * next ingestion) or a single file. Local files are named by their path relative to the base
 * folder (the current folder by default), "/"-separated; objects by their oss:// URL.
 */
import { createHash } from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import { badRequest } from "../../common/errors.ts";
import { asPrefix, formatOssUrl, isOssUrl, parseOssUrl } from "../../storage/oss-url.ts";
import { localFiles } from "../../storage/transfer.ts";

export interface SourceFile {
  /** The `source` field of its chunks: relative path or oss:// URL. */
  source: string;
  /** The file name, for a title when the file has none. */
  name: string;
  /** ISO time of the last change. */
  modifiedAt: string;
  read(): Promise<Uint8Array>;
}

export interface SourceRoot {
  /** The `source_root` field: what the user named, normalised (folders and prefixes end in "/"). */
  root: string;
  files: SourceFile[];
}

/** Listing and reading oss:// objects (the CLI does it through the platform API). */
export interface ObjectSource {
  list(bucket: string, prefix: string): Promise<Array<{ key: string; lastModified: string }>>;
  read(bucket: string, key: string): Promise<Uint8Array>;
}

export const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

/** A path relative to `base` when it is inside it, else absolute; always "/"-separated. */
function sourceName(base: string, file: string): string {
  const rel = path.relative(base, file);
  const name = rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : path.resolve(file);
  return name.split(path.sep).join("/");
}

export async function localRoot(spec: string, base = process.cwd()): Promise<SourceRoot> {
  const full = path.resolve(base, spec);
  const stat = await fsp.stat(full).catch(() => {
    throw badRequest("NoSuchPath", `${spec}: no such file or folder`, "paths");
  });
  const file = (abs: string): SourceFile => ({
    source: sourceName(base, abs),
    name: path.basename(abs),
    modifiedAt: "",
    read: async () => new Uint8Array(await fsp.readFile(abs)),
  });
  const withTime = async (f: SourceFile, abs: string) => {
    f.modifiedAt = (await fsp.stat(abs)).mtime.toISOString();
    return f;
  };
  if (!stat.isDirectory()) return { root: sourceName(base, full), files: [await withTime(file(full), full)] };
  const files: SourceFile[] = [];
  for (const rel of await localFiles(full)) {
    // hidden files and folders (.git, .DS_Store) are not documents
    if (rel.split("/").some((part) => part.startsWith("."))) continue;
    const abs = path.join(full, ...rel.split("/"));
    files.push(await withTime(file(abs), abs));
  }
  const root = sourceName(base, full);
  return { root: root === "" ? "./" : `${root}/`, files };
}

export async function ossRoot(spec: string, objects: ObjectSource): Promise<SourceRoot> {
  const url = parseOssUrl(spec, "paths");
  const file = (key: string, lastModified: string): SourceFile => ({
    source: formatOssUrl(url.bucket, key),
    name: path.posix.basename(key),
    modifiedAt: new Date(lastModified).toISOString(),
    read: () => objects.read(url.bucket, key),
  });
  const prefix = asPrefix(url.key);
  const listed = await objects.list(url.bucket, url.key === "" || url.key.endsWith("/") ? prefix : url.key);
  // oss://b/docs names the object "docs" when there is one, else the prefix "docs/"
  const exact = listed.find((o) => o.key === url.key);
  if (exact && url.key !== "") return { root: spec, files: [file(exact.key, exact.lastModified)] };
  const below = listed.filter((o) => o.key.startsWith(prefix) && !o.key.endsWith("/"));
  if (!below.length) throw badRequest("NoSuchPath", `${spec}: no objects there`, "paths");
  return {
    root: formatOssUrl(url.bucket, prefix),
    files: below.map((o) => file(o.key, o.lastModified)).sort((a, b) => a.source.localeCompare(b.source)),
  };
}

export function sourceRoot(
  spec: string,
  opts: { base?: string; objects?: ObjectSource },
): Promise<SourceRoot> {
  if (!isOssUrl(spec)) return localRoot(spec, opts.base);
  if (!opts.objects)
    throw badRequest("NoObjectStorage", `${spec}: oss:// paths need the platform's object storage`, "paths");
  return ossRoot(spec, opts.objects);
}

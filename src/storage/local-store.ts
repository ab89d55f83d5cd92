import { randomBytes } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { badRequest, conflict, LodestoneError, notFound } from "../common/errors.ts";
import { hasControlCharacters, validateBucketName, validateKey } from "./names.ts";
import {
  type BucketInfo,
  DEFAULT_MAX_KEYS,
  type ListOptions,
  type ListResult,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStore,
} from "./object-store.ts";

const TMP_DIR = ".tmp";

export interface LocalStoreOptions {
  /** Largest object accepted, in bytes. */
  maxObjectBytes?: number;
}

/**
 * Object storage in a local folder: `<root>/<bucket>/<key>`. Keys are validated before they become
 * paths and every resolved path is checked to stay inside its bucket, symbolic links included.
 * Writes go to a temporary file that is fsynced and renamed into place, so an acknowledged put
 * survives a crash and a crash mid-put leaves the old object.
 */
export class LocalObjectStore implements ObjectStore {
  readonly root: string;
  private readonly maxObjectBytes: number;

  constructor(root: string, opts: LocalStoreOptions = {}) {
    this.root = path.resolve(root);
    this.maxObjectBytes = opts.maxObjectBytes ?? Number.POSITIVE_INFINITY;
    fs.mkdirSync(this.root, { recursive: true });
    // Leftovers of puts interrupted by a crash.
    fs.rmSync(path.join(this.root, TMP_DIR), { recursive: true, force: true });
    fs.mkdirSync(path.join(this.root, TMP_DIR));
  }

  async listBuckets(): Promise<BucketInfo[]> {
    const entries = await fsp.readdir(this.root, { withFileTypes: true });
    const buckets = entries.filter((e) => e.isDirectory() && e.name !== TMP_DIR).map((e) => e.name);
    return Promise.all(buckets.sort().map((name) => this.headBucket(name)));
  }

  async createBucket(bucket: string, opts: { ifNotExists?: boolean } = {}): Promise<BucketInfo> {
    validateBucketName(bucket);
    try {
      await fsp.mkdir(path.join(this.root, bucket));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (!opts.ifNotExists)
        throw conflict("BucketAlreadyExists", `bucket ${bucket} already exists`, "bucket");
    }
    return this.headBucket(bucket);
  }

  async deleteBucket(bucket: string): Promise<void> {
    const dir = await this.bucketDir(bucket);
    const { objects } = await this.listObjects(bucket, { maxKeys: 1 });
    if (objects.length > 0) {
      throw conflict(
        "BucketNotEmpty",
        `bucket ${bucket} is not empty; delete its objects first (oss rm -r)`,
        "bucket",
      );
    }
    await fsp.rm(dir, { recursive: true, force: true });
  }

  async headBucket(bucket: string): Promise<BucketInfo> {
    const dir = await this.bucketDir(bucket);
    const stat = await fsp.stat(dir);
    return { name: bucket, createdAt: stat.birthtime.toISOString() };
  }

  async putObject(bucket: string, key: string, body: ObjectBody): Promise<ObjectInfo> {
    const file = await this.objectPath(bucket, key);
    const tmp = path.join(this.root, TMP_DIR, `${randomBytes(8).toString("hex")}.part`);
    try {
      const source =
        typeof body === "string" || Buffer.isBuffer(body) ? Readable.from([Buffer.from(body)]) : body;
      // flush: the data reaches the disk before the rename makes it visible.
      await pipeline(source, this.sizeLimit(key), fs.createWriteStream(tmp, { flags: "wx", flush: true }));
      await this.makeParents(bucket, key, file);
      await this.refuseFolderAt(file, key);
      await fsp.rename(tmp, file);
      await syncDir(path.dirname(file));
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    return this.headObject(bucket, key);
  }

  async getObject(bucket: string, key: string): Promise<{ info: ObjectInfo; body: Readable }> {
    const file = await this.objectPath(bucket, key);
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch (err) {
      throw this.missing(err, bucket, key);
    }
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      throw notFound("NoSuchKey", `object oss://${bucket}/${key} does not exist (it is a folder)`, "key");
    }
    return { info: toInfo(bucket, key, stat), body: handle.createReadStream() };
  }

  async headObject(bucket: string, key: string): Promise<ObjectInfo> {
    const file = await this.objectPath(bucket, key);
    const stat = await fsp.lstat(file).catch((err) => {
      throw this.missing(err, bucket, key);
    });
    if (!stat.isFile()) throw notFound("NoSuchKey", `object oss://${bucket}/${key} does not exist`, "key");
    return toInfo(bucket, key, stat);
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    const file = await this.objectPath(bucket, key);
    await this.headObject(bucket, key);
    await fsp.rm(file);
    await this.pruneEmptyParents(bucket, path.dirname(file));
  }

  async listObjects(bucket: string, opts: ListOptions = {}): Promise<ListResult> {
    const dir = await this.bucketDir(bucket);
    const prefix = opts.prefix ?? "";
    const delimiter = opts.delimiter ?? "";
    const maxKeys = Math.max(1, Math.min(opts.maxKeys ?? DEFAULT_MAX_KEYS, DEFAULT_MAX_KEYS));
    validatePrefix(prefix);
    // Only the folder named by the prefix's path part can hold matching keys.
    const folder = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    const start = folder ? path.join(dir, ...folder.split("/")) : dir;
    await assertInside(dir, start, prefix, "prefix");
    const keys: Array<{ key: string; stat: fs.Stats }> = [];
    await walk(start, folder, async (key, stat) => {
      if (key.startsWith(prefix)) keys.push({ key, stat });
    });
    keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

    const result: ListResult = { objects: [], commonPrefixes: [], isTruncated: false, nextMarker: undefined };
    let count = 0;
    for (const { key, stat } of keys) {
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      const entry = cut === -1 ? key : key.slice(0, cut + delimiter.length);
      if (opts.marker !== undefined && entry <= opts.marker) continue;
      if (cut !== -1 && result.commonPrefixes.at(-1) === entry) continue;
      if (count === maxKeys) {
        result.isTruncated = true;
        break;
      }
      if (cut === -1) result.objects.push(toInfo(bucket, key, stat));
      else result.commonPrefixes.push(entry);
      result.nextMarker = entry;
      count++;
    }
    if (!result.isTruncated) result.nextMarker = undefined;
    return result;
  }

  private async bucketDir(bucket: string): Promise<string> {
    validateBucketName(bucket);
    const dir = path.join(this.root, bucket);
    const stat = await fsp.stat(dir).catch(() => undefined);
    if (!stat?.isDirectory()) {
      throw notFound(
        "NoSuchBucket",
        `bucket ${bucket} does not exist; create it with: lodestone oss mb oss://${bucket}`,
        "bucket",
      );
    }
    return dir;
  }

  /** The file path of an object, after checking that no existing part of it leads out of the bucket. */
  private async objectPath(bucket: string, key: string): Promise<string> {
    validateKey(key);
    const dir = await this.bucketDir(bucket);
    const file = path.join(dir, ...key.split("/"));
    await assertInside(dir, path.dirname(file), key, "key");
    const stat = await fsp.lstat(file).catch(() => undefined);
    if (stat?.isSymbolicLink()) {
      throw badRequest(
        "InvalidObjectName",
        `key: object key ${JSON.stringify(key)} is a symbolic link`,
        "key",
      );
    }
    return file;
  }

  private async makeParents(bucket: string, key: string, file: string): Promise<void> {
    try {
      await fsp.mkdir(path.dirname(file), { recursive: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "EEXIST" && code !== "ENOTDIR") throw err;
      throw conflict(
        "KeyConflict",
        `cannot store oss://${bucket}/${key}: a parent of it is an object`,
        "key",
      );
    }
  }

  private async refuseFolderAt(file: string, key: string): Promise<void> {
    const stat = await fsp.lstat(file).catch(() => undefined);
    if (stat?.isDirectory()) {
      throw conflict("KeyConflict", `cannot store ${key}: objects already exist under ${key}/`, "key");
    }
  }

  private async pruneEmptyParents(bucket: string, dir: string): Promise<void> {
    const bucketDir = path.join(this.root, bucket);
    while (dir !== bucketDir && dir.startsWith(bucketDir)) {
      try {
        await fsp.rmdir(dir);
      } catch {
        return;
      }
      dir = path.dirname(dir);
    }
  }

  private sizeLimit(key: string): Transform {
    let total = 0;
    const limit = this.maxObjectBytes;
    return new Transform({
      transform(chunk: Buffer, _enc, done) {
        total += chunk.length;
        if (total > limit) {
          done(
            new LodestoneError(
              413,
              "EntityTooLarge",
              `object ${key} is larger than the limit of ${limit} bytes`,
            ),
          );
        } else done(null, chunk);
      },
    });
  }

  private missing(err: unknown, bucket: string, key: string): Error {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      return notFound("NoSuchKey", `object oss://${bucket}/${key} does not exist`, "key");
    }
    if (code === "ELOOP")
      return badRequest("InvalidObjectName", `key: ${JSON.stringify(key)} is a symbolic link`, "key");
    return err as Error;
  }
}

/** Refuses a path whose deepest existing ancestor resolves (through symbolic links) outside the bucket. */
async function assertInside(bucketDir: string, target: string, key: string, param: string): Promise<void> {
  const bucketReal = await fsp.realpath(bucketDir);
  let existing = target;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  const real = await fsp.realpath(existing);
  if (real !== bucketReal && !real.startsWith(bucketReal + path.sep)) {
    throw badRequest("InvalidObjectName", `${param}: ${JSON.stringify(key)} leads outside its bucket`, param);
  }
}

function validatePrefix(prefix: string): void {
  if (prefix === "") return;
  const folder = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
  if (folder) validateKey(folder, "prefix");
  const rest = prefix.slice(folder ? folder.length + 1 : 0);
  if (rest === "." || rest === ".." || rest.includes("\\") || hasControlCharacters(rest))
    validateKey(prefix, "prefix");
}

/** Visits every regular file below `dir`, without following symbolic links. */
async function walk(dir: string, keyPrefix: string, visit: (key: string, stat: fs.Stats) => Promise<void>) {
  const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const key = keyPrefix ? `${keyPrefix}/${entry.name}` : entry.name;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, key, visit);
    else if (entry.isFile()) await visit(key, await fsp.lstat(full));
  }
}

function toInfo(bucket: string, key: string, stat: fs.Stats): ObjectInfo {
  return { bucket, key, size: stat.size, lastModified: stat.mtime.toISOString() };
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

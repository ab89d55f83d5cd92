import type { Readable } from "node:stream";

/**
 * Object storage as Lodestone's modules see it: buckets of keyed objects, the shape of Alibaba OSS
 * and S3. Callers hold only this interface, so a backend for an S3-compatible service can replace
 * the local-folder one without touching them.
 */
export interface ObjectStore {
  listBuckets(): Promise<BucketInfo[]>;
  /** Creates a bucket; `BucketAlreadyExists` (409) if it exists, unless `ifNotExists`. */
  createBucket(bucket: string, opts?: { ifNotExists?: boolean }): Promise<BucketInfo>;
  /** Deletes an empty bucket; `BucketNotEmpty` (409) otherwise. */
  deleteBucket(bucket: string): Promise<void>;
  headBucket(bucket: string): Promise<BucketInfo>;

  /** Writes an object atomically: readers see the old content or the new, never a part. */
  putObject(bucket: string, key: string, body: ObjectBody): Promise<ObjectInfo>;
  getObject(bucket: string, key: string): Promise<{ info: ObjectInfo; body: Readable }>;
  headObject(bucket: string, key: string): Promise<ObjectInfo>;
  deleteObject(bucket: string, key: string): Promise<void>;
  /** Lists keys in lexicographic order, OSS/S3 style: prefix, delimiter, marker, maxKeys. */
  listObjects(bucket: string, opts?: ListOptions): Promise<ListResult>;
}

export type ObjectBody = Buffer | string | Readable;

export interface BucketInfo {
  name: string;
  createdAt: string;
}

export interface ObjectInfo {
  bucket: string;
  key: string;
  size: number;
  lastModified: string;
}

export interface ListOptions {
  prefix?: string;
  /** With "/", keys below the next "/" after the prefix are rolled up into `commonPrefixes`. */
  delimiter?: string;
  /** Start after this key. */
  marker?: string;
  maxKeys?: number;
}

export interface ListResult {
  objects: ObjectInfo[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextMarker: string | undefined;
}

export const DEFAULT_MAX_KEYS = 1000;

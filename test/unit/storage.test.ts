import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { LocalObjectStore } from "../../src/storage/local-store.ts";
import { parseOssUrl } from "../../src/storage/oss-url.ts";
import { tempDir } from "../helpers/platform.ts";

const HOSTILE_KEYS = [
  "../x",
  "a/../../x",
  "/etc/passwd",
  "a\\..\\b",
  "a\u0000b",
  "a//b",
  "./a",
  "a/.",
  "..",
  "a/",
  "line\nbreak",
  "x".repeat(1024),
];
const HOSTILE_BUCKETS = ["..", "../evil", "UPPER", "a", "-ab", "ab-", "a_b", ".tmp"];

async function rejects(promise: Promise<unknown>, status: number, code: RegExp) {
  await assert.rejects(promise, (err: { status?: number; code?: string }) => {
    assert.equal(err.status, status);
    assert.match(String(err.code), code);
    return true;
  });
}

describe("LocalObjectStore", () => {
  test("buckets: create, list, conflict, delete only when empty", async () => {
    const store = new LocalObjectStore(tempDir());
    await store.createBucket("alpha");
    await rejects(store.createBucket("alpha"), 409, /BucketAlreadyExists/);
    await store.putObject("alpha", "k", "v");
    assert.deepEqual(
      (await store.listBuckets()).map((b) => b.name),
      ["alpha"],
    );
    await rejects(store.deleteBucket("alpha"), 409, /BucketNotEmpty/);
    await store.deleteObject("alpha", "k");
    await store.deleteBucket("alpha");
    await rejects(store.headBucket("alpha"), 404, /NoSuchBucket/);
  });

  test("listing follows OSS: lexicographic order, prefix, delimiter, marker and max-keys", async () => {
    const store = new LocalObjectStore(tempDir());
    await store.createBucket("list");
    for (const key of ["a/b", "a-c", "a/d/e", "b"]) await store.putObject("list", key, key);
    const all = await store.listObjects("list");
    assert.deepEqual(
      all.objects.map((o) => o.key),
      ["a-c", "a/b", "a/d/e", "b"],
    );
    const rolled = await store.listObjects("list", { prefix: "a/", delimiter: "/" });
    assert.deepEqual(
      rolled.objects.map((o) => o.key),
      ["a/b"],
    );
    assert.deepEqual(rolled.commonPrefixes, ["a/d/"]);
    const first = await store.listObjects("list", { maxKeys: 2 });
    assert.equal(first.isTruncated, true);
    const rest = await store.listObjects("list", { marker: first.nextMarker });
    assert.deepEqual(
      rest.objects.map((o) => o.key),
      ["a/d/e", "b"],
    );
  });

  test("objects: put is atomic, size limit is 413, file/folder conflicts are 409", async () => {
    const root = tempDir();
    const store = new LocalObjectStore(root, { maxObjectBytes: 1024 });
    await store.createBucket("obj");
    await store.putObject("obj", "dir/file.txt", Buffer.from("hello"));
    const { body } = await store.getObject("obj", "dir/file.txt");
    let text = "";
    for await (const chunk of body) text += chunk;
    assert.equal(text, "hello");
    await rejects(store.putObject("obj", "big", Buffer.alloc(2048)), 413, /EntityTooLarge/);
    await rejects(store.putObject("obj", "dir/file.txt/x", "v"), 409, /KeyConflict/);
    await rejects(store.putObject("obj", "dir", "v"), 409, /KeyConflict/);
    await rejects(store.headObject("obj", "big"), 404, /NoSuchKey/);
    assert.deepEqual(fs.readdirSync(path.join(root, ".tmp")), []);
  });

  test(`${HOSTILE_KEYS.length} hostile keys and ${HOSTILE_BUCKETS.length} hostile bucket names are refused, nothing is written`, async () => {
    const root = tempDir();
    const store = new LocalObjectStore(path.join(root, "oss"));
    await store.createBucket("safe");
    for (const key of HOSTILE_KEYS) {
      await rejects(store.putObject("safe", key, "evil"), 400, /InvalidObjectName/);
      await rejects(store.getObject("safe", key), 400, /InvalidObjectName/);
      await rejects(store.deleteObject("safe", key), 400, /InvalidObjectName/);
    }
    for (const bucket of HOSTILE_BUCKETS) {
      await rejects(store.createBucket(bucket), 400, /InvalidBucketName/);
      await rejects(store.putObject(bucket, "k", "evil"), 400, /InvalidBucketName/);
    }
    await rejects(store.listObjects("safe", { prefix: "../" }), 400, /InvalidObjectName/);
    assert.deepEqual(fs.readdirSync(root), ["oss"]);
    assert.deepEqual((await store.listObjects("safe")).objects, []);
  });

  test("a symbolic link inside a bucket that leads outside cannot be used to read, write or list", async () => {
    const root = tempDir();
    const outside = tempDir();
    fs.writeFileSync(path.join(outside, "secret.txt"), "secret");
    const store = new LocalObjectStore(root);
    await store.createBucket("links");
    fs.symlinkSync(outside, path.join(root, "links", "escape"));
    fs.symlinkSync(path.join(outside, "secret.txt"), path.join(root, "links", "file-link"));
    await rejects(store.putObject("links", "escape/new.txt", "x"), 400, /InvalidObjectName/);
    await rejects(store.getObject("links", "escape/secret.txt"), 400, /InvalidObjectName/);
    await rejects(store.getObject("links", "file-link"), 400, /InvalidObjectName/);
    await rejects(store.listObjects("links", { prefix: "escape/" }), 400, /InvalidObjectName/);
    assert.deepEqual((await store.listObjects("links")).objects, [], "links are not followed when listing");
    assert.deepEqual(fs.readdirSync(outside), ["secret.txt"]);
    assert.equal(fs.readFileSync(path.join(outside, "secret.txt"), "utf8"), "secret");
  });
});

test("parseOssUrl", () => {
  assert.deepEqual(parseOssUrl("oss://b-1/data/"), { bucket: "b-1", key: "data/" });
  assert.deepEqual(parseOssUrl("oss://bucket"), { bucket: "bucket", key: "" });
  for (const bad of ["s3://x/y", "oss://UP/x", "oss://bucket/../x", "oss://bucket/a//b"]) {
    assert.throws(() => parseOssUrl(bad, "OssInput"), /OssInput/);
  }
});

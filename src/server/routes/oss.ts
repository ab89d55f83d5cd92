import type { Readable } from "node:stream";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { Platform } from "../platform-types.ts";

const BucketParams = Type.Object({ bucket: Type.String() });
const ObjectParams = Type.Object({ bucket: Type.String(), "*": Type.String() });
const ListQuery = Type.Object(
  {
    prefix: Type.Optional(Type.String({ maxLength: 1024 })),
    delimiter: Type.Optional(Type.String({ maxLength: 8 })),
    marker: Type.Optional(Type.String({ maxLength: 1024 })),
    "max-keys": Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);

/**
 * Object storage over HTTP: `/v1/oss/{bucket}` for buckets and `/v1/oss/{bucket}/{key}` for
 * objects (raw bytes in and out, any content type). Listing follows OSS: prefix, delimiter,
 * marker, max-keys.
 */
export function ossRoutes(app: FastifyInstance, platform: Platform): void {
  const store = platform.objects;

  app.get("/v1/oss", async () => ({ buckets: await store.listBuckets() }));

  app.put("/v1/oss/:bucket", { schema: { params: BucketParams } }, async (request, reply) => {
    const { bucket } = request.params as { bucket: string };
    reply.status(201);
    return store.createBucket(bucket);
  });

  app.get(
    "/v1/oss/:bucket",
    { schema: { params: BucketParams, querystring: ListQuery } },
    async (request) => {
      const { bucket } = request.params as { bucket: string };
      const query = request.query as {
        prefix?: string;
        delimiter?: string;
        marker?: string;
        "max-keys"?: number;
      };
      const result = await store.listObjects(bucket, {
        prefix: query.prefix,
        delimiter: query.delimiter,
        marker: query.marker,
        maxKeys: query["max-keys"],
      });
      return { bucket, prefix: query.prefix ?? "", delimiter: query.delimiter ?? "", ...result };
    },
  );

  app.delete("/v1/oss/:bucket", { schema: { params: BucketParams } }, async (request, reply) => {
    const { bucket } = request.params as { bucket: string };
    await store.deleteBucket(bucket);
    return reply.status(204).send();
  });

  // Object bodies are streamed as they are, whatever their content type.
  app.register(async (objects) => {
    objects.removeAllContentTypeParsers();
    objects.addContentTypeParser("*", (_request, payload, done) => done(null, payload));

    objects.put("/v1/oss/:bucket/*", { schema: { params: ObjectParams } }, async (request, reply) => {
      const { bucket, "*": key } = request.params as { bucket: string; "*": string };
      const body = (request.body as Readable | undefined) ?? Buffer.alloc(0);
      reply.status(201);
      return store.putObject(bucket, key, body);
    });
  });

  app.get(
    "/v1/oss/:bucket/*",
    { schema: { params: ObjectParams }, exposeHeadRoute: false },
    async (request, reply) => {
      const { bucket, "*": key } = request.params as { bucket: string; "*": string };
      const { info, body } = await store.getObject(bucket, key);
      return reply
        .header("content-type", "application/octet-stream")
        .header("content-length", info.size)
        .header("last-modified", new Date(info.lastModified).toUTCString())
        .send(body);
    },
  );

  app.head("/v1/oss/:bucket/*", { schema: { params: ObjectParams } }, async (request, reply) => {
    const { bucket, "*": key } = request.params as { bucket: string; "*": string };
    const info = await store.headObject(bucket, key);
    return reply
      .header("content-length", info.size)
      .header("last-modified", new Date(info.lastModified).toUTCString())
      .send();
  });

  app.delete("/v1/oss/:bucket/*", { schema: { params: ObjectParams } }, async (request, reply) => {
    const { bucket, "*": key } = request.params as { bucket: string; "*": string };
    await store.deleteObject(bucket, key);
    return reply.status(204).send();
  });
}

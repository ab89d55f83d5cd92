/**
 * A small embedder and reranker saved as model folders in object storage, for tests that register
 * and deploy models without the 300 MB GloVe file.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { saveEmbedder, saveReranker } from "../../src/models/artifacts.ts";
import type { WordVectors } from "../../src/models/glove.ts";
import { Reranker } from "../../src/models/reranker.ts";
import { initialEmbedder } from "../../src/models/training/init-embedder.ts";
import { mulberry32 } from "../../src/models/training/random.ts";
import type { RunningPlatform } from "../../src/server/platform.ts";
import { parseOssUrl } from "../../src/storage/oss-url.ts";
import { uploadDirectory } from "../../src/storage/transfer.ts";
import { api, tempDir } from "./platform.ts";
import { type ServerProcess, waitFor } from "./server-process.ts";

export const DOCS = [
  "the boundary layer on a flat plate thickens downstream",
  "shock waves form ahead of a blunt body in supersonic flow",
  "heat transfer to the wall rises with the mach number",
  "the wing lift depends on the angle of attack",
];

/** Small word vectors so the test needs no 300 MB GloVe file: related words share directions. */
export function smallVectors(): WordVectors {
  const words = [...new Set(DOCS.join(" ").split(" "))];
  const random = mulberry32(3);
  const dim = 100;
  const vectors = Float32Array.from({ length: words.length * dim }, () => random() - 0.5);
  return { dim, words, index: new Map(words.map((w, i) => [w, i])), vectors };
}

export async function uploadFolder(server: RunningPlatform, dir: string, url: string): Promise<void> {
  await server.platform.objects.createBucket(parseOssUrl(url).bucket, { ifNotExists: true });
  await uploadDirectory(server.platform.objects, dir, parseOssUrl(url));
}

/** Saves a `dimension`-d embedder and a reranker over it under `work`, and uploads both. */
export async function uploadSmallModels(
  server: RunningPlatform,
  work: string,
  urls: { embedder: string; reranker: string },
  dimension = 64,
): Promise<void> {
  const embedder = initialEmbedder({ documents: DOCS, glove: smallVectors(), dimension, gloveWords: 0 });
  saveEmbedder(embedder, path.join(work, "emb"));
  saveReranker(Reranker.create(embedder), path.join(work, "rerank"));
  await uploadFolder(server, path.join(work, "emb"), urls.embedder);
  await uploadFolder(server, path.join(work, "rerank"), urls.reranker);
}

/** Registers the model folder at `ossPath` and deploys it; asserts each step and waits until it runs. */
export async function deployFolder(
  server: RunningPlatform,
  name: string,
  ossPath: string,
): Promise<{ modelId: string; endpointId: string }> {
  const model = await api<{ model_id: string }>(server.url, "POST", "/v1/models", {
    model_name: name,
    oss_path: ossPath,
  });
  assert.equal(model.status, 201, JSON.stringify(model.body));
  const ep = await api<{ endpoint_id: string }>(server.url, "POST", "/v1/endpoints", {
    model_id: model.body.model_id,
  });
  assert.equal(ep.status, 201, JSON.stringify(ep.body));
  const settled = await server.platform.endpoints.settled(ep.body.endpoint_id);
  assert.equal(settled.status, "Running", settled.reason ?? undefined);
  return { modelId: model.body.model_id, endpointId: ep.body.endpoint_id };
}

/** Four words from four disjoint groups of eight, picked by n's base-8 digits: every n < 4096 gets its own word set, so its own vector. */
export function distinctText(n: number): string {
  const words = smallVectors().words;
  return [0, 1, 2, 3].map((p) => words[p * 8 + (Math.floor(n / 8 ** p) % 8)]).join(" ");
}

/** Saves a small `dimension`-d embedder in a temporary folder; returns the folder. */
export function saveSmallEmbedder(dimension: number): string {
  const dir = path.join(tempDir(), "emb");
  saveEmbedder(initialEmbedder({ documents: DOCS, glove: smallVectors(), dimension, gloveWords: 0 }), dir);
  return dir;
}

/** Uploads a local folder to `oss://bucket/prefix/` of a server process through the HTTP API. */
export async function uploadFolderTo(server: ServerProcess, dir: string, bucket: string, prefix: string) {
  await fetch(`${server.url}/v1/oss/${bucket}`, { method: "PUT", signal: AbortSignal.timeout(60_000) });
  for (const name of fs.readdirSync(dir)) {
    const res = await fetch(`${server.url}/v1/oss/${bucket}/${prefix}${name}`, {
      method: "PUT",
      body: fs.readFileSync(path.join(dir, name)),
      signal: AbortSignal.timeout(60_000),
    });
    assert.equal(res.status, 201, await res.text());
  }
}

/** Waits until endpoint `id` of a server process is Running (fails the test if it Failed). */
export async function waitEndpointRunning(server: ServerProcess, id: string): Promise<void> {
  await waitFor(
    async () => {
      const e = await api<{ status: string }>(server.url, "GET", `/v1/endpoints/${id}`);
      assert.notEqual(e.body.status, "Failed", JSON.stringify(e.body));
      return e.body.status === "Running" ? true : undefined;
    },
    60_000,
    `endpoint ${id} Running`,
  );
}

/** Saves, uploads, registers and deploys a small embedder on a server process; returns the endpoint id. */
export async function deploySmallEmbedderTo(server: ServerProcess, dimension: number): Promise<string> {
  await uploadFolderTo(server, saveSmallEmbedder(dimension), "models", "emb/");
  const model = await api<{ model_id: string }>(server.url, "POST", "/v1/models", {
    model_name: "small-emb",
    oss_path: "oss://models/emb/",
  });
  assert.equal(model.status, 201, JSON.stringify(model.body));
  const endpoint = await api<{ endpoint_id: string }>(server.url, "POST", "/v1/endpoints", {
    model_id: model.body.model_id,
  });
  assert.equal(endpoint.status, 201, JSON.stringify(endpoint.body));
  await waitEndpointRunning(server, endpoint.body.endpoint_id);
  return endpoint.body.endpoint_id;
}

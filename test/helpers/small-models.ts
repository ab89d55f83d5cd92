/**
 * A small embedder and reranker saved as model folders in object storage, for tests that register
 * and deploy models without the 300 MB GloVe file.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { saveEmbedder, saveReranker } from "../../src/models/artifacts.ts";
import type { WordVectors } from "../../src/models/glove.ts";
import { Reranker } from "../../src/models/reranker.ts";
import { initialEmbedder } from "../../src/models/training/init-embedder.ts";
import { mulberry32 } from "../../src/models/training/random.ts";
import type { RunningPlatform } from "../../src/server/platform.ts";
import { parseOssUrl } from "../../src/storage/oss-url.ts";
import { uploadDirectory } from "../../src/storage/transfer.ts";
import { api } from "./platform.ts";

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

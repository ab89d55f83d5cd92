/**
 * Ingest pipelines over HTTP, with the official OpenSearch client and fetch: CRUD and persistence,
 * `?pipeline=`, default and final pipelines, text_embedding batched across a bulk request,
 * dimension checks at every place a pipeline meets an index, a stopped model failing only its
 * items, `_simulate`, and `lodestone index bulk`. The engine runs with a fake model service.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Client } from "@opensearch-project/opensearch";
import type { FastifyInstance } from "fastify";
import { buildSearchApp } from "../../src/search/api/server.ts";
import { SearchEngine } from "../../src/search/engine.ts";
import { SearchModelError, type SearchModelInfo, type SearchModels } from "../../src/search/models.ts";
import { api, tempDir } from "../helpers/platform.ts";
import { runCli } from "../helpers/server-process.ts";

/** Deterministic embeddings from a hash of the text; `calls` records every embed call's texts. */
class HashEmbedder implements SearchModels {
  calls: Array<{ id: string; texts: string[] }> = [];
  stopped = new Set<string>();
  constructor(private readonly dims: Record<string, number>) {}
  describe(id: string): SearchModelInfo | undefined {
    if (id === "rerank-1") return { id, kind: "reranker", available: true };
    const dimension = this.dims[id];
    if (dimension === undefined) return undefined;
    const available = !this.stopped.has(id);
    return {
      id,
      kind: "embedding",
      dimension,
      available,
      hint: available ? undefined : `start it with POST /v1/endpoints/${id}/start`,
    };
  }
  async embed(id: string, texts: string[]): Promise<Float32Array[]> {
    this.calls.push({ id, texts });
    const info = this.describe(id);
    if (!info) throw new SearchModelError(400, `model [${id}] not found`);
    if (!info.available) throw new SearchModelError(409, `endpoint ${id} is Stopped; ${info.hint}`);
    return texts.map((t) => {
      const bytes = createHash("sha256").update(t).digest();
      const v = Float32Array.from(
        { length: info.dimension as number },
        (_, i) => (bytes[i % 32] as number) / 255 - 0.5,
      );
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    });
  }
  async rerank(): Promise<number[]> {
    return [];
  }
}

async function startEngine(dir: string, models: SearchModels) {
  const engine = await SearchEngine.open({ dataDir: dir });
  engine.useModels(models);
  const app = buildSearchApp(engine, { bodyLimit: 50 * 1024 * 1024, version: "test" });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return { engine, app, url };
}

type Started = { engine: SearchEngine; app: FastifyInstance; url: string };

async function stop(s: Started): Promise<void> {
  await s.app.close();
  await s.engine.close();
}

async function bulk(url: string, lines: unknown[], query = "") {
  const res = await fetch(`${url}/_bulk${query}`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`,
  });
  // biome-ignore lint/suspicious/noExplicitAny: test reads arbitrary bulk responses
  return { status: res.status, body: (await res.json()) as any };
}

describe("ingest pipelines over HTTP", () => {
  const models = new HashEmbedder({ "ep-small": 8, "ep-wide": 16 });
  let dir: string;
  let s: Started;
  let client: Client;

  before(async () => {
    dir = tempDir();
    s = await startEngine(dir, models);
    client = new Client({ node: s.url });
  });
  after(async () => {
    await client.close();
    await stop(s);
  });

  test("CRUD with the OpenSearch client, OpenSearch's 404s, and pipelines survive a restart", async () => {
    const body = {
      description: "tags documents",
      version: 3,
      processors: [{ set: { field: "tagged", value: true } }],
    };
    assert.deepEqual((await client.ingest.putPipeline({ id: "tag", body })).body, { acknowledged: true });
    assert.deepEqual((await client.ingest.getPipeline({ id: "tag" })).body, { tag: body });
    await client.ingest.putPipeline({ id: "tag2", body });
    assert.deepEqual(Object.keys((await client.ingest.getPipeline()).body).sort(), ["tag", "tag2"]);
    assert.deepEqual(Object.keys((await api(s.url, "GET", "/_ingest/pipeline/tag*")).body).sort(), [
      "tag",
      "tag2",
    ]);

    const missing = await api(s.url, "GET", "/_ingest/pipeline/nope");
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, {});
    const delMissing = await api<{ error: { type: string; reason: string } }>(
      s.url,
      "DELETE",
      "/_ingest/pipeline/nope",
    );
    assert.equal(delMissing.status, 404);
    assert.equal(delMissing.body.error.type, "resource_not_found_exception");
    assert.equal(delMissing.body.error.reason, "pipeline [nope] is missing");
    await client.ingest.deletePipeline({ id: "tag2" });

    await stop(s);
    s = await startEngine(dir, models);
    await client.close();
    client = new Client({ node: s.url });
    assert.deepEqual((await client.ingest.getPipeline({ id: "tag" })).body, { tag: body });
    assert.equal((await api(s.url, "GET", "/_ingest/pipeline/tag2")).status, 404);
  });

  test("PUT refuses unknown processors, missing properties and conditionals with 400s naming them", async () => {
    const put = (processors: unknown[]) =>
      api<{ error: Record<string, unknown> }>(s.url, "PUT", "/_ingest/pipeline/bad", { processors });
    const unknown = await put([{ geoip: { field: "ip" } }]);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.type, "parse_exception");
    assert.match(
      String(unknown.body.error.reason),
      /No processor type exists with name \[geoip\]; supported processors: .*text_embedding/,
    );
    const missing = await put([{ rename: { field: "a" } }]);
    assert.equal(missing.body.error.reason, "[target_field] required property is missing");
    assert.equal(missing.body.error.processor_type, "rename");
    const conditional = await put([{ drop: { if: "ctx.x == 1" } }]);
    assert.match(String(conditional.body.error.reason), /conditional processors need scripts/);
    const model = await put([{ text_embedding: { model_id: "ep-nope", field_map: { a: "b" } } }]);
    assert.equal(model.status, 400);
    assert.match(String(model.body.error.reason), /model \[ep-nope\] not found/);
    const kind = await put([{ text_embedding: { model_id: "rerank-1", field_map: { a: "b" } } }]);
    assert.match(String(kind.body.error.reason), /model \[rerank-1\] is a reranker model/);
    assert.equal((await api(s.url, "GET", "/_ingest/pipeline/bad")).status, 404);
  });

  test("?pipeline= on _doc and _bulk, the per-item pipeline, _none, drop, and a failure that fails one item", async () => {
    await client.ingest.putPipeline({
      id: "upper",
      body: {
        processors: [
          { uppercase: { field: "name" } },
          { set: { field: "via", value: "{{_ingest.on_failure_message}}upper" } },
        ],
      },
    });
    await client.ingest.putPipeline({ id: "dropper", body: { processors: [{ drop: {} }] } });
    const one = await client.index({
      index: "people",
      id: "1",
      pipeline: "upper",
      body: { name: "ada" },
      refresh: true,
    });
    assert.equal(one.body.result, "created");
    assert.deepEqual((await client.get({ index: "people", id: "1" })).body._source, {
      name: "ADA",
      via: "upper",
    });

    const res = await bulk(
      s.url,
      [
        { index: { _index: "people", _id: "2" } },
        { name: "bob" },
        { index: { _index: "people", _id: "3", pipeline: "_none" } },
        { name: "cy" },
        { create: { _index: "people", _id: "4", pipeline: "dropper" } },
        { name: "dee" },
        { index: { _index: "people", _id: "5" } },
        { name: 5 },
      ],
      "?pipeline=upper&refresh=true",
    );
    assert.equal(res.status, 200);
    assert.equal(res.body.errors, true);
    assert.equal(res.body.items[0].index.status, 201);
    assert.deepEqual(res.body.items[2].create, {
      _index: "people",
      _id: "4",
      _version: -3,
      result: "noop",
      _shards: { total: 0, successful: 0, failed: 0 },
      status: 200,
    });
    assert.equal(res.body.items[3].index.status, 400);
    assert.equal(
      res.body.items[3].index.error.reason,
      "field [name] of type [java.lang.Integer] cannot be cast to [java.lang.String]",
    );
    assert.equal(res.body.items[3].index.error.processor_type, "uppercase");
    const source = async (id: string) =>
      (await api<{ _source?: unknown; found: boolean }>(s.url, "GET", `/people/_doc/${id}`)).body;
    assert.deepEqual((await source("2"))._source, { name: "BOB", via: "upper" });
    assert.deepEqual((await source("3"))._source, { name: "cy" });
    assert.equal((await source("4")).found, false);
    assert.equal((await source("5")).found, false);

    const missing = await api<{ error: { reason: string } }>(s.url, "PUT", "/people/_doc/9?pipeline=ghost", {
      name: "x",
    });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.reason, "pipeline with id [ghost] does not exist");
  });

  test("index.default_pipeline and index.final_pipeline, checked at settings time and at write time", async () => {
    await client.ingest.putPipeline({
      id: "stamp",
      body: { processors: [{ set: { field: "stamped", value: true } }] },
    });
    await client.ingest.putPipeline({
      id: "last",
      body: { processors: [{ set: { field: "final", value: "{{_index}}" } }] },
    });
    const bad = await api<{ error: { reason: string } }>(s.url, "PUT", "/defaults", {
      settings: { "index.default_pipeline": "ghost" },
    });
    assert.equal(bad.status, 400);
    assert.match(
      bad.body.error.reason,
      /^pipeline with id \[ghost\] does not exist \(setting \[index.default_pipeline\] of index \[defaults\]\)/,
    );
    await client.indices.create({
      index: "defaults",
      body: { settings: { "index.default_pipeline": "stamp", "index.final_pipeline": "last" } },
    });
    await client.index({ index: "defaults", id: "a", body: { x: 1 }, refresh: true });
    assert.deepEqual((await client.get({ index: "defaults", id: "a" })).body._source, {
      x: 1,
      stamped: true,
      final: "defaults",
    });
    // a request pipeline replaces the default; the final pipeline still runs
    await client.index({ index: "defaults", id: "b", pipeline: "_none", body: { x: 2 }, refresh: true });
    assert.deepEqual((await client.get({ index: "defaults", id: "b" })).body._source, {
      x: 2,
      final: "defaults",
    });

    const badSettings = await api(s.url, "PUT", "/defaults/_settings", { "index.final_pipeline": "ghost" });
    assert.equal(badSettings.status, 400);
    // deleting a pipeline an index uses makes its writes fail, naming it
    await client.ingest.deletePipeline({ id: "stamp" });
    const failed = await bulk(s.url, [{ index: { _index: "defaults", _id: "c" } }, { x: 3 }]);
    assert.equal(failed.body.items[0].index.status, 400);
    assert.equal(failed.body.items[0].index.error.reason, "pipeline with id [stamp] does not exist");
    // in-process synchronous writes refuse to skip the pipelines
    assert.throws(
      () => s.engine.write("defaults", [{ op: "index", id: "d", source: {}, create: false }]),
      /bulkAsync/,
    );
  });

  test("text_embedding over a bulk load: one model call per 64 texts across documents, vectors in _source", async () => {
    await client.indices.create({
      index: "vectors",
      body: {
        settings: { "index.knn": true },
        mappings: { properties: { text: { type: "text" }, embedding: { type: "knn_vector", dimension: 8 } } },
      },
    });
    await client.ingest.putPipeline({
      id: "embed-small",
      body: { processors: [{ text_embedding: { model_id: "ep-small", field_map: { text: "embedding" } } }] },
    });
    await client.indices.putSettings({ index: "vectors", body: { "index.default_pipeline": "embed-small" } });
    models.calls.length = 0;
    const lines: unknown[] = [];
    for (let i = 0; i < 150; i++)
      lines.push({ index: { _index: "vectors", _id: `v${i}` } }, { text: `document number ${i}` });
    lines.push({ index: { _index: "vectors", _id: "no-text" } }, { title: "nothing to embed" });
    const res = await bulk(s.url, lines, "?refresh=true");
    assert.equal(
      res.body.errors,
      false,
      JSON.stringify(res.body.items.find((i: { index: { error?: unknown } }) => i.index.error)),
    );
    assert.deepEqual(
      models.calls.map((c) => c.texts.length),
      [64, 64, 22],
    );
    const [expected] = await models.embed("ep-small", ["document number 7"]);
    const doc = await client.get({ index: "vectors", id: "v7" });
    assert.deepEqual(Float32Array.from(doc.body._source.embedding), expected);
    assert.equal((await client.get({ index: "vectors", id: "no-text" })).body._source.embedding, undefined);
    assert.equal((await client.count({ index: "vectors" })).body.count, 151);
  });

  test("a model whose dimension differs from the knn_vector is refused wherever the pipeline meets the index", async () => {
    const mismatch =
      /produces vectors of dimension 16, but field \[embedding\] of index \[vectors\] is a knn_vector of dimension 8/;
    await client.ingest.putPipeline({
      id: "embed-wide",
      body: { processors: [{ text_embedding: { model_id: "ep-wide", field_map: { text: "embedding" } } }] },
    });
    const settings = await api<{ error: { reason: string } }>(s.url, "PUT", "/vectors/_settings", {
      "index.default_pipeline": "embed-wide",
    });
    assert.equal(settings.status, 400);
    assert.match(settings.body.error.reason, mismatch);
    const create = await api<{ error: { reason: string } }>(s.url, "PUT", "/vectors2", {
      settings: { "index.default_pipeline": "embed-wide" },
      mappings: { properties: { embedding: { type: "knn_vector", dimension: 8 } } },
    });
    assert.equal(create.status, 400);
    assert.match(
      create.body.error.reason,
      /dimension 16, but field \[embedding\] of index \[vectors2\] is a knn_vector of dimension 8/,
    );
    // changing the index's default pipeline to the wider model is refused at PUT pipeline
    const redefine = await api<{ error: { reason: string } }>(s.url, "PUT", "/_ingest/pipeline/embed-small", {
      processors: [{ text_embedding: { model_id: "ep-wide", field_map: { text: "embedding" } } }],
    });
    assert.equal(redefine.status, 400);
    assert.match(redefine.body.error.reason, mismatch);
    // at write time it fails the item, naming both numbers, before any model call
    models.calls.length = 0;
    const res = await bulk(
      s.url,
      [{ index: { _index: "vectors", _id: "w" } }, { text: "wide" }],
      "?pipeline=embed-wide",
    );
    assert.equal(res.body.items[0].index.status, 400);
    assert.match(res.body.items[0].index.error.reason, mismatch);
    assert.equal(models.calls.length, 0);
  });

  test("a stopped endpoint fails only the items that need it, with its status and message", async () => {
    models.stopped.add("ep-small");
    try {
      const res = await bulk(
        s.url,
        [
          { index: { _index: "vectors", _id: "s1" } },
          { text: "needs a vector" },
          { index: { _index: "vectors", _id: "s2" } },
          { title: "no text field: nothing to embed" },
        ],
        "?refresh=true",
      );
      assert.equal(res.body.errors, true);
      const failed = res.body.items[0].index;
      assert.equal(failed.status, 409);
      assert.equal(failed.error.type, "status_exception");
      assert.match(
        failed.error.reason,
        /endpoint ep-small is Stopped; start it with POST \/v1\/endpoints\/ep-small\/start/,
      );
      assert.equal(res.body.items[1].index.status, 201);
      const single = await api<{ error: { reason: string } }>(s.url, "PUT", "/vectors/_doc/s3", {
        text: "x",
      });
      assert.equal(single.status, 409);
    } finally {
      models.stopped.delete("ep-small");
    }
  });

  test("_simulate: inline and stored pipelines, errors per document, dropped documents, verbose results", async () => {
    const inline = await client.ingest.simulate({
      body: {
        pipeline: {
          processors: [
            {
              text_chunking: { algorithm: { delimiter: { delimiter: ". " } }, field_map: { body: "chunks" } },
            },
            { text_embedding: { model_id: "ep-small", field_map: { chunks: "chunk_vectors" } } },
          ],
        },
        docs: [
          { _index: "vectors", _id: "x", _source: { body: "One. Two. Three" } },
          { _source: { body: 5 } },
        ],
      },
    });
    const [ok, bad] = inline.body.docs;
    assert.equal(ok.doc._index, "vectors");
    assert.equal(ok.doc._id, "x");
    assert.deepEqual(ok.doc._source.chunks, ["One. ", "Two. ", "Three"]);
    assert.equal(ok.doc._source.chunk_vectors.length, 3);
    assert.equal(ok.doc._source.chunk_vectors[0].knn.length, 8);
    assert.match(ok.doc._ingest.timestamp, /Z$/);
    assert.equal(bad.error.type, "illegal_argument_exception");
    assert.equal(
      bad.error.reason,
      "map type field [body] is neither string nor nested type, cannot process it",
    );

    await client.ingest.putPipeline({
      id: "sim",
      body: {
        processors: [
          { set: { field: "a", value: 1, tag: "first" } },
          { rename: { field: "missing", target_field: "b", ignore_failure: true } },
          { drop: { description: "gone" } },
        ],
      },
    });
    const stored = await api<{ docs: unknown[] }>(s.url, "POST", "/_ingest/pipeline/sim/_simulate", {
      docs: [{ _source: { x: 1 } }],
    });
    assert.deepEqual(stored.body.docs, [null]);
    const verbose = await api<{ docs: Array<{ processor_results: Array<Record<string, unknown>> }> }>(
      s.url,
      "POST",
      "/_ingest/pipeline/sim/_simulate?verbose=true",
      { docs: [{ _source: { x: 1 } }] },
    );
    const results = verbose.body.docs[0]?.processor_results ?? [];
    assert.deepEqual(
      results.map((r) => [r.processor_type, r.status, r.tag ?? r.description]),
      [
        ["set", "success", "first"],
        ["rename", "error_ignored", undefined],
        ["drop", "dropped", "gone"],
      ],
    );
    const [first, second] = results as [Record<string, unknown>, Record<string, unknown>];
    assert.deepEqual((first.doc as { _source: unknown })._source, { x: 1, a: 1 });
    assert.equal(
      (second.ignored_error as { error: { reason: string } }).error.reason,
      "field [missing] doesn't exist",
    );
    const noPipeline = await api(s.url, "POST", "/_ingest/pipeline/_simulate", { docs: [{ _source: {} }] });
    assert.equal(noPipeline.status, 400);
  });

  test("lodestone index bulk streams a JSONL file through _bulk with the pipeline, in batches", async () => {
    const file = path.join(tempDir(), "docs.jsonl");
    const lines = Array.from({ length: 25 }, (_, i) =>
      JSON.stringify({ _id: `f${i}`, text: `file document ${i}` }),
    );
    lines.splice(10, 0, "{not json");
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    models.calls.length = 0;
    const result = await runCli([
      "index",
      "bulk",
      file,
      "--index",
      "filed",
      "--pipeline",
      "embed-small",
      "--batch",
      "10",
      "--search-url",
      s.url,
      "--json",
    ]);
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.documents, 26);
    assert.equal(report.indexed, 25);
    assert.equal(report.failed, 1);
    assert.equal(report.batches, 3);
    assert.equal(report.errors[0].line, 11);
    assert.equal(models.calls.length, 3);
    const doc = await client.get({ index: "filed", id: "f3" });
    assert.equal(doc.body._source.embedding.length, 8);
    assert.equal(doc.body._source._id, undefined);
  });
});

/**
 * Ingest pipelines in-process: every processor, failure handling, chunking maths as OpenSearch's
 * chunkers compute it, text_embedding output shapes and batching, and the validation messages.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EngineError } from "../../src/search/errors.ts";
import { SearchModelError, type SearchModelInfo, type SearchModels } from "../../src/search/models.ts";
import { EmbeddingBatcher } from "../../src/search/pipelines/ingest-batcher.ts";
import { compilePipeline } from "../../src/search/pipelines/ingest-compile.ts";
import { IngestDocument } from "../../src/search/pipelines/ingest-document.ts";
import { vectorJson } from "../../src/search/pipelines/ingest-embedding.ts";
import { DROP, type IngestRuntime, type Pipeline } from "../../src/search/pipelines/ingest-pipeline.ts";

/** A deterministic embedder: each text's vector is a function of its characters; calls are recorded. */
class FakeModels implements SearchModels {
  calls: string[][] = [];
  constructor(
    private readonly models: Record<string, Partial<SearchModelInfo>> = { emb: { dimension: 4 } },
  ) {}
  describe(id: string): SearchModelInfo | undefined {
    const m = this.models[id];
    return m && { id, kind: "embedding", available: true, ...m };
  }
  async embed(id: string, texts: string[]): Promise<Float32Array[]> {
    this.calls.push(texts);
    const info = this.describe(id);
    if (!info) throw new SearchModelError(400, `model [${id}] not found`);
    if (!info.available) throw new SearchModelError(409, `endpoint [${id}] is stopped`);
    return texts.map((t) =>
      Float32Array.from(
        { length: info.dimension ?? 4 },
        (_, i) => (t.charCodeAt(i % t.length) % 7) / 7 + i / 10,
      ),
    );
  }
  async rerank(): Promise<number[]> {
    return [];
  }
}

function runtime(
  models: SearchModels = new FakeModels(),
  pipelines: Record<string, Pipeline> = {},
): IngestRuntime {
  const batcher = new EmbeddingBatcher(() => models);
  return {
    embed: (id, texts, size) => batcher.embed(id, texts, size),
    models: () => models,
    vectorDimension: () => undefined,
    pipeline: (id) => pipelines[id],
  };
}

function compile(body: unknown, models?: SearchModels): Pipeline {
  return compilePipeline("p", body, { models });
}

async function run(
  processors: unknown[],
  source: Record<string, unknown>,
  rt: IngestRuntime = runtime(),
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown> | "dropped"> {
  const doc = new IngestDocument(structuredClone(source), { index: "idx", id: "1" });
  const outcome = await compile({ processors, ...extra }).execute(doc, { runtime: rt, stack: [] });
  return outcome === DROP ? "dropped" : doc.source();
}

async function failure(processors: unknown[], source: Record<string, unknown>): Promise<EngineError> {
  try {
    await run(processors, source);
  } catch (err) {
    assert.ok(err instanceof EngineError);
    return err;
  }
  assert.fail("expected the pipeline to fail");
}

function configFailure(body: unknown, models?: SearchModels): EngineError {
  try {
    compile(body, models);
  } catch (err) {
    assert.ok(err instanceof EngineError, String(err));
    assert.equal(err.status, 400);
    return err;
  }
  assert.fail("expected a configuration error");
}

describe("field processors", () => {
  test("set: values, templates, nested paths, override and ignore_empty_value", async () => {
    const out = await run(
      [
        { set: { field: "a.b", value: 1 } },
        { set: { field: "name", value: "{{first}} {{ last }}" } },
        { set: { field: "where", value: { index: "{{_index}}", id: "{{{_id}}}", list: ["{{first}}"] } } },
        { set: { field: "first", value: "nope", override: false } },
        { set: { field: "empty", value: "{{missing}}", ignore_empty_value: true } },
        { set: { field: "{{first}}_copy", value: "{{_source.first}}" } },
      ],
      { first: "Ada", last: "Lovelace" },
    );
    assert.deepEqual(out, {
      first: "Ada",
      last: "Lovelace",
      a: { b: 1 },
      name: "Ada Lovelace",
      where: { index: "idx", id: "1", list: ["Ada"] },
      Ada_copy: "Ada",
    });
  });

  test("set reads _ingest.timestamp; ingest metadata is not stored", async () => {
    const out = (await run([{ set: { field: "at", value: "{{_ingest.timestamp}}" } }], {})) as Record<
      string,
      unknown
    >;
    assert.match(String(out.at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(out._ingest, undefined);
  });

  test("remove, rename and copy with OpenSearch's messages", async () => {
    assert.deepEqual(
      await run(
        [
          { remove: { field: ["a", "b.c"] } },
          { remove: { field: "nothing", ignore_missing: true } },
          { rename: { field: "x", target_field: "y.z" } },
          { copy: { source_field: "k", target_field: "k2" } },
        ],
        { a: 1, b: { c: 2, d: 3 }, x: "v", k: [1] },
      ),
      { b: { d: 3 }, y: { z: "v" }, k: [1], k2: [1] },
    );
    assert.equal(
      (await failure([{ remove: { field: "nothing" } }], {})).message,
      "field [nothing] not present as part of path [nothing]",
    );
    assert.equal(
      (await failure([{ rename: { field: "x", target_field: "y" } }], { y: 1 })).message,
      "field [x] doesn't exist",
    );
    assert.equal(
      (await failure([{ rename: { field: "x", target_field: "y" } }], { x: 1, y: 1 })).message,
      "field [y] already exists",
    );
    const err = await failure([{ set: { field: "a.b", value: 1 } }], { a: "text" });
    assert.equal(
      err.message,
      "cannot set [b] with parent object of type [java.lang.String] as part of path [a.b]",
    );
    assert.equal(err.extra.processor_type, "set");
  });

  test("append, lowercase, uppercase, trim, html_strip", async () => {
    assert.deepEqual(
      await run(
        [
          { append: { field: "tags", value: ["b", "a"], allow_duplicates: false } },
          { append: { field: "one", value: "{{name}}" } },
          { append: { field: "fresh", value: 1 } },
          { lowercase: { field: "name" } },
          { uppercase: { field: "list" } },
          { trim: { field: "padded", target_field: "trimmed" } },
          { html_strip: { field: "html" } },
          { lowercase: { field: "absent", ignore_missing: true } },
        ],
        {
          tags: ["a"],
          one: "x",
          name: "MiXeD",
          list: ["a", "b"],
          padded: "  p \t",
          html: "<p>Hi &amp; bye</p>",
        },
      ),
      {
        tags: ["a", "b"],
        one: ["x", "MiXeD"],
        fresh: [1],
        name: "mixed",
        list: ["A", "B"],
        padded: "  p \t",
        trimmed: "p",
        html: "\nHi & bye\n",
      },
    );
    assert.equal(
      (await failure([{ uppercase: { field: "n" } }], { n: 5 })).message,
      "field [n] of type [java.lang.Integer] cannot be cast to [java.lang.String]",
    );
  });

  test("split (Java regex, trailing empties) and join", async () => {
    assert.deepEqual(
      await run(
        [
          { split: { field: "csv", separator: "\\s*,\\s*" } },
          { split: { field: "kept", separator: ",", preserve_trailing: true } },
          { join: { field: "parts", separator: "-", target_field: "joined" } },
        ],
        { csv: "a , b,c,,", kept: "a,,", parts: ["x", 1, true] },
      ),
      { csv: ["a", "b", "c"], kept: ["a", "", ""], parts: ["x", 1, true], joined: "x-1-true" },
    );
    assert.equal(
      (await failure([{ join: { field: "s", separator: "," } }], { s: "x" })).message,
      "field [s] of type [java.lang.String] cannot be cast to [java.util.List]",
    );
  });

  test("convert: integer, long, float, double, boolean, string, auto", async () => {
    assert.deepEqual(
      await run(
        [
          { convert: { field: "i", type: "integer" } },
          { convert: { field: "h", type: "long" } },
          { convert: { field: "f", type: "float" } },
          { convert: { field: "b", type: "boolean" } },
          { convert: { field: "s", type: "string" } },
          { convert: { field: "list", type: "double" } },
          { convert: { field: "auto", type: "auto", target_field: "autos" } },
        ],
        { i: "42", h: "0x1F", f: "1.5", b: "TRUE", s: 7, list: ["1", "2.5e1"], auto: "3000000000" },
      ),
      {
        i: 42,
        h: 31,
        f: 1.5,
        b: true,
        s: "7",
        list: [1, 25],
        auto: "3000000000",
        autos: 3000000000,
      },
    );
    assert.equal(
      (await failure([{ convert: { field: "i", type: "integer" } }], { i: "1.5" })).message,
      "unable to convert [1.5] to integer",
    );
    assert.equal(
      (await failure([{ convert: { field: "b", type: "boolean" } }], { b: "yes" })).message,
      "[yes] is not a boolean value, cannot convert to boolean",
    );
    assert.equal(
      configFailure({ processors: [{ convert: { field: "x", type: "ip6" } }] }).message,
      "[type] type [ip6] not supported, cannot convert field.",
    );
  });

  test("drop, fail and the pipeline processor (with cycle detection)", async () => {
    assert.equal(await run([{ drop: {} }, { set: { field: "x", value: 1 } }], {}), "dropped");
    const fail = await failure([{ fail: { message: "bad {{kind}}" } }], { kind: "doc" });
    assert.equal(fail.type, "fail_processor_exception");
    assert.equal(fail.message, "bad doc");
    const inner = compilePipeline("inner", { processors: [{ set: { field: "inner", value: true } }] }, {});
    const rt = runtime(new FakeModels(), { inner });
    assert.deepEqual(await run([{ pipeline: { name: "inner" } }], {}, rt), { inner: true });
    const selfRef = compilePipeline("p", { processors: [{ pipeline: { name: "p" } }] }, {});
    const doc = new IngestDocument({}, { index: "i" });
    await assert.rejects(
      selfRef.execute(doc, { runtime: runtime(new FakeModels(), { p: selfRef }), stack: [] }),
      /Cycle detected for pipeline: p -> p/,
    );
  });
});

describe("failure handling", () => {
  test("ignore_failure skips the processor; a processor's on_failure sees the failure metadata and the pipeline goes on", async () => {
    const out = await run(
      [
        { rename: { field: "missing", target_field: "x", ignore_failure: true } },
        {
          rename: {
            field: "missing",
            target_field: "x",
            tag: "ren",
            on_failure: [
              { set: { field: "error", value: "{{_ingest.on_failure_message}}" } },
              {
                set: {
                  field: "by",
                  value: "{{_ingest.on_failure_processor_type}}/{{_ingest.on_failure_processor_tag}}",
                },
              },
              { set: { field: "in", value: "{{_ingest.on_failure_pipeline}}" } },
            ],
          },
        },
        { set: { field: "after", value: "{{_ingest.on_failure_message}}" } },
      ],
      {},
    );
    assert.deepEqual(out, { error: "field [missing] doesn't exist", by: "rename/ren", in: "p", after: "" });
  });

  test("the pipeline's on_failure runs after an unhandled failure, and the pipeline ends", async () => {
    const out = await run(
      [{ fail: { message: "stop" } }, { set: { field: "never", value: 1 } }],
      {},
      runtime(),
      { on_failure: [{ set: { field: "failed", value: "{{_ingest.on_failure_message}}" } }] },
    );
    assert.deepEqual(out, { failed: "stop" });
  });
});

describe("text_chunking", () => {
  const TEXT =
    "This is an example document to be chunked. The document contains a single paragraph, two sentences and 24 tokens by standard tokenizer in OpenSearch.";

  test("fixed_token_length with overlap: OpenSearch's documented example, exactly", async () => {
    const out = (await run(
      [
        {
          text_chunking: {
            algorithm: { fixed_token_length: { token_limit: 10, overlap_rate: 0.2, tokenizer: "standard" } },
            field_map: { passage_text: "passage_chunk" },
          },
        },
      ],
      { passage_text: TEXT },
    )) as Record<string, unknown>;
    assert.deepEqual(out.passage_chunk, [
      "This is an example document to be chunked. The document ",
      "The document contains a single paragraph, two sentences and 24 ",
      "and 24 tokens by standard tokenizer in OpenSearch.",
    ]);
  });

  test("max_chunk_limit: the passage that reaches the cap takes the rest; budgets span fields", async () => {
    const chunk = (
      params: Record<string, unknown>,
      source: Record<string, unknown>,
      map: Record<string, string>,
    ) => run([{ text_chunking: { algorithm: { fixed_token_length: params }, field_map: map } }], source);
    const one = (await chunk({ token_limit: 5, max_chunk_limit: 2 }, { t: TEXT }, { t: "c" })) as Record<
      string,
      unknown
    >;
    assert.deepEqual(one.c, [
      "This is an example document ",
      "to be chunked. The document contains a single paragraph, two sentences and 24 tokens by standard tokenizer in OpenSearch.",
    ]);
    // two fields share 3 chunks: the first keeps one for the second
    const two = (await chunk(
      { token_limit: 5, max_chunk_limit: 3 },
      { a: TEXT, b: TEXT },
      { a: "ca", b: "cb" },
    )) as Record<string, string[]>;
    assert.equal(two.ca?.length, 2);
    assert.equal(two.cb?.length, 1);
    assert.equal(two.cb?.[0], TEXT);
  });

  test("delimiter, lists, nested maps, empty and missing fields", async () => {
    const out = (await run(
      [
        {
          text_chunking: {
            algorithm: { delimiter: { delimiter: "\n\n" } },
            field_map: { body: "paras", list: "list_chunks", nested: { text: "chunks" }, missing: "none" },
          },
        },
      ],
      { body: "one\n\ntwo\n\nthree", list: ["a\n\nb", ""], nested: [{ text: "x\n\ny" }, { other: 1 }] },
    )) as Record<string, unknown>;
    assert.deepEqual(out.paras, ["one\n\n", "two\n\n", "three"]);
    assert.deepEqual(out.list_chunks, ["a\n\n", "b"]);
    // as in OpenSearch, an object without the source field gets an empty list (unless ignore_missing)
    assert.deepEqual(out.nested, [
      { text: "x\n\ny", chunks: ["x\n\n", "y"] },
      { other: 1, chunks: [] },
    ]);
    assert.deepEqual(out.none, []);
  });

  test("parameter checks name the parameter and the allowed values", () => {
    const msg = (algorithm: unknown) =>
      configFailure({ processors: [{ text_chunking: { field_map: { a: "b" }, algorithm } }] }).message;
    assert.equal(
      msg({ fixed_token_length: { overlap_rate: 0.7 } }),
      "Parameter [overlap_rate] must be between 0.0 and 0.5",
    );
    assert.equal(
      msg({ fixed_token_length: { token_limit: 0 } }),
      "Parameter [token_limit] must be positive.",
    );
    assert.match(
      msg({ fixed_token_length: { tokenizer: "keyword" } }),
      /Tokenizer \[keyword\] is not supported.*standard/,
    );
    assert.match(msg({ sentence: {} }), /Chunking algorithm \[sentence\] is not supported/);
    assert.match(msg({ delimiter: { max_chunk_limit: 0 } }), /max_chunk_limit\] must be positive or -1/);
    assert.equal(
      configFailure({ processors: [{ text_chunking: { field_map: { a: "b" } } }] }).message,
      "[algorithm] required property is missing",
    );
  });
});

describe("text_embedding", () => {
  test("strings give vectors, lists give [{knn: vector}], nested maps reach into objects; missing sources are skipped", async () => {
    const models = new FakeModels();
    const out = (await run(
      [
        {
          text_embedding: {
            model_id: "emb",
            field_map: {
              title: "title_vec",
              chunks: "chunk_vecs",
              "meta.summary": "summary_vec",
              absent: "x",
            },
          },
        },
      ],
      { title: "hello", chunks: ["a", "bb"], meta: { summary: "sum" } },
      runtime(models),
    )) as Record<string, unknown>;
    assert.equal((out.title_vec as number[]).length, 4);
    const chunkVecs = out.chunk_vecs as Array<{ knn: number[] }>;
    assert.equal(chunkVecs.length, 2);
    assert.equal(chunkVecs[1]?.knn.length, 4);
    assert.equal(((out.meta as Record<string, unknown>).summary_vec as number[]).length, 4);
    assert.equal(out.x, undefined);
    assert.deepEqual(models.calls, [["hello", "a", "bb", "sum"]]);
  });

  test("vectors are stored as the shortest decimals that read back to the same float32", () => {
    const v = Float32Array.from([0.1, 1 / 3, -2.5, 1e-8]);
    const json = vectorJson(v);
    assert.deepEqual(Float32Array.from(json), v);
    assert.equal(json[0], 0.1);
    assert.equal(json[2], -2.5);
  });

  test("documents run together: one model call per batch_size texts across documents", async () => {
    const models = new FakeModels();
    const rt = runtime(models);
    const pipeline = compile({
      processors: [{ text_embedding: { model_id: "emb", batch_size: 3, field_map: { t: "v" } } }],
    });
    const docs = Array.from({ length: 7 }, (_, i) => new IngestDocument({ t: `text ${i}` }, { index: "i" }));
    await Promise.all(docs.map((d) => pipeline.execute(d, { runtime: rt, stack: [] })));
    assert.deepEqual(
      models.calls.map((c) => c.length),
      [3, 3, 1],
    );
    for (const d of docs) assert.equal((d.data.v as number[]).length, 4);
  });

  test("a stopped model fails the documents with the service's status and message", async () => {
    const models = new FakeModels({ emb: { dimension: 4, available: false } });
    const err = await run(
      [{ text_embedding: { model_id: "emb", field_map: { t: "v" } } }],
      { t: "x" },
      runtime(models),
    ).catch((e: EngineError) => e);
    assert.ok(err instanceof EngineError);
    assert.equal(err.status, 409);
    assert.equal(err.message, "endpoint [emb] is stopped");
    assert.equal(err.extra.processor_type, "text_embedding");
  });

  test("empty strings and non-strings are refused as OpenSearch refuses them", async () => {
    const p = [{ text_embedding: { model_id: "emb", field_map: { t: "v" } } }];
    assert.equal(
      (await failure(p, { t: " " })).message,
      "map type field [t] has empty string value, cannot process it",
    );
    assert.equal(
      (await failure(p, { t: 3 })).message,
      "map type field [t] is neither string nor nested type, cannot process it",
    );
    assert.equal(
      (await failure(p, { t: ["a", null] })).message,
      "list type field [t] has null, cannot process it",
    );
  });

  test("model checks at compile time: unknown id, wrong kind", () => {
    const models = new FakeModels({ emb: { dimension: 4 }, rr: { kind: "reranker" } });
    const body = (model_id: string) => ({
      processors: [{ text_embedding: { model_id, field_map: { a: "b" } } }],
    });
    const unknown = configFailure(body("nope"), models);
    assert.match(unknown.message, /^\[model_id\] text_embedding processor: model \[nope\] not found/);
    assert.equal(unknown.extra.processor_type, "text_embedding");
    assert.match(configFailure(body("rr"), models).message, /model \[rr\] is a reranker model/);
    assert.doesNotThrow(() => compile(body("emb"), models));
  });
});

describe("pipeline validation", () => {
  test("unknown processors, missing and unknown properties, conditionals", () => {
    const unknown = configFailure({ processors: [{ grok: { field: "x" } }] });
    assert.equal(unknown.type, "parse_exception");
    assert.match(
      unknown.message,
      /^No processor type exists with name \[grok\]; supported processors: append, convert/,
    );
    assert.equal(unknown.extra.processor_type, "grok");
    const missing = configFailure({ processors: [{ set: { value: 1 } }] });
    assert.equal(missing.message, "[field] required property is missing");
    assert.deepEqual(missing.extra, { processor_type: "set", property_name: "field" });
    assert.equal(
      configFailure({ processors: [{ set: { field: "a", value: 1, colour: "red" } }] }).message,
      "processor [set] doesn't support one or more provided configuration parameters [colour]",
    );
    assert.match(
      configFailure({ processors: [{ set: { field: "a", value: 1, if: "ctx.a != null" } }] }).message,
      /^\[if\] conditional processors need scripts, which this engine does not run/,
    );
    assert.equal(configFailure({ description: "x" }).message, "[processors] required property is missing");
    assert.equal(
      configFailure({ processors: [] }).message,
      "[processors] a pipeline needs at least one processor",
    );
    assert.equal(
      configFailure({ processors: [{ drop: {} }], on_failure: [] }).message,
      "[on_failure] pipeline on_failure processors list cannot be empty",
    );
    assert.match(
      configFailure({ processors: [{ drop: {} }], extra: 1 }).message,
      /doesn't support .* \[extra\]/,
    );
  });
});

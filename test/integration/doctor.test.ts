/**
 * `lodestone doctor` through the CLI: a healthy embedded deployment exits 0; a knn_vector field
 * written by a model of another dimension, a stopped endpoint, and (on a fake remote cluster) a
 * missing plugin and a synonym filter attached to no analyzer exit 1 with the fix in the table.
 * The fake cluster is a small Fastify server answering the read-only requests OpenSearch would.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import Fastify, { type FastifyInstance } from "fastify";
import type { Finding } from "../../src/doctor/checks.ts";
import { api, startTestPlatform, tempDir } from "../helpers/platform.ts";
import { SEED_RAG_DOCS } from "../helpers/seed.ts";
import { freePort, runCli } from "../helpers/server-process.ts";
import { deployFolder, uploadSmallModels } from "../helpers/small-models.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;
type Report = { ok: boolean; findings: Finding[] };

const SEED_SETTINGS = {
  "index.similarity.default.type": "BM25",
  "index.analysis.filter.synonyms.synonyms": ["ai, artificial intelligence"],
};

function parse(stdout: string): Report {
  return JSON.parse(stdout) as Report;
}

const problems = (report: Report) => report.findings.filter((f) => f.level !== "ok");

/** A cluster answering GET /, _cat/plugins, _mapping, _settings and the pipeline listings; it records each request. */
async function fakeCluster(state: {
  plugins: string[];
  mappings?: Record<string, unknown>;
  settings?: Record<string, Record<string, unknown>>;
  ingest?: Record<string, unknown>;
  models?: Record<string, Record<string, unknown>>;
  predictMs?: number;
}): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const app: FastifyInstance = Fastify();
  const requests: string[] = [];
  app.addHook("onRequest", async (req) => {
    requests.push(`${req.method} ${req.url}`);
  });
  app.get("/", async () => ({
    name: "node-1",
    cluster_name: "prod",
    version: { distribution: "opensearch", number: "2.11.0", build_type: "tar" },
    tagline: "The OpenSearch Project: https://opensearch.org/",
  }));
  app.get("/_cat/plugins", async () =>
    ["node-1", "node-2"].flatMap((name) =>
      state.plugins.map((component) => ({ name, component, version: "2.11.0.0" })),
    ),
  );
  app.get("/_mapping", async () =>
    Object.fromEntries(
      Object.entries(state.mappings ?? {}).map(([index, mappings]) => [index, { mappings }]),
    ),
  );
  app.get("/_settings", async () =>
    Object.fromEntries(
      Object.entries(state.settings ?? {}).map(([index, settings]) => [index, { settings }]),
    ),
  );
  app.get("/_ingest/pipeline", async () => state.ingest ?? {});
  // OpenSearch answers 404 with {} when there is no search pipeline
  app.get("/_search/pipeline", async (_req, reply) => reply.code(404).send({}));
  app.get("/_plugins/_ml/models/:id", async (req, reply) => {
    const model = state.models?.[(req.params as { id: string }).id];
    return (
      model ?? reply.code(404).send({ error: { type: "status_exception", reason: "Failed to find model" } })
    );
  });
  app.post("/_plugins/_ml/_predict/text_embedding/:id", async () => {
    await sleep(state.predictMs ?? 0);
    return { inference_results: [{ output: [{ name: "sentence_embedding", shape: [384], data: [0.1] }] }] };
  });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return { url, requests, close: () => app.close() };
}

describe("lodestone doctor", () => {
  let server: Running;
  let embedder: string;
  let reranker: string;

  const search = <T = Record<string, unknown>>(method: string, route: string, body?: unknown) =>
    api<T>(server.searchUrl, method, route, body);
  const ok = async (method: string, route: string, body?: unknown) => {
    const res = await search(method, route, body);
    assert.equal(res.status, 200, `${method} ${route}: ${JSON.stringify(res.body)}`);
  };
  // latency has its own test: a loaded test machine must not turn these runs' answers into warnings
  const doctor = (...args: string[]) =>
    runCli(["--url", server.url, "doctor", "--search-url", server.searchUrl, "--slow-ms", "30000", ...args]);

  const deploy = async (name: string, ossPath: string) =>
    (await deployFolder(server, name, ossPath)).endpointId;

  before(async () => {
    server = await startTestPlatform();
    await uploadSmallModels(server, tempDir(), {
      embedder: "oss://doctor/emb64/",
      reranker: "oss://doctor/rr/",
    });
    await uploadSmallModels(
      server,
      tempDir(),
      { embedder: "oss://doctor/emb32/", reranker: "oss://doctor/rr32/" },
      32,
    );
    embedder = await deploy("doc-emb", "oss://doctor/emb64/");
    reranker = await deploy("doc-rerank", "oss://doctor/rr/");
    // a healthy neural index: embedded on write, synonyms and a similarity in use, reranked searches
    await ok("PUT", "/_ingest/pipeline/docs-embed", {
      processors: [{ text_embedding: { model_id: embedder, field_map: { content: "embedding" } } }],
    });
    await ok("PUT", "/_search/pipeline/docs-search", {
      request_processors: [{ neural_query_enricher: { default_model_id: embedder } }],
      response_processors: [
        { rerank: { ml_opensearch: { model_id: reranker }, context: { document_fields: ["content"] } } },
      ],
    });
    await ok("PUT", "/docs", {
      settings: {
        "index.knn": true,
        "index.default_pipeline": "docs-embed",
        "index.search.default_pipeline": "docs-search",
        "index.analysis.filter.synonyms.type": "synonym_graph",
        "index.analysis.filter.synonyms.synonyms": ["ai, artificial intelligence"],
        "index.analysis.analyzer.with_synonyms.tokenizer": "standard",
        "index.analysis.analyzer.with_synonyms.filter": ["lowercase", "synonyms"],
        "index.similarity.short_text.type": "BM25",
        "index.similarity.short_text.b": 0.3,
      },
      mappings: {
        properties: {
          content: { type: "text", analyzer: "standard", search_analyzer: "with_synonyms" },
          title: { type: "text", similarity: "short_text" },
          embedding: { type: "knn_vector", dimension: 64 },
        },
      },
    });
  });
  after(() => server.close());

  test("a healthy deployment: every check ok, exit 0", async () => {
    const result = await doctor("--json");
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const report = parse(result.stdout);
    assert.equal(report.ok, true);
    assert.deepEqual(problems(report), []);
    const checks = new Set(report.findings.map((f) => f.check));
    for (const check of ["connection", "plugins", "pipelines", "models", "dimensions", "analysis", "latency"])
      assert.ok(checks.has(check), `no ${check} finding: ${result.stdout}`);
    const dims = report.findings.find((f) => f.check === "dimensions");
    assert.match(dims?.message ?? "", /1 knn_vector field\(s\) written by text_embedding pipelines match/);
    const latency = report.findings.find((f) => f.check === "latency");
    assert.equal(latency?.details?.model, embedder);

    const table = await doctor();
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /#\s+LEVEL\s+CHECK\s+FINDING/);
    assert.match(table.stdout, /0 error\(s\), 0 warning\(s\)/);
  });

  test("a knn_vector field written by a model of another dimension", async () => {
    // the model name resolves to its newest version: v2 is retrained at 32 dimensions
    await deploy("drift-emb", "oss://doctor/emb64/");
    await ok("PUT", "/_ingest/pipeline/drift", {
      processors: [{ text_embedding: { model_id: "drift-emb", field_map: { content: "embedding" } } }],
    });
    const mapping = {
      properties: { content: { type: "text" }, embedding: { type: "knn_vector", dimension: 64 } },
    };
    await ok("PUT", "/drift", { settings: { "index.default_pipeline": "drift" }, mappings: mapping });
    const v2 = await deploy("drift-emb", "oss://doctor/emb32/");
    // and a 64-d index whose default pipeline reaches a 32-d model through a pipeline processor
    await ok("PUT", "/_ingest/pipeline/embed-32", {
      processors: [{ text_embedding: { model_id: v2, field_map: { content: "embedding" } } }],
    });
    await ok("PUT", "/_ingest/pipeline/indirect", { processors: [{ pipeline: { name: "embed-32" } }] });
    await ok("PUT", "/indirect", { settings: { "index.default_pipeline": "indirect" }, mappings: mapping });
    try {
      const result = await doctor("--json");
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /doctor found 2 error\(s\)/);
      const errors = problems(parse(result.stdout));
      assert.deepEqual(
        errors.map((f) => [f.check, f.level, f.details?.index, f.details?.model]),
        [
          ["dimensions", "error", "drift", "drift-emb"],
          ["dimensions", "error", "indirect", v2],
        ],
      );
      assert.equal(
        errors[0]?.message,
        "field [embedding] of index [drift] is a knn_vector of dimension 64, but ingest pipeline [drift] writes it with model [drift-emb] of dimension 32: every document with the source text fails",
      );
      assert.deepEqual(
        [
          errors[1]?.details?.pipeline,
          errors[1]?.details?.field_dimension,
          errors[1]?.details?.model_dimension,
        ],
        ["embed-32", 64, 32],
      );

      const table = await doctor();
      assert.equal(table.code, 1);
      assert.match(
        table.stdout,
        /point pipeline \[drift\] at a model of dimension 64, or map \[embedding\] with "dimension": 32/,
      );
    } finally {
      for (const route of ["/drift", "/indirect", "/_ingest/pipeline/drift", "/_ingest/pipeline/indirect"])
        await ok("DELETE", route);
      await ok("DELETE", "/_ingest/pipeline/embed-32");
    }
  });

  test("a stopped endpoint: error with the command that starts it", async () => {
    const stopped = await api(server.url, "POST", `/v1/endpoints/${embedder}/stop`);
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    try {
      const result = await doctor("--json");
      assert.equal(result.code, 1, result.stderr);
      const errors = problems(parse(result.stdout));
      assert.equal(errors.length, 1, result.stdout);
      const [finding] = errors;
      assert.equal(finding?.check, "models");
      assert.match(
        finding?.message ?? "",
        new RegExp(
          `^model \\[${embedder}\\] \\(doc-emb\\) used by ingest pipeline \\[docs-embed\\] \\(text_embedding\\), search pipeline \\[docs-search\\] \\(neural_query_enricher\\) is stopped`,
        ),
      );
      assert.equal(
        finding?.fix,
        `start it: lodestone --url ${server.url} endpoints start ${embedder} --wait`,
      );

      const table = await doctor();
      assert.equal(table.code, 1);
      assert.ok(
        table.stdout.includes(`start it: lodestone --url ${server.url} endpoints start ${embedder} --wait`),
      );
    } finally {
      await api(server.url, "POST", `/v1/endpoints/${embedder}/start`);
      assert.equal((await server.platform.endpoints.settled(embedder)).status, "Running");
    }
  });

  test("the seed's synonym filter attached to no analyzer: a warning here, as Lodestone applies it anyway", async () => {
    await ok("PUT", "/rag-docs", SEED_RAG_DOCS);
    await ok("POST", "/rag-docs/_close");
    await ok("PUT", "/rag-docs/_settings", SEED_SETTINGS);
    await ok("POST", "/rag-docs/_open");
    try {
      const result = await doctor("--json");
      assert.equal(result.code, 0, result.stderr);
      const [finding, ...others] = problems(parse(result.stdout));
      assert.deepEqual(others, []);
      assert.equal(finding?.level, "warning");
      assert.equal(
        finding?.message,
        "synonym filter [synonyms] of index [rag-docs] is attached to no analyzer: Lodestone applies it at search time to every text field, but an OpenSearch cluster would ignore it",
      );
      const table = await doctor();
      assert.match(
        table.stdout,
        /add it to an analyzer's filter list and set that analyzer on the text fields: define a custom analyzer with the tokenizer and filters of the fields' analyzers \(content: ik_max_word\) and "synonyms" after any lowercase filter/,
      );
    } finally {
      await ok("DELETE", "/rag-docs");
    }
  });

  test("a remote cluster without opensearch-ml and with a dead synonym filter: errors, read-only, no platform", async () => {
    const cluster = await fakeCluster({
      plugins: ["opensearch-knn", "opensearch-neural-search"],
      mappings: { "rag-docs": SEED_RAG_DOCS.mappings, ".plugins-ml-config": { properties: {} } },
      settings: {
        "rag-docs": {
          "index.knn": "true",
          ...SEED_SETTINGS,
          "index.analysis.filter.synonyms.type": "synonym_graph",
        },
      },
    });
    try {
      // LODESTONE_URL must not matter: only --search-url means a cluster without the platform
      const env = { LODESTONE_URL: "http://127.0.0.1:9" };
      const result = await runCli(["doctor", "--search-url", cluster.url, "--json"], { env });
      assert.equal(result.code, 1, result.stderr);
      const report = parse(result.stdout);
      assert.equal(report.ok, false);
      assert.deepEqual(
        problems(report).map((f) => [f.check, f.level, f.message]),
        [
          ["plugins", "error", "plugin opensearch-ml is not installed; it provides the models those call"],
          [
            "analysis",
            "error",
            "synonym filter [synonyms] of index [rag-docs] is attached to no analyzer: its synonyms are never applied",
          ],
        ],
      );
      assert.ok(!report.findings.some((f) => f.message.includes("platform")), result.stdout);
      assert.ok(
        cluster.requests.every((r) => r.startsWith("GET ")),
        cluster.requests.join("\n"),
      );

      const table = await runCli(["doctor", "--search-url", cluster.url], { env });
      assert.equal(table.code, 1);
      assert.match(
        table.stdout,
        /install it on every node \(bin\/opensearch-plugin install opensearch-ml, then restart the node\), or use a distribution that bundles it/,
      );
      assert.match(
        table.stdout,
        /add it to an analyzer's filter list and set that analyzer on the text fields/,
      );
      assert.match(table.stdout, /2 error\(s\), 0 warning\(s\)/);
    } finally {
      await cluster.close();
    }
  });

  test("a remote cluster's models through ML Commons: dimensions checked, a slow model only warns", async () => {
    const cluster = await fakeCluster({
      plugins: ["opensearch-knn", "opensearch-neural-search", "opensearch-ml"],
      mappings: {
        products: {
          properties: {
            name: { type: "text" },
            passages: { type: "nested", properties: { knn: { type: "knn_vector", dimension: 384 } } },
          },
        },
      },
      settings: { products: { "index.knn": "true", "index.final_pipeline": "embed" } },
      ingest: {
        embed: { processors: [{ text_embedding: { model_id: "aBc12", field_map: { chunks: "passages" } } }] },
      },
      models: {
        aBc12: {
          name: "msmarco-MiniLM",
          model_id: "aBc12",
          function_name: "TEXT_EMBEDDING",
          model_state: "DEPLOYED",
          model_config: {
            model_type: "bert",
            embedding_dimension: 384,
            framework_type: "sentence_transformers",
          },
        },
      },
      predictMs: 40,
    });
    try {
      const result = await runCli(["doctor", "--search-url", cluster.url, "--slow-ms", "20", "--json"]);
      assert.equal(result.code, 0, result.stderr);
      const report = parse(result.stdout);
      const dims = report.findings.find((f) => f.check === "dimensions");
      assert.equal(
        dims?.message,
        "1 knn_vector field(s) written by text_embedding pipelines match their models' dimensions",
      );
      const [slow, ...others] = problems(report);
      assert.deepEqual(others, []);
      assert.equal(slow?.check, "latency");
      assert.equal(slow?.level, "warning");
      assert.match(slow?.message ?? "", /^model \[aBc12\] embedded a short text in \d+ ms, over 20 ms/);
      assert.ok(cluster.requests.includes("POST /_plugins/_ml/_predict/text_embedding/aBc12"));
    } finally {
      await cluster.close();
    }
  });

  test("usage errors exit 2; an unreachable search API is an error finding", async () => {
    const usage = await runCli(["doctor", "--slow-ms", "fast"]);
    assert.equal(usage.code, 2, usage.stderr);
    const nothing = `http://127.0.0.1:${await freePort()}`;
    const down = await runCli(["doctor", "--search-url", nothing, "--json"]);
    assert.equal(down.code, 1, down.stderr);
    assert.deepEqual(parse(down.stdout).findings, [
      {
        check: "connection",
        level: "error",
        message: `cannot reach the search API at ${nothing}: ECONNREFUSED`,
        fix: "start it (lodestone serve) or pass its URL with --search-url",
      },
    ]);
  });
});

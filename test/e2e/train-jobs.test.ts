/**
 * The training scripts as DLC jobs through the CLI: train-embedding on Cranfield in BEIR layout
 * (train qrels only) writes a loadable model folder with every artifact; train-reranker uses that
 * embedder from oss://; input without training data fails with a reason that says what to give.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { DATASETS_DIR } from "../../bench/lib/paths.ts";
import { loadModelFolder } from "../../src/models/artifacts.ts";
import { tempDir } from "../helpers/platform.ts";
import { killServer, runCli, type ServerProcess, spawnServer } from "../helpers/server-process.ts";

const ARTIFACTS = [
  "README.md",
  "config.json",
  "metrics.json",
  "model.safetensors",
  "tokenizer.json",
  "vocab.txt",
];

describe("training jobs (train-embedding, train-reranker)", () => {
  let server: ServerProcess;
  let work: string;
  const cli = (...args: string[]) => runCli(["--url", server.url, ...args], { timeoutMs: 600_000 });
  const json = async (...args: string[]) => {
    const result = await cli(...args, "--json");
    assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
    return JSON.parse(result.stdout);
  };
  const download = async (url: string) => {
    const dir = path.join(work, `download-${Math.random().toString(36).slice(2)}`);
    assert.equal((await cli("oss", "cp", "-r", url, dir)).code, 0);
    return dir;
  };

  before(async () => {
    server = await spawnServer(tempDir());
    work = tempDir();
    // Cranfield in BEIR layout, without the test judgements: training never sees them.
    const data = path.join(work, "cranfield");
    fs.mkdirSync(path.join(data, "qrels"), { recursive: true });
    const source = path.join(DATASETS_DIR, "cranfield");
    for (const f of ["corpus.jsonl", "queries.jsonl", "qrels/train.tsv"])
      fs.copyFileSync(path.join(source, f), path.join(data, f));
    fs.mkdirSync(path.join(work, "empty"));
    fs.writeFileSync(path.join(work, "empty", "notes.csv"), "a,b\n1,2\n");
    assert.equal((await cli("oss", "mb", "oss://bucket")).code, 0);
    assert.equal((await cli("oss", "cp", "-r", data, "oss://bucket/data/")).code, 0);
    assert.equal((await cli("oss", "cp", "-r", path.join(work, "empty"), "oss://bucket/empty/")).code, 0);
  });
  after(() => killServer(server));

  test("train-embedding on Cranfield writes config, tokenizer, safetensors, metrics and a model card", async () => {
    const job = await json(
      "dlc",
      "create-job",
      "--name",
      "emb-tune",
      "--script",
      "train-embedding",
      "--oss-input",
      "oss://bucket/data/",
      "--oss-output",
      "oss://bucket/models/emb/",
      "--hp",
      "epochs=2",
      "--hp",
      "dim=256",
      "--wait",
    );
    assert.equal(job.Status, "Succeeded", job.ReasonMessage);
    const listing = await json("oss", "ls", "oss://bucket/models/emb/");
    assert.deepEqual(listing.objects.map((o: { key: string }) => path.basename(o.key)).sort(), ARTIFACTS);

    const shown = await json("dlc", "get-job", job.JobId);
    assert.equal(shown.Progress, 1);
    assert.ok(
      shown.Metrics.final_val_ndcg10 > shown.Metrics.untrained_val_ndcg10,
      JSON.stringify(shown.Metrics),
    );

    const dir = await download("oss://bucket/models/emb/");
    const config = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
    assert.equal(config.dimension, 256);
    assert.equal(config.similarity, "cosine");
    const metrics = JSON.parse(fs.readFileSync(path.join(dir, "metrics.json"), "utf8"));
    assert.equal(metrics.data.source, "beir");
    assert.ok(metrics.validation.after.ndcg10 > metrics.validation.before.ndcg10);
    assert.equal(metrics.history.length, 2);

    const loaded = await loadModelFolder(dir);
    assert.equal(loaded.kind, "embedding");
    if (loaded.kind !== "embedding") return;
    const [a, b, c] = [0, 1, 2].map((i) =>
      loaded.encoder
        .encode([
          "boundary layer flow over a flat plate",
          "flat plate boundary layers",
          "heat transfer in rockets",
        ])
        .subarray(i * 256, (i + 1) * 256),
    );
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * (y[i] as number), 0);
    assert.ok(Math.abs(dot(a as Float32Array, a as Float32Array) - 1) < 1e-4, "embeddings are L2-normalised");
    assert.ok(dot(a as Float32Array, b as Float32Array) > dot(a as Float32Array, c as Float32Array));

    // an independent reader of the safetensors format agrees on names and shapes
    const py = spawnSync(
      "python3",
      [
        path.join(import.meta.dirname, "../fixtures/read_safetensors.py"),
        path.join(dir, "model.safetensors"),
      ],
      {
        encoding: "utf8",
      },
    );
    if (py.error) return; // no python3 here: the format tests say so
    assert.equal(py.status, 0, py.stderr);
    const { tensors } = JSON.parse(py.stdout);
    assert.deepEqual(tensors["projection.weight"].shape, [256, 100]);
    assert.deepEqual(tensors["embeddings.word"].shape, [config.vocab_size, 100]);
  });

  test("train-reranker uses the trained embedder from oss:// and writes a loadable reranker", async () => {
    const job = await json(
      "dlc",
      "create-job",
      "--name",
      "rerank-tune",
      "--script",
      "train-reranker",
      "--oss-input",
      "oss://bucket/data/",
      "--oss-output",
      "oss://bucket/models/rerank/",
      "--hp",
      "embedder=oss://bucket/models/emb/",
      "--hp",
      "depth=30",
      "--hp",
      "epochs=40",
      "--wait",
    );
    assert.equal(job.Status, "Succeeded", job.ReasonMessage);
    const dir = await download("oss://bucket/models/rerank/");
    const loaded = await loadModelFolder(dir);
    assert.equal(loaded.kind, "reranker");
    if (loaded.kind !== "reranker") return;
    const scores = loaded.scorer.score("boundary layer on a flat plate", [
      { text: "the boundary layer on a flat plate in supersonic flow", bm25: 12 },
      { text: "heat transfer to a rocket nozzle", bm25: 1 },
    ]);
    assert.equal(scores.length, 2);
    assert.ok((scores[0] as number) > (scores[1] as number));
    const metrics = JSON.parse(fs.readFileSync(path.join(dir, "metrics.json"), "utf8"));
    assert.ok(metrics.validation.reranked.ndcg10 >= metrics.validation.bm25.ndcg10);
  });

  test("lodestone eval scores the trained models on the Cranfield test split", async () => {
    const emb = await download("oss://bucket/models/emb/");
    const rerank = await download("oss://bucket/models/rerank/");
    const result = await runCli(
      [
        "eval",
        "--dataset",
        path.join(DATASETS_DIR, "cranfield"),
        "--dense",
        emb,
        "--hybrid",
        "--rerank",
        rerank,
        "--json",
      ],
      { timeoutMs: 300_000 },
    );
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as {
      results: { method: string; metrics: Record<string, number> }[];
    };
    const ndcg = Object.fromEntries(out.results.map((r) => [r.method, r.metrics["ndcg@10"] as number]));
    // two epochs at 256-d already lift dense well above the untrained GloVe mean (about 0.13)
    assert.ok((ndcg.dense as number) > 0.18, JSON.stringify(ndcg));
    assert.ok((ndcg.hybrid as number) > 0.3, JSON.stringify(ndcg));
    assert.ok((ndcg["bm25+rerank"] as number) > 0.3, JSON.stringify(ndcg));
  });

  test("the seed's Bailian calls with the trained embedder: register, deploy, embed at the config's dimension", async () => {
    const call = async (route: string, body: unknown) => {
      const res = await fetch(`${server.url}${route}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const model = await call("/v1/models", {
      model_name: "custom-emb",
      oss_path: "oss://bucket/models/emb/",
    });
    assert.equal(model.status, 201, JSON.stringify(model.body));
    assert.match(model.body.model_id as string, /^m-/);
    const endpoint = await call("/v1/endpoints", { model_id: model.body.model_id });
    assert.match(endpoint.body.endpoint_id as string, /^ep-/);
    let status = endpoint.body.status;
    for (let i = 0; i < 100 && status === "Creating"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const res = await fetch(`${server.url}/v1/endpoints/${endpoint.body.endpoint_id}`);
      status = ((await res.json()) as { status: string }).status;
    }
    assert.equal(status, "Running");
    const embedded = await call("/v1/embeddings", {
      model: endpoint.body.endpoint_id,
      input: ["lift of a wing"],
    });
    assert.equal(embedded.status, 200, JSON.stringify(embedded.body));
    const vector = (embedded.body.data as { embedding: number[] }[])[0]?.embedding ?? [];
    assert.equal(vector.length, 256);
  });

  test("an input without training data fails with a reason naming what to provide", async () => {
    const result = await cli(
      "dlc",
      "create-job",
      "--name",
      "nothing",
      "--script",
      "train-embedding",
      "--oss-input",
      "oss://bucket/empty/",
      "--wait",
      "--json",
    );
    assert.equal(result.code, 1);
    const job = JSON.parse(result.stdout);
    assert.equal(job.Status, "Failed");
    assert.match(job.ReasonMessage, /corpus\.jsonl.*qrels\/train\.tsv/);
  });
});

/**
 * The composed embedder and reranker: the whole embedder's backward pass (distinct-word batching,
 * n-grams, token weights, pooling, projection, normalisation) against central differences, model
 * folders round-trip exactly, and loading names what is wrong with a broken folder.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { loadModelFolder, saveEmbedder, saveReranker } from "../../src/models/artifacts.ts";
import { distinctWords, Embedder, PARAM } from "../../src/models/embedder.ts";
import { Reranker } from "../../src/models/reranker.ts";
import { ModelTokenizer, Vocabulary } from "../../src/models/tokenizer.ts";
import { mulberry32 } from "../../src/models/training/random.ts";
import { relativeError } from "../helpers/gradcheck.ts";
import { tempDir } from "../helpers/platform.ts";

const WORDS = ["flow", "plate", "boundary", "layer", "heat", "shock"];
const TEXTS = ["boundary layer flow", "flow over a flat plate plate", "shock heat", "unknownword flow"];

function tinyEmbedder(dimension = 6): Embedder {
  const tokenizer = new ModelTokenizer(new Vocabulary(WORDS), { buckets: 64 });
  const random = mulberry32(5);
  const wordVectors = Float32Array.from({ length: WORDS.length * 8 }, () => random() - 0.5);
  const tokenWeights = Float32Array.from({ length: WORDS.length + 1 }, () => 0.5 + random());
  const model = Embedder.create({
    tokenizer,
    dimension,
    wordDimension: 8,
    wordVectors,
    tokenWeights,
    seed: 2,
  });
  const ngrams = model.params.get(PARAM.ngram).data;
  for (let i = 0; i < ngrams.length; i++) ngrams[i] = (random() - 0.5) * 0.5;
  return model;
}

describe("embedder", () => {
  test("backward matches central differences for every parameter tensor (relative error < 1e-3)", () => {
    const model = tinyEmbedder();
    const encoded = TEXTS.map((t) => model.tokenizer.encode(t));
    const random = mulberry32(9);
    const direction = Float32Array.from({ length: TEXTS.length * 6 }, () => random() - 0.5);
    // loss = Σ direction · embeddings: its gradient w.r.t. the embeddings is `direction`
    const loss = () => {
      const e = model.forward(encoded).embeddings;
      let s = 0;
      for (let i = 0; i < e.length; i++) s += (direction[i] as number) * (e[i] as number);
      return s;
    };
    model.params.zeroGrad();
    const grads = model.newGrads();
    model.backward(model.forward(encoded), direction, grads);
    const sparse = new Map([
      [PARAM.word, grads.word.toRows()],
      [PARAM.ngram, grads.ngram.toRows()],
    ]);
    let worst = 0;
    for (const param of model.params.list()) {
      const analytic = (i: number): number => {
        if (param.grad) return param.grad[i] as number;
        const g = sparse.get(param.name as typeof PARAM.word) as {
          rows: Int32Array;
          values: Float32Array;
          dim: number;
        };
        const row = Math.floor(i / g.dim);
        const r = g.rows.indexOf(row);
        return r < 0 ? 0 : (g.values[r * g.dim + (i % g.dim)] as number);
      };
      const picks = Array.from({ length: 12 }, () => Math.floor(random() * param.data.length));
      // always check touched rows of the tables too
      if (!param.grad) {
        const g = sparse.get(param.name as typeof PARAM.word) as { rows: Int32Array; dim: number };
        for (let r = 0; r < Math.min(4, g.rows.length); r++) picks.push((g.rows[r] as number) * g.dim + r);
      }
      for (const i of picks) {
        const keep = param.data[i] as number;
        const eps = 1e-2;
        param.data[i] = keep + eps;
        const up = loss();
        param.data[i] = keep - eps;
        const down = loss();
        param.data[i] = keep;
        const numeric = (up - down) / (2 * eps);
        const a = analytic(i);
        if (Math.abs(a) + Math.abs(numeric) < 1e-5) continue;
        const rel = relativeError(a, numeric);
        worst = Math.max(worst, rel);
        assert.ok(rel < 1e-3, `${param.name}[${i}]: analytic ${a}, numeric ${numeric}`);
      }
    }
    assert.ok(worst < 1e-3);
  });

  test("a batch's words are gathered once: repeated words share a slot", () => {
    const model = tinyEmbedder();
    const { words, slots, mask, L } = distinctWords(
      TEXTS.map((t) => model.tokenizer.encode(t)),
      128,
    );
    assert.equal(L, 6);
    assert.equal(words.wordIds.length, new Set(TEXTS.join(" ").split(" ")).size);
    assert.equal(slots[1 * L + 4], slots[1 * L + 5], "plate plate");
    assert.equal(mask[2 * L + 2], 0, "padding");
  });

  test("embeddings are unit length, deterministic, and the same alone or in a batch", () => {
    const model = tinyEmbedder(12);
    const batch = model.encode(TEXTS);
    const single = model.encode([TEXTS[1] as string]);
    for (let i = 0; i < 12; i++)
      assert.ok(Math.abs((batch[12 + i] as number) - (single[i] as number)) < 1e-6);
    for (let t = 0; t < TEXTS.length; t++) {
      const norm = Math.hypot(...batch.subarray(t * 12, (t + 1) * 12));
      assert.ok(Math.abs(norm - 1) < 1e-5);
    }
  });

  test("an untrained embedder with an orthonormal projection keeps the pooled vectors' cosines", () => {
    const model = tinyEmbedder(20);
    const w = model.params.get(PARAM.projection).data;
    for (let a = 0; a < 8; a++)
      for (let b = 0; b < 8; b++) {
        let dot = 0;
        for (let r = 0; r < 20; r++) dot += (w[r * 8 + a] as number) * (w[r * 8 + b] as number);
        assert.ok(Math.abs(dot - (a === b ? 1 : 0)) < 1e-5);
      }
  });
});

describe("model folders", () => {
  test("an embedder and a reranker round-trip through their folders exactly", async () => {
    const dir = tempDir();
    const model = tinyEmbedder();
    saveEmbedder(model, path.join(dir, "emb"), { metrics: { ok: 1 }, card: "# card\n" });
    const loaded = await loadModelFolder(path.join(dir, "emb"));
    assert.equal(loaded.kind, "embedding");
    assert.deepEqual(loaded.kind === "embedding" && loaded.encoder.encode(TEXTS), model.encode(TEXTS));
    const reranker = Reranker.create(model, { hidden: 3 });
    const w1 = reranker.params.get("mlp.0.weight").data;
    w1.forEach((_, i) => {
      w1[i] = Math.sin(i);
    });
    saveReranker(reranker, path.join(dir, "rr"));
    const back = await loadModelFolder(path.join(dir, "rr"));
    assert.equal(back.kind, "reranker");
    const candidates = TEXTS.map((text, i) => ({ text, bm25: i }));
    assert.deepEqual(
      back.kind === "reranker" && back.scorer.score("flow plate", candidates),
      reranker.score("flow plate", candidates),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a broken folder is refused with the file or tensor named", async () => {
    const dir = tempDir();
    saveEmbedder(tinyEmbedder(), dir);
    const config = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...config, dimension: 7 }));
    await assert.rejects(
      loadModelFolder(dir),
      /projection\.weight has shape \[6, 8\], config\.json implies \[7, 8\]/,
    );
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...config, vocab_size: 99 }));
    await assert.rejects(loadModelFolder(dir), /"vocab_size" is 99 but vocab\.txt has 6 words/);
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...config, architecture: "bert" }));
    await assert.rejects(loadModelFolder(dir), /"architecture" must be/);
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(config));
    fs.rmSync(path.join(dir, "model.safetensors"));
    await assert.rejects(loadModelFolder(dir), /model\.safetensors is missing/);
    fs.rmSync(path.join(dir, "vocab.txt"));
    await assert.rejects(loadModelFolder(dir), /model\.safetensors is missing|vocab/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

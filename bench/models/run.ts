/**
 * Models benchmark on Cranfield: BM25 (the engine) vs dense (untrained GloVe embedder and the
 * fine-tuned one), hybrid (BM25 + dense, weight tuned on the held-out train queries), BM25 top-100
 * → trained reranker, and an embedder trained on generated pairs only. Training uses qrels/train
 * only; test qrels are read for evaluation alone. Also reports training wall time, embedding
 * throughput and peak memory. Writes bench/results/models.{json,md}.
 *
 *   npm run bench:models [-- --dim 768]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadBeir } from "../../src/eval/beir.ts";
import { openBm25Index } from "../../src/eval/bm25-index.ts";
import { denseRun, rerankRun } from "../../src/eval/dense.ts";
import { fuseWeighted, tuneFusionWeight } from "../../src/eval/fusion.ts";
import { evaluateRun, type Metrics } from "../../src/eval/metrics.ts";
import type { Embedder } from "../../src/models/embedder.ts";
import { loadGlove } from "../../src/models/glove.ts";
import { Reranker } from "../../src/models/reranker.ts";
import {
  corpusAsBeir,
  loadTrainingData,
  type TrainingData,
  validationQrels,
} from "../../src/models/training/data.ts";
import { initialEmbedderFor } from "../../src/models/training/init-embedder.ts";
import { trainEmbedder } from "../../src/models/training/train-embedder.ts";
import { trainReranker } from "../../src/models/training/train-reranker.ts";
import { DATASETS_DIR, RESULTS_DIR } from "../lib/paths.ts";

const { values: args } = parseArgs({ options: { dim: { type: "string", default: "768" } } });
const dimension = Number(args.dim);
const dir = path.join(DATASETS_DIR, "cranfield");
const test = loadBeir(dir, "test");
const glove = await loadGlove({ cacheDir: path.join(os.tmpdir(), "lodestone-cache", "glove") });
let peakRss = process.memoryUsage().rss;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const log = (s: string) => process.stderr.write(`${s}\n`);

const bm25Test = await openBm25Index(test.corpus);
const bm25Run = bm25Test.run(test.queries, 1000);
const score = (run: ReturnType<typeof bm25Test.run>): Metrics => evaluateRun(test.qrels, run);
const results: Record<string, Metrics> = { bm25: score(bm25Run) };
log(`BM25 test nDCG@10 ${results.bm25?.ndcg10.toFixed(4)}`);

function newEmbedder(data: TrainingData): Embedder {
  return initialEmbedderFor(data, {
    glove,
    dimension,
  });
}

async function trained(data: TrainingData, label: string) {
  const model = newEmbedder(data);
  const retriever = await openBm25Index(corpusAsBeir(data));
  const result = await trainEmbedder(
    model,
    data,
    retriever,
    {},
    {
      onEpoch: (r) => {
        sample();
        log(
          `${label} epoch ${r.epoch}: loss ${r.loss.toFixed(3)} validation nDCG@10 ${r.validation.ndcg10.toFixed(4)}`,
        );
      },
    },
  );
  return { model, retriever, result };
}

const judged = loadTrainingData(dir);
const untrained = newEmbedder(judged);
results.dense_untrained = score(denseRun(untrained, test.corpus, test.queries, 1000));
log(`untrained dense test nDCG@10 ${results.dense_untrained?.ndcg10.toFixed(4)}`);

const emb = await trained(judged, "embedder");
const denseTest = denseRun(emb.model, test.corpus, test.queries, 1000);
results.dense = score(denseTest);

// Hybrid weight: tuned on the held-out train queries (the embedder's validation split).
const validationQueries = judged.validation.map((q) => ({ id: q.id, text: q.text }));
const corpusDocs = corpusAsBeir(judged);
const tuned = tuneFusionWeight(
  validationQrels(judged),
  emb.retriever.run(validationQueries, 1000),
  denseRun(emb.model, corpusDocs, validationQueries, 1000),
);
results.hybrid = score(fuseWeighted(bm25Run, denseTest, tuned.weight));

const reranker = Reranker.create(emb.model);
const rr = trainReranker(reranker, judged, emb.retriever);
sample();
const rerankStart = performance.now();
results.rerank = score(rerankRun(reranker, bm25Run, 100, test));
const rerankSeconds = (performance.now() - rerankStart) / 1000;
await emb.retriever.close();

const generatedData = loadTrainingData(dir, { forceGenerated: true });
const gen = await trained(generatedData, "generated-only");
await gen.retriever.close();
results.dense_generated_only = score(denseRun(gen.model, test.corpus, test.queries, 1000));

// Throughput: short texts (queries and titles), in batches as an endpoint would get them.
const shortTexts = [...test.queries.map((q) => q.text), ...test.corpus.map((d) => d.title)];
const texts = Array.from({ length: 20_000 }, (_, i) => shortTexts[i % shortTexts.length] as string);
const t0 = performance.now();
for (let i = 0; i < texts.length; i += 256) emb.model.encode(texts.slice(i, i + 256));
const textsPerSecond = texts.length / ((performance.now() - t0) / 1000);
sample();
await bm25Test.close();

const report = {
  dataset: "cranfield",
  split: "test",
  dimension,
  metrics: results,
  hybrid_weight_bm25: tuned.weight,
  embedder_training: {
    seconds: emb.result.seconds,
    best_epoch: emb.result.bestEpoch,
    epochs_run: emb.result.history.length,
    validation_before: emb.result.before.ndcg10,
    validation_best: emb.result.best.ndcg10,
    train_queries: judged.train.length,
  },
  generated_only_training: { seconds: gen.result.seconds, pairs: generatedData.train.length },
  reranker_training: {
    seconds: rr.seconds,
    best_epoch: rr.bestEpoch,
    validation_bm25: rr.bm25.ndcg10,
    validation_best: rr.best.ndcg10,
  },
  rerank_seconds_per_query: rerankSeconds / test.queries.length,
  embedding_texts_per_second: textsPerSecond,
  peak_rss_mb: peakRss / 2 ** 20,
  machine: { cpus: os.cpus().length, node: process.version },
  date: new Date().toISOString(),
};
const out = RESULTS_DIR;
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, "models.json"), `${JSON.stringify(report, null, 2)}\n`);
const row = (name: string, m: Metrics | undefined) =>
  `| ${name} | ${m?.ndcg10.toFixed(4)} | ${m?.mrr10.toFixed(4)} | ${m?.recall100.toFixed(4)} |`;
const md = [
  `# Models on Cranfield (test split, ${dimension}-d embedder)`,
  "",
  "| method | nDCG@10 | MRR@10 | Recall@100 |",
  "|---|---|---|---|",
  row("BM25 (engine)", results.bm25),
  row("dense, untrained (IDF-weighted GloVe mean)", results.dense_untrained),
  row("dense, fine-tuned", results.dense),
  row(`hybrid (BM25 weight ${tuned.weight.toFixed(2)}, tuned on validation)`, results.hybrid),
  row("BM25 top-100 → reranker", results.rerank),
  row("dense, trained on generated pairs only", results.dense_generated_only),
  "",
  `Embedder training ${report.embedder_training.seconds.toFixed(0)} s (${report.embedder_training.epochs_run} epochs, best ${report.embedder_training.best_epoch}); generated-only ${gen.result.seconds.toFixed(0)} s; reranker ${rr.seconds.toFixed(0)} s.`,
  `Embedding throughput ${textsPerSecond.toFixed(0)} short texts/s; peak RSS ${report.peak_rss_mb.toFixed(0)} MB; ${report.machine.cpus} CPUs.`,
  "",
].join("\n");
fs.writeFileSync(path.join(out, "models.md"), md);
process.stdout.write(md);

/**
 * Serving benchmark over HTTP on loopback: a 768-d embedder endpoint (GloVe-initialised on the
 * Cranfield corpus, one replica) called by 1, 8 and 64 concurrent clients with one short text per
 * request — with micro-batching (default) and without (max_batch_size 1) — reporting embeddings/s
 * and p50/p99 latency; then rerank latency for 100 candidates. Writes bench/results/serving.{json,md}.
 *
 *   npm run bench:serving [-- --seconds 5]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadBeir } from "../../src/eval/beir.ts";
import { saveEmbedder, saveReranker } from "../../src/models/artifacts.ts";
import { loadGlove } from "../../src/models/glove.ts";
import { Reranker } from "../../src/models/reranker.ts";
import { initialEmbedder } from "../../src/models/training/init-embedder.ts";
import { DATASETS_DIR, RESULTS_DIR } from "../lib/paths.ts";
import { startBenchPlatform } from "../lib/platform.ts";

const { values: args } = parseArgs({ options: { seconds: { type: "string", default: "5" } } });
const seconds = Number(args.seconds);
const log = (s: string) => process.stderr.write(`${s}\n`);
const data = loadBeir(path.join(DATASETS_DIR, "cranfield"), "test");
const bench = await startBenchPlatform("serving");
const post = <T>(route: string, body: unknown) => bench.api<T>("POST", route, body);
const deploy = (name: string, folder: string, batching: Record<string, number> = {}) =>
  bench.deploy(name, folder, batching);

const glove = await loadGlove({ cacheDir: path.join(os.tmpdir(), "lodestone-cache", "glove") });
const embedder = initialEmbedder({
  documents: data.corpus.map((d) => `${d.title} ${d.text}`),
  glove,
  dimension: 768,
});
const folders = fs.mkdtempSync(path.join(os.tmpdir(), "lodestone-bench-models-"));
saveEmbedder(embedder, path.join(folders, "emb"));
saveReranker(Reranker.create(embedder), path.join(folders, "rerank"));
const batched = await deploy("emb", path.join(folders, "emb"));
const unbatched = await deploy("emb-unbatched", path.join(folders, "emb"), { max_batch_size: 1 });
const reranker = await deploy("rerank", path.join(folders, "rerank"));
const texts = data.queries.map((q) => q.text);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function load(endpoint: string, clients: number) {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        // base64, as the official openai client asks for by default
        await post("/v1/embeddings", {
          model: endpoint,
          input: texts[n++ % texts.length],
          encoding_format: "base64",
        });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    clients,
    embeddings_per_second: latencies.length / seconds,
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
  };
}

await load(batched, 8); // warm-up
const rows: Record<string, unknown>[] = [];
for (const [label, endpoint] of [
  ["micro-batched", batched],
  ["unbatched (max_batch_size 1)", unbatched],
] as const) {
  for (const clients of [1, 8, 64]) {
    const r = await load(endpoint, clients);
    rows.push({ mode: label, ...r });
    log(
      `${label} ${clients} clients: ${r.embeddings_per_second.toFixed(0)}/s p50 ${r.p50_ms.toFixed(1)} ms p99 ${r.p99_ms.toFixed(1)} ms`,
    );
  }
}

const docs = data.corpus.slice(0, 100).map((d) => `${d.title} ${d.text}`);
const rerankLatencies: number[] = [];
for (let i = 0; i < 30; i++) {
  const t0 = performance.now();
  await post("/v1/rerank", { model: reranker, query: texts[i % texts.length], documents: docs });
  rerankLatencies.push(performance.now() - t0);
}
rerankLatencies.sort((a, b) => a - b);
await bench.close();

const report = {
  embedder: { dimension: 768, replicas: 1, vocabulary: embedder.config.vocab_size },
  seconds_per_level: seconds,
  embeddings: rows,
  rerank_100_candidates: {
    requests: 30,
    p50_ms: percentile(rerankLatencies, 50),
    p99_ms: percentile(rerankLatencies, 99),
  },
  machine: { cpus: os.cpus().length, node: process.version },
  date: new Date().toISOString(),
};
fs.mkdirSync(RESULTS_DIR, { recursive: true });
fs.writeFileSync(path.join(RESULTS_DIR, "serving.json"), `${JSON.stringify(report, null, 2)}\n`);
const md = [
  "# Serving (HTTP on loopback, one text per request, 768-d embedder, 1 replica)",
  "",
  "| mode | clients | embeddings/s | p50 ms | p99 ms |",
  "|---|---|---|---|---|",
  ...rows.map(
    (r) =>
      `| ${r.mode} | ${r.clients} | ${(r.embeddings_per_second as number).toFixed(0)} | ${(r.p50_ms as number).toFixed(1)} | ${(r.p99_ms as number).toFixed(1)} |`,
  ),
  "",
  `Rerank, 100 Cranfield documents per request: p50 ${report.rerank_100_candidates.p50_ms.toFixed(0)} ms, p99 ${report.rerank_100_candidates.p99_ms.toFixed(0)} ms.`,
  "",
].join("\n");
fs.writeFileSync(path.join(RESULTS_DIR, "serving.md"), md);
process.stdout.write(md);
fs.rmSync(folders, { recursive: true, force: true });

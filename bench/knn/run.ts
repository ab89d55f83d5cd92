/**
 * kNN benchmark. Part 1: approximate kNN recall@10 and queries/s on 100k 768-d embeddings (the
 * base embedder over GloVe words, cosine) — Lodestone's HNSW vs exact search vs hnswlib with the same M, ef_construction
 * and ef_search, plus filtered kNN recall. Part 2: Cranfield test nDCG@10 through `_search` only
 * (match, neural, hybrid with a normalization pipeline and with RRF, hybrid + rerank) against the
 * models issue's offline evaluation of the same models. Writes bench/results/knn.{json,md}.
 *
 *   npm run bench:knn [-- --n 100000 --queries 500 --skip-cranfield]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { baseEmbedder } from "../../src/models/base-embedder.ts";
import { loadGlove } from "../../src/models/glove.ts";
import { RESULTS_DIR } from "../lib/paths.ts";
import { machineInfo, markdownTable } from "../lib/report.ts";
import { annBenchmark } from "./ann.ts";
import { cranfieldBenchmark } from "./cranfield.ts";

const { values: args } = parseArgs({
  options: {
    n: { type: "string", default: "100000" },
    queries: { type: "string", default: "500" },
    "skip-cranfield": { type: "boolean", default: false },
    "skip-ann": { type: "boolean", default: false },
    dim: { type: "string", default: "768" },
  },
});
const log = (s: string) => process.stderr.write(`${s}\n`);
const report: Record<string, unknown> = { machine: machineInfo(), date: new Date().toISOString() };
const md: string[] = ["# kNN, neural and hybrid search", ""];

if (!args["skip-ann"]) {
  const glove = await loadGlove({ cacheDir: path.join(os.tmpdir(), "lodestone-cache", "glove") });
  const n = Number(args.n);
  const q = Number(args.queries);
  // the workload of a rag-docs index: 768-d vectors from the platform's default embedder, here of
  // the GloVe vocabulary's words (the base set: the n most frequent; queries: held-out words of
  // similar frequency, every tenth after them)
  if (n + 10 * q > glove.words.length) throw new Error(`only ${glove.words.length} GloVe words`);
  // a vocabulary covering every word used; words the tokenizer keeps nothing of (punctuation)
  // embed to zero vectors, which cosine cannot rank: they are skipped
  const embedder = baseEmbedder(glove, 768, Math.min(glove.words.length, Math.ceil(1.1 * (n + 10 * q))));
  const dim = embedder.dimension;
  const started = performance.now();
  const embedWords = (words: string[], want: number) => {
    const vectors = embedder.encode(words);
    const out = new Float32Array(want * dim);
    let kept = 0;
    for (let i = 0; i < words.length && kept < want; i++) {
      const row = vectors.subarray(i * dim, (i + 1) * dim);
      if (row.some((x) => x !== 0)) out.set(row, dim * kept++);
    }
    if (kept < want) throw new Error(`only ${kept} of ${want} words have a non-zero embedding`);
    return out;
  };
  const base = embedWords(glove.words.slice(0, Math.ceil(n * 1.05)), n);
  const held = glove.words.slice(Math.ceil(n * 1.05));
  const queries = embedWords(
    Array.from({ length: 2 * q }, (_, i) => held[10 * i] as string),
    q,
  );
  log(`embedded ${n + q} words in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const params = { k: 10, m: 16, efConstruction: 100, efSearch: [100, 200], warmup: 100 };
  const rows = await annBenchmark({ dim, base, queries }, params, log);
  report.ann = { vectors: n, queries: q, dimension: dim, space: "cosine", params, rows };
  md.push(
    markdownTable({
      title: `Approximate kNN: ${n.toLocaleString("en-US")} lodestone-embed-base embeddings of GloVe words (${dim}-d, cosine), ${q} queries, k ${params.k}, M ${params.m}, ef_construction ${params.efConstruction}, one client`,
      columns: ["method", "filter", "ef_search", "recall@10", "queries/s", "build s"],
      rows: rows.map((r) => [r.method, r.filter, r.ef_search ?? "", r.recall, r.qps, r.build_seconds ?? ""]),
    }),
  );
  // the criterion: at each ef_search, the graph's recall and its speed relative to hnswlib's
  for (const ef of params.efSearch) {
    const anchor = rows.find((r) => r.method.startsWith("hnswlib") && r.ef_search === ef);
    const ours = rows.find((r) => r.method.includes("HNSW") && r.filter === "none" && r.ef_search === ef);
    if (anchor && ours)
      md.push(
        `ef_search ${ef}: Lodestone HNSW at ${(ours.qps / anchor.qps).toFixed(2)}× hnswlib's queries/s, recall@10 ${ours.recall.toFixed(3)} vs ${anchor.recall.toFixed(3)}.`,
      );
  }
  md.push("");
}

if (!args["skip-cranfield"]) {
  const result = await cranfieldBenchmark({ dimension: Number(args.dim), log });
  report.cranfield = result.report;
  md.push(result.markdown);
}

fs.mkdirSync(RESULTS_DIR, { recursive: true });
fs.writeFileSync(path.join(RESULTS_DIR, "knn.json"), `${JSON.stringify(report, null, 2)}\n`);
fs.writeFileSync(path.join(RESULTS_DIR, "knn.md"), `${md.join("\n")}\n`);
process.stdout.write(`${md.join("\n")}\n`);

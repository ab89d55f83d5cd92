/**
 * kNN benchmark. Part 1: approximate kNN recall@10 and queries/s on GloVe word vectors (≥ 100k,
 * 100-d, cosine) — Lodestone's HNSW vs its exact search vs hnswlib with the same M, ef_construction
 * and ef_search, plus filtered kNN recall. Part 2: Cranfield test nDCG@10 through `_search` only
 * (match, neural, hybrid with a normalization pipeline and with RRF, hybrid + rerank) against the
 * models issue's offline evaluation of the same models. Writes bench/results/knn.{json,md}.
 *
 *   npm run bench:knn [-- --n 120000 --queries 1000 --skip-cranfield]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadGlove } from "../../src/models/glove.ts";
import { RESULTS_DIR } from "../lib/paths.ts";
import { machineInfo, markdownTable } from "../lib/report.ts";
import { annBenchmark } from "./ann.ts";
import { cranfieldBenchmark } from "./cranfield.ts";

const { values: args } = parseArgs({
  options: {
    n: { type: "string", default: "120000" },
    queries: { type: "string", default: "1000" },
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
  const dim = glove.dim;
  if (n + q > glove.words.length) throw new Error(`only ${glove.words.length} GloVe vectors`);
  // queries: rarer words spread over the rest of the vocabulary, never in the base set
  const stride = Math.floor((glove.words.length - n) / q);
  const queries = new Float32Array(q * dim);
  for (let i = 0; i < q; i++) {
    const w = n + i * stride;
    queries.set(glove.vectors.subarray(w * dim, (w + 1) * dim), i * dim);
  }
  const params = { k: 10, m: 16, efConstruction: 100, efSearch: 100, warmup: 100 };
  const rows = await annBenchmark({ dim, base: glove.vectors.slice(0, n * dim), queries }, params, log);
  report.ann = { vectors: n, queries: q, dimension: dim, space: "cosine", params, rows };
  md.push(
    markdownTable({
      title: `Approximate kNN: ${n.toLocaleString("en-US")} GloVe vectors (${dim}-d, cosine), ${q} queries, k ${params.k}, M ${params.m}, ef_construction ${params.efConstruction}, ef_search ${params.efSearch}, one client`,
      columns: ["method", "filter", "recall@10", "queries/s", "build s"],
      rows: rows.map((r) => [r.method, r.filter, r.recall, r.qps, r.build_seconds ?? ""]),
    }),
  );
  const anchor = rows[0];
  const ours = rows.find((r) => r.method.includes("HNSW") && r.filter === "none");
  if (anchor && ours)
    md.push(
      `Lodestone HNSW vs hnswlib: ${(ours.qps / anchor.qps).toFixed(2)}× the queries/s at recall ${ours.recall.toFixed(3)} vs ${anchor.recall.toFixed(3)}.`,
      "",
    );
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

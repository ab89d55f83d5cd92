/**
 * Approximate kNN through the engine's `_search` (in process) against exact search and against
 * hnswlib (Debian's python3-hnswlib, run in the same benchmark on the same vectors and queries):
 * recall@10 and single-client queries per second, unfiltered and with filters of two selectivities.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import usearch, { type BatchMatches, MetricKind } from "usearch";
import { SearchEngine } from "../../src/search/engine.ts";

export interface AnnData {
  dim: number;
  /** Row-major base vectors (n × dim) and query vectors (q × dim). */
  base: Float32Array;
  queries: Float32Array;
}

export interface AnnParams {
  k: number;
  m: number;
  efConstruction: number;
  /** Each is one run of the graph searches (and of hnswlib's). */
  efSearch: number[];
  warmup: number;
}

export interface AnnRow {
  method: string;
  filter: string;
  ef_search?: number;
  recall: number;
  qps: number;
  build_seconds?: number;
}

const rows = (m: Float32Array, dim: number) => m.length / dim;

/** Exact cosine top-k of every query among the base rows that `keep` accepts (ids = row numbers). */
export function exactTopK(data: AnnData, k: number, keep: (row: number) => boolean = () => true): Int32Array {
  const { dim } = data;
  const allowed = Int32Array.from({ length: rows(data.base, dim) }, (_, i) => i).filter(keep);
  const subset = new Float32Array(allowed.length * dim);
  allowed.forEach((r, i) => {
    subset.set(data.base.subarray(r * dim, (r + 1) * dim), i * dim);
  });
  // brute force in C++ on every core (usearch's exactSearch): a JS scan of 100k × 768 per query is minutes
  const found = usearch.exactSearch(subset, data.queries, dim, k, MetricKind.Cos, 0) as BatchMatches;
  const q = rows(data.queries, dim);
  const out = new Int32Array(q * k).fill(-1);
  for (let qi = 0; qi < q; qi++) {
    const n = Number(found.counts[qi]);
    for (let j = 0; j < Math.min(n, k); j++)
      out[qi * k + j] = allowed[Number(found.keys[qi * k + j])] as number;
  }
  return out;
}

function recall(found: number[][], truth: Int32Array, k: number): number {
  let hits = 0;
  let total = 0;
  found.forEach((ids, qi) => {
    const want = new Set(Array.from(truth.subarray(qi * k, qi * k + k)).filter((x) => x >= 0));
    total += want.size;
    for (const id of ids) if (want.has(id)) hits++;
  });
  return total ? hits / total : 1;
}

/** A document's filter bucket: 0..99, so `bucket < 10` keeps 10 % and `bucket = 7` keeps 1 %. */
const bucketOf = (row: number) => (row * 2654435761) % 100;

const FILTERS: { name: string; query?: Record<string, unknown>; keep?: (row: number) => boolean }[] = [
  { name: "none" },
  { name: "10 %", query: { range: { bucket: { lt: 10 } } }, keep: (r) => bucketOf(r) < 10 },
  { name: "1 %", query: { term: { bucket: 7 } }, keep: (r) => bucketOf(r) === 7 },
];

/** Indexes the base vectors into a fresh engine index, graph or exact, and times the queries. */
async function engineRuns(
  data: AnnData,
  params: AnnParams,
  truths: Int32Array[],
  log: (s: string) => void,
): Promise<AnnRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lodestone-knn-"));
  const engine = await SearchEngine.open({ dataDir: dir });
  const out: AnnRow[] = [];
  try {
    for (const exact of [false, true]) {
      const name = exact ? "exact" : "hnsw";
      const started = performance.now();
      engine.createIndex(name, {
        settings: {
          "index.knn": !exact,
          "index.refresh_interval": "-1",
        },
        mappings: {
          properties: {
            vec: {
              type: "knn_vector",
              dimension: data.dim,
              method: {
                name: "hnsw",
                space_type: "cosinesimil",
                parameters: { m: params.m, ef_construction: params.efConstruction },
              },
            },
            bucket: { type: "integer" },
          },
        },
      });
      const n = rows(data.base, data.dim);
      const batch = 2000;
      for (let i = 0; i < n; i += batch) {
        const lines: unknown[] = [];
        for (let r = i; r < Math.min(n, i + batch); r++) {
          lines.push({ index: { _id: String(r) } });
          lines.push({
            vec: Array.from(data.base.subarray(r * data.dim, (r + 1) * data.dim)),
            bucket: bucketOf(r),
          });
        }
        const res = engine.bulk(lines, { index: name });
        if (res.errors) throw new Error(`bulk into ${name} failed: ${JSON.stringify(res).slice(0, 300)}`);
      }
      engine.refresh(name);
      const buildSeconds = (performance.now() - started) / 1000;
      log(`engine ${name}: indexed ${n} vectors in ${buildSeconds.toFixed(1)} s`);
      const q = rows(data.queries, data.dim);
      // exact search has no ef_search: one run
      for (const ef of exact ? [undefined] : params.efSearch) {
        if (ef !== undefined) engine.putSettings(name, { "index.knn.algo_param.ef_search": ef });
        for (const [fi, filter] of FILTERS.entries()) {
          // exact search costs a full scan per query: a fifth of the queries is plenty
          const count = exact ? Math.ceil(q / 5) : q;
          const body = (qi: number) => {
            const knn: Record<string, unknown> = {
              vector: Array.from(data.queries.subarray(qi * data.dim, (qi + 1) * data.dim)),
              k: params.k,
            };
            if (filter.query) knn.filter = filter.query;
            return { size: params.k, _source: false, query: { knn: { vec: knn } } };
          };
          const bodies = Array.from({ length: count }, (_, qi) => body(qi));
          for (const b of bodies.slice(0, Math.min(params.warmup, count))) engine.search(name, b);
          const found: number[][] = [];
          const t0 = performance.now();
          for (const b of bodies) {
            const res = engine.search(name, b) as { hits: { hits: { _id: string }[] } };
            found.push(res.hits.hits.map((h) => Number(h._id)));
          }
          const seconds = (performance.now() - t0) / 1000;
          const truth = (truths[fi] as Int32Array).subarray(0, count * params.k);
          out.push({
            method: exact ? "Lodestone exact (index.knn false)" : "Lodestone HNSW (usearch)",
            filter: filter.name,
            recall: recall(found, truth, params.k),
            qps: count / seconds,
            ...(ef === undefined ? {} : { ef_search: ef }),
            ...(fi === 0 && ef === (exact ? undefined : params.efSearch[0])
              ? { build_seconds: buildSeconds }
              : {}),
          });
          log(`engine ${name} filter ${filter.name}: ${JSON.stringify(out.at(-1))}`);
        }
      }
    }
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

function hnswlibRuns(data: AnnData, params: AnnParams, truth: Int32Array): AnnRow[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lodestone-hnswlib-"));
  try {
    const write = (file: string, a: Float32Array | Int32Array) =>
      fs.writeFileSync(path.join(dir, file), Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    write("base.f32", data.base);
    write("queries.f32", data.queries);
    write("truth.i32", truth);
    fs.writeFileSync(
      path.join(dir, "params.json"),
      JSON.stringify({
        dim: data.dim,
        k: params.k,
        space: "cosine",
        m: params.m,
        ef_construction: params.efConstruction,
        ef_search: params.efSearch,
        warmup: params.warmup,
        build_threads: os.cpus().length,
      }),
    );
    const script = path.join(path.dirname(new URL(import.meta.url).pathname), "hnswlib_anchor.py");
    // Debian's python3-hnswlib lives in the system interpreter, not in a pyenv or venv one
    const stdout = execFileSync("/usr/bin/python3", [script, dir], { encoding: "utf8" });
    const res = JSON.parse(stdout.trim().split("\n").at(-1) as string);
    return (res.runs as { ef_search: number; qps: number; recall_at_k: number }[]).map((run, i) => ({
      method: res.engine as string,
      filter: "none",
      ef_search: run.ef_search,
      recall: run.recall_at_k,
      qps: run.qps,
      ...(i === 0 ? { build_seconds: res.build_seconds as number } : {}),
    }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function annBenchmark(
  data: AnnData,
  params: AnnParams,
  log: (s: string) => void,
): Promise<AnnRow[]> {
  const t0 = performance.now();
  const truths = FILTERS.map((f) => exactTopK(data, params.k, f.keep));
  log(
    `exact ground truth for ${FILTERS.length} filters in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const anchor = hnswlibRuns(data, params, truths[0] as Int32Array);
  log(`hnswlib: ${JSON.stringify(anchor)}`);
  const engine = await engineRuns(data, params, truths, log);
  return [...anchor, ...engine];
}

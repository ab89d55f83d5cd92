/**
 * Runs the Lucene 8.7 BM25 reference (`shared/anchors/lucene/run`) on a BEIR dataset: writes the
 * TSV inputs it reads (title and text in one field), runs it, and returns its run and timings.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BeirDataset } from "../../src/eval/beir.ts";
import type { Run } from "../../src/eval/metrics.ts";
import { SHARED_DIR } from "./paths.ts";

export interface AnchorOptions {
  k1: number;
  b: number;
  analyzer: "english" | "standard";
  topK: number;
}

export interface AnchorResult {
  run: Run;
  indexMs: number;
  /** The timed (second, warm) pass over all queries. */
  queryMs: number;
}

const tsvField = (s: string) => s.replace(/[\t\r\n]/g, " ");

export function luceneAnchorAvailable(): boolean {
  return (
    fs.existsSync(path.join(SHARED_DIR, "anchors/lucene/run")) && spawnSync("java", ["-version"]).status === 0
  );
}

export function runLuceneAnchor(data: BeirDataset, opts: AnchorOptions): AnchorResult {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "lodestone-lucene-"));
  try {
    const corpus = path.join(work, "corpus.tsv");
    const queries = path.join(work, "queries.tsv");
    const out = path.join(work, "run.tsv");
    fs.writeFileSync(
      corpus,
      data.corpus.map((d) => `${d.id}\t${tsvField(d.title)}\t${tsvField(d.text)}\n`).join(""),
    );
    fs.writeFileSync(queries, data.queries.map((q) => `${q.id}\t${tsvField(q.text)}\n`).join(""));
    const args = [corpus, queries, out, String(opts.k1), String(opts.b), opts.analyzer, String(opts.topK)];
    const proc = spawnSync(path.join(SHARED_DIR, "anchors/lucene/run"), args, {
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    if (proc.status !== 0) throw new Error(`Lucene anchor failed (exit ${proc.status}): ${proc.stderr}`);
    const timing = (name: string) => {
      const m = new RegExp(`^${name}\\t([\\d.]+)`, "m").exec(proc.stderr);
      if (!m) throw new Error(`Lucene anchor printed no ${name}: ${proc.stderr}`);
      return Number(m[1]);
    };
    const run: Run = new Map();
    for (const line of fs.readFileSync(out, "utf8").split("\n")) {
      const [qid, id, , score] = line.split("\t");
      if (!qid || !id) continue;
      let docs = run.get(qid);
      if (!docs) run.set(qid, (docs = []));
      docs.push({ id, score: Number(score) });
    }
    return { run, indexMs: timing("index_ms"), queryMs: timing("query_ms_total") };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

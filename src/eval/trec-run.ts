/**
 * Run files, the interchange format of IR evaluation:
 * - `trec`: `qid Q0 docid rank score tag`, space-separated, what trec_eval reads;
 * - `tsv`: `qid \t docid \t rank \t score`, what `shared/tools/ireval.py` reads.
 * Documents are written in ireval.py's ranking order with rank 1, 2, …, and scores are written in
 * full (shortest round-trip form), so reading a file back, or scoring it with another tool, gives
 * the same ranking: rounding scores would turn near-ties into ties that the tie-break reorders.
 */
import fs from "node:fs";
import path from "node:path";
import { type Run, rankDocs } from "./metrics.ts";

export type RunFormat = "trec" | "tsv";

export interface WriteRunOptions {
  /** Default `trec`. */
  format?: RunFormat;
  /** The last column of the `trec` format (the system's name); no whitespace. Default `lodestone`. */
  tag?: string;
  /** Keep the top `depth` documents of each query (default all). */
  depth?: number;
}

function checkField(value: string, what: string, format: RunFormat): void {
  const bad = format === "trec" ? /\s/ : /[\t\r\n]/;
  if (value === "" || bad.test(value))
    throw new Error(
      `${what} ${JSON.stringify(value)} cannot be written to a ${format} run file (empty or contains ${format === "trec" ? "whitespace" : "a tab or newline"})`,
    );
}

/** The run as the text of a run file; queries in the run's order. */
export function formatRun(run: Run, opts: WriteRunOptions = {}): string {
  const format = opts.format ?? "trec";
  const tag = opts.tag ?? "lodestone";
  if (format === "trec") checkField(tag, "the tag", format);
  const lines: string[] = [];
  for (const [qid, docs] of run) {
    checkField(qid, "query id", format);
    rankDocs(docs)
      .slice(0, opts.depth ?? Infinity)
      .forEach((d, i) => {
        checkField(d.id, "document id", format);
        if (!Number.isFinite(d.score))
          throw new Error(`query ${qid}, document ${d.id}: score ${d.score} is not a finite number`);
        lines.push(
          format === "trec"
            ? `${qid} Q0 ${d.id} ${i + 1} ${d.score} ${tag}`
            : `${qid}\t${d.id}\t${i + 1}\t${d.score}`,
        );
      });
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}

/** Writes a run file, creating its folder. */
export function writeRun(file: string, run: Run, opts: WriteRunOptions = {}): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, formatRun(run, opts));
}

/**
 * `trec` when the first line has six fields whose second is `Q0` (or `0`), else `tsv`;
 * a tab-separated six-field line is `trec` only with that second field.
 */
export function detectRunFormat(text: string): RunFormat {
  const first = text.split("\n").find((l) => l.trim() !== "") ?? "";
  const f = first.trim().split(/\s+/);
  const tabs = first.split("\t");
  if (tabs.length >= 4 && !(tabs.length === 6 && /^(Q0|0)$/.test(tabs[1] ?? ""))) return "tsv";
  return f.length === 6 && /^(Q0|0)$/.test(f[1] ?? "") ? "trec" : "tsv";
}

/**
 * Reads the text of a run file (`format` default: detected). Extra `tsv` columns are ignored, as
 * ireval.py ignores them; a first line whose score is not a number is taken for a header.
 * Documents keep the file's scores; the file's ranks are not used (ranking follows the scores).
 */
export function parseRun(text: string, opts: { format?: RunFormat; source?: string } = {}): Run {
  const format = opts.format ?? detectRunFormat(text);
  const source = opts.source ?? "run";
  const run: Run = new Map();
  let seenLine = false;
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    const f = format === "trec" ? line.trim().split(/\s+/) : line.split("\t");
    const isHeader = !seenLine;
    seenLine = true;
    const [qid, docid, scoreText] = format === "trec" ? [f[0], f[2], f[4]] : [f[0], f[1], f[3]];
    const wanted = format === "trec" ? 6 : 4;
    if (f.length < wanted || !qid || !docid)
      throw new Error(
        `${source}:${i + 1}: expected ${format === "trec" ? "qid Q0 docid rank score tag" : "qid<TAB>docid<TAB>rank<TAB>score"}, got ${JSON.stringify(line)}`,
      );
    const score = Number(scoreText);
    if (scoreText === undefined || scoreText.trim() === "" || Number.isNaN(score)) {
      if (isHeader) return;
      throw new Error(`${source}:${i + 1}: score ${JSON.stringify(scoreText)} is not a number`);
    }
    let docs = run.get(qid);
    if (!docs) run.set(qid, (docs = []));
    docs.push({ id: docid, score });
  });
  return run;
}

export function readRun(file: string, opts: { format?: RunFormat } = {}): Run {
  return parseRun(fs.readFileSync(file, "utf8"), { ...opts, source: file });
}

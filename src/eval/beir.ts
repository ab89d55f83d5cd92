/** Reads a dataset in BEIR layout: `corpus.jsonl`, `queries.jsonl`, `qrels/<split>.tsv`. */
import fs from "node:fs";
import path from "node:path";
import type { Qrels } from "./metrics.ts";

export interface BeirDoc {
  id: string;
  title: string;
  text: string;
}

export interface BeirQuery {
  id: string;
  text: string;
}

export interface BeirDataset {
  name: string;
  corpus: BeirDoc[];
  /** Only the queries judged in the split, in file order. */
  queries: BeirQuery[];
  qrels: Qrels;
}

function jsonLines(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, i) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch (err) {
        throw new Error(`${file}:${i + 1}: not a JSON line (${(err as Error).message})`);
      }
    });
}

const str = (v: unknown): string =>
  typeof v === "string" ? v : v === undefined || v === null ? "" : String(v);

/** Judgements with a positive grade, keyed by query then document (the header line is skipped). */
export function readQrels(file: string): Qrels {
  const qrels: Qrels = new Map();
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      const f = line.trimEnd().split("\t");
      if (f.length < 3) return;
      const grade = Number(f[2]);
      if (!Number.isInteger(grade)) {
        if (i === 0) return; // header
        throw new Error(`${file}:${i + 1}: grade "${f[2]}" is not an integer`);
      }
      if (grade <= 0) return;
      const qid = f[0] as string;
      let judged = qrels.get(qid);
      if (!judged) qrels.set(qid, (judged = new Map()));
      judged.set(f[1] as string, grade);
    });
  return qrels;
}

export function loadBeir(dir: string, split = "test"): BeirDataset {
  const qrels = readQrels(path.join(dir, "qrels", `${split}.tsv`));
  const corpus = jsonLines(path.join(dir, "corpus.jsonl")).map((d) => ({
    id: str(d._id),
    title: str(d.title),
    text: str(d.text),
  }));
  const queries = jsonLines(path.join(dir, "queries.jsonl"))
    .map((q) => ({ id: str(q._id), text: str(q.text) }))
    .filter((q) => qrels.has(q.id));
  return { name: path.basename(dir), corpus, queries, qrels };
}

/** The text a document is indexed (and encoded, and reranked) as: title, a space, text. */
export function documentText(d: BeirDoc): string {
  return `${d.title} ${d.text}`;
}

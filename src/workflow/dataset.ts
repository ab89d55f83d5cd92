/**
 * The workflow's data, prepared locally in BEIR layout: the corpus to index, the queries and
 * judgements the training jobs may see (train, validation), and the test queries they never see.
 *
 * - beir: the dataset's own splits; the jobs get corpus, queries and qrels/train.tsv (and dev.tsv
 *   when present); the test split stays here. Without dev.tsv the validation queries are the same
 *   hashed share of train that the jobs hold out (validationQueryIds).
 * - markdown: the files are cut into passages and questions are generated from them exactly as
 *   train-embedding does (title → body, sentences → passage); a seeded `test_share` of those
 *   questions is set aside before anything is uploaded, the rest is written as qrels/train.tsv
 *   and qrels/dev.tsv. The jobs read judged BEIR data, so they never generate questions of their
 *   own that could coincide with the held-out ones.
 */
import fs from "node:fs";
import path from "node:path";
import { documentText, loadBeir } from "../eval/beir.ts";
import { validationQueryIds } from "../eval/fusion.ts";
import type { Qrels } from "../eval/metrics.ts";
import { type Judgements, subsetJudgements } from "../eval/tune/request.ts";
import { loadTrainingData, type TrainingQuery } from "../models/training/data.ts";
import type { Workflow } from "./schema.ts";

/** Judged queries: the tuner's Judgements. */
export type EvalSet = Judgements;

export interface IndexedDoc {
  id: string;
  title: string;
  /** The text indexed, embedded and reranked. */
  text: string;
}

export interface Dataset {
  /** The folder the training jobs get (uploaded to `<data.oss>training/`): no test judgements. */
  trainingDir: string;
  corpus: IndexedDoc[];
  /** The judged queries the jobs train on (without the validation ones). */
  train: EvalSet;
  /** Held out from training; tunes the hybrid weight. */
  validation: EvalSet;
  /** Never seen by the jobs nor used for tuning: the reported figures. */
  test: EvalSet;
}

export const QUESTION_DEFAULTS = { per_doc: 3, test_share: 0.2, validation_share: 0.2, seed: 13 };

function writeJsonLines(file: string, rows: unknown[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
}

function writeQrels(file: string, qrels: Qrels): void {
  const lines = ["query-id\tcorpus-id\tscore"];
  for (const [qid, docs] of qrels) for (const [doc, grade] of docs) lines.push(`${qid}\t${doc}\t${grade}`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
}

function fromMarkdown(sourceDir: string, workflow: Workflow, out: string): Dataset {
  const q = { ...QUESTION_DEFAULTS, ...workflow.data.questions };
  // train-embedding's own generator and seeded split; its "validation" share is our test set
  const generated = loadTrainingData(sourceDir, {
    forceGenerated: true,
    generatedPerDoc: q.per_doc,
    validationShare: q.test_share,
    seed: q.seed,
  });
  const corpus = generated.corpus.map((d) => ({ id: d.id, title: d.title, text: d.text }));
  const asSet = (queries: TrainingQuery[]): EvalSet => ({
    queries: queries.map((x) => ({ id: x.id, text: x.text })),
    qrels: new Map(
      queries.map((x) => [x.id, new Map([...x.positives].map(([doc, g]) => [corpus[doc]?.id as string, g]))]),
    ),
  });
  const rest = asSet(generated.train);
  const dev = new Set(
    validationQueryIds(
      rest.queries.map((x) => x.id),
      q.validation_share,
    ),
  );
  const validation = subsetJudgements(rest, dev);
  const train = subsetJudgements(rest, new Set(rest.queries.map((x) => x.id).filter((id) => !dev.has(id))));
  writeJsonLines(
    path.join(out, "corpus.jsonl"),
    corpus.map((d) => ({ _id: d.id, title: "", text: d.text })),
  );
  writeJsonLines(
    path.join(out, "queries.jsonl"),
    rest.queries.map((x) => ({ _id: x.id, text: x.text })),
  );
  writeQrels(path.join(out, "qrels", "train.tsv"), train.qrels);
  writeQrels(path.join(out, "qrels", "dev.tsv"), validation.qrels);
  return { trainingDir: out, corpus, train, validation, test: asSet(generated.validation) };
}

function fromBeir(sourceDir: string, workflow: Workflow, out: string): Dataset {
  for (const f of ["corpus.jsonl", "queries.jsonl", "qrels/train.tsv", "qrels/test.tsv"])
    if (!fs.existsSync(path.join(sourceDir, f)))
      throw new Error(`data.source: a BEIR dataset needs ${f}, missing in ${sourceDir}`);
  const test = loadBeir(sourceDir, "test");
  const hasDev = fs.existsSync(path.join(sourceDir, "qrels", "dev.tsv"));
  const train = loadBeir(sourceDir, "train");
  const share = workflow.data.questions?.validation_share ?? QUESTION_DEFAULTS.validation_share;
  const validation = hasDev
    ? loadBeir(sourceDir, "dev")
    : subsetJudgements(train, new Set(validationQueryIds([...train.qrels.keys()], share)));
  for (const f of [
    "corpus.jsonl",
    "queries.jsonl",
    "qrels/train.tsv",
    ...(hasDev ? ["qrels/dev.tsv"] : []),
  ]) {
    fs.mkdirSync(path.dirname(path.join(out, f)), { recursive: true });
    fs.copyFileSync(path.join(sourceDir, f), path.join(out, f));
  }
  return {
    trainingDir: out,
    corpus: test.corpus.map((d) => ({ id: d.id, title: d.title, text: documentText(d) })),
    train: subsetJudgements(
      train,
      new Set([...train.qrels.keys()].filter((id) => !validation.qrels.has(id))),
    ),
    validation: { queries: validation.queries, qrels: validation.qrels },
    test: { queries: test.queries, qrels: test.qrels },
  };
}

/** Builds the dataset from a local source folder into `<workDir>/training`. */
export function prepareDataset(sourceDir: string, workflow: Workflow, workDir: string): Dataset {
  const out = path.join(workDir, "training");
  fs.rmSync(out, { recursive: true, force: true });
  const dataset =
    workflow.data.format === "markdown"
      ? fromMarkdown(sourceDir, workflow, out)
      : fromBeir(sourceDir, workflow, out);
  if (dataset.test.queries.length === 0) throw new Error("data: no test queries to evaluate on");
  return dataset;
}

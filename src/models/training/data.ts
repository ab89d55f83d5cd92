/**
 * Training data for the embedder and the reranker, read from a job's input folder:
 * - BEIR layout (`corpus.jsonl`, `queries.jsonl`, `qrels/train.tsv`, optional `qrels/dev.tsv`):
 *   judged queries; the test split is never read;
 * - plain pairs (`*.jsonl` lines `{"query","positive","negative?"}`, positive/negative a string or
 *   a list of strings);
 * - documents only (`corpus.jsonl` without judged queries, or `.md`/`.txt` files): pairs generated
 *   from the corpus (see generate-pairs.ts).
 * Queries point at documents by index into one corpus, so validation can rank the whole corpus.
 */
import fs from "node:fs";
import path from "node:path";
import { type BeirDoc, documentText, readQrels } from "../../eval/beir.ts";
import { validationQueryIds } from "../../eval/fusion.ts";
import type { Qrels } from "../../eval/metrics.ts";
import { generatePairs } from "./generate-pairs.ts";
import { seededShuffle } from "./random.ts";

export interface TrainingDoc {
  id: string;
  title: string;
  /** The text to embed: title and body joined (BEIR documents exactly as `lodestone eval` joins them). */
  text: string;
}

export interface TrainingQuery {
  id: string;
  text: string;
  /** Corpus index → grade (> 0). */
  positives: Map<number, number>;
  /** Corpus indexes given as negatives by the data itself (pairs files). */
  negatives: number[];
  /**
   * For generated pairs: the positive's text as the model should see it in training (the passage
   * with the query sentence cut out, as in the inverse cloze task); retrieval still targets the
   * whole document.
   */
  positiveText?: string;
}

export type DataSource = "beir" | "pairs" | "generated";

export interface TrainingData {
  source: DataSource;
  corpus: TrainingDoc[];
  train: TrainingQuery[];
  /** Held out for early stopping and model selection (qrels/dev.tsv, or a seeded share of train). */
  validation: TrainingQuery[];
}

export interface LoadOptions {
  /** Share of the training queries held out for validation when the data has no dev split. */
  validationShare?: number;
  /** Generated queries per document when pairs are generated. */
  generatedPerDoc?: number;
  seed?: number;
  /** Use generated pairs even when judged queries exist. */
  forceGenerated?: boolean;
  /**
   * Generated pairs per document added to judged training queries (default 1): with few judged
   * queries (Cranfield has 150) they regularise the word vectors towards the whole corpus.
   */
  augmentPerDoc?: number;
}

export class TrainingDataError extends Error {}

/**
 * The corpus as BEIR documents for the engine and the evaluation code: the text already holds the
 * title, so the title is left empty (it would be joined in a second time).
 */
export function corpusAsBeir(data: TrainingData): BeirDoc[] {
  return data.corpus.map((d) => ({ id: d.id, title: "", text: d.text }));
}

/** The validation queries' judgements keyed by document id, as the metrics take them. */
export function validationQrels(data: TrainingData): Qrels {
  return new Map(
    data.validation.map((q) => [
      q.id,
      new Map([...q.positives].map(([doc, grade]) => [(data.corpus[doc] as TrainingDoc).id, grade])),
    ]),
  );
}

/** The share of judged train queries the training jobs hold out (hashed ids: validationQueryIds). */
export const TRAINING_VALIDATION_SHARE = 0.2;

export function loadTrainingData(inputDir: string, opts: LoadOptions = {}): TrainingData {
  const seed = opts.seed ?? 13;
  const validationShare = opts.validationShare ?? TRAINING_VALIDATION_SHARE;
  if (!fs.existsSync(inputDir) || !fs.statSync(inputDir).isDirectory())
    throw new TrainingDataError(`the training input ${inputDir} is not a folder`);
  const corpusFile = path.join(inputDir, "corpus.jsonl");
  if (fs.existsSync(corpusFile)) {
    const corpus = readBeirCorpus(corpusFile);
    const trainQrels = path.join(inputDir, "qrels", "train.tsv");
    if (!opts.forceGenerated && fs.existsSync(trainQrels)) {
      const queries = readQueries(path.join(inputDir, "queries.jsonl"));
      const index = new Map(corpus.map((d, i) => [d.id, i]));
      const train = judgedQueries(trainQrels, queries, index);
      const devQrels = path.join(inputDir, "qrels", "dev.tsv");
      if (fs.existsSync(devQrels))
        return { source: "beir", corpus, train, validation: judgedQueries(devQrels, queries, index) };
      // The same held-out queries as `lodestone eval` tunes hybrid weights on (never trained on).
      const held = new Set(
        validationQueryIds(
          train.map((q) => q.id),
          validationShare,
        ),
      );
      const augment = opts.augmentPerDoc ?? 1;
      return {
        source: "beir",
        corpus,
        train: [
          ...train.filter((q) => !held.has(q.id)),
          ...(augment > 0 ? generatePairs(corpus, { perDoc: augment, seed }) : []),
        ],
        validation: train.filter((q) => held.has(q.id)),
      };
    }
    return generated(corpus, opts, seed, validationShare);
  }
  const files = listFiles(inputDir);
  const pairFiles = files.filter((f) => f.endsWith(".jsonl") && isPairsFile(f));
  if (pairFiles.length > 0 && !opts.forceGenerated) {
    const { corpus, queries } = readPairs(pairFiles);
    return { source: "pairs", corpus, ...holdOut(queries, validationShare, seed) };
  }
  const textFiles = files.filter((f) => /\.(md|markdown|txt)$/i.test(f));
  if (textFiles.length > 0)
    return generated(passagesFromFiles(inputDir, textFiles), opts, seed, validationShare);
  throw new TrainingDataError(
    `no training data in the input: expected BEIR files (corpus.jsonl, queries.jsonl, qrels/train.tsv), ` +
      `pairs (*.jsonl with "query" and "positive"), or documents (corpus.jsonl, .md, .txt)`,
  );
}

function generated(corpus: TrainingDoc[], opts: LoadOptions, seed: number, share: number): TrainingData {
  if (corpus.length < 2)
    throw new TrainingDataError(
      `pairs can only be generated from at least 2 documents, got ${corpus.length}`,
    );
  const queries = generatePairs(corpus, { perDoc: opts.generatedPerDoc ?? 3, seed });
  return { source: "generated", corpus, ...holdOut(queries, share, seed) };
}

function holdOut(queries: TrainingQuery[], share: number, seed: number) {
  const shuffled = seededShuffle(queries, seed);
  const n = queries.length < 5 ? 0 : Math.max(1, Math.round(queries.length * share));
  return { train: shuffled.slice(n), validation: shuffled.slice(0, n) };
}

function jsonLines(file: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        throw new TrainingDataError(`${file}:${i + 1}: not a JSON line (${(err as Error).message})`);
      }
      if (typeof value !== "object" || value === null || Array.isArray(value))
        throw new TrainingDataError(`${file}:${i + 1}: expected a JSON object`);
      out.push(value as Record<string, unknown>);
    });
  return out;
}

const str = (v: unknown): string => (typeof v === "string" ? v : v == null ? "" : String(v));

export function joinTitle(title: string, text: string): string {
  return title && !text.startsWith(title) ? `${title} ${text}` : text || title;
}

function readBeirCorpus(file: string): TrainingDoc[] {
  return jsonLines(file).map((d, i) => {
    const id = str(d._id ?? d.id);
    if (!id) throw new TrainingDataError(`${file}:${i + 1}: a document needs an "_id"`);
    const title = str(d.title);
    return { id, title, text: documentText({ id, title, text: str(d.text) }) };
  });
}

function readQueries(file: string): Map<string, string> {
  if (!fs.existsSync(file)) throw new TrainingDataError(`qrels are given but ${file} is missing`);
  return new Map(jsonLines(file).map((q) => [str(q._id ?? q.id), str(q.text)]));
}

function judgedQueries(
  qrelsFile: string,
  texts: Map<string, string>,
  corpusIndex: Map<string, number>,
): TrainingQuery[] {
  const queries: TrainingQuery[] = [];
  for (const [qid, judged] of readQrels(qrelsFile)) {
    const text = texts.get(qid);
    const positives = new Map<number, number>();
    for (const [docId, grade] of judged) {
      const doc = corpusIndex.get(docId);
      if (doc !== undefined) positives.set(doc, grade);
    }
    if (text !== undefined && positives.size > 0) queries.push({ id: qid, text, positives, negatives: [] });
  }
  return queries;
}

function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort()
    .map((f) => path.join(dir, f));
}

function isPairsFile(file: string): boolean {
  const first = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .find((l) => l.trim() !== "");
  if (!first) return false;
  try {
    const v = JSON.parse(first) as Record<string, unknown>;
    return typeof v.query === "string" && v.positive !== undefined;
  } catch {
    return false;
  }
}

function readPairs(files: string[]): { corpus: TrainingDoc[]; queries: TrainingQuery[] } {
  const corpus: TrainingDoc[] = [];
  const byText = new Map<string, number>();
  const docIndex = (text: string) => {
    let i = byText.get(text);
    if (i === undefined) {
      i = corpus.length;
      byText.set(text, i);
      corpus.push({ id: `p${i}`, title: "", text });
    }
    return i;
  };
  const texts = (v: unknown, where: string, field: string): string[] => {
    const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
    if (list.some((t) => typeof t !== "string" || t.trim() === ""))
      throw new TrainingDataError(`${where}: "${field}" must be a non-empty string or a list of them`);
    return list as string[];
  };
  const queries: TrainingQuery[] = [];
  for (const file of files) {
    jsonLines(file).forEach((row, i) => {
      const where = `${file}:${i + 1}`;
      if (typeof row.query !== "string" || row.query.trim() === "")
        throw new TrainingDataError(`${where}: "query" must be a non-empty string`);
      const positives = texts(row.positive, where, "positive");
      if (positives.length === 0) throw new TrainingDataError(`${where}: "positive" is missing`);
      queries.push({
        id: `q${queries.length}`,
        text: row.query,
        positives: new Map(positives.map((t) => [docIndex(t), 1])),
        negatives: texts(row.negative, where, "negative").map(docIndex),
      });
    });
  }
  return { corpus, queries };
}

/**
 * Markdown and text files cut into passages at headings and blank lines (~100–250 words each).
 * Passages keep their line breaks (runs of spaces collapse within a line): the same passages are
 * what a RAG answer quotes, and the answerer reads tables, lists and code line by line.
 */
function passagesFromFiles(root: string, files: string[]): TrainingDoc[] {
  const docs: TrainingDoc[] = [];
  for (const file of files) {
    const rel = path.relative(root, file);
    let title = path.basename(file).replace(/\.[^.]+$/, "");
    let buffer: string[] = [];
    let part = 0;
    const flush = () => {
      const body = buffer
        .map((line) => line.replace(/(\S)[ \t]+/g, "$1 ").trimEnd())
        .join("\n")
        .replace(/\n{3,}/g, "\n\n")
        .trim();
      buffer = [];
      if (body.split(/\s+/).length < 5) return;
      // the title on a line of its own, so a table or list that opens the passage stays one
      const text = title && !body.startsWith(title) ? `${title}\n${body}` : body;
      docs.push({ id: `${rel}#${part++}`, title, text });
    };
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
      const heading = /^#{1,6}\s+(.*)$/.exec(line);
      if (heading) {
        flush();
        title = (heading[1] as string).trim();
      } else if (line.trim() === "" && buffer.join(" ").split(/\s+/).length >= 100) flush();
      else if (!line.startsWith("```")) buffer.push(line);
      if (buffer.join(" ").split(/\s+/).length >= 250) flush();
    }
    flush();
  }
  return docs;
}

/**
 * The tuning request (`POST /_lodestone/tune`, `lodestone tune`), checked field by field: judged
 * queries in `_rank_eval`'s shape (`requests: [{id, query_text, ratings: [{_id, rating}]}]`), the
 * index and fields to tune, the models of the neural and rerank stages, and which stages to run.
 * A mistake is a TuneRequestError naming the field and what it takes.
 */
import { isObject } from "../../search/mapping.ts";
import type { BeirQuery } from "../beir.ts";
import { validationQueryIds } from "../fusion.ts";
import type { MetricName, Qrels } from "../metrics.ts";

export const STAGES = ["bm25", "clauses", "synonyms", "prf", "hybrid", "rerank"] as const;
export type StageName = (typeof STAGES)[number];
export const TECHNIQUES = ["min_max", "l2", "z_score", "rrf"] as const;
export type Technique = (typeof TECHNIQUES)[number];
export const METRICS = ["ndcg", "recall", "mrr"] as const satisfies readonly MetricName[];

/** A judged query: a BEIR query (id and text). */
export type JudgedQuery = BeirQuery;

export interface Judgements {
  queries: JudgedQuery[];
  qrels: Qrels;
}

export interface TuneRequest {
  index: string;
  /** Text fields searched by the lexical query (one `match` per field). */
  fields: string[];
  vectorField?: string;
  /** Model id for `neural` queries (enables the hybrid and synonyms stages). */
  embedder?: string;
  /** Model id of the rerank processor (enables the rerank stage). */
  reranker?: string;
  /** What each stage optimises. */
  train: Judgements;
  /** What a change must also improve before it is proposed. */
  heldout: Judgements;
  /**
   * The embedder and reranker were trained on the training queries, so model-dependent stages
   * (hybrid, rerank) choose on the held-out queries by leave-one-out cross-validation instead,
   * and the lexical ones by 10-fold cross-validation over all the judged queries (tuner.ts).
   */
  modelsSawTrain: boolean;
  /** Only reported (start vs tuned), never used to choose: a test split kept out of tuning. */
  test?: Judgements;
  metric: { name: MetricName; k: number };
  stages: StageName[];
  /** The configuration tuning starts from (the one in use). */
  start: { bm25Weight: number; technique: Technique; rerankDepth: number };
  /** Results per query, and each hybrid sub-query's pagination_depth. */
  depth: number;
  /** The copy of the index the settings stages change (deleted afterwards unless keepScratch). */
  scratchIndex: string;
  keepScratch: boolean;
}

export class TuneRequestError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`[${field}] ${reason}`);
  }
}

type Obj = Record<string, unknown>;

const FIELDS = [
  "index",
  "fields",
  "vector_field",
  "embedder_model_id",
  "reranker_model_id",
  "requests",
  "heldout_requests",
  "heldout_share",
  "test_requests",
  "max_train_queries",
  "metric",
  "stages",
  "baseline",
  "depth",
  "scratch_index",
  "keep_scratch",
  "models_trained_on_requests",
];

function str(b: Obj, key: string, required: true): string;
function str(b: Obj, key: string, required?: false): string | undefined;
function str(b: Obj, key: string, required = false): string | undefined {
  const v = b[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== "string" || v === "") throw new TuneRequestError(key, "must be a non-empty string");
  return v;
}

function num(v: unknown, field: string, min: number, max: number, integer = false): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v)))
    throw new TuneRequestError(
      field,
      `must be ${integer ? "an integer" : "a number"} in [${min}, ${max}], got ${JSON.stringify(v)}`,
    );
  return v;
}

/** `[{id, query_text, ratings: [{_id, rating}]}]` → queries and qrels. */
export function parseJudgements(value: unknown, field: string): Judgements {
  if (!Array.isArray(value) || value.length === 0)
    throw new TuneRequestError(field, "must be a non-empty list of {id, query_text, ratings}");
  const queries: JudgedQuery[] = [];
  const qrels: Qrels = new Map();
  value.forEach((r, i) => {
    const at = `${field}.${i}`;
    if (!isObject(r)) throw new TuneRequestError(at, "must be an object {id, query_text, ratings}");
    if (typeof r.id !== "string" || r.id === "")
      throw new TuneRequestError(`${at}.id`, "must be a non-empty string");
    if (qrels.has(r.id)) throw new TuneRequestError(`${at}.id`, `repeats the id [${r.id}]`);
    if (typeof r.query_text !== "string" || r.query_text.trim() === "")
      throw new TuneRequestError(`${at}.query_text`, "must be the query's text");
    if (!Array.isArray(r.ratings))
      throw new TuneRequestError(`${at}.ratings`, "must be a list of {_id, rating}");
    const judged = new Map<string, number>();
    r.ratings.forEach((x: unknown, j: number) => {
      if (!isObject(x) || typeof x._id !== "string")
        throw new TuneRequestError(`${at}.ratings.${j}._id`, "must be a document id string");
      judged.set(x._id, num(x.rating, `${at}.ratings.${j}.rating`, 0, 100, true));
    });
    queries.push({ id: r.id, text: r.query_text });
    qrels.set(r.id, judged);
  });
  return { queries, qrels };
}

/** A judged query as requests carry it (`_rank_eval`'s shape). */
export type RatedRequest = {
  id: string;
  query_text: string;
  ratings: Array<{ _id: string; rating: number }>;
};

/** Queries + qrels → requests (judged queries only). */
export function requestsFrom(queries: JudgedQuery[], qrels: Qrels): RatedRequest[] {
  return queries
    .filter((q) => qrels.has(q.id))
    .map((q) => ({
      id: q.id,
      query_text: q.text,
      ratings: [...(qrels.get(q.id) ?? [])].map(([_id, rating]) => ({ _id, rating })),
    }));
}

/** The judged queries whose ids are in `ids`, with their judgements. */
export function subsetJudgements(j: Judgements, ids: ReadonlySet<string>): Judgements {
  return {
    queries: j.queries.filter((q) => ids.has(q.id)),
    qrels: new Map([...j.qrels].filter(([id]) => ids.has(id))),
  };
}

/** Splits judged queries into train and held-out by the same id hash `lodestone eval` uses. */
export function splitJudgements(
  all: Judgements,
  heldoutShare: number,
): { train: Judgements; heldout: Judgements } {
  const held = new Set(
    validationQueryIds(
      all.queries.map((q) => q.id),
      heldoutShare,
    ),
  );
  const rest = new Set(all.queries.map((q) => q.id).filter((id) => !held.has(id)));
  return { train: subsetJudgements(all, rest), heldout: subsetJudgements(all, held) };
}

function parseMetric(v: unknown): TuneRequest["metric"] {
  if (v === undefined) return { name: "ndcg", k: 10 };
  const m = typeof v === "string" ? /^(ndcg|recall|mrr)@(\d+)$/.exec(v) : null;
  if (!m) throw new TuneRequestError("metric", `must be ndcg@k, recall@k or mrr@k, got ${JSON.stringify(v)}`);
  return { name: m[1] as MetricName, k: num(Number(m[2]), "metric", 1, 1000, true) };
}

function parseStages(v: unknown): StageName[] {
  if (v === undefined) return [...STAGES];
  if (!Array.isArray(v) || v.some((s) => !STAGES.includes(s as StageName)))
    throw new TuneRequestError("stages", `must be a list of ${STAGES.join(", ")}, got ${JSON.stringify(v)}`);
  // stages run in their fixed order, whatever the order given
  return STAGES.filter((s) => v.includes(s));
}

function parseStart(v: unknown): TuneRequest["start"] {
  const b = v === undefined ? {} : v;
  if (!isObject(b))
    throw new TuneRequestError("baseline", "must be an object {bm25_weight, normalization, rerank_depth}");
  for (const k of Object.keys(b))
    if (!["bm25_weight", "normalization", "rerank_depth"].includes(k))
      throw new TuneRequestError(
        `baseline.${k}`,
        "is not a known key (bm25_weight, normalization, rerank_depth)",
      );
  const technique = b.normalization ?? "min_max";
  if (!TECHNIQUES.includes(technique as Technique))
    throw new TuneRequestError("baseline.normalization", `must be one of ${TECHNIQUES.join(", ")}`);
  return {
    bm25Weight: b.bm25_weight === undefined ? 0.5 : num(b.bm25_weight, "baseline.bm25_weight", 0, 1),
    technique: technique as Technique,
    rerankDepth:
      b.rerank_depth === undefined ? 100 : num(b.rerank_depth, "baseline.rerank_depth", 1, 1000, true),
  };
}

export function parseTuneRequest(body: unknown): TuneRequest {
  if (!isObject(body)) throw new TuneRequestError("body", "must be a JSON object");
  for (const key of Object.keys(body))
    if (!FIELDS.includes(key)) throw new TuneRequestError(key, `is not a known field (${FIELDS.join(", ")})`);
  const index = str(body, "index", true);
  const fields = body.fields;
  if (!Array.isArray(fields) || fields.length === 0 || fields.some((f) => typeof f !== "string" || f === ""))
    throw new TuneRequestError("fields", "must be a non-empty list of text field names");
  const all = parseJudgements(body.requests, "requests");
  let split: { train: Judgements; heldout: Judgements };
  if (body.heldout_requests !== undefined) {
    if (body.heldout_share !== undefined)
      throw new TuneRequestError("heldout_share", "give heldout_requests or heldout_share, not both");
    split = { train: all, heldout: parseJudgements(body.heldout_requests, "heldout_requests") };
  } else {
    const share =
      body.heldout_share === undefined ? 0.3 : num(body.heldout_share, "heldout_share", 0.05, 0.95);
    split = splitJudgements(all, share);
    if (split.train.queries.length === 0)
      throw new TuneRequestError(
        "requests",
        "too few requests to keep some for training after the held-out share",
      );
  }
  if (body.max_train_queries !== undefined) {
    const max = num(body.max_train_queries, "max_train_queries", 10, 1_000_000, true);
    if (split.train.queries.length > max) {
      // the ids hashing lowest, as the held-out share is chosen
      const ids = validationQueryIds(
        split.train.queries.map((q) => q.id),
        1,
      ).slice(0, max);
      split.train = subsetJudgements(split.train, new Set(ids));
    }
  }
  const embedder = str(body, "embedder_model_id");
  const vectorField = str(body, "vector_field");
  if (embedder && !vectorField)
    throw new TuneRequestError(
      "vector_field",
      "is required with embedder_model_id: the knn_vector field neural queries search",
    );
  const reranker = str(body, "reranker_model_id");
  const stages = parseStages(body.stages).filter(
    (s) => (s !== "hybrid" && s !== "synonyms") || embedder !== undefined,
  );
  for (const flag of ["keep_scratch", "models_trained_on_requests"])
    if (body[flag] !== undefined && typeof body[flag] !== "boolean")
      throw new TuneRequestError(flag, "must be true or false");
  return {
    index,
    fields: fields as string[],
    vectorField,
    embedder,
    reranker,
    ...split,
    ...(body.test_requests !== undefined && { test: parseJudgements(body.test_requests, "test_requests") }),
    metric: parseMetric(body.metric),
    stages: stages.filter((s) => s !== "rerank" || reranker !== undefined),
    start: parseStart(body.baseline),
    depth: body.depth === undefined ? 100 : num(body.depth, "depth", 10, 1000, true),
    scratchIndex: str(body, "scratch_index") ?? `${index}-lodestone-tune`,
    keepScratch: body.keep_scratch === true,
    modelsSawTrain: body.models_trained_on_requests === true,
  };
}

/**
 * Relevance tuning: copies the index into a scratch index, runs the requested stages in a fixed
 * order (bm25 → clauses → synonyms → prf → hybrid → rerank), each from the configuration the
 * earlier ones left, and proposes a stage's change only when it raises the metric on the training
 * queries AND on the held-out ones — otherwise the change is reported as rejected, with both
 * figures, so nothing overfits silently (or, when the models trained on the training queries,
 * only when a cross-validated, out-of-fold figure rises: see `selection`). The result is a
 * ready-to-use query template, search pipeline and index settings, with train and held-out
 * metrics of the start and tuned searches.
 */

import { type PairedDifference, pairedDifference } from "../paired.ts";
import {
  pipelineBody,
  QUERY_PLACEHOLDER,
  searchBody,
  similaritySettings,
  startConfig,
  type TuneConfig,
  type View,
} from "./config.ts";
import { RunCache } from "./measure.ts";
import { type Judgements, type StageName, subsetJudgements, type TuneRequest } from "./request.ts";
import {
  createScratch,
  putStaticSettings,
  readSourceIndex,
  type ScratchIndex,
  synonymSettings,
} from "./scratch.ts";
import type { Stage, StageContext, Trial } from "./stage.ts";
import { hybridStage, rerankStage } from "./stages/fusion.ts";
import { bm25Stage, clausesStage, prfStage } from "./stages/lexical.ts";
import { synonymsStage } from "./stages/synonyms.ts";
import type { SearchTransport } from "./transport.ts";

const STAGES: Record<StageName, Stage> = {
  bm25: bm25Stage,
  clauses: clausesStage,
  synonyms: synonymsStage,
  prf: prfStage,
  hybrid: hybridStage,
  rerank: rerankStage,
};

export interface Split {
  train: number;
  heldout: number;
  /** On the request's test queries, when given (reported only, never used to choose). */
  test?: number;
}

export interface StageReport {
  stage: StageName;
  status: "accepted" | "rejected" | "unchanged" | "skipped";
  /**
   * Which queries chose the change. "train": the training ones, then confirmed on the held-out
   * ones. When the models trained on the training queries: "heldout-cv" for stages that depend on
   * the models (chosen on the held-out queries, leave-one-out: `after.heldout` is the figure of
   * each held-out query under the choice made without it), and "pooled-cv" for the lexical ones
   * the models do not touch (chosen on all the judged queries, 10-fold: `before.heldout` and
   * `after.heldout` are over all of them, the latter out of fold).
   */
  chosen_on?: Selection;
  /** Why it was skipped or rejected. */
  reason?: string;
  change?: string;
  view?: View;
  before?: Split;
  after?: Split;
  trials: Trial[];
}

export interface TuneReport {
  index: string;
  scratch_index: string | null;
  metric: string;
  train_queries: number;
  heldout_queries: number;
  /** The start and tuned searches measured in full (hybrid + rerank when there are models). */
  baseline: Split;
  tuned: Split;
  /**
   * Tuned minus start, query by query (full search): is the gain more than the noise of so few
   * queries? On the held-out queries, and on the test queries when given.
   */
  comparison: { heldout: PairedDifference; test?: PairedDifference };
  /**
   * With models, the lexical query alone (BM25 with the tuned k1/b, clauses, synonyms and RM3) at
   * the start and tuned: what a search without the models gains; proposal.lexical is its template.
   */
  lexical?: { baseline: Split; tuned: Split };
  stages: StageReport[];
  proposal: {
    /** Static settings: PUT on the closed index (the sub-fields' similarity), then open it. */
    index_settings: Record<string, unknown>;
    /** Sub-fields to add (PUT _mapping, then reindex) when k1/b or synonyms changed; else null. */
    mappings: Record<string, unknown> | null;
    /** Solr rules for a synonym_graph filter in the fields' search analyzer. */
    synonyms: string[];
    /** The search body; `{{query_text}}` stands for the user's query. */
    query_template: Record<string, unknown>;
    search_pipeline: Record<string, unknown> | null;
    /** With models: the tuned lexical search alone (no neural query, fusion or rerank). */
    lexical?: { query_template: Record<string, unknown>; search_pipeline: Record<string, unknown> | null };
  };
  config: TuneConfig;
  seconds: number;
}

export type TuneEvent =
  | { type: "copy"; done: number; total: number }
  | { type: "stage"; stage: StageName; status: StageReport["status"] | "start"; message: string }
  | { type: "trial"; stage: StageName; done: number; total: number; message: string };

export interface TuneOptions {
  onEvent?: (e: TuneEvent) => void;
}

/** Keeps the scratch index's static settings in line with the configuration being measured. */
function scratchSettings(transport: SearchTransport, scratch: ScratchIndex) {
  let applied = { similarity: JSON.stringify(scratch.similarity), synonyms: "[]" };
  return async (config: TuneConfig) => {
    const want = { similarity: JSON.stringify(config.similarity), synonyms: JSON.stringify(config.synonyms) };
    if (want.similarity === applied.similarity && want.synonyms === applied.synonyms) return;
    const synonyms = "fields" in scratch.synonyms ? synonymSettings(config.synonyms) : {};
    await putStaticSettings(transport, scratch.name, {
      ...similaritySettings(config.similarity),
      ...synonyms,
    });
    applied = want;
  };
}

function describeMetric(req: TuneRequest): string {
  return `${req.metric.name}@${req.metric.k}`;
}

export async function tune(
  transport: SearchTransport,
  req: TuneRequest,
  opts: TuneOptions = {},
): Promise<TuneReport> {
  const started = performance.now();
  const emit = (e: TuneEvent) => opts.onEvent?.(e);
  const info = await transport.json<{ version?: { build_type?: string } }>("GET", "/");
  const source = await readSourceIndex(transport, req.index);
  const scratch = await createScratch(
    transport,
    source,
    req.scratchIndex,
    req.fields,
    req.stages.includes("synonyms"),
    (done, total) => emit({ type: "copy", done, total }),
  );
  const applySettings = scratchSettings(transport, scratch);
  const runs = new RunCache(transport, req, scratch.name, applySettings);
  const ctx: StageContext = {
    transport,
    req,
    scratch,
    lodestone: info.version?.build_type === "lodestone",
    measure: (config: TuneConfig, judged: Judgements, view: View) => runs.measure(config, judged, view),
    progress: (stage, done, total, message) => emit({ type: "trial", stage, done, total, message }),
  };
  let tunedConfig: TuneConfig | undefined;
  try {
    const start = startConfig(req, scratch.similarity, scratch.queryFields);
    const withTest = async (config: TuneConfig, view: View = "full"): Promise<Split> => ({
      ...(await both(ctx, config, view)),
      ...(req.test && { test: await ctx.measure(config, req.test, view) }),
    });
    const baseline = await withTest(start);
    let current = start;
    const stages: StageReport[] = [];
    for (const name of req.stages) {
      const stage = STAGES[name];
      const how = selection(req, stage);
      emit({
        type: "stage",
        stage: name,
        status: "start",
        message:
          how === "train"
            ? `tuning ${name} on ${req.train.queries.length} queries`
            : how === "heldout-cv"
              ? `tuning ${name} on the ${req.heldout.queries.length} held-out queries (leave-one-out cross-validation)`
              : `tuning ${name} on all ${req.train.queries.length + req.heldout.queries.length} queries (${POOLED_FOLDS}-fold cross-validation)`,
      });
      const { config, ...report } =
        how === "train"
          ? await trainedStage(ctx, stage, current)
          : await crossValidatedStage(ctx, stage, current, how);
      if (report.status === "accepted" && config) current = config;
      stages.push(report);
      emit({
        type: "stage",
        stage: name,
        status: report.status,
        message: report.change ?? report.reason ?? "",
      });
    }
    tunedConfig = current;
    const tuned = current === start ? baseline : await withTest(current);
    const compare = async (judged: Judgements) =>
      pairedDifference(
        await runs.perQuery(start, judged, "full"),
        await runs.perQuery(current, judged, "full"),
      );
    return {
      index: source.name,
      scratch_index: req.keepScratch ? scratch.name : null,
      metric: describeMetric(req),
      train_queries: req.train.queries.length,
      heldout_queries: req.heldout.queries.length,
      baseline,
      tuned,
      comparison: {
        heldout: await compare(req.heldout),
        ...(req.test && { test: await compare(req.test) }),
      },
      ...(req.embedder !== undefined && {
        lexical: { baseline: await withTest(start, "lexical"), tuned: await withTest(current, "lexical") },
      }),
      stages,
      proposal: proposal(req, current, start, scratch),
      config: current,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    if (!req.keepScratch) await transport.json("DELETE", `/${scratch.name}`).catch(() => undefined);
    // a kept scratch index is the tuned index: it keeps the tuned settings
    else if (tunedConfig) await applySettings(tunedConfig);
  }
}

export type StageOutcome = StageReport & { config?: TuneConfig };

type Selection = "train" | "heldout-cv" | "pooled-cv";
const POOLED_FOLDS = 10;

/**
 * How a stage chooses. Normally on the training queries, confirmed on the held-out ones. When the
 * models trained on the training queries their figures there are inflated, so the stages whose
 * results go through the models choose on the held-out queries by cross-validation; the lexical
 * stages (BM25 and the query's clauses and feedback, which no model reads) gain most from more
 * queries, so they cross-validate over all of them. Synonyms come from the embedder's neighbours:
 * they keep the training choice and the held-out confirmation.
 */
function selection(req: TuneRequest, stage: Stage): Selection {
  if (!req.modelsSawTrain) return "train";
  if (stage.view !== "lexical") return "heldout-cv";
  return stage.name === "synonyms" ? "train" : "pooled-cv";
}

/** One after the other: a measurement may change the scratch index's settings. */
async function both(ctx: StageContext, config: TuneConfig, view: View): Promise<Split> {
  const train = await ctx.measure(config, ctx.req.train, view);
  return { train, heldout: await ctx.measure(config, ctx.req.heldout, view) };
}

const rejectedOnHeldout = (req: TuneRequest, before: Split, after: Split) =>
  `raised ${describeMetric(req)} on the training queries (${before.train.toFixed(4)} → ${after.train.toFixed(4)}) but not on the held-out ones (${before.heldout.toFixed(4)} → ${after.heldout.toFixed(4)})`;

const loweredWhole = (req: TuneRequest, whole: { before: number; after: number }) =>
  `raised ${describeMetric(req)} on the training and held-out queries, but lowered the whole search's held-out ${describeMetric(req)} (${whole.before.toFixed(4)} → ${whole.after.toFixed(4)})`;

/** A stage's choice, before it is judged; a skipped or unchanged stage is its outcome already. */
interface Choice {
  base: Omit<StageReport, "status">;
  before: Split;
  best: TuneConfig;
  bestTrain: number;
  change: string;
}

/** Runs the stage choosing on the queries `on`; `before` is the current configuration's split. */
async function choose(
  ctx: StageContext,
  stage: Stage,
  current: TuneConfig,
  how: Selection,
  on: Judgements,
  before: Split,
): Promise<Choice | StageOutcome> {
  const result = await stage.run(ctx, current, await ctx.measure(current, on, stage.view), on);
  if ("skipped" in result)
    return { stage: stage.name, status: "skipped", reason: result.skipped, trials: [] };
  const base = { stage: stage.name, chosen_on: how, view: stage.view, before, trials: result.trials };
  if (result.best === current || result.change === "") return { ...base, status: "unchanged", after: before };
  return { base, before, best: result.best, bestTrain: result.bestTrain, change: result.change };
}

function judged(c: Choice, after: Split, rejectedBecause: string | undefined): StageOutcome {
  return {
    ...c.base,
    status: rejectedBecause === undefined ? "accepted" : "rejected",
    change: c.change,
    after,
    config: c.best,
    ...(rejectedBecause !== undefined && { reason: rejectedBecause }),
  };
}

/** Chosen on the training queries; proposed only when the held-out queries improve too. */
async function trainedStage(ctx: StageContext, stage: Stage, current: TuneConfig): Promise<StageOutcome> {
  const { req } = ctx;
  const c = await choose(ctx, stage, current, "train", req.train, await both(ctx, current, stage.view));
  if ("status" in c) return c;
  const { before } = c;
  const after = { train: c.bestTrain, heldout: await ctx.measure(c.best, req.heldout, stage.view) };
  // and the whole search must not get worse on the held-out queries (a lexical gain can be
  // undone by fusion or rerank)
  const whole =
    stage.view === "full"
      ? undefined
      : {
          before: await ctx.measure(current, req.heldout, "full"),
          after: await ctx.measure(c.best, req.heldout, "full"),
        };
  const heldoutUp = after.heldout > before.heldout + 1e-9;
  const helps = heldoutUp && (!whole || whole.after >= whole.before - 1e-9);
  if (helps) return judged(c, after, undefined);
  return judged(
    c,
    after,
    heldoutUp && whole ? loweredWhole(req, whole) : rejectedOnHeldout(req, before, after),
  );
}

/** The queries in k folds, dealt in id order (deterministic, balanced); k = n leaves one out. */
function kFolds(j: Judgements, k: number): Judgements[] {
  const ids = j.queries.map((q) => q.id).sort();
  return Array.from({ length: Math.min(k, ids.length) }, (_, r) =>
    subsetJudgements(j, new Set(ids.filter((_, i) => i % k === r))),
  );
}

/** Every query of `all` outside `fold`. */
function without(all: Judgements, fold: Judgements): Judgements {
  const out = new Set(fold.queries.map((q) => q.id));
  return subsetJudgements(all, new Set(all.queries.map((q) => q.id).filter((id) => !out.has(id))));
}

/** The training and held-out queries as one set. */
function pooled(req: TuneRequest): Judgements {
  return {
    queries: [...req.train.queries, ...req.heldout.queries],
    qrels: new Map([...req.train.qrels, ...req.heldout.qrels]),
  };
}

/**
 * Cross-validated choice (see `selection`): the stage chooses on every fold's complement and is
 * measured on the fold; the change is proposed when that out-of-fold figure beats the current
 * configuration on the same queries, and the whole search on the held-out queries does not get
 * worse. What is proposed is the choice made on all of the queries.
 */
export async function crossValidatedStage(
  ctx: StageContext,
  stage: Stage,
  current: TuneConfig,
  how: "heldout-cv" | "pooled-cv",
): Promise<StageOutcome> {
  const { req } = ctx;
  const pool = how === "heldout-cv" ? req.heldout : pooled(req);
  const before = {
    train: await ctx.measure(current, req.train, stage.view),
    heldout: await ctx.measure(current, pool, stage.view),
  };
  const c = await choose(ctx, stage, current, how, pool, before);
  if ("status" in c) return c;
  const n = pool.queries.length;
  const folds = kFolds(pool, how === "heldout-cv" ? n : POOLED_FOLDS);
  let outOfFold = 0;
  let wholeOutOfFold = 0;
  for (const [i, check] of folds.entries()) {
    const fit = without(pool, check);
    const r = await stage.run(ctx, current, await ctx.measure(current, fit, stage.view), fit);
    const chosen = "skipped" in r ? current : r.best;
    const w = check.queries.length / n;
    outOfFold += w * (await ctx.measure(chosen, check, stage.view));
    if (how === "heldout-cv") wholeOutOfFold += w * (await ctx.measure(chosen, check, "full"));
    ctx.progress(stage.name, i + 1, folds.length, `cross-validation fold ${i + 1} of ${folds.length}`);
  }
  const after = { train: await ctx.measure(c.best, req.train, stage.view), heldout: outOfFold };
  const whole = {
    before: await ctx.measure(current, req.heldout, "full"),
    after: how === "heldout-cv" ? wholeOutOfFold : await ctx.measure(c.best, req.heldout, "full"),
  };
  const heldoutUp = after.heldout > before.heldout + 1e-9;
  if (heldoutUp && whole.after >= whole.before - 1e-9) return judged(c, after, undefined);
  const queries = how === "heldout-cv" ? "the held-out queries" : "all the judged queries";
  return judged(
    c,
    after,
    heldoutUp
      ? `cross-validated on ${queries}, it raised ${describeMetric(req)} out of fold but lowered the whole search's on the held-out queries (${whole.before.toFixed(4)} → ${whole.after.toFixed(4)})`
      : `cross-validated on ${queries}, it did not raise ${describeMetric(req)} out of fold (${before.heldout.toFixed(4)} → ${after.heldout.toFixed(4)})`,
  );
}

/**
 * What to apply. With tuned k1/b or synonyms the query searches the sub-fields, which the index
 * needs first (`mappings`, then a reindex); otherwise it searches the fields themselves.
 */
function proposal(
  req: TuneRequest,
  config: TuneConfig,
  start: TuneConfig,
  scratch: ScratchIndex,
): TuneReport["proposal"] {
  const settingsChanged =
    JSON.stringify(config.similarity) !== JSON.stringify(start.similarity) || config.synonyms.length > 0;
  const original = new Map(Object.entries(scratch.queryFields).map(([field, sub]) => [sub, field]));
  const final = settingsChanged
    ? config
    : { ...config, clauses: config.clauses.map((c) => ({ ...c, field: original.get(c.field) ?? c.field })) };
  const template = (view: View) => {
    const { size: _size, ...body } = searchBody(req, final, QUERY_PLACEHOLDER, view);
    return { query_template: body, search_pipeline: pipelineBody(req, final, view) ?? null };
  };
  return {
    index_settings: settingsChanged ? similaritySettings(config.similarity) : {},
    mappings: settingsChanged ? { properties: scratch.subFieldMappings } : null,
    synonyms: config.synonyms,
    ...template("full"),
    ...(req.embedder !== undefined && { lexical: template("lexical") }),
  };
}

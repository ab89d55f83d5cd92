/**
 * The engine's ingest pipelines: definitions stored in the engine's SQLite store and compiled
 * once, the `_ingest/pipeline` operations, the pipelines a write runs (the request's `pipeline`
 * or the index's `index.default_pipeline`, then its `index.final_pipeline`; `_none` runs none),
 * and running them over the documents of one write request before it is stored.
 */
import type { BulkAction } from "../bulk.ts";
import { EngineError, illegalArgument } from "../errors.ts";
import type { SearchModels } from "../models.ts";
import type { FlatSettings } from "../settings.ts";
import { EmbeddingBatcher } from "./ingest-batcher.ts";
import { checkPipelineDimensions, type VectorDimensionOf } from "./ingest-checks.ts";
import { compilePipeline } from "./ingest-compile.ts";
import { IngestDocument } from "./ingest-document.ts";
import { DROP, type IngestRuntime, type Pipeline } from "./ingest-pipeline.ts";
import { parseSimulateDocs, simulate } from "./ingest-simulate.ts";

/** What the pipelines need to know about an index. */
export interface IngestIndexView {
  name: string;
  settings: FlatSettings;
  vectorDimension: VectorDimensionOf;
}

/** The engine, as the pipelines see it. */
export interface IngestHost {
  /** The model service; throws a 400 when the engine has none. */
  models(): SearchModels;
  hasModels(): boolean;
  /** The existing index a write to `name` lands in (an alias resolved); undefined when there is none yet. */
  writeTarget(name: string): IngestIndexView | undefined;
  indices(): IngestIndexView[];
}

/** Where pipeline definitions are kept (the engine store). */
export interface IngestPipelineStore {
  ingestPipelines(): Array<{ id: string; body: string }>;
  putIngestPipeline(id: string, body: string): void;
  deleteIngestPipeline(id: string): void;
}

const PIPELINE_SETTINGS = [
  ["index.default_pipeline", "pipeline"],
  ["index.final_pipeline", "final pipeline"],
] as const;

export class IngestPipelines {
  private readonly bodies = new Map<string, Record<string, unknown>>();
  private readonly compiled = new Map<string, Pipeline | EngineError>();

  constructor(
    private readonly store: IngestPipelineStore,
    private readonly host: IngestHost,
  ) {
    for (const row of store.ingestPipelines()) {
      const body = JSON.parse(row.body) as Record<string, unknown>;
      this.bodies.set(row.id, body);
      // models are not checked here: the model service may come later, an endpoint may be stopped
      try {
        this.compiled.set(row.id, compilePipeline(row.id, body, {}));
      } catch (err) {
        if (!(err instanceof EngineError)) throw err;
        this.compiled.set(row.id, err);
      }
    }
  }

  private modelsIfAny(): SearchModels | undefined {
    return this.host.hasModels() ? this.host.models() : undefined;
  }

  put(id: string, body: unknown): Record<string, unknown> {
    if (!id.trim()) throw illegalArgument("pipeline id must not be empty");
    const pipeline = compilePipeline(id, body, { models: this.modelsIfAny() });
    for (const index of this.host.indices()) {
      if (PIPELINE_SETTINGS.some(([key]) => index.settings[key] === id))
        checkPipelineDimensions(pipeline, this.modelsIfAny(), index.name, index.vectorDimension);
    }
    this.store.putIngestPipeline(id, JSON.stringify(body));
    this.bodies.set(id, body as Record<string, unknown>);
    this.compiled.set(id, pipeline);
    return { acknowledged: true };
  }

  /** Definitions by id, comma list or `*` pattern; `found` is false when a named one is missing. */
  get(expr?: string): { found: boolean; body: Record<string, unknown> } {
    const out: Record<string, unknown> = {};
    if (expr === undefined || expr === "" || expr === "*" || expr === "_all") {
      for (const [id, body] of this.bodies) out[id] = body;
      return { found: true, body: out };
    }
    let found = true;
    for (const part of expr.split(",")) {
      const ids = this.matching(part);
      if (!ids.length && !part.includes("*")) found = false;
      for (const id of ids) out[id] = this.bodies.get(id);
    }
    return { found: found || Object.keys(out).length > 0, body: out };
  }

  delete(expr: string): Record<string, unknown> {
    const ids = expr.split(",").flatMap((part) => {
      const matched = this.matching(part);
      if (!matched.length && !part.includes("*"))
        throw new EngineError(404, "resource_not_found_exception", `pipeline [${part}] is missing`);
      return matched;
    });
    for (const id of ids) {
      this.store.deleteIngestPipeline(id);
      this.bodies.delete(id);
      this.compiled.delete(id);
    }
    return { acknowledged: true };
  }

  private matching(pattern: string): string[] {
    if (!pattern.includes("*")) return this.bodies.has(pattern) ? [pattern] : [];
    const re = new RegExp(
      `^${pattern
        .split("*")
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    );
    return [...this.bodies.keys()].filter((id) => re.test(id));
  }

  /** A stored pipeline; undefined when there is none by that id. */
  pipeline(id: string): Pipeline | undefined {
    const p = this.compiled.get(id);
    if (p instanceof EngineError) throw p;
    return p;
  }

  private require(id: string, what: string): Pipeline {
    const p = this.pipeline(id);
    if (!p) throw illegalArgument(`${what} with id [${id}] does not exist`);
    return p;
  }

  /** Ids of the pipelines a write of an index document to `index` runs, in order, with what each is. */
  private planIds(index: string, requestPipeline: string | undefined): Array<[string, string]> {
    const settings = this.host.writeTarget(index)?.settings ?? {};
    // an empty ?pipeline= names no pipeline
    const first = requestPipeline || pipelineSetting(settings, "index.default_pipeline");
    const final = pipelineSetting(settings, "index.final_pipeline");
    const out: Array<[string, string]> = [];
    if (first && first !== "_none") out.push([first, "pipeline"]);
    if (final && final !== "_none") out.push([final, "final pipeline"]);
    return out;
  }

  /** The pipelines a write of an index document to `index` runs; a missing one is a 400 naming it. */
  plan(index: string, requestPipeline: string | undefined): Pipeline[] {
    return this.planIds(index, requestPipeline).map(([id, what]) => this.require(id, what));
  }

  /** Whether a write to `index` would run a pipeline (the synchronous write path cannot). */
  needsPipelines(index: string, requestPipeline: string | undefined): boolean {
    return this.planIds(index, requestPipeline).length > 0;
  }

  /**
   * Checks an index's default and final pipelines (at create index and update settings): they
   * exist, and their text_embedding models agree with the index's knn_vector dimensions.
   */
  checkIndex(index: IngestIndexView): void {
    for (const [key, what] of PIPELINE_SETTINGS) {
      const id = pipelineSetting(index.settings, key);
      if (!id || id === "_none") continue;
      const pipeline = this.pipeline(id);
      if (!pipeline)
        throw illegalArgument(
          `${what} with id [${id}] does not exist (setting [${key}] of index [${index.name}]); create it first with PUT /_ingest/pipeline/${id}`,
        );
      checkPipelineDimensions(pipeline, this.modelsIfAny(), index.name, index.vectorDimension);
    }
  }

  /** A runtime for one request: its text_embedding calls are batched together. */
  runtime(): IngestRuntime {
    const batcher = new EmbeddingBatcher(() => this.host.models());
    return {
      embed: (modelId, texts, batchSize) => batcher.embed(modelId, texts, batchSize),
      models: () => this.host.models(),
      vectorDimension: (index, path) => this.host.writeTarget(index)?.vectorDimension(path),
      pipeline: (id) => this.pipeline(id),
    };
  }

  /**
   * Runs the pipelines of the index and create actions of a write request, all documents at
   * once. Each action ends with its new source, id and index, or `dropped`, or an `error`.
   */
  async apply(actions: BulkAction[], requestPipeline: string | undefined): Promise<void> {
    const runtime = this.runtime();
    const work: Promise<void>[] = [];
    for (const action of actions) {
      if (action.error || action.op?.op !== "index" || action.index === undefined) continue;
      let plan: Pipeline[];
      try {
        plan = this.plan(action.index, action.pipeline ?? requestPipeline);
      } catch (err) {
        fail(action, err);
        continue;
      }
      if (plan.length) work.push(runAction(action, plan, runtime));
    }
    await Promise.all(work);
  }

  /** `_simulate` with a stored pipeline (`id`) or the request's inline `pipeline`. */
  async simulate(id: string | undefined, body: unknown, verbose: boolean): Promise<Record<string, unknown>> {
    const b = (body ?? {}) as Record<string, unknown>;
    let pipeline: Pipeline;
    if (id !== undefined) {
      const stored = this.pipeline(id);
      if (!stored)
        throw new EngineError(404, "resource_not_found_exception", `pipeline [${id}] does not exist`);
      pipeline = stored;
    } else {
      if (b.pipeline === undefined)
        throw new EngineError(400, "parse_exception", "[pipeline] required property is missing");
      pipeline = compilePipeline("_simulate_pipeline", b.pipeline, { models: this.modelsIfAny() });
    }
    return simulate(pipeline, parseSimulateDocs(b.docs), this.runtime(), verbose);
  }
}

function pipelineSetting(settings: FlatSettings, key: string): string | undefined {
  const v = settings[key];
  return typeof v === "string" && v ? v : undefined;
}

async function runAction(action: BulkAction, plan: Pipeline[], runtime: IngestRuntime): Promise<void> {
  const op = action.op;
  if (op?.op !== "index" || typeof op.source !== "object" || op.source === null || Array.isArray(op.source))
    return; // not a JSON object: the write refuses it with the usual mapper_parsing_exception
  const doc = new IngestDocument(op.source as Record<string, unknown>, {
    index: action.index as string,
    id: op.id,
  });
  try {
    for (const pipeline of plan) {
      if ((await pipeline.execute(doc, { runtime, stack: [] })) === DROP) {
        action.dropped = true;
        return;
      }
    }
  } catch (err) {
    fail(action, err);
    return;
  }
  op.source = doc.source();
  op.id = doc.id;
  action.id = doc.id;
  action.index = doc.index;
}

function fail(action: BulkAction, err: unknown): void {
  if (!(err instanceof EngineError)) throw err;
  action.error = { type: err.type, reason: err.message, ...err.extra };
  action.status = err.status;
}

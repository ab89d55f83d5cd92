/**
 * Running a compiled ingest pipeline over one document with OpenSearch's failure semantics: a
 * failing processor with `ignore_failure` is skipped; one with its own `on_failure` runs those
 * handlers and the pipeline goes on; otherwise the pipeline's `on_failure` handlers run and the
 * pipeline ends, or the failure fails the document. Handlers see `_ingest.on_failure_message`,
 * `_ingest.on_failure_processor_type`, `_ingest.on_failure_processor_tag` and
 * `_ingest.on_failure_pipeline`. `_simulate?verbose` gets one result per processor run.
 */
import { EngineError } from "../errors.ts";
import type { SearchModels } from "../models.ts";
import type { IngestDocument } from "./ingest-document.ts";
import type { ProcessorConfig } from "./processor-config.ts";

export const DROP = Symbol("drop");
/** What a processor returns: DROP drops the document, anything else lets the pipeline go on. */
export type Outcome = unknown;

/** What processors reach beyond the document: models, the target index's mapping, other pipelines. */
export interface IngestRuntime {
  /** Embeds texts, batched with the other documents of the request that use the same model. */
  embed(modelId: string, texts: string[], batchSize: number): Promise<Float32Array[]>;
  models(): SearchModels;
  /** The dimension of a knn_vector field of an existing index; undefined otherwise. */
  vectorDimension(index: string, path: string): number | undefined;
  /** A stored pipeline (the `pipeline` processor); undefined when there is none by that id. */
  pipeline(id: string): Pipeline | undefined;
}

export interface ExecContext {
  runtime: IngestRuntime;
  /** Ids of the pipelines being run, outermost first (cycle detection of the `pipeline` processor). */
  stack: readonly string[];
  /** Collects per-processor results for `_simulate?verbose=true`. */
  trace?: ProcessorResult[];
}

/** What a text_embedding processor writes, for dimension checks against index mappings. */
export interface EmbeddingTarget {
  modelId: string;
  /** Dotted paths of the fields the vectors go to. */
  paths: string[];
}

export interface ProcessorImpl {
  run(doc: IngestDocument, ctx: ExecContext): Outcome | Promise<Outcome>;
  embedding?: EmbeddingTarget;
}

export interface CompileOptions {
  /** When given, text_embedding model ids are checked against it (PUT, `_simulate`; not when loading). */
  models?: SearchModels;
}

/** Builds a processor from its configuration; errors are 400 configuration errors. */
export type ProcessorFactory = (cfg: ProcessorConfig, opts: CompileOptions) => ProcessorImpl;

export interface Processor extends ProcessorImpl {
  readonly type: string;
  readonly tag: string | undefined;
  readonly description: string | undefined;
  readonly ignoreFailure: boolean;
  readonly onFailure: Processor[] | undefined;
}

export interface ProcessorResult {
  processor_type: string;
  status: "success" | "error" | "error_ignored" | "dropped";
  description?: string;
  tag?: string;
  ignored_error?: { error: Record<string, unknown> };
  error?: Record<string, unknown>;
  doc?: Record<string, unknown>;
}

export class Pipeline {
  constructor(
    readonly id: string,
    readonly processors: Processor[],
    readonly onFailure: Processor[] | undefined,
  ) {}

  /** Every processor, handlers and nested handlers included. */
  *allProcessors(): Generator<Processor> {
    function* walk(list: Processor[] | undefined): Generator<Processor> {
      for (const p of list ?? []) {
        yield p;
        yield* walk(p.onFailure);
      }
    }
    yield* walk(this.processors);
    yield* walk(this.onFailure);
  }

  /** Runs the pipeline; DROP when a processor dropped the document. Throws the failure that fails it. */
  async execute(doc: IngestDocument, ctx: ExecContext): Promise<Outcome> {
    const inner: ExecContext = { ...ctx, stack: [...ctx.stack, this.id] };
    try {
      return await runList(this.processors, doc, inner);
    } catch (err) {
      if (!this.onFailure || !(err instanceof EngineError)) throw err;
      return await runHandlers(this.onFailure, err, doc, inner);
    }
  }
}

async function runList(list: Processor[], doc: IngestDocument, ctx: ExecContext): Promise<Outcome> {
  for (const p of list) {
    let outcome: Outcome;
    try {
      outcome = await p.run(doc, ctx);
    } catch (thrown) {
      const err = processorFailure(thrown, p);
      if (p.ignoreFailure) {
        record(ctx, p, "error_ignored", doc, err);
        continue;
      }
      record(ctx, p, "error", undefined, err);
      if (!p.onFailure) throw err;
      if ((await runHandlers(p.onFailure, err, doc, ctx)) === DROP) return DROP;
      continue;
    }
    if (outcome === DROP) {
      record(ctx, p, "dropped");
      return DROP;
    }
    // the pipeline processor reports its own processors; OpenSearch lists it as well
    record(ctx, p, "success", doc);
  }
  return undefined;
}

const FAILURE_KEYS = [
  "on_failure_message",
  "on_failure_processor_type",
  "on_failure_processor_tag",
  "on_failure_pipeline",
] as const;

/** Runs on_failure handlers with the failure in `_ingest`, restoring the outer handler's values after. */
async function runHandlers(
  handlers: Processor[],
  err: EngineError,
  doc: IngestDocument,
  ctx: ExecContext,
): Promise<Outcome> {
  const saved = FAILURE_KEYS.map((k) => doc.ingest[k]);
  doc.ingest.on_failure_message = err.message;
  doc.ingest.on_failure_processor_type = err.extra.processor_type;
  doc.ingest.on_failure_processor_tag = err.extra.processor_tag;
  doc.ingest.on_failure_pipeline = ctx.stack.at(-1);
  try {
    return await runList(handlers, doc, ctx);
  } finally {
    FAILURE_KEYS.forEach((k, i) => {
      if (saved[i] === undefined) delete doc.ingest[k];
      else doc.ingest[k] = saved[i];
    });
  }
}

/** The failure as an engine error naming the processor that failed (the innermost one keeps its name). */
function processorFailure(thrown: unknown, p: Processor): EngineError {
  const err =
    thrown instanceof EngineError
      ? thrown
      : new EngineError(500, "exception", (thrown as Error)?.message ?? String(thrown));
  if (err.extra.processor_type !== undefined) return err;
  // a copy: the same error object may fail several documents (a stopped model, say)
  const extra = {
    ...err.extra,
    processor_type: p.type,
    ...(p.tag !== undefined && { processor_tag: p.tag }),
  };
  return new EngineError(err.status, err.type, err.message, extra);
}

/** The error object of a REST error body (`{type, reason, …}` with a root cause), as OpenSearch nests it. */
export function errorObject(err: EngineError): Record<string, unknown> {
  const cause = { type: err.type, reason: err.message, ...err.extra };
  return { root_cause: [cause], ...cause };
}

function record(
  ctx: ExecContext,
  p: Processor,
  status: ProcessorResult["status"],
  doc?: IngestDocument,
  err?: EngineError,
): void {
  if (!ctx.trace) return;
  const result: ProcessorResult = { processor_type: p.type, status };
  if (p.description !== undefined) result.description = p.description;
  if (p.tag !== undefined) result.tag = p.tag;
  if (err && status === "error_ignored") result.ignored_error = { error: errorObject(err) };
  else if (err) result.error = errorObject(err);
  if (doc) result.doc = doc.view();
  ctx.trace.push(result);
}

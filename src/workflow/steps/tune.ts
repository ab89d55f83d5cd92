/**
 * The relevance-tuning extension point. A workflow's `tuning` list names tuners (`{type: …}` plus
 * their options); each one tunes on the validation queries (never the test ones) after the
 * baseline pipelines exist, and returns search variants that the evaluation reports as more rows
 * next to BM25, neural, hybrid and hybrid + rerank. A tuner registers itself in TUNERS.
 */
import type { StepContext } from "../context.ts";
import type { EvalSet } from "../dataset.ts";
import { WorkflowError } from "../schema.ts";
import { relevanceTuner } from "./relevance-tuner.ts";
import type { SearchVariant } from "./search-runs.ts";

export interface TuneInput {
  endpoints: { embedder: string; reranker: string };
  /** The hybrid weight on BM25 the baseline pipelines use. */
  bm25Weight: number;
  /** The judged queries the models trained on. */
  train: EvalSet;
  validation: EvalSet;
  /** The baseline variants, which a tuner may start from. */
  baseline: SearchVariant[];
  depth: number;
}

export interface RelevanceTuner {
  /**
   * Tunes on `input.validation` and returns the tuned variants, the first carrying the report in
   * `details` (idempotent: same input, same result).
   */
  tune(ctx: StepContext, options: Record<string, unknown>, input: TuneInput): Promise<SearchVariant[]>;
}

export const TUNERS: Record<string, RelevanceTuner> = { relevance: relevanceTuner };

/** Checks every `tuning[i].type` names a registered tuner, before any work starts. */
export function checkTuning(tuning: Array<Record<string, unknown>> = []): void {
  tuning.forEach((spec, i) => {
    const type = spec.type;
    if (typeof type !== "string" || !TUNERS[type])
      throw new WorkflowError(
        `tuning.${i}.type must name a tuner (${Object.keys(TUNERS).join(", ") || "none is available yet"}), got ${JSON.stringify(type)}`,
      );
  });
}

export async function runTuning(ctx: StepContext, input: TuneInput): Promise<SearchVariant[]> {
  const variants: SearchVariant[] = [];
  for (const spec of ctx.workflow.tuning ?? []) {
    const { type, ...options } = spec;
    variants.push(...(await (TUNERS[type as string] as RelevanceTuner).tune(ctx, options, input)));
  }
  return variants;
}

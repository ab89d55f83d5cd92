/**
 * Step "evaluate": every variant over the held-out test queries, scored with src/eval/metrics,
 * and the differences that matter (each variant against BM25, a tuned variant against what it
 * started from) tested query by query, so a table row that is only noise is labelled as such.
 */
import { evaluateRun, perQueryMetric } from "../../eval/metrics.ts";
import { type PairedDifference, pairedDifference } from "../../eval/paired.ts";
import { type StepContext, stepDone } from "../context.ts";
import type { EvalSet } from "../dataset.ts";
import { type SearchVariant, searchRun } from "./search-runs.ts";

const STEP = "evaluate";

export interface EvaluationRow {
  name: string;
  label: string;
  ndcg10: number;
  recall100: number;
  mrr10: number;
  ms_per_query: number;
}

/** `after` against `before` in nDCG@10, paired over the test queries. */
export interface EvaluationComparison {
  before: string;
  after: string;
  metric: "ndcg@10";
  difference: PairedDifference;
}

export interface Evaluation {
  rows: EvaluationRow[];
  comparisons: EvaluationComparison[];
}

export async function evaluate(
  ctx: StepContext,
  variants: SearchVariant[],
  test: EvalSet,
  depth: number,
): Promise<Evaluation> {
  const rows: EvaluationRow[] = [];
  const perQuery = new Map<string, number[]>();
  for (const variant of variants) {
    const started = performance.now();
    const run = await searchRun(ctx, variant, test.queries, depth, (done) =>
      ctx.emit({
        type: "progress",
        step: STEP,
        label: variant.label,
        fraction: done / test.queries.length,
        message: `${done}/${test.queries.length} queries`,
      }),
    );
    const m = evaluateRun(test.qrels, run);
    perQuery.set(variant.name, perQueryMetric(test.qrels, run, "ndcg", 10));
    rows.push({
      name: variant.name,
      label: variant.label,
      ndcg10: m.ndcg10,
      recall100: m.recall100,
      mrr10: m.mrr10,
      ms_per_query: (performance.now() - started) / test.queries.length,
    });
  }
  stepDone(ctx, STEP, `${variants.length} runs over ${test.queries.length} held-out test queries`);
  return { rows, comparisons: comparisons(variants, perQuery) };
}

function comparisons(variants: SearchVariant[], perQuery: Map<string, number[]>): EvaluationComparison[] {
  const [first, ...rest] = variants;
  if (!first) return [];
  const pairs: Array<[before: string, after: string]> = rest.flatMap((v) => [
    [first.name, v.name] as [string, string],
    ...(v.improvesOn && v.improvesOn !== first.name ? [[v.improvesOn, v.name] as [string, string]] : []),
  ]);
  return pairs.flatMap(([before, after]) => {
    const a = perQuery.get(before);
    const b = perQuery.get(after);
    if (!a || !b) return [];
    return [{ before, after, metric: "ndcg@10" as const, difference: pairedDifference(a, b) }];
  });
}

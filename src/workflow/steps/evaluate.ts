/** Step "evaluate": every variant over the held-out test queries, scored with src/eval/metrics. */
import { evaluateRun } from "../../eval/metrics.ts";
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

export async function evaluate(
  ctx: StepContext,
  variants: SearchVariant[],
  test: EvalSet,
  depth: number,
): Promise<EvaluationRow[]> {
  const rows: EvaluationRow[] = [];
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
  return rows;
}

/**
 * `rescore` as Elasticsearch's QueryRescorer: the top `window_size` first-pass hits are scored
 * again by a second query and their scores combined (`score_mode`); hits the rescore query does not
 * match, and hits beyond the window, keep `query_weight × score`; everything is then re-sorted.
 * Several rescorers run one after another on the previous one's result.
 */
import { illegalArgument, parsingError } from "../errors.ts";
import type { Segment } from "../index/segment.ts";
import { isObject } from "../mapping.ts";
import { type Candidate, candidateKey, indexOrder } from "./candidates.ts";
import { compileQuery } from "./compile.ts";
import { describe, intParam, numberParam } from "./dsl-values.ts";
import { type Explanation, explain } from "./explanation.ts";
import { findDoc } from "./hits.ts";
import type { SearchTarget } from "./search.ts";
import type { Weight } from "./weights.ts";

const f = Math.fround;

export type ScoreMode = "total" | "multiply" | "avg" | "max" | "min";

export interface RescoreSpec {
  windowSize: number;
  query: unknown;
  queryWeight: number;
  rescoreQueryWeight: number;
  scoreMode: ScoreMode;
}

const SCORE_MODES: Record<ScoreMode, (primary: number, secondary: number) => number> = {
  total: (a, b) => f(a + b),
  multiply: (a, b) => f(a * b),
  avg: (a, b) => f(f(a + b) / 2),
  max: (a, b) => Math.max(a, b),
  min: (a, b) => Math.min(a, b),
};

/** `rescore` as one object or a list; `maxWindow` is the index's max_result_window. */
export function parseRescore(spec: unknown, maxWindow: number): RescoreSpec[] {
  if (spec === undefined) return [];
  const list = Array.isArray(spec) ? spec : [spec];
  return list.map((entry) => {
    if (!isObject(entry)) throw parsingError(`[rescore] must be an object, got ${describe(entry)}`);
    for (const key of Object.keys(entry))
      if (key !== "window_size" && key !== "query")
        throw parsingError(`rescore doesn't support [${key}]; expected window_size and query`);
    const windowSize =
      entry.window_size === undefined ? 10 : intParam(entry.window_size, "rescore", "window_size");
    if (windowSize > maxWindow)
      throw illegalArgument(
        `Rescore window [${windowSize}] is too large. It must be less than [${maxWindow}]. This prevents allocating massive heaps for storing the results to be rescored. This limit can be set by changing the [index.max_rescore_window] index level setting.`,
      );
    if (!isObject(entry.query)) throw parsingError("[rescore] requires [query] with a [rescore_query]");
    const q = entry.query;
    for (const key of Object.keys(q))
      if (!["rescore_query", "query_weight", "rescore_query_weight", "score_mode"].includes(key))
        throw parsingError(`[query] unknown field [${key}]`);
    if (q.rescore_query === undefined) throw parsingError("[query] requires [rescore_query]");
    const scoreMode = String(q.score_mode ?? "total") as ScoreMode;
    if (!(scoreMode in SCORE_MODES))
      throw illegalArgument(
        `illegal score_mode [${scoreMode}] for [rescore]; expected total, multiply, avg, max or min`,
      );
    return {
      windowSize,
      query: q.rescore_query,
      queryWeight: q.query_weight === undefined ? 1 : numberParam(q.query_weight, "rescore", "query_weight"),
      rescoreQueryWeight:
        q.rescore_query_weight === undefined
          ? 1
          : numberParam(q.rescore_query_weight, "rescore", "rescore_query_weight"),
      scoreMode,
    };
  });
}

/** How many first-pass hits the rescorers look at. */
export function rescoreWindow(specs: RescoreSpec[]): number {
  return Math.max(0, ...specs.map((s) => s.windowSize));
}

/** What one rescorer did to a document, for explain. */
interface Step {
  spec: RescoreSpec;
  primary: number;
  /** The rescore query's score; undefined when it did not match or the hit was outside the window. */
  secondary: number | undefined;
}

export interface Rescored {
  ranked: Candidate[];
  /** Wraps a first-pass explanation in what the rescorers did. */
  explain(c: Candidate, firstPass: Explanation): Explanation;
}

export function applyRescore(targets: SearchTarget[], ranked: Candidate[], specs: RescoreSpec[]): Rescored {
  const steps = new Map<string, Step[]>();
  let current = ranked;
  for (const spec of specs) {
    const weights = targets.map((t) => compileQuery(t.ctx, spec.query));
    const window = current.slice(0, spec.windowSize);
    const secondary = secondPassScores(targets, weights, window);
    current = current.map((c, i) => {
      const s = i < spec.windowSize ? secondary[i] : undefined;
      const primary = f(c.score * spec.queryWeight);
      const score =
        s === undefined ? primary : SCORE_MODES[spec.scoreMode](primary, f(s * spec.rescoreQueryWeight));
      const key = candidateKey(c);
      const done = steps.get(key);
      if (done) done.push({ spec, primary: c.score, secondary: s });
      else steps.set(key, [{ spec, primary: c.score, secondary: s }]);
      return { ...c, score };
    });
    current.sort((a, b) => b.score - a.score || indexOrder(a, b));
  }
  return {
    ranked: current,
    explain(c, firstPass) {
      let e = firstPass;
      for (const step of steps.get(candidateKey(c)) ?? []) e = explainStep(step, e);
      return e;
    },
  };
}

/** The rescore query's score for each windowed candidate (undefined where it does not match). */
function secondPassScores(
  targets: SearchTarget[],
  weights: Weight[],
  window: Candidate[],
): (number | undefined)[] {
  const out: (number | undefined)[] = new Array(window.length);
  const bySegment = new Map<string, number[]>();
  window.forEach((c, i) => {
    const key = `${c.target}:${c.seg}`;
    const list = bySegment.get(key);
    if (list) list.push(i);
    else bySegment.set(key, [i]);
  });
  for (const indexes of bySegment.values()) {
    const first = window[indexes[0] as number] as Candidate;
    const seg = (targets[first.target] as SearchTarget).ctx.segments[first.seg] as Segment;
    const hits = (weights[first.target] as Weight).hits(seg);
    for (const i of indexes) {
      const at = findDoc(hits.docs, (window[i] as Candidate).doc);
      out[i] = at < 0 ? undefined : (hits.scores[at] as number);
    }
  }
  return out;
}

function explainStep(step: Step, firstPass: Explanation): Explanation {
  const { spec, primary, secondary } = step;
  const weighted = explain(f(primary * spec.queryWeight), "product of:", [
    firstPass,
    explain(spec.queryWeight, "primaryWeight"),
  ]);
  if (secondary === undefined) return weighted;
  const second = explain(f(secondary * spec.rescoreQueryWeight), "product of:", [
    explain(secondary, "rescore query score"),
    explain(spec.rescoreQueryWeight, "secondaryWeight"),
  ]);
  return explain(
    SCORE_MODES[spec.scoreMode](weighted.value, second.value),
    `${spec.scoreMode === "total" ? "sum" : spec.scoreMode} of:`,
    [weighted, second],
  );
}

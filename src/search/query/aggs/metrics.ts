/** Metrics aggregations: avg, min, max, sum, stats, extended_stats, value_count and cardinality. */
import { type AggSpec, defineNode, type Env, type Node, type Shape } from "./core.ts";
import { checkParams, checkSign, numParam } from "./parse.ts";
import { keywordGetter, numericGetter, resolveSource } from "./sources.ts";
import type { Json } from "./util.ts";

const METRIC_PARAMS = ["field", "missing", "format", "value_type", "script"];
const STATS_NAMES = ["count", "min", "max", "avg", "sum"];
const EXTENDED_NAMES = [
  ...STATS_NAMES,
  "sum_of_squares",
  "variance",
  "variance_population",
  "variance_sampling",
  "std_deviation",
  "std_deviation_population",
  "std_deviation_sampling",
  "std_upper",
  "std_lower",
  "std_upper_population",
  "std_lower_population",
  "std_upper_sampling",
  "std_lower_sampling",
];

export function compileMetric(spec: AggSpec, env: Env): Node {
  const type = spec.type;
  const params =
    type === "extended_stats"
      ? [...METRIC_PARAMS, "sigma"]
      : type === "cardinality"
        ? [...METRIC_PARAMS, "precision_threshold", "execution_hint", "rehash"]
        : METRIC_PARAMS;
  checkParams(spec, params);
  return type === "value_count" || type === "cardinality" ? compileCount(spec, env) : compileStats(spec, env);
}

/** value_count and cardinality, which count values of any type. */
function compileCount(spec: AggSpec, env: Env): Node {
  const src = resolveSource(spec, env, ["keyword", "boolean", "number", "date"]);
  const numeric = src.kind === "number" || src.kind === "date";
  const distinct = spec.type === "cardinality";
  return defineNode(
    spec,
    (docs) => {
      const get: (doc: number) => readonly (string | number)[] = numeric
        ? numericGetter(src, env, spec)
        : keywordGetter(src, env);
      let value = 0;
      const seen = new Set<string | number>();
      for (let i = 0; i < docs.length; i++) {
        const vals = get(docs[i] as number);
        if (distinct) for (const v of vals) seen.add(v);
        else value += vals.length;
      }
      return { value: distinct ? seen.size : value };
    },
    { kind: "single_value" },
  );
}

/** Kahan summation, as ES's CompensatedSum. */
class CompensatedSum {
  value = 0;
  private delta = 0;

  add(v: number): void {
    const y = v - this.delta;
    const t = this.value + y;
    this.delta = t - this.value - y;
    this.value = t;
  }
}

interface NumericStats {
  count: number;
  sum: number;
  min: number;
  max: number;
  sumOfSquares: number;
}

/** Count, compensated sum, min, max and (with `squares`) sum of squares. */
function collectStats(
  docs: Int32Array,
  get: (doc: number) => readonly number[],
  squares: boolean,
): NumericStats {
  let count = 0;
  const sum = new CompensatedSum();
  const sq = new CompensatedSum();
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < docs.length; i++) {
    const vals = get(docs[i] as number);
    for (let j = 0; j < vals.length; j++) {
      const v = vals[j] as number;
      count++;
      // A non-finite value would poison the compensation term; ES adds it plainly.
      if (Number.isFinite(v)) sum.add(v);
      else sum.value += v;
      if (squares) sq.add(v * v);
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return { count, sum: sum.value, min, max, sumOfSquares: sq.value };
}

function compileStats(spec: AggSpec, env: Env): Node {
  const type = spec.type;
  const src = resolveSource(spec, env, ["number", "date", "boolean"]);
  // Only dates (and explicit formats) get *_as_string fields in numeric metrics.
  const format = src.kind === "boolean" ? undefined : src.format;
  const sigma = type === "extended_stats" ? (numParam(spec, "sigma") ?? 2) : 2;
  checkSign(spec, "sigma", sigma, true);
  const shape: Shape =
    type === "stats"
      ? { kind: "multi_value", names: STATS_NAMES }
      : type === "extended_stats"
        ? { kind: "multi_value", names: EXTENDED_NAMES }
        : { kind: "single_value" };
  return defineNode(
    spec,
    (docs) => {
      const s = collectStats(docs, numericGetter(src, env, spec), type === "extended_stats");
      const has = s.count > 0;
      const single = (value: number | null, asString: boolean): Json => {
        const out: Json = { value };
        if (asString && format && value !== null) out.value_as_string = format(value);
        return out;
      };
      switch (type) {
        case "avg":
          return single(has ? s.sum / s.count : null, has);
        case "sum":
          return single(s.sum, true);
        case "min":
          return single(has ? s.min : null, has);
        case "max":
          return single(has ? s.max : null, has);
      }
      const out: Json = {
        count: s.count,
        min: has ? s.min : null,
        max: has ? s.max : null,
        avg: has ? s.sum / s.count : null,
        sum: s.sum,
      };
      if (type === "extended_stats") Object.assign(out, extendedStats(s, sigma));
      if (has && format) {
        out.min_as_string = format(s.min);
        out.max_as_string = format(s.max);
        out.avg_as_string = format(s.sum / s.count);
        out.sum_as_string = format(s.sum);
      }
      return out;
    },
    shape,
  );
}

/** extended_stats' variance / standard deviation fields (null when undefined, as in ES). */
function extendedStats(s: NumericStats, sigma: number): Json {
  const has = s.count > 0;
  const avg = s.sum / s.count;
  const varPop = Math.max(0, s.sumOfSquares / s.count - avg * avg);
  const varSample =
    s.count > 1 ? Math.max(0, (s.sumOfSquares - (s.sum * s.sum) / s.count) / (s.count - 1)) : Number.NaN;
  const sdPop = Math.sqrt(varPop);
  const sdSample = Math.sqrt(varSample);
  const val = (v: number) => (has && Number.isFinite(v) ? v : null);
  return {
    sum_of_squares: has ? s.sumOfSquares : null,
    variance: val(varPop),
    variance_population: val(varPop),
    variance_sampling: val(varSample),
    std_deviation: val(sdPop),
    std_deviation_population: val(sdPop),
    std_deviation_sampling: val(sdSample),
    std_deviation_bounds: {
      upper: val(avg + sigma * sdPop),
      lower: val(avg - sigma * sdPop),
      upper_population: val(avg + sigma * sdPop),
      lower_population: val(avg - sigma * sdPop),
      upper_sampling: val(avg + sigma * sdSample),
      lower_sampling: val(avg - sigma * sdSample),
    },
  };
}

/**
 * Is one search better than another on the same queries, or is the difference noise? The paired
 * difference of a per-query metric, with its standard error, a 95% confidence interval (Student's
 * t) and the two-sided p-value of a sign-flip randomization test — the tests IR evaluations use
 * (Smucker, Allan & Carterette 2007). With a few dozen queries, nDCG@10 differences of ±0.01 are
 * usually inside the interval, and the report says so instead of calling them gains.
 */
import { mulberry32 } from "../models/training/random.ts";

export interface PairedDifference {
  queries: number;
  /** Mean of (after − before) over the queries. */
  delta: number;
  /** Standard error of that mean. */
  se: number;
  /** 95% confidence interval of the mean difference. */
  ci95: [number, number];
  /** Two-sided randomization-test p-value (the chance of a |mean| this large if the sign of each difference were a coin toss). */
  p: number;
  /** In words: whether the 95% interval lies above zero, below it, or includes it. */
  verdict: "better" | "worse" | "within noise";
}

const PERMUTATIONS = 20_000;

/** Student's t 0.975 quantile (Cornish–Fisher expansion around the normal; within 1% from 3 degrees of freedom, 0.01% from 10). */
export function t975(df: number): number {
  const z = 1.959964;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
  );
}

/** Compares per-query values `after[i]` with `before[i]` (the same query at the same index). */
export function pairedDifference(
  before: readonly number[],
  after: readonly number[],
  opts: { permutations?: number; seed?: number } = {},
): PairedDifference {
  if (before.length !== after.length)
    throw new RangeError(`paired values must align: ${before.length} before, ${after.length} after`);
  const n = before.length;
  const diffs = Float64Array.from(after, (a, i) => a - (before[i] as number));
  if (n === 0) return { queries: 0, delta: 0, se: 0, ci95: [0, 0], p: 1, verdict: "within noise" };
  let sum = 0;
  for (const d of diffs) sum += d;
  const delta = sum / n;
  let squares = 0;
  for (const d of diffs) squares += (d - delta) ** 2;
  const se = n > 1 ? Math.sqrt(squares / (n - 1) / n) : 0;
  const half = n > 1 ? t975(n - 1) * se : 0;
  const ci95: [number, number] = [delta - half, delta + half];
  const verdict = ci95[0] > 0 ? "better" : ci95[1] < 0 ? "worse" : "within noise";
  return { queries: n, delta, se, ci95, p: signFlipP(diffs, opts), verdict };
}

/** Share of random sign assignments whose |sum| reaches the observed one (observed included). */
function signFlipP(diffs: Float64Array, opts: { permutations?: number; seed?: number }): number {
  const tolerance = 1e-12;
  let observed = 0;
  for (const d of diffs) observed += d;
  observed = Math.abs(observed);
  if (observed <= tolerance) return 1;
  const permutations = opts.permutations ?? PERMUTATIONS;
  const random = mulberry32(opts.seed ?? 7);
  let atLeast = 1;
  for (let r = 0; r < permutations; r++) {
    let s = 0;
    for (const d of diffs) s += random() < 0.5 ? d : -d;
    if (Math.abs(s) >= observed - tolerance) atLeast++;
  }
  return atLeast / (permutations + 1);
}

/** `+0.0123 (95% CI −0.0050 … +0.0296, p 0.17)` */
export function describePaired(d: PairedDifference): string {
  const signed = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(4)}`;
  const p = d.p < 0.001 ? "< 0.001" : d.p.toFixed(3);
  return `${signed(d.delta)} (95% CI ${signed(d.ci95[0])} … ${signed(d.ci95[1])}, p ${p})`;
}

/**
 * Exploration: some result slots go to new items (catalog items nobody has acted on yet), so they
 * collect the behaviours that let the other channels rank them. Each slot is an exploration slot
 * with probability `rate` (ε for epsilon_greedy); which new item fills it depends on the strategy:
 * epsilon_greedy picks uniformly, thompson samples Beta(1 + positives, 1 + failures) per item from
 * its exposures, ucb takes the highest upper confidence bound. Randomness is seeded per request.
 */
import { createHash } from "node:crypto";
import { mulberry32 } from "../models/training/random.ts";
import type { ItemStats } from "./behaviors.ts";
import type { ExploreSpec } from "./schema.ts";

export const DEFAULT_EXPLORE_RATE = 0.1;
export const DEFAULT_MAX_EXPOSURES = 100;
/** Thompson and UCB score at most this many pool items per slot (a random sample), to stay fast. */
const SAMPLE = 256;

export type Random = () => number;

export function seededRandom(seed: string | number): Random {
  const n = typeof seed === "number" ? seed : createHash("sha1").update(seed).digest().readUInt32LE(0);
  return mulberry32(n >>> 0);
}

/** Whether an item counts as new: no behaviour but exposures, and fewer exposures than the limit. */
export function isNew(stats: ItemStats | undefined, maxExposures: number): boolean {
  return !stats || (stats.actions === 0 && stats.exposes < maxExposures);
}

function gaussian(random: Random): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Gamma(shape, 1) by Marsaglia and Tsang (shape ≥ 1 here). */
function gamma(shape: number, random: Random): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = gaussian(random);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

export function betaSample(a: number, b: number, random: Random): number {
  const x = gamma(a, random);
  return x / (x + gamma(b, random));
}

function sample<T>(pool: readonly T[], n: number, random: Random): T[] {
  if (pool.length <= n) return [...pool];
  const out: T[] = [];
  const taken = new Set<number>();
  while (out.length < n) {
    const i = Math.floor(random() * pool.length);
    if (!taken.has(i)) {
      taken.add(i);
      out.push(pool[i] as T);
    }
  }
  return out;
}

/** Tries of random draws for one slot before falling back to scanning the pool. */
const DRAWS = 64;

/**
 * Up to `n` distinct pool items that `accept` takes and `taken` does not hold: the whole pool
 * when it is small, else random draws (so a large catalog costs the same as a small one).
 */
function eligible(
  pool: readonly string[],
  n: number,
  accept: (id: string) => boolean,
  taken: Set<string>,
  random: Random,
): string[] {
  const ok = (id: string) => !taken.has(id) && accept(id);
  if (pool.length <= SAMPLE) return sample(pool.filter(ok), n, random);
  const out = new Set<string>();
  for (let tries = 0; out.size < n && tries < n * DRAWS; tries++) {
    const id = pool[Math.floor(random() * pool.length)] as string;
    if (ok(id)) out.add(id);
  }
  // few acceptable items left: find them all rather than keep drawing
  if (out.size < n)
    for (const id of sample(
      pool.filter((id) => ok(id) && !out.has(id)),
      n - out.size,
      random,
    ))
      out.add(id);
  return [...out];
}

/** One new item for an exploration slot, or undefined when none is left. */
function pick(
  spec: ExploreSpec,
  pool: readonly string[],
  accept: (id: string) => boolean,
  taken: Set<string>,
  stats: Map<string, ItemStats>,
  random: Random,
): string | undefined {
  if (spec.strategy === "epsilon_greedy") return eligible(pool, 1, accept, taken, random)[0];
  const candidates = eligible(pool, SAMPLE, accept, taken, random);
  const totalExposes = candidates.reduce((n, id) => n + (stats.get(id)?.exposes ?? 0), 0);
  let best: string | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const id of candidates) {
    const s = stats.get(id);
    const tries = s?.exposes ?? 0;
    const wins = Math.min(s?.positives ?? 0, tries);
    const score =
      spec.strategy === "thompson"
        ? betaSample(1 + wins, 1 + tries - wins, random)
        : (wins + 1) / (tries + 2) +
          (spec.c ?? 1) * Math.sqrt(Math.log(totalExposes + 2) / (tries + 1)) +
          random() * 1e-9;
    if (score > bestScore) {
      bestScore = score;
      best = id;
    }
  }
  return best;
}

/**
 * Decides, slot by slot, which positions of a `size`-long result are exploration slots and fills
 * them with pool items `accept` takes (new, not filtered out, not already in the result).
 * Returns the chosen item per position.
 */
export function exploreSlots(
  size: number,
  spec: ExploreSpec,
  pool: readonly string[],
  accept: (id: string) => boolean,
  stats: Map<string, ItemStats>,
  random: Random,
): Map<number, string> {
  const rate = spec.rate ?? DEFAULT_EXPLORE_RATE;
  const out = new Map<number, string>();
  const taken = new Set<string>();
  for (let slot = 0; slot < size; slot++) {
    if (random() >= rate) continue;
    const id = pick(spec, pool, accept, taken, stats, random);
    if (id === undefined) break;
    taken.add(id);
    out.set(slot, id);
  }
  return out;
}

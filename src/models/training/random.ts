/** Seeded randomness for training: the same seed gives the same data split, batches and weights. */
import { mulberry32 } from "../nn/params.ts";

export { mulberry32 };

/** Fisher–Yates shuffle into a new array. */
export function seededShuffle<T>(items: readonly T[], seed: number | (() => number)): T[] {
  const random = typeof seed === "number" ? mulberry32(seed) : seed;
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

// Partial top-k selection over a dense score array: a size-k min-heap, O(n log k), no full sort.
import type { Scored } from "./types.ts";

/**
 * The k best entries of `scores` (best first; ties by lower index), skipping `exclude` and
 * entries that are −Infinity or NaN (items the model cannot score).
 */
export function topK(scores: Float32Array | Float64Array, k: number, exclude?: ReadonlySet<number>): Scored {
  const cap = Math.max(0, Math.min(k, scores.length));
  const heapItems = new Int32Array(cap);
  const heapScores = new Float64Array(cap);
  let size = 0;
  // heap order: worst at the root; "worse" = lower score, or equal score and higher index
  const worse = (sa: number, ia: number, sb: number, ib: number) => sa < sb || (sa === sb && ia > ib);
  for (let i = 0; i < scores.length && cap > 0; i++) {
    const s = scores[i] as number;
    if (!(s > Number.NEGATIVE_INFINITY)) continue;
    if (size === cap && worse(s, i, heapScores[0] as number, heapItems[0] as number)) continue;
    if (exclude?.has(i)) continue;
    let pos: number;
    if (size < cap) {
      pos = size++;
      // sift up
      while (pos > 0) {
        const parent = (pos - 1) >> 1;
        if (!worse(s, i, heapScores[parent] as number, heapItems[parent] as number)) break;
        heapScores[pos] = heapScores[parent] as number;
        heapItems[pos] = heapItems[parent] as number;
        pos = parent;
      }
    } else {
      pos = 0;
      // sift down from the root
      for (;;) {
        const l = 2 * pos + 1;
        if (l >= size) break;
        const r = l + 1;
        let c = l;
        if (
          r < size &&
          worse(
            heapScores[r] as number,
            heapItems[r] as number,
            heapScores[l] as number,
            heapItems[l] as number,
          )
        )
          c = r;
        if (!worse(heapScores[c] as number, heapItems[c] as number, s, i)) break;
        heapScores[pos] = heapScores[c] as number;
        heapItems[pos] = heapItems[c] as number;
        pos = c;
      }
    }
    heapScores[pos] = s;
    heapItems[pos] = i;
  }
  const order = Array.from({ length: size }, (_, j) => j).sort(
    (a, b) =>
      (heapScores[b] as number) - (heapScores[a] as number) ||
      (heapItems[a] as number) - (heapItems[b] as number),
  );
  const items = new Int32Array(size);
  const out = new Float32Array(size);
  order.forEach((j, r) => {
    items[r] = heapItems[j] as number;
    out[r] = heapScores[j] as number;
  });
  return { items, scores: out };
}

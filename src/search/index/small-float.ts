/**
 * Lucene's SmallFloat.intToByte4 / byte4ToInt: the one-byte field-length encoding BM25 norms use.
 * Lengths below 24 are exact; above, 4 significant bits are kept. Scores only match Lucene's
 * when document lengths are rounded exactly this way.
 */
const NUM_FREE_VALUES = 255 - longToInt4(2 ** 31 - 1);

function longToInt4(i: number): number {
  const numBits = i === 0 ? 0 : Math.floor(Math.log2(i)) + 1;
  if (numBits < 4) return i;
  const shift = numBits - 4;
  let encoded = Math.floor(i / 2 ** shift) & 0x07;
  encoded |= (shift + 1) << 3;
  return encoded;
}

function int4ToLong(i: number): number {
  const bits = i & 0x07;
  const shift = (i >>> 3) - 1;
  return shift === -1 ? bits : (bits | 0x08) * 2 ** shift;
}

export function intToByte4(i: number): number {
  if (i < 0) throw new RangeError(`length must be >= 0, got ${i}`);
  if (i < NUM_FREE_VALUES) return i;
  return NUM_FREE_VALUES + longToInt4(i - NUM_FREE_VALUES);
}

export function byte4ToInt(b: number): number {
  const i = b & 0xff;
  if (i < NUM_FREE_VALUES) return i;
  return Math.min(NUM_FREE_VALUES + int4ToLong(i - NUM_FREE_VALUES), 2 ** 31 - 1);
}

/** Decoded length of every norm byte, as Lucene's BM25Similarity.LENGTH_TABLE. */
export const LENGTH_TABLE: Float32Array = Float32Array.from({ length: 256 }, (_, i) => byte4ToInt(i));

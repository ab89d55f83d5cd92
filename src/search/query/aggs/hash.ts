/**
 * Hashing for the terms aggregation's partitioned include (`{partition, num_partitions}`): the same
 * functions ES uses, so that a term lands in the same partition as it would there.
 */

/** ES's partitioned include: murmur3 (seed 31) of the term bytes, or BitMixer.mix64 of longs. */
export function partitionOf(key: string | number, longKeys: boolean, num: number): number {
  if (typeof key === "string") {
    const hash = murmur3(new TextEncoder().encode(key), 31);
    return ((hash % num) + num) % num;
  }
  const mask = (1n << 64n) - 1n;
  let z = longKeys ? BigInt.asUintN(64, BigInt(Math.trunc(key))) : sortableDoubleBits(key);
  z = ((z ^ (z >> 32n)) * 0x4cd6944c5cc20b6dn) & mask;
  z = ((z ^ (z >> 29n)) * 0xfc12c5b19d3259e9n) & mask;
  z = z ^ (z >> 32n);
  const signed = BigInt.asIntN(64, z);
  const m = BigInt(num);
  return Number(((signed % m) + m) % m);
}

/** Lucene's NumericUtils.doubleToSortableLong, as an unsigned 64-bit value. */
function sortableDoubleBits(v: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  let bits = view.getBigInt64(0);
  bits = bits ^ ((bits >> 63n) & 0x7fffffffffffffffn);
  return BigInt.asUintN(64, bits);
}

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** The per-block mixing step of murmur3_x86_32 (shared by whole blocks and the tail). */
function mixK1(k: number): number {
  let k1 = Math.imul(k, C1);
  k1 = (k1 << 15) | (k1 >>> 17);
  return Math.imul(k1, C2);
}

/** MurmurHash3 x86 32-bit, as Lucene's StringHelper.murmurhash3_x86_32. */
export function murmur3(data: Uint8Array, seed: number): number {
  let h1 = seed | 0;
  const len = data.length;
  const rounded = len & ~3;
  for (let i = 0; i < rounded; i += 4) {
    h1 ^= mixK1(
      (data[i] as number) |
        ((data[i + 1] as number) << 8) |
        ((data[i + 2] as number) << 16) |
        ((data[i + 3] as number) << 24),
    );
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }
  let k1 = 0;
  const tail = len & 3;
  if (tail === 3) k1 = ((data[rounded + 2] as number) & 0xff) << 16;
  if (tail >= 2) k1 |= ((data[rounded + 1] as number) & 0xff) << 8;
  if (tail >= 1) {
    k1 |= (data[rounded] as number) & 0xff;
    h1 ^= mixK1(k1);
  }
  h1 ^= len;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 | 0;
}

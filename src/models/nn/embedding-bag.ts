/**
 * fastText-style token vectors from two lookup tables, and plain row gathers, with SPARSE
 * backward passes (only touched rows get a gradient; see sparse.ts).
 *
 * For token t:  vec[t] = word[wordIds[t]] (if wordIds[t] ≥ 0)
 *                        + mean of ngram[ngramIds[k]] for k in ngramOffsets[t] .. ngramOffsets[t+1]
 * A token with no word id and no n-grams (padding) gets the zero vector.
 */
import { SparseAccumulator, type SparseRows } from "./sparse.ts";
import { checkLength, outBuffer, type Vec } from "./tensor.ts";

/** T tokens in CSR form: the n-grams of token t are ngramIds[ngramOffsets[t] .. ngramOffsets[t+1]). */
export interface BagInput {
  /** T word-table rows, −1 for "no word row" (out of vocabulary, padding). */
  wordIds: Int32Array;
  /** T+1 offsets into ngramIds, non-decreasing, starting at 0. */
  ngramOffsets: Int32Array;
  /** N-gram-table rows (already hashed into buckets). */
  ngramIds: Int32Array;
}

function checkInput(input: BagInput): number {
  const T = input.wordIds.length;
  if (input.ngramOffsets.length !== T + 1) {
    throw new RangeError(
      `embedding bag: ngramOffsets has ${input.ngramOffsets.length} entries, needs ${T + 1}`,
    );
  }
  return T;
}

/** Returns T×dim token vectors. `ngramTable` may be null (word rows only). */
export function embeddingBagForward<T extends Vec>(
  wordTable: T,
  ngramTable: Vec | null,
  dim: number,
  input: BagInput,
  out?: T,
): T {
  const nTok = checkInput(input);
  const { wordIds, ngramOffsets, ngramIds } = input;
  const y = outBuffer(out, wordTable, nTok * dim);
  y.fill(0, 0, nTok * dim);
  for (let t = 0; t < nTok; t++) {
    const o = t * dim;
    const wid = wordIds[t] as number;
    if (wid >= 0) {
      const wo = wid * dim;
      if (wo + dim > wordTable.length) throw new RangeError(`embedding bag: word row ${wid} out of range`);
      for (let c = 0; c < dim; c++) y[o + c] = wordTable[wo + c] as number;
    }
    const k0 = ngramOffsets[t] as number;
    const k1 = ngramOffsets[t + 1] as number;
    if (k1 > k0 && ngramTable) {
      const inv = 1 / (k1 - k0);
      for (let k = k0; k < k1; k++) {
        const no = (ngramIds[k] as number) * dim;
        if (no < 0 || no + dim > ngramTable.length) {
          throw new RangeError(`embedding bag: n-gram row ${ngramIds[k]} out of range`);
        }
        for (let c = 0; c < dim; c++) y[o + c] = (y[o + c] as number) + inv * (ngramTable[no + c] as number);
      }
    }
  }
  return y;
}

/**
 * Backward of `embeddingBagForward` into accumulators (so several batches or towers that share a
 * table add up): word rows get dOut[t], each n-gram row dOut[t] / count.
 */
export function embeddingBagBackwardInto(
  input: BagInput,
  dOut: Vec,
  dim: number,
  wordAcc: SparseAccumulator | null,
  ngramAcc: SparseAccumulator | null,
): void {
  const nTok = checkInput(input);
  checkLength(dOut, nTok * dim, "embedding bag dOut");
  const { wordIds, ngramOffsets, ngramIds } = input;
  for (let t = 0; t < nTok; t++) {
    const o = t * dim;
    const wid = wordIds[t] as number;
    if (wid >= 0 && wordAcc) wordAcc.add(wid, dOut, o);
    const k0 = ngramOffsets[t] as number;
    const k1 = ngramOffsets[t + 1] as number;
    if (k1 > k0 && ngramAcc) {
      const inv = 1 / (k1 - k0);
      for (let k = k0; k < k1; k++) ngramAcc.add(ngramIds[k] as number, dOut, o, inv);
    }
  }
}

/**
 * Backward of `embeddingBagForward`: sparse gradients of the word and n-gram tables. Giving the
 * tables' row counts switches the row lookup from a Map to a dense index (faster on big batches).
 */
export function embeddingBagBackward<T extends Vec>(
  input: BagInput,
  dOut: T,
  dim: number,
  tableRows: { word?: number; ngram?: number } = {},
): { word: SparseRows<T>; ngram: SparseRows<T> } {
  const wordAcc = new SparseAccumulator(dim, dOut, { tableRows: tableRows.word, capacity: 256 });
  const ngramAcc = new SparseAccumulator(dim, dOut, { tableRows: tableRows.ngram, capacity: 1024 });
  embeddingBagBackwardInto(input, dOut, dim, wordAcc, ngramAcc);
  return { word: wordAcc.toRows(), ngram: ngramAcc.toRows() };
}

/** out[i] = table[ids[i]] (ids.length × dim); ids < 0 give zero rows. dim = 1 gathers scalars. */
export function gatherRowsForward<T extends Vec>(table: T, ids: Int32Array, dim: number, out?: T): T {
  const y = outBuffer(out, table, ids.length * dim);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    const o = i * dim;
    if (id < 0) {
      y.fill(0, o, o + dim);
      continue;
    }
    const to = id * dim;
    if (to + dim > table.length) throw new RangeError(`gather: row ${id} out of range`);
    for (let c = 0; c < dim; c++) y[o + c] = table[to + c] as number;
  }
  return y;
}

/** Backward of `gatherRowsForward` into an accumulator (ids < 0 are skipped). */
export function gatherRowsBackwardInto(
  ids: Int32Array,
  dOut: Vec,
  dim: number,
  acc: SparseAccumulator,
): void {
  checkLength(dOut, ids.length * dim, "gather dOut");
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    if (id >= 0) acc.add(id, dOut, i * dim);
  }
}

/** Backward of `gatherRowsForward`: the sparse gradient of the table. */
export function gatherRowsBackward<T extends Vec>(ids: Int32Array, dOut: T, dim: number): SparseRows<T> {
  const acc = new SparseAccumulator(dim, dOut);
  gatherRowsBackwardInto(ids, dOut, dim, acc);
  return acc.toRows();
}

/**
 * Packs several texts (e.g. tokenizer encodings, which have this shape) into one padded batch of
 * B×L tokens for embeddingBagForward + weightedMeanPoolForward: text b's first L tokens fill rows
 * b·L …, padding tokens have word id −1, no n-grams and mask 0. L is the longest text, capped at
 * `maxLength`, and at least 1.
 */
export function packBags(
  texts: readonly BagInput[],
  maxLength = Number.POSITIVE_INFINITY,
): { input: BagInput; mask: Uint8Array; L: number } {
  let L = 1;
  for (const t of texts) L = Math.max(L, Math.min(t.wordIds.length, maxLength));
  const B = texts.length;
  const wordIds = new Int32Array(B * L).fill(-1);
  const mask = new Uint8Array(B * L);
  const ngramOffsets = new Int32Array(B * L + 1);
  let total = 0;
  for (const t of texts) {
    const n = Math.min(t.wordIds.length, L);
    total += (t.ngramOffsets[n] as number) - (t.ngramOffsets[0] as number);
  }
  const ngramIds = new Int32Array(total);
  let k = 0;
  for (let b = 0; b < B; b++) {
    const t = texts[b] as BagInput;
    const n = Math.min(t.wordIds.length, L);
    for (let i = 0; i < L; i++) {
      const slot = b * L + i;
      if (i < n) {
        wordIds[slot] = t.wordIds[i] as number;
        mask[slot] = 1;
        for (let j = t.ngramOffsets[i] as number; j < (t.ngramOffsets[i + 1] as number); j++) {
          ngramIds[k++] = t.ngramIds[j] as number;
        }
      }
      ngramOffsets[slot + 1] = k;
    }
  }
  return { input: { wordIds, ngramOffsets, ngramIds }, mask, L };
}

// What a trained model is made of, for saving and loading: a JSON-able header and typed arrays.
import type { Csr } from "./csr.ts";
import type { RecallModel } from "./types.ts";

export type ModelArray = Float32Array | Int32Array;

export interface ModelState {
  channel: string;
  /** the model kind that can restore this state (several channels may share one kind) */
  kind: string;
  userIds: string[];
  itemIds: string[];
  /** hyperparameters and scalars (JSON) */
  params: Record<string, unknown>;
  arrays: Record<string, ModelArray>;
}

/** A recall model that can be persisted by saveModel. */
export interface PersistableModel extends RecallModel {
  toState(): ModelState;
}

/** The items and weights of one CSR row, as views (no copies). */
export function rowOf(
  indptr: Int32Array,
  indices: Int32Array,
  values: Float32Array,
  row: number,
): { items: Int32Array; weights: Float32Array } {
  if (!(row >= 0 && row + 1 < indptr.length))
    return { items: new Int32Array(0), weights: new Float32Array(0) };
  const a = indptr[row] as number;
  const b = indptr[row + 1] as number;
  return { items: indices.subarray(a, b), weights: values.subarray(a, b) };
}

/** Reads a required array from a state, checking its type and (optionally) its length. */
export function stateArray<T extends ModelArray>(
  state: ModelState,
  name: string,
  type: new (n: number) => T,
  length?: number,
): T {
  const a = state.arrays[name];
  if (!(a instanceof type))
    throw new Error(`model state of ${state.kind}: array "${name}" missing or not a ${type.name}`);
  if (length !== undefined && a.length !== length)
    throw new Error(
      `model state of ${state.kind}: array "${name}" has ${a.length} values, expected ${length}`,
    );
  return a;
}

/** A CSR matrix as the state arrays `<name>Indptr`, `<name>Indices` and `<name>Values`. */
export function csrArrays(name: string, m: Csr): Record<string, ModelArray> {
  return { [`${name}Indptr`]: m.indptr, [`${name}Indices`]: m.indices, [`${name}Values`]: m.values };
}

/** Reads back a rows × cols CSR matrix that csrArrays stored under `name`. */
export function stateCsr(state: ModelState, name: string, rows: number, cols: number): Csr {
  return {
    rows,
    cols,
    indptr: stateArray(state, `${name}Indptr`, Int32Array, rows + 1),
    indices: stateArray(state, `${name}Indices`, Int32Array),
    values: stateArray(state, `${name}Values`, Float32Array),
  };
}

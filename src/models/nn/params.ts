/**
 * Named parameter tensors (name → shape, float32 data, gradient) with deterministic
 * initialisation from a seeded PRNG. `toTensors()` / `load()` map one-to-one onto safetensors
 * entries (name, shape, F32 data).
 *
 * Dense parameters carry a dense gradient buffer; sparse ones (big lookup tables) carry none —
 * their gradients arrive as SparseRows from the embedding backward passes (see adamw.ts).
 */
import type { DenseTensor } from "./adamw.ts";
import type { Vec } from "./tensor.ts";

/** mulberry32: a small, fast, seedable PRNG returning uniform numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills `data` with U(−limit, limit). */
export function uniformInit(data: Vec, limit: number, rng: () => number): void {
  for (let i = 0; i < data.length; i++) data[i] = (2 * rng() - 1) * limit;
}

/** Glorot/Xavier uniform: U(−a, a) with a = √(6 / (fanIn + fanOut)). */
export function xavierUniformInit(data: Vec, fanIn: number, fanOut: number, rng: () => number): void {
  uniformInit(data, Math.sqrt(6 / (fanIn + fanOut)), rng);
}

/** N(0, std²) via Box–Muller. */
export function normalInit(data: Vec, std: number, rng: () => number): void {
  for (let i = 0; i < data.length; i += 2) {
    const u1 = 1 - rng(); // (0, 1]
    const u2 = rng();
    const r = std * Math.sqrt(-2 * Math.log(u1));
    data[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < data.length) data[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
}

/**
 * How to fill a new parameter: zeros, a constant, Xavier uniform (fan-in/out from a 2-D shape
 * [out, in]; a 1-D shape [n] uses n for both), U(−a, a), N(0, std²), or given values (copied).
 */
export type Init =
  | "zeros"
  | "xavier"
  | { constant: number }
  | { uniform: number }
  | { normal: number }
  | Float32Array;

export interface Param {
  name: string;
  shape: number[];
  data: Float32Array;
  /** Dense gradient (same size as data), or null for sparse parameters. */
  grad: Float32Array | null;
  sparse: boolean;
  /** Overrides the optimiser's weight decay for this tensor (e.g. 0 for biases). */
  weightDecay?: number;
}

/** A parameter's values living in a SharedArrayBuffer, as posted to a worker thread. */
export interface SharedParam {
  name: string;
  data: Float32Array;
}

/** A safetensors-shaped entry. */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface AddOptions {
  /** No dense gradient buffer; gradients come as SparseRows. */
  sparse?: boolean;
  weightDecay?: number;
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0) throw new RangeError(`bad shape [${shape.join(", ")}]`);
    n *= s;
  }
  return n;
}

export class ParamStore {
  readonly rng: () => number;
  private readonly params = new Map<string, Param>();

  constructor(seed = 1) {
    this.rng = mulberry32(seed);
  }

  /** Creates a parameter; names are unique. Initialisation draws from this store's PRNG in call order. */
  add(name: string, shape: readonly number[], init: Init, options: AddOptions = {}): Param {
    if (this.params.has(name)) throw new Error(`parameter ${name} already exists`);
    const n = sizeOf(shape);
    const data = new Float32Array(n);
    if (init instanceof Float32Array) {
      if (init.length !== n)
        throw new RangeError(`parameter ${name}: ${init.length} values for ${n} elements`);
      data.set(init);
    } else if (init === "xavier") {
      const fanOut = shape[0] ?? 1;
      const fanIn = shape.length > 1 ? n / fanOut : fanOut;
      xavierUniformInit(data, fanIn, fanOut, this.rng);
    } else if (init !== "zeros") {
      if ("constant" in init) data.fill(init.constant);
      else if ("uniform" in init) uniformInit(data, init.uniform, this.rng);
      else normalInit(data, init.normal, this.rng);
    }
    const sparse = options.sparse ?? false;
    const param: Param = { name, shape: [...shape], data, grad: sparse ? null : new Float32Array(n), sparse };
    if (options.weightDecay !== undefined) param.weightDecay = options.weightDecay;
    this.params.set(name, param);
    return param;
  }

  get(name: string): Param {
    const p = this.params.get(name);
    if (!p) throw new Error(`no parameter ${name}`);
    return p;
  }

  has(name: string): boolean {
    return this.params.has(name);
  }

  /** All parameters, in creation order. */
  list(): Param[] {
    return [...this.params.values()];
  }

  /** Total number of scalar parameters. */
  size(): number {
    let n = 0;
    for (const p of this.params.values()) n += p.data.length;
    return n;
  }

  /**
   * Moves every parameter's values into SharedArrayBuffers (same values), so worker threads can
   * read the live weights without copies; returns what a worker needs to adopt them.
   */
  share(): SharedParam[] {
    return this.list().map((p) => {
      if (!(p.data.buffer instanceof SharedArrayBuffer)) {
        const shared = new Float32Array(new SharedArrayBuffer(p.data.byteLength));
        shared.set(p.data);
        p.data = shared;
      }
      return { name: p.name, data: p.data };
    });
  }

  /** Makes this store's parameters use shared values from another thread's `share()`. */
  adopt(shared: readonly SharedParam[]): void {
    for (const s of shared) {
      const p = this.get(s.name);
      if (s.data.length !== p.data.length) throw new RangeError(`adopt: ${s.name} has another size`);
      p.data = s.data;
    }
  }

  /** A copy of every parameter's values (e.g. the best epoch's weights, for early stopping). */
  snapshot(): Float32Array[] {
    return this.list().map((p) => p.data.slice());
  }

  /** Puts back the values of a `snapshot()` of this store. */
  restore(snapshot: readonly Float32Array[]): void {
    const params = this.list();
    if (snapshot.length !== params.length) throw new RangeError("restore: snapshot of another parameter set");
    for (let i = 0; i < params.length; i++) (params[i] as Param).data.set(snapshot[i] as Float32Array);
  }

  /** Zeroes every dense gradient. */
  zeroGrad(): void {
    for (const p of this.params.values()) p.grad?.fill(0);
  }

  /** The dense parameters with their gradients, as the optimiser takes them. */
  denseTensors(): DenseTensor[] {
    const out: DenseTensor[] = [];
    for (const p of this.params.values()) {
      if (!p.grad) continue;
      const t: DenseTensor = { name: p.name, data: p.data, grad: p.grad };
      if (p.weightDecay !== undefined) t.weightDecay = p.weightDecay;
      out.push(t);
    }
    return out;
  }

  /** Every parameter as a safetensors entry (the data is shared, not copied). */
  toTensors(): NamedTensor[] {
    return this.list().map((p) => ({ name: p.name, shape: [...p.shape], data: p.data }));
  }

  /**
   * Copies saved values into existing parameters, checking names and shapes. With `strict`
   * (default) every parameter must be present and no unknown tensor may be given.
   */
  load(tensors: readonly NamedTensor[], strict = true): void {
    const seen = new Set<string>();
    for (const t of tensors) {
      const p = this.params.get(t.name);
      if (!p) {
        if (strict) throw new Error(`unknown tensor ${t.name}`);
        continue;
      }
      if (t.shape.length !== p.shape.length || t.shape.some((s, i) => s !== p.shape[i])) {
        throw new RangeError(
          `tensor ${t.name}: shape [${t.shape.join(", ")}], expected [${p.shape.join(", ")}]`,
        );
      }
      if (t.data.length !== p.data.length) throw new RangeError(`tensor ${t.name}: wrong data length`);
      p.data.set(t.data);
      seen.add(t.name);
    }
    if (strict) {
      for (const name of this.params.keys()) if (!seen.has(name)) throw new Error(`missing tensor ${name}`);
    }
  }
}

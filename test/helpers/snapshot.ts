// Bit-exact snapshots of everything an optimizer holds, for "nothing changed" and "these two
// runs are identical" assertions. Every float32 is recorded as its raw bits (Uint32), so -0,
// NaN payloads and the sign of NaN compare exactly; numbers in options are recorded with -0
// distinguished from 0 and a number distinguished from a string that looks like it.
import type { Optimizer } from '../../src/index.js';
import { ALGORITHMS, type AlgorithmName } from '../../src/registry.js';

/** An optimizer of any algorithm, typed loosely enough to poke at its options. */
export type AnyOptimizer = Optimizer<Record<string, unknown>>;

/**
 * An algorithm by its class name ('Adagrad', 'RMSprop', 'SGD', …: its messages' prefix) or registry name ('adagrad').
 */
export type Algo = string;

const CLASSES: Readonly<Record<string, unknown>> = Object.fromEntries(
  Object.entries(ALGORITHMS).flatMap(([name, Class]) => [
    [name, Class],
    [Class.name, Class],
  ]),
);

/** Constructs `algo` with arguments the type system would reject (for the error tests). */
export function construct(algo: Algo | AlgorithmName, params: unknown, options?: unknown): AnyOptimizer {
  const Class = CLASSES[algo] as (new (params: unknown, options?: unknown) => AnyOptimizer) | undefined;
  if (Class === undefined) throw new Error(`no algorithm ${algo}`);
  return options === undefined ? new Class(params) : new Class(params, options);
}

/** The raw bits of a float32 array (a number array is rounded to float32 first). */
export function bitsOf(array: ArrayLike<number>): number[] {
  const f32 = array instanceof Float32Array ? array : Float32Array.from(array);
  return Array.from(new Uint32Array(f32.buffer, f32.byteOffset, f32.length));
}

/** Index of the first element whose float32 bits differ (or the shorter length), -1 if none. */
export function firstBitDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return i;
  return x.length === y.length ? -1 : n;
}

/** The raw bits of one float32. */
export function bitsOfNumber(x: number): number {
  return bitsOf([x])[0]!;
}

/** A structure with every number and typed array replaced by an exact, comparable encoding. */
export function encode(value: unknown): unknown {
  if (typeof value === 'number') return `n:${Object.is(value, -0) ? '-0' : String(value)}`;
  if (typeof value === 'string') return `s:${value}`;
  if (value instanceof Float32Array) return { f32: bitsOf(value) };
  if (ArrayBuffer.isView(value))
    return { [value.constructor.name]: Array.from(value as unknown as ArrayLike<number>).map(encode) };
  if (Array.isArray(value)) return value.map(encode);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = encode((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

export interface Snapshot {
  user: number[][];
  data: number[][];
  grad: number[][];
  lengths: number[];
  groups: unknown;
  defaults: unknown;
  state: unknown;
}

/**
 * Everything observable: the user's arrays, the optimizer's parameter and gradient memory,
 * the live group options, the defaults and the complete state dict.
 */
export function snapshot(opt: AnyOptimizer, user: readonly Float32Array[]): Snapshot {
  return {
    user: user.map(bitsOf),
    data: opt.params.map((p) => bitsOf(p.data)),
    grad: opt.params.map((p) => bitsOf(p.grad)),
    lengths: opt.params.map((p) => p.length),
    groups: encode(opt.paramGroups.map((g) => ({ ...g, params: g.params.map((h) => h.index) }))),
    defaults: encode(opt.defaults),
    state: encode(opt.stateDict()),
  };
}

/** The state dict only, bit-exact. */
export function stateBits(opt: AnyOptimizer): unknown {
  return encode(opt.stateDict());
}

/** The parameters as the optimizer holds them, bit-exact. */
export function dataBits(opt: AnyOptimizer): number[][] {
  return opt.params.map((p) => bitsOf(p.data));
}

/** Deterministic float32 values of a given length, none zero, magnitudes in [0.1, 1.1). */
export function values(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const u = Math.sin(seed * 12.9898 + i * 78.233 + 0.5) * 43758.5453;
    const frac = u - Math.floor(u);
    out[i] = (frac < 0.5 ? -1 : 1) * (0.1 + 2 * Math.abs(frac - 0.5));
  }
  return out;
}

/** Gradients for step `t` of parameters with these lengths. */
export function gradsFor(lengths: readonly number[], t: number): Float32Array[] {
  return lengths.map((n, k) => values(n, 1000 + 31 * t + k));
}

/** A zero-copy step: the gradients are written into the optimizer's memory, then step(). */
export function zeroCopyStep(opt: AnyOptimizer, grads: readonly Float32Array[]): void {
  opt.params.forEach((p, i) => p.grad.set(grads[i]!));
  opt.step();
}

/** A JSON round trip of a state dict, Float32Array buffers becoming number arrays. */
export function jsonRoundTrip<T>(dict: T): T {
  return JSON.parse(JSON.stringify(dict, (_key, v: unknown) => (v instanceof Float32Array ? Array.from(v) : v))) as T;
}

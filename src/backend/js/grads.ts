// The passes over the gradients before a step, in JavaScript: the twin of assembly/grads.ts,
// operation for operation (its header gives the norms' accumulation order), so that the JS
// backend's norms, checks and scalings are the Wasm builds' bits.
import { RECORD_BYTES, REC_COUNT, REC_GRAD } from '../record.js';
import { fmaf } from './fma.js';

/** Norm kinds of normOf/gradNorms: max |x|, Σ|x|, √Σx². */
export const NORM_INF = 0;
export const NORM_L1 = 1;
export const NORM_L2 = 2;
export type NormKind = typeof NORM_INF | typeof NORM_L1 | typeof NORM_L2;

const F32_MAX = 3.4028234663852886e38;
const fround = Math.fround;

/**
 * The norm of `n` floats at byte `ptr` of `f32`'s buffer, of the values as a pending scaling leaves
 * them, fl(fl(x / div) · mul), without writing them.
 */
export function normOf(f32: Float32Array, ptr: number, n: number, kind: number, div = 1, mul = 1): number {
  const base = ptr >>> 2;
  const at = (i: number): number => scaled(f32[base + i]!, div, mul);
  if (kind === NORM_INF) {
    let m = 0;
    for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(at(i)));
    return m;
  }
  if (kind === NORM_L2) return fround(Math.sqrt(sumSquares(at, n)));
  let b = 0;
  for (let i = 0; i < n; i++) b = fround(b + Math.abs(at(i)));
  return b;
}

/** fl(fl(x / div) · mul), a factor of 1 skipped (exact either way). */
export function scaled(x: number, div: number, mul: number): number {
  let y = x;
  if (div !== 1) y = fround(y / div);
  if (mul !== 1) y = fround(y * mul);
  return y;
}

/** The L2 norm's sum of squares: eight FMA lanes, then the tail (assembly/grads.ts). */
function sumSquares(at: (i: number) => number, n: number): number {
  const body = n - (n & 7);
  let a0 = 0,
    a1 = 0,
    a2 = 0,
    a3 = 0,
    a4 = 0,
    a5 = 0,
    a6 = 0,
    a7 = 0;
  for (let i = 0; i < body; i += 8) {
    a0 = square(at(i), a0);
    a1 = square(at(i + 1), a1);
    a2 = square(at(i + 2), a2);
    a3 = square(at(i + 3), a3);
    a4 = square(at(i + 4), a4);
    a5 = square(at(i + 5), a5);
    a6 = square(at(i + 6), a6);
    a7 = square(at(i + 7), a7);
  }
  let b = fround(a0 + a1);
  b = fround(b + a2);
  b = fround(b + a3);
  b = fround(b + a4);
  b = fround(b + a5);
  b = fround(b + a6);
  b = fround(b + a7);
  let i = body;
  if (n - i >= 4) {
    for (const end = i + 4; i < end; i++) {
      const x = at(i);
      b = fround(b + fround(x * x));
    }
  }
  for (; i < n; i++) b = square(at(i), b);
  return b;
}

function square(x: number, a: number): number {
  return fmaf(x, x, a);
}

function maxAbs(f32: Float32Array, base: number, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(f32[base + i]!));
  return m;
}

/** Each record's gradient norm to out[k] (float32), for `count` records at `table`. */
export function gradNorms(
  f32: Float32Array,
  u32: Uint32Array,
  table: number,
  count: number,
  kind: number,
  out: number,
) {
  for (let k = 0; k < count; k++) {
    const word = (table + k * RECORD_BYTES) >>> 2;
    f32[(out >>> 2) + k] = normOf(f32, u32[word + REC_GRAD]!, u32[word + REC_COUNT]!, kind, 1, 1);
  }
}

/** 1 when every gradient element of the `count` records is finite, else 0. */
export function gradsFinite(f32: Float32Array, u32: Uint32Array, table: number, count: number): number {
  for (let k = 0; k < count; k++) {
    const word = (table + k * RECORD_BYTES) >>> 2;
    if (!(maxAbs(f32, u32[word + REC_GRAD]! >>> 2, u32[word + REC_COUNT]!) <= F32_MAX)) return 0;
  }
  return 1;
}

/** x ← fl(fl(x / div) · mul) for `n` floats at byte `ptr`; a factor of 1 is skipped (exact). */
export function scaleGrad(f32: Float32Array, ptr: number, n: number, div: number, mul: number): void {
  const base = ptr >>> 2;
  for (let i = base; i < base + n; i++) {
    let x = f32[i]!;
    if (div !== 1) x = fround(x / div);
    if (mul !== 1) x = fround(x * mul);
    f32[i] = x;
  }
}

/** x ← min(max(x, lo), hi) for `n` floats at byte `ptr` (NaN stays NaN). */
export function clampGrad(f32: Float32Array, ptr: number, n: number, lo: number, hi: number): void {
  const base = ptr >>> 2;
  for (let i = base; i < base + n; i++) f32[i] = Math.min(Math.max(f32[i]!, lo), hi);
}

/** Loss-scale unscaling with its finiteness check (assembly/grads.ts unscaleGrads). */
export function unscaleGrads(
  f32: Float32Array,
  u32: Uint32Array,
  table: number,
  count: number,
  div: number,
  mul: number,
): number {
  let finite = 1;
  for (let k = 0; k < count; k++) {
    const word = (table + k * RECORD_BYTES) >>> 2;
    const ptr = u32[word + REC_GRAD]!;
    const n = u32[word + REC_COUNT]!;
    if (!(maxAbs(f32, ptr >>> 2, n) <= F32_MAX)) finite = 0;
    scaleGrad(f32, ptr, n, div, mul);
  }
  return finite;
}

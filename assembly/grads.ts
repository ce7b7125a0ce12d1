// Passes over the gradients, before a step: norms (gradient clipping), the finiteness check
// (skipping a step with NaN or ±Infinity in a gradient), and in-place scaling and clamping.
// They read the gradient pointer and count of the step's tensor records (record.ts), so one call
// covers every tensor. src/backend/js/grads.ts is their twin, operation for operation: the three
// backends give the same bits because the accumulation order below is fixed, lane by lane.
//
// Norms, float32 throughout, in the order PyTorch 1.13 computes torch.norm of a contiguous float32
// CPU tensor with one thread (measured on 421 generated cases, every per-tensor and total norm
// bit for bit: test/fixtures/clip/README.md):
//   L2, ATen's vectorized last-dimension reduction, AVX2's eight float lanes with FMA:
//     lane j (j = 0..7) accumulates  a_j = fma(x_i, x_i, a_j)  over i ≡ j (mod 8), i < n − n mod 8
//     b = a_0 + a_1 + … + a_7         left to right, each sum rounded
//     tail (n mod 8 elements, in order): if there are 4 or more, the first 4 as b = fl(b + fl(x·x))
//       (GCC vectorized their products), the rest as b = fma(x, x, b)
//     norm = fl(sqrt(b))
//   L1, the generic reduction: b = fl(b + |x_i|) in index order (sequential: no SIMD can keep it)
//   L∞: max |x_i|, NaN if any x_i is NaN
// A norm over the tensors' norms (clip_grad_norm_'s total) is the same computation over them.
// Other p are computed in JavaScript for every backend (src/gradients.ts generalNorm).

import { RECORD_BYTES, recCount, recGrad } from './record';
import { anySuspect, fmaf, fmaFast4, fmaSuspect4 } from './fma';

/** Elements per tile of a two-pass operation: 16 KiB, so that the second pass reads from L1. */
const TILE: usize = 4096;

/** Norm kinds, as the facade's NORM_* constants (src/backend/js/grads.ts): 0 L∞, 1 L1, 2 L2. */
const NORM_INF: u32 = 0, NORM_L2: u32 = 2;

/**
 * The norm of `n` floats at byte `ptr` (see the header for the order), of the values as a pending
 * scaling leaves them, fl(fl(x / div) · mul), without writing them (factors of 1: the values).
 */
export function normOf(ptr: usize, n: usize, kind: u32, div: f32, mul: f32): f32 {
  if (div != 1 || mul != 1) return scaledNorm(ptr, n, kind, div, mul);
  if (kind == NORM_INF) return maxAbs(ptr, n);
  if (kind == NORM_L2) return sqrt<f32>(sumSquares(ptr, n));
  let b: f32 = 0;
  for (let i: usize = 0; i < n; i++) b = b + abs<f32>(load<f32>(ptr + (i << 2)));
  return b;
}

/**
 * normOf under a pending scaling: the same order, on the scaled values, one element at a time
 * (the scalar build's loops; no SIMD for a path taken only by a second clipping, or by clipping
 * accumulated gradients whose mean is still pending), so that nothing is written.
 */
function scaledNorm(ptr: usize, n: usize, kind: u32, div: f32, mul: f32): f32 {
  if (kind == NORM_INF) {
    let m: f32 = 0;
    for (let i: usize = 0; i < n; i++) m = max<f32>(m, abs<f32>(scaled(load<f32>(ptr + (i << 2)), div, mul)));
    return m;
  }
  if (kind != NORM_L2) {
    let b: f32 = 0;
    for (let i: usize = 0; i < n; i++) b = b + abs<f32>(scaled(load<f32>(ptr + (i << 2)), div, mul));
    return b;
  }
  return sqrt<f32>(sumSquaresScalar(ptr, n, div, mul));
}

/** fl(fl(x / div) · mul), a factor of 1 skipped (exact either way), as scaleGrad computes it. */
@inline function scaled(x: f32, div: f32, mul: f32): f32 {
  let y = x;
  if (div != 1) y = y / div;
  if (mul != 1) y = y * mul;
  return y;
}

/** The L2 norm's sum of squares (see the header). */
function sumSquares(ptr: usize, n: usize): f32 {
  const body = n - (n & 7);
  let b: f32;
  if (ASC_FEATURE_SIMD) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
    for (let i: usize = 0; i < body; i += 8) {
      const x0 = v128.load(ptr + (i << 2)), x1 = v128.load(ptr + (i << 2) + 16);
      const s0 = fmaFast4(x0, x0, a0);
      const s1 = fmaFast4(x1, x1, a1);
      if (anySuspect(v128.or(fmaSuspect4(x0, x0, a0, s0), fmaSuspect4(x1, x1, a1, s1)))) {
        a0 = squareLanes(x0, a0);
        a1 = squareLanes(x1, a1);
        continue;
      }
      a0 = s0;
      a1 = s1;
    }
    b = f32x4.extract_lane(a0, 0) + f32x4.extract_lane(a0, 1);
    b = b + f32x4.extract_lane(a0, 2);
    b = b + f32x4.extract_lane(a0, 3);
    b = b + f32x4.extract_lane(a1, 0);
    b = b + f32x4.extract_lane(a1, 1);
    b = b + f32x4.extract_lane(a1, 2);
    b = b + f32x4.extract_lane(a1, 3);
    return squaresTail(ptr, body, n, b, 1, 1);
  }
  return sumSquaresScalar(ptr, n, 1, 1);
}

/**
 * The sum of squares one element at a time, in the same eight lanes: the scalar build's loop, and
 * every build's under a pending scaling (inlined, so that factors of 1 cost nothing).
 */
@inline function sumSquaresScalar(ptr: usize, n: usize, div: f32, mul: f32): f32 {
  const body = n - (n & 7);
  let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0, a4: f32 = 0, a5: f32 = 0, a6: f32 = 0, a7: f32 = 0;
  for (let i: usize = 0; i < body; i += 8) {
    const at = ptr + (i << 2);
    a0 = square(scaled(load<f32>(at), div, mul), a0);
    a1 = square(scaled(load<f32>(at, 4), div, mul), a1);
    a2 = square(scaled(load<f32>(at, 8), div, mul), a2);
    a3 = square(scaled(load<f32>(at, 12), div, mul), a3);
    a4 = square(scaled(load<f32>(at, 16), div, mul), a4);
    a5 = square(scaled(load<f32>(at, 20), div, mul), a5);
    a6 = square(scaled(load<f32>(at, 24), div, mul), a6);
    a7 = square(scaled(load<f32>(at, 28), div, mul), a7);
  }
  let b = a0 + a1;
  b = b + a2;
  b = b + a3;
  b = b + a4;
  b = b + a5;
  b = b + a6;
  b = b + a7;
  return squaresTail(ptr, body, n, b, div, mul);
}

/** The n mod 8 tail of the sum of squares from `b`: the first 4 (if 4 or more) fl(b + fl(x·x)), the rest by FMA. */
@inline function squaresTail(ptr: usize, body: usize, n: usize, sum: f32, div: f32, mul: f32): f32 {
  let b = sum;
  let i = body;
  if (n - i >= 4) {
    for (const end = i + 4; i < end; i++) {
      const x = scaled(load<f32>(ptr + (i << 2)), div, mul);
      b = b + x * x;
    }
  }
  for (; i < n; i++) b = square(scaled(load<f32>(ptr + (i << 2)), div, mul), b);
  return b;
}

/** fma(x, x, a), exactly rounded. */
@inline function square(x: f32, a: f32): f32 {
  return fmaf(x, x, a);
}

/** Each lane fma(x, x, a) exactly: the redo of a block whose fast FMA was suspect. */
function squareLanes(x: v128, a: v128): v128 {
  let r = a;
  r = f32x4.replace_lane(r, 0, fmaf(f32x4.extract_lane(x, 0), f32x4.extract_lane(x, 0), f32x4.extract_lane(a, 0)));
  r = f32x4.replace_lane(r, 1, fmaf(f32x4.extract_lane(x, 1), f32x4.extract_lane(x, 1), f32x4.extract_lane(a, 1)));
  r = f32x4.replace_lane(r, 2, fmaf(f32x4.extract_lane(x, 2), f32x4.extract_lane(x, 2), f32x4.extract_lane(a, 2)));
  r = f32x4.replace_lane(r, 3, fmaf(f32x4.extract_lane(x, 3), f32x4.extract_lane(x, 3), f32x4.extract_lane(a, 3)));
  return r;
}

/**
 * max |x_i|, NaN if any x_i is NaN, +0 for n = 0. On the bits: with the sign cleared, the float32
 * order of non-NaN values is the signed-integer order of their bits, and every NaN lies above
 * +Infinity (0x7f800000), so an integer max (one instruction, one cycle of latency) replaces
 * f32x4.max, whose NaN rules cost V8 a chain of eight instructions per vector.
 */
function maxAbs(ptr: usize, n: usize): f32 {
  let i: usize = 0;
  let m: i32 = 0;
  if (ASC_FEATURE_SIMD) {
    const mask = i32x4.splat(0x7fffffff);
    let v0 = i32x4.splat(0), v1 = i32x4.splat(0);
    for (; i + 8 <= n; i += 8) {
      v0 = i32x4.max_s(v0, v128.and(v128.load(ptr + (i << 2)), mask));
      v1 = i32x4.max_s(v1, v128.and(v128.load(ptr + (i << 2), 16), mask));
    }
    const v = i32x4.max_s(v0, v1);
    m = max<i32>(max<i32>(i32x4.extract_lane(v, 0), i32x4.extract_lane(v, 1)),
      max<i32>(i32x4.extract_lane(v, 2), i32x4.extract_lane(v, 3)));
  }
  for (; i < n; i++) m = max<i32>(m, load<i32>(ptr + (i << 2)) & 0x7fffffff);
  return reinterpret<f32>(m);
}

/**
 * The norm of each record's gradient, written as float32 to `out[k]`, for `count` records at
 * `table`. The caller then takes normOf(out, count, kind) for the total.
 */
export function gradNorms(table: usize, count: u32, kind: u32, out: usize): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    store<f32>(out + (<usize>k << 2), normOf(recGrad(rec), recCount(rec), kind, 1, 1));
  }
}

/** 1 when every gradient element of the `count` records is finite, else 0. */
export function gradsFinite(table: usize, count: u32): u32 {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    // max |x| is NaN or +Infinity exactly when some x is non-finite.
    if (!(maxAbs(recGrad(rec), recCount(rec)) <= F32.MAX_VALUE)) return 0;
  }
  return 1;
}

/**
 * x_i ← fl(fl(x_i / div) · mul) for `n` floats at `ptr`; a factor of 1 is skipped, which is exact
 * (x / 1 = x · 1 = x, NaN included). A mean over accumulated gradients divides; clipping multiplies.
 */
export function scaleGrad(ptr: usize, n: usize, div: f32, mul: f32): void {
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const d = f32x4.splat(div), m = f32x4.splat(mul);
    if (div == 1) {
      for (; i + 4 <= n; i += 4) v128.store(ptr + (i << 2), f32x4.mul(v128.load(ptr + (i << 2)), m));
    } else if (mul == 1) {
      for (; i + 4 <= n; i += 4) v128.store(ptr + (i << 2), f32x4.div(v128.load(ptr + (i << 2)), d));
    } else {
      for (; i + 4 <= n; i += 4) v128.store(ptr + (i << 2), f32x4.mul(f32x4.div(v128.load(ptr + (i << 2)), d), m));
    }
  }
  for (; i < n; i++) {
    let x = load<f32>(ptr + (i << 2));
    if (div != 1) x = x / div;
    if (mul != 1) x = x * mul;
    store<f32>(ptr + (i << 2), x);
  }
}

/** x_i ← min(max(x_i, lo), hi) for `n` floats at `ptr` (NaN stays NaN, as torch.clamp). */
export function clampGrad(ptr: usize, n: usize, lo: f32, hi: f32): void {
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const l = f32x4.splat(lo), h = f32x4.splat(hi);
    for (; i + 4 <= n; i += 4) v128.store(ptr + (i << 2), f32x4.min(f32x4.max(v128.load(ptr + (i << 2)), l), h));
  }
  for (; i < n; i++) store<f32>(ptr + (i << 2), min<f32>(max<f32>(load<f32>(ptr + (i << 2)), lo), hi));
}

/**
 * Loss-scale unscaling: x ← fl(fl(x / div) · mul) in place over the gradients of `count` records
 * (div: a pending mean, mul: 1 / lossScale), and whether every x was finite before it, in one
 * pass (PyTorch's _amp_foreach_non_finite_check_and_unscale_ checks the scaled values). 1 when all
 * were finite, else 0; the scaling is done either way.
 */
export function unscaleGrads(table: usize, count: u32, div: f32, mul: f32): u32 {
  let finite: u32 = 1;
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    const ptr = recGrad(rec), n = recCount(rec);
    // Tile by tile, so that the scaling reads back from L1 what the check just read.
    for (let from: usize = 0; from < n; from += TILE) {
      const len = min<usize>(TILE, n - from);
      if (!(maxAbs(ptr + (from << 2), len) <= F32.MAX_VALUE)) finite = 0;
      scaleGrad(ptr + (from << 2), len, div, mul);
    }
  }
  return finite;
}

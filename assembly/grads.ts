// Passes over the gradients, before a step: norms (gradient clipping), the finiteness check
// (skipping a step with NaN or ±Infinity in a gradient), and in-place scaling and clamping.
// They read the gradient pointer and count of the step's tensor records (record.ts), so one call
// covers every tensor. src/backend/js/grads.ts is their twin, operation for operation: the three
// backends give the same bits because the accumulation order below is fixed, lane by lane.
//
// Norm of one tensor x[0..n), float32 throughout (torch.norm of a contiguous float32 CPU tensor,
// ATen's vectorized last-dimension reduction with AVX2's eight float lanes):
//   lane j (j = 0..7) accumulates  a_j = fl(a_j + fl(x_i · x_i))  over i ≡ j (mod 8), i < n − n mod 8
//   b = a_0 + a_1 + … + a_7        left to right, each sum rounded
//   b = fl(b + fl(x_i · x_i))      for the n mod 8 tail elements, in order
//   norm2 = fl(sqrt(b))
// L1 is the same with |x_i| for x_i · x_i and no root; L∞ is max |x_i| (NaN if any is NaN).
// A norm over the tensors' norms (clip_grad_norm_'s total) is the same computation over them.

import { RECORD_BYTES, recCount, recGrad } from './record';

/** Elements per tile of a two-pass operation: 16 KiB, so that the second pass reads from L1. */
const TILE: usize = 4096;

/** Norm kinds, as the facade's NORM_* constants (src/backend/js/grads.ts): 0 L∞, 1 L1, 2 L2. */
const NORM_INF: u32 = 0, NORM_L2: u32 = 2;

/** The norm of `n` floats at byte `ptr` (see the header for the order). */
export function normOf(ptr: usize, n: usize, kind: u32): f32 {
  if (kind == NORM_INF) return maxAbs(ptr, n);
  const l2 = kind == NORM_L2;
  const body = n - (n & 7);
  let b: f32;
  if (ASC_FEATURE_SIMD) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
    for (let i: usize = 0; i < body; i += 8) {
      const x0 = v128.load(ptr + (i << 2)), x1 = v128.load(ptr + (i << 2) + 16);
      a0 = f32x4.add(a0, l2 ? f32x4.mul(x0, x0) : f32x4.abs(x0));
      a1 = f32x4.add(a1, l2 ? f32x4.mul(x1, x1) : f32x4.abs(x1));
    }
    b = f32x4.extract_lane(a0, 0) + f32x4.extract_lane(a0, 1);
    b = b + f32x4.extract_lane(a0, 2);
    b = b + f32x4.extract_lane(a0, 3);
    b = b + f32x4.extract_lane(a1, 0);
    b = b + f32x4.extract_lane(a1, 1);
    b = b + f32x4.extract_lane(a1, 2);
    b = b + f32x4.extract_lane(a1, 3);
  } else {
    // The same eight accumulators, one variable each.
    let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0, a4: f32 = 0, a5: f32 = 0, a6: f32 = 0, a7: f32 = 0;
    for (let i: usize = 0; i < body; i += 8) {
      const at = ptr + (i << 2);
      a0 += term(load<f32>(at), l2);
      a1 += term(load<f32>(at, 4), l2);
      a2 += term(load<f32>(at, 8), l2);
      a3 += term(load<f32>(at, 12), l2);
      a4 += term(load<f32>(at, 16), l2);
      a5 += term(load<f32>(at, 20), l2);
      a6 += term(load<f32>(at, 24), l2);
      a7 += term(load<f32>(at, 28), l2);
    }
    b = a0 + a1;
    b = b + a2;
    b = b + a3;
    b = b + a4;
    b = b + a5;
    b = b + a6;
    b = b + a7;
  }
  for (let i = body; i < n; i++) b = b + term(load<f32>(ptr + (i << 2)), l2);
  return l2 ? sqrt<f32>(b) : b;
}

@inline function term(x: f32, l2: bool): f32 {
  return l2 ? x * x : abs<f32>(x);
}

/** max |x_i|, NaN if any x_i is NaN (f32.max propagates NaN), +0 for n = 0. */
function maxAbs(ptr: usize, n: usize): f32 {
  let i: usize = 0;
  let m: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let v = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) v = f32x4.max(v, f32x4.abs(v128.load(ptr + (i << 2))));
    m = max<f32>(max<f32>(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)),
      max<f32>(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
  }
  for (; i < n; i++) m = max<f32>(m, abs<f32>(load<f32>(ptr + (i << 2))));
  return m;
}

/**
 * The norm of each record's gradient, written as float32 to `out[k]`, for `count` records at
 * `table`. The caller then takes normOf(out, count, kind) for the total.
 */
export function gradNorms(table: usize, count: u32, kind: u32, out: usize): void {
  for (let k: u32 = 0; k < count; k++) {
    const rec = table + <usize>k * RECORD_BYTES;
    store<f32>(out + (<usize>k << 2), normOf(recGrad(rec), recCount(rec), kind));
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

// Exactly rounded float32 fused multiply-add, a·b + c rounded once, as PyTorch's AVX2 kernels
// compute it. WebAssembly has no FMA instruction (relaxed-simd's madd may or may not fuse), so
// it is emulated in float64:
//
//   p = a·b is exact in float64 (24 + 24 significant bits ≤ 53).
//   s = p + c rounded to float64, then rounded again to float32. That double rounding can only
//   be wrong when s is EXACTLY a float32 midpoint (halfway between two neighbouring float32
//   values) while p + c was inexact: a midpoint strictly between the exact sum and s would be a
//   float64 nearer to the exact sum than s is. So:
//     r = float32(s); d = s − r; t = s + d  (t is the other neighbour when s is a midpoint)
//     s is a midpoint  ⇔  d ≠ 0 and t is a float32.
//   Only then compute the TwoSum error e of p + c (Knuth, exact) and take t when e points from
//   s toward t (e and d of one sign), r otherwise.
//   Overflow: the float32 threshold 2^128·(1 − 2^−25) is the midpoint between FLT_MAX and the
//   (unrepresentable) 2^128, so an infinite r is replaced by ±2^128 (exact in float64) before
//   the test; demoting 2^128 gives Infinity again.
// The same argument, lane by lane, gives the f32x4 version; src/backend/js/fma.ts is the
// JavaScript twin, and test/fma.test.ts checks both against an exact BigInt oracle.

const TWO_POW_128: f64 = 3.402823669209385e38; // 2^128

@inline export function fmaf(a: f32, b: f32, c: f32): f32 {
  const p = <f64>a * <f64>b;
  const cc = <f64>c;
  const s = p + cc;
  const rounded = <f32>s;
  let r = <f64>rounded;
  if (abs(r) == Infinity) r = copysign<f64>(TWO_POW_128, r);
  const d = s - r;
  if (d == 0) return rounded;
  const t = s + d;
  if (<f64><f32>t != t) return rounded; // the common case: s is not a midpoint
  const bb = s - p;
  const e = (p - (s - bb)) + (cc - bb);
  return (e > 0 && d > 0) || (e < 0 && d < 0) ? <f32>t : rounded;
}

/** fmaf on two lanes held as f64x2; returns the f32 results in lanes 0 and 1 of an f32x4. */
@inline function fmaHalf(p: v128, c: v128): v128 {
  const s = f64x2.add(p, c);
  const rounded = f32x4.demote_f64x2_zero(s);
  const limit = f64x2.splat(TWO_POW_128);
  const r = f64x2.max(f64x2.min(f64x2.promote_low_f32x4(rounded), limit), f64x2.neg(limit));
  const d = f64x2.sub(s, r);
  const t = f64x2.add(s, d);
  const isMidpoint = v128.and(
    f64x2.eq(f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(t)), t),
    f64x2.ne(d, f64x2.splat(0)),
  );
  if (!v128.any_true(isMidpoint)) return rounded;
  // Rare: some lane sits exactly on a float32 midpoint; decide it with the exact TwoSum error.
  const bb = f64x2.sub(s, p);
  const e = f64x2.add(f64x2.sub(p, f64x2.sub(s, bb)), f64x2.sub(c, bb));
  const zero = f64x2.splat(0);
  const towardT = v128.or(
    v128.and(f64x2.gt(e, zero), f64x2.gt(d, zero)),
    v128.and(f64x2.lt(e, zero), f64x2.lt(d, zero)),
  );
  return f32x4.demote_f64x2_zero(v128.bitselect(t, s, v128.and(isMidpoint, towardT)));
}

@inline function lowPair(x: v128): v128 { return f64x2.promote_low_f32x4(x); }
@inline function highPair(x: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 2, 3));
}

/** Four exactly rounded float32 FMAs a·b + c. */
@inline export function fma4(a: v128, b: v128, c: v128): v128 {
  const lo = fmaHalf(f64x2.mul(lowPair(a), lowPair(b)), lowPair(c));
  const hi = fmaHalf(f64x2.mul(highPair(a), highPair(b)), highPair(c));
  return v128.shuffle<f32>(lo, hi, 0, 1, 4, 5);
}

// Exactly rounded float32 fused multiply-add, a·b + c rounded once, as PyTorch's AVX2 kernels
// compute it. WebAssembly has no FMA instruction (relaxed-simd's madd may or may not fuse, so
// it cannot promise bits), so it is emulated in float64:
//
//   p = a·b is exact in float64 (24 + 24 significant bits ≤ 53, exponents far from the limits).
//   s = p + c rounded to float64 (53 bits), then to float32 (24 bits). That double rounding can
//   only differ from rounding once when s lands EXACTLY on a float32 rounding boundary — a
//   midpoint between two float32, or the overflow threshold 2^128 − 2^103 — while p + c was
//   inexact: a boundary strictly between the exact sum and s would be a float64 nearer to the
//   exact sum than s is.
//
//   Fast test, on the bits of s: for |s| ≥ 2^−126 (float32 normal range) a boundary has its
//   low 29 mantissa bits (the ones float32 drops) equal to 1 followed by 28 zeros; the overflow
//   threshold matches the same pattern. Below 2^−126 float32 spacing is fixed, so any nonzero
//   tiny s also takes the slow path. Everything else is already correct after one demotion.
//
//   Slow path (rare): round p + c to odd in float64 — if the TwoSum error e is nonzero and s is
//   even, step s one ulp toward e — then demote. Round-to-odd at 53 bits followed by rounding to
//   24 bits is correctly rounded (53 ≥ 24 + 2), for subnormal and overflowing results too.
//
// The scalar and f32x4 forms use the same test and the same correction, lane by lane.
// src/backend/js/fma.ts is an independent JavaScript implementation (midpoint detection by
// re-rounding), proven against an exact BigInt oracle in test/fma.test.ts; the conformance and
// FMA-trap tests hold these kernels to it bit for bit.

const DROPPED_BITS: u64 = 0x1fffffff; // the 29 float64 mantissa bits float32 does not keep
const BOUNDARY_BITS: u64 = 0x10000000; // a float32 midpoint: 1 then 28 zeros in those bits
const FLT_MIN_NORMAL: f64 = 1.1754943508222875e-38; // 2^−126
const FLT_MIN_NORMAL_F32: f32 = 1.1754943508222875e-38;

/** a·b + c rounded once to float32. */
@inline export function fmaf(a: f32, b: f32, c: f32): f32 {
  const p = <f64>a * <f64>b;
  const cc = <f64>c;
  const s = p + cc;
  const bits = reinterpret<u64>(s);
  const tiny = abs(s) < FLT_MIN_NORMAL && s != 0;
  if ((bits & DROPPED_BITS) != BOUNDARY_BITS && !tiny) return <f32>s;
  return <f32>roundToOdd(p, cc, s);
}

/** p + c rounded to odd, given s = p + c rounded to nearest: exact TwoSum error, then a nudge. */
function roundToOdd(p: f64, c: f64, s: f64): f64 {
  const bb = s - p;
  const e = (p - (s - bb)) + (c - bb);
  const bits = reinterpret<u64>(s);
  // NaN fails both comparisons, so infinite or NaN sums are left alone.
  if ((bits & 1) != 0 || !(e > 0 || e < 0)) return s;
  // Toward e: a larger magnitude when e has the sign of s, a smaller one otherwise.
  return reinterpret<f64>((e > 0) == (s > 0) ? bits + 1 : bits - 1);
}

@inline function lowPair(x: v128): v128 { return f64x2.promote_low_f32x4(x); }
@inline function highPair(x: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 2, 3));
}

/**
 * The lanes of s = (sLo, sHi) that may need the slow path, given r = s demoted to f32x4 and
 * the addend c. Two tests, both on four lanes at once:
 *  - on a boundary: the low 32-bit words of s (gathered by one shuffle) hold the 29 dropped
 *    mantissa bits; shifted left by 3 they are 0x80000000 exactly for 1 followed by 28 zeros;
 *  - tiny: |r| ≤ 2^−126 covers every sum below the float32 normal range (where spacing is
 *    fixed and the pattern above does not apply), except lanes with c = 0, whose sum is the
 *    exact product itself. So all-zero data (c = 0) stays on the fast path.
 */
@inline function suspectMask(sLo: v128, sHi: v128, r: v128, c: v128): v128 {
  const lowWords = v128.shuffle<i32>(sLo, sHi, 0, 2, 4, 6);
  const onBoundary = i32x4.eq(i32x4.shl(lowWords, 3), i32x4.splat(0x80000000));
  const tiny = v128.and(
    f32x4.le(f32x4.abs(r), f32x4.splat(FLT_MIN_NORMAL_F32)), f32x4.ne(c, f32x4.splat(0)));
  return v128.or(onBoundary, tiny);
}

/** The two float64 halves of an f32x4 demoted back into one f32x4. */
@inline function demotePairs(sLo: v128, sHi: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(sLo), f32x4.demote_f64x2_zero(sHi), 0, 1, 4, 5);
}

/** Four exactly rounded float32 FMAs a·b + c. */
@inline export function fma4(a: v128, b: v128, c: v128): v128 {
  return fmaPairs(
    f64x2.mul(lowPair(a), lowPair(b)), f64x2.mul(highPair(a), highPair(b)), c);
}

/** Four exactly rounded float32 a·a + c (the square promoted once). */
@inline export function fmaSquare4(a: v128, c: v128): v128 {
  const aLo = lowPair(a);
  const aHi = highPair(a);
  return fmaPairs(f64x2.mul(aLo, aLo), f64x2.mul(aHi, aHi), c);
}

/** The exact products as two f64x2 halves, plus c: the rounded sums as one f32x4. */
@inline function fmaPairs(pLo: v128, pHi: v128, c: v128): v128 {
  const cLo = lowPair(c);
  const cHi = highPair(c);
  const sLo = f64x2.add(pLo, cLo);
  const sHi = f64x2.add(pHi, cHi);
  const r = demotePairs(sLo, sHi);
  if (v128.any_true(suspectMask(sLo, sHi, r, c))) return fma4Slow(pLo, cLo, sLo, pHi, cHi, sHi);
  return r;
}

// Eight lanes with one suspect test and one branch: the unrolled loops of the default
// configurations use these, which pays for itself (about 0.1 ns/element less than two fma4).
// The results are stored to out1 and out2 (AssemblyScript functions return one value).

/** a1·b1 + c1 → out1 and a2·b2 + c2 → out2, each lane rounded once. */
@inline export function fma8(
  a1: v128, b1: v128, c1: v128, a2: v128, b2: v128, c2: v128, out1: usize, out2: usize,
): void {
  fmaPairs8(
    f64x2.mul(lowPair(a1), lowPair(b1)), f64x2.mul(highPair(a1), highPair(b1)), c1,
    f64x2.mul(lowPair(a2), lowPair(b2)), f64x2.mul(highPair(a2), highPair(b2)), c2, out1, out2);
}

/** a1² + c1 → out1 and a2² + c2 → out2, each lane rounded once. */
@inline export function fmaSquare8(a1: v128, c1: v128, a2: v128, c2: v128, out1: usize, out2: usize): void {
  const aLo1 = lowPair(a1), aHi1 = highPair(a1), aLo2 = lowPair(a2), aHi2 = highPair(a2);
  fmaPairs8(
    f64x2.mul(aLo1, aLo1), f64x2.mul(aHi1, aHi1), c1,
    f64x2.mul(aLo2, aLo2), f64x2.mul(aHi2, aHi2), c2, out1, out2);
}

@inline function fmaPairs8(
  pLo1: v128, pHi1: v128, c1: v128, pLo2: v128, pHi2: v128, c2: v128, out1: usize, out2: usize,
): void {
  const cLo1 = lowPair(c1), cHi1 = highPair(c1), cLo2 = lowPair(c2), cHi2 = highPair(c2);
  const sLo1 = f64x2.add(pLo1, cLo1), sHi1 = f64x2.add(pHi1, cHi1);
  const sLo2 = f64x2.add(pLo2, cLo2), sHi2 = f64x2.add(pHi2, cHi2);
  let r1 = demotePairs(sLo1, sHi1);
  let r2 = demotePairs(sLo2, sHi2);
  if (v128.any_true(v128.or(suspectMask(sLo1, sHi1, r1, c1), suspectMask(sLo2, sHi2, r2, c2)))) {
    r1 = fma4Slow(pLo1, cLo1, sLo1, pHi1, cHi1, sHi1);
    r2 = fma4Slow(pLo2, cLo2, sLo2, pHi2, cHi2, sHi2);
  }
  v128.store(out1, r1);
  v128.store(out2, r2);
}

// A multiplier b = ±2^k (lr 0.5, lr 1, dampening 0, a decay of 0 …) makes a·b a number of at
// most 24 significant bits, exact in float64 whatever its range. Double rounding of p + c can
// then never go wrong: the float64 sum lands on a float32 boundary with an inexact tail only if
// one addend spans 29 or more bit positions (a 1, 28 zeros, then the lost tail; with opposite
// signs, the borrow needs a run of 28 ones), which two 24-bit numbers cannot. Such sums also
// hit the suspect pattern half of the time (an exact 25-bit sum), so the general path would
// branch to its slow path constantly. b is uniform across a loop: the branch predicts perfectly.
// b = ±1 is cheaper still: one float32 add rounds the exact sum once.

/** |b| = 2^k, a normal float32 power of two. */
@inline export function isPowerOfTwo(b: f32): bool {
  const bits = reinterpret<u32>(b) & 0x7fffffff;
  return (bits & 0x007fffff) == 0 && bits != 0 && bits < 0x7f800000;
}

/** fma(a, b, c) for a scalar b splatted in vB, with the shortcuts above. */
@inline export function fmaScalar4(a: v128, b: f32, vB: v128, c: v128): v128 {
  if (b == 1) return f32x4.add(a, c);
  if (b == -1) return f32x4.sub(c, a);
  if (isPowerOfTwo(b)) {
    const sLo = f64x2.add(f64x2.mul(lowPair(a), lowPair(vB)), lowPair(c));
    const sHi = f64x2.add(f64x2.mul(highPair(a), lowPair(vB)), highPair(c));
    return demotePairs(sLo, sHi);
  }
  return fma4(a, vB, c);
}

/** fmaf with the same shortcuts (for tails and the scalar build). */
@inline export function fmaScalar(a: f32, b: f32, c: f32): f32 {
  if (b == 1) return a + c;
  if (b == -1) return c - a;
  if (isPowerOfTwo(b)) return <f32>(<f64>a * <f64>b + <f64>c);
  return fmaf(a, b, c);
}

/** Round-to-odd on two f64x2 halves, then demote: the rare path of fma4, kept out of line. */
@inline function fma4Slow(pLo: v128, cLo: v128, sLo: v128, pHi: v128, cHi: v128, sHi: v128): v128 {
  const lo = f32x4.demote_f64x2_zero(roundToOdd2(pLo, cLo, sLo));
  const hi = f32x4.demote_f64x2_zero(roundToOdd2(pHi, cHi, sHi));
  return v128.shuffle<f32>(lo, hi, 0, 1, 4, 5);
}

@inline function roundToOdd2(p: v128, c: v128, s: v128): v128 {
  const bb = f64x2.sub(s, p);
  const e = f64x2.add(f64x2.sub(p, f64x2.sub(s, bb)), f64x2.sub(c, bb));
  const zero = f64x2.splat(0);
  const one = i64x2.splat(1);
  const inexact = v128.or(f64x2.gt(e, zero), f64x2.lt(e, zero)); // false for NaN
  const even = i64x2.eq(v128.and(s, one), i64x2.splat(0));
  // +1 when e and s share a sign (larger magnitude), −1 otherwise: (sign(e ^ s) >> 63) | 1.
  const step = v128.or(i64x2.shr_s(v128.xor(e, s), 63), one);
  return i64x2.add(s, v128.and(step, v128.and(inexact, even)));
}

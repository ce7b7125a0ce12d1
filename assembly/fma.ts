// Exactly rounded float32 fused multiply-add, a·b + c rounded once, as PyTorch's AVX2 kernels
// compute it. WebAssembly's only FMA is relaxed SIMD's relaxed_madd, which may or may not fuse:
// the relaxed-SIMD build uses it (HARDWARE_FMA below) and the facade loads that build only where
// a probe found it fused. Everywhere else (the plain SIMD build, the scalar build, every scalar
// tail) the FMA is emulated exactly in float64:
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
// The f32x4 forms have no slow path of their own: fmaFast4 / fmaHalvesFast round twice, and
// fmaSuspect4 / fmaHalvesSuspect flag the lanes the test above cannot clear. A kernel computes
// every FMA of a block of lanes first, ORs the flags, and if any lane is flagged it steps that
// whole block again element by element with fmaf, before storing anything. An inline vector
// correction kept its operands alive across the branch and cost register spills on every
// iteration (about a fifth of the step) for a path that random data takes once in 2^29.
// scripts/check-fma-protocol.mjs, run before every build, holds each kernel to that protocol:
// every fast FMA has its suspect test on the same operands, and every mask reaches anySuspect.
//
// src/backend/js/fma.ts is an independent JavaScript implementation (midpoint detection by
// re-rounding), proven against an exact BigInt oracle in test/fma.test.ts; the conformance and
// FMA-trap tests hold these kernels to it bit for bit.

const DROPPED_BITS: u64 = 0x1fffffff; // the 29 float64 mantissa bits float32 does not keep
const BOUNDARY_BITS: u64 = 0x10000000; // a float32 midpoint: 1 then 28 zeros in those bits
const FLT_MIN_NORMAL: f64 = 1.1754943508222875e-38; // 2^−126

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

/**
 * Whether this build has the hardware FMA: the relaxed-SIMD build (asconfig target `fma`) uses
 * f32x4.relaxed_madd, which an engine may compute fused or unfused. The facade uses that build
 * only after a probe at load time found it fused (V8 on x86 with FMA3, and on ARM64), so there
 * it is the exactly rounded FMA in one instruction and needs no suspect test.
 */
export const HARDWARE_FMA: bool = ASC_FEATURE_RELAXED_SIMD;

/** The float64 halves (lanes 0–1, lanes 2–3) of an f32x4 held in a register. */
@inline export function lo(x: v128): v128 { return f64x2.promote_low_f32x4(x); }
@inline export function hi(x: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 2, 3));
}

/** The same halves of four float32 read from memory: one conversion each and no shuffle. */
@inline export function loAt(ptr: usize): v128 { return f64x2.promote_low_f32x4(v128.load64_zero(ptr)); }
@inline export function hiAt(ptr: usize): v128 { return f64x2.promote_low_f32x4(v128.load64_zero(ptr, 8)); }

/** The two float64 halves of an f32x4 demoted back into one f32x4. */
@inline function demotePairs(sLo: v128, sHi: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(sLo), f32x4.demote_f64x2_zero(sHi), 0, 1, 4, 5);
}

/**
 * The lanes of s = (sLo, sHi) that may need the slow path, given r = s demoted to f32x4:
 *  - on a boundary: the low 32-bit words of s (gathered by one shuffle) hold the 29 dropped
 *    mantissa bits; shifted left by 3 they are 0x80000000 exactly for 1 followed by 28 zeros;
 *  - tiny: 0 < |r| ≤ 2^−126, the float32 subnormal range (and its upper edge, which a subnormal
 *    sum can round up to), where spacing is fixed and the pattern above does not apply. In the
 *    bits of r shifted left by one (the sign dropped), that is 1 … 0x01000000; adding 0x7fffffff
 *    with wrap-around maps exactly that range below 0x81000000 as signed integers (0 goes to
 *    0x7fffffff, everything larger to 0x81000000 and up, wrapping to the non-negatives).
 *    r = 0 needs no flag, so zero data stays on the fast path: a wrong zero would need s = ±2^−150
 *    exactly while p + c is not, i.e. p + c within 2^−203 of ±2^−150 but not on it; since c is a
 *    multiple of 2^−149, p itself would carry bits from 2^−151 down to below 2^−203, 53 or more
 *    significant bits, which a product of two float32 (at most 48) cannot.
 */
@inline function suspectMask(sLo: v128, sHi: v128, r: v128): v128 {
  const lowWords = v128.shuffle<i32>(sLo, sHi, 0, 2, 4, 6);
  const onBoundary = i32x4.eq(i32x4.shl(lowWords, 3), i32x4.splat(0x80000000));
  const tiny = i32x4.lt_s(i32x4.add(i32x4.shl(r, 1), i32x4.splat(0x7fffffff)), i32x4.splat(0x81000000));
  return v128.or(onBoundary, tiny);
}

// The fast and the suspect functions below take the same operands and compute the same float64
// sums; the engine computes them once (Binaryen and V8 both merge identical pure expressions,
// and the identical loads of loAt/hiAt), so asking costs only the test itself.

/**
 * (aLo·bLo + cLo, aHi·bHi + cHi) on float64 halves (from lo/hi or loAt/hiAt), each sum rounded
 * to float64, then to float32: the exact FMA in every lane fmaHalvesSuspect leaves clear.
 */
@inline export function fmaHalvesFast(aLo: v128, aHi: v128, bLo: v128, bHi: v128, cLo: v128, cHi: v128): v128 {
  return demotePairs(f64x2.add(f64x2.mul(aLo, bLo), cLo), f64x2.add(f64x2.mul(aHi, bHi), cHi));
}

/** The lanes where r = fmaHalvesFast(…) may differ from the exact FMA (all ones there). */
@inline export function fmaHalvesSuspect(
  aLo: v128, aHi: v128, bLo: v128, bHi: v128, cLo: v128, cHi: v128, r: v128,
): v128 {
  return suspectMask(f64x2.add(f64x2.mul(aLo, bLo), cLo), f64x2.add(f64x2.mul(aHi, bHi), cHi), r);
}

/** a·b + c on f32x4 registers, rounded twice: exact in every lane fmaSuspect4 leaves clear. */
@inline export function fmaFast4(a: v128, b: v128, c: v128): v128 {
  if (HARDWARE_FMA) return f32x4.relaxed_madd(a, b, c);
  return fmaHalvesFast(lo(a), hi(a), lo(b), hi(b), lo(c), hi(c));
}

/** The lanes where r = fmaFast4(a, b, c) may differ from the exact FMA (all ones there). */
@inline export function fmaSuspect4(a: v128, b: v128, c: v128, r: v128): v128 {
  if (HARDWARE_FMA) return i32x4.splat(0);
  return fmaHalvesSuspect(lo(a), hi(a), lo(b), hi(b), lo(c), hi(c), r);
}

/** Whether any lane of a suspect mask is set: then the block is stepped again with fmaf. */
@inline export function anySuspect(mask: v128): bool {
  if (HARDWARE_FMA) return false;
  // One pmovmskb and a test; v128.any_true compiles to a longer sequence in V8.
  return i8x16.bitmask(mask) != 0;
}

// A multiplier b = ±2^k (lr 0.5, lr 1, dampening 0, a decay of 0 …) makes a·b a number of at
// most 24 significant bits, exact in float64 whatever its range. Double rounding of p + c can
// then never go wrong: the float64 sum lands on a float32 boundary with an inexact tail only if
// one addend spans 29 or more bit positions (a 1, 28 zeros, then the lost tail; with opposite
// signs, the borrow needs a run of 28 ones), which two 24-bit numbers cannot. Such sums also
// hit the suspect pattern half of the time (an exact 25-bit sum), so the general path would
// redo its blocks constantly. b is uniform across a loop: the branch predicts perfectly.
// b = ±1 is cheaper still: one float32 add rounds the exact sum once.

/** |b| = 2^k, a normal float32 power of two. */
@inline export function isPowerOfTwo(b: f32): bool {
  const bits = reinterpret<u32>(b) & 0x7fffffff;
  return (bits & 0x007fffff) == 0 && bits != 0 && bits < 0x7f800000;
}

/** fma(a, b, c) for a scalar b splatted in vB, with the shortcuts above (exact for ±2^k). */
@inline export function fmaByFast4(a: v128, b: f32, vB: v128, c: v128): v128 {
  if (HARDWARE_FMA) return f32x4.relaxed_madd(a, vB, c); // one instruction: no shortcut to take
  if (b == 1) return f32x4.add(a, c);
  if (b == -1) return f32x4.sub(c, a);
  return fmaFast4(a, vB, c);
}

/** The suspect lanes of fmaByFast4: none when b = ±2^k. */
@inline export function fmaBySuspect4(a: v128, b: f32, vB: v128, c: v128, r: v128): v128 {
  if (HARDWARE_FMA || isPowerOfTwo(b)) return i32x4.splat(0);
  return fmaSuspect4(a, vB, c, r);
}

/** fmaf with the same shortcuts (for the element-by-element loops). */
@inline export function fmaBy(a: f32, b: f32, c: f32): f32 {
  if (b == 1) return a + c;
  if (b == -1) return c - a;
  if (isPowerOfTwo(b)) return <f32>(<f64>a * <f64>b + <f64>c);
  return fmaf(a, b, c);
}

/**
 * The hardware-FMA probe: relaxed_madd(a, b, c) in every lane, returned from lane `lane`. The
 * facade calls it with operands where the fused and the unfused results differ and compares
 * with its exact FMA; the operands arrive at run time, so no compiler folds the call.
 */
export function relaxedMaddLane(a: f32, b: f32, c: f32, lane: i32): f32 {
  if (!ASC_FEATURE_RELAXED_SIMD) return NaN;
  const r = f32x4.relaxed_madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c));
  if (lane == 0) return f32x4.extract_lane(r, 0);
  if (lane == 1) return f32x4.extract_lane(r, 1);
  if (lane == 2) return f32x4.extract_lane(r, 2);
  return f32x4.extract_lane(r, 3);
}

/** Largest finite float32, (2^24 - 1) * 2^104. */
const FLT_MAX = (2 ** 24 - 1) * 2 ** 104;
/**
 * float32 overflow threshold 2^128 - 2^103: the "midpoint" between FLT_MAX and
 * 2^128. Exact values at or above it round to Infinity (a tie goes to the even
 * 2^128, which overflows); below it they round to FLT_MAX or less.
 */
const OVF = (2 ** 25 - 1) * 2 ** 103;

/*
 * Why this is exact (x = a*b + c exact, RN32/RN64 = round to nearest even):
 *
 * 1. p = a*b is exact in float64: 24 + 24 bits <= 53, and exponents of float32
 *    products (2^-298 .. 2^256) are far inside float64's normal range.
 * 2. s = RN64(p + c), r = RN32(s) = Math.fround(s). RN32(x) != RN32(s) needs a
 *    float32 rounding boundary B (a midpoint between adjacent float32, or +-OVF)
 *    between x and s. Every B is a float64 (25 bits, exponent >= -150), so B
 *    strictly between them would be a float64 nearer to x than s: impossible.
 *    B == x means x is a float64, so s == x. Hence r can only be wrong when
 *    s == B exactly and s != x: the float64 sum rounded onto a boundary and the
 *    float32 tie-break then looked at the wrong side.
 * 3. Midpoint test: d = s - r is exact (Sterbenz), t = s + d = r + 2d is the
 *    other float32 neighbour of s iff s is a midpoint. Otherwise 0 < |2d| is
 *    less than the float32 spacing on that side of r, and |s - B| >= ulp64(s)
 *    keeps t's float64 rounding away from a float32, so fround(t) !== t. This
 *    holds for subnormals (spacing 2^-149, all exact in float64) and across
 *    powers of two (r = 2^k, t = 2^k -+ the spacing on s's side).
 * 4. For a midpoint, TwoSum (Knuth) gives e = x - s exactly (no overflow is
 *    possible for finite float32 inputs). e == 0: a true tie, r is right. e on
 *    the same side as d (pointing from r through s to t): x is nearer t.
 *
 * Fix over the naive method: at s == +-OVF, r = +-Infinity and d = t = -+Infinity,
 * so fround(t) === t and step 4 would return -+Infinity when x lies just inside
 * the range. There the right answer is +-FLT_MAX, handled separately.
 *
 * Zeros: exact product and IEEE float64 addition give the IEEE zero signs
 * (x exactly 0 from nonzero terms -> +0, -0 + -0 -> -0); a nonzero x that is
 * too small for float32 keeps its sign through fround. NaN and Infinity
 * propagate through the float64 ops (Inf*0, Inf - Inf -> NaN) and exit at
 * `s === r` (Infinity) or the fround(t) test (NaN).
 */

/**
 * Exactly rounded float32 fused multiply-add: the float32 nearest to the exact
 * a*b + c (ties to even), as a hardware float32 FMA returns. a, b, c must be
 * float32 values. Allocation-free; the common case (s not on a float32
 * boundary) costs four float64 add/mul ops, two frounds and two compares.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = Math.fround(s);
  if (s === r) return r; // float32-exact sum (or +-Infinity): nothing to fix
  const d = s - r;
  const t = s + d;
  if (Math.fround(t) !== t) return r; // s is not a boundary (also NaN)
  // Rare: s sits exactly on a float32 boundary. Find which side x lies on.
  const bb = s - p;
  const e = p - (s - bb) + (c - bb);
  if (r === Infinity || r === -Infinity) {
    // s finite, so |s| >= OVF; only s == +-OVF with x inside the range differs.
    return s === OVF && e < 0 ? FLT_MAX : s === -OVF && e > 0 ? -FLT_MAX : r;
  }
  return (e > 0 && d > 0) || (e < 0 && d < 0) ? t : r;
}

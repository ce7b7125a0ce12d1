/*
 * Exact float64 fused multiply-add without BigInt and without allocating.
 *
 * Why: the glibc routines ported in this folder were compiled with -mfma, so GCC turned many `a * b + c` into one
 * vfmadd (a single rounding). JavaScript has no fma, and a two-rounding `a * b + c` differs in the last bit often
 * enough to break bit-exactness.
 *
 * Method (Boldo & Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms using rounding to odd",
 * IEEE TC 2008): with uh + ul = a*b exactly (Veltkamp/Dekker TwoProduct) and th + tl = c + uh exactly (TwoSum),
 * RN(th + RO(tl + ul)) = RN(a*b + c), where RO is rounding to odd. Round-to-odd needs the bits of the double, read
 * through a module-level scratch buffer (no allocation per call).
 *
 * TwoProduct only works when nothing overflows or underflows, so a, b and c are first scaled by powers of two into a
 * safe range (a and b into [1, 2), c by the same factor as a*b), and scaled back at the end. When the result is
 * subnormal, scaling back would round a second time; there the sum is instead shifted by S = +-2^-1022 (in unscaled
 * terms) so that its 53-bit rounding grid equals the subnormal grid, rounded once, and shifted back exactly.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Index of the high (sign/exponent) word; little-endian on every platform Node runs on, but stay honest.
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

const SPLIT = 134217729; // 2^27 + 1, Veltkamp's splitter for 53-bit significands
const TWO64 = 2 ** 64;
const FAST_MIN = 2 ** -400;
const FAST_MAX = 2 ** 401;

/** Biased exponent field of x (0 for zero and subnormals). */
function expField(x: number): number {
  f64[0] = x;
  return (u32[HI]! >>> 20) & 0x7ff;
}

/** 2^k for an integer k in [-1022, 1023], built from bits (exact, unlike Math.pow in some engines). */
function pow2(k: number): number {
  u32[HI] = (k + 1023) << 20;
  u32[LO] = 0;
  return f64[0]!;
}

/** x * 2^k exactly, for any integer k, provided the result is a normal double (or overflows, when k > 0). */
function scale(x: number, k: number): number {
  // Three steps: |k| may reach ~2200, while a single factor must stay in [2^-1022, 2^1023].
  while (k > 1023) {
    x *= pow2(1023);
    k -= 1023;
  }
  while (k < -1022) {
    x *= pow2(-1022);
    k += 1022;
  }
  return x * pow2(k);
}

// Extra results of the helpers below. A Float64Array rather than module-level `let`s: V8 optimizes stores to a typed
// array much better than to reassigned module bindings (several times faster here), and neither allocates.
const out = new Float64Array(3);
const HI_ = 0; // twoProduct/twoSum: rounded result
const LO_ = 1; // twoProduct/twoSum: exact error
const MANT = 2; // normalize: significand in [1, 2)

/** Sets out[MANT] to x scaled into [1, 2) (keeping the sign) and returns e with x = that * 2^e. x finite, nonzero. */
function normalize(x: number): number {
  let e = expField(x);
  let bias = 1023;
  if (e === 0) {
    // Subnormal: scaling by 2^64 is exact and makes it normal.
    x *= TWO64;
    e = expField(x);
    bias += 64;
  }
  f64[0] = x;
  u32[HI] = (u32[HI]! & 0x800fffff) | (1023 << 20);
  out[MANT] = f64[0]!;
  return e - bias;
}

/**
 * Round-to-odd sum of x and y: the exact sum if representable, else whichever neighbour of it has an odd last
 * significand bit. (TwoSum gives the rounding error err; if it is nonzero and RN(x + y) is even, step one ulp towards
 * the exact sum.) x, y finite and the sum far from overflow.
 */
function addRoundOdd(x: number, y: number): number {
  const s = x + y;
  const bb = s - x;
  const err = x - (s - bb) + (y - bb);
  if (err === 0) return s;
  f64[0] = s;
  if ((u32[LO]! & 1) === 1) return s;
  // s != 0 here (a zero sum is exact). Away from zero if err has s's sign, else towards zero.
  const away = s > 0 === err > 0;
  if (away) {
    if (u32[LO] === 0xffffffff) {
      u32[LO] = 0;
      u32[HI] = u32[HI]! + 1;
    } else u32[LO] = u32[LO]! + 1;
  } else if (u32[LO] === 0) {
    u32[LO] = 0xffffffff;
    u32[HI] = u32[HI]! - 1;
  } else u32[LO] = u32[LO]! - 1;
  return f64[0]!;
}

/** out[HI_] + out[LO_] = a * b exactly (Dekker). Requires moderate exponents: here |a|, |b| in [1, 2). */
function twoProduct(a: number, b: number): void {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const p = a * b;
  out[HI_] = p;
  out[LO_] = ah * bh - p + ah * bl + al * bh + al * bl;
}

/** out[HI_] + out[LO_] = a + b exactly (Knuth). */
function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  out[HI_] = s;
  out[LO_] = a - (s - bb) + (b - bb);
}

/**
 * Fused multiply-add: a * b + c with a single rounding (round to nearest, ties to even), as the x86 `vfmadd` and C's
 * `fma()` compute it, including IEEE signed zeros, infinities, NaN, overflow and subnormal results.
 */
export function fma(a: number, b: number, c: number): number {
  FMA[0] = a;
  FMA[1] = b;
  FMA[2] = c;
  fmaScratch();
  return FMA[3]!;
}

/**
 * Arguments and result of {@link fmaScratch}: a, b, c in elements 0 to 2, the result in 3. A call without arguments
 * boxes nothing, whether or not V8 inlines it: a double passed to or returned from a call V8 does not inline is boxed
 * on the heap (a HeapNumber, 16 bytes), and the body of fma is too large to inline.
 */
export const FMA = new Float64Array(4);

/** {@link fma} through {@link FMA}: FMA[3] = FMA[0] * FMA[1] + FMA[2], rounded once. */
export function fmaScratch(): void {
  const a = FMA[0]!;
  const b = FMA[1]!;
  const c = FMA[2]!;
  // Fast path: |a|, |b|, |c| in [2^-400, 2^401) (no zero, Inf or NaN), so TwoProduct cannot over- or underflow and a
  // nonzero exact result is at least 2^-906 (the last bit of a*b or c): normal, so no scaling is needed.
  const aa = Math.abs(a);
  const ab = Math.abs(b);
  const ac = Math.abs(c);
  if (aa >= FAST_MIN && aa < FAST_MAX && ab >= FAST_MIN && ab < FAST_MAX && ac >= FAST_MIN && ac < FAST_MAX) {
    // twoProduct, twoSum and addRoundOdd written out: whether V8 inlines fmaScratch or not, no double crosses a call
    // here (a call V8 does not inline, as when a caller's inlining budget is spent, would box its doubles).
    // ph + pl = a * b exactly (twoProduct).
    let t = SPLIT * a;
    const ah = t - (t - a);
    const al = a - ah;
    t = SPLIT * b;
    const bh = t - (t - b);
    const bl = b - bh;
    const ph = a * b;
    const pl = ah * bh - ph + ah * bl + al * bh + al * bl;
    // sh + sl = c + ph exactly (twoSum).
    const sh = c + ph;
    const sb = sh - c;
    const sl = c - (sh - sb) + (ph - sb);
    // v = RO(sl + pl) (addRoundOdd).
    const v = sl + pl;
    const vb = v - sl;
    const err = sl - (v - vb) + (pl - vb);
    if (err === 0) {
      FMA[3] = sh + v;
      return;
    }
    f64[0] = v;
    if ((u32[LO]! & 1) === 0) {
      if (v > 0 === err > 0) {
        if (u32[LO] === 0xffffffff) {
          u32[LO] = 0;
          u32[HI] = u32[HI]! + 1;
        } else u32[LO] = u32[LO]! + 1;
      } else if (u32[LO] === 0) {
        u32[LO] = 0xffffffff;
        u32[HI] = u32[HI]! - 1;
      } else u32[LO] = u32[LO]! - 1;
    }
    FMA[3] = sh + f64[0]!;
    return;
  }
  // Non-finite operands, or a zero product (then a * b is exact and one rounding happens in the addition).
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === 0 || b === 0) {
    FMA[3] = a * b + c;
    return;
  }
  // Finite nonzero product plus Inf/NaN is that Inf/NaN (a * b itself might overflow, so do not compute it).
  if (!Number.isFinite(c)) {
    FMA[3] = c;
    return;
  }
  // The exact product is nonzero, so the sum is the product rounded once, with the product's sign even if it
  // underflows to zero (a * b + 0 would turn -0 into +0).
  if (c === 0) {
    FMA[3] = a * b;
    return;
  }

  fmaScaled(); // FMA[0..2] still hold a, b and c
}

/**
 * FMA[3] = fma(FMA[0], FMA[1], FMA[2]) when they are finite and nonzero but outside the fast path's range: scaled by
 * powers of two. Through FMA too, as its arguments would be boxed otherwise (this body is not inlined).
 */
function fmaScaled(): void {
  const a = FMA[0]!;
  const b = FMA[1]!;
  const c = FMA[2]!;
  const ea = normalize(a);
  const ma = out[MANT]!;
  const eb = normalize(b);
  const mb = out[MANT]!;
  const ec = normalize(c);
  const mc = out[MANT]!;
  const e = ea + eb; // a * b = ma * mb * 2^e, |ma * mb| in [1, 4)
  const d = ec - e; // c = mc * 2^d * 2^e
  // |a*b| < 2^(ec-56) <= |c| * 2^-56 is below a quarter ulp of c, even when c is a power of two: the result is c.
  if (d > 58) {
    FMA[3] = c;
    return;
  }
  // Far below the product's 106 bits, c only acts as a sticky bit; any value that small with its sign will do.
  const cs = d < -115 ? (mc > 0 ? 2 ** -160 : -(2 ** -160)) : mc * pow2(d);

  twoProduct(ma, mb);
  const uh = out[HI_]!;
  const ul = out[LO_]!;
  twoSum(cs, uh);
  const th = out[HI_]!;
  const tl = out[LO_]!;
  const v = addRoundOdd(tl, ul);
  const r = th + v; // RN(ma * mb + cs), exact in the scaled domain where nothing over- or underflows
  if (r === 0) {
    FMA[3] = 0; // exact cancellation: +0 in round-to-nearest
    return;
  }
  // Normal (or overflowing) result: scaling back by 2^e is exact, or overflows exactly when the true result does.
  if (Math.abs(r) >= pow2Scaled(-1022 - e)) {
    FMA[3] = scale(r, e);
    return;
  }

  // Subnormal result: grid spacing 2^-1074. Adding S = sign * 2^-1022 moves the exact sum x into the binade
  // [2^-1022, 2^-1021), whose 53-bit grid is that same spacing (and ties-to-even looks at the same bit), so
  // RN(x + S) - S is x rounded to the subnormal grid; the subtraction and the scaling back are exact.
  // x + S = sh + sl + tl + ul is rounded as RN(sh + RO(sl + RO(tl + ul))): the same round-to-odd step once more. The
  // paper proves one step; this chained use is backed by testing instead: it agreed with the hardware fma on every
  // one of the ~1.9 million subnormal results among 45 million reference triples (tools/reference/glibc-math).
  const sS = r > 0 ? pow2Scaled(-1022 - e) : -pow2Scaled(-1022 - e);
  twoSum(sS, th);
  const sh = out[HI_]!;
  const sl = out[LO_]!;
  const w = addRoundOdd(sl, v);
  const q = sh + w - sS;
  if (q === 0) {
    FMA[3] = r > 0 ? 0 : -0;
    return;
  }
  FMA[3] = scale(q, e);
}

/** 2^k for any integer k whose power is a normal double (k in [-1022, 1023]), else via repeated scaling. */
function pow2Scaled(k: number): number {
  return k >= -1022 && k <= 1023 ? pow2(k) : scale(1, k);
}

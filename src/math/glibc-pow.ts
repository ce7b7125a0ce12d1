/*
 * Port of glibc 2.36 sysdeps/ieee754/dbl-64/e_pow.c (Szabolcs Nagy's pow from ARM optimized-routines: a log with
 * ~68 bits of precision, then exp of y * log(x) carried as a double-double) as built for x86_64's __pow_fma variant
 * (sysdeps/x86_64/fpu/multiarch/e_pow-fma.c, compiled with -mfma -mavx2, so __FP_FAST_FMA is defined).
 *
 * Every `fma(...)` below is a fused multiply-add in that build: the source's explicit __builtin_fma calls, and each
 * `a * b + c` that GCC 12 contracted (read off GCC's widening_mul dump of the same source with the same flags, and
 * matched against the vfmadd/vfmsub sequence in libm.so.6). Other operations are plain float64 ones, in the
 * association order of the compiled code. uint64 bit manipulations are done on the two 32-bit halves.
 */

import { fromWords, hiWord, loWord } from './bits.js';
import { FMA, fmaScratch } from './fma.js';
import {
  EXP_C,
  EXP_INVLN2N,
  EXP_NEGLN2HIN,
  EXP_NEGLN2LON,
  EXP_SBITS_HI,
  EXP_SBITS_LO,
  EXP_SHIFT,
  EXP_TAIL,
  POW_A,
  POW_LN2HI,
  POW_LN2LO,
  POW_LOG_TAB,
} from './tables-pow.js';

const A0 = POW_A[0]!;
const A1 = POW_A[1]!;
const A2 = POW_A[2]!;
const A3 = POW_A[3]!;
const A4 = POW_A[4]!;
const A5 = POW_A[5]!;
const A6 = POW_A[6]!;
const C2 = EXP_C[0]!;
const C3 = EXP_C[1]!;
const C4 = EXP_C[2]!;
const C5 = EXP_C[3]!;

/** Added to the exponent-table index to flip the result's sign: 0x800 << EXP_TABLE_BITS. */
const SIGN_BIAS = 0x800 << 7;
const TWO52 = 2 ** 52;
const TWO1009 = 2 ** 1009;
const TWOM1022 = 2 ** -1022;

/**
 * Arguments and results of logInline and expInline. A Float64Array rather than arguments and return values: V8 boxes a
 * double (16 bytes on the heap) passed to or returned from a call it does not inline, and these bodies are too large
 * to inline (so is an unsigned word above 2^30). No tuple is allocated either.
 */
const IO = new Float64Array(3);

/**
 * log(x) as IO[0] + IO[1] with ~68 bits: x = 2^k z, log(x) = k ln2 + log(c) + log1p(z/c - 1). ix (hi:lo words, in
 * IO[0] and IO[1]) is the bit pattern of |x|, normalized for subnormals so that the exponent field may be "negative"
 * (wrapped).
 */
function logInline(): void {
  const ixHi = IO[0]!;
  const ixLo = IO[1]!;
  // OFF = 0x3fe6955500000000 (zero low word), z in [OFF, 2 * OFF), 128 subintervals.
  const tmpHi = (ixHi - 0x3fe69555) | 0;
  const i = (tmpHi >>> 13) & 127;
  const k = tmpHi >> 20; // arithmetic shift, as glibc's (int64_t) tmp >> 52
  const z = fromWords(ixHi - (tmpHi & 0xfff00000), ixLo);
  const kd = k;
  const invc = POW_LOG_TAB[3 * i]!;
  const logc = POW_LOG_TAB[3 * i + 1]!;
  const logctail = POW_LOG_TAB[3 * i + 2]!;

  // 1/c has few bits, so r = z/c - 1 = z * invc - 1 is exact with a fused operation.
  // const r = fma(z, invc, -1.0);
  FMA[0] = z;
  FMA[1] = invc;
  FMA[2] = -1.0;
  fmaScratch();
  const r = FMA[3]!;
  // k * Ln2 + log(c) + r.
  // const t1 = fma(kd, POW_LN2HI, logc);
  FMA[0] = kd;
  FMA[1] = POW_LN2HI;
  FMA[2] = logc;
  fmaScratch();
  const t1 = FMA[3]!;
  const t2 = r + t1;
  // const lo1 = fma(kd, POW_LN2LO, logctail);
  FMA[0] = kd;
  FMA[1] = POW_LN2LO;
  FMA[2] = logctail;
  fmaScratch();
  const lo1 = FMA[3]!;
  const lo2 = r + (t1 - t2);
  const ar = r * A0; // A[0] = -0.5
  const ar2 = r * ar;
  const ar3 = r * ar2;
  // k * Ln2 + log(c) + r + A[0] * r * r.
  const hi = t2 + ar2;
  // const lo3 = fma(r, ar, -ar2);
  FMA[0] = r;
  FMA[1] = ar;
  FMA[2] = -ar2;
  fmaScratch();
  const lo3 = FMA[3]!;
  const lo4 = ar2 + (t2 - hi);
  // p = log1p(r) - r - A[0] * r * r, fused into the final sum of the low parts.
  // const q = fma(ar2, fma(ar2, fma(r, A6, A5), fma(r, A4, A3)), fma(r, A2, A1));
  FMA[0] = r;
  FMA[1] = A6;
  FMA[2] = A5;
  fmaScratch();
  const f1 = FMA[3]!;
  FMA[0] = r;
  FMA[1] = A4;
  FMA[2] = A3;
  fmaScratch();
  const f2 = FMA[3]!;
  FMA[0] = ar2;
  FMA[1] = f1;
  FMA[2] = f2;
  fmaScratch();
  const f3 = FMA[3]!;
  FMA[0] = r;
  FMA[1] = A2;
  FMA[2] = A1;
  fmaScratch();
  const f4 = FMA[3]!;
  FMA[0] = ar2;
  FMA[1] = f3;
  FMA[2] = f4;
  fmaScratch();
  const q = FMA[3]!;
  // const lo = fma(ar3, q, lo4 + (lo3 + (lo1 + lo2)));
  FMA[0] = ar3;
  FMA[1] = q;
  FMA[2] = lo4 + (lo3 + (lo1 + lo2));
  fmaScratch();
  const lo = FMA[3]!;
  const y = hi + lo;
  IO[0] = y;
  IO[1] = lo + (hi - y);
}

/**
 * scale * (1 + tmp) when it may overflow or underflow. sbits (hi:lo) is scale's bit pattern with a computed exponent
 * that may have wrapped; kiLo's top bit is the sign of the reduction's k (k > 0: may overflow; k < 0: may underflow).
 */
function specialCase(tmp: number, sbitsHi: number, sbitsLo: number, kiLo: number): number {
  if ((kiLo & 0x80000000) === 0) {
    // k > 0: the exponent of scale might have overflowed by <= 460.
    const scale = fromWords(sbitsHi - (1009 << 20), sbitsLo);
    // return fma(tmp, scale, scale) * TWO1009;
    FMA[0] = tmp;
    FMA[1] = scale;
    FMA[2] = scale;
    fmaScratch();
    const f5 = FMA[3]!;
    return f5 * TWO1009;
  }
  // k < 0: in the subnormal range, round y to the right precision before scaling it down, avoiding double rounding.
  const sHi = (sbitsHi + (1022 << 20)) >>> 0;
  const scale = fromWords(sHi, sbitsLo);
  const st = tmp * scale; // not contracted here: the product is reused below
  let y = scale + st;
  if (Math.abs(y) < 1.0) {
    const one = y < 0.0 ? -1.0 : 1.0;
    let lo = st + (scale - y);
    const hi = y + one;
    lo = lo + (y + (one - hi));
    y = hi + lo - one;
    if (y === 0) y = fromWords(sHi & 0x80000000, 0); // the sign of zero
  }
  return y * TWOM1022;
}

/** IO[0] = sign * exp(x + xtail), x = IO[0], xtail = IO[1], |xtail| < 2^-8/N; signBias: SIGN_BIAS (negative) or 0. */
function expInline(signBias: number): void {
  const x = IO[0]!;
  const xtail = IO[1]!;
  let abstop = (hiWord(x) >>> 20) & 0x7ff;
  // abstop - top12(0x1p-54) >= top12(512) - top12(0x1p-54), unsigned.
  if ((abstop - 969) >>> 0 >= 63) {
    if (abstop < 969) {
      // Tiny x: exp(x) rounds to 1 + x (keeps the rounding direction right in non-nearest modes).
      const one = x + 1.0;
      IO[0] = signBias !== 0 ? -one : one;
      return;
    }
    if (abstop >= 1033) {
      // |x| >= 1024: certain overflow or underflow (Inf and NaN were handled by the caller).
      if (hiWord(x) >>> 31 !== 0)
        IO[0] = signBias !== 0 ? -0 : 0; // __math_uflow
      else IO[0] = signBias !== 0 ? -Infinity : Infinity; // __math_oflow
      return;
    }
    abstop = 0; // large |x|: special-cased below
  }
  // exp(x) = 2^(k/N) * exp(r), x = ln2/N * k + r. z = InvLn2N * x and z + Shift are one fused operation.
  // let kd = fma(x, EXP_INVLN2N, EXP_SHIFT);
  FMA[0] = x;
  FMA[1] = EXP_INVLN2N;
  FMA[2] = EXP_SHIFT;
  fmaScratch();
  let kd = FMA[3]!;
  const kiLo = loWord(kd);
  kd -= EXP_SHIFT;
  // let r = fma(kd, EXP_NEGLN2LON, fma(kd, EXP_NEGLN2HIN, x));
  FMA[0] = kd;
  FMA[1] = EXP_NEGLN2HIN;
  FMA[2] = x;
  fmaScratch();
  const f6 = FMA[3]!;
  FMA[0] = kd;
  FMA[1] = EXP_NEGLN2LON;
  FMA[2] = f6;
  fmaScratch();
  let r = FMA[3]!;
  r = xtail + r;
  // 2^(k/N) ~= scale * (1 + tail).
  const idx = kiLo & 127;
  const topHi = (kiLo + signBias) << 13; // high word of (ki + sign_bias) << 45; its low word is 0
  const tail = EXP_TAIL[idx]!;
  const sbitsHi = (EXP_SBITS_HI[idx]! + topHi) >>> 0;
  const sbitsLo = EXP_SBITS_LO[idx]!;
  const r2 = r * r;
  // const tmp = fma(r2 * r2, fma(r, C5, C4), fma(r2, fma(r, C3, C2), r + tail));
  FMA[0] = r;
  FMA[1] = C5;
  FMA[2] = C4;
  fmaScratch();
  const f7 = FMA[3]!;
  FMA[0] = r;
  FMA[1] = C3;
  FMA[2] = C2;
  fmaScratch();
  const f8 = FMA[3]!;
  FMA[0] = r2;
  FMA[1] = f8;
  FMA[2] = r + tail;
  fmaScratch();
  const f9 = FMA[3]!;
  FMA[0] = r2 * r2;
  FMA[1] = f7;
  FMA[2] = f9;
  fmaScratch();
  const tmp = FMA[3]!;
  if (abstop === 0) {
    IO[0] = specialCase(tmp, sbitsHi, sbitsLo, kiLo); // near overflow or underflow only: may box
    return;
  }
  const scale = fromWords(sbitsHi, sbitsLo);
  // return fma(tmp, scale, scale);
  FMA[0] = tmp;
  FMA[1] = scale;
  FMA[2] = scale;
  fmaScratch();
  IO[0] = FMA[3]!;
}

/** 0 if y is not an integer, 1 if odd, 2 if even. y finite and nonzero. */
function checkint(y: number): number {
  if (!Number.isInteger(y)) return 0;
  if (Math.abs(y) >= 2 ** 53) return 2; // every double this large is even
  return y % 2 === 0 ? 2 : 1; // % is exact
}

/** Signaling NaN: exponent all ones, quiet bit clear, significand nonzero. */
function isSignaling(hi: number, lo: number): boolean {
  return (hi & 0x7ff80000) === 0x7ff00000 && ((hi & 0x7ffff) !== 0 || lo !== 0);
}

/** x^y, bit-identical to glibc 2.36's __pow_fma (x86_64 with FMA), including the special cases of C99 pow. */
export function glibcPow(x: number, y: number): number {
  POW[0] = x;
  POW[1] = y;
  powScratch();
  return POW[0]!;
}

/** Arguments and result of {@link powScratch}, which boxes nothing whether or not V8 inlines it. */
export const POW = new Float64Array(2);

/** POW[0] = glibcPow(POW[0], POW[1]). */
export function powScratch(): void {
  const x = POW[0]!;
  const y = POW[1]!;
  let signBias = 0;
  let ixHi = hiWord(x);
  let ixLo = loWord(x);
  const iyHi = hiWord(y);
  const iyLo = loWord(y);
  let topx = ixHi >>> 20;
  const topy = iyHi >>> 20;
  const ey = topy & 0x7ff;

  // x < 0x1p-1022, or x negative, Inf or NaN; or |y| < 2^-65 or |y| >= 2^63 or y Inf or NaN.
  if (topx - 1 >= 0x7fe || topx === 0 || ey - 0x3be >= 0x80 || ey < 0x3be) {
    const yZero = (iyHi & 0x7fffffff) === 0 && iyLo === 0;
    if (yZero || ey === 0x7ff) {
      // y is +-0, Inf or NaN.
      if (yZero) {
        POW[0] = isSignaling(ixHi, ixLo) ? x + y : 1.0;
        return;
      }
      if (ixHi === 0x3ff00000 && ixLo === 0) {
        POW[0] = isSignaling(iyHi, iyLo) ? x + y : 1.0;
        return;
      }
      if (Number.isNaN(x) || Number.isNaN(y)) {
        POW[0] = x + y;
        return;
      }
      if (Math.abs(x) === 1) {
        POW[0] = 1.0;
        return;
      }
      // |x| < 1 and y = +Inf, or |x| > 1 and y = -Inf.
      if (Math.abs(x) < 1 === (iyHi >>> 31 === 0)) {
        POW[0] = 0.0;
        return;
      }
      POW[0] = y * y;
      return;
    }
    const xZero = (ixHi & 0x7fffffff) === 0 && ixLo === 0;
    if (xZero || (ixHi & 0x7ff00000) === 0x7ff00000) {
      // x is +-0, Inf or NaN.
      let x2 = x * x;
      if (ixHi >>> 31 !== 0 && checkint(y) === 1) {
        x2 = -x2;
        signBias = 1;
      }
      if (xZero && iyHi >>> 31 !== 0) {
        POW[0] = signBias !== 0 ? -Infinity : Infinity; // __math_divzero
        return;
      }
      POW[0] = iyHi >>> 31 !== 0 ? 1 / x2 : x2;
      return;
    }
    // Here x and y are nonzero finite.
    if (ixHi >>> 31 !== 0) {
      // Finite x < 0.
      const yint = checkint(y);
      if (yint === 0) {
        POW[0] = (x - x) / (x - x); // __math_invalid: NaN
        return;
      }
      if (yint === 1) signBias = SIGN_BIAS;
      ixHi &= 0x7fffffff;
      topx &= 0x7ff;
    }
    if (ey - 0x3be >= 0x80 || ey < 0x3be) {
      // Note: signBias == 0 here because y is not odd.
      if (ixHi === 0x3ff00000 && ixLo === 0) {
        POW[0] = 1.0;
        return;
      }
      const xAboveOne = ixHi > 0x3ff00000 || (ixHi === 0x3ff00000 && ixLo !== 0);
      // |y| < 2^-65: x^y ~= 1 + y * log(x).
      if (ey < 0x3be) {
        POW[0] = xAboveOne ? 1.0 + y : 1.0 - y;
        return;
      }
      POW[0] = xAboveOne === topy < 0x800 ? Infinity : 0; // __math_oflow(0) : __math_uflow(0)
      return;
    }
    if (topx === 0) {
      // Normalize subnormal x so the exponent becomes negative.
      const xs = x * TWO52;
      ixHi = ((hiWord(xs) & 0x7fffffff) - (52 << 20)) >>> 0;
      ixLo = loWord(xs);
    }
  }

  IO[0] = ixHi;
  IO[1] = ixLo;
  logInline();
  const hi = IO[0]!;
  const lo = IO[1]!;
  const ehi = y * hi;
  // const elo = fma(y, lo, fma(y, hi, -ehi));
  FMA[0] = y;
  FMA[1] = hi;
  FMA[2] = -ehi;
  fmaScratch();
  const f11 = FMA[3]!;
  FMA[0] = y;
  FMA[1] = lo;
  FMA[2] = f11;
  fmaScratch();
  const elo = FMA[3]!;
  IO[0] = ehi;
  IO[1] = elo;
  expInline(signBias);
  POW[0] = IO[0]!;
}

/*
 * Port of glibc 2.36 sysdeps/ieee754/dbl-64/e_log.c (Szabolcs Nagy's log from ARM optimized-routines) as built for
 * x86_64's __log_fma variant (sysdeps/x86_64/fpu/multiarch/e_log-fma.c, compiled with -mfma -mavx2).
 *
 * Every `fma(...)` below is a place where that build executes a fused multiply-add: either the source's explicit
 * __builtin_fma (the __FP_FAST_FMA branch) or a `a * b + c` that GCC 12 contracted (read off GCC's widening_mul dump
 * of the same source with the same flags, and matched against the vfmadd sequence in libm.so.6). Everything else is
 * a plain, separately rounded float64 operation, in the order the compiled code performs it.
 */

import { fromWords, hiWord, loWord } from './bits.js';
import { FMA, fmaScratch } from './fma.js';
import { LOG_A, LOG_B, LOG_LN2HI, LOG_LN2LO, LOG_TAB } from './tables-log.js';

const A0 = LOG_A[0]!;
const A1 = LOG_A[1]!;
const A2 = LOG_A[2]!;
const A3 = LOG_A[3]!;
const A4 = LOG_A[4]!;
const B0 = LOG_B[0]!;
const B1 = LOG_B[1]!;
const B2 = LOG_B[2]!;
const B3 = LOG_B[3]!;
const B4 = LOG_B[4]!;
const B5 = LOG_B[5]!;
const B6 = LOG_B[6]!;
const B7 = LOG_B[7]!;
const B8 = LOG_B[8]!;
const B9 = LOG_B[9]!;
const B10 = LOG_B[10]!;
const TWO27 = 2 ** 27;
const TWO52 = 2 ** 52;

/** Natural logarithm, bit-identical to glibc 2.36's __log_fma (x86_64 with FMA). */
export function glibcLog(x: number): number {
  let ixHi = hiWord(x);
  let ixLo = loWord(x);

  // 1 - 0x1p-4 <= x < 1 + 0x1.09p-4 (both bounds have a zero low word): log1p-style polynomial.
  if (ixHi >= 0x3fee0000 && ixHi < 0x3ff10900) {
    if (ixHi === 0x3ff00000 && ixLo === 0) return 0; // +0 even in downward rounding, as glibc returns
    const r = x - 1.0;
    const r2 = r * r;
    const r3 = r * r2;
    // const p0 = fma(B3, r2, fma(B2, r, B1));
    FMA[0] = B2;
    FMA[1] = r;
    FMA[2] = B1;
    fmaScratch();
    const f1 = FMA[3]!;
    FMA[0] = B3;
    FMA[1] = r2;
    FMA[2] = f1;
    fmaScratch();
    const p0 = FMA[3]!;
    // const p1 = fma(B6, r2, fma(B5, r, B4));
    FMA[0] = B5;
    FMA[1] = r;
    FMA[2] = B4;
    fmaScratch();
    const f2 = FMA[3]!;
    FMA[0] = B6;
    FMA[1] = r2;
    FMA[2] = f2;
    fmaScratch();
    const p1 = FMA[3]!;
    // const p2 = fma(B10, r3, fma(B9, r2, fma(B8, r, B7)));
    FMA[0] = B8;
    FMA[1] = r;
    FMA[2] = B7;
    fmaScratch();
    const f3 = FMA[3]!;
    FMA[0] = B9;
    FMA[1] = r2;
    FMA[2] = f3;
    fmaScratch();
    const f4 = FMA[3]!;
    FMA[0] = B10;
    FMA[1] = r3;
    FMA[2] = f4;
    fmaScratch();
    const p2 = FMA[3]!;
    // const poly = fma(fma(p2, r3, p1), r3, p0);
    FMA[0] = p2;
    FMA[1] = r3;
    FMA[2] = p1;
    fmaScratch();
    const f5 = FMA[3]!;
    FMA[0] = f5;
    FMA[1] = r3;
    FMA[2] = p0;
    fmaScratch();
    const poly = FMA[3]!;
    // rhi = r + w - w with w = r * 0x1p27: both steps contracted (exact either way, but kept as compiled).
    // const rhi = fma(-r, TWO27, fma(r, TWO27, r));
    FMA[0] = r;
    FMA[1] = TWO27;
    FMA[2] = r;
    fmaScratch();
    const f6 = FMA[3]!;
    FMA[0] = -r;
    FMA[1] = TWO27;
    FMA[2] = f6;
    fmaScratch();
    const rhi = FMA[3]!;
    const rlo = r - rhi;
    const rhi2 = rhi * rhi;
    // const hi = fma(rhi2, B0, r);
    FMA[0] = rhi2;
    FMA[1] = B0;
    FMA[2] = r;
    fmaScratch();
    const hi = FMA[3]!;
    // let lo = fma(rhi2, B0, r - hi);
    FMA[0] = rhi2;
    FMA[1] = B0;
    FMA[2] = r - hi;
    fmaScratch();
    let lo = FMA[3]!;
    // lo = fma(B0 * rlo, r + rhi, lo);
    FMA[0] = B0 * rlo;
    FMA[1] = r + rhi;
    FMA[2] = lo;
    fmaScratch();
    lo = FMA[3]!;
    // const y = fma(poly, r3, lo);
    FMA[0] = poly;
    FMA[1] = r3;
    FMA[2] = lo;
    fmaScratch();
    const y = FMA[3]!;
    return hi + y;
  }

  const top = ixHi >>> 16;
  if (top - 0x0010 >= 0x7ff0 - 0x0010 || top < 0x0010) {
    // x < 0x1p-1022, or x is negative, Inf or NaN.
    if ((ixHi & 0x7fffffff) === 0 && ixLo === 0) return -Infinity; // __math_divzero(1)
    if (ixHi === 0x7ff00000 && ixLo === 0) return x; // log(inf) = inf
    if ((top & 0x8000) !== 0 || (top & 0x7ff0) === 0x7ff0) return (x - x) / (x - x); // __math_invalid: NaN
    // Subnormal: normalize (exact), then take 52 off the exponent field.
    const xs = x * TWO52;
    ixHi = (hiWord(xs) - (52 << 20)) >>> 0;
    ixLo = loWord(xs);
  }

  // x = 2^k z with z in [OFF, 2 * OFF), OFF = 0x3fe6000000000000; i indexes 128 subintervals.
  const tmpHi = (ixHi - 0x3fe60000) | 0;
  const i = (tmpHi >>> 13) & 127;
  const k = tmpHi >> 20;
  const z = fromWords(ixHi - (tmpHi & 0xfff00000), ixLo);
  const invc = LOG_TAB[2 * i]!;
  const logc = LOG_TAB[2 * i + 1]!;

  // const r = fma(z, invc, -1.0);
  FMA[0] = z;
  FMA[1] = invc;
  FMA[2] = -1.0;
  fmaScratch();
  const r = FMA[3]!;
  const kd = k;
  // hi + lo = r + log(c) + k * Ln2.
  // const w = fma(LOG_LN2HI, kd, logc);
  FMA[0] = LOG_LN2HI;
  FMA[1] = kd;
  FMA[2] = logc;
  fmaScratch();
  const w = FMA[3]!;
  const hi = w + r;
  // const lo = fma(LOG_LN2LO, kd, w - hi + r);
  FMA[0] = LOG_LN2LO;
  FMA[1] = kd;
  FMA[2] = w - hi + r;
  fmaScratch();
  const lo = FMA[3]!;
  const r2 = r * r;
  // const q = fma(fma(A4, r, A3), r2, fma(A2, r, A1));
  FMA[0] = A4;
  FMA[1] = r;
  FMA[2] = A3;
  fmaScratch();
  const f7 = FMA[3]!;
  FMA[0] = A2;
  FMA[1] = r;
  FMA[2] = A1;
  fmaScratch();
  const f8 = FMA[3]!;
  FMA[0] = f7;
  FMA[1] = r2;
  FMA[2] = f8;
  fmaScratch();
  const q = FMA[3]!;
  // return fma(r * r2, q, fma(A0, r2, lo)) + hi;
  FMA[0] = A0;
  FMA[1] = r2;
  FMA[2] = lo;
  fmaScratch();
  const f9 = FMA[3]!;
  FMA[0] = r * r2;
  FMA[1] = q;
  FMA[2] = f9;
  fmaScratch();
  const f10 = FMA[3]!;
  return f10 + hi;
}

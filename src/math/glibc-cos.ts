/*
 * Port of glibc 2.36 __cos from sysdeps/ieee754/dbl-64/s_sin.c (IBM Accurate Mathematical Library, with the table
 * sincostab.c and constants usncs.h) as built for x86_64's __cos_fma variant (sysdeps/x86_64/fpu/multiarch/s_sin-fma.c,
 * compiled with -mfma -mavx2).
 *
 * The source has no explicit fma: every `fma(...)` below is an `a * b + c` (or `c - a * b`, as fma(-a, b, c): negating
 * a product is exact) that GCC 12 contracted, read off GCC's widening_mul dump of the same source with the same flags
 * and matched against the vfmadd/vfnmadd sequence in libm.so.6. do_cos/do_sin are inlined at every call site there,
 * and each inlined copy was contracted the same way. Other operations are plain float64 ones in the compiled order.
 */

import { branred, reduced } from './branred.js';
import { hiWord, loWord } from './bits.js';
import { fma } from './fma.js';
import { SINCOSTAB } from './tables-sincos.js';

// usncs.h
const S1 = -0.16666666666666666; // -0x1.5555555555555p-3
const S2 = 0.0083333333333323288; // 0x1.1111111110ECEp-7
const S3 = -0.00019841269834414642; // -0x1.A01A019DB08B8p-13
const S4 = 2.755729806860771e-6; // 0x1.71DE27B9A7ED9p-19
const S5 = -2.5022014848318398e-8; // -0x1.ADDFFC2FCDF59p-26
const BIG = 52776558133248; // 0x1.8p45: adding it rounds |x| to a multiple of 1/128, the table index
const HP0 = 1.5707963267948966; // 0x1.921FB54442D18p0, pi/2 high part
const HP1 = 6.123233995736766e-17; // 0x1.1A62633145C07p-54, pi/2 low part
const MP1 = 1.5707963407039642; // 0x1.921FB58000000p0
const MP2 = -1.3909067564377153e-8; // -0x1.DDE973C000000p-27
const PP3 = -4.9789962314799099e-17; // -0x1.CB3B398000000p-55
const PP4 = -1.9034889620193266e-25; // -0x1.d747f23e32ed7p-83
const HPINV = 0.63661977236758138; // 0x1.45F306DC9C883p-1, 2/pi
const TOINT = 6755399441055744; // 0x1.8p52
// s_sin.c
const SN3 = -0.16666666666666488;
const SN5 = 0.0083333321428572232;
const CS2 = 0.5; // 4.99999999999999999999950396842453E-01 rounds to 0.5
const CS4 = -0.041666666666666442;
const CS6 = 0.0013888887400793761;

/** cos(x + dx) for |x| < 0.855469 via the table entry nearest |x| and short Taylor series of the remainder. */
function doCos(x: number, dx: number): number {
  if (x < 0) dx = -dx;
  const ax = Math.abs(x);
  const u = BIG + ax;
  const xr = ax - (u - BIG) + dx;
  const xx = xr * xr;
  const s = fma(xr * xx, fma(xx, SN5, SN3), xr);
  const c = xx * fma(xx, fma(xx, CS6, CS4), CS2);
  const k = loWord(u) << 2;
  const sn = SINCOSTAB[k]!;
  const ssn = SINCOSTAB[k + 1]!;
  const cs = SINCOSTAB[k + 2]!;
  const ccs = SINCOSTAB[k + 3]!;
  // cor = (ccs - s * ssn - cs * c) - sn * s
  const cor = fma(-s, sn, fma(-c, cs, fma(-s, ssn, ccs)));
  return cs + cor;
}

/** sin(x + dx): Taylor series for |x| < 0.126, else the table entry nearest |x| and short series of the remainder. */
function doSin(x: number, dx: number): number {
  const xold = x;
  if (Math.abs(x) < 0.126) {
    // TAYLOR_SIN: x + ((POLYNOMIAL(xx) * x - 0.5 * dx) * xx + dx)
    const xx = x * x;
    const p = fma(xx, fma(xx, fma(xx, fma(xx, S5, S4), S3), S2), S1);
    const t = fma(xx, fma(x, p, -(dx * 0.5)), dx);
    return x + t;
  }
  if (x <= 0) dx = -dx;
  const ax = Math.abs(x);
  const u = BIG + ax;
  const xr = ax - (u - BIG);
  const xx = xr * xr;
  const s = xr + fma(xr * xx, fma(xx, SN5, SN3), dx);
  const c = fma(xr, dx, xx * fma(xx, fma(xx, CS6, CS4), CS2));
  const k = loWord(u) << 2;
  const sn = SINCOSTAB[k]!;
  const ssn = SINCOSTAB[k + 1]!;
  const cs = SINCOSTAB[k + 2]!;
  const ccs = SINCOSTAB[k + 3]!;
  // cor = (ssn + s * ccs - sn * c) + cs * s
  const cor = fma(s, cs, fma(-c, sn, fma(s, ccs, ssn)));
  const res = sn + cor;
  // copysign(res, xold); here |xold| >= 0.126, so neither is zero
  return xold < 0 ? -Math.abs(res) : Math.abs(res);
}

/** sin or cos of (a + da) for quadrant n: odd n takes cos, n & 2 negates. */
function doSinCos(a: number, da: number, n: number): number {
  const retval = (n & 1) !== 0 ? doCos(a, da) : doSin(a, da);
  return (n & 2) !== 0 ? -retval : retval;
}

/** Cosine, bit-identical to glibc 2.36's __cos_fma (x86_64 with FMA). */
export function glibcCos(x: number): number {
  const k = hiWord(x) & 0x7fffffff;
  if (k < 0x3e400000) return 1.0; // |x| < 2^-27
  if (k < 0x3feb6000) return doCos(x, 0); // |x| < 0.855469
  if (k < 0x400368fd) {
    // 0.855469 < |x| < 2.426265: cos(x) = sin(pi/2 - |x|), with pi/2 in two parts.
    const y = HP0 - Math.abs(x);
    const a = y + HP1;
    const da = y - a + HP1;
    return doSin(a, da);
  }
  if (k < 0x419921fb) {
    // 2.426265 < |x| < 105414350: reduce_sincos, x - n * pi/2 with pi/2 in four parts.
    const t = fma(x, HPINV, TOINT);
    const xn = t - TOINT;
    const y = fma(-xn, MP2, fma(-xn, MP1, x));
    const n = loWord(t) & 3;
    const t2 = fma(-xn, PP3, y);
    let db = fma(-xn, PP3, y - t2);
    const b = fma(-xn, PP4, t2);
    db = db + fma(-xn, PP4, t2 - b);
    return doSinCos(b, db, n + 1);
  }
  if (k < 0x7ff00000) {
    // |x| >= 105414350: multi-precision reduction.
    const n = branred(x);
    return doSinCos(reduced[0]!, reduced[1]!, n + 1);
  }
  return x / x; // Inf or NaN: NaN
}

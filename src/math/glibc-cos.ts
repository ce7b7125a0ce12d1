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
import { FMA, fmaScratch } from './fma.js';
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

/**
 * Arguments and result of doCos, doSin and doSinCos: x in IO[0], dx in IO[1], the result in IO[0]. Doubles passed
 * to or returned from a call V8 does not inline are boxed on the heap (16 bytes each), and these bodies are too large
 * to inline.
 */
const IO = new Float64Array(2);

/** IO[0] = cos(x + dx) for |x| < 0.855469 via the table entry nearest |x| and short Taylor series of the remainder. */
function doCos(): void {
  const x = IO[0]!;
  let dx = IO[1]!;
  if (x < 0) dx = -dx;
  const ax = Math.abs(x);
  const u = BIG + ax;
  const xr = ax - (u - BIG) + dx;
  const xx = xr * xr;
  // const s = fma(xr * xx, fma(xx, SN5, SN3), xr);
  FMA[0] = xx;
  FMA[1] = SN5;
  FMA[2] = SN3;
  fmaScratch();
  const f1 = FMA[3]!;
  FMA[0] = xr * xx;
  FMA[1] = f1;
  FMA[2] = xr;
  fmaScratch();
  const s = FMA[3]!;
  // const c = xx * fma(xx, fma(xx, CS6, CS4), CS2);
  FMA[0] = xx;
  FMA[1] = CS6;
  FMA[2] = CS4;
  fmaScratch();
  const f2 = FMA[3]!;
  FMA[0] = xx;
  FMA[1] = f2;
  FMA[2] = CS2;
  fmaScratch();
  const f3 = FMA[3]!;
  const c = xx * f3;
  const k = loWord(u) << 2;
  const sn = SINCOSTAB[k]!;
  const ssn = SINCOSTAB[k + 1]!;
  const cs = SINCOSTAB[k + 2]!;
  const ccs = SINCOSTAB[k + 3]!;
  // cor = (ccs - s * ssn - cs * c) - sn * s
  // const cor = fma(-s, sn, fma(-c, cs, fma(-s, ssn, ccs)));
  FMA[0] = -s;
  FMA[1] = ssn;
  FMA[2] = ccs;
  fmaScratch();
  const f4 = FMA[3]!;
  FMA[0] = -c;
  FMA[1] = cs;
  FMA[2] = f4;
  fmaScratch();
  const f5 = FMA[3]!;
  FMA[0] = -s;
  FMA[1] = sn;
  FMA[2] = f5;
  fmaScratch();
  const cor = FMA[3]!;
  IO[0] = cs + cor;
}

/** IO[0] = sin(x + dx): Taylor series for |x| < 0.126, else the nearest table entry and short series of the rest. */
function doSin(): void {
  const x = IO[0]!;
  let dx = IO[1]!;
  const xold = x;
  if (Math.abs(x) < 0.126) {
    // TAYLOR_SIN: x + ((POLYNOMIAL(xx) * x - 0.5 * dx) * xx + dx)
    const xx = x * x;
    // const p = fma(xx, fma(xx, fma(xx, fma(xx, S5, S4), S3), S2), S1);
    FMA[0] = xx;
    FMA[1] = S5;
    FMA[2] = S4;
    fmaScratch();
    const f6 = FMA[3]!;
    FMA[0] = xx;
    FMA[1] = f6;
    FMA[2] = S3;
    fmaScratch();
    const f7 = FMA[3]!;
    FMA[0] = xx;
    FMA[1] = f7;
    FMA[2] = S2;
    fmaScratch();
    const f8 = FMA[3]!;
    FMA[0] = xx;
    FMA[1] = f8;
    FMA[2] = S1;
    fmaScratch();
    const p = FMA[3]!;
    // const t = fma(xx, fma(x, p, -(dx * 0.5)), dx);
    FMA[0] = x;
    FMA[1] = p;
    FMA[2] = -(dx * 0.5);
    fmaScratch();
    const f9 = FMA[3]!;
    FMA[0] = xx;
    FMA[1] = f9;
    FMA[2] = dx;
    fmaScratch();
    const t = FMA[3]!;
    IO[0] = x + t;
    return;
  }
  if (x <= 0) dx = -dx;
  const ax = Math.abs(x);
  const u = BIG + ax;
  const xr = ax - (u - BIG);
  const xx = xr * xr;
  // const s = xr + fma(xr * xx, fma(xx, SN5, SN3), dx);
  FMA[0] = xx;
  FMA[1] = SN5;
  FMA[2] = SN3;
  fmaScratch();
  const f10 = FMA[3]!;
  FMA[0] = xr * xx;
  FMA[1] = f10;
  FMA[2] = dx;
  fmaScratch();
  const f11 = FMA[3]!;
  const s = xr + f11;
  // const c = fma(xr, dx, xx * fma(xx, fma(xx, CS6, CS4), CS2));
  FMA[0] = xx;
  FMA[1] = CS6;
  FMA[2] = CS4;
  fmaScratch();
  const f12 = FMA[3]!;
  FMA[0] = xx;
  FMA[1] = f12;
  FMA[2] = CS2;
  fmaScratch();
  const f13 = FMA[3]!;
  FMA[0] = xr;
  FMA[1] = dx;
  FMA[2] = xx * f13;
  fmaScratch();
  const c = FMA[3]!;
  const k = loWord(u) << 2;
  const sn = SINCOSTAB[k]!;
  const ssn = SINCOSTAB[k + 1]!;
  const cs = SINCOSTAB[k + 2]!;
  const ccs = SINCOSTAB[k + 3]!;
  // cor = (ssn + s * ccs - sn * c) + cs * s
  // const cor = fma(s, cs, fma(-c, sn, fma(s, ccs, ssn)));
  FMA[0] = s;
  FMA[1] = ccs;
  FMA[2] = ssn;
  fmaScratch();
  const f14 = FMA[3]!;
  FMA[0] = -c;
  FMA[1] = sn;
  FMA[2] = f14;
  fmaScratch();
  const f15 = FMA[3]!;
  FMA[0] = s;
  FMA[1] = cs;
  FMA[2] = f15;
  fmaScratch();
  const cor = FMA[3]!;
  const res = sn + cor;
  // copysign(res, xold); here |xold| >= 0.126, so neither is zero
  IO[0] = xold < 0 ? -Math.abs(res) : Math.abs(res);
}

/** sin or cos of (a + da) for quadrant n: odd n takes cos, n & 2 negates. */
function doSinCos(n: number): void {
  if ((n & 1) !== 0) doCos();
  else doSin();
  if ((n & 2) !== 0) IO[0] = -IO[0]!;
}

/** Cosine, bit-identical to glibc 2.36's __cos_fma (x86_64 with FMA). */
export function glibcCos(x: number): number {
  COS[0] = x;
  cosScratch();
  return COS[0]!;
}

/** Argument and result of {@link cosScratch}, which boxes nothing whether or not V8 inlines it. */
export const COS = new Float64Array(1);

/** COS[0] = glibcCos(COS[0]). */
export function cosScratch(): void {
  const x = COS[0]!;
  const k = hiWord(x) & 0x7fffffff;
  if (k < 0x3e400000) {
    COS[0] = 1.0; // |x| < 2^-27
    return;
  }
  if (k < 0x3feb6000) {
    // |x| < 0.855469
    IO[0] = x;
    IO[1] = 0;
    doCos();
    COS[0] = IO[0]!;
    return;
  }
  if (k < 0x400368fd) {
    // 0.855469 < |x| < 2.426265: cos(x) = sin(pi/2 - |x|), with pi/2 in two parts.
    const y = HP0 - Math.abs(x);
    const a = y + HP1;
    const da = y - a + HP1;
    IO[0] = a;
    IO[1] = da;
    doSin();
    COS[0] = IO[0]!;
    return;
  }
  if (k < 0x419921fb) {
    // 2.426265 < |x| < 105414350: reduce_sincos, x - n * pi/2 with pi/2 in four parts.
    // const t = fma(x, HPINV, TOINT);
    FMA[0] = x;
    FMA[1] = HPINV;
    FMA[2] = TOINT;
    fmaScratch();
    const t = FMA[3]!;
    const xn = t - TOINT;
    // const y = fma(-xn, MP2, fma(-xn, MP1, x));
    FMA[0] = -xn;
    FMA[1] = MP1;
    FMA[2] = x;
    fmaScratch();
    const f16 = FMA[3]!;
    FMA[0] = -xn;
    FMA[1] = MP2;
    FMA[2] = f16;
    fmaScratch();
    const y = FMA[3]!;
    const n = loWord(t) & 3;
    // const t2 = fma(-xn, PP3, y);
    FMA[0] = -xn;
    FMA[1] = PP3;
    FMA[2] = y;
    fmaScratch();
    const t2 = FMA[3]!;
    // let db = fma(-xn, PP3, y - t2);
    FMA[0] = -xn;
    FMA[1] = PP3;
    FMA[2] = y - t2;
    fmaScratch();
    let db = FMA[3]!;
    // const b = fma(-xn, PP4, t2);
    FMA[0] = -xn;
    FMA[1] = PP4;
    FMA[2] = t2;
    fmaScratch();
    const b = FMA[3]!;
    // db = db + fma(-xn, PP4, t2 - b);
    FMA[0] = -xn;
    FMA[1] = PP4;
    FMA[2] = t2 - b;
    fmaScratch();
    const f17 = FMA[3]!;
    db = db + f17;
    IO[0] = b;
    IO[1] = db;
    doSinCos(n + 1);
    COS[0] = IO[0]!;
    return;
  }
  if (k < 0x7ff00000) {
    // |x| >= 105414350: multi-precision reduction.
    const n = branred(x);
    IO[0] = reduced[0]!;
    IO[1] = reduced[1]!;
    doSinCos(n + 1);
    COS[0] = IO[0]!;
    return;
  }
  COS[0] = x / x; // Inf or NaN: NaN
}

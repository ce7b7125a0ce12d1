/*
 * Bit-exact ports of the libm functions PyTorch's LR schedulers call through Python's math.cos, `**` and math.log.
 * See README.md in this folder for provenance and how they were checked.
 */

import { glibcCos } from './glibc-cos.js';
import { glibcLog } from './glibc-log.js';
import { glibcPow } from './glibc-pow.js';

/**
 * Allocation-free entry points for hot code: cos and pow through module-level Float64Arrays (COS[0] = cos(COS[0]);
 * POW[0] = pow(POW[0], POW[1])). V8 boxes a double passed to or returned from a call it does not inline (a 16-byte
 * HeapNumber), and these functions are too large to inline, so `cos(x)` allocates unless the caller's own inlining
 * budget happened to cover it; cosScratch() has no double to box. Same results, bit for bit.
 */
export { COS, cosScratch } from './glibc-cos.js';
export { POW, powScratch } from './glibc-pow.js';

/**
 * Cosine of x (radians), bit-identical to glibc 2.36's `cos` on x86_64 with FMA (the ifunc-selected `__cos_fma`),
 * which is what Python's `math.cos` returns on such a machine (Debian 12, PyTorch 1.13).
 *
 * Why not `Math.cos`: engines use their own implementation (V8: fdlibm), which differs from glibc in the last bit
 * for a few percent of arguments, and a scheduler's learning rates must match PyTorch's float64 values exactly.
 * Allocation-free.
 */
export function cos(x: number): number {
  return glibcCos(x);
}

/**
 * x raised to the power y, bit-identical to glibc 2.36's `pow` on x86_64 with FMA (`__pow_fma`), including the C99
 * special cases (pow(x, +-0) = 1, pow(-8, 1/3) = NaN, pow(+-0, -1) = +-Infinity, ...). Python's float `**` calls
 * this C `pow` (an int exponent is converted to a double first) after handling some special cases itself (it raises
 * where C returns NaN or Infinity, and calls pow(-x, y) for negative x, which gives the same value up to the sign).
 *
 * Why not `Math.pow` or `**`: V8's pow differs from glibc in the last bit for a few percent of arguments (and is
 * not even correctly rounded itself). Allocation-free.
 */
export function pow(x: number, y: number): number {
  return glibcPow(x, y);
}

/**
 * Natural logarithm of x, bit-identical to glibc 2.36's `log` on x86_64 with FMA (`__log_fma`): what Python's
 * `math.log(x)` returns for a positive float. (`math.log(x, base)` is `log(x) / log(base)` in CPython; Python raises
 * for x <= 0 where C returns NaN or -Infinity.)
 *
 * Why not `Math.log`: it differs from glibc in the last bit for about 1 % of arguments. Allocation-free.
 */
export function log(x: number): number {
  return glibcLog(x);
}

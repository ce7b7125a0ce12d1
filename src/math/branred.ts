/*
 * Port of glibc 2.36 sysdeps/ieee754/dbl-64/branred.c (IBM Accurate Mathematical Library): reduction of a huge x
 * (|x| >= 105414350) modulo pi/2 using 2/pi in base-2^24 digits. glibc has no FMA variant of this file, and the
 * __cos_fma build calls the generic (SSE2, uncontracted) one, whose disassembly contains no fused operation: so this
 * port uses plain float64 arithmetic only, in the source's order.
 */

import { fromWords, hiWord } from './bits.js';

const T576 = 2 ** 576;
const TM600 = 2 ** -600;
const TM24 = 2 ** -24;
const BIG = 6755399441055744; // 0x1.8p52
const BIG1 = 27021597764222976; // 0x1.8p54
const HP0 = fromWords(0x3ff921fb, 0x54442d18); // pi/2 high part
const HP1 = fromWords(0x3c91a626, 0x33145c07); // pi/2 low part
const MP1 = fromWords(0x3ff921fb, 0x58000000); // pi/2 split in 28 + 53 bits
const MP2 = fromWords(0xbe4dde97, 0x40000000);
const SPLIT = 134217729; // CN = 2^27 + 1

/** 2/pi in base 2^24 (branred.h's toverp). */
const TOVERP = new Float64Array([
  10680707.0, 7228996.0, 1387004.0, 2578385.0, 16069853.0, 12639074.0, 9804092.0, 4427841.0, 16666979.0, 11263675.0,
  12935607.0, 2387514.0, 4345298.0, 14681673.0, 3074569.0, 13734428.0, 16653803.0, 1880361.0, 10960616.0, 8533493.0,
  3062596.0, 8710556.0, 7349940.0, 6258241.0, 3772886.0, 3769171.0, 3798172.0, 8675211.0, 12450088.0, 3874808.0,
  9961438.0, 366607.0, 15675153.0, 9132554.0, 7151469.0, 3571407.0, 2607881.0, 12013382.0, 4155038.0, 6285869.0,
  7677882.0, 13102053.0, 15825725.0, 473591.0, 9065106.0, 15363067.0, 6271263.0, 9264392.0, 5636912.0, 4652155.0,
  7056368.0, 13614112.0, 10155062.0, 1944035.0, 9527646.0, 15080200.0, 6658437.0, 6231200.0, 6832269.0, 16767104.0,
  5075751.0, 3212806.0, 1398474.0, 7579849.0, 6349435.0, 12618859.0, 4703257.0, 12806093.0, 14477321.0, 2786137.0,
  12875403.0, 9837734.0, 14528324.0, 13719321.0, 343717.0,
]);

const r = new Float64Array(6); // scratch, allocated once

/** Outputs of one half of the reduction: sum, b, bb (a typed array: no allocation, and fast stores in V8). */
const half3 = new Float64Array(3);

/** x1 * 2/pi, split as an integer part modulo 4 (half3[0]) and a fraction half3[1] + half3[2]. */
function half(x1: number): void {
  let sum = 0;
  let k = (hiWord(x1) >>> 20) & 2047;
  k = Math.trunc((k - 450) / 24); // C integer division truncates towards zero
  if (k < 0) k = 0;
  let gor = fromWords((hiWord(T576) - ((k * 24) << 20)) >>> 0, 0);
  for (let i = 0; i < 6; i++) {
    r[i] = x1 * TOVERP[k + i]! * gor;
    gor *= TM24;
  }
  let s: number;
  for (let i = 0; i < 3; i++) {
    s = r[i]! + BIG - BIG;
    sum += s;
    r[i] = r[i]! - s;
  }
  let t = 0;
  for (let i = 0; i < 6; i++) t += r[5 - i]!;
  let bb = r[0]! - t + r[1]! + r[2]! + r[3]! + r[4]! + r[5]!;
  s = t + BIG - BIG;
  sum += s;
  t -= s;
  const b = t + bb;
  bb = t - b + bb;
  s = sum + BIG1 - BIG1;
  sum -= s;
  half3[0] = sum;
  half3[1] = b;
  half3[2] = bb;
}

/** Reduction result: x = n * pi/2 + (reduced[0] + reduced[1]), |reduced[0] + reduced[1]| < pi/4. */
export const reduced = new Float64Array(2);

/** glibc's __branred: returns n mod 4 and sets reduced[0] (a) and reduced[1] (aa). */
export function branred(xIn: number): number {
  const x = xIn * TM600;
  let t = x * SPLIT; // split x into two 26/27-bit halves
  const x1 = t - (t - x);
  const x2 = x - x1;

  half(x1);
  const b1 = half3[1]!;
  const bb1 = half3[2]!;
  const sum1 = half3[0]!;
  half(x2);
  const b2 = half3[1]!;
  const bb2 = half3[2]!;
  const sum2 = half3[0]!;

  let sum = sum1 + sum2;
  let b = b1 + b2;
  let bb = Math.abs(b1) > Math.abs(b2) ? b1 - b + b2 : b2 - b + b1;
  if (b > 0.5) {
    b -= 1.0;
    sum += 1.0;
  } else if (b < -0.5) {
    b += 1.0;
    sum -= 1.0;
  }
  let s = b + (bb + bb1 + bb2);
  t = b - s + bb + (bb1 + bb2);
  b = s * SPLIT;
  const t1 = b - (b - s);
  const t2 = s - t1;
  b = s * HP0;
  bb = t1 * MP1 - b + t1 * MP2 + t2 * MP1 + (t2 * MP2 + s * HP1 + t * HP0);
  s = b + bb;
  t = b - s + bb;
  reduced[0] = s;
  reduced[1] = t;
  return Math.trunc(sum) & 3; // ((int) sum) & 3: |sum| is small, truncation as in C
}

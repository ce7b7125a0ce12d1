/*
 * Access to the two 32-bit halves of a float64, through one module-level scratch buffer: glibc's code works on the
 * bit patterns (uint64_t, or the high and low int32 words of IBM's `mynumber` union), and BigInt would allocate.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Which Uint32 element holds the sign and exponent (1 on little-endian machines, i.e. everywhere Node runs).
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** High word of x's bit pattern (sign, exponent, top 20 significand bits), as an unsigned 32-bit integer. */
export function hiWord(x: number): number {
  f64[0] = x;
  return u32[HI]!;
}

/** Low word of x's bit pattern (bottom 32 significand bits), as an unsigned 32-bit integer. */
export function loWord(x: number): number {
  f64[0] = x;
  return u32[LO]!;
}

/** The double whose bit pattern is hi:lo (each taken modulo 2^32). */
export function fromWords(hi: number, lo: number): number {
  u32[HI] = hi;
  u32[LO] = lo;
  return f64[0]!;
}

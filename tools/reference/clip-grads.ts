// The JS twin of the gradient generator in tools/reference/clip_grad.py: a clip case's float32
// gradients, rebuilt bit for bit from its spec (test/fixtures/clip/cases.json stores only specs).
// Counter-based, so element i of tensor t depends on nothing but (seed, t, i):
//
//   key(seed, t) = fmix32(fmix32(seed) + (t + 1) * 0x632BE5AB)      (all mod 2^32)
//   word(key, j) = fmix32(key + (j + 1) * 0x9E3779B9)
//   element i:  w0 = word(key, 2i), w1 = word(key, 2i + 1)
//     sign = w0 >>> 31, mantissa = w0 & 0x7FFFFF
//     ±0 (sign kept) if (w1 >>> 22) < zeroPer1024, else
//     biased exponent = expLo + 127 + (w1 & 0x3FFFFF) % (expHi - expLo + 1)   (0 gives a subnormal)
//   then each [index, bits] of `inserts` overwrites element index.

import { fmix32 } from '../fuzz/random.js';

/** One gradient tensor of a case. */
export interface ClipTensorSpec {
  numel: number;
  /** Unbiased exponent range, inclusive, within [-127, 127] (-127: subnormals). */
  expLo: number;
  expHi: number;
  /** Out of 1024: the rate of exact zeros. */
  zeroPer1024?: number;
  /** [index, float32 bits] pairs written over the generated values (NaN, ±Inf, huge values). */
  inserts?: [number, number][];
}

/** The generator's part of a case of test/fixtures/clip/cases.json. */
export interface ClipCaseSpec {
  seed: number;
  tensors: ClipTensorSpec[];
}

function tensorKey(seed: number, t: number): number {
  return fmix32((fmix32(seed) + Math.imul(t + 1, 0x632be5ab)) >>> 0);
}

/** The uint32 bit patterns of one tensor of a case. */
export function clipTensorBits(seed: number, t: number, spec: ClipTensorSpec): Uint32Array {
  const { numel, expLo, expHi } = spec;
  if (!(Number.isInteger(expLo) && Number.isInteger(expHi) && -127 <= expLo && expLo <= expHi && expHi <= 127)) {
    throw new RangeError(`exponent range [${expLo}, ${expHi}] is not within [-127, 127]`);
  }
  const zeroPer1024 = spec.zeroPer1024 ?? 0;
  const span = expHi - expLo + 1;
  const key = tensorKey(seed, t);
  const bits = new Uint32Array(numel);
  for (let i = 0; i < numel; i++) {
    const w0 = fmix32(key + Math.imul(2 * i + 1, 0x9e3779b9));
    const w1 = fmix32(key + Math.imul(2 * i + 2, 0x9e3779b9));
    const sign = (w0 >>> 31) << 31;
    if (w1 >>> 22 < zeroPer1024) {
      bits[i] = sign >>> 0;
    } else {
      const biased = expLo + 127 + ((w1 & 0x3fffff) % span);
      bits[i] = (sign | (biased << 23) | (w0 & 0x7fffff)) >>> 0;
    }
  }
  for (const [index, b] of spec.inserts ?? []) bits[index] = b >>> 0;
  return bits;
}

/** A case's gradients, one Float32Array per tensor, bit-identical to clip_grad.py's. */
export function clipCaseGrads(caseSpec: ClipCaseSpec): Float32Array[] {
  return caseSpec.tensors.map((spec, t) => new Float32Array(clipTensorBits(caseSpec.seed, t, spec).buffer));
}

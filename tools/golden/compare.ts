// Bit-exact comparison of float32 arrays, reporting the first difference in ulps.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32's bits as an integer ordered like the values (−0 next to +0). */
function orderedBits(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  return bits & 0x80000000 ? -(bits & 0x7fffffff) : bits;
}

/** True when a and b are the same float32 bits, counting any NaN equal to any NaN. */
export function sameF32(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Object.is(Math.fround(a), Math.fround(b));
}

/** Distance in units in the last place between two float32 values (Infinity if one is NaN). */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  return Math.abs(orderedBits(a) - orderedBits(b));
}

export interface Mismatch {
  where: string;
  index: number;
  got: number;
  want: number;
  ulps: number;
}

/** The first element where `got` and `want` differ in bits, or null if identical. */
export function firstMismatch(where: string, got: ArrayLike<number>, want: ArrayLike<number>): Mismatch | null {
  if (got.length !== want.length) {
    return {
      where: `${where} (length ${got.length} ≠ ${want.length})`,
      index: -1,
      got: NaN,
      want: NaN,
      ulps: Infinity,
    };
  }
  for (let i = 0; i < want.length; i++) {
    if (!sameF32(got[i]!, want[i]!)) {
      return { where, index: i, got: got[i]!, want: want[i]!, ulps: ulpDistance(got[i]!, want[i]!) };
    }
  }
  return null;
}

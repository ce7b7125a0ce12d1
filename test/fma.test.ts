import { describe, it, expect } from 'vitest';
import { fmaf } from '../src/backend/js/fma.js';
import { mulberry32 } from '../tools/fuzz/random.js';

// ---------------------------------------------------------------- float32 bits

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function bitsOf(x: number): number {
  f32[0] = x;
  return u32[0]!;
}
function fromBits(u: number): number {
  u32[0] = u >>> 0;
  return f32[0]!;
}
const hex = (x: number): string => `0x${bitsOf(x).toString(16).padStart(8, '0')}`;
const signBit = (x: number): boolean => bitsOf(x) >>> 31 === 1;

/** Bit-for-bit float32 equality; any NaN equals any NaN. `x` must also be a float32. */
function sameF32(x: number, y: number): boolean {
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  return Math.fround(x) === x && bitsOf(x) === bitsOf(y);
}

const FLT_MAX = fromBits(0x7f7fffff);
const TINY = 2 ** -149; // smallest subnormal

// ------------------------------------------------------------- BigInt oracle

/** Finite float32 -> sign, integer mantissa, exponent, with |x| = m * 2^e exactly. */
function decode(x: number): { neg: boolean; m: bigint; e: number } {
  const u = bitsOf(x);
  const field = (u >>> 23) & 0xff;
  const frac = u & 0x7fffff;
  return field === 0
    ? { neg: u >>> 31 === 1, m: BigInt(frac), e: -149 }
    : { neg: u >>> 31 === 1, m: BigInt(frac | 0x800000), e: field - 150 };
}

/** Nonzero n * 2^e0 -> nearest float32, ties to even, subnormals, overflow to +-Infinity. */
function roundToF32(n: bigint, e0: number): number {
  const neg = n < 0n;
  const m = neg ? -n : n;
  const lead = m.toString(2).length - 1 + e0; // exponent of the leading bit
  const q = Math.max(lead - 23, -149); // exponent of the float32 ulp there
  let M: bigint;
  if (q <= e0) {
    M = m << BigInt(e0 - q);
  } else {
    const sh = BigInt(q - e0);
    M = m >> sh;
    const rem = m - (M << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (M & 1n) === 1n)) M += 1n;
  }
  // M <= 2^24 and q >= -149, so the product is exact in float64.
  const mag = Number(M) * 2 ** q;
  const v = mag >= 2 ** 128 ? Infinity : mag;
  return neg ? -v : v; // a nonzero value that rounds to 0 keeps its sign
}

/** Exact IEEE 754 float32 fusedMultiplyAdd(a, b, c), round to nearest even. */
function oracleFma(a: number, b: number, c: number): number {
  if (Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(c)) return NaN;
  const pNeg = signBit(a) !== signBit(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    if (a === 0 || b === 0) return NaN; // Inf * 0
    const pInf = pNeg ? -Infinity : Infinity;
    return Number.isFinite(c) || c === pInf ? pInf : NaN; // Inf - Inf
  }
  if (!Number.isFinite(c)) return c;
  const A = decode(a);
  const B = decode(b);
  const C = decode(c);
  const pm = A.m * B.m;
  const pe = A.e + B.e;
  const e0 = Math.min(pe, C.e);
  const n = ((pNeg ? -pm : pm) << BigInt(pe - e0)) + ((C.neg ? -C.m : C.m) << BigInt(C.e - e0));
  if (n === 0n) {
    // Exact zero: -0 only for (-0) + (-0); any other exact cancellation gives +0.
    return pm === 0n && C.m === 0n && pNeg && C.neg ? -0 : 0;
  }
  return roundToF32(n, e0);
}

type Rng = () => number;
/** Uniform integer in [lo, hi]. */
const randInt = (rng: Rng, lo: number, hi: number): number => lo + (rng() % (hi - lo + 1));
const randSign = (rng: Rng): number => ((rng() & 1) === 1 ? -1 : 1);

/** Random float32 with biased exponent field in [lo, hi] (0 = subnormal/zero), random sign. */
function randF32(rng: Rng, lo: number, hi: number): number {
  const field = Math.min(254, Math.max(0, randInt(rng, lo, hi)));
  return fromBits(((rng() & 1) << 31) | (field << 23) | (rng() & 0x7fffff));
}

const SPECIALS = [0, -0, Infinity, -Infinity, NaN, FLT_MAX, -FLT_MAX, TINY, -TINY, 1, -1];

// ---------------------------------------------------------------- checking

type Triple = [number, number, number];

interface Tally {
  cases: number;
  naiveWrong: number; // Math.fround(a*b + c) differs from the oracle: a double-rounding trap
  failures: string[];
}
const newTally = (): Tally => ({ cases: 0, naiveWrong: 0, failures: [] });

function check(t: Tally, a: number, b: number, c: number): void {
  const want = oracleFma(a, b, c);
  const got = fmaf(a, b, c);
  t.cases++;
  if (!sameF32(Math.fround(a * b + c), want)) t.naiveWrong++;
  if (!sameF32(got, want) && t.failures.length < 10) {
    t.failures.push(`fmaf(${hex(a)}, ${hex(b)}, ${hex(c)}) = ${hex(got)} (${got}), expected ${hex(want)} (${want})`);
  }
}

// ---------------------------------------------------------------- trap builders

/**
 * Odd A in [2^23, 2^24) and B = round(2^47 / A) with A*B = 2^47 + r, 0 < |r| < 2^17:
 * the product has a long run of equal bits below its top, so p = A*B * 2^s is
 * 2^K (+-) a tail below half a float64 ulp of any sum with a coarser float32 grid.
 */
function nearPow2Pair(rng: Rng): [number, number] {
  for (;;) {
    const A = 2 ** 23 + ((rng() & 0x7fffff) | 1);
    const B = Math.round(2 ** 47 / A);
    const r = A * B - 2 ** 47; // exact: A*B < 2^48
    if (r !== 0 && Math.abs(r) < 2 ** 17) return [A, B];
  }
}

/**
 * a*b = +-2^K (1 +- tiny), c = +-M * 2^(K+1): c's float32 ulp (or the subnormal ulp
 * when K = -150) is 2^(K+1), so c +- 2^K is a float32 midpoint onto which the
 * float64 sum rounds while the exact sum sits just off it.
 */
function trapTriple(rng: Rng, K: number, M: number): Triple {
  const [A, B] = nearPow2Pair(rng);
  const sum = K - 47; // ea + eb
  const ea = randInt(rng, Math.max(-149, sum - 104), Math.min(104, sum + 149));
  const a = randSign(rng) * A * 2 ** ea;
  const b = randSign(rng) * B * 2 ** (sum - ea);
  return [a, b, randSign(rng) * M * 2 ** (K + 1)];
}

// ---------------------------------------------------------------- tests

describe('BigInt oracle (checked by hand and by independent single roundings)', () => {
  it('gets hand-computed cases right', () => {
    const cases: [Triple, number][] = [
      [[1, 1, 1], 2],
      [[1.5, 2, 0.25], 3.25],
      [[1 + 2 ** -23, 1 - 2 ** -23, 0], 1], // 1 - 2^-46 rounds up to 1
      [[1 + 2 ** -23, 1 - 2 ** -23, -1], -(2 ** -46)], // exact
      [[3, 5, -15], 0],
      [[-0, 1, -0], -0],
      [[-0, 1, 0], 0],
      [[TINY, 0.5, 0], 0], // tie 2^-150 -> even (0)
      [[TINY, 1.5, 0], 2 * TINY], // tie -> even
      [[TINY, -0.75, 0], -TINY],
      [[TINY, -TINY, 0], -0], // nonzero result underflows, keeps its sign
      [[FLT_MAX, 1, 2 ** 103], Infinity], // exactly the overflow threshold: tie -> 2^128
      [[FLT_MAX, 1, 2 ** 102], FLT_MAX],
      [[FLT_MAX, 2, -FLT_MAX], FLT_MAX], // no intermediate overflow
      [[1, 1, 2 ** -24], 1], // exact tie to even
      [[1, 1, 3 * 2 ** -24], 1 + 2 ** -22], // exact tie to even
      [[Infinity, 0, 1], NaN],
      [[Infinity, -1, Infinity], NaN],
      [[Infinity, -1, -Infinity], -Infinity],
    ];
    for (const [[a, b, c], want] of cases) {
      const got = oracleFma(a, b, c);
      expect(sameF32(got, want), `oracle(${a}, ${b}, ${c}) = ${got}, want ${want}`).toBe(true);
    }
  });

  it('matches single-rounding identities: fma(a,b,0) = fround(a*b), fma(a,1,c) = fround(a+c)', () => {
    // a*b is exact in float64, so fround rounds once. a + c rounds twice, but
    // double rounding is harmless for addition when 53 >= 2*24 + 2 (Figueroa).
    const rng = mulberry32(7);
    const bad: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const a = randF32(rng, 0, 254);
      const b = randF32(rng, 0, 254);
      const c = randF32(rng, 0, 254);
      if (!sameF32(oracleFma(a, b, 0), Math.fround(a * b))) bad.push(`mul ${hex(a)} ${hex(b)}`);
      // keep c within 2^30 of a so the sum is non-trivial
      const field = Math.min(254, Math.max(0, ((bitsOf(a) >>> 23) & 0xff) + randInt(rng, -30, 30)));
      const c2 = fromBits((bitsOf(c) & 0x807fffff) | (field << 23));
      if (!sameF32(oracleFma(a, 1, c2), Math.fround(a + c2))) bad.push(`add ${hex(a)} ${hex(c2)}`);
    }
    expect(bad.slice(0, 10)).toEqual([]);
  });
});

describe('fmaf', () => {
  it('hand-picked edge cases', () => {
    const p41 = 641; // 641 * 6700417 = 2^32 + 1: a product just above a power of two
    const p67 = 6700417;
    const table: [Triple, number][] = [
      // signed zeros: exact zero is +0 unless product and c are both -0
      [[0, -1, 0], 0],
      [[-0, 1, -0], -0],
      [[0, 1, -0], 0],
      [[-0, -1, -0], 0],
      [[1, -1, 1], 0],
      [[-1, 1, 1], 0],
      [[-3, 5, 15], 0],
      [[TINY, -TINY, 0], -0],
      [[TINY, TINY, -0], 0],
      [[-0, 5, 7], 7],
      // Infinity / NaN
      [[Infinity, 0, 1], NaN],
      [[-0, Infinity, 1], NaN],
      [[Infinity, 1, -Infinity], NaN],
      [[-Infinity, Infinity, Infinity], NaN],
      [[Infinity, -1, -Infinity], -Infinity],
      [[Infinity, Infinity, Infinity], Infinity],
      [[1, 1, Infinity], Infinity],
      [[1, 1, -Infinity], -Infinity],
      [[NaN, 1, 1], NaN],
      [[0, 0, NaN], NaN],
      [[NaN, 0, Infinity], NaN],
      // FLT_MAX and overflow
      [[FLT_MAX, 2, -FLT_MAX], FLT_MAX],
      [[FLT_MAX, 1, FLT_MAX], Infinity],
      [[FLT_MAX, -1, -FLT_MAX], -Infinity],
      [[2 ** 103, 1, FLT_MAX], Infinity], // exactly 2^128 - 2^103: tie -> overflow
      [[-(2 ** 103), 1, -FLT_MAX], -Infinity],
      [[2 ** 102, 1, FLT_MAX], FLT_MAX],
      [[2 ** 64, 2 ** 64, -FLT_MAX], 2 ** 104], // 2^128 - FLT_MAX, exact
      // overflow-threshold trap: p = 2^103 - 2^57, float64 sum lands on 2^128 - 2^103
      [[(1 + 2 ** -23) * 2 ** 51, (1 - 2 ** -23) * 2 ** 52, FLT_MAX], FLT_MAX],
      [[-(1 + 2 ** -23) * 2 ** 51, (1 - 2 ** -23) * 2 ** 52, -FLT_MAX], -FLT_MAX],
      [[p41 * 2 ** 35, p67 * 2 ** 36, FLT_MAX], Infinity], // 2^128 - 2^103 + 2^71
      // subnormals
      [[TINY, 1, 0], TINY],
      [[TINY, 0.5, 0], 0],
      [[TINY, -0.5, 0], -0],
      [[TINY, 0.75, 0], TINY],
      [[TINY, 1.5, 0], 2 * TINY],
      [[TINY, 2.5, 0], 2 * TINY],
      [[TINY, TINY, 0], 0],
      [[2 ** -126, 0.5, -TINY], 2 ** -127 - TINY],
      // subnormal-range trap: p = 2^-150 (1 - 2^-46), c odd at ulp 2^-149
      [[(1 + 2 ** -23) * 2 ** -75, (1 - 2 ** -23) * 2 ** -75, (2 ** 23 + 1) * TINY], (2 ** 23 + 1) * TINY],
      [[(1 + 2 ** -23) * 2 ** -75, (1 - 2 ** -23) * 2 ** -75, (2 ** 22 + 1) * TINY], (2 ** 22 + 1) * TINY],
      // double-rounding traps, one per side, from the task statement
      [[1 + 2 ** -23, (1 - 2 ** -23) * 2 ** -24, 1 + 2 ** -23], 1 + 2 ** -23],
      [[1 + 2 ** -23, -(1 - 2 ** -23) * 2 ** -24, 1 + 2 ** -23], 1 + 2 ** -23],
      [[-(1 + 2 ** -23), (1 - 2 ** -23) * 2 ** -24, -(1 + 2 ** -23)], -(1 + 2 ** -23)],
      // crossing a power of two (spacing halves below 1)
      [[p41 * 2 ** -28, p67 * 2 ** -28, 1], 1 + 2 ** -23], // 1 + 2^-24 + 2^-56
      [[-p41 * 2 ** -29, p67 * 2 ** -28, 1], 1 - 2 ** -24], // 1 - 2^-25 - 2^-57
      [[(1 + 2 ** -23) * 2 ** -12, -(1 - 2 ** -23) * 2 ** -13, 1], 1], // 1 - 2^-25 + 2^-71
      // exact ties (TwoSum error is 0): ties to even
      [[1, 1, 2 ** -24], 1],
      [[1, 1, 3 * 2 ** -24], 1 + 2 ** -22],
      [[1, -1, 2 ** -24], -(1 - 2 ** -24)], // below 1 the spacing is 2^-24: exact
    ];
    for (const [[a, b, c], want] of table) {
      for (const x of [a, b, c, want]) expect(Math.fround(x), `${x} is not float32`).toBe(x);
      const got = fmaf(a, b, c);
      const ref = oracleFma(a, b, c);
      const msg = `fmaf(${hex(a)}, ${hex(b)}, ${hex(c)}): got ${hex(got)}, oracle ${hex(ref)}, want ${hex(want)}`;
      expect(sameF32(ref, want), msg).toBe(true);
      expect(sameF32(got, want), msg).toBe(true);
      // fma is commutative in a, b
      expect(sameF32(fmaf(b, a, c), want), msg).toBe(true);
    }
  });

  it('constructed double-rounding traps (normal, subnormal, near-overflow)', () => {
    const rng = mulberry32(0x5eed);
    const t = newTally();
    const oddM = (): number => 2 ** 23 + ((rng() & 0x7fffff) | 1);

    // The task's family: a = 1 + 2^-23, b = (1 - 2^-23) 2^k, c odd with ulp 2^(k+1),
    // every k from the subnormal trap (k = -150) to the top (k = 103), with mirrored
    // (b < 0) and negated variants.
    for (let k = -150; k <= 103; k++) {
      for (let j = 0; j < 4; j++) {
        const M = k === -150 ? randInt(rng, 1, 2 ** 24 - 1) | 1 : oddM();
        const ea = Math.trunc(k / 2); // split 2^k so both factors stay float32
        const a = (1 + 2 ** -23) * 2 ** ea;
        const b = (1 - 2 ** -23) * 2 ** (k - ea);
        const c = M * 2 ** (k + 1);
        const sb = j & 1 ? -1 : 1;
        const sc = j & 2 ? -1 : 1;
        check(t, a, sb * b, sc * c);
        check(t, -a, sb * b, -sc * c);
      }
    }
    // Random near-power-of-two products, random K, random M of either parity.
    for (let i = 0; i < 6000; i++) {
      const K = randInt(rng, -150, 103);
      const M = K === -150 ? randInt(rng, 1, 2 ** 24 - 1) : 2 ** 23 + (rng() & 0x7fffff);
      const [a, b, c] = trapTriple(rng, K, M);
      check(t, a, b, c);
    }
    // Subnormal range and the overflow threshold, densely.
    for (let i = 0; i < 1000; i++) {
      check(t, ...trapTriple(rng, -150, randInt(rng, 1, 2 ** 24 - 1)));
      check(t, ...trapTriple(rng, 103, i < 500 ? 2 ** 24 - 1 : 2 ** 24 - 1 - 2 * randInt(rng, 0, 8)));
    }
    // The overflow branch itself: c = FLT_MAX, p = 2^103 (1 -+ tiny) -> FLT_MAX / Infinity.
    let ovf = 0;
    for (let i = 0; i < 200; i++) {
      const [a, b, c] = trapTriple(rng, 103, 2 ** 24 - 1);
      if (Math.abs(Math.fround(a * b + c)) === Infinity && Math.abs(oracleFma(a, b, c)) === FLT_MAX) ovf++;
      check(t, a, b, c);
    }

    expect(t.failures).toEqual([]);
    // Without the midpoint correction these would fail: make sure we hit plenty.
    expect(t.naiveWrong).toBeGreaterThan(2000);
    expect(ovf).toBeGreaterThan(20);
    console.log(
      `traps: ${t.cases} cases, ${t.naiveWrong} where fround(a*b+c) is wrong, ${ovf} at the overflow threshold`,
    );
  });

  it('200k+ random triples across the float32 range', () => {
    const rng = mulberry32(0xf3a);
    const t = newTally();
    const pick = (lo: number, hi: number): number =>
      rng() % 64 === 0 ? SPECIALS[rng() % SPECIALS.length]! : randF32(rng, lo, hi);
    const field = (x: number): number => (bitsOf(x) >>> 23) & 0xff;
    const withField = (x: number, f: number): number =>
      fromBits((bitsOf(x) & 0x807fffff) | (Math.min(254, Math.max(0, f)) << 23));

    for (let i = 0; i < 60000; i++) {
      // whole range, subnormals included
      check(t, pick(0, 254), pick(0, 254), pick(0, 254));

      // comparable magnitudes of a*b and c
      const a = randF32(rng, 0, 254);
      const b = randF32(rng, 0, 254);
      const pf = field(a) + field(b) - 127;
      check(t, a, b, withField(randF32(rng, 0, 0), pf + randInt(rng, -26, 26)));

      // heavy cancellation: c = -fround(a*b), nudged by a few float32 ulps
      const a2 = randF32(rng, 1, 254);
      const b2 = withField(randF32(rng, 0, 0), randInt(rng, 1, 254) - field(a2) + 127);
      const q = Math.fround(a2 * b2);
      const c2 = Number.isFinite(q) && q !== 0 ? fromBits(bitsOf(-q) + randInt(rng, -3, 3)) : -q;
      check(t, a2, b2, c2);

      // a*b tiny relative to c (sticky-bit territory), incl. the subnormal range
      const a3 = randF32(rng, 0, 254);
      const b3 = randF32(rng, 0, 254);
      const pf3 = field(a3) + field(b3) - 127;
      check(t, a3, b3, withField(randF32(rng, 0, 0), pf3 + randInt(rng, 20, 60)));
    }
    expect(t.failures).toEqual([]);
    console.log(`random: ${t.cases} cases, ${t.naiveWrong} where fround(a*b+c) is wrong`);
  });
});

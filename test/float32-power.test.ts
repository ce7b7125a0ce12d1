// runningProductF32 against the plain float32 loop it replaces (TF.js Adam's accBeta1/accBeta2):
// every step or a dense sample of steps for chosen betas, random betas and step counts, windows
// of a long walk started from the function's own output, huge step counts, and the regression
// through Adam's loadStateDict that hung on a large step without acc_beta1/acc_beta2.
import { describe, expect, it } from 'vitest';
import { Adam, availableBackends } from '../src/index.js';
import { runningProductF32 } from '../src/optimizers/float32-power.js';
import { rng } from './helpers/random.js';

const f32 = Math.fround;
const MAX = Number.MAX_SAFE_INTEGER;

/** A float32 value as text that tells −0 from 0 and shows the bits, for failure messages. */
function show(x: number): string {
  const bits = new Uint32Array(new Float32Array([x]).buffer)[0]!;
  return `${Object.is(x, -0) ? '-0' : String(x)} (0x${bits.toString(16).padStart(8, '0')})`;
}

/** The reference: `a ← β`, then `steps` times `a ← fround(a·β)`. */
function loop(beta: number, steps: number): number {
  let a = beta;
  for (let t = 0; t < steps; t++) a = f32(a * beta);
  return a;
}

/**
 * Walks the loop from `a` (its value at step `from`) up to step `to` and compares the function at
 * every step `sampled` picks; returns the first mismatches as text (empty when all agree).
 */
function compareWalk(beta: number, a: number, from: number, to: number, sampled: (t: number) => boolean): string[] {
  const out: string[] = [];
  for (let t = from; t <= to; t++) {
    if (sampled(t)) {
      const got = runningProductF32(beta, t);
      if (!Object.is(got, a) && out.length < 5)
        out.push(`β ${show(beta)} step ${t}: got ${show(got)}, loop ${show(a)}`);
    }
    a = f32(a * beta);
  }
  return out;
}

/** The loop's fixed point and the first step at which the loop holds it. */
function fixedPoint(beta: number): { value: number; at: number } {
  let a = beta;
  let t = 0;
  for (let next = f32(a * beta); !Object.is(next, a); next = f32(a * beta)) {
    a = next;
    t++;
  }
  return { value: a, at: t };
}

/** 1 − k·2^-24: the float32 values just below 1, where the sequence is longest. */
const below1 = (k: number): number => f32(1 - k * 2 ** -24);

describe('runningProductF32: chosen betas against the loop, steps 0 … 300000', () => {
  const BETAS: [string, number][] = [
    ['0.9', f32(0.9)],
    ['0.99', f32(0.99)],
    ['0.999', f32(0.999)],
    ['0.9999', f32(0.9999)],
    ['1 − 2^-24 (largest below 1)', below1(1)],
    ['1 − 2·2^-24', below1(2)],
    ['1 − 4782·2^-24 (most work)', below1(4782)],
    ['1 − 2^-12', below1(2 ** 12)],
    ['0.5', 0.5],
    ['0.5 + 2^-24', f32(0.5 + 2 ** -24)],
    ['0.75', 0.75],
    ['0.3', f32(0.3)],
    ['0', 0],
    ['-0', -0],
    ['1', 1],
    ['2^-100', 2 ** -100],
    ['2^-140 (subnormal)', 2 ** -140],
    ['3·2^-149 (subnormal)', 3 * 2 ** -149],
    ['-0.9', f32(-0.9)],
    ['-(1 − 2^-24)', -below1(1)],
  ];
  // Every step for the first 5000, then a prime stride, coarser further on where each call
  // costs more (the function's work grows with the steps until the fixed point).
  const sampled = (t: number): boolean => t < 5000 || (t < 50_000 ? t % 97 === 0 : t % 997 === 0) || t === 300_000;
  it.each(BETAS)('%s', (_name, beta) => {
    expect(compareWalk(beta, beta, 0, 300_000, sampled)).toEqual([]);
  });

  it('the loop value at each binade crossing and fixed point reached within the range', () => {
    // Steps where the sequence crosses a power of two or stops: the places jumps end.
    for (const beta of [f32(0.9), f32(0.999), below1(4782), f32(0.5 + 2 ** -24)]) {
      const { value, at } = fixedPoint(beta);
      expect(at).toBeLessThan(2_000_000);
      let a = beta;
      const mismatches: string[] = [];
      for (let t = 0; t <= at + 2; t++) {
        const next = f32(a * beta);
        // Compare at the step before and after each exponent change, and at the end.
        if (Math.floor(Math.log2(next)) !== Math.floor(Math.log2(a)) || t >= at) {
          for (const s of [t, t + 1]) {
            const want = s === t ? a : next;
            const got = runningProductF32(beta, s);
            if (!Object.is(got, want) && mismatches.length < 5)
              mismatches.push(`β ${show(beta)} step ${s}: ${show(got)} ≠ ${show(want)}`);
          }
        }
        a = next;
      }
      expect(mismatches).toEqual([]);
      expect(runningProductF32(beta, at)).toBe(value);
      expect(runningProductF32(beta, MAX)).toBe(value);
    }
  });
});

describe('runningProductF32: random betas and step counts', () => {
  /** Random step counts ≤ 1e7, half log-uniform (small counts matter), sorted for one walk. */
  function stepCounts(random: () => number, n: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(Math.floor(i % 2 === 0 ? 10 ** (7 * random()) : 1e7 * random()));
    return out.sort((x, y) => x - y);
  }

  /** Compares at each count, walking the loop once (and stopping at its fixed point). */
  function check(beta: number, counts: readonly number[]): string[] {
    const out: string[] = [];
    let a = beta;
    let t = 0;
    for (const count of counts) {
      while (t < count) {
        const next = f32(a * beta);
        if (Object.is(next, a)) break; // fixed from here on
        a = next;
        t++;
      }
      const got = runningProductF32(beta, count);
      if (!Object.is(got, a)) out.push(`β ${show(beta)} step ${count}: got ${show(got)}, loop ${show(a)}`);
    }
    return out;
  }

  /** A float32 in [lo, 1): fround can round up to 1, so redraw then. */
  function betaIn(random: () => number, lo: number): number {
    for (;;) {
      const beta = f32(lo + (1 - lo) * random());
      if (beta < 1) return beta;
    }
  }

  it('2000 uniform betas in [0, 1)', () => {
    const random = rng(1);
    const mismatches: string[] = [];
    for (let i = 0; i < 2000 && mismatches.length < 5; i++) {
      mismatches.push(...check(betaIn(random, 0), stepCounts(random, 4)));
    }
    expect(mismatches).toEqual([]);
  });

  it('300 betas in [0.99, 1)', () => {
    const random = rng(2);
    const mismatches: string[] = [];
    for (let i = 0; i < 300 && mismatches.length < 5; i++) {
      mismatches.push(...check(betaIn(random, 0.99), stepCounts(random, 4)));
    }
    expect(mismatches).toEqual([]);
  });

  it('40 betas with 1 − β log-uniform in [2^-14, 2^-9], where the work peaks', () => {
    const random = rng(3);
    const mismatches: string[] = [];
    for (let i = 0; i < 40 && mismatches.length < 5; i++) {
      mismatches.push(...check(f32(1 - 2 ** (-14 + 5 * random())), stepCounts(random, 4)));
    }
    expect(mismatches).toEqual([]);
  });

  it('1 − k·2^-24 for small k, at random steps up to 1e7', () => {
    const random = rng(4);
    const mismatches: string[] = [];
    for (const k of [1, 2, 3, 5, 8, 13]) mismatches.push(...check(below1(k), stepCounts(random, 6)));
    expect(mismatches).toEqual([]);
  });
});

describe('runningProductF32: long sequences, checked in windows', () => {
  // A full walk of β = 1 − 2^-24 is ~1.05e9 steps, too slow for a test. Instead: windows of a
  // million loop steps started from the function's own value at step s, compared with the
  // function at s + k. Windows are placed across binade crossings (found by bisection: the
  // sequence is non-increasing) and at the fixed point, where the jumps end.

  /** The first step at which the sequence is below `x` (it is known to get there). */
  function firstBelow(beta: number, x: number): number {
    let lo = 0;
    let hi = 2 ** 31; // fewer float32 values than this lie below 1, so the sequence is fixed by then
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (runningProductF32(beta, mid) < x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  function window(beta: number, center: number): string[] {
    const from = Math.max(0, center - 500_000);
    // Dense near the center, a prime stride elsewhere (each call costs up to ~1e4 passes here).
    return compareWalk(
      beta,
      runningProductF32(beta, from),
      from,
      from + 1_000_000,
      (t) => Math.abs(t - center) <= 300 || t % 9973 === 0,
    );
  }

  it.each([1, 2, 3, 100])('β = 1 − %i·2^-24', (k) => {
    const beta = below1(k);
    const fixed = runningProductF32(beta, MAX);
    const mismatches: string[] = [];
    for (const e of [-1, -2, -3, -40, -100, -125, -126]) {
      if (2 ** e <= fixed || 2 ** e > beta) continue;
      mismatches.push(...window(beta, firstBelow(beta, 2 ** e)));
    }
    // The end: the first step holding the fixed point.
    let lo = 0;
    let hi = 2 ** 31;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (runningProductF32(beta, mid) === fixed) hi = mid;
      else lo = mid + 1;
    }
    mismatches.push(...window(beta, lo));
    expect(mismatches).toEqual([]);
    // The loop, once fixed, stays.
    expect(f32(fixed * beta)).toBe(fixed);
  });

  it('β = 1 − 2^-24 ends at 2^-126, after about 125 binades of 2^23 steps', () => {
    // At a = 2^-126 = 2^23 units of 2^-149, a·β = 2^23 − 1/2 units: a tie, rounded to the even
    // 2^23. Above it every step lowers a by one unit, binade after binade.
    const beta = below1(1);
    expect(runningProductF32(beta, MAX)).toBe(2 ** -126);
    expect(runningProductF32(beta, 2 ** 40)).toBe(2 ** -126);
    // From β = 1 − 2^-24 down to 1/2 is 2^24 − 1 − 2^23 steps of one unit 2^-24 each.
    expect(runningProductF32(beta, 2 ** 23 - 1)).toBe(0.5);
    expect(runningProductF32(beta, 2 ** 23)).toBe(0.5 - 2 ** -25);
  });
});

describe('runningProductF32: huge step counts', () => {
  const BETAS = [
    f32(0.9),
    f32(0.99),
    f32(0.999),
    f32(0.9999),
    below1(4782),
    below1(2 ** 12),
    0.5,
    0.75,
    f32(0.3),
    0,
    1,
    2 ** -100,
    f32(-0.999),
  ];
  // No clock here (machines are noisy): the old walk of 2^40 steps never ends, so a regression
  // shows as this test running into vitest's 5 s timeout.
  it.each(BETAS)("β = %s: the loop's fixed point, at any step count", (beta) => {
    const { value, at } = fixedPoint(Math.abs(beta));
    for (const steps of [at, 2 ** 31, 2 ** 40, 2 ** 53 - 1, MAX, 2 ** 60]) {
      const got = runningProductF32(beta, steps);
      // a_t carries the sign of β^(t+1); 2^60 is even.
      const want = beta < 0 && steps % 2 === 0 ? -value : value;
      expect(Object.is(got, want), `steps ${steps}: ${show(got)} ≠ ${show(want)}`).toBe(true);
    }
  });

  it('β = −0 alternates −0, +0, −0, … at any step count', () => {
    expect(Object.is(runningProductF32(-0, 0), -0)).toBe(true);
    expect(Object.is(runningProductF32(-0, 1), 0)).toBe(true);
    expect(Object.is(runningProductF32(-0, 2 ** 40), -0)).toBe(true);
    expect(Object.is(runningProductF32(-0, MAX), 0)).toBe(true);
    expect(Object.is(runningProductF32(0, MAX), 0)).toBe(true);
  });

  it('answers repeated and interleaved questions alike (it remembers the last two)', () => {
    const asks: [number, number][] = [
      [f32(0.9), 50],
      [f32(0.999), 50],
      [f32(0.9), 50],
      [f32(0.999), 50],
      [-0, 2],
      [0, 2],
      [-0, 2],
      [f32(0.9), 51],
      [f32(0.9), 50],
      [f32(0.999), MAX],
      [f32(0.9), MAX],
      [f32(0.999), MAX],
      [f32(-0.9), 7],
      [f32(0.9), 7],
    ];
    for (const [beta, steps] of asks) {
      const want = steps === MAX ? fixedPoint(beta).value : loop(beta, steps);
      expect(Object.is(runningProductF32(beta, steps), want), `β ${show(beta)} step ${steps}`).toBe(true);
    }
  });

  it('rejects what the loop is not defined for', () => {
    for (const beta of [1.5, -1.5, NaN, Infinity, 0.1]) expect(() => runningProductF32(beta, 3)).toThrow(RangeError);
    for (const steps of [-1, 1.5, NaN, Infinity]) expect(() => runningProductF32(0.5, steps)).toThrow(RangeError);
    expect(loop(f32(0.1), 3)).toBe(runningProductF32(f32(0.1), 3));
  });
});

describe.each(availableBackends())('Adam tfjs: loading a state without acc_beta1/acc_beta2 (backend %s)', (backend) => {
  const N = 7;
  const bits = (x: Float32Array): Uint32Array => new Uint32Array(x.buffer, x.byteOffset, x.length);

  it("a step count of 2^53 − 1 loads promptly, with the loop's fixed points", () => {
    const opt = new Adam([N], { flavor: 'tfjs', backend });
    const groups = opt.stateDict().param_groups;
    // Before the fix this load looped 2^53 times: a regression shows as the test's timeout.
    opt.loadStateDict({
      state: { 0: { step: MAX, exp_avg: new Float32Array(N).fill(0.01), exp_avg_sq: new Float32Array(N).fill(1e-4) } },
      param_groups: groups,
    });
    const entry = opt.stateDict().state[0]! as Record<string, unknown>;
    expect(entry['step']).toBe(MAX);
    expect(entry['acc_beta1']).toBe(fixedPoint(f32(0.9)).value);
    expect(entry['acc_beta2']).toBe(fixedPoint(f32(0.999)).value);
    opt.step([new Float32Array(N).fill(0.5)]);
    opt.params[0]!.data.forEach((x) => expect(Number.isFinite(x)).toBe(true));
  });

  it('many parameters at a step count of 2^53 − 1 load promptly', () => {
    const count = 2000;
    const opt = new Adam(
      Array.from({ length: count }, () => 1),
      { flavor: 'tfjs', backend, betas: [0.999, 0.9999] },
    );
    const state: Record<number, { step: number; exp_avg: Float32Array; exp_avg_sq: Float32Array }> = {};
    for (let i = 0; i < count; i++)
      state[i] = { step: MAX, exp_avg: new Float32Array(1), exp_avg_sq: new Float32Array(1) };
    const groups = opt.stateDict().param_groups;
    opt.loadStateDict({ state, param_groups: groups });
    const entry = opt.stateDict().state[count - 1]! as Record<string, unknown>;
    expect(entry['acc_beta2']).toBe(fixedPoint(f32(0.9999)).value);
  });

  it.each([
    { betas: [0.9, 0.999] as const, steps: 1000 },
    { betas: [0.8, 0.9999] as const, steps: 1000 },
    { betas: [0.95, 0.99] as const, steps: 1234 },
  ])('betas $betas: $steps steps, save without acc_beta, load, one more step: bit-identical', ({ betas, steps }) => {
    const random = rng(5);
    const gradient = (): Float32Array => Float32Array.from({ length: N }, () => 2 * random() - 1);
    const options = { flavor: 'tfjs', backend, lr: 0.01, betas } as const;
    const a = new Adam([N], options);
    a.params[0]!.data.set(Float32Array.from({ length: N }, (_, i) => i - 3));
    for (let t = 0; t < steps; t++) a.step([gradient()]);

    const saved = a.stateDict();
    const entry = saved.state[0]! as Record<string, unknown>;
    const { acc_beta1: accBeta1, acc_beta2: accBeta2, ...withoutAcc } = entry;
    expect(typeof accBeta1).toBe('number');
    expect(typeof accBeta2).toBe('number');
    const b = new Adam([N], options);
    b.params[0]!.data.set(a.params[0]!.data);
    b.loadStateDict({ state: { 0: withoutAcc }, param_groups: saved.param_groups });
    const restored = b.stateDict().state[0]! as Record<string, unknown>;
    expect(Object.is(restored['acc_beta1'], accBeta1)).toBe(true);
    expect(Object.is(restored['acc_beta2'], accBeta2)).toBe(true);

    const g = gradient();
    a.step([g]);
    b.step([g.slice()]);
    const pa = bits(a.params[0]!.data);
    const pb = bits(b.params[0]!.data);
    for (let i = 0; i < N; i++) expect(Object.is(pb[i], pa[i]), `element ${i}`).toBe(true);
  });
});

// The kernels' fused multiply-add must be exact in every lane of the SIMD body, in the SIMD
// tail and in the scalar build, not only in the JS reference (test/fma.test.ts proves that one
// against a BigInt oracle). Random data almost never lands on the double-rounding trap, so
// this test builds it: PyTorch's weight decay computes g = fma(param, weightDecay, grad);
// with weightDecay = 1 − 2⁻²³, param = ±2ᵏ(1 + 2⁻²³) and grad an odd-mantissa float32 whose
// spacing is 2ᵏ⁺¹, the float64 sum lands exactly on a float32 midpoint while the exact sum
// lies just inside it, so fround(p·wd + grad) is one ulp off and only an exact FMA gives
// g = grad. With lr = 0 and the decay rates at 0 a state buffer then shows g exactly: as
// fl(g²) (Adagrad's sum, RMSprop's and Adadelta's square_avg) or as g itself (SGD's first
// momentum buffer, Adam's exp_avg with beta1 = 0). AdamW has no L2 term in its gradient; it
// and the unrolled default loops are driven through a loaded second-moment buffer instead.
import { describe, expect, it } from 'vitest';
import { availableBackends } from '../src/index.js';
import { type AlgorithmName, OPTIMIZERS } from '../src/registry.js';
import { ALGORITHM_TABLE, TABLE_NAMES, buffersOf } from './helpers/algorithms.js';
import { expectSameBits } from './helpers/bits.js';
import { rng } from './helpers/random.js';

const WEIGHT_DECAY = 1 - 2 ** -23;
const N = 37; // nine f32x4 lanes groups and a tail of one

function trapCase(seed: number): {
  params: Float32Array;
  grads: Float32Array;
  expected: Float32Array;
  naiveWrong: number;
} {
  const random = rng(seed);
  const params = new Float32Array(N);
  const grads = new Float32Array(N);
  const expected = new Float32Array(N);
  let naiveWrong = 0;
  for (let i = 0; i < N; i++) {
    const k = Math.floor(random() * 98) - 60;
    const m = Math.floor(random() * 2 ** 22);
    const paramSign = random() < 0.5 ? -1 : 1;
    const gradSign = random() < 0.5 ? -1 : 1;
    params[i] = paramSign * 2 ** k * (1 + 2 ** -23);
    grads[i] = gradSign * (2 ** (k + 24) + (2 * m + 1) * 2 ** (k + 1));
    expected[i] = grads[i]! * grads[i]!; // g = grad exactly; fl(g²) as Float32Array rounds it
    const naiveG = Math.fround(params[i]! * Math.fround(WEIGHT_DECAY) + grads[i]!);
    if (naiveG !== grads[i]) naiveWrong++;
  }
  return { params, grads, expected, naiveWrong };
}

/** The algorithms with a weight-decay trap (the table's fma.decay) and with a loaded-moment trap (fma.loaded). */
const DECAY = TABLE_NAMES.filter((name) => ALGORITHM_TABLE[name].fma.decay !== undefined);
const LOADED = TABLE_NAMES.filter((name) => ALGORITHM_TABLE[name].fma.loaded !== undefined);

it('has a trap for every optimizer with a fused multiply-add', () => {
  const none = TABLE_NAMES.filter((name) => ALGORITHM_TABLE[name].fma.none !== undefined);
  const covered = new Set([...DECAY, ...LOADED, ...none]);
  expect([...covered].sort()).toEqual(Object.keys(OPTIMIZERS).sort());
});

/** The other buffers a loaded state entry needs under the trap's options, zero-filled (from the spec). */
function zerosFor(
  algorithm: AlgorithmName,
  options: Record<string, unknown>,
  state: string,
): Record<string, Float32Array> {
  const others = buffersOf(algorithm, 'torch', options).filter((name) => name !== state);
  return Object.fromEntries(others.map((name) => [name, new Float32Array(N)]));
}

describe.each(availableBackends())('backend %s', (backend) => {
  it.each(DECAY)('%s: exact FMA on every lane and the tail', (algorithm) => {
    const trap = ALGORITHM_TABLE[algorithm].fma.decay!;
    const { state, shows } = trap;
    const options = { ...trap.options, weightDecay: WEIGHT_DECAY };
    for (let seed = 1; seed <= 20; seed++) {
      const { params, grads, expected: squares, naiveWrong } = trapCase(seed);
      const expected = shows === 'g' ? grads : squares;
      expect(naiveWrong, 'the trap must defeat a non-fused multiply-add').toBe(N);
      const before = params.slice();
      const opt = new OPTIMIZERS[algorithm]!([params], { ...options, backend });
      opt.step([grads]);
      const got = (opt.stateDict().state[0] as unknown as Record<string, Float32Array>)[state]!;
      expectSameBits(got, expected, `${algorithm} ${backend} seed ${seed} ${state}`);
      expectSameBits(params, before, 'lr = 0 leaves params unchanged');
    }
  });

  it.each(LOADED)('%s: the default loop (eight lanes per test) rounds the second moment once', (algorithm) => {
    // v = fma(fl((1 − β)·g), g, fl(v·β)). With β = 2⁻²², g = 2ⁿ(1 + 2⁻²³) gives
    // fl((1 − β)·g) = 2ⁿ(1 − 2⁻²³), so the exact product is 2²ⁿ(1 − 2⁻⁴⁶); a loaded v of c·2²²
    // makes the addend c, an odd-mantissa float32 spaced 2²ⁿ⁺¹: a trap in every lane, including
    // the unrolled body (N = 37 covers four blocks of eight and a scalar tail of five).
    const { options, state, step } = ALGORITHM_TABLE[algorithm].fma.loaded!;
    const beta = 2 ** -22;
    for (let seed = 1; seed <= 10; seed++) {
      const random = rng(seed);
      const grads = new Float32Array(N);
      const loaded = new Float32Array(N);
      const expected = new Float32Array(N);
      for (let i = 0; i < N; i++) {
        const n = Math.floor(random() * 40) - 20;
        const c =
          (random() < 0.5 ? -1 : 1) * (2 ** (2 * n + 24) + (2 * Math.floor(random() * 2 ** 22) + 1) * 2 ** (2 * n + 1));
        grads[i] = (random() < 0.5 ? -1 : 1) * 2 ** n * (1 + 2 ** -23);
        loaded[i] = c * 2 ** 22;
        expected[i] = c; // the exact sum c + 2²ⁿ(1 − 2⁻⁴⁶) lies just on c's side of the midpoint
        const a = Math.fround(Math.fround(1 - beta) * grads[i]!);
        expect(Math.fround(a * grads[i]! + c), 'the trap must defeat a non-fused multiply-add').not.toBe(c);
      }
      const opt = new OPTIMIZERS[algorithm]!([new Float32Array(N)], { ...options, backend });
      const fresh = opt.stateDict();
      const others = Object.fromEntries(
        Object.entries(fresh.state[0] ?? {}).filter(([name]) => name !== 'step' && name !== state),
      );
      opt.loadStateDict({
        state: { 0: { ...zerosFor(algorithm, options, state), ...others, step, [state]: loaded } },
        param_groups: fresh.param_groups,
      });
      opt.step([grads]);
      const got = (opt.stateDict().state[0] as unknown as Record<string, Float32Array>)[state]!;
      expectSameBits(got, expected, `${algorithm} default loop, seed ${seed}`);
    }
  });

  it('power-of-two multipliers (the no-check shortcut) agree with the exact reference', () => {
    // fma(g, −lr, param) with lr = 2^k: the kernels skip the suspect test (see assembly/fma.ts).
    // Odd mantissas and exponent gaps of 20–40 bits between g·lr and param put the sums right
    // where double rounding could bite; the JS backend's fmaf (BigInt-proven) is the reference.
    for (let seed = 1; seed <= 8; seed++) {
      const random = rng(seed);
      const k = Math.floor(random() * 40) - 20;
      const params = new Float32Array(101);
      const grads = new Float32Array(101);
      for (let i = 0; i < 101; i++) {
        const e = Math.floor(random() * 60) - 30;
        const gap = 20 + Math.floor(random() * 21);
        params[i] = (random() < 0.5 ? -1 : 1) * (2 ** 23 + 2 * Math.floor(random() * 2 ** 22) + 1) * 2 ** (e - 23);
        grads[i] =
          (random() < 0.5 ? -1 : 1) * (2 ** 23 + 2 * Math.floor(random() * 2 ** 22) + 1) * 2 ** (e - 23 - gap - k);
      }
      const run = (b: typeof backend | 'js'): Float32Array => {
        const p = params.slice();
        new OPTIMIZERS['sgd']!([p], { lr: 2 ** k, backend: b }).step([grads]);
        return p;
      };
      expectSameBits(run(backend), run('js'), `lr = 2^${k}, seed ${seed}`);
    }
  });

  it('float32-subnormal results: traps between subnormals are rounded once', () => {
    // p = param·wd = 2⁻¹⁵⁰(1 − 2⁻⁴⁶) and grad an odd multiple of 2⁻¹⁴⁹: the float64 sum sits on
    // the midpoint between two subnormals. Centered RMSprop with alpha = 0 stores grad_avg = g.
    const weightDecay = Math.fround(2 ** -75 * (1 - 2 ** -23));
    for (let seed = 1; seed <= 10; seed++) {
      const random = rng(seed);
      const params = new Float32Array(N);
      const grads = new Float32Array(N);
      for (let i = 0; i < N; i++) {
        params[i] = (random() < 0.5 ? -1 : 1) * 2 ** -75 * (1 + 2 ** -23);
        grads[i] = (random() < 0.5 ? -1 : 1) * (2 * Math.floor(random() * 2 ** 22) + 1) * 2 ** -149;
        const naive = Math.fround(params[i]! * weightDecay + grads[i]!);
        expect(naive, 'the trap must defeat a non-fused multiply-add').not.toBe(grads[i]);
      }
      const opt = new OPTIMIZERS['rmsprop']!([params], { lr: 0, alpha: 0, centered: true, weightDecay, backend });
      opt.step([grads]);
      const gradAvg = (opt.stateDict().state[0] as unknown as Record<string, Float32Array>)['grad_avg']!;
      expectSameBits(gradAvg, grads, `subnormal traps, seed ${seed}`);
    }
  });

  it('overflow boundary: a sum just below the float32 overflow threshold rounds to FLT_MAX, not Infinity', () => {
    const FLT_MAX = 3.4028234663852886e38;
    const params = new Float32Array(9).fill(2 ** 103 * (1 + 2 ** -23));
    const grads = new Float32Array(9).fill(FLT_MAX);
    // fma(param, wd, FLT_MAX) = FLT_MAX + 2¹⁰³ − 2⁵⁷: below the threshold 2¹²⁸ − 2¹⁰³.
    const opt = new OPTIMIZERS['adagrad']!([params], { lr: 0, weightDecay: WEIGHT_DECAY, backend });
    opt.step([grads]);
    // g = FLT_MAX, so sum = fl(FLT_MAX²) = Infinity; the param must stay finite: lr·g/std = 0·…
    const sum = (opt.stateDict().state[0] as unknown as Record<string, Float32Array>)['sum']!;
    expect(Array.from(sum)).toEqual(new Array(9).fill(Infinity));
    // The same boundary through RMSprop's centered grad_avg = fma(g, 1 − alpha, 0), which shows g.
    const opt3 = new OPTIMIZERS['rmsprop']!([new Float32Array(9).fill(-(2 ** 103) * (1 + 2 ** -23))], {
      lr: 0,
      alpha: 0,
      centered: true,
      weightDecay: WEIGHT_DECAY,
      backend,
    });
    opt3.step([new Float32Array(9).fill(-FLT_MAX)]);
    const gradAvg = (opt3.stateDict().state[0] as unknown as Record<string, Float32Array>)['grad_avg']!;
    // grad_avg = fma(g, 1 − 0, 0) = g = −FLT_MAX exactly (a naive sum would give −Infinity).
    expect(Array.from(gradAvg)).toEqual(new Array(9).fill(-FLT_MAX));
  });
});

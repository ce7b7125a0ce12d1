// The conformance suite, PyTorch's test_foreach_matches_forloop pattern: the SIMD and scalar
// Wasm kernels must equal the JS reference kernels bit for bit — params and every state
// buffer after every step — for every option combination, both flavors, many tensors of
// random lengths 0–5000 (so every SIMD tail length mod 4 occurs), and data with ±0,
// subnormals, huge values, ±Infinity and NaN.
import { describe, expect, it } from 'vitest';
import { availableBackends, type BackendName } from '../src/index.js';
import { OPTIMIZERS, type AnyOptimizer } from '../src/registry.js';
import { expectSameBits } from './helpers/bits.js';
import { combinations, randomF32, rng, type Regime } from './helpers/random.js';

/** Option grids per algorithm and flavor: every value a user can switch a code path with. */
const GRIDS: Record<string, Partial<Record<'torch' | 'tfjs', Record<string, readonly unknown[]>>>> = {
  adagrad: {
    torch: {
      lr: [0.1],
      lrDecay: [0, 0.01],
      weightDecay: [0, 0.1],
      initialAccumulatorValue: [0, 0.1],
      eps: [1e-10, 1e-3],
      maximize: [false, true],
    },
    tfjs: { lr: [0.1, 0.5], initialAccumulatorValue: [0, 0.1], eps: [1e-7, 1e-3] },
  },
  rmsprop: {
    torch: {
      lr: [0.01],
      alpha: [0.99, 0.9],
      eps: [1e-8],
      weightDecay: [0, 0.1],
      momentum: [0, 0.9],
      centered: [false, true],
      maximize: [false, true],
    },
    tfjs: { lr: [0.01], alpha: [0.9, 0.99], eps: [1e-7, 1e-3], momentum: [0, 0.9], centered: [false, true] },
  },
  sgd: {
    torch: {
      lr: [0.1],
      momentum: [0, 0.9],
      dampening: [0, 0.5],
      weightDecay: [0, 0.1],
      nesterov: [false],
      maximize: [false, true],
    },
    tfjs: { lr: [0.1], momentum: [0, 0.9], nesterov: [false, true] },
  },
  momentum: {
    torch: { lr: [0.1], momentum: [0.9], nesterov: [false, true], weightDecay: [0, 0.1], maximize: [false, true] },
    tfjs: { lr: [0.1], momentum: [0, 0.5], nesterov: [false, true] },
  },
  adam: {
    torch: {
      lr: [0.01],
      betas: [
        [0.9, 0.999],
        [0.8, 0.99],
      ],
      eps: [1e-8],
      weightDecay: [0, 0.1],
      amsgrad: [false, true],
      maximize: [false, true],
    },
    tfjs: {
      lr: [0.01],
      betas: [
        [0.9, 0.999],
        [0.8, 0.99],
      ],
      eps: [1e-7, 1e-3],
    },
  },
  adamw: {
    torch: {
      lr: [0.01],
      betas: [
        [0.9, 0.999],
        [0.8, 0.99],
      ],
      eps: [1e-8],
      weightDecay: [0, 0.1],
      amsgrad: [false, true],
      maximize: [false, true],
    },
  },
  adadelta: {
    torch: { lr: [1, 0.5], rho: [0.9, 0.95], eps: [1e-6, 1e-3], weightDecay: [0, 0.1], maximize: [false, true] },
    tfjs: { lr: [1e-3, 1], rho: [0.95], eps: [1e-7, 1e-3] },
  },
  // NAdam (torch only).
  nadam: {
    torch: {
      lr: [2e-3],
      betas: [
        [0.9, 0.999],
        [0.8, 0.99],
      ],
      eps: [1e-8, 1e-3],
      weightDecay: [0, 0.1],
      momentumDecay: [4e-3, 0.1],
    },
  },
  // RAdam (torch only). betas[1] 0.9: ρ_t > 5 from step 6 on, so 3 steps never rectify; 0.5 never does.
  radam: {
    torch: {
      lr: [1e-3],
      betas: [
        [0.9, 0.999],
        [0.8, 0.5],
      ],
      eps: [1e-8, 1e-3],
      weightDecay: [0, 0.1],
    },
  },
};

const OTHER_BACKENDS = availableBackends().filter((b) => b !== 'js');
const REGIMES: Regime[] = ['normal', 'wide', 'special'];
const STEPS = 3;

it('has a grid for every optimizer the library has', () => {
  expect(Object.keys(GRIDS).sort()).toEqual(Object.keys(OPTIMIZERS).sort());
});

it('runs the Wasm backends here (else this suite would compare nothing)', () => {
  expect(OTHER_BACKENDS).toEqual(['simd', 'wasm']);
});

function run(
  algorithm: string,
  backend: BackendName,
  options: Record<string, unknown>,
  lengths: number[],
  seed: number,
  regime: Regime,
): { snapshots: Float32Array[][]; optimizer: AnyOptimizer } {
  const random = rng(seed);
  const params = lengths.map((n) => randomF32(random, n, regime === 'special' ? 'normal' : regime));
  const optimizer = new OPTIMIZERS[algorithm]!(params, { ...options, backend });
  const snapshots: Float32Array[][] = [];
  for (let t = 0; t < STEPS; t++) {
    const grads = lengths.map((n) => randomF32(random, n, regime));
    if (t % 2 === 0) {
      optimizer.step(grads);
    } else {
      optimizer.params.forEach((handle, k) => handle.grad.set(grads[k]!));
      optimizer.step();
    }
    snapshots.push(optimizer.params.map((handle) => handle.data.slice()));
  }
  return { snapshots, optimizer };
}

describe.each(Object.keys(GRIDS))('%s', (algorithm) => {
  describe.each((['torch', 'tfjs'] as const).filter((f) => GRIDS[algorithm]![f]))('flavor %s', (flavor) => {
    const grid = combinations(GRIDS[algorithm]![flavor]!);
    it.each(grid.map((options, i) => [JSON.stringify(options), options, i] as const))(
      'wasm kernels equal the JS reference: %s',
      (_label, options, i) => {
        for (const regime of REGIMES) {
          const seed = 1000 * i + REGIMES.indexOf(regime) + (flavor === 'tfjs' ? 500_000 : 0);
          const random = rng(seed);
          // 1–4 tensors; lengths 0–5000 weighted toward small ones so short tails are common.
          const lengths = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
            Math.floor(random() < 0.5 ? random() * 40 : random() * 5001),
          );
          const all = { ...options, flavor };
          const reference = run(algorithm, 'js', all, lengths, seed, regime);
          for (const backend of OTHER_BACKENDS) {
            const candidate = run(algorithm, backend, all, lengths, seed, regime);
            reference.snapshots.forEach((params, t) =>
              params.forEach((want, k) =>
                expectSameBits(
                  candidate.snapshots[t]![k]!,
                  want,
                  `${backend} ${regime} params[${k}] (n=${lengths[k]}) step ${t + 1}`,
                ),
              ),
            );
            const want = reference.optimizer.stateDict().state;
            const got = candidate.optimizer.stateDict().state;
            expect(Object.keys(got)).toEqual(Object.keys(want));
            for (const [k, entry] of Object.entries(want)) {
              for (const [name, value] of Object.entries(entry)) {
                const mine = (got[Number(k)] as Record<string, unknown>)[name];
                if (typeof value === 'number') expect(mine).toBe(value);
                else
                  expectSameBits(
                    mine as Float32Array,
                    value as Float32Array,
                    `${backend} ${regime} state[${k}].${name}`,
                  );
              }
            }
          }
        }
      },
    );
  });
});

/** A non-default configuration per algorithm for the every-tail-length test. */
const EXTRA: Record<string, Record<string, unknown>> = {
  adagrad: { lrDecay: 0.1, weightDecay: 0.01 },
  rmsprop: { momentum: 0.5, centered: true },
  sgd: { momentum: 0.9, nesterov: true },
  momentum: { dampening: 0.1 },
  adam: { amsgrad: true },
  adamw: { amsgrad: true },
  adadelta: { weightDecay: 0.1 },
  // NAdam (torch only).
  nadam: { weightDecay: 0.1, momentumDecay: 0.1 },
  // RAdam (torch only).
  radam: { weightDecay: 0.1 },
};

it('covers every SIMD tail length: all lengths 0–33 in one optimizer', () => {
  expect(Object.keys(EXTRA).sort()).toEqual(Object.keys(OPTIMIZERS).sort());
  const lengths = Array.from({ length: 34 }, (_, n) => n);
  for (const algorithm of Object.keys(GRIDS)) {
    const extra = EXTRA[algorithm]!;
    const reference = run(algorithm, 'js', extra, lengths, 7, 'special');
    for (const backend of OTHER_BACKENDS) {
      const candidate = run(algorithm, backend, extra, lengths, 7, 'special');
      reference.snapshots[STEPS - 1]!.forEach((want, k) =>
        expectSameBits(candidate.snapshots[STEPS - 1]![k]!, want, `${algorithm} ${backend} n=${k}`),
      );
    }
  }
});

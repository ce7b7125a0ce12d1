// The conformance suite, PyTorch's test_foreach_matches_forloop pattern: the SIMD and scalar
// Wasm kernels must equal the JS reference kernels bit for bit — params and every state
// buffer after every step — for every option combination, both flavors, many tensors of
// random lengths 0–5000 (so every SIMD tail length mod 4 occurs), and data with ±0,
// subnormals, huge values, ±Infinity and NaN.
import { describe, expect, it } from 'vitest';
import { availableBackends, type BackendName } from '../src/index.js';
import { OPTIMIZERS, type AnyOptimizer } from '../src/registry.js';
import { ALGORITHM_TABLE, TABLE_NAMES, flavorRow, flavorsOf } from './helpers/algorithms.js';
import { expectSameBits } from './helpers/bits.js';
import { combinations, randomF32, rng, type Regime } from './helpers/random.js';

const OTHER_BACKENDS = availableBackends().filter((b) => b !== 'js');
const REGIMES: Regime[] = ['normal', 'wide', 'special'];
const STEPS = 3;

it('has a grid for every optimizer the library has', () => {
  expect(TABLE_NAMES, 'test/helpers/algorithms.ts needs a row per algorithm').toEqual(Object.keys(OPTIMIZERS));
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

describe.each(TABLE_NAMES)('%s', (algorithm) => {
  describe.each(flavorsOf(algorithm))('flavor %s', (flavor) => {
    const grid = combinations(flavorRow(algorithm, flavor).grid);
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

it('covers every SIMD tail length: all lengths 0–33 in one optimizer', () => {
  const lengths = Array.from({ length: 34 }, (_, n) => n);
  for (const algorithm of TABLE_NAMES) {
    const extra = ALGORITHM_TABLE[algorithm].tail;
    const reference = run(algorithm, 'js', extra, lengths, 7, 'special');
    for (const backend of OTHER_BACKENDS) {
      const candidate = run(algorithm, backend, extra, lengths, 7, 'special');
      reference.snapshots[STEPS - 1]!.forEach((want, k) =>
        expectSameBits(candidate.snapshots[STEPS - 1]![k]!, want, `${algorithm} ${backend} n=${k}`),
      );
    }
  }
});

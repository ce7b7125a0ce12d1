// Memory past 2 GiB. Byte offsets of 2^31 and above once went through signed `>> 2` (in
// step(), stateDict, state allocation and the JS kernels), so an optimizer whose memory passed
// 2 GiB silently stepped nothing. Here a large parameter created from a length is the first
// group and small ones the second, so all of theirs (data, gradient, state) lies past 2^31;
// drop-in steps skip the large one (a null gradient), so its pages are never touched (fresh
// memory is mapped on first use) and each case costs milliseconds. The
// small parameters must behave exactly as in an optimizer that holds them alone.
import { afterEach, describe, expect, it } from 'vitest';
import { availableBackends } from '../src/index.js';
import type { AlgorithmName, AnyOptimizer } from '../src/registry.js';
import { specFor, untouchedOptions } from './helpers/algorithms.js';
import { FULL_CONFIGS, bytesPerElement, make } from './helpers/full-options.js';
import { encode, gradsFor, values } from './helpers/snapshot.js';

const TWO_GIB = 2 ** 31;
const SMALL: readonly number[] = [5, 33, 1];
const live: AnyOptimizer[] = [];
afterEach(() => {
  live.splice(0).forEach((opt) => opt.dispose());
});

/** A parameter length whose data, gradient and state end just past 2 GiB. */
function bigLength(bytesPerElement: number): number {
  return Math.ceil((TWO_GIB + 2 ** 20) / bytesPerElement);
}

/** The state of parameters `from` onwards, renumbered from 0, bit-exact. */
function stateOf(opt: AnyOptimizer, from: number): unknown {
  const out: Record<number, unknown> = {};
  for (const [key, entry] of Object.entries(opt.stateDict().state)) {
    if (Number(key) >= from) out[Number(key) - from] = entry;
  }
  return encode(out);
}

/**
 * An algorithm keeping state from construction (Adagrad; from its spec) would have its state
 * dict copy the large parameter's gigabyte of state (seconds of page faults here): for it the
 * state shows through the parameters' trajectory only. The state-dict code is the same for
 * every algorithm.
 */
const showsUnsteppedState = (algorithm: string): boolean => specFor(algorithm as AlgorithmName).stateAtConstruction;

describe.each(availableBackends())('backend %s', (backend) => {
  describe.each(FULL_CONFIGS.map((c) => [`${c.algorithm} ${c.flavor}`, c] as const))('%s', (_name, config) => {
    const options = { ...config.options, flavor: config.flavor, backend };

    it('steps, saves and restores parameters whose offsets are past 2 GiB like an optimizer holding them alone', () => {
      const users = SMALL.map((n, k) => values(n, k + 1));
      const alone = make(
        config.algorithm,
        users.map((u) => u.slice()),
        options,
      );
      const mine = users.map((u) => u.slice());
      // Adagrad fills its accumulator at construction (TF.js's default is 0.1): the row's
      // `untouched` options (0) for the large group keep its gigabyte untouched.
      const quiet = untouchedOptions(config.algorithm);
      const big = make(
        config.algorithm,
        [{ params: [bigLength(bytesPerElement(config))], ...quiet }, { params: mine }],
        options,
      );
      live.push(alone, big);
      expect(big.params[1]!.dataOffset).toBeGreaterThanOrEqual(TWO_GIB);
      expect(big.memoryBytes).toBeGreaterThan(TWO_GIB);
      for (let t = 1; t <= 3; t++) {
        const grads = gradsFor(SMALL, t);
        alone.step(grads);
        big.step([null, ...grads]);
      }
      mine.forEach((array, k) => expect(encode(array), `parameter ${k}`).toEqual(encode(alone.params[k]!.data)));
      // The zero-copy views show the same values.
      big.params.slice(1).forEach((handle, k) => expect(encode(handle.data)).toEqual(encode(mine[k])));
      if (showsUnsteppedState(config.algorithm)) return;
      expect(stateOf(big, 1)).toEqual(stateOf(alone, 0));

      // A state dict loaded past 2 GiB lands where the kernels read it.
      const saved = alone.stateDict();
      const shifted = big.stateDict();
      for (const [key, entry] of Object.entries(saved.state)) shifted.state[Number(key) + 1] = entry;
      big.loadStateDict(shifted);
      const grads = gradsFor(SMALL, 9);
      alone.step(grads);
      big.step([null, ...grads]);
      mine.forEach((array, k) =>
        expect(encode(array), `parameter ${k} after load`).toEqual(encode(alone.params[k]!.data)),
      );
      expect(stateOf(big, 1)).toEqual(stateOf(alone, 0));
    }, 60_000);
  });

  // The JS backend grows by copying its whole buffer: here 2 GiB, ~20 s of page faults on this
  // VM, for a path (the offsets of new buffers) that is the same code on every backend; its
  // kernels' offsets past 2^31 are checked by the cases above.
  it.skipIf(backend === 'js')(
    'RMSprop: switching centered on allocates its buffer past 2 GiB without touching trained state',
    () => {
      const users = SMALL.map((n, k) => values(n, k + 7));
      const options = { lr: 0.01, backend };
      const alone = make(
        'rmsprop',
        users.map((u) => u.slice()),
        options,
      );
      const mine = users.map((u) => u.slice());
      // 12 bytes per element without centered: the new buffers start past 2 GiB.
      const big = make('rmsprop', [bigLength(12), ...mine], options);
      expect(big.memoryBytes).toBeGreaterThan(TWO_GIB);
      live.push(alone, big);
      for (let t = 1; t <= 2; t++) {
        alone.step(gradsFor(SMALL, t));
        big.step([null, ...gradsFor(SMALL, t)]);
      }
      for (const opt of [alone, big]) {
        const group = opt.paramGroups[0] as unknown as Record<string, unknown>;
        group['centered'] = true;
        group['momentum'] = 0.5;
      }
      expect(big.memoryBytes).toBeGreaterThan(TWO_GIB + 12 * SMALL.reduce((a, b) => a + b));
      for (let t = 3; t <= 5; t++) {
        alone.step(gradsFor(SMALL, t));
        big.step([null, ...gradsFor(SMALL, t)]);
      }
      mine.forEach((array, k) => expect(encode(array), `parameter ${k}`).toEqual(encode(alone.params[k]!.data)));
      expect(stateOf(big, 1)).toEqual(stateOf(alone, 0));
    },
    60_000,
  );
});

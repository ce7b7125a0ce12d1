// Drop-in step(grads) tile by tile (src/drop-in-tiles.ts): tensors longer than DROP_IN_TILE step
// through a scratch tile straight between your arrays and the kernel. The bits must be those of
// a zero-copy step over the whole tensor, for every algorithm, flavor and backend, at lengths
// around multiples of the tile, beside tensors shorter than a tile; and switching between the
// forms must lose nothing (the memory's copy of a parameter is refreshed from your array before
// it is read).
import { describe, expect, it } from 'vitest';
import { DROP_IN_TILE } from '../src/drop-in-tiles.js';
import { availableBackends } from '../src/index.js';
import type { AnyOptimizer } from '../src/registry.js';
import { expectSameBits } from './helpers/bits.js';
import { FULL_CONFIGS, make } from './helpers/full-options.js';
import { randomF32, rng } from './helpers/random.js';

const T = DROP_IN_TILE;
/** Lengths around the tile's multiples, and below one tile (those go through the batched path). */
const LENGTHS = [1, 7, 1000, T - 1, T, T + 1, 2 * T, 2 * T + 3];
const STEPS = 3;

/** Dense-gradient configurations: SparseAdam takes row-sparse gradients only. */
const CONFIGS = FULL_CONFIGS.filter((c) => c.algorithm !== 'sparseadam');

/** Gradients for every step; on step 1 the tensor of length T + 1 sits out (null). */
function gradients(seed: number): (Float32Array | null)[][] {
  const random = rng(seed);
  return Array.from({ length: STEPS }, (_, step) =>
    LENGTHS.map((n) => (step === 1 && n === T + 1 ? null : randomF32(random, n, 'normal'))),
  );
}

/** A zero-copy optimizer with the same initial values: the reference every form must match. */
function zeroCopyReference(
  config: (typeof CONFIGS)[number],
  backend: string,
  initial: readonly Float32Array[],
): AnyOptimizer {
  const opt = make(
    config.algorithm,
    initial.map((p) => p.length),
    { ...config.options, backend },
  );
  initial.forEach((p, i) => opt.params[i]!.data.set(p));
  return opt;
}

function zeroCopyStep(opt: AnyOptimizer, grads: readonly (Float32Array | null)[]): void {
  // A parameter without a gradient this step keeps a zero gradient in memory: the reference
  // steps it anyway, so the drop-in side is compared only where both stepped alike.
  grads.forEach((g, i) => opt.params[i]!.grad.set(g ?? new Float32Array(LENGTHS[i]!)));
  opt.step();
}

function expectSameState(got: AnyOptimizer, want: AnyOptimizer, where: string): void {
  const a = got.stateDict().state;
  const b = want.stateDict().state;
  expect(Object.keys(a), `${where}: parameters with state`).toEqual(Object.keys(b));
  for (const [index, entry] of Object.entries(b)) {
    for (const [name, value] of Object.entries(entry)) {
      const mine = (a[Number(index)] as Record<string, unknown>)[name];
      if (value instanceof Float32Array)
        expectSameBits(mine as Float32Array, value, `${where}: state[${index}].${name}`);
      else expect(mine, `${where}: state[${index}].${name}`).toEqual(value);
    }
  }
}

describe.each(availableBackends())('backend %s', (backend) => {
  describe.each(CONFIGS.map((c) => [`${c.algorithm} ${c.flavor} ${JSON.stringify(c.options)}`, c] as const))(
    '%s',
    (_name, config) => {
      it('drop-in from your arrays equals the untiled step, bit for bit, at tile boundaries', () => {
        const random = rng(11);
        const initial = LENGTHS.map((n) => randomF32(random, n, 'normal'));
        const grads = gradients(12);
        const arrays = initial.map((p) => p.slice());
        const tiled = make(config.algorithm, arrays, { ...config.options, backend });
        // The same history through accumulateGrad + step(): one micro-batch is the step itself,
        // taken by the untiled path (every tensor copied into the memory, stepped in one call).
        const untiledArrays = initial.map((p) => p.slice());
        const untiled = make(config.algorithm, untiledArrays, { ...config.options, backend });
        for (let step = 0; step < STEPS; step++) {
          tiled.step(grads[step]!);
          untiled.accumulateGrad(grads[step]!);
          untiled.step();
          arrays.forEach((p, i) =>
            expectSameBits(p, untiledArrays[i]!, `step ${step}: params[${i}] (length ${LENGTHS[i]})`),
          );
        }
        expectSameState(tiled, untiled, 'state');
      });

      it('drop-in on parameters made from lengths (the TF.js adapter’s form) equals zero-copy', () => {
        const random = rng(21);
        const initial = LENGTHS.map((n) => randomF32(random, n, 'normal'));
        const grads = gradients(22).map((g) => g.map((x, i) => x ?? randomF32(random, LENGTHS[i]!, 'normal')));
        const dropIn = zeroCopyReference(config, backend, initial);
        const truth = zeroCopyReference(config, backend, initial);
        for (const g of grads) {
          dropIn.step(g);
          zeroCopyStep(truth, g);
          dropIn.params.forEach((h, i) => expectSameBits(h.data, truth.params[i]!.data, `params[${i}]`));
        }
        expectSameState(dropIn, truth, 'state');
      });
    },
  );

  it('switching forms loses nothing: drop-in, zero-copy, drop-in, and data read in between', () => {
    const random = rng(31);
    const n = 3 * T + 17;
    const initial = randomF32(random, n, 'normal');
    const grads = Array.from({ length: 5 }, () => randomF32(random, n, 'normal'));
    const mine = initial.slice();
    const opt = make('adam', [mine], { backend, amsgrad: true, weightDecay: 0.01 });
    const truth = make('adam', [n], { backend, amsgrad: true, weightDecay: 0.01 });
    truth.params[0]!.data.set(initial);
    const check = (where: string) => expectSameBits(mine, truth.params[0]!.data, where);

    opt.step([grads[0]!]); // tiled: your array ahead of the memory
    zeroCopyStep1(truth, grads[0]!);
    check('after a tiled drop-in step');
    expectSameBits(opt.params[0]!.data, mine, 'params[0].data is refreshed from your array when read');

    opt.step([grads[1]!]);
    zeroCopyStep1(truth, grads[1]!);
    opt.params[0]!.grad.set(grads[2]!); // zero-copy: the memory is refreshed first, then stepped
    opt.step();
    zeroCopyStep1(truth, grads[2]!);
    expectSameBits(opt.params[0]!.data, truth.params[0]!.data, 'after a zero-copy step');

    opt.step([grads[3]!]); // drop-in after zero-copy: starts from the memory
    zeroCopyStep1(truth, grads[3]!);
    check('drop-in after zero-copy');

    // Your array edited between drop-in steps (weight tying, a manual reset): the next step reads it.
    mine.fill(0.5, 0, 100);
    truth.params[0]!.data.fill(0.5, 0, 100);
    opt.step([grads[4]!]);
    zeroCopyStep1(truth, grads[4]!);
    check('after editing your array');
    expectSameState(opt, truth, 'state');
  });

  it('a zero-copy step or a data read after your array was detached throws, changing nothing', () => {
    const random = rng(41);
    const n = 2 * T + 1;
    const mine = randomF32(random, n, 'normal');
    const opt = make('rmsprop', [mine], { backend, momentum: 0.9 });
    opt.step([randomF32(random, n, 'normal')]);
    const stateBefore = opt.stateDict();
    structuredClone(mine.buffer, { transfer: [mine.buffer] });
    expect(mine.length).toBe(0);
    expect(() => opt.step()).toThrow(
      /parameter 0's values since the last drop-in step\(grads\) are in the Float32Array/,
    );
    expect(() => opt.params[0]!.data).toThrow(RangeError);
    expect(() => opt.step()).toThrow(RangeError);
    expectSameState(opt, makeLoaded(stateBefore, n, backend), 'state after the refused steps');
  });

  it('gradients with NaN skip the step under skipNonFinite, tiled tensors included', () => {
    const random = rng(51);
    const n = T + 5;
    const mine = randomF32(random, n, 'normal');
    const before = mine.slice();
    const opt = make('adagrad', [mine], { backend, skipNonFinite: true });
    const bad = randomF32(random, n, 'normal');
    bad[n - 1] = Number.NaN;
    expect(opt.step([bad])).toBe(false);
    expectSameBits(mine, before, 'parameters after a skipped step');
    expect(opt.step([randomF32(random, n, 'normal')])).toBe(true);
    expect(Array.from(mine).some((x, i) => x !== before[i])).toBe(true);
  });
});

/** Step a one-parameter zero-copy optimizer on `g`. */
function zeroCopyStep1(opt: AnyOptimizer, g: Float32Array): void {
  opt.params[0]!.grad.set(g);
  opt.step();
}

/** An RMSprop optimizer loaded with `saved`, to compare state dicts with. */
function makeLoaded(saved: ReturnType<AnyOptimizer['stateDict']>, n: number, backend: string): AnyOptimizer {
  const opt = make('rmsprop', [n], { backend, momentum: 0.9 });
  opt.loadStateDict(saved);
  return opt;
}

// Row-sparse gradients (README "Embeddings"): what a user relies on beyond the golden files
// (test/golden.test.ts replays PyTorch's sparse Adagrad and SparseAdam bit for bit).
// - Lazy semantics: the listed rows get exactly the dense step on the coalesced gradient (same
//   step count), every other row keeps its parameters and state bit for bit.
// - Repeated rows are summed in order of appearance; an empty list is a step of no rows.
// - simd, wasm and js agree bit for bit, drop-in and zero-copy, mixed with dense parameters.
// - Every bad input throws a clear error and changes nothing.
import { describe, expect, it } from 'vitest';
import { availableBackends, type SparseGrad } from '../src/index.js';
import { ALGORITHM_NAMES, type AlgorithmName, specOfAlgorithm } from '../src/registry.js';
import { coalesce } from '../tools/fuzz/oracle.js';
import { flavorRow, flavorsOf } from './helpers/algorithms.js';
import { randomF32, rng } from './helpers/random.js';
import { type AnyOptimizer, bitsOf, construct, dataBits, snapshot, stateBits, values } from './helpers/snapshot.js';

const backends = availableBackends();

/** Every algorithm and flavor with a sparse path, and the options it needs to take one. */
const SPARSE_CONFIGS = ALGORITHM_NAMES.flatMap((algorithm) =>
  flavorsOf(algorithm).flatMap((flavor) => {
    const spec = specOfAlgorithm(algorithm);
    if (spec.flavors[flavor]?.sparse === undefined) return [];
    const needs: Record<string, unknown> = 'lazy' in spec.rules ? { lazy: true } : {};
    return [{ algorithm, flavor, needs }];
  }),
);

/** Those whose sparse step is the dense arithmetic on the listed rows (all but PyTorch's sparse Adagrad). */
const LAZY_CONFIGS = SPARSE_CONFIGS.filter(
  ({ algorithm, flavor }) => specOfAlgorithm(algorithm).flavors[flavor]?.sparse?.contract === undefined,
);

const DENSE_ONLY = ALGORITHM_NAMES.filter((algorithm) =>
  flavorsOf(algorithm).every((flavor) => specOfAlgorithm(algorithm).flavors[flavor]?.sparse === undefined),
);

/**
 * The state with the sign of every NaN in AMSGrad's max_exp_avg_sq cleared: the known difference
 * between the SIMD lanes and the scalar paths (docs/exactness.md "NaNs"; test/errors.test.ts).
 */
function signFreeMaxima(state: unknown): unknown {
  const entries = (state as { state: Record<string, Record<string, { f32?: number[] }>> }).state;
  for (const entry of Object.values(entries)) {
    const max = entry['max_exp_avg_sq'];
    if (max?.f32 === undefined) continue;
    max.f32 = max.f32.map((b) => ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? b & 0x7fffffff : b));
  }
  return state;
}

/** A sparse gradient: `indices` and rows of values drawn from `seed`. */
function sparseGrad(indices: readonly number[], width: number, seed: number, unsigned = false): SparseGrad {
  return {
    indices: unsigned ? Uint32Array.from(indices) : Int32Array.from(indices),
    values: randomF32(rng(seed), indices.length * width, 'normal'),
  };
}

/** The dense gradient a sparse one stands for (the fuzzer's oracle: repeats summed in order of appearance). */
function densify(grad: SparseGrad, rows: number, width: number): Float32Array {
  const spec = { indices: Array.from(grad.indices), unsigned: false, values: grad.values };
  return coalesce(spec, rows, rows * width).grad;
}

/** A random history entry: some rows of the table, with repeats (a row up to four times). */
function randomIndices(random: () => number, rows: number): number[] {
  const n = Math.floor(random() * (rows + 3));
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    out.push(k > 0 && random() < 0.25 ? out[Math.floor(random() * k)]! : Math.floor(random() * rows));
  }
  return out;
}

describe('the sparse paths', () => {
  it('are Adagrad (both flavors), SparseAdam, and RMSprop, Adam and AdamW with lazy: true', () => {
    expect(SPARSE_CONFIGS.map(({ algorithm, flavor }) => `${algorithm}/${flavor}`).sort()).toEqual(
      [
        'adagrad/tfjs',
        'adagrad/torch',
        'adam/tfjs',
        'adam/torch',
        'adamw/torch',
        'rmsprop/tfjs',
        'rmsprop/torch',
        'sparseadam/torch',
      ].sort(),
    );
  });
});

describe.each(LAZY_CONFIGS)('$algorithm $flavor: lazy semantics', ({ algorithm, flavor, needs }) => {
  const rows = 7;
  const width = 5;
  const row = flavorRow(algorithm, flavor);

  it.each(backends)(
    'on %s, each listed row takes the dense step on its summed gradient; other rows keep everything',
    (backend) => {
      const options = { ...row.full, ...needs, flavor, backend };
      const opt = construct(algorithm, [{ data: values(rows * width, 3), rows }, values(4, 4)], options);
      const random = rng(17);
      for (let t = 0; t < 6; t++) {
        const grad = sparseGrad(randomIndices(random, rows), width, 100 + t);
        const before = opt.stateDict();
        const data = opt.params[0]!.data.slice();
        // The expectation: a twin at the same state takes the dense step on the summed gradient.
        const twin = construct(algorithm, [{ data: data.slice(), rows }, opt.params[1]!.data.slice()], options);
        twin.loadStateDict(before as never);
        twin.step([densify(grad, rows, width), null]);
        opt.step([grad, null]);
        const listed = new Set(grad.indices);
        const after = opt.stateDict().state[0] as Record<string, unknown>;
        const dense = twin.stateDict().state[0] as Record<string, unknown>;
        const old = (before.state[0] ?? {}) as Record<string, unknown>;
        expect(after['step']).toBe(dense['step']);
        for (let r = 0; r < rows; r++) {
          const cells = (a: Float32Array) => bitsOf(a.subarray(r * width, (r + 1) * width));
          const want = listed.has(r) ? twin.params[0]!.data : data;
          expect(cells(opt.params[0]!.data), `param row ${r} after step ${t + 1}`).toEqual(cells(want));
          for (const [name, buffer] of Object.entries(dense)) {
            if (!(buffer instanceof Float32Array)) continue;
            const fresh = new Float32Array(buffer.length); // every lazy algorithm's buffers start at 0
            const wantState = listed.has(r) ? buffer : ((old[name] as Float32Array | undefined) ?? fresh);
            expect(cells(after[name] as Float32Array), `${name} row ${r} after step ${t + 1}`).toEqual(
              cells(wantState),
            );
          }
        }
      }
    },
  );
});

describe('repeated rows and empty lists', () => {
  it('repeated rows are summed in order of appearance: fl(fl(a + b) + c)', () => {
    // 1 + 2^-24 is a tie that rounds to 1, twice; summed the other way round it would be 1 + 2^-23.
    const tiny = 2 ** -24;
    for (const backend of backends) {
      const opt = construct('adagrad', [{ data: 2, rows: 2 }], { flavor: 'tfjs', initialAccumulatorValue: 0, backend });
      opt.step([{ indices: Int32Array.of(1, 1, 1), values: Float32Array.of(1, tiny, tiny) }]);
      const sum = (opt.stateDict().state[0] as { sum: Float32Array }).sum;
      expect(Array.from(sum), backend).toEqual([0, 1]); // g = 1 exactly, so sum = g² = 1
    }
  });

  it.each(SPARSE_CONFIGS)(
    '$algorithm $flavor: an empty list is a step of no rows (the count moves on, nothing else)',
    ({ algorithm, flavor, needs }) => {
      const options = { lr: 0.1, ...needs, flavor, backend: 'js' };
      const opt = construct(algorithm, [{ data: values(12, 5), rows: 3 }], options);
      opt.step([sparseGrad([2, 0], 4, 1)]);
      const before = snapshot(opt, []);
      opt.step([{ indices: new Int32Array(0), values: new Float32Array(0) }]);
      const after = snapshot(opt, []);
      expect(after.data).toEqual(before.data);
      const stepOf = (s: typeof before) => (s.state as { state: Record<string, { step?: string }> }).state['0']?.step;
      expect(stepOf(before)).toBe('n:1');
      expect(stepOf(after)).toBe('n:2');
      // Per-step numbers move on as after a zero gradient (TF.js Adam's running β products too).
      const strip = (s: typeof before) => JSON.stringify(s.state).replace(/"(step|acc_beta\d)":"n:[^"]*"/g, '');
      expect(strip(after)).toBe(strip(before));
    },
  );
});

describe('maximize', () => {
  const MAXIMIZING = SPARSE_CONFIGS.filter(({ algorithm, flavor }) => {
    const spec = specOfAlgorithm(algorithm).flavors[flavor]!;
    return 'maximize' in spec.defaults && !spec.unsupported.includes('maximize' as never);
  });

  it.each(MAXIMIZING)(
    '$algorithm $flavor: repeats are negated before they are summed, as PyTorch does',
    ({ algorithm, flavor, needs }) => {
      // Row 1 lists a and −a: PyTorch's maximized gradient is (−a) + a = +0, not −(a + −a) = −0,
      // which shows in a −0 parameter (θ + ±0) and in the first moments.
      const a = Float32Array.of(0.5, -0, 3, 1e-45);
      const minusA = a.map((x) => -x);
      for (const backend of backends) {
        const init = new Float32Array(12).fill(-0);
        const run = (maximize: boolean, first: Float32Array, second: Float32Array) => {
          const opt = construct(algorithm, [{ data: init.slice(), rows: 3 }], { ...needs, flavor, backend, maximize });
          opt.step([{ indices: Int32Array.of(1, 1), values: Float32Array.from([...first, ...second]) }]);
          return { data: dataBits(opt), state: stateBits(opt) };
        };
        // maximize with g is minimize with −g, bit for bit.
        const max = run(true, a, minusA);
        const min = run(false, minusA, a);
        expect(max.data, backend).toEqual(min.data);
        expect(JSON.stringify(max.state).replace(/"maximize":"?\w+"?/g, ''), backend).toBe(
          JSON.stringify(min.state).replace(/"maximize":"?\w+"?/g, ''),
        );
      }
    },
  );
});

describe('backends agree bit for bit', () => {
  describe.each(SPARSE_CONFIGS)('$algorithm $flavor', ({ algorithm, flavor, needs }) => {
    const grid = flavorRow(algorithm, flavor);
    const optionSets = [{}, grid.full, grid.pair[1]].map((o) => ({ ...o, ...needs }));
    const fits = (o: Record<string, unknown>) =>
      specOfAlgorithm(algorithm).flavors[flavor]!.sparse!.refuse?.({
        ...specOfAlgorithm(algorithm).flavors[flavor]!.defaults,
        ...o,
      } as never) == null;

    it.each(optionSets.filter(fits).map((o, k) => [k, o] as const))(
      'option set %i, random histories, drop-in and zero-copy',
      (_k, o) => {
        for (const width of [1, 3, 4, 5, 8, 17]) {
          const rows = 6;
          const runs = backends.flatMap((backend) =>
            (['drop-in', 'zero-copy'] as const).map((mode) => {
              const table = randomF32(rng(width), rows * width, 'special');
              const dense = randomF32(rng(width + 50), 9, 'normal');
              const opt = construct(algorithm, [{ data: table, rows }, dense], { ...o, flavor, backend });
              const random = rng(1000 + width);
              for (let t = 0; t < 8; t++) {
                const kind = random();
                const grad = sparseGrad(randomIndices(random, rows), width, 10 * t + width, t % 2 === 1);
                const other = kind < 0.3 ? null : randomF32(rng(t), 9, 'special');
                const first = kind > 0.85 ? randomF32(rng(t + 7), rows * width, 'special') : grad;
                if (mode === 'drop-in') {
                  opt.step([first, other]);
                } else {
                  if (first instanceof Float32Array) opt.params[0]!.grad.set(first);
                  else {
                    const staged = opt.params[0]!.sparseGrad(grad.indices.length);
                    staged.indices.set(grad.indices);
                    staged.values.set(grad.values);
                  }
                  opt.params[1]!.grad.set(other ?? new Float32Array(9));
                  opt.step();
                }
              }
              return {
                label: `${backend} ${mode}`,
                data: dataBits(opt),
                user: [bitsOf(table)],
                state: signFreeMaxima(stateBits(opt)),
              };
            }),
          );
          // A zero-copy step steps parameter 1 every time (a zero gradient for null): like with like.
          for (const mode of ['drop-in', 'zero-copy']) {
            const same = runs.filter((run) => run.label.endsWith(mode));
            for (const run of same.slice(1)) {
              expect(run.data, `width ${width}: ${run.label} vs ${same[0]!.label}`).toEqual(same[0]!.data);
              expect(run.state, `width ${width}: ${run.label} vs ${same[0]!.label}`).toEqual(same[0]!.state);
            }
          }
          // Drop-in steps keep your array up to date (the listed rows copied out).
          for (const run of runs.filter((r) => r.label.endsWith('drop-in'))) {
            expect(run.user, `width ${width}: ${run.label}`).toEqual(run.data.slice(0, 1));
          }
        }
      },
    );
  });
});

describe('tfjs Adagrad: what tf.train computes on the densified gradient', () => {
  it.each(backends)(
    'on %s, a sparse step equals the dense step with +0 in the unlisted rows, bit for bit',
    (backend) => {
      const rows = 9;
      const width = 6;
      const init = randomF32(rng(41), rows * width, 'normal');
      init[0] = -0; // θ + (−0) keeps a −0 too
      init[7] = 0;
      const options = { lr: 0.1, flavor: 'tfjs', backend };
      const sparse = construct('adagrad', [{ data: init.slice(), rows }], options);
      const dense = construct('adagrad', [init.slice()], options);
      const random = rng(42);
      for (let t = 0; t < 8; t++) {
        const grad = sparseGrad(randomIndices(random, rows), width, 300 + t);
        sparse.step([grad]);
        dense.step([densify(grad, rows, width)]);
        expect(dataBits(sparse), `after step ${t + 1}`).toEqual(dataBits(dense));
        expect(stateBits(sparse), `after step ${t + 1}`).toEqual(stateBits(dense));
      }
    },
  );
});

describe('drop-in steps and your arrays', () => {
  it('a drop-in sparse step reads and writes only the listed rows of your array', () => {
    const rows = 5;
    const width = 3;
    const table = values(rows * width, 9);
    const reference = construct('adagrad', [{ data: rows * width, rows }], { lr: 0.1, backend: 'js' });
    reference.params[0]!.data.set(table);
    const opt = construct('adagrad', [{ data: table, rows }], { lr: 0.1 });
    const grad = sparseGrad([3, 1, 3], width, 4);
    // Your edit of a listed row before the step is what the step starts from; an unlisted row is yours.
    table[3 * width] = 0.5;
    table[0] = 42;
    reference.params[0]!.data[3 * width] = 0.5;
    opt.step([grad]);
    reference.step([grad]);
    const want = reference.params[0]!.data;
    for (const r of [1, 3]) {
      expect(bitsOf(table.subarray(r * width, (r + 1) * width)), `row ${r}`).toEqual(
        bitsOf(want.subarray(r * width, (r + 1) * width)),
      );
    }
    expect(table[0]).toBe(42);
    expect(Array.from(table.subarray(2 * width, 3 * width))).toEqual(Array.from(values(rows * width, 9)).slice(6, 9));
  });

  it('after a zero-copy step, the next drop-in step brings your whole array up to date', () => {
    const table = values(12, 2);
    const opt = construct('sparseadam', [{ data: table, rows: 4 }], { lr: 0.1 });
    const staged = opt.params[0]!.sparseGrad(1);
    staged.indices[0] = 2;
    staged.values.set([1, 2, 3]);
    opt.step();
    opt.step([sparseGrad([0], 3, 5)]);
    expect(bitsOf(table)).toEqual(bitsOf(opt.params[0]!.data));
  });

  it('a staged zero-copy gradient is used once; the next step() is dense again', () => {
    const opt = construct('adagrad', [{ data: 8, rows: 4 }], { lr: 0.1, flavor: 'tfjs' });
    const staged = opt.params[0]!.sparseGrad(1);
    staged.indices[0] = 1;
    staged.values.set([1, 1]);
    opt.step();
    opt.params[0]!.grad.fill(0);
    opt.params[0]!.grad[0] = 1;
    opt.step(); // dense: element 0 only
    const sum = (opt.stateDict().state[0] as { sum: Float32Array }).sum;
    expect(Array.from(sum)).toEqual([1.1, 0.1, 1.1, 1.1, 0.1, 0.1, 0.1, 0.1].map(Math.fround));
  });
});

describe('mixed steps and checkpoints', () => {
  it.each(backends)(
    'torch Adagrad on %s: dense and sparse parameters in one step, as two optimizers would',
    (backend) => {
      const table = values(20, 1);
      const dense = values(6, 2);
      const both = construct('adagrad', [{ data: table.slice(), rows: 5 }, dense.slice()], { lr: 0.1, backend });
      const alone = construct('adagrad', [{ data: table.slice(), rows: 5 }], { lr: 0.1, backend });
      const other = construct('adagrad', [dense.slice()], { lr: 0.1, backend });
      for (let t = 0; t < 4; t++) {
        const grad = sparseGrad([t % 5, 4, t % 5], 4, t);
        const g = values(6, 10 + t);
        both.step([grad, g]);
        alone.step([grad]);
        other.step([g]);
      }
      expect(dataBits(both)).toEqual([...dataBits(alone), ...dataBits(other)]);
    },
  );

  it.each(SPARSE_CONFIGS)(
    '$algorithm $flavor: the state dict has the dense PyTorch layout and a resumed run continues bit for bit',
    ({ algorithm, flavor, needs }) => {
      const options = { lr: 0.05, ...needs, flavor };
      const make = (table = values(24, 3), dense = values(5, 4)) =>
        construct(algorithm, [{ data: table, rows: 6 }, dense], options);
      const history = [0, 1, 2, 3, 4, 5].map(
        (t) => [sparseGrad([t % 6, (t * 5) % 6, t % 6], 4, t), values(5, t)] as const,
      );
      const straight = make();
      for (const [g, d] of history) straight.step([g, d]);
      const first = make();
      for (const [g, d] of history.slice(0, 3)) first.step([g, d]);
      const dict = first.stateDict();
      for (const entry of Object.values(dict.state)) {
        for (const value of Object.values(entry))
          if (value instanceof Float32Array) expect([24, 5]).toContain(value.length);
      }
      expect(dict.state[0]?.step ?? 3).toBe(3);
      // Your arrays as the first run left them, then its checkpoint through plain JSON.
      const resumed = make(first.params[0]!.data.slice(), first.params[1]!.data.slice());
      resumed.loadStateDict(JSON.parse(JSON.stringify(dict, (_k, v) => (v instanceof Float32Array ? [...v] : v))));
      for (const [g, d] of history.slice(3)) resumed.step([g, d]);
      expect(dataBits(resumed)).toEqual(dataBits(straight));
      expect(stateBits(resumed)).toEqual(stateBits(straight));
    },
  );

  it.each(['rmsprop', 'adam', 'adamw'] as const)(
    '%s: a checkpoint saved before lazy existed still loads (lazy false)',
    (algorithm) => {
      const opt = construct(algorithm, [values(4, 1)], { lr: 0.01, lazy: true });
      opt.step([values(4, 2)]);
      const dict = opt.stateDict() as unknown as { param_groups: Record<string, unknown>[] };
      delete dict.param_groups[0]!['lazy'];
      const fresh = construct(algorithm, [values(4, 1)], { lr: 0.01, lazy: true });
      fresh.loadStateDict(dict as never);
      expect(fresh.paramGroups[0]!['lazy']).toBe(false);
      delete dict.param_groups[0]!['lr'];
      expect(() => fresh.loadStateDict(dict as never)).toThrow(/param_groups\[0\] lacks option lr/);
    },
  );

  it('a step listing more rows than any before grows the memory; views are re-read, nothing is lost', () => {
    const opt = construct('adagrad', [{ data: 1000 * 4, rows: 1000 }], { lr: 0.1 });
    const twin = construct('adagrad', [{ data: 1000 * 4, rows: 1000 }], { lr: 0.1, backend: 'js' });
    const before = opt.memoryBytes;
    const random = rng(3);
    for (const n of [3, 900, 5000]) {
      const grad = sparseGrad(
        Array.from({ length: n }, () => Math.floor(random() * 1000)),
        4,
        n,
      );
      opt.step([grad]);
      twin.step([grad]);
    }
    expect(opt.memoryBytes).toBeGreaterThan(before);
    expect(dataBits(opt)).toEqual(dataBits(twin));
  });
});

describe('bad input: a clear error, and nothing changes', () => {
  interface BadCase {
    readonly name: string;
    readonly algorithm: AlgorithmName;
    readonly options?: Record<string, unknown>;
    readonly act: (opt: AnyOptimizer) => void;
    readonly error: typeof TypeError | typeof RangeError;
    readonly message: RegExp;
  }
  const good = () => sparseGrad([1, 0], 3, 1);
  const cases: BadCase[] = [
    {
      name: 'a sparse gradient for a parameter declared without rows',
      algorithm: 'adagrad',
      act: (opt) => opt.step([good(), good() as never]),
      error: TypeError,
      message: /grads\[1\] is a row-sparse gradient, but parameter 1 was declared without rows/,
    },
    {
      name: 'a row past the end',
      algorithm: 'adagrad',
      act: (opt) => opt.step([sparseGrad([0, 4, 1], 3, 1), null]),
      error: RangeError,
      message: /grads\[0\]\.indices\[1\] is 4, not a row of parameter 0 \(its rows are 0 to 3\)/,
    },
    {
      name: 'a negative row',
      algorithm: 'sparseadam',
      act: (opt) => opt.step([sparseGrad([0, -1], 3, 1), null]),
      error: RangeError,
      message: /grads\[0\]\.indices\[1\] is -1, not a row/,
    },
    {
      name: 'values of the wrong length',
      algorithm: 'adagrad',
      act: (opt) => opt.step([{ indices: Int32Array.of(1), values: new Float32Array(4) }, null]),
      error: RangeError,
      message: /grads\[0\]\.values has length 4, expected 3 \(1 indices × width 3 of parameter 0\)/,
    },
    {
      name: 'indices as a plain array',
      algorithm: 'adagrad',
      act: (opt) => opt.step([{ indices: [1], values: new Float32Array(3) } as never, null]),
      error: TypeError,
      message: /grads\[0\]\.indices must be an Int32Array or a Uint32Array/,
    },
    {
      name: 'indices as a Float32Array',
      algorithm: 'adagrad',
      act: (opt) => opt.step([{ indices: Float32Array.of(1), values: new Float32Array(3) } as never, null]),
      error: TypeError,
      message: /grads\[0\]\.indices must be an Int32Array or a Uint32Array/,
    },
    {
      name: 'values as a Float64Array',
      algorithm: 'adagrad',
      act: (opt) => opt.step([{ indices: Int32Array.of(1), values: new Float64Array(3) } as never, null]),
      error: TypeError,
      message: /grads\[0\]\.values must be a Float32Array/,
    },
    {
      name: 'detached indices',
      algorithm: 'adagrad',
      act: (opt) => {
        const indices = Int32Array.of(1);
        structuredClone(indices.buffer, { transfer: [indices.buffer] });
        opt.step([{ indices, values: new Float32Array(0) }, null]);
      },
      error: TypeError,
      message: /grads\[0\]\.indices is a typed array whose buffer is detached/,
    },
    {
      name: 'RMSprop without lazy',
      algorithm: 'rmsprop',
      act: (opt) => opt.step([good(), null]),
      error: RangeError,
      message: /does not take with lazy = false \(set lazy: true/,
    },
    {
      name: 'Adam without lazy',
      algorithm: 'adam',
      act: (opt) => opt.step([good(), null]),
      error: RangeError,
      message: /paramGroups\[0\]\) does not take with lazy = false/,
    },
    {
      name: "torch Adagrad with weight decay (PyTorch's sparse Adagrad has none)",
      algorithm: 'adagrad',
      options: { weightDecay: 0.1 },
      act: (opt) => opt.step([good(), null]),
      error: RangeError,
      message: /does not take with weightDecay = 0\.1 \(PyTorch's sparse Adagrad has none\)/,
    },
    ...DENSE_ONLY.map(
      (algorithm): BadCase => ({
        name: `${algorithm}, which takes dense gradients only`,
        algorithm,
        act: (opt) => opt.step([good(), null]),
        error: TypeError,
        message: /grads\[0\] is a row-sparse gradient, but \w+ \(flavor 'torch'\) takes dense gradients only/,
      }),
    ),
    {
      name: 'zero-copy: a staged row past the end, found at step()',
      algorithm: 'adagrad',
      act: (opt) => {
        opt.params[0]!.sparseGrad(2).indices.set([1, 9]);
        opt.step();
      },
      error: RangeError,
      message: /step\(\): params\[0\]\.sparseGrad\.indices\[1\] is 9, not a row of parameter 0/,
    },
    {
      name: 'zero-copy: a staged negative row',
      algorithm: 'adagrad',
      act: (opt) => {
        opt.params[0]!.sparseGrad(1).indices.set([-7]);
        opt.step();
      },
      error: RangeError,
      message: /indices\[0\] is -7, not a row/,
    },
    {
      name: 'zero-copy: sparseGrad on a parameter without rows',
      algorithm: 'adagrad',
      act: (opt) => opt.params[1]!.sparseGrad(1),
      error: TypeError,
      message: /params\[1\]\.sparseGrad: parameter 1 was declared without rows/,
    },
    {
      name: 'zero-copy: sparseGrad(1.5)',
      algorithm: 'adagrad',
      act: (opt) => opt.params[0]!.sparseGrad(1.5),
      error: RangeError,
      message: /params\[0\]\.sparseGrad\(n\): n is 1\.5/,
    },
  ];

  it.each(cases)('$name', ({ algorithm, options, act, error, message }) => {
    const table = values(12, 7);
    const dense = values(3, 8);
    const opt = construct(algorithm, [{ data: table, rows: 4 }, dense], { lr: 0.1, ...options });
    opt.step([values(12, 1), values(3, 2)]);
    const before = snapshot(opt, [table, dense]);
    expect(() => act(opt)).toThrow(error);
    expect(() => act(opt)).toThrow(message);
    expect(() => act(opt)).toThrow(new RegExp(`^${specOfAlgorithm(algorithm).name}: `));
    const after = snapshot(opt, [table, dense]);
    expect(after).toEqual(before);
    // And the optimizer steps on as a twin that never saw the bad input.
    const twin = construct(algorithm, [{ data: values(12, 7), rows: 4 }, values(3, 8)], { lr: 0.1, ...options });
    twin.step([values(12, 1), values(3, 2)]);
    opt.step([values(12, 3), values(3, 4)]);
    twin.step([values(12, 3), values(3, 4)]);
    expect(dataBits(opt)).toEqual(dataBits(twin));
  });

  it('zero-copy: a view held across a later allocation is refused at step(), nothing changed', () => {
    const opt = construct('adagrad', [{ data: values(12, 7), rows: 4 }], { lr: 0.1 });
    const { indices } = opt.params[0]!.sparseGrad(1); // a view held on its own
    opt.addParamGroup({ params: [1 << 16] }); // grows the memory: `indices` is detached
    indices[0] = 2; // lost
    const before = snapshot(opt, []);
    expect(() => opt.step()).toThrow(
      /the views params\[0\]\.sparseGrad\(1\) returned were detached by a later allocation/,
    );
    expect(snapshot(opt, [])).toEqual(before);
    // Asked again after the allocation, they work.
    const again = opt.params[0]!.sparseGrad(1);
    again.indices[0] = 2;
    again.values.fill(1);
    opt.step();
    expect(opt.params[0]!.data[8]).not.toBe(values(12, 7)[8]);
    // The returned object's views are made anew when read after the memory grew.
    const staged = opt.params[0]!.sparseGrad(1);
    opt.addParamGroup({ params: [1 << 16] });
    staged.indices[0] = 1;
    staged.values.fill(1);
    opt.step();
    expect(opt.params[0]!.data[4]).not.toBe(values(12, 7)[4]);
  });

  it('zero-copy: sparseGrad on one table stages the others too, so filling them all after works', () => {
    const opt = construct(
      'adagrad',
      [
        { data: 40, rows: 10 },
        { data: 60, rows: 20 },
      ],
      { lr: 0.1, backend: 'js' },
    );
    const twin = construct(
      'adagrad',
      [
        { data: 40, rows: 10 },
        { data: 60, rows: 20 },
      ],
      { lr: 0.1, backend: 'js' },
    );
    const a = opt.params[0]!.sparseGrad(5);
    const b = opt.params[1]!.sparseGrad(5); // no growth: staged along with a
    a.indices.set([0, 1, 2, 3, 9]);
    a.values.fill(1);
    b.indices.set([19, 0, 19, 4, 5]);
    b.values.fill(2);
    opt.step();
    twin.step([
      { indices: Int32Array.of(0, 1, 2, 3, 9), values: new Float32Array(20).fill(1) },
      { indices: Int32Array.of(19, 0, 19, 4, 5), values: new Float32Array(15).fill(2) },
    ]);
    expect(dataBits(opt)).toEqual(dataBits(twin));
    // A table with rows staged keeps its staging when another asks for more.
    const c = opt.params[0]!.sparseGrad(2);
    c.indices.set([7, 8]);
    c.values.fill(3);
    const d = opt.params[1]!.sparseGrad(20);
    d.indices.set(Array.from({ length: 20 }, (_, k) => k));
    d.values.fill(-1);
    opt.step();
    twin.step([
      { indices: Int32Array.of(7, 8), values: new Float32Array(8).fill(3) },
      { indices: Int32Array.from({ length: 20 }, (_, k) => k), values: new Float32Array(60).fill(-1) },
    ]);
    expect(dataBits(opt)).toEqual(dataBits(twin));
  });

  const badRows: [string, unknown, RegExp][] = [
    ['rows 0', 0, /params\[0\]\.rows is 0; it must be a whole number from 1/],
    ['rows 2.5', 2.5, /params\[0\]\.rows is 2\.5/],
    ['rows that do not divide the length', 5, /params\[0\]\.rows is 5, which does not divide its length 12/],
    ['rows as a string', '4', /params\[0\]\.rows must be a number, got "4"/],
  ];
  it.each(badRows)('the constructor refuses %s', (_name, rows, message) => {
    expect(() => construct('adagrad', [{ data: new Float32Array(12), rows }])).toThrow(message);
    expect(() => construct('adagrad', [{ data: 12, rows }])).toThrow(/^Adagrad: /);
  });

  it('the constructor names a bad data of a row-shaped parameter', () => {
    expect(() => construct('adagrad', [{ data: [1, 2], rows: 1 }])).toThrow(/params\[0\]\.data must be a Float32Array/);
  });
});

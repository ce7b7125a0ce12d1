// The fuzzer's row-sparse part (tools/fuzz): the generator makes the histories the issue asks
// for (duplicates, a row three or more times, empty lists, all rows, both index types, both
// step forms, null steps, the SIMD-tail widths), every kind of invalid sparse gradient runs and
// is rejected, and the oracle's sparse checks bite: a library result with an unlisted row
// changed, or with repeated rows not summed, is caught.
import { describe, expect, it } from 'vitest';
import { Adam, Adagrad } from '../src/index.js';
import { FLAVORS } from '../src/spec.js';
import { caseFromJson, caseToJson, isSparse, type FuzzCase, type SparseBadOp } from '../tools/fuzz/case.js';
import { buildCase, randomKnobs } from '../tools/fuzz/generate.js';
import { algorithmInfo } from '../tools/fuzz/info.js';
import { coalesce, OracleModel, type Snapshot } from '../tools/fuzz/oracle.js';
import { Random } from '../tools/fuzz/random.js';
import { runCase } from '../tools/fuzz/runner.js';
import { shrinkCase } from '../tools/fuzz/shrink.js';

const SPARSE_FLAVORS: [string, 'torch' | 'tfjs'][] = [
  ['adagrad', 'torch'],
  ['adagrad', 'tfjs'],
  ['adam', 'torch'],
  ['adam', 'tfjs'],
  ['adamw', 'torch'],
  ['rmsprop', 'torch'],
  ['rmsprop', 'tfjs'],
  ['sparseadam', 'torch'],
];

function sparseCase(algorithm: string, flavor: 'torch' | 'tfjs', seed: number): FuzzCase {
  const knobs = randomKnobs(new Random(seed, 0x5a), algorithm, flavor);
  return buildCase({ ...knobs, sparse: 2, steps: 10 });
}

describe('row-sparse histories from the generator', () => {
  it('the spec decides which flavors have a sparse path', () => {
    const withPath: string[] = [];
    for (const name of ['adagrad', 'adam', 'adamw', 'rmsprop', 'sparseadam', 'sgd', 'momentum', 'adadelta']) {
      for (const flavor of FLAVORS) {
        if (algorithmInfo(name).flavors[flavor]?.sparse) withPath.push(`${name}/${flavor}`);
      }
    }
    expect(withPath.sort()).toEqual(SPARSE_FLAVORS.map(([a, f]) => `${a}/${f}`).sort());
    const adam = algorithmInfo('adam').flavors.torch!;
    expect(adam.acceptsSparse({ ...adam.defaults, lazy: true })).toBe(true);
    expect(adam.acceptsSparse(adam.defaults)).toBe(false);
    const adagrad = algorithmInfo('adagrad').flavors.torch!;
    expect(adagrad.acceptsSparse({ ...adagrad.defaults, weightDecay: 0.1 })).toBe(false);
    expect(algorithmInfo('adagrad').flavors.tfjs!.acceptsSparse(algorithmInfo('adagrad').flavors.tfjs!.defaults)).toBe(
      true,
    );
  });

  it('mixes dense, null and sparse steps with every feature asked for, and they pass every check', () => {
    const seen = new Set<string>();
    const kinds: Record<string, number> = {};
    let sparseGrads = 0;
    let untouched = 0;
    for (const [algorithm, flavor] of SPARSE_FLAVORS) {
      for (let seed = 0; seed < 16; seed++) {
        const c = sparseCase(algorithm, flavor, seed);
        // The case survives its JSON form.
        expect(JSON.stringify(caseToJson(caseFromJson(JSON.parse(JSON.stringify(caseToJson(c))))))).toBe(
          JSON.stringify(caseToJson(c)),
        );
        c.tensors.forEach((t) => {
          if (t.rows !== undefined) seen.add(`width ${t.init.length / t.rows}`);
        });
        for (const op of c.ops) {
          if (op.op !== 'step') continue;
          op.grads.forEach((g, i) => {
            const rows = c.tensors[i]?.rows;
            if (rows === undefined) return;
            if (g === null) seen.add('null');
            else if (!isSparse(g)) seen.add('dense');
            else {
              seen.add(op.mode);
              seen.add(g.unsigned ? 'Uint32Array' : 'Int32Array');
              if (g.indices.length === 0) seen.add('empty');
              if (new Set(g.indices).size === rows && rows > 1) seen.add('all rows');
              const counts = new Map<number, number>();
              for (const x of g.indices) counts.set(x, (counts.get(x) ?? 0) + 1);
              if ([...counts.values()].some((n) => n >= 3)) seen.add('a row 3+ times');
            }
          });
        }
        if (seed >= 5) continue; // the rest for the features only: running them all takes a while
        const result = runCase(c);
        const m = result.mismatches[0];
        expect(m, m ? `${algorithm}/${flavor} seed ${seed}: ${m.kind} ${m.where}: ${m.message}` : '').toBeUndefined();
        sparseGrads += result.sparseGrads;
        untouched += result.oracle?.untouched ?? 0;
        expect(result.oracle?.sparseSteps).toBe(result.sparseGrads);
        for (const [k, n] of Object.entries(result.badSparseKinds)) kinds[k] = (kinds[k] ?? 0) + n;
      }
    }
    for (const feature of [
      'dense',
      'null',
      'dropin',
      'zerocopy',
      'Int32Array',
      'Uint32Array',
      'empty',
      'all rows',
      'a row 3+ times',
      'width 1',
      'width 3',
      'width 4',
      'width 5',
      'width 8',
      'width 17',
    ]) {
      expect(seen, feature).toContain(feature);
    }
    expect(sparseGrads).toBeGreaterThan(100);
    expect(untouched).toBeGreaterThan(1000);
    expect(Object.values(kinds).reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
  }, 120_000);
});

it('the shrinker drops listed indices and simplifies index types', () => {
  // A stand-in failure: "some sparse gradient lists one row three times".
  const threeTimes = (c: FuzzCase): boolean =>
    c.ops.some(
      (op) =>
        op.op === 'step' &&
        op.grads.some((g) => isSparse(g) && g.indices.some((x) => g.indices.filter((y) => y === x).length >= 3)),
    );
  let c: FuzzCase | undefined;
  for (let seed = 0; c === undefined && seed < 200; seed++) {
    const candidate = sparseCase('adagrad', 'tfjs', seed);
    if (threeTimes(candidate)) c = candidate;
  }
  expect(c).toBeDefined();
  const { case: small } = shrinkCase(c!, threeTimes, { ms: 10_000 });
  expect(threeTimes(small)).toBe(true);
  const sparse = small.ops.flatMap((op) => (op.op === 'step' ? op.grads.filter(isSparse) : []));
  expect(sparse.length).toBe(1);
  expect(sparse[0]!.indices.length).toBe(3);
  expect(sparse[0]!.unsigned).toBe(false);
}, 30_000);

describe('invalid row-sparse gradients', () => {
  /**
   * One row tensor (5 rows × 3) and one plain tensor in a group that takes sparse gradients; a
   * row tensor (2 × 3) in a second group that refuses them.
   */
  function caseWith(algorithm: string, bad: SparseBadOp, refusing: Record<string, unknown>): FuzzCase {
    const flavor = 'torch';
    const grads = [
      { indices: [1, 1, 4, 1], unsigned: false, values: new Float32Array(12).fill(0.5) },
      new Float32Array(4).fill(0.25),
      new Float32Array(6).fill(-1),
    ];
    return {
      algorithm,
      flavor,
      options: algorithm === 'adam' ? { lazy: true } : {},
      tensors: [
        { init: new Float32Array(15).fill(1), source: true, rows: 5 },
        { init: new Float32Array(4).fill(2), source: false },
        { init: new Float32Array(6).fill(3), source: true, rows: 2 },
      ],
      groups: [
        { size: 2, options: {} },
        { size: 1, options: refusing },
      ],
      ops: [
        { op: 'step', mode: 'dropin', grads },
        { op: 'bad', bad },
        { op: 'step', mode: 'zerocopy', grads },
      ],
      laws: [{ law: 'twin', backend: 'js' }],
    };
  }

  const whats: SparseBadOp['what'][] = [
    'outOfRange',
    'negative',
    'valuesLength',
    'indicesType',
    'noRows',
    'zerocopyNoRows',
    'refused',
    'sparseGradCount',
  ];
  for (const [algorithm, refusing] of [
    ['adam', { lazy: false }],
    ['adagrad', { weightDecay: 0.5 }],
  ] as const) {
    it.each(whats)(`${algorithm}: %s throws, changes nothing, and later steps are as on a twin`, (what) => {
      const value = what === 'sparseGradCount' ? 1.5 : what === 'indicesType' ? 'Float64Array' : 'Uint32Array';
      const c = caseWith(algorithm, { kind: 'sparse', what, pick: 0, delta: 1, value }, refusing);
      const result = runCase(c);
      const m = result.mismatches[0];
      expect(m, m ? `${m.kind} ${m.where}: ${m.message}` : '').toBeUndefined();
      expect(result.badSparseKinds).toEqual({ [what]: 1 });
      expect(result.lawsChecked.twin).toBe(1);
    });
  }

  it('a flavor without a sparse path refuses a row-sparse gradient for a row-shaped tensor', () => {
    const c: FuzzCase = {
      algorithm: 'sgd',
      flavor: 'torch',
      options: {},
      tensors: [{ init: new Float32Array(8).fill(1), source: true, rows: 4 }],
      groups: [{ size: 1, options: {} }],
      ops: [
        { op: 'step', mode: 'dropin', grads: [new Float32Array(8).fill(0.5)] },
        { op: 'bad', bad: { kind: 'sparse', what: 'refused', pick: 0 } },
      ],
      laws: [],
    };
    const result = runCase(c);
    expect(result.mismatches).toEqual([]);
    expect(result.badSparseKinds).toEqual({ refused: 1 });
  });
});

describe("the oracle's sparse checks", () => {
  /** A lazy Adam step on 4 rows × 3 with rows 2, 0, 2, 2 listed; returns the oracle's verdict on `post`. */
  function verdict(corrupt: (post: Snapshot) => void, sparse = true): string | null {
    const info = algorithmInfo('adam');
    const options = { ...info.flavors.torch!.defaults, lazy: true, lr: 0.1 };
    const data = Float32Array.from({ length: 12 }, (_, j) => j / 7 - 0.5);
    const opt = new Adam([{ data, rows: 4 }], { lazy: true, lr: 0.1, backend: 'js' });
    const oracle = new OracleModel(info.oracle('torch')!, false, 64, 'adam/torch', info.sparseOracle('torch'));
    oracle.addGroup(options, [12], [4]);
    const grad = {
      indices: [2, 0, 2, 2],
      unsigned: false,
      values: Float32Array.from([1e8, 0.5, -1, 0.25, 0.5, 0.5, 1, 1, 1, -1e8, 1, 1]),
    };
    const pre: Snapshot = { params: [opt.params[0]!.data.slice()], state: [undefined] };
    opt.step([{ indices: Int32Array.from(grad.indices), values: grad.values }]);
    const entry = opt.stateDict().state[0] as Record<string, unknown>;
    const post: Snapshot = { params: [opt.params[0]!.data.slice()], state: [entry] };
    corrupt(post);
    const failure = oracle.step(pre, post, [sparse ? grad : null], 0);
    return failure === null ? null : `${failure.where}: ${failure.message}`;
  }

  it('accepts the library as it is', () => {
    expect(verdict(() => {})).toBeNull();
  });

  it('catches an unlisted row whose parameter or state changed', () => {
    expect(
      verdict((post) => {
        post.params[0]![4] = Math.fround(post.params[0]![4]! + 1e-3); // row 1
      }),
    ).toMatch(/row 1, not listed/);
    expect(
      verdict((post) => {
        (post.state[0]!['exp_avg'] as Float32Array)[10] = 1e-9; // row 3
      }),
    ).toMatch(/row 3, not listed/);
  });

  it('catches a listed row stepped without its repeats summed', () => {
    expect(
      verdict((post) => {
        // Row 2 stepped as if its gradient were its last repeat only: m = 0.1·1, not 0.1·(0.5 + 1 + 1).
        (post.state[0]!['exp_avg'] as Float32Array)[7] = Math.fround(0.1);
      }),
    ).toMatch(/exp_avg\[7\]/);
    expect(
      verdict((post) => {
        // Row 2's first element summed in another order: (1e8 − 1e8) + 1 = 1, where the order of
        // appearance gives fl(fl(1e8 + 1) − 1e8) = 0.
        (post.state[0]!['exp_avg'] as Float32Array)[6] = Math.fround(0.1);
      }),
    ).toMatch(/exp_avg\[6\]/);
  });

  it('coalesces in order of appearance with float32 additions', () => {
    const { grad, listed } = coalesce(
      { indices: [1, 1, 1], unsigned: false, values: Float32Array.from([1, 2 ** -24, 2 ** -24]) },
      2,
      2,
    );
    expect([...listed]).toEqual([0, 1]);
    expect(grad[1]).toBe(1); // fl(fl(1 + 2^-24) + 2^-24) = 1, not 1 + 2^-23
    expect(Object.is(grad[0], 0)).toBe(true);
  });

  it("PyTorch's sparse Adagrad rule is the oracle's for adagrad/torch", () => {
    const info = algorithmInfo('adagrad');
    expect(info.sparseOracle('torch')).not.toBe(info.oracle('torch'));
    expect(info.sparseOracle('tfjs')).toBe(info.oracle('tfjs'));
    const opt = new Adagrad([{ data: new Float32Array(4), rows: 2 }], { backend: 'js' });
    opt.step([{ indices: Int32Array.of(1), values: Float32Array.of(1, 2) }]);
    expect([...opt.params[0]!.data.subarray(0, 2)]).toEqual([0, 0]);
  });
});

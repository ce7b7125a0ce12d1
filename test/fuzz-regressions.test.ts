// Every case under test/fixtures/fuzz-regressions/ is replayed through the full fuzz checks
// (all backends, the float64 oracle, its laws, its invalid input). A fixture is a shrunk case as
// `wasm-optim fuzz` prints it; one with a "bug" field shows a library bug that is still open
// and is expected to fail (it.fails) until the bug is fixed — then drop the field (and the
// matching KNOWN_BUGS entry in fuzz.test.ts) and it becomes an ordinary regression test.
// Also: the case format round-trips, `--replay` re-runs a case and tells a file that is not a
// case from one, the shrinker shrinks, and the generators of failing addParamGroup calls and of
// memory cases past 2 GiB (scaled down here; full size in fuzz-big.test.ts) do what they say.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIG_DEFAULT_PROBABILITY, buildBigCase } from '../tools/fuzz/big.js';
import { caseFromJson, caseToJson, caseToText, gradValues, type AddGroupBadOp } from '../tools/fuzz/case.js';
import { caseAt, shrinkFailure } from '../tools/fuzz/engine.js';
import { TOO_LARGE } from '../tools/fuzz/failed-add.js';
import { shrinkCase } from '../tools/fuzz/shrink.js';
import { buildCase } from '../tools/fuzz/generate.js';
import { algorithmInfo, combinations, registryAlgorithms } from '../tools/fuzz/info.js';
import { Random } from '../tools/fuzz/random.js';
import { readCaseFile, replayFiles, ReplayPathError } from '../tools/fuzz/replay.js';
import { runCase } from '../tools/fuzz/runner.js';
import { bigMemorySetting, parseFuzzArgs } from '../tools/cli/fuzz.js';
import { FLAVORS } from '../src/spec.js';

const DIR = new URL('./fixtures/fuzz-regressions/', import.meta.url);
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('fuzz regression fixtures', () => {
  it('has fixtures', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    const json = JSON.parse(readFileSync(new URL(file, DIR), 'utf8')) as Record<string, unknown>;
    const bug = typeof json['bug'] === 'string' ? json['bug'] : undefined;
    const test = bug === undefined ? it : it.fails;
    test(`${file}${bug === undefined ? '' : ` (open library bug: ${bug})`}`, () => {
      const c = caseFromJson(json);
      const result = runCase(c, { stopAtFirst: true });
      const m = result.mismatches[0];
      expect(m, m ? `${m.kind} (${m.check}) after op ${m.op}: ${m.where}: ${m.message}` : '').toBeUndefined();
      expect(result.steps).toBe(c.ops.filter((op) => op.op === 'step').length);
    }, 30_000);
  }
});

describe('the fuzz case format and tools', () => {
  const knobs = {
    algorithm: 'rmsprop',
    flavor: 'torch' as const,
    seed: 3,
    steps: 6,
    lengths: [5, 0, 17],
    groups: 1,
    options: 2,
    overrides: 1,
    grads: 4,
    init: 4,
    sequence: 4,
    mode: 2,
    sources: 2,
    nullGrads: 1,
    sets: 2,
    addGroups: 1,
    checkpoints: 1,
    bad: 1,
    laws: 15,
  };

  it('a case survives JSON exactly (NaN, ±Infinity, −0, subnormals) and replays the same', () => {
    const c = buildCase(knobs);
    const text = JSON.stringify(caseToJson(c));
    const back = caseFromJson(JSON.parse(text));
    expect(JSON.stringify(caseToJson(back))).toBe(text);
    expect(caseFromJson(JSON.parse(caseToText(c))).ops.length).toBe(c.ops.length);
    const a = runCase(c),
      b = runCase(back);
    expect(b.valuesCompared).toBe(a.valuesCompared);
    expect(b.mismatches).toEqual(a.mismatches);
  });

  it('the shrinker reduces a failing case to its essence', () => {
    // A stand-in failure: "some gradient has a value above 1".
    const c = buildCase({ ...knobs, grads: 0, bad: 0, laws: 0 });
    const fails = (x: typeof c): boolean =>
      x.ops.some((op) => op.op === 'step' && op.grads.some((g) => gradValues(g)?.some((v) => v > 1)));
    expect(fails(c)).toBe(true);
    const { case: small } = shrinkCase(c, fails, { ms: 10_000 });
    expect(fails(small)).toBe(true);
    const steps = small.ops.filter((op) => op.op === 'step');
    expect(steps.length).toBe(1);
    const values = steps.flatMap((op) => (op.op === 'step' ? op.grads.flatMap((g) => [...(gradValues(g) ?? [])]) : []));
    expect(values.filter((v) => v > 1)).toEqual([2]);
    expect(values.length).toBeLessThanOrEqual(2);
  });

  it('shrinkFailure keeps the same failure and reduces the case (a "bad" input that is valid)', () => {
    // A bad-input operation whose value is in fact valid: the runner reports "accepted".
    const c = buildCase({ ...knobs, algorithm: 'adagrad', laws: 0, bad: 0 });
    const ops = [...c.ops];
    ops.splice(ops.length - 1, 0, { op: 'bad', bad: { kind: 'construct', what: 'option', key: 'lr', value: 0.5 } });
    const failing = { ...c, ops };
    const m = runCase(failing).mismatches[0];
    expect(m).toMatchObject({ kind: 'bad-input', check: 'construct' });
    const f = shrinkFailure(failing, m!, {}, 10_000);
    expect(f.shrunkMismatch).toMatchObject({ kind: 'bad-input', check: 'construct' });
    expect(f.shrunkSize.values).toBeLessThanOrEqual(2);
    expect(f.shrunkSize.ops).toBe(1);
    const replayed = caseFromJson(JSON.parse(JSON.stringify(f.shrunk)));
    expect(runCase(replayed).mismatches[0]).toMatchObject({ kind: 'bad-input', message: f.shrunkMismatch.message });
  });

  it('parses the command line as documented', () => {
    expect(parseFuzzArgs(['--seconds', '60'])).toMatchObject({ seconds: 60 });
    expect(
      parseFuzzArgs([
        '--cases',
        '10',
        '--seed',
        '0x10',
        '--algorithm',
        'adagrad,rmsprop',
        '--flavor',
        'tfjs',
        '--json',
      ]),
    ).toMatchObject({ cases: 10, seed: 16, algorithms: ['adagrad', 'rmsprop'], flavors: ['tfjs'], json: true });
    expect(parseFuzzArgs(['--replay', 'a.json', 'b.json'])).toMatchObject({ replay: ['a.json', 'b.json'] });
    for (const bad of [
      ['--seconds', '-1'],
      ['--cases', '1.5'],
      ['--algorithm', 'nope'],
      ['--flavor', 'jax'],
      ['--seconds', '1', '--cases', '2'],
      ['--wat'],
      ['--replay'],
    ]) {
      expect(typeof parseFuzzArgs(bad), bad.join(' ')).toBe('string');
    }
  });
});

describe('reading case files (--replay)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-replay-'));
  const fixture = JSON.parse(readFileSync(new URL('oracle-fused-overflow.json', DIR), 'utf8')) as Record<
    string,
    unknown
  >;
  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  // biome-ignore lint/suspicious/noExplicitAny: the tests poke at arbitrary paths of an untyped JSON case
  type Json = Record<string, any>;
  const variant = (edit: (c: Json) => void): string => {
    const c = JSON.parse(JSON.stringify(fixture)) as Json;
    edit(c);
    return JSON.stringify(c);
  };

  it('tells a file that is not JSON, or not a case, from a case, naming what is wrong', () => {
    expect(readCaseFile(write('ok.json', JSON.stringify(fixture)))).toHaveProperty('case');
    expect(readCaseFile(write('broken.json', '{"format": "wasm-optim-fuzz/1", "ops": ['))).toEqual({
      error: expect.stringMatching(/^not valid JSON: /),
    });
    expect(readCaseFile(join(dir, 'absent.json'))).toEqual({ error: expect.stringMatching(/^cannot read it: /) });
    const shapes: [string, (c: Json) => void, RegExp][] = [
      [
        'format',
        (c) => {
          c['format'] = 'other/1';
        },
        /format is "other\/1"/,
      ],
      [
        'grads',
        (c) => {
          c['ops'][0].grads.push([1]);
        },
        /ops\[0\]\.grads has 2 gradient\(s\), expected one per tensor: 1/,
      ],
      [
        'length',
        (c) => {
          c['ops'][0].grads[0].push(1);
        },
        /ops\[0\]\.grads\[0\] has length \d+, tensor 0 has \d+/,
      ],
      [
        'op',
        (c) => {
          c['ops'].push({ op: 'jump' });
        },
        /ops\[2\]\.op is "jump"/,
      ],
      [
        'set',
        (c) => {
          c['ops'].unshift({ op: 'set', group: 3, key: 'lr', value: 0.1 });
        },
        /ops\[0\]\.group is 3; there are 1 groups/,
      ],
      [
        'tensors',
        (c) => {
          c['tensors'] = 5;
        },
        /tensors must be an array/,
      ],
      [
        'init',
        (c) => {
          c['tensors'][0].init = 'x';
        },
        /tensors\[0\]\.init must be a list/,
      ],
      [
        'groups',
        (c) => {
          c['groups'][0].size = 2;
        },
        /group sizes do not add up/,
      ],
      [
        'law',
        (c) => {
          c['laws'] = [{ law: 'split', backend: 'js', group: 0, at: 1 }];
        },
        /laws\[0\]: split needs/,
      ],
      [
        'backend',
        (c) => {
          c['laws'] = [{ law: 'twin', backend: 'gpu' }];
        },
        /laws\[0\]\.backend must be one of/,
      ],
    ];
    for (const [name, edit, message] of shapes) {
      const read = readCaseFile(write(`${name}.json`, variant(edit)));
      expect(read, name).toEqual({ error: expect.stringMatching(/^not a wasm-optim-fuzz\/1 case: /) });
      expect((read as { error: string }).error, name).toMatch(message);
    }
  });

  it('a path that names nothing to replay is a mistake in the command, named', () => {
    const empty = mkdtempSync(join(tmpdir(), 'fuzz-empty-'));
    writeFileSync(join(empty, 'notes.txt'), 'not a case');
    expect(() => replayFiles([empty])).toThrow(
      new ReplayPathError(`--replay: directory ${empty} holds no .json case file`),
    );
    expect(() => replayFiles([join(dir, 'absent.json')])).toThrow(
      /--replay: .*absent\.json: no such file or directory/,
    );
    expect(replayFiles([fileURLToPath(DIR)])).toHaveLength(files.length);
  });
});

describe('the state a loaded entry may leave out', () => {
  it('follows the options the state dict carries (TF.js SGD at momentum 0 is tf.train.sgd)', () => {
    expect(algorithmInfo('sgd').requiredState('tfjs', { momentum: 0, nesterov: false })).toEqual([]);
    expect(algorithmInfo('sgd').requiredState('tfjs', { momentum: 0.9, nesterov: false })).toEqual(['momentum_buffer']);
    expect(algorithmInfo('sgd').requiredState('tfjs', { momentum: 0, nesterov: true })).toEqual(['momentum_buffer']);
    // tf.train.momentum keeps its accumulator at momentum 0; PyTorch's buffer may be None.
    expect(algorithmInfo('momentum').requiredState('tfjs', { momentum: 0, nesterov: false })).toEqual([
      'momentum_buffer',
    ]);
    expect(algorithmInfo('sgd').requiredState('torch', { momentum: 0.9 })).toEqual([]);
    expect(algorithmInfo('adam').requiredState('tfjs', {})).toEqual(['exp_avg', 'm', 'exp_avg_sq', 'v']);
  });
});

describe('failed additions', () => {
  const whats: AddGroupBadOp[] = [
    { kind: 'addGroup', what: 'option', key: 'lr', value: -1 },
    { kind: 'addGroup', what: 'option', key: 'lr', value: { $n: 'NaN' } },
    { kind: 'addGroup', what: 'unknownOption', key: 'lrr' },
    { kind: 'addGroup', what: 'param', value: '3' },
    { kind: 'addGroup', what: 'param', value: { $typed: 'Float64Array', values: [1, 2] } },
    { kind: 'addGroup', what: 'duplicate', pick: 0 },
    { kind: 'addGroup', what: 'selfDuplicate' },
    ...TOO_LARGE.map((value): AddGroupBadOp => ({ kind: 'addGroup', what: 'tooLarge', value })),
  ];
  const around = {
    before: [
      { length: 17, source: false },
      { length: 3, source: true },
    ],
    after: [{ length: 5, source: true }],
  };

  it('every kind, among valid tensors, throws and changes nothing, then or later (every algorithm and flavor)', () => {
    for (const [algorithm, flavor] of combinations(registryAlgorithms(), FLAVORS)) {
      const c = caseFromJson({
        format: 'wasm-optim-fuzz/1',
        algorithm,
        flavor,
        options: {},
        tensors: [
          { init: [1, -2, 0.5], source: true },
          { init: [0.25, 4], source: false },
        ],
        groups: [{ size: 2, options: {} }],
        laws: [
          { law: 'twin', backend: 'simd' },
          { law: 'twin', backend: 'js' },
        ],
        ops: [
          {
            op: 'step',
            mode: 'dropin',
            grads: [
              [0.5, -1, 2],
              [1, 1],
            ],
          },
          ...whats.map((bad, k) => ({ op: 'bad', bad: k % 2 === 0 ? { ...bad, ...around } : bad })),
          {
            op: 'step',
            mode: 'zerocopy',
            grads: [
              [1, 1, -0.5],
              [0, -2],
            ],
          },
          { op: 'addGroup', tensors: [{ init: [3, 3], source: true }], options: {} },
          {
            op: 'step',
            mode: 'dropin',
            grads: [
              [0.5, 0, -3],
              [2, 2],
              [1, -1],
            ],
          },
        ],
      });
      const result = runCase(c);
      const m = result.mismatches[0];
      expect(
        m,
        m ? `${algorithm}/${flavor}: ${m.kind} (${m.check}) op ${m.op}: ${m.where}: ${m.message}` : '',
      ).toBeUndefined();
      expect(result.failedAdds).toBe(whats.length);
      expect(result.lawsChecked['twin']).toBe(1);
    }
  });

  it('the twin law sees a failed call that changes only what comes later', () => {
    // A stand-in for a library that keeps a half-added parameter out of sight: after a failed
    // addParamGroup its next step is taken twice. Only the twin (which never made the call) differs.
    const Class = algorithmInfo('adagrad').Class.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const marked = new WeakSet<object>();
    const add = Class['addParamGroup']!,
      step = Class['step']!;
    Class['addParamGroup'] = function (this: object, ...a: unknown[]) {
      try {
        return add.apply(this, a);
      } catch (error) {
        marked.add(this);
        throw error;
      }
    };
    Class['step'] = function (this: object, ...a: unknown[]) {
      if (marked.delete(this)) step.apply(this, a);
      return step.apply(this, a);
    };
    try {
      const c = caseFromJson({
        format: 'wasm-optim-fuzz/1',
        algorithm: 'adagrad',
        flavor: 'torch',
        options: {},
        tensors: [{ init: [1, 2, 3], source: true }],
        groups: [{ size: 1, options: {} }],
        laws: [{ law: 'twin', backend: 'wasm' }],
        ops: [
          { op: 'bad', bad: { kind: 'addGroup', what: 'option', key: 'lr', value: -1 } },
          { op: 'step', mode: 'dropin', grads: [[1, 1, 1]] },
        ],
      });
      expect(runCase(c, { oracle: false }).mismatches[0]).toMatchObject({ kind: 'law', check: 'twin', op: 1 });
      expect(runCase({ ...c, laws: [] }, { oracle: false }).mismatches).toEqual([]);
    } finally {
      delete Class['addParamGroup'];
      delete Class['step'];
    }
  });

  it('generated on their own random stream: the rest of the case is the same without them', () => {
    const knobs = {
      algorithm: 'adam',
      flavor: 'torch' as const,
      seed: 11,
      steps: 12,
      lengths: [5, 9],
      groups: 1,
      options: 1,
      overrides: 0,
      grads: 0,
      init: 0,
      sequence: 0,
      mode: 2,
      sources: 2,
      nullGrads: 1,
      sets: 1,
      addGroups: 1,
      checkpoints: 1,
      bad: 1,
      laws: 2,
    };
    const plain = buildCase(knobs);
    const withFailed = buildCase({ ...knobs, failedAdds: 1 });
    const failed = withFailed.ops.filter(
      (op) => op.op === 'bad' && op.bad.kind === 'addGroup' && op.bad.before !== undefined,
    );
    expect(failed.length).toBeGreaterThan(0);
    expect(withFailed.laws.map((l) => l.law)).toContain('twin');
    const stripped = {
      ...withFailed,
      ops: withFailed.ops.filter((op) => !failed.includes(op)),
      laws: withFailed.laws.filter((l) => l.law !== 'twin'),
    };
    expect(JSON.stringify(caseToJson(stripped))).toBe(JSON.stringify(caseToJson(plain)));
  });
});

describe('memory cases past 2 GiB', () => {
  it('the full-size plan: the large tensor takes just past 2 GiB, the whole stays under 4 GiB', () => {
    for (const [algorithm, flavor] of combinations(registryAlgorithms(), FLAVORS)) {
      for (let seed = 0; seed < 4; seed++) {
        const c = buildBigCase(new Random(seed), algorithm, flavor);
        const rule = algorithmInfo(algorithm).oracle(flavor)!;
        const buffers = Object.keys(
          rule.buffers({ ...algorithmInfo(algorithm).flavors[flavor]!.defaults, ...c.options }),
        ).length;
        const bytes = 4 * (2 + buffers) * c.big!.length;
        expect(bytes, `${algorithm}/${flavor}`).toBeGreaterThan(2 ** 31);
        expect(bytes).toBeLessThan(2 ** 31 + 2 ** 25);
        // Small tensors after the large one, and only the last step over it.
        expect(c.tensors.length).toBeGreaterThan(c.big!.tensor + 1);
        const steps = c.ops.filter((op) => op.op === 'step');
        expect(steps.map((op) => op.op === 'step' && op.grads[c.big!.tensor] !== null)).toEqual(
          steps.map((_, k) => k === steps.length - 1),
        );
      }
    }
  });

  it('scaled down, every algorithm and flavor: backends and the oracle agree, the large tensor sampled', () => {
    for (const [algorithm, flavor] of combinations(registryAlgorithms(), FLAVORS)) {
      for (let seed = 0; seed < 3; seed++) {
        const built = buildBigCase(new Random(seed, 9), algorithm, flavor, 2 ** 20);
        const c = caseFromJson(JSON.parse(caseToText(built)));
        expect(c.big).toEqual(built.big);
        const result = runCase(c);
        const m = result.mismatches[0];
        expect(
          m,
          m ? `${algorithm}/${flavor}: ${m.kind} (${m.check}) op ${m.op}: ${m.where}: ${m.message}` : '',
        ).toBeUndefined();
        expect(result.steps).toBe(c.ops.filter((op) => op.op === 'step').length);
        expect(result.oracle!.compared).toBeGreaterThan(0);
        expect(result.bigMemory).toBe(0); // a few MiB: not past 2 GiB
      }
    }
    // About 4 s alone for every algorithm/flavor pair (SparseAdam one more); more on a loaded machine.
  }, 30_000);

  it('scaled down: a backend that gets one sampled element of the large tensor wrong is caught', () => {
    const c = buildBigCase(new Random(5), 'rmsprop', 'torch', 2 ** 20);
    const { tensor, sample } = c.big!;
    const j = sample[sample.length - 3]!;
    const Class = algorithmInfo('rmsprop').Class.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const step = Class['step']!;
    Class['step'] = function (this: { backend: string; params: readonly { data: Float32Array }[] }, ...a: unknown[]) {
      const out = step.apply(this, a);
      if (this.backend === 'wasm') this.params[tensor]!.data[j]! += 1;
      return out;
    };
    try {
      expect(runCase(c).mismatches[0]).toMatchObject({
        kind: 'backend',
        check: 'wasm',
        where: `params[${tensor}][${j}]`,
      });
    } finally {
      delete Class['step'];
    }
  });

  it('caseAt makes them only when asked, on a stream of their own', () => {
    const plan = { seed: 4, algorithms: ['sgd', 'adam'], flavors: [...FLAVORS] };
    expect(caseAt({ ...plan, bigMemory: 1 }, 3).big).toBeDefined();
    expect(caseToJson(caseAt({ ...plan, bigMemory: 0 }, 3))).toEqual(caseToJson(caseAt(plan, 3)));
  });

  it('the CLI runs them only where the memory allows (about 3 GiB per backend)', () => {
    const GiB = 2 ** 30;
    expect(bigMemorySetting(undefined, 3, 16 * GiB)).toEqual({ probability: BIG_DEFAULT_PROBABILITY });
    expect(bigMemorySetting(0.01, 3, 16 * GiB)).toEqual({ probability: 0.01 });
    expect(bigMemorySetting(undefined, 3, 8 * GiB)).toEqual({ probability: 0 });
    expect(bigMemorySetting(0.01, 3, 8 * GiB)).toMatchObject({
      probability: 0,
      note: expect.stringMatching(/--big-memory 0\.01 ignored: .*need 9 GiB/),
    });
    expect(bigMemorySetting(0, 3, 64 * GiB)).toEqual({ probability: 0 });
    expect(parseFuzzArgs(['--big-memory', '0.5'])).toMatchObject({ bigMemory: 0.5 });
    expect(typeof parseFuzzArgs(['--big-memory', '2'])).toBe('string');
  });
});

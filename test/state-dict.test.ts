// The state dict: PyTorch's layout and names, copies not views, and a resume through
// loadStateDict (directly, through JSON, across backends) that continues bit for bit.
import { describe, expect, it } from 'vitest';
import { Adagrad, RMSprop, availableBackends, type BackendName, type Flavor } from '../src/index.js';
import {
  bitsOf,
  construct,
  dataBits,
  encode,
  gradsFor,
  jsonRoundTrip,
  stateBits,
  values,
  zeroCopyStep,
  type Algo,
  type AnyOptimizer,
} from './helpers/snapshot.js';
import {
  FLAVOR_CASES,
  TABLE_NAMES,
  buffersOf,
  classNameOf,
  flavorRow,
  hasStepOf,
  specFor,
  stateKeysOf,
  withDefaults,
} from './helpers/algorithms.js';

const backends = availableBackends();
const f32 = Math.fround;

type Dict = { state: Record<string, Record<string, unknown>>; param_groups: Record<string, unknown>[] };
const loose = (opt: AnyOptimizer): Dict => opt.stateDict() as unknown as Dict;
const filled = (n: number, x: number): Float32Array => new Float32Array(n).fill(x);

describe.each(backends)('layout and names (backend %s)', (backend) => {
  it('Adagrad torch: state exists from construction with step 0 and sum = initialAccumulatorValue', () => {
    const a = values(5, 1);
    const b = values(3, 2);
    const opt = new Adagrad([a, b], { lr: 0.1, initialAccumulatorValue: 0.25, backend });
    const d = opt.stateDict();
    expect(Object.keys(d).sort()).toEqual(['flavor', 'param_groups', 'state']);
    expect(d.flavor).toBe('torch');
    expect(Object.keys(d.state)).toEqual(['0', '1']);
    expect(Object.keys(d.state[0]!).sort()).toEqual(['step', 'sum']);
    expect(d.state[0]!.step).toBe(0);
    expect(d.state[0]!.sum).toBeInstanceOf(Float32Array);
    expect(bitsOf(d.state[0]!.sum!)).toEqual(bitsOf(filled(5, 0.25)));
    expect(bitsOf(d.state[1]!.sum!)).toEqual(bitsOf(filled(3, 0.25)));
    expect(d.param_groups).toEqual([
      {
        lr: 0.1,
        lrDecay: 0,
        weightDecay: 0,
        initialAccumulatorValue: 0.25,
        eps: 1e-10,
        maximize: false,
        params: [0, 1],
      },
    ]);

    opt.step([values(5, 3), values(3, 4)]);
    opt.step([values(5, 5), null]);
    const after = opt.stateDict();
    expect(after.state[0]!.step).toBe(2);
    expect(after.state[1]!.step).toBe(1);
    // sum grew by the squared gradients: no longer the initial value anywhere.
    after.state[0]!.sum!.forEach((s) => expect(s).toBeGreaterThan(0.25));
  });

  it('Adagrad tfjs: TF.js defaults in param_groups, sum starts at 0.1', () => {
    const opt = new Adagrad([values(6, 1)], { flavor: 'tfjs', backend });
    const d = opt.stateDict();
    expect(d.param_groups).toEqual([
      { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0.1, eps: 1e-7, maximize: false, params: [0] },
    ]);
    expect(Object.keys(d.state[0]!).sort()).toEqual(['step', 'sum']);
    expect(d.state[0]!.step).toBe(0);
    expect(bitsOf(d.state[0]!.sum!)).toEqual(bitsOf(filled(6, f32(0.1))));
  });

  it('RMSprop torch: empty state before the first step, PyTorch defaults in param_groups', () => {
    const opt = new RMSprop([values(5, 1), values(3, 2)], { backend });
    const d = opt.stateDict();
    expect(d.state).toEqual({});
    expect(d.param_groups).toEqual([
      {
        lr: 0.01,
        alpha: 0.99,
        eps: 1e-8,
        weightDecay: 0,
        momentum: 0,
        centered: false,
        maximize: false,
        lazy: false, // ours, not PyTorch's: how row-sparse gradients are taken (README "Embeddings")
        params: [0, 1],
      },
    ]);
  });

  const TORCH_BUFFERS = [
    { momentum: 0, centered: false, names: ['square_avg'] },
    { momentum: 0.9, centered: false, names: ['momentum_buffer', 'square_avg'] },
    { momentum: 0, centered: true, names: ['grad_avg', 'square_avg'] },
    { momentum: 0.9, centered: true, names: ['grad_avg', 'momentum_buffer', 'square_avg'] },
  ];
  it.each(TORCH_BUFFERS)(
    'RMSprop torch momentum $momentum centered $centered: buffers $names',
    ({ momentum, centered, names }) => {
      const opt = new RMSprop([values(5, 1), values(3, 2)], { momentum, centered, backend });
      opt.step(gradsFor([5, 3], 1));
      const d = opt.stateDict();
      expect(Object.keys(d.state)).toEqual(['0', '1']);
      for (const [i, n] of [
        [0, 5],
        [1, 3],
      ] as const) {
        const entry = d.state[i]! as Record<string, unknown>;
        expect(Object.keys(entry).sort()).toEqual(['step', ...names].sort());
        expect(entry['step']).toBe(1);
        for (const name of names) {
          expect(entry[name]).toBeInstanceOf(Float32Array);
          expect((entry[name] as Float32Array).length).toBe(n);
          // after one step with nonzero gradients every buffer holds nonzero values
          (entry[name] as Float32Array).forEach((x) => expect(x).not.toBe(0));
        }
      }
    },
  );

  it.each([
    { momentum: 0, centered: false, names: ['momentum_buffer', 'square_avg'] },
    { momentum: 0.9, centered: false, names: ['momentum_buffer', 'square_avg'] },
    { momentum: 0, centered: true, names: ['grad_avg', 'momentum_buffer', 'square_avg'] },
  ])(
    'RMSprop tfjs momentum $momentum centered $centered: always a momentum_buffer ($names)',
    ({ momentum, centered, names }) => {
      const opt = new RMSprop([values(5, 1)], { momentum, centered, flavor: 'tfjs', backend });
      expect(opt.stateDict().state).toEqual({});
      expect(opt.stateDict().param_groups[0]).toMatchObject({ lr: 0.01, alpha: 0.9, eps: 1e-7, momentum, centered });
      opt.step(gradsFor([5], 1));
      const entry = opt.stateDict().state[0]! as Record<string, unknown>;
      expect(Object.keys(entry).sort()).toEqual(['step', ...names].sort());
      expect(entry['step']).toBe(1);
    },
  );

  it('RMSprop: per-group buffers, and no state for a parameter that never had a gradient', () => {
    const opt = new RMSprop(
      [{ params: [values(5, 1), values(3, 2)] }, { params: [values(7, 3)], momentum: 0.5, centered: true }],
      { backend },
    );
    opt.step([values(5, 4), null, values(7, 5)]);
    let d = opt.stateDict();
    expect(Object.keys(d.state)).toEqual(['0', '2']);
    expect(Object.keys(d.state[0]!).sort()).toEqual(['square_avg', 'step']);
    expect(Object.keys(d.state[2]!).sort()).toEqual(['grad_avg', 'momentum_buffer', 'square_avg', 'step']);
    expect(d.param_groups.map((g) => g.params)).toEqual([[0, 1], [2]]);
    opt.step([values(5, 6), values(3, 7), undefined as never]);
    d = opt.stateDict();
    expect(Object.keys(d.state)).toEqual(['0', '1', '2']);
    expect([d.state[0]!.step, d.state[1]!.step, d.state[2]!.step]).toEqual([2, 1, 1]);
  });
});

// Every algorithm and flavor of the table: what the spec says the state dict holds.
describe.each(backends)('layout and names, every algorithm (backend %s)', (backend) => {
  it.each(FLAVOR_CASES)('$name: defaults in param_groups, state when and as the spec says', ({ algorithm, flavor }) => {
    const spec = specFor(algorithm);
    const lengths = [5, 3];
    const opt = construct(algorithm, [values(5, 1), values(3, 2)], { flavor, backend });
    const d = loose(opt);
    // Unset options are the flavor's defaults, in the rules' order, then params.
    expect(d.param_groups).toEqual([{ ...withDefaults(algorithm, flavor, {}), params: [0, 1] }]);
    expect(Object.keys(d.param_groups[0]!)).toEqual([...Object.keys(spec.rules), 'params']);
    // PyTorch creates Adagrad's state in the constructor, the others' at the first step.
    const initial = buffersOf(algorithm, flavor, {});
    if (spec.stateAtConstruction) {
      expect(Object.keys(d.state)).toEqual(['0', '1']);
      for (const [i, entry] of Object.entries(d.state)) {
        expect(entry['step']).toBe(0);
        for (const name of initial) {
          const value = spec.flavors[flavor]!.initialValue(name, withDefaults(algorithm, flavor, {}));
          expect(bitsOf(entry[name] as Float32Array), name).toEqual(bitsOf(filled(lengths[Number(i)]!, value)));
        }
      }
    } else {
      expect(d.state).toEqual({});
    }
    // With every buffer on: after a step each parameter shows exactly the spec's keys.
    const full = flavorRow(algorithm, flavor).full;
    const stepped = construct(algorithm, [values(5, 1), values(3, 2)], { ...full, flavor, backend });
    stepped.step(gradsFor(lengths, 1));
    const state = loose(stepped).state;
    expect(Object.keys(state)).toEqual(['0', '1']);
    for (const [i, entry] of Object.entries(state)) {
      expect(Object.keys(entry).sort()).toEqual(stateKeysOf(algorithm, flavor, full));
      for (const name of buffersOf(algorithm, flavor, full)) {
        expect(entry[name], name).toBeInstanceOf(Float32Array);
        expect((entry[name] as Float32Array).length, name).toBe(lengths[Number(i)]);
      }
      if (hasStepOf(algorithm, flavor)) expect(entry['step']).toBe(1);
    }
  });
});

describe.each(backends)('stateDict() returns copies (backend %s)', (backend) => {
  it.each(['Adagrad', 'RMSprop'] as const)('%s', (algo) => {
    const make = (): { opt: AnyOptimizer; user: Float32Array[] } => {
      const user = [values(5, 1), values(3, 2)];
      const opt = construct(algo, user, { backend, ...(algo === 'RMSprop' ? { momentum: 0.9, centered: true } : {}) });
      opt.step(gradsFor([5, 3], 1));
      return { opt, user };
    };
    const { opt, user } = make();
    const twin = make();
    const expected = stateBits(opt);
    const d = loose(opt);
    const d2 = loose(opt);
    expect(d2.state['0']!['square_avg'] ?? d2.state['0']!['sum']).not.toBe(
      d.state['0']!['square_avg'] ?? d.state['0']!['sum'],
    );
    // Mutate everything in the dict.
    for (const entry of Object.values(d.state)) {
      entry['step'] = 99;
      for (const value of Object.values(entry)) if (value instanceof Float32Array) value.fill(123);
    }
    d.param_groups[0]!['lr'] = 5;
    (d.param_groups[0]!['params'] as number[]).push(7);
    expect(stateBits(opt)).toEqual(expected);
    expect(opt.paramGroups[0]!['lr']).toBe(0.01);
    // The dict is a snapshot, not a live view: stepping does not change it.
    const frozen = encode(d2);
    opt.step(gradsFor([5, 3], 2));
    expect(encode(d2)).toEqual(frozen);
    expect(stateBits(opt)).not.toEqual(expected);
    // And the optimizer behaves as if nothing happened.
    twin.opt.step(gradsFor([5, 3], 2));
    expect(stateBits(opt)).toEqual(stateBits(twin.opt));
    expect(user.map(bitsOf)).toEqual(twin.user.map(bitsOf));
  });
});

describe.each(backends)('stateDict() returns copies, every algorithm (backend %s)', (backend) => {
  it.each(FLAVOR_CASES)('$name, every buffer on', ({ algorithm, flavor }) => {
    const full = flavorRow(algorithm, flavor).full;
    const buffer = buffersOf(algorithm, flavor, full)[0]!;
    const make = (): { opt: AnyOptimizer; user: Float32Array[] } => {
      const user = [values(5, 1), values(3, 2)];
      const opt = construct(algorithm, user, { ...full, flavor, backend });
      opt.step(gradsFor([5, 3], 1));
      return { opt, user };
    };
    const { opt, user } = make();
    const twin = make();
    const expected = stateBits(opt);
    const d = loose(opt);
    const d2 = loose(opt);
    expect(d2.state['0']![buffer]).not.toBe(d.state['0']![buffer]);
    expect(d2.param_groups[0]).not.toBe(d.param_groups[0]);
    // Mutate everything in the dict.
    for (const entry of Object.values(d.state)) {
      entry['step'] = 99;
      for (const value of Object.values(entry)) if (value instanceof Float32Array) value.fill(123);
    }
    const lr = opt.paramGroups[0]!['lr'];
    d.param_groups[0]!['lr'] = 5;
    // Arrays in the group (params; a pair such as betas unless frozen, which no one can change).
    for (const value of Object.values(d.param_groups[0]!)) {
      if (Array.isArray(value) && !Object.isFrozen(value)) value.push(7);
    }
    expect(stateBits(opt)).toEqual(expected);
    expect(opt.paramGroups[0]!['lr']).toBe(lr);
    // The dict is a snapshot, not a live view: stepping does not change it.
    const frozen = encode(d2);
    opt.step(gradsFor([5, 3], 2));
    expect(encode(d2)).toEqual(frozen);
    expect(stateBits(opt)).not.toEqual(expected);
    // And the optimizer behaves as if nothing happened.
    twin.opt.step(gradsFor([5, 3], 2));
    expect(stateBits(opt)).toEqual(stateBits(twin.opt));
    expect(user.map(bitsOf)).toEqual(twin.user.map(bitsOf));
  });
});

// ---------------------------------------------------------------- resume

interface Config {
  algo: Algo;
  flavor: Flavor;
  options: Record<string, unknown>;
  /** Param groups over the four user arrays (lengths 5, 3, 13, 1: none a multiple of 4). */
  groups: (p: Float32Array[]) => Record<string, unknown>[];
}

const LENGTHS = [5, 3, 13, 1];

const CONFIGS: Config[] = [
  {
    algo: 'Adagrad',
    flavor: 'torch',
    options: { lr: 0.1 },
    groups: (p) => [
      { params: [p[0], p[1]] },
      { params: [p[2], p[3]], lr: 0.05, lrDecay: 0.1, weightDecay: 0.01, initialAccumulatorValue: 0.1, maximize: true },
    ],
  },
  {
    algo: 'Adagrad',
    flavor: 'tfjs',
    options: { lr: 0.1 },
    groups: (p) => [{ params: [p[0], p[1]] }, { params: [p[2], p[3]], lr: 0.05, initialAccumulatorValue: 0.3 }],
  },
  {
    algo: 'RMSprop',
    flavor: 'torch',
    options: { lr: 0.01, alpha: 0.9 },
    groups: (p) => [
      { params: [p[0], p[1]] },
      { params: [p[2]], momentum: 0.9, centered: true, weightDecay: 0.01 },
      { params: [p[3]], momentum: 0.5, maximize: true },
    ],
  },
  {
    algo: 'RMSprop',
    flavor: 'tfjs',
    options: { lr: 0.01 },
    groups: (p) => [
      { params: [p[0], p[1]] },
      { params: [p[2]], momentum: 0.9, centered: true },
      { params: [p[3]], momentum: 0.5, alpha: 0.8 },
    ],
  },
  // Every algorithm and flavor of the table: group 0 with the first of its option pair, group 1
  // overriding every option with the second.
  ...FLAVOR_CASES.map(({ algorithm, flavor }): Config => {
    const [x, y] = flavorRow(algorithm, flavor).pair;
    return {
      algo: classNameOf(algorithm),
      flavor,
      options: { ...x },
      groups: (p) => [{ params: [p[0], p[1]] }, { params: [p[2], p[3]], ...y }],
    };
  }),
];

/** The gradients of step t, some skipped (null) so the per-parameter step counts differ. */
function grads(t: number): (Float32Array | null)[] {
  const g: (Float32Array | null)[] = gradsFor(LENGTHS, t);
  if (t === 1) g[3] = null;
  if (t === 5) g[0] = null;
  return g;
}

/** Step t of a run: drop-in, except a zero-copy step at t = 6. */
function stepAt(opt: AnyOptimizer, t: number): void {
  if (t === 6) zeroCopyStep(opt, gradsFor(LENGTHS, t));
  else opt.step(grads(t));
}

const optionsOf = (opt: AnyOptimizer): unknown =>
  encode(opt.paramGroups.map((g) => ({ ...g, params: g.params.map((h) => h.index) })));

function resume(config: Config, backendA: BackendName, backendB: BackendName, viaJson: boolean): void {
  const { algo, flavor } = config;
  const userA = LENGTHS.map((n, k) => values(n, 10 + k));
  const a = construct(algo, config.groups(userA), { ...config.options, flavor, backend: backendA });
  for (let t = 1; t <= 3; t++) stepAt(a, t);
  const dict = a.stateDict();
  for (const entry of Object.values(dict.state)) {
    for (const v of Object.values(entry))
      if (v instanceof Float32Array) v.forEach((x) => expect(Number.isFinite(x)).toBe(true));
  }
  // B: the same parameter values and group structure, but none of A's options.
  const userB = userA.map((p) => p.slice());
  const b = construct(
    algo,
    config.groups(userB).map((g) => ({ params: g['params'] })),
    { flavor, backend: backendB },
  );
  expect(optionsOf(b)).not.toEqual(optionsOf(a));
  b.loadStateDict(viaJson ? jsonRoundTrip(dict) : dict);
  // Loading does not touch the parameters, restores the options and the state exactly.
  expect(userB.map(bitsOf)).toEqual(userA.map(bitsOf));
  expect(optionsOf(b)).toEqual(optionsOf(a));
  expect(stateBits(b)).toEqual(stateBits(a));
  for (let t = 4; t <= 8; t++) {
    stepAt(a, t);
    stepAt(b, t);
    expect(dataBits(b), `params after step ${t}`).toEqual(dataBits(a));
    expect(stateBits(b), `state after step ${t}`).toEqual(stateBits(a));
  }
  expect(userB.map(bitsOf)).toEqual(userA.map(bitsOf));
  // The run really moved on from the loaded point.
  expect(stateBits(b)).not.toEqual(encode(dict));
}

describe.each(CONFIGS.map((c, i) => [`${c.algo} ${c.flavor}${i < 4 ? '' : ' (table)'}`, c] as const))(
  'resume %s',
  (_name, config) => {
    backends.forEach((backend, i) => {
      it(`${backend}: loadStateDict(stateDict()) continues bit-identically`, () => {
        resume(config, backend, backend, false);
      });
      it(`${backend}: through a JSON round trip (buffers as number[])`, () => {
        resume(config, backend, backend, true);
      });
      const other = backends[(i + 1) % backends.length]!;
      it(`${backend} → ${other}: across backends`, () => {
        resume(config, backend, other, true);
      });
    });
  },
);

describe.each(backends)('loading options and absent state (backend %s)', (backend) => {
  it.each(TABLE_NAMES.map(classNameOf))(
    '%s: a changed lr in the dict becomes paramGroups[i].lr and is used',
    (algo) => {
      const defaultLr = withDefaults(TABLE_NAMES.find((n) => classNameOf(n) === algo)!, 'torch', {})['lr'];
      const make = (): { opt: AnyOptimizer; user: Float32Array[] } => {
        const user = [values(5, 1), values(3, 2)];
        const opt = construct(algo, [{ params: [user[0]] }, { params: [user[1]], lr: 0.02 }], { backend });
        opt.step(gradsFor([5, 3], 1));
        return { opt, user };
      };
      const loaded = make();
      const assigned = make();
      const unchanged = make();
      const d = loose(loaded.opt);
      d.param_groups[1]!['lr'] = 0.5;
      loaded.opt.loadStateDict(d as never);
      expect(loaded.opt.paramGroups[1]!['lr']).toBe(0.5);
      expect(loaded.opt.paramGroups[0]!['lr']).toBe(defaultLr);
      expect(loaded.opt.defaults['lr']).toBe(defaultLr);
      assigned.opt.paramGroups[1]!['lr'] = 0.5;
      for (const run of [loaded, assigned, unchanged]) run.opt.step(gradsFor([5, 3], 2));
      expect(loaded.user.map(bitsOf)).toEqual(assigned.user.map(bitsOf));
      expect(stateBits(loaded.opt)).toEqual(stateBits(assigned.opt));
      expect(bitsOf(loaded.user[0]!)).toEqual(bitsOf(unchanged.user[0]!));
      expect(bitsOf(loaded.user[1]!)).not.toEqual(bitsOf(unchanged.user[1]!));
    },
  );

  it('RMSprop: loading a dict taken before the first step resets a stepped optimizer to fresh state', () => {
    const user = [values(5, 1), values(3, 2)];
    const opt = new RMSprop(user, { momentum: 0.9, backend });
    const empty = opt.stateDict();
    opt.step(gradsFor([5, 3], 1));
    opt.step(gradsFor([5, 3], 2));
    opt.loadStateDict(empty);
    expect(opt.stateDict().state).toEqual({});
    const fresh = new RMSprop(
      user.map((p) => p.slice()),
      { momentum: 0.9, backend },
    ) as unknown as AnyOptimizer;
    const self = opt as unknown as AnyOptimizer;
    for (let t = 3; t <= 4; t++) {
      self.step(gradsFor([5, 3], t));
      fresh.step(gradsFor([5, 3], t));
    }
    expect(dataBits(self)).toEqual(dataBits(fresh));
    expect(stateBits(self)).toEqual(stateBits(fresh));
  });

  it('Adagrad: the restored step count drives lrDecay', () => {
    const make = (step: number): AnyOptimizer => {
      const opt = construct('Adagrad', [values(4, 1)], { lr: 0.1, lrDecay: 0.5, backend });
      const d = loose(opt);
      d.state['0']!['step'] = step;
      opt.loadStateDict(d as never);
      expect(opt.stateDict().state[0]!['step']).toBe(step);
      opt.step([values(4, 2)]);
      return opt;
    };
    // Same sum, different step: a different effective learning rate.
    expect(dataBits(make(10))).not.toEqual(dataBits(make(0)));
    expect(make(10).stateDict().state[0]!['step']).toBe(11);
  });
});

// PyTorch keeps a buffer once created, even when the option that needs it is switched off, and
// reuses it when the option comes back; the state dict carries it so a resumed run does too.
describe('buffers of switched-off options', () => {
  for (const backend of availableBackends()) {
    it(`${backend}: RMSprop momentum and centered buffers survive off → save → load → on`, () => {
      const grads = [0.5, -1, 2].map((x) => new Float32Array([x, x / 2, -x]));
      const a = new RMSprop([new Float32Array([1, 2, 3])], { momentum: 0.9, centered: true, backend });
      a.step([grads[0]!]);
      a.paramGroups[0]!.momentum = 0;
      a.paramGroups[0]!.centered = false;
      a.step([grads[1]!]);
      const saved = a.stateDict();
      expect(Object.keys(saved.state[0]!).sort()).toEqual(['grad_avg', 'momentum_buffer', 'square_avg', 'step']);
      const b = new RMSprop([a.params[0]!.data.slice()], { backend });
      b.loadStateDict(saved);
      expect(b.stateDict()).toEqual(saved);
      for (const opt of [a, b]) {
        opt.paramGroups[0]!.momentum = 0.9;
        opt.paramGroups[0]!.centered = true;
        opt.step([grads[2]!]);
      }
      expect(Array.from(b.params[0]!.data)).toEqual(Array.from(a.params[0]!.data));
      expect(b.stateDict()).toEqual(a.stateDict());
    });
  }
});

// The schedulers' API beyond the reference sequences (test/schedulers-reference.test.ts): bad
// input (each error names the option, and nothing changes), atomic steps and loads, state dicts
// through JSON, getLastLr, initial_lr across schedulers, and the optimizer's own state dict.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  Adam,
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  MultiplicativeLR,
  OneCycleLR,
  PolynomialLR,
  ReduceLROnPlateau,
  SGD,
  SequentialLR,
  StepLR,
  getInitialLr,
  setInitialLr,
  type Optimizer,
  type Scheduler,
} from '../src/index.js';

/** The optimizers these tests build: wasm-optim's own (a scheduler also drives wasm-optim/tfjs ones). */
type AnyOptimizer = Optimizer<object>;

type Group = { lr: number; momentum?: number; betas?: readonly number[] };

function sgd(lrs: number[] = [0.1, 0.05], momentum = 0.9): AnyOptimizer {
  const opt = new SGD(
    lrs.map((lr) => ({ params: [1], lr, momentum })),
    { lr: lrs[0]!, backend: 'js' },
  );
  return opt as unknown as AnyOptimizer;
}

function adam(lrs: number[] = [0.001, 0.002]): AnyOptimizer {
  return new Adam(
    lrs.map((lr) => ({ params: [1], lr })),
    { backend: 'js' },
  ) as unknown as AnyOptimizer;
}

function groups(opt: AnyOptimizer): Group[] {
  return opt.paramGroups as unknown as Group[];
}

function snapshot(opt: AnyOptimizer): unknown {
  return {
    groups: groups(opt).map((g) => ({ lr: g.lr, momentum: g.momentum, betas: g.betas && [...g.betas] })),
    initial: getInitialLr(opt),
  };
}

const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('constructor errors name the option and change nothing', () => {
  const bad: [string, (opt: AnyOptimizer) => unknown, RegExp, ErrorConstructor][] = [
    ['StepLR stepSize 0', (o) => new StepLR(o, { stepSize: 0 }), /^StepLR: option stepSize must be/, RangeError],
    ['StepLR stepSize -1', (o) => new StepLR(o, { stepSize: -1 }), /option stepSize/, RangeError],
    ['StepLR stepSize 1.5', (o) => new StepLR(o, { stepSize: 1.5 }), /option stepSize/, RangeError],
    ['StepLR stepSize "2"', (o) => new StepLR(o, { stepSize: '2' as never }), /option stepSize/, TypeError],
    ['StepLR no stepSize', (o) => new StepLR(o, {} as never), /option stepSize is required/, TypeError],
    ['StepLR gamma 0', (o) => new StepLR(o, { stepSize: 2, gamma: 0 }), /option gamma must be/, RangeError],
    ['StepLR gamma -1', (o) => new StepLR(o, { stepSize: 2, gamma: -1 }), /option gamma/, RangeError],
    ['StepLR unknown', (o) => new StepLR(o, { stepSize: 2, step_size: 3 } as never), /unknown option/, TypeError],
    ['StepLR lastEpoch -2', (o) => new StepLR(o, { stepSize: 2, lastEpoch: -2 }), /option lastEpoch/, RangeError],
    [
      'MultiStepLR out of order',
      (o) => new MultiStepLR(o, { milestones: [5, 3] }),
      /^MultiStepLR: option milestones must be in non-decreasing order/,
      RangeError,
    ],
    ['MultiStepLR 2.5', (o) => new MultiStepLR(o, { milestones: [2.5] }), /option milestones\[0\]/, RangeError],
    ['MultiStepLR "3"', (o) => new MultiStepLR(o, { milestones: ['3'] as never }), /milestones\[0\]/, TypeError],
    ['MultiStepLR none', (o) => new MultiStepLR(o, {} as never), /option milestones is required/, TypeError],
    ['ConstantLR factor 1.5', (o) => new ConstantLR(o, { factor: 1.5 }), /option factor/, RangeError],
    ['ConstantLR factor -0.1', (o) => new ConstantLR(o, { factor: -0.1 }), /option factor/, RangeError],
    ['LinearLR startFactor 2', (o) => new LinearLR(o, { startFactor: 2 }), /option startFactor/, RangeError],
    ['LinearLR endFactor -1', (o) => new LinearLR(o, { endFactor: -1 }), /option endFactor/, RangeError],
    ['LinearLR totalIters 0', (o) => new LinearLR(o, { totalIters: 0 }), /option totalIters/, RangeError],
    ['ExponentialLR no gamma', (o) => new ExponentialLR(o, {} as never), /option gamma is required/, TypeError],
    ['ExponentialLR gamma 0', (o) => new ExponentialLR(o, { gamma: 0 }), /option gamma/, RangeError],
    ['PolynomialLR power -1', (o) => new PolynomialLR(o, { power: -1 }), /option power/, RangeError],
    ['Cosine tMax 0', (o) => new CosineAnnealingLR(o, { tMax: 0 }), /^CosineAnnealingLR: option tMax/, RangeError],
    ['Cosine etaMin -1', (o) => new CosineAnnealingLR(o, { tMax: 3, etaMin: -1 }), /option etaMin/, RangeError],
    ['WarmRestarts t0 0', (o) => new CosineAnnealingWarmRestarts(o, { t0: 0 }), /option t0/, RangeError],
    ['WarmRestarts tMult 1.5', (o) => new CosineAnnealingWarmRestarts(o, { t0: 2, tMult: 1.5 }), /tMult/, RangeError],
    ['LambdaLR no function', (o) => new LambdaLR(o, { lrLambda: 3 as never }), /option lrLambda must be/, TypeError],
    [
      'LambdaLR wrong count',
      (o) => new LambdaLR(o, { lrLambda: [() => 1] }),
      /option lrLambda: expected 2 functions/,
      RangeError,
    ],
    [
      'MultiplicativeLR [1, f]',
      (o) => new MultiplicativeLR(o, { lrLambda: [1, () => 1] as never }),
      /\[0\]/,
      TypeError,
    ],
    ['CyclicLR no maxLr', (o) => new CyclicLR(o, { baseLr: 0.1 } as never), /option maxLr is required/, TypeError],
    [
      'CyclicLR mode',
      (o) => new CyclicLR(o, { baseLr: 0.1, maxLr: 1, mode: 'tri' as never }),
      /option mode/,
      RangeError,
    ],
    [
      'CyclicLR stepSizeUp 0',
      (o) => new CyclicLR(o, { baseLr: 0.1, maxLr: 1, stepSizeUp: 0 }),
      /stepSizeUp/,
      RangeError,
    ],
    ['CyclicLR maxLr count', (o) => new CyclicLR(o, { baseLr: 0.1, maxLr: [1, 2, 3] }), /option maxLr/, RangeError],
    [
      'CyclicLR scaleMode',
      (o) => new CyclicLR(o, { baseLr: 0.1, maxLr: 1, scaleFn: () => 1, scaleMode: 'x' as never }),
      /option scaleMode/,
      RangeError,
    ],
    ['OneCycleLR no totalSteps', (o) => new OneCycleLR(o, { maxLr: 0.1 }), /option totalSteps is required/, TypeError],
    ['OneCycleLR epochs only', (o) => new OneCycleLR(o, { maxLr: 0.1, epochs: 3 }), /stepsPerEpoch/, TypeError],
    ['OneCycleLR totalSteps 0', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 0 }), /totalSteps/, RangeError],
    [
      'OneCycleLR pctStart 2',
      (o) => new OneCycleLR(o, { maxLr: 1, totalSteps: 9, pctStart: 2 }),
      /pctStart/,
      RangeError,
    ],
    [
      'OneCycleLR anneal',
      (o) => new OneCycleLR(o, { maxLr: 1, totalSteps: 9, annealStrategy: 'exp' as never }),
      /option annealStrategy/,
      RangeError,
    ],
    [
      'Plateau factor 1',
      (o) => new ReduceLROnPlateau(o, { factor: 1 }),
      /^ReduceLROnPlateau: option factor/,
      RangeError,
    ],
    ['Plateau mode', (o) => new ReduceLROnPlateau(o, { mode: 'low' as never }), /option mode/, RangeError],
    [
      'Plateau thresholdMode',
      (o) => new ReduceLROnPlateau(o, { thresholdMode: 'x' as never }),
      /threshold/,
      RangeError,
    ],
    ['Plateau minLr count', (o) => new ReduceLROnPlateau(o, { minLr: [0] }), /option minLr: expected 2/, RangeError],
    ['Plateau patience -1', (o) => new ReduceLROnPlateau(o, { patience: -1 }), /option patience/, RangeError],
    [
      'lastEpoch without initial_lr',
      (o) => new StepLR(o, { stepSize: 2, lastEpoch: 4 }),
      /option lastEpoch is 4 .*param group 0 has no initial_lr/,
      RangeError,
    ],
  ];
  for (const [name, make, message, type] of bad) {
    it(name, () => {
      const opt = sgd();
      const before = snapshot(opt);
      let error: unknown;
      try {
        make(opt);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(message);
      expect(snapshot(opt)).toEqual(before);
    });
  }

  it('a scheduler over anything but a live wasm-optim Optimizer is a TypeError naming the argument', () => {
    const disposed = sgd();
    disposed.dispose();
    for (const o of [null, {}, { paramGroups: [{ lr: 1 }] }, disposed]) {
      expect(() => new StepLR(o as never, { stepSize: 1 })).toThrow(/^StepLR: argument optimizer/);
      expect(() => new LambdaLR(o as never, { lrLambda: () => 1 })).toThrow(TypeError);
      expect(() => new CyclicLR(o as never, { baseLr: 0.1, maxLr: 1 })).toThrow(/^CyclicLR: argument optimizer/);
      expect(() => new OneCycleLR(o as never, { maxLr: 1, totalSteps: 3 })).toThrow(/argument optimizer/);
      expect(() => new ReduceLROnPlateau(o as never)).toThrow(/^ReduceLROnPlateau: argument optimizer/);
      expect(() => new SequentialLR(o as never, { schedulers: [], milestones: [] })).toThrow(TypeError);
    }
  });

  it("cycling momentum needs momentum (CyclicLR) or momentum/betas (OneCycleLR): PyTorch's errors", () => {
    const a = adam();
    const before = snapshot(a);
    expect(() => new CyclicLR(a, { baseLr: 0.001, maxLr: 0.01 })).toThrow(
      /^CyclicLR: optimizer must support momentum with `cycle_momentum` option enabled/,
    );
    expect(snapshot(a)).toEqual(before);
    expect(() => new CyclicLR(a, { baseLr: 0.001, maxLr: 0.01, cycleMomentum: false })).not.toThrow();
    expect(() => new OneCycleLR(adam(), { maxLr: 0.01, totalSteps: 10 })).not.toThrow();
    expect(() => new OneCycleLR(adam(), { maxLr: 0.01, totalSteps: 10, maxMomentum: 1 })).toThrow(
      /option maxMomentum must be a number in \[0, 1\)/,
    );
  });

  it('SequentialLR and ChainedScheduler refuse schedulers of another optimizer', () => {
    const a = sgd();
    const b = sgd();
    const sa = new StepLR(a, { stepSize: 2 });
    const sb = new StepLR(b, { stepSize: 2 });
    const before = snapshot(a);
    expect(() => new SequentialLR(a, { schedulers: [sa, sb], milestones: [3] })).toThrow(
      /^SequentialLR: option schedulers\[1\] belongs to another optimizer/,
    );
    expect(() => new ChainedScheduler([sa, sb])).toThrow(/^ChainedScheduler: argument schedulers\[1\] belongs/);
    expect(() => new SequentialLR(a, { schedulers: [sa], milestones: [3] })).toThrow(/option milestones must have/);
    expect(() => new SequentialLR(a, { schedulers: [sa, new ReduceLROnPlateau(a)] as never, milestones: [3] })).toThrow(
      /option schedulers\[1\] must be an epoch-based scheduler/,
    );
    expect(() => new ChainedScheduler([])).toThrow(/non-empty array/);
    expect(snapshot(a)).toEqual(before);
    expect(sa.lastEpoch).toBe(0);
  });
});

describe('initial_lr and lastEpoch', () => {
  it('the first scheduler sets initial_lr, later ones reuse it', () => {
    const opt = sgd([0.1, 0.2]);
    expect(getInitialLr(opt)).toEqual([undefined, undefined]);
    const first = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
    first.step();
    expect(getInitialLr(opt)).toEqual([0.1, 0.2]);
    const second = new ExponentialLR(opt, { gamma: 0.9 });
    expect(second.baseLr).toEqual([0.1, 0.2]);
    expect(getInitialLr(opt)).toEqual([0.1, 0.2]);
  });

  it('OneCycleLR overwrites initial_lr with maxLr/divFactor', () => {
    const opt = sgd([0.1, 0.2]);
    new StepLR(opt, { stepSize: 1 });
    new OneCycleLR(opt, { maxLr: [1, 2], totalSteps: 10, divFactor: 4 });
    expect(getInitialLr(opt)).toEqual([0.25, 0.5]);
  });

  it('resuming with lastEpoch uses the restored initial_lr and the current lr', () => {
    const opt = sgd([0.05, 0.01]);
    setInitialLr(opt, [0.1, 0.02]);
    const s = new StepLR(opt, { stepSize: 3, gamma: 0.5, lastEpoch: 5 });
    expect(s.lastEpoch).toBe(6);
    expect(s.baseLr).toEqual([0.1, 0.02]);
    expect([...s.getLastLr()]).toEqual([0.025, 0.005]);
  });

  it('setInitialLr checks its input', () => {
    const opt = sgd();
    expect(() => setInitialLr(opt, [0.1])).toThrow(/^setInitialLr: argument lrs must have 2 elements/);
    expect(() => setInitialLr(opt, [0.1, -1])).toThrow(/lrs\[1\] must be a finite number ≥ 0/);
    expect(() => setInitialLr({} as never, [])).toThrow(/argument optimizer/);
  });
});

describe('steps are atomic', () => {
  it('a throwing lrLambda leaves the scheduler and the groups as they were', () => {
    const opt = sgd();
    let fail = false;
    const s = new LambdaLR(opt, {
      lrLambda: (e) => {
        if (fail) throw new Error('boom');
        return 1 / (e + 1);
      },
    });
    s.step();
    const state = s.stateDict();
    const before = snapshot(opt);
    fail = true;
    expect(() => s.step()).toThrow('boom');
    expect(s.stateDict()).toEqual(state);
    expect(snapshot(opt)).toEqual(before);
    fail = false;
    s.step();
    expect(s.lastEpoch).toBe(2);
  });

  it('a throwing lrLambda in the constructor undoes initial_lr', () => {
    const opt = sgd();
    expect(
      () =>
        new LambdaLR(opt, {
          lrLambda: () => {
            throw new Error('no');
          },
        }),
    ).toThrow('no');
    expect(getInitialLr(opt)).toEqual([undefined, undefined]);
  });

  it('a lambda returning a non-number is a TypeError', () => {
    expect(() => new LambdaLR(sgd(), { lrLambda: (() => '1') as never })).toThrow(/must return a number/);
  });

  it('OneCycleLR: stepping past totalSteps throws and changes nothing', () => {
    const opt = sgd();
    const s = new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 4 });
    for (let i = 0; i < 4; i++) s.step();
    const state = json(s.stateDict());
    const before = snapshot(opt);
    expect(() => s.step()).toThrow(
      /^OneCycleLR: step: tried to step 6 times; the specified number of total steps is 4/,
    );
    expect(json(s.stateDict())).toEqual(state);
    expect(snapshot(opt)).toEqual(before);
  });

  it("OneCycleLR 'linear': PyTorch's last step extrapolates to a negative lr, which we refuse atomically", () => {
    const opt = sgd();
    const s = new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 10, annealStrategy: 'linear' });
    for (let i = 0; i < 9; i++) s.step();
    const before = snapshot(opt);
    expect(() => s.step()).toThrow(/^OneCycleLR: step: the lr computed for param group 0 is -/);
    expect(snapshot(opt)).toEqual(before);
    expect(s.lastEpoch).toBe(9);
  });

  it('CosineAnnealingWarmRestarts: a negative epoch is refused', () => {
    const s = new CosineAnnealingWarmRestarts(sgd(), { t0: 3 });
    expect(() => s.step(-1)).toThrow(/^CosineAnnealingWarmRestarts: step: expected a non-negative epoch/);
    expect(() => s.step(Number.NaN)).toThrow(/epoch must be finite/);
    expect(s.lastEpoch).toBe(0);
  });

  it('a scheduler over a disposed optimizer, or one with added groups, refuses to step', () => {
    const opt = sgd();
    const s = new StepLR(opt, { stepSize: 1 });
    (opt as unknown as SGD).addParamGroup({ params: [1], lr: 0.3 });
    expect(() => s.step()).toThrow(/^StepLR: step: the optimizer has 3 param groups, the scheduler was built for 2/);
    opt.dispose();
    expect(() => s.step()).toThrow(/^StepLR: step: the optimizer was disposed/);
  });
});

describe('state dicts', () => {
  const makers: [string, (o: AnyOptimizer) => Scheduler, boolean][] = [
    ['StepLR', (o) => new StepLR(o, { stepSize: 3, gamma: 0.5 }), false],
    ['MultiStepLR', (o) => new MultiStepLR(o, { milestones: [2, 2, 5] }), false],
    ['ConstantLR', (o) => new ConstantLR(o), false],
    ['LinearLR', (o) => new LinearLR(o), false],
    ['ExponentialLR', (o) => new ExponentialLR(o, { gamma: 0.9 }), false],
    ['PolynomialLR', (o) => new PolynomialLR(o, { totalIters: 8, power: 2 }), false],
    ['CosineAnnealingLR', (o) => new CosineAnnealingLR(o, { tMax: 5 }), false],
    ['CosineAnnealingWarmRestarts', (o) => new CosineAnnealingWarmRestarts(o, { t0: 3, tMult: 2 }), false],
    ['LambdaLR', (o) => new LambdaLR(o, { lrLambda: (e) => 1 / (e + 1) }), false],
    ['MultiplicativeLR', (o) => new MultiplicativeLR(o, { lrLambda: () => 0.9 }), false],
    ['CyclicLR', (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3 }), false],
    ['OneCycleLR', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 40 }), false],
    ['ReduceLROnPlateau', (o) => new ReduceLROnPlateau(o, { patience: 1 }), true],
    [
      'SequentialLR',
      (o) =>
        new SequentialLR(o, {
          schedulers: [new LinearLR(o), new ExponentialLR(o, { gamma: 0.8 })],
          milestones: [4],
        }),
      false,
    ],
    ['ChainedScheduler', (o) => new ChainedScheduler([new ConstantLR(o), new ExponentialLR(o, { gamma: 0.8 })]), false],
  ];
  const step = (s: Scheduler, t: number, plateau: boolean): void =>
    plateau ? (s as ReduceLROnPlateau).step(t % 3) : (s as unknown as { step(): void }).step();

  for (const [name, make, plateau] of makers) {
    it(`${name}: JSON round trip into a fresh scheduler continues identically`, () => {
      const a = sgd();
      const s = make(a);
      for (let t = 0; t < 7; t++) step(s, t, plateau);
      const saved = JSON.stringify({ sched: s.stateDict(), opt: a.stateDict(), initial: getInitialLr(a) });
      const b = sgd();
      const r = make(b);
      const loaded = JSON.parse(saved);
      b.loadStateDict(loaded.opt);
      setInitialLr(b, loaded.initial);
      r.loadStateDict(loaded.sched);
      expect(json(r.stateDict())).toEqual(json(s.stateDict()));
      expect([...r.getLastLr()]).toEqual([...s.getLastLr()]);
      for (let t = 7; t < 20; t++) {
        step(s, t, plateau);
        step(r, t, plateau);
        expect(groups(b).map((g) => g.lr)).toEqual(groups(a).map((g) => g.lr));
        expect(groups(b).map((g) => g.momentum)).toEqual(groups(a).map((g) => g.momentum));
      }
    });

    it(`${name}: a bad state dict throws and loads nothing`, () => {
      const s = make(sgd());
      const before = json(s.stateDict());
      expect(() => s.loadStateDict({ ...before, nonsense: 1 })).toThrow(/loadStateDict: unknown key "nonsense"/);
      expect(() => s.loadStateDict({ ...before, _last_lr: [1] })).toThrow(/_last_lr must have 2 elements/);
      expect(() => s.loadStateDict(null as never)).toThrow(TypeError);
      expect(json(s.stateDict())).toEqual(before);
    });
  }

  it('ReduceLROnPlateau keeps ±Infinity through JSON', () => {
    const s = new ReduceLROnPlateau(sgd(), { mode: 'max' });
    const dict = json(s.stateDict());
    expect(dict['best']).toBe('-Infinity');
    const r = new ReduceLROnPlateau(sgd(), { mode: 'max' });
    r.step(1);
    r.loadStateDict(dict);
    expect(json(r.stateDict())).toEqual(dict);
  });

  it('a composite refuses a bad member state and loads none of it', () => {
    const o = sgd();
    const s = new SequentialLR(o, {
      schedulers: [new StepLR(o, { stepSize: 2 }), new ExponentialLR(o, { gamma: 0.5 })],
      milestones: [3],
    });
    s.step();
    const before = json(s.stateDict());
    const bad = json(before) as { _schedulers: Record<string, unknown>[]; last_epoch: number };
    bad.last_epoch = 40;
    bad._schedulers[1]!['gamma'] = -2;
    expect(() => s.loadStateDict(bad)).toThrow(/_schedulers\[1\] \(ExponentialLR\): loadStateDict: gamma must be/);
    expect(json(s.stateDict())).toEqual(before);
  });

  it('the state dict uses PyTorch key names', () => {
    const s = new CosineAnnealingWarmRestarts(sgd(), { t0: 3, tMult: 2, etaMin: 0.001 });
    expect(Object.keys(s.stateDict()).sort()).toEqual(
      ['T_0', 'T_cur', 'T_i', 'T_mult', '_last_lr', '_step_count', 'base_lrs', 'eta_min', 'last_epoch'].sort(),
    );
  });
});

describe('getLastLr and the optimizer', () => {
  it('getLastLr is one read-only array updated in place', () => {
    const opt = sgd();
    const s = new ExponentialLR(opt, { gamma: 0.5 });
    const last = s.getLastLr();
    s.step();
    expect(s.getLastLr()).toBe(last);
    expect([...last]).toEqual([0.05, 0.025]);
  });

  it("the optimizer's state dict carries the scheduled lr and momentum; loading it resumes the schedule", () => {
    const a = sgd();
    const s = new CyclicLR(a, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 4 });
    s.step();
    s.step();
    const dict = a.stateDict();
    expect(dict.param_groups.map((g) => (g as unknown as { lr: number }).lr)).toEqual([...s.getLastLr()]);
    expect((dict.param_groups[0] as unknown as { momentum: number }).momentum).toBe(groups(a)[0]!.momentum);
    const b = sgd();
    const r = new CyclicLR(b, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 4 });
    b.loadStateDict(json(dict));
    r.loadStateDict(json(s.stateDict()));
    s.step();
    r.step();
    expect(groups(b).map((g) => [g.lr, g.momentum])).toEqual(groups(a).map((g) => [g.lr, g.momentum]));
  });

  it('OneCycleLR cycles beta1 of an Adam optimizer and keeps beta2', () => {
    const opt = new Adam([{ params: [1], betas: [0.9, 0.95] }], { backend: 'js' }) as unknown as AnyOptimizer;
    const s = new OneCycleLR(opt, { maxLr: 0.01, totalSteps: 10 });
    expect([...groups(opt)[0]!.betas!]).toEqual([0.95, 0.95]);
    for (let i = 0; i < 4; i++) s.step();
    expect(groups(opt)[0]!.betas![0]).toBeLessThan(0.95);
    expect(groups(opt)[0]!.betas![1]).toBe(0.95);
  });

  it('lr values the optimizer would refuse are not set (a custom scale function going negative)', () => {
    const opt = sgd();
    const s = new CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, scaleFn: () => -1 });
    const before = snapshot(opt);
    expect(() => s.step()).toThrow(/the lr computed for param group 0 is -/);
    expect(snapshot(opt)).toEqual(before);
  });
});

describe('step() allocates nothing in steady state', () => {
  // In a child process (test/helpers/scheduler-heap-child.mjs, on dist/), with a young generation
  // that holds a million steps without a collection, so that heapUsed counts every byte: in the
  // test runner's worker its own traffic made a GC count flaky. One boxed number per step would
  // be 16 bytes; the threshold allows a few hundred kB of one-time costs over the million steps.
  it('every scheduler, its lr changing every step, momentum cycled: < 4 bytes per step', () => {
    const child = fileURLToPath(new URL('helpers/scheduler-heap-child.mjs', import.meta.url));
    const output = execFileSync(process.execPath, ['--expose-gc', '--max-semi-space-size=128', child], {
      encoding: 'utf8',
    });
    const bytesPerStep = JSON.parse(output) as Record<string, number>;
    expect(Object.keys(bytesPerStep).length).toBeGreaterThanOrEqual(13);
    for (const [name, bytes] of Object.entries(bytesPerStep)) expect(bytes, name).toBeLessThan(4);
  }, 120_000);
});

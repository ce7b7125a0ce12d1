// learningRateSchedule as a model.fit callback (function form as Keras's LearningRateScheduler,
// and wasm-optim LR scheduler objects driving paramGroups), and the paramGroups view itself.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { OneCycleLR, StepLR } from '../../src/index.js';
import * as W from '../../src/tfjs/index.js';
import { classificationData, denseModel, expectSameTensors, fitArgs, useBackend } from './shared.js';

beforeAll(async () => {
  await useBackend('cpu');
});

/**
 * A callback recording the optimizer's learning rate as each batch starts: a plain object with
 * all of BaseCallback's methods, so that it also works in arrays tfjs-layers does not wrap (a
 * CustomCallback instance cannot be used in arrays it does wrap: its hooks then call themselves).
 */
function recorder(opt: { learningRate: number }): { seen: number[]; callback: tfl.CustomCallbackArgs } {
  const seen: number[] = [];
  const none = async (): Promise<void> => {};
  const callback = {
    onBatchBegin: async () => {
      seen.push(opt.learningRate);
    },
    onBatchEnd: none,
    onEpochBegin: none,
    onEpochEnd: none,
    onTrainBegin: none,
    onTrainEnd: none,
    setParams: () => {},
    setModel: () => {},
  };
  return { seen, callback };
}

/**
 * Trains two copies of the model for `epochs` epochs of 4 batches: ours with `callbacks` (plus a
 * recorder), and one with tf.train.sgd whose learning rate a plain callback sets before each batch
 * to `expected[k]`. Returns the rates ours used; the weights must be bit-identical.
 */
async function fitBoth(
  opt: W.WasmOptimSGD,
  callbacks: (tfl.CustomCallbackArgs | tfl.Callback | W.LearningRateScheduleCallback)[],
  expected: readonly number[],
  fit: Partial<tfl.ModelFitArgs> = {},
): Promise<number[]> {
  const { xs, ys } = classificationData(8, 32);
  const reference = denseModel();
  const model = denseModel();
  model.setWeights(reference.getWeights());
  const ref = tf.train.sgd(expected[0]!);
  reference.compile({ optimizer: ref, loss: 'categoricalCrossentropy' });
  model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
  let k = 0;
  const manual: tfl.CustomCallbackArgs = {
    onBatchBegin: async () => {
      ref.setLearningRate(expected[k++]!);
    },
  };
  const { seen, callback } = recorder(opt);
  const epochs = (fit.initialEpoch ?? 0) + expected.length / 4;
  await reference.fit(xs, ys, { ...fitArgs, ...fit, epochs, callbacks: [manual] });
  await model.fit(xs, ys, {
    ...fitArgs,
    ...fit,
    epochs,
    callbacks: [...callbacks, callback] as tfl.CustomCallbackArgs[],
  });
  expectSameTensors(model.getWeights(), reference.getWeights(), 'weights');
  tf.dispose([xs, ys]);
  return seen;
}

const repeat = (values: readonly number[], n: number): number[] => values.flatMap((v) => Array(n).fill(v));

describe('learningRateSchedule with a function (Keras LearningRateScheduler)', () => {
  it("per epoch: called at each epoch's start with (epoch, lr); that epoch trains at the returned rate", async () => {
    const opt = W.sgd(0.1);
    const calls: [number, number][] = [];
    const schedule = learningRateScheduleOf(opt, (epoch, lr) => {
      calls.push([epoch, lr]);
      return epoch < 2 ? lr : lr * 0.5;
    });
    const expected = repeat([0.1, 0.1, 0.05, 0.025], 4);
    expect(await fitBoth(opt, [schedule], expected)).toEqual(expected);
    expect(calls).toEqual([
      [0, 0.1],
      [1, 0.1],
      [2, 0.1],
      [3, 0.05],
    ]);
    expect(schedule.per).toBe('epoch');
  });

  it('per epoch counts from initialEpoch, as fit does', async () => {
    const opt = W.sgd(0.1);
    const indices: number[] = [];
    const schedule = learningRateScheduleOf(opt, (epoch) => {
      indices.push(epoch);
      return 0.01 * (epoch + 1);
    });
    await fitBoth(opt, [schedule], repeat([0.03, 0.04], 4), { initialEpoch: 2 });
    expect(indices).toEqual([2, 3]);
  });

  it("per batch: called at each batch's start with the optimizer's iterations (a global step)", async () => {
    const opt = W.sgd(0.1);
    const schedule = W.learningRateSchedule(opt, (step) => 0.2 / (1 + step), { per: 'batch' });
    const expected = Array.from({ length: 12 }, (_, step) => 0.2 / (1 + step));
    expect(await fitBoth(opt, [schedule], expected)).toEqual(expected);
    expect(opt.iterations).toBe(12);
  });

  it('works after a tfjs-layers BaseCallback in the array (which tfjs-layers then does not wrap)', async () => {
    const opt = W.sgd(0.1);
    const stop = tfl.callbacks.earlyStopping({ monitor: 'loss', patience: 100 });
    const schedule = W.learningRateSchedule(opt, (epoch) => (epoch === 0 ? 0.1 : 0.02));
    const expected = repeat([0.1, 0.02, 0.02], 4);
    expect(await fitBoth(opt, [stop, schedule], expected)).toEqual(expected);
  });

  it('a rate the optimizer would refuse stops fit with an error naming the index; the rate is kept', async () => {
    for (const bad of [Number.NaN, -0.1, Infinity, '0.1', undefined]) {
      const opt = W.sgd(0.1);
      const model = denseModel();
      model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
      const { xs, ys } = classificationData(2, 16);
      const schedule = W.learningRateSchedule(opt, (epoch) => (epoch === 1 ? (bad as number) : 0.05));
      await expect(model.fit(xs, ys, { ...fitArgs, epochs: 3, callbacks: [schedule] })).rejects.toThrow(
        /learningRateSchedule: the schedule returned .* for epoch 1; it must return a finite learning rate ≥ 0/,
      );
      expect(opt.learningRate).toBe(0.05);
      tf.dispose([xs, ys]);
    }
  });
});

/** A StepLR-like scheduler as wasm-optim's are written: it drives the optimizer through paramGroups. */
class HalvingScheduler implements W.LrScheduler {
  #count = 0;
  constructor(
    readonly optimizer: W.WasmOptimizer,
    readonly every: number,
  ) {}
  step(): void {
    this.#count++;
    if (this.#count % this.every === 0) for (const group of this.optimizer.paramGroups) group.lr = group.lr / 2;
  }
  getLastLr(): readonly number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }
}

describe('learningRateSchedule with a wasm-optim LR scheduler', () => {
  it("per epoch: step() at each epoch's end sets the next epoch's rate", async () => {
    const opt = W.sgd(0.1);
    const scheduler = new HalvingScheduler(opt, 2);
    const expected = repeat([0.1, 0.1, 0.05, 0.05, 0.025], 4);
    expect(await fitBoth(opt, [W.learningRateSchedule(opt, scheduler)], expected)).toEqual(expected);
    expect(scheduler.getLastLr()).toEqual([0.025]); // 5 steps: halved after the 2nd and 4th
  });

  it("per batch: step() at each batch's end", async () => {
    const opt = W.sgd(0.1);
    const scheduler = new HalvingScheduler(opt, 3);
    const expected = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025];
    const schedule = W.learningRateSchedule(opt, scheduler, { per: 'batch' });
    expect(await fitBoth(opt, [schedule], expected)).toEqual(expected);
    expect(schedule.per).toBe('batch');
  });

  it('a real StepLR (the main entry) drives a wasm-optim/tfjs optimizer, per epoch', async () => {
    const opt = W.sgd(0.1);
    const scheduler = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    // PyTorch's chainable StepLR: 0.1, 0.1, 0.1·0.5, 0.05, 0.05·0.5 (float64 products).
    const expected = repeat([0.1, 0.1, 0.1 * 0.5, 0.1 * 0.5, 0.1 * 0.5 * 0.5], 4);
    expect(await fitBoth(opt, [W.learningRateSchedule(opt, scheduler)], expected)).toEqual(expected);
    expect([...scheduler.getLastLr()]).toEqual([0.1 * 0.5 * 0.5]);
  });

  it("a real OneCycleLR cycles adam's beta1 through paramGroups, per batch", async () => {
    const opt = W.adam(0.01);
    const scheduler = new OneCycleLR(opt, { maxLr: 0.01, totalSteps: 4 });
    // The optimizer carries what the scheduler computed: lr and beta1 agree at every batch.
    const seen: [number, number, number][] = [];
    const model = denseModel();
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const { xs, ys } = classificationData(3, 16);
    await model.fit(xs, ys, {
      ...fitArgs,
      epochs: 1,
      callbacks: [
        { onBatchBegin: async () => void seen.push([opt.learningRate, opt.beta1, scheduler.getLastLr()[0]!]) },
        W.learningRateSchedule(opt, scheduler, { per: 'batch' }),
      ],
    });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const [lr, , scheduled] of seen) expect(lr).toBe(scheduled);
    // OneCycleLR starts at maxLr / divFactor by its cosine formula at pct 0, 0.0003999999999999993
    // in float64 (PyTorch's value, not 0.01 / 25), with beta1 at maxMomentum (0.95), cycled down.
    expect(seen[0]![0]).toBe(0.0003999999999999993);
    expect(seen[0]![1]).toBe(0.95);
    expect(seen[1]![1]).toBeLessThan(0.95);
    tf.dispose([xs, ys]);
  });

  it('a scheduler refuses a disposed wasm-optim/tfjs optimizer, naming the argument', () => {
    const opt = W.sgd(0.1);
    opt.dispose();
    expect(() => new StepLR(opt, { stepSize: 1 })).toThrow(/StepLR: argument optimizer is a disposed Optimizer/);
  });

  it("cycling adam's betas through paramGroups reaches beta1/beta2 (one-cycle style)", async () => {
    const opt = W.adam(0.01);
    const seen: number[] = [];
    const cycler: W.LrScheduler = {
      step: () => {
        const group = opt.paramGroups[0]!;
        group.betas = [group.betas![0] === 0.9 ? 0.85 : 0.9, 0.999];
      },
      getLastLr: () => [opt.paramGroups[0]!.lr],
    };
    const model = denseModel();
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const { xs, ys } = classificationData(3, 16);
    await model.fit(xs, ys, {
      ...fitArgs,
      epochs: 1,
      callbacks: [
        W.learningRateSchedule(opt, cycler, { per: 'batch' }),
        { onBatchBegin: async () => void seen.push(opt.beta1) },
      ],
    });
    expect(seen).toEqual([0.9, 0.85]);
    tf.dispose([xs, ys]);
  });
});

describe('bad input: a TypeError naming the argument, nothing changed', () => {
  const opt = W.sgd(0.1);
  const cases: [string, () => unknown, RegExp][] = [
    [
      'a tf.train optimizer',
      () => W.learningRateSchedule(tf.train.sgd(0.1) as never, () => 0.1),
      /learningRateSchedule: optimizer must be a wasm-optim\/tfjs optimizer/,
    ],
    ['no optimizer', () => W.learningRateSchedule(null as never, () => 0.1), /optimizer must be .* got null/],
    [
      'a number as schedule',
      () => W.learningRateSchedule(opt, 0.1 as never),
      /schedule must be a function .* got 0\.1/,
    ],
    [
      'an object with step() only',
      () => W.learningRateSchedule(opt, { step() {} } as never),
      /schedule must be a function \(index, currentLr\) => newLr or a wasm-optim LR scheduler/,
    ],
    [
      'a scheduler over another optimizer',
      () => W.learningRateSchedule(opt, new HalvingScheduler(W.sgd(0.1), 1)),
      /the scheduler drives another optimizer/,
    ],
    [
      'per: "step"',
      () => W.learningRateSchedule(opt, () => 0.1, { per: 'step' as never }),
      /options\.per must be 'epoch' or 'batch', got "step"/,
    ],
    ['options null', () => W.learningRateSchedule(opt, () => 0.1, null as never), /options must be an object/],
  ];
  it.each(cases)('%s', (_label, make, message) => {
    expect(make).toThrow(TypeError);
    expect(make).toThrow(message);
    expect(opt.learningRate).toBe(0.1);
  });
});

describe('paramGroups', () => {
  it('one sealed group in a frozen array: lr is learningRate, live both ways', () => {
    const opt = W.adagrad(0.1);
    const groups = opt.paramGroups;
    expect(Object.isFrozen(groups)).toBe(true);
    expect(groups).toHaveLength(1);
    expect(opt.paramGroups).toBe(groups);
    const group = groups[0]!;
    expect(Object.isSealed(group)).toBe(true);
    expect(Object.keys(group)).toEqual(['lr']);
    group.lr = 0.05;
    expect(opt.learningRate).toBe(0.05);
    opt.learningRate = 0.2;
    expect(group.lr).toBe(0.2);
    expect(opt.getConfig()).toMatchObject({ learningRate: 0.2 });
    expect(() => {
      (group as unknown as Record<string, number>)['initialAccumulatorValue'] = 1;
    }).toThrow(TypeError);
  });

  it('momentum on momentum and rmsprop, betas on adam and adamax, only lr elsewhere', () => {
    const keys = (opt: W.WasmOptimizer): string[] => Object.keys(opt.paramGroups[0]!);
    expect(keys(W.sgd(0.1))).toEqual(['lr']);
    expect(keys(W.adadelta())).toEqual(['lr']);
    const mom = W.momentum(0.1, 0.9);
    expect(keys(mom)).toEqual(['lr', 'momentum']);
    mom.paramGroups[0]!.momentum = 0.8;
    expect(mom.momentum).toBe(0.8);
    const rms = W.rmsprop(0.1, 0.9, 0.5);
    expect(keys(rms)).toEqual(['lr', 'momentum']);
    rms.paramGroups[0]!.momentum = 0.7;
    expect(rms.momentum).toBe(0.7);
    for (const opt of [W.adam(0.01, 0.8, 0.99), W.adamax(0.01, 0.8, 0.99)]) {
      const group = opt.paramGroups[0]!;
      expect(keys(opt)).toEqual(['lr', 'betas']);
      expect(group.betas).toEqual([0.8, 0.99]);
      expect(Object.isFrozen(group.betas)).toBe(true);
      group.betas = [0.85, 0.995];
      expect([opt.beta1, opt.beta2]).toEqual([0.85, 0.995]);
      opt.beta1 = 0.7;
      expect(group.betas).toEqual([0.7, 0.995]);
    }
  });

  it('an invalid assignment throws naming the option and changes nothing', () => {
    const opt = W.adam(0.01, 0.8, 0.99);
    const group = opt.paramGroups[0]!;
    expect(() => {
      group.lr = -1;
    }).toThrow(/paramGroups\[0\]\.lr: -1/);
    expect(() => {
      group.lr = Number.NaN;
    }).toThrow(/lr: NaN/);
    expect(() => {
      group.betas = [0.9, 1.5];
    }).toThrow(/betas: \[0\.9, 1\.5\]/);
    expect(() => {
      group.betas = [0.9] as never;
    }).toThrow(/paramGroups\[0\]\.betas must be an array \[beta1, beta2\], got an array of length 1/);
    expect(() => {
      group.betas = 0.9 as never;
    }).toThrow(/betas must be an array .* got 0\.9/);
    expect([opt.learningRate, opt.beta1, opt.beta2]).toEqual([0.01, 0.8, 0.99]);
    const mom = W.momentum(0.1, 0.9);
    expect(() => {
      mom.paramGroups[0]!.momentum = -0.5;
    }).toThrow(/momentum: -0\.5/);
    expect(mom.momentum).toBe(0.9);
  });

  it('after dispose: reading paramGroups or assigning through a group held throws, naming it', () => {
    const opt = W.sgd(0.1);
    const group = opt.paramGroups[0]!;
    opt.dispose();
    expect(() => opt.paramGroups).toThrow(/WasmOptimSGD\.paramGroups: the optimizer has been disposed/);
    expect(() => {
      group.lr = 0.2;
    }).toThrow(/WasmOptimSGD\.paramGroups\[0\]\.lr: the optimizer has been disposed/);
  });

  it("carries the brand Symbol.for('wasm-optim.schedulable') on the class and its instances", () => {
    const brand = Symbol.for('wasm-optim.schedulable');
    expect(W.SCHEDULABLE).toBe(brand);
    expect((W.WasmOptimizer as unknown as Record<symbol, unknown>)[brand]).toBe(true);
    expect((W.WasmOptimAdam as unknown as Record<symbol, unknown>)[brand]).toBe(true);
    for (const opt of [W.sgd(0.1), W.adamax(), W.rmsprop(0.1)]) {
      expect((opt as unknown as Record<symbol, unknown>)[brand]).toBe(true);
    }
    expect((tf.train.sgd(0.1) as unknown as Record<symbol, unknown>)[brand]).toBeUndefined();
  });
});

/** learningRateSchedule with the default options (written out once, for the first tests). */
function learningRateScheduleOf(opt: W.WasmOptimizer, fn: W.ScheduleFunction): W.LearningRateScheduleCallback {
  return W.learningRateSchedule(opt, fn);
}

describe('README', () => {
  it('the clipping and schedules example runs (its imports given as modules) and prints its comment', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /### Gradient clipping and learning-rate schedules in TF\.js\n[\s\S]*?```js\n([\s\S]*?)```/.exec(
      readme,
    )?.[1];
    expect(block).toBeDefined();
    const lines = block!.split('\n');
    const imports = lines.filter((line) => line.startsWith('import '));
    expect(imports).toEqual([
      "import * as tf from '@tensorflow/tfjs-core';",
      "import * as tfl from '@tensorflow/tfjs-layers';",
      "import '@tensorflow/tfjs-backend-cpu';",
      "import { learningRateSchedule, sgd } from 'wasm-optim/tfjs';",
    ]);
    const body = lines.filter((line) => !line.startsWith('import ')).join('\n');
    const printed: unknown[] = [];
    const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
    const run = new AsyncFunction('tf', 'tfl', 'learningRateSchedule', 'sgd', 'console', body);
    await run(tf, tfl, W.learningRateSchedule, W.sgd, { log: (value: unknown) => printed.push(value) });
    expect(printed).toEqual([{ learningRate: 0.025, clipnorm: 1 }]);
    expect(block).toContain('// { learningRate: 0.025, clipnorm: 1 }');
  });
});

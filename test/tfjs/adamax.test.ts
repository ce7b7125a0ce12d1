// wasm-optim/tfjs's adamax against tf.train.adamax on tfjs-backend-cpu. The first describe is
// tfjs-core 4.22's own adamax_optimizer_test.ts (its 'basic' and 'serialization round-trip'
// tests) run against ours, each value also held bit for bit to tf.train.adamax; the rest
// compares whole training runs. tf.train.adamax has no getWeights/setWeights, so the shared
// suite (./shared.ts), which moves state through them, cannot take it: its state is read from
// the optimizer's internal variables instead.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { test_util } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import * as W from '../../src/tfjs/index.js';
import {
  classificationData,
  denseModel,
  expectBackendsAgree,
  expectSameBits,
  expectSameTensors,
  expectSameWithFieldChanges,
  fitArgs,
  memorySaver,
  mlp,
  useBackend,
  values,
} from './shared.js';

beforeAll(async () => {
  await useBackend('cpu');
});

/** tf.train.adamax's per-variable state, read from its private variables (it has no getWeights). */
function tfjsState(opt: tf.Optimizer): { m: Float32Array[]; v: Float32Array[] } {
  const inner = opt as unknown as {
    accumulatedFirstMoment: { variable: tf.Variable }[];
    accumulatedWeightedInfNorm: { variable: tf.Variable }[];
  };
  return {
    m: inner.accumulatedFirstMoment.map((s) => values(s.variable)),
    v: inner.accumulatedWeightedInfNorm.map((s) => values(s.variable)),
  };
}

/** Ours through getWeights: `iter`, then every `…/m`, then every `…/v`. */
async function oursState(opt: W.WasmOptimizer): Promise<{ m: Float32Array[]; v: Float32Array[] }> {
  const weights = (await opt.getWeights()).slice(1);
  const pick = (suffix: string): Float32Array[] =>
    weights.filter((w) => w.name.endsWith(`/${suffix}`)).map((w) => values(w.tensor));
  return { m: pick('m'), v: pick('v') };
}

async function expectSameState(ours: W.WasmOptimizer, ref: tf.Optimizer, where: string): Promise<void> {
  const a = await oursState(ours);
  const b = tfjsState(ref);
  expect(a.m.length, `${where}: state count`).toBe(b.m.length);
  a.m.forEach((m, i) => expectSameBits(m, b.m[i]!, `${where}: m[${i}]`));
  a.v.forEach((v, i) => expectSameBits(v, b.v[i]!, `${where}: v[${i}]`));
}

describe("tfjs-core's adamax_optimizer_test.ts, against wasm-optim/tfjs's adamax", () => {
  it('basic', async () => {
    const initialTensors = tf.memory().numTensors;
    const learningRate = 0.1;
    const beta1 = 0.8;
    const beta2 = 0.9;
    const decay = 0.1;
    const optimizer = W.adamax(learningRate, beta1, beta2, undefined, decay);
    const reference = tf.train.adamax(learningRate, beta1, beta2, undefined, decay);
    const x = tf.tensor1d([2, 4]).variable();
    const xRef = tf.tensor1d([2, 4]).variable();
    const f = (): tf.Scalar => tf.sum(tf.square(x));
    const fRef = (): tf.Scalar => tf.sum(tf.square(xRef));

    let numTensors = tf.memory().numTensors;
    let cost = optimizer.minimize(f, /* returnCost */ true);
    // tf.train.adamax adds the cost and its 2 accumulators; ours keeps the accumulators in
    // WebAssembly memory, so the cost is the only additional tensor.
    expect(tf.memory().numTensors).toBe(numTensors + 1);
    reference.minimize(fRef, false)?.dispose();
    test_util.expectArraysClose(await x.data(), [1.9, 3.9]);
    expectSameBits(await x.data(), await xRef.data(), 'after step 1');
    cost!.dispose();

    numTensors = tf.memory().numTensors;
    cost = optimizer.minimize(f, /* returnCost */ false);
    reference.minimize(fRef, false);
    // alpha = 0.1 / (1 + 0.1 · 1); coefficient = alpha / (1 − 0.8²); w = [1.80697, 3.8086]
    test_util.expectArraysClose(await x.data(), [1.80697, 3.8086]);
    expectSameBits(await x.data(), await xRef.data(), 'after step 2');
    await expectSameState(optimizer, reference, 'state after step 2');
    // getWeights() above made snapshot tensors the optimizer owns; otherwise nothing new.
    expect(cost).toBe(null);

    x.dispose();
    xRef.dispose();
    optimizer.dispose();
    reference.dispose();
    // The only additional tensors remaining are the arguments to variable().
    expect(tf.memory().numTensors).toBe(initialTensors + 2);
  });

  it('basic: no new tensors on a step without cost', () => {
    const optimizer = W.adamax(0.1, 0.8, 0.9, undefined, 0.1);
    const x = tf.tensor1d([2, 4]).variable();
    const f = (): tf.Scalar => tf.sum(tf.square(x));
    optimizer.minimize(f, false);
    const numTensors = tf.memory().numTensors;
    expect(optimizer.minimize(f, false)).toBe(null);
    expect(tf.memory().numTensors).toBe(numTensors);
    x.dispose();
    optimizer.dispose();
  });

  it('serialization round-trip', () => {
    const originalOpt = W.adamax(0.1, 0.2, 0.3, 2e-8, 0.1);
    const reserialized = W.WasmOptimAdamax.fromConfig(W.WasmOptimAdamax, originalOpt.getConfig());
    expect(reserialized.getConfig()).toEqual(originalOpt.getConfig());
    expect(originalOpt.getConfig()).toEqual(tf.train.adamax(0.1, 0.2, 0.3, 2e-8, 0.1).getConfig());
  });
});

const CASES = [
  {
    label: 'adamax()',
    tfjs: () => tf.train.adamax(),
    ours: (s?: W.WasmOptimSettings) => W.adamax(undefined, undefined, undefined, null, undefined, s),
  },
  {
    label: 'adamax(0.01, 0.8, 0.99, 1e-3, 0.05)',
    tfjs: () => tf.train.adamax(0.01, 0.8, 0.99, 1e-3, 0.05),
    ours: (s?: W.WasmOptimSettings) => W.adamax(0.01, 0.8, 0.99, 1e-3, 0.05, s),
  },
  {
    label: 'adamax(0.05, 0.5, 0.9, null, 0.5)',
    tfjs: () => tf.train.adamax(0.05, 0.5, 0.9, undefined, 0.5),
    ours: (s?: W.WasmOptimSettings) => W.adamax(0.05, 0.5, 0.9, null, 0.5, s),
  },
];

describe.each(CASES)('$label equals tf.train.adamax bit for bit', ({ tfjs, ours }) => {
  it('minimize: 12 steps, variables and state; no tensor leak', async () => {
    const a = mlp(11);
    const b = mlp(11);
    const ref = tfjs();
    const opt = ours();
    for (let t = 0; t < 12; t++) ref.minimize(a.loss, false, a.vars);
    const before = tf.memory().numTensors;
    for (let t = 0; t < 12; t++) opt.minimize(b.loss, false, b.vars);
    expect(tf.memory().numTensors).toBe(before);
    expectSameTensors(b.vars, a.vars, 'variables');
    expect(opt.iterations).toBe(ref.iterations);
    await expectSameState(opt, ref, 'state');
    expect(opt.getClassName()).toBe('WasmOptimAdamax');
    expect(opt.getConfig()).toEqual(ref.getConfig());
  });

  it('model.fit: 3 epochs of 4 batches', async () => {
    const { xs, ys } = classificationData(5, 32);
    const reference = denseModel();
    const model = denseModel();
    model.setWeights(reference.getWeights());
    reference.compile({ optimizer: tfjs(), loss: 'categoricalCrossentropy' });
    model.compile({ optimizer: ours(), loss: 'categoricalCrossentropy' });
    await reference.fit(xs, ys, { ...fitArgs, epochs: 3 });
    await model.fit(xs, ys, { ...fitArgs, epochs: 3 });
    expectSameTensors(model.getWeights(), reference.getWeights(), 'weights');
    model.dispose();
    reference.dispose();
  });

  it('every wasm-optim backend (simd, wasm, js) gives the same bits', () => {
    expectBackendsAgree(ours);
  });
});

describe('adamax: what tf.train.adamax keeps once per optimizer', () => {
  it('beta1 and decay changed mid-run, a variable sitting out calls: same bits as tf.train.adamax', () => {
    expectSameWithFieldChanges(
      tf.train.adamax(0.02, 0.9, 0.999, undefined, 0.1),
      W.adamax(0.02, 0.9, 0.999, null, 0.1),
      {
        2: { beta1: 0.7 },
        4: { decay: 0.5 },
      },
    );
  });

  it('save with includeOptimizer (tf.train.adamax cannot), load, continue: identical to uninterrupted', async () => {
    const { xs, ys } = classificationData(9, 32);
    const model = denseModel();
    model.compile({ optimizer: W.adamax(0.01, 0.9, 0.999, null, 0.05), loss: 'categoricalCrossentropy' });
    await model.fit(xs, ys, { ...fitArgs, epochs: 2 });
    const saver = memorySaver();
    await model.save(saver.handler, { includeOptimizer: true });
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saver.artifacts()));
    expect((loaded.optimizer as W.WasmOptimizer).getClassName()).toBe('WasmOptimAdamax');
    expect(loaded.optimizer.getConfig()).toEqual(model.optimizer.getConfig());
    await model.fit(xs, ys, { ...fitArgs, epochs: 2 });
    await loaded.fit(xs, ys, { ...fitArgs, epochs: 2 });
    expectSameTensors(loaded.getWeights(), model.getWeights(), 'weights after resuming');

    const tfModel = denseModel();
    tfModel.compile({ optimizer: tf.train.adamax(), loss: 'categoricalCrossentropy' });
    await tfModel.fit(xs, ys, { ...fitArgs, epochs: 1 });
    await expect(tfModel.save(memorySaver().handler, { includeOptimizer: true })).rejects.toThrow(/Adamax/);
    for (const m of [model, loaded, tfModel]) m.dispose();
  });

  it('decay and the hyperparameters are live fields, validated, in getConfig', () => {
    const opt = W.adamax(0.01, 0.9, 0.999, null, 0.1);
    opt.decay = 0.2;
    expect(opt.getConfig()['decay']).toBe(0.2);
    expect(() => {
      opt.decay = -1;
    }).toThrow(RangeError);
    expect(() => {
      opt.beta1 = 1;
    }).toThrow(RangeError);
    expect(opt.getConfig()).toEqual({ learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, decay: 0.2 });
  });
});

describe('a checkpoint with a huge iteration count', () => {
  it.each([
    ['adam', () => W.adam(0.01)],
    ['adamax', () => W.adamax(0.01, 0.9, 0.999, null, 0)],
  ] as const)('%s: setWeights with iter = 2^45 rebuilds the running products at once and steps', async (_n, make) => {
    const opt = make();
    const iter = tf.scalar(2 ** 45);
    await opt.setWeights([{ name: 'iter', tensor: iter }]); // the loop it replaced would run for days
    expect(opt.iterations).toBe(2 ** 45);
    const { vars, loss } = mlp(41);
    const before = vars.map(values);
    opt.minimize(loss, false, vars);
    vars.forEach((v, i) => expect(values(v)).not.toEqual(before[i]));
    iter.dispose();
    opt.dispose();
  });
});

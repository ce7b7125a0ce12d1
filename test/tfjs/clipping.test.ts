// Keras clipping (clipnorm, clipvalue, globalClipnorm) on every wasm-optim/tfjs optimizer: the
// variables after each step equal, bit for bit, tf.train.* stepped with gradients clipped by a
// composition of real tfjs-core ops on the cpu backend (TF's clip_ops formulas, op for op).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipGradients, readClipping } from '../../src/tfjs/clipping.js';
import * as W from '../../src/tfjs/index.js';
import {
  CASES,
  classificationData,
  denseModel,
  expectSameBits,
  expectSameTensors,
  fitArgs,
  memorySaver,
  mlp,
  normals,
  useBackend,
  values,
} from './shared.js';

beforeAll(async () => {
  await useBackend('cpu');
});

type Clip = W.ClipSettings;

/** tf.clip_by_norm(t, c) (TF 2.x clip_ops, Keras 3 _clip_by_norm) as tfjs-core ops. */
function refClipByNorm(t: tf.Tensor, c: number): tf.Tensor {
  return tf.tidy(() => {
    const l2sum = tf.sum(tf.mul(t, t));
    const pred = tf.greater(l2sum, 0);
    const safe = tf.where(pred, l2sum, tf.onesLike(l2sum));
    const l2norm = tf.where(pred, tf.sqrt(safe), l2sum);
    const clip = tf.scalar(c);
    return tf.div(tf.mul(t, clip), tf.maximum(l2norm, clip));
  });
}

/** tf.clip_by_global_norm(list, c) as tfjs-core ops, in TF's order (nulls ignored). */
function refClipByGlobalNorm(list: readonly (tf.Tensor | null)[], c: number): (tf.Tensor | null)[] {
  const present = list.filter((t): t is tf.Tensor => t !== null);
  const clipped = tf.tidy(() => {
    const norm = tf.sqrt(tf.sum(tf.stack(present.map((t) => tf.sum(tf.square(t))))));
    const clip = tf.scalar(c);
    const forFinite = tf.mul(clip, tf.minimum(tf.div(1, norm), tf.div(1, clip)));
    const scale = tf.add(forFinite, tf.sub(norm, norm)); // NaN when the norm is not finite
    return present.map((t) => tf.mul(t, scale));
  });
  return list.map((t) => (t === null ? null : clipped[present.indexOf(t)]!));
}

/**
 * The gradients as Keras 2 (optimizer_v2) clips them: by value, then by norm or global norm.
 * New tensors (the caller disposes them); nulls stay null.
 */
function refClip(list: readonly (tf.Tensor | null)[], clip: Clip): (tf.Tensor | null)[] {
  let out = list.map((t) => (t === null ? null : t.clone()));
  const replace = (next: (tf.Tensor | null)[]): void => {
    tf.dispose(out.filter((t) => t !== null));
    out = next;
  };
  const v = clip.clipvalue;
  if (v !== undefined) replace(out.map((t) => (t === null ? null : tf.clipByValue(t, -v, v))));
  const n = clip.clipnorm;
  if (n !== undefined) replace(out.map((t) => (t === null ? null : refClipByNorm(t, n))));
  if (clip.globalClipnorm !== undefined) replace(refClipByGlobalNorm(out, clip.globalClipnorm));
  return out;
}

/** A tf.train optimizer whose applyGradients clips first with refClip: the reference in minimize and fit. */
function clippedReference(opt: tf.Optimizer, clip: Clip): tf.Optimizer {
  const apply = opt.applyGradients.bind(opt);
  opt.applyGradients = (given: tf.NamedTensorMap | W.NamedTensor[]): void => {
    const list = Array.isArray(given) ? given : Object.entries(given).map(([name, tensor]) => ({ name, tensor }));
    const clipped = refClip(
      list.map((g) => g.tensor ?? null),
      clip,
    );
    apply(list.map((g, i) => ({ name: g.name, tensor: clipped[i]! })));
    tf.dispose(clipped.filter((t) => t !== null));
  };
  return opt;
}

const CLIPS: readonly Clip[] = [
  { clipnorm: 1 },
  { clipnorm: 0.3 },
  { clipvalue: 0.05 },
  { globalClipnorm: 0.7 },
  { globalClipnorm: 3 },
  { clipvalue: 0.2, clipnorm: 0.5 },
  { clipvalue: 0.2, globalClipnorm: 0.9 },
];

let unique = 0;

/**
 * Steps tf.train (with refClip) and ours over the same variables with the same gradients, one
 * call per entry of `steps` (arrays of gradient values, null: no gradient), comparing every
 * variable after each call; checks our gradient tensors keep their values.
 */
function expectSameSteps(
  ref: tf.Optimizer,
  opt: W.WasmOptimizer,
  clip: Clip,
  init: readonly Float32Array[],
  steps: readonly (readonly (Float32Array | null)[])[],
): void {
  const id = unique++;
  const make = (side: string): tf.Variable[] =>
    init.map((v, k) => tf.variable(tf.tensor(v), true, `clip${id}${side}/v${k}`));
  const [va, vb] = [make('tf'), make('ours')];
  const reference = clippedReference(ref, clip);
  steps.forEach((grads, t) => {
    const list = (vars: tf.Variable[]): { name: string; tensor: tf.Tensor }[] =>
      vars.map((v, k) => ({ name: v.name, tensor: (grads[k] ? tf.tensor(grads[k]!) : null) as tf.Tensor }));
    const [la, lb] = [list(va), list(vb)];
    reference.applyGradients(la);
    opt.applyGradients(lb);
    lb.forEach((g, k) => {
      if (g.tensor !== null) expectSameBits(values(g.tensor), grads[k]!, `step ${t}: gradient ${k} untouched`);
    });
    tf.dispose([...la, ...lb].map((g) => g.tensor).filter((x) => x !== null));
    expectSameTensors(vb, va, `step ${t}: variables`);
  });
  tf.dispose([...va, ...vb]);
}

/** Three calls over three variables, gradient norms from well below to well above the clip values. */
function randomSteps(seed: number): (Float32Array | null)[][] {
  return [0, 1, 2].map((t) => [
    normals(seed + 10 * t, 12, 0.05 * (t + 1)),
    normals(seed + 10 * t + 1, 7, 0.5),
    t === 1 ? null : normals(seed + 10 * t + 2, 30, 2),
  ]);
}

describe.each(CASES)('$label', ({ tfjs, ours }) => {
  it.each(CLIPS.map((c) => [JSON.stringify(c), c] as const))(
    'settings %s: every step equals tf.train.* on tf-op-clipped gradients, bit for bit',
    (_label, clip) => {
      const init = [normals(1, 12), normals(2, 7), normals(3, 30)];
      const ref = tfjs();
      const opt = ours(clip);
      expectSameSteps(ref, opt, clip, init, randomSteps(100));
      ref.dispose();
      opt.dispose();
    },
  );
});

describe('edge values clip as the tf ops do', () => {
  const big = new Float32Array([3e38, -3e38, 1, 2]); // its squared sum overflows to Infinity
  const tiny = new Float32Array([1e-45, -1e-40, 3e-39, -0]); // subnormals: the squared sum is 0
  const zeros = new Float32Array([0, -0, 0, -0]);
  const withNaN = new Float32Array([1, Number.NaN, -2, 0.5]);
  const withInf = new Float32Array([1, Number.POSITIVE_INFINITY, -2, 0.5]);
  const plain = new Float32Array([0.3, -0.1, 2.5, -4]);
  const cases: [string, Float32Array[]][] = [
    ['an overflowing norm', [big, plain]],
    ['subnormal gradients', [tiny, plain]],
    ['all-zero gradients', [zeros, zeros]],
    ['a NaN element', [withNaN, plain]],
    ['an infinite element', [withInf, plain]],
    ['the clip value itself', [new Float32Array([0.1, -0.1, 0.10000001, -0.099999994]), plain]],
  ];
  const clips: Clip[] = [
    { clipnorm: 1 },
    { clipnorm: 3 },
    { clipvalue: 0.1 },
    { globalClipnorm: 1 },
    { globalClipnorm: 3 },
  ];
  for (const [label, grads] of cases) {
    it.each(clips.map((c) => [JSON.stringify(c), c] as const))(`${label}, %s (sgd and adam)`, (_l, clip) => {
      for (const [ref, opt] of [
        [tf.train.sgd(0.1), W.sgd(0.1, clip)],
        [tf.train.adam(0.01), W.adam(0.01, undefined, undefined, undefined, clip)],
      ] as const) {
        expectSameSteps(ref, opt, clip, [normals(7, 4), normals(8, 4)], [grads, grads]);
        ref.dispose();
        opt.dispose();
      }
    });
  }

  it('an empty gradient, and a variable without gradient, take no part in the global norm', () => {
    const clip = { globalClipnorm: 0.5 };
    const init = [new Float32Array(0), normals(9, 5), normals(10, 6)];
    const steps = [[new Float32Array(0), normals(11, 5, 3), null]];
    expectSameSteps(tf.train.momentum(0.1, 0.9), W.momentum(0.1, 0.9, false, clip), clip, init, steps);
  });
});

describe('through minimize and model.fit', () => {
  it.each(CLIPS.map((c) => [JSON.stringify(c), c] as const))('minimize, %s: 6 steps of adam', (_label, clip) => {
    const a = mlp(21);
    const b = mlp(21);
    const ref = clippedReference(tf.train.adam(0.05), clip);
    const opt = W.adam(0.05, 0.9, 0.999, null, clip);
    for (let t = 0; t < 6; t++) {
      ref.minimize(a.loss, false, a.vars);
      opt.minimize(b.loss, false, b.vars);
    }
    expectSameTensors(b.vars, a.vars, 'variables');
    tf.dispose([...a.vars, ...b.vars]);
  });

  it('model.fit with globalClipnorm and rmsprop: 2 epochs of 4 batches, no tensor leak per step', async () => {
    const clip = { globalClipnorm: 0.05 };
    const { xs, ys } = classificationData(3, 32);
    const reference = denseModel();
    const model = denseModel();
    model.setWeights(reference.getWeights());
    reference.compile({ optimizer: clippedReference(tf.train.rmsprop(0.01), clip), loss: 'categoricalCrossentropy' });
    const opt = W.rmsprop(0.01, 0.9, 0, null, false, clip);
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    await reference.fit(xs, ys, { ...fitArgs, epochs: 2 });
    await model.fit(xs, ys, { ...fitArgs, epochs: 1 });
    const before = tf.memory().numTensors;
    await model.fit(xs, ys, { ...fitArgs, epochs: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expectSameTensors(model.getWeights(), reference.getWeights(), 'weights');
    tf.dispose([xs, ys]);
  });
});

describe('settings', () => {
  it('getConfig shows the clipping options given (only those), fromConfig and a saved model keep them', async () => {
    expect(W.sgd(0.1).getConfig()).toEqual({ learningRate: 0.1 });
    const opt = W.adamax(0.01, 0.9, 0.99, 1e-6, 0.001, { clipvalue: 0.5, globalClipnorm: 2 });
    const config = opt.getConfig();
    expect(config).toEqual({
      learningRate: 0.01,
      beta1: 0.9,
      beta2: 0.99,
      epsilon: 1e-6,
      decay: 0.001,
      clipvalue: 0.5,
      globalClipnorm: 2,
    });
    for (const make of [
      () => W.sgd(0.1, { clipnorm: 1 }),
      () => W.momentum(0.1, 0.5, true, { clipvalue: 1 }),
      () => W.adagrad(0.1, 0.2, { globalClipnorm: 1 }),
      () => W.rmsprop(0.1, 0.8, 0.1, 1e-6, true, { clipnorm: 2 }),
      () => W.adam(0.1, 0.8, 0.9, 1e-6, { clipnorm: 2, clipvalue: 3 }),
      () => W.adadelta(0.1, 0.9, 1e-6, { globalClipnorm: 4 }),
      () => opt,
    ]) {
      const original = make();
      // As tfjs-layers restores an optimizer: the registered class's fromConfig.
      const cls = original.constructor as unknown as {
        fromConfig(cls: unknown, config: tf.serialization.ConfigDict): W.WasmOptimizer;
      };
      const copy = cls.fromConfig(cls, original.getConfig());
      expect(copy).toBeInstanceOf(original.constructor);
      expect(copy.getConfig()).toEqual(original.getConfig());
      copy.dispose();
      original.dispose();
    }
    // Through a saved model (tfjs-layers stores getConfig() and reads it back camelCased).
    const model = denseModel();
    model.compile({ optimizer: W.adam(0.01, 0.9, 0.999, null, { globalClipnorm: 2.5 }), loss: 'meanSquaredError' });
    const { xs, ys } = classificationData(4, 8);
    await model.fit(xs, ys, { ...fitArgs, epochs: 1 });
    const saver = memorySaver();
    await model.save(saver.handler, { includeOptimizer: true });
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saver.artifacts()));
    expect((loaded.optimizer as W.WasmOptimizer).getConfig()).toMatchObject({ globalClipnorm: 2.5 });
    tf.dispose([xs, ys]);
  });

  const bad: [string, Clip, RegExp][] = [
    ['a negative clipnorm', { clipnorm: -1 }, /settings\.clipnorm must be a finite number > 0.*-1/],
    ['a NaN clipvalue', { clipvalue: Number.NaN }, /settings\.clipvalue must be a finite number > 0.*NaN/],
    ['an infinite globalClipnorm', { globalClipnorm: Infinity }, /settings\.globalClipnorm .*Infinity/],
    ['clipnorm 0', { clipnorm: 0 }, /settings\.clipnorm must be a finite number > 0 \(leave it out/],
    ['clipvalue −0', { clipvalue: -0 }, /settings\.clipvalue .*-0/],
    ['a string', { clipnorm: '1' as unknown as number }, /settings\.clipnorm .*"1"/],
    ['a value that is 0 as a float32', { clipnorm: 1e-50 }, /settings\.clipnorm is 1e-50, which is 0 as a float32/],
    [
      'clipnorm and globalClipnorm',
      { clipnorm: 1, globalClipnorm: 1 },
      /clipnorm and settings\.globalClipnorm cannot both/,
    ],
  ];
  it.each(bad)('%s: a clear error naming the option', (_label, settings, message) => {
    for (const make of [
      () => W.sgd(0.1, settings),
      () => W.adam(0.1, 0.9, 0.999, null, settings),
      () => W.adagrad(0.1, 0.1, settings),
    ]) {
      const before = tf.memory().numTensors;
      expect(make).toThrow(message);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('undefined and null options mean no clipping; the settings are read once', () => {
    let reads = 0;
    const settings = {
      get clipnorm(): number {
        reads++;
        return reads === 1 ? 0.5 : -1;
      },
    };
    const clip = { clipnorm: 0.5 };
    expectSameSteps(tf.train.sgd(0.1), W.sgd(0.1, settings), clip, [normals(1, 6)], [[normals(2, 6, 3)]]);
    expect(reads).toBe(1);
    const plain = W.sgd(0.1, { clipnorm: undefined, clipvalue: null as unknown as number });
    expect(plain.getConfig()).toEqual({ learningRate: 0.1 });
    plain.dispose();
  });

  it('the sparse path (adagrad sparseVariables) clips the dense gradient first', () => {
    const clip = { globalClipnorm: 0.5 };
    const rows = normals(3, 24).map((x, i) => (Math.floor(i / 4) % 2 === 0 ? 0 : x));
    const id = unique++;
    const va = tf.variable(tf.tensor(normals(4, 24), [6, 4]), true, `sparse${id}/a`);
    const vb = tf.variable(tf.tensor(normals(4, 24), [6, 4]), true, `sparse${id}/b`);
    const ref = clippedReference(tf.train.adagrad(0.1), clip);
    const opt = W.adagrad(0.1, 0.1, { ...clip, sparseVariables: [vb.name] });
    for (let t = 0; t < 3; t++) {
      const [ga, gb] = [tf.tensor(rows, [6, 4]), tf.tensor(rows, [6, 4])];
      ref.applyGradients([{ name: va.name, tensor: ga }]);
      opt.applyGradients([{ name: vb.name, tensor: gb }]);
      tf.dispose([ga, gb]);
    }
    expectSameTensors([vb], [va], 'variables');
    tf.dispose([va, vb]);
  });
});

describe('speed: clipping a 1M-parameter model', () => {
  it('JS loops over the gradient arrays vs the tf-op composition (printed; JS must be the same bits)', () => {
    const sizes = [512 * 1024, 256 * 1024, 256 * 1024 - 64, 64];
    const grads = sizes.map((n, k) => tf.tensor(normals(40 + k, n, 0.01)));
    const opts = [{ clipnorm: 0.5 }, { globalClipnorm: 0.5 }, { clipvalue: 0.001 }];
    for (const clip of opts) {
      const run = (f: () => void): number => {
        f(); // warm up
        const start = performance.now();
        for (let r = 0; r < 5; r++) f();
        return (performance.now() - start) / 5;
      };
      let ours: Float32Array[] = [];
      let theirs: Float32Array[] = [];
      const jsMs = run(() => {
        ours = clipThroughOptimizer(grads, clip);
      });
      const tfMs = run(() => {
        const clipped = refClip(grads, clip);
        theirs = clipped.map((t) => t!.dataSync() as Float32Array);
        tf.dispose(clipped.filter((t) => t !== null));
      });
      ours.forEach((g, k) => expectSameBits(g, theirs[k]!, `${JSON.stringify(clip)}: gradient ${k}`));
      console.log(
        `clip ${JSON.stringify(clip)} of 1M parameters: JS ${jsMs.toFixed(1)} ms, tf ops ${tfMs.toFixed(1)} ms`,
      );
    }
    tf.dispose(grads);
  }, 120_000);
});

/** The clipped gradients as applyGradients computes them: the arrays read from the tensors, through clipGradients. */
function clipThroughOptimizer(grads: readonly tf.Tensor[], clip: Clip): Float32Array[] {
  const clipping = readClipping('speed', clip)!;
  return clipGradients(
    clipping,
    grads.map((g) => g.dataSync() as Float32Array),
  ).map((g) => g!);
}

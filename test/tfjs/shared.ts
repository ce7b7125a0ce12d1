// The wasm-optim/tfjs suite, run once per TF.js backend (cpu.test.ts, wasm.test.ts): each
// factory against the matching tf.train.* optimizer, bit for bit, through minimize and
// model.fit; save/load with includeOptimizer; state moving both ways; no tensor leaks.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers'; // also registers the gradients
import { describe, expect, it } from 'vitest';
import { firstMismatch, ulpDistance } from '../../tools/golden/compare.js';
import * as W from '../../src/tfjs/index.js';
import { ALGORITHM_TABLE, TABLE_NAMES, buffersOf, withDefaults } from '../helpers/algorithms.js';
import { rng } from '../helpers/random.js';

export type Factory = () => tf.Optimizer;
export interface Case {
  readonly label: string;
  readonly tfjs: Factory;
  readonly ours: (settings?: W.WasmOptimSettings) => W.WasmOptimizer;
  readonly className: string;
}

/** A positional argument as a label shows it: small numbers as 1e-6, `true` by the parameter's name (nesterov). */
function shown(value: unknown, param: string): string {
  if (value === true) return param.replace(/^use/, '').toLowerCase();
  if (typeof value === 'number' && value !== 0 && Math.abs(value) <= 1e-3) return value.toExponential();
  return String(value);
}

/**
 * Each factory with its defaults and with other options, tf.train.* and ours side by side: one
 * case per argument list of the table's TF.js mapping (test/helpers/algorithms.ts), in table order.
 */
export const CASES: readonly Case[] = TABLE_NAMES.flatMap((algorithm) => {
  const mapping = ALGORITHM_TABLE[algorithm].tfjs?.tf;
  if (mapping === undefined || mapping.noWeights) return [];
  const train = tf.train as unknown as Record<string, (...args: unknown[]) => tf.Optimizer>;
  const factories = W as unknown as Record<string, (...args: unknown[]) => W.WasmOptimizer>;
  return mapping.calls.map((args): Case => {
    // Ours take the settings after every TF.js parameter: pad the omitted ones with undefined.
    const padded = mapping.params.map((_, i) => args[i]);
    return {
      label: `${mapping.factory}(${args.map((a, i) => shown(a, mapping.params[i]![0])).join(', ')})`,
      tfjs: () => train[mapping.factory]!(...args),
      ours: (s) => factories[mapping.factory]!(...padded, s),
      className: mapping.className,
    };
  });
});

/** The table's TF.js mappings, with their algorithms. */
const MAPPINGS = TABLE_NAMES.flatMap((algorithm) => {
  const mapping = ALGORITHM_TABLE[algorithm].tfjs?.tf;
  return mapping === undefined ? [] : [{ algorithm, factory: mapping.factory, mapping }];
});

/** mulberry32, then Box–Muller: reproducible N(0, 1) float32 data. */
export function normals(seed: number, n: number, scale = 1): Float32Array {
  const next = rng(seed);
  return Float32Array.from(
    { length: n },
    () => scale * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
  );
}

let unique = 0;

/** A small MLP as plain variables: 6 → 8 (tanh) → 3, with names under a fresh prefix. */
export function mlp(seed: number): { vars: tf.Variable[]; loss: () => tf.Scalar } {
  const prefix = `mlp${unique++}`;
  const vars = [
    tf.variable(tf.tensor(normals(seed, 48, 0.5), [6, 8]), true, `${prefix}/w1`),
    tf.variable(tf.tensor(normals(seed + 1, 8, 0.1), [8]), true, `${prefix}/b1`),
    tf.variable(tf.tensor(normals(seed + 2, 24, 0.5), [8, 3]), true, `${prefix}/w2`),
    tf.variable(tf.tensor(normals(seed + 3, 3, 0.1), [3]), true, `${prefix}/b2`),
  ];
  const x = tf.keep(tf.tensor(normals(seed + 4, 16 * 6), [16, 6]));
  const y = tf.keep(tf.tensor(normals(seed + 5, 16 * 3), [16, 3]));
  const [w1, b1, w2, b2] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      const h = tf.tanh(tf.add(tf.matMul(x, w1), b1));
      return tf.mean(tf.square(tf.sub(tf.add(tf.matMul(h, w2), b2), y)));
    });
  return { vars, loss };
}

/** A Keras-style dense classifier: 6 → 16 (relu) → 3 (softmax). */
export function denseModel(): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [6], units: 16, activation: 'relu' }),
      tfl.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  return model;
}

export function classificationData(seed: number, n: number): { xs: tf.Tensor; ys: tf.Tensor } {
  const xs = tf.tensor(normals(seed, n * 6), [n, 6]);
  const labels = Array.from({ length: n }, (_, i) => (i * 7 + seed) % 3);
  const ys = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 3), 'float32');
  return { xs, ys };
}

export const values = (t: tf.Tensor): Float32Array => Float32Array.from(t.dataSync());

export function expectSameBits(got: ArrayLike<number>, want: ArrayLike<number>, where: string): void {
  const mismatch = firstMismatch(where, got, want);
  expect(mismatch, mismatch ? JSON.stringify(mismatch) : '').toBeNull();
}

export function expectSameTensors(got: readonly tf.Tensor[], want: readonly tf.Tensor[], where: string): void {
  expect(got.length, `${where}: count`).toBe(want.length);
  got.forEach((t, i) => expectSameBits(values(t), values(want[i]!), `${where}[${i}]`));
}

/** The optimizer's weights as (kind, values): names minus the variable part, which differs between runs. */
async function weightValues(opt: tf.Optimizer): Promise<{ kind: string; values: Float32Array }[]> {
  const weights = await opt.getWeights();
  return weights.map((w) => ({ kind: w.name.split('/').pop()!, values: values(w.tensor) }));
}

async function expectSameOptimizerState(got: tf.Optimizer, want: tf.Optimizer, where: string): Promise<void> {
  const a = await weightValues(got);
  const b = await weightValues(want);
  expect(
    a.map((w) => w.kind),
    `${where}: weight kinds`,
  ).toEqual(b.map((w) => w.kind));
  a.forEach((w, i) => expectSameBits(w.values, b[i]!.values, `${where}: weight ${i} (${w.kind})`));
}

function maxUlps(got: readonly tf.Tensor[], want: readonly tf.Tensor[]): number {
  let worst = 0;
  got.forEach((t, i) => {
    const a = t.dataSync();
    const b = want[i]!.dataSync();
    for (let k = 0; k < a.length; k++) worst = Math.max(worst, ulpDistance(a[k]!, b[k]!));
  });
  return worst;
}

/** max |got − want| over max |want|, over all elements of all tensors. */
function maxRelative(got: readonly tf.Tensor[], want: readonly tf.Tensor[]): number {
  let diff = 0;
  let scale = 0;
  got.forEach((t, i) => {
    const a = t.dataSync();
    const b = want[i]!.dataSync();
    for (let k = 0; k < a.length; k++) {
      diff = Math.max(diff, Math.abs(a[k]! - b[k]!));
      scale = Math.max(scale, Math.abs(b[k]!));
    }
  });
  return diff / scale;
}

/**
 * tf.train.* and ours stepping the same two variables with the same gradients for six calls, one
 * variable sitting out some of them (both are always listed, in the same order, so the TF.js
 * optimizer's positions stay consistent), with hyperparameter fields assigned on both before
 * call t as `changes[t]` says: the variables must end bit-identical.
 */
export function expectSameWithFieldChanges(
  ref: tf.Optimizer,
  opt: W.WasmOptimizer,
  changes: Readonly<Record<number, Readonly<Record<string, number>>>>,
): void {
  const make = (side: string): tf.Variable[] =>
    [0, 1].map((k) => tf.variable(tf.tensor(normals(50 + k, 12)), true, `fields${side}${unique}/v${k}`));
  const [va, vb] = [make('Tf'), make('Ours')];
  unique++;
  // Which variables get a gradient in each call.
  const plan = [
    [true, true],
    [true, false],
    [true, false],
    [false, true],
    [true, true],
    [true, true],
  ];
  plan.forEach((call, t) => {
    for (const [field, value] of Object.entries(changes[t] ?? {})) {
      (ref as unknown as Record<string, number>)[field] = value;
      (opt as unknown as Record<string, number>)[field] = value;
    }
    for (const [vars, optimizer] of [
      [va, ref],
      [vb, opt],
    ] as const) {
      const list = call.map((has, k) => ({
        name: vars[k]!.name,
        tensor: (has ? tf.tensor(normals(300 + 10 * t + k, 12)) : null) as tf.Tensor,
      }));
      optimizer.applyGradients(list);
      tf.dispose(list.map((l) => l.tensor).filter((x) => x !== null));
    }
  });
  expectSameTensors(vb, va, 'variables');
  tf.dispose([...va, ...vb]);
}

export function memorySaver(): { handler: tf.io.IOHandler; artifacts: () => tf.io.ModelArtifacts } {
  let saved: tf.io.ModelArtifacts | null = null;
  const handler = tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  });
  return { handler, artifacts: () => saved! };
}

/** Six minimize calls on the same network on each wasm-optim backend (simd, wasm, js): the same bits. */
export function expectBackendsAgree(ours: Case['ours']): void {
  const runs = (['simd', 'wasm', 'js'] as const).map((backend) => {
    const { vars, loss } = mlp(31);
    const opt = ours({ backend });
    expect(opt.backend).toBe(backend);
    for (let t = 0; t < 6; t++) opt.minimize(loss, false, vars);
    return vars;
  });
  expectSameTensors(runs[1]!, runs[0]!, 'wasm vs simd');
  expectSameTensors(runs[2]!, runs[0]!, 'js vs simd');
}

export const fitArgs = { batchSize: 8, shuffle: false, verbose: 0 } as const;

export function defineSuite(backendName: 'cpu' | 'wasm'): void {
  describe(`wasm-optim/tfjs on the TF.js ${backendName} backend`, () => {
    it('runs on the intended backend', () => {
      expect(tf.getBackend()).toBe(backendName);
      expect(tf.backend().epsilon()).toBe(1e-7);
    });

    describe.each(MAPPINGS)('the table maps $factory onto $algorithm', ({ algorithm, mapping }) => {
      const train = tf.train as unknown as Record<string, (...args: unknown[]) => tf.Optimizer>;
      const factories = W as unknown as Record<string, (...args: unknown[]) => W.WasmOptimizer>;
      it.each(mapping.calls.map((args) => [JSON.stringify(args), args] as const))(
        "args %s: each parameter is the TF.js field of that name, its default the spec's; weights by the mapped names",
        async (_label, args) => {
          const ours = factories[mapping.factory]!(...mapping.params.map((_, i) => args[i]));
          const theirs = train[mapping.factory]!(...args);
          expect(ours.getClassName()).toBe(mapping.className);
          // The options the call sets: its arguments by the mapping, the rest the tfjs flavor's defaults.
          const options = withDefaults(algorithm, 'tfjs', {});
          mapping.params.forEach(([tfName, option], i) => {
            const field = (o: object): unknown => (o as Record<string, unknown>)[tfName];
            expect(field(ours), tfName).toBe(field(theirs));
            if (option === null) return;
            const pair = /^(\w+)\[(\d)\]$/.exec(option);
            const value = pair ? (options[pair[1]!] as number[])[Number(pair[2])] : options[option];
            if (args[i] === undefined) expect(field(ours), `${tfName} defaults to ${option}`).toBe(value);
            else if (pair)
              options[pair[1]!] = Object.assign([...(options[pair[1]!] as number[])], { [pair[2]!]: args[i] });
            else options[option] = args[i];
          });
          // After a step: a weight per buffer the spec keeps under these options, named as mapped.
          const { vars, loss } = mlp(211);
          ours.minimize(loss, false, vars);
          const kinds = new Set((await ours.getWeights()).map((w) => w.name.split('/').pop()!));
          kinds.delete('iter');
          const kept = new Set(buffersOf(algorithm, 'tfjs', options));
          const expected = Object.entries(mapping.weights).filter(([, state]) => kept.has(state));
          expect([...kinds].sort()).toEqual(expected.map(([suffix]) => suffix).sort());
          expect(expected.length, 'every buffer kept has a weight name').toBe(kept.size);
          ours.dispose();
          theirs.dispose();
          tf.dispose(vars);
        },
      );
    });

    describe.each(CASES)('$label', ({ tfjs, ours, className }) => {
      it('minimize: 12 steps equal tf.train.* bit for bit (variables and state), no tensor leak', async () => {
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
        await expectSameOptimizerState(opt, ref, 'state');
        const names = (await opt.getWeights()).map((w) => w.name);
        expect(names).toEqual(
          (await ref.getWeights()).map((w) => w.name.replace(/^mlp\d+/, b.vars[0]!.name.split('/')[0]!)),
        );
        expect(opt.getClassName()).toBe(className);
        expect(opt.getConfig()).toEqual(ref.getConfig());
        opt.dispose();
        ref.dispose();
      });

      it('model.fit: 3 epochs of 4 batches equal tf.train.* bit for bit; steady tensor count', async () => {
        const { xs, ys } = classificationData(5, 32);
        const reference = denseModel();
        const model = denseModel();
        model.setWeights(reference.getWeights());
        const ref = tfjs();
        const opt = ours();
        reference.compile({ optimizer: ref, loss: 'categoricalCrossentropy' });
        model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
        await reference.fit(xs, ys, { ...fitArgs, epochs: 3 });
        await model.fit(xs, ys, { ...fitArgs, epochs: 1 });
        const after1 = tf.memory().numTensors;
        await model.fit(xs, ys, { ...fitArgs, epochs: 2 });
        expect(tf.memory().numTensors).toBe(after1);
        expect(opt.iterations).toBe(12);
        expectSameTensors(model.getWeights(), reference.getWeights(), 'weights');
        await expectSameOptimizerState(opt, ref, 'state');
        model.dispose();
        reference.dispose();
      });

      it('save with includeOptimizer, load, continue: identical to uninterrupted training', async () => {
        const { xs, ys } = classificationData(9, 32);
        const model = denseModel();
        model.compile({ optimizer: ours(), loss: 'categoricalCrossentropy' });
        await model.fit(xs, ys, { ...fitArgs, epochs: 1 });
        const saver = memorySaver();
        await model.save(saver.handler, { includeOptimizer: true });
        const artifacts = saver.artifacts();
        expect((artifacts.trainingConfig?.optimizer_config as { class_name?: string } | undefined)?.class_name).toBe(
          className,
        );
        const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
        const loadedOpt = loaded.optimizer as W.WasmOptimizer;
        expect(loadedOpt.getClassName()).toBe(className);
        expect(loadedOpt.getConfig()).toEqual(model.optimizer.getConfig());
        expect(loadedOpt.iterations).toBe(4);
        await expectSameOptimizerState(loadedOpt, model.optimizer, 'loaded state');
        // The loaded model's variables are named …_1 (the original still exists): position binding.
        await model.fit(xs, ys, { ...fitArgs, epochs: 2 });
        await loaded.fit(xs, ys, { ...fitArgs, epochs: 2 });
        expectSameTensors(loaded.getWeights(), model.getWeights(), 'weights after resuming');
        await expectSameOptimizerState(loadedOpt, model.optimizer, 'state after resuming');
        model.dispose();
        loaded.dispose();
      });

      it('state moves from tf.train.* into ours (setWeights by name) and continues identically', async () => {
        const { vars, loss } = mlp(23);
        const ref = tfjs();
        for (let t = 0; t < 5; t++) ref.minimize(loss, false, vars);
        const opt = ours();
        await opt.setWeights(await ref.getWeights());
        expect(opt.iterations).toBe(5);
        const start = vars.map(values);
        for (let t = 0; t < 5; t++) ref.minimize(loss, false, vars);
        const want = vars.map((v) => v.clone());
        vars.forEach((v, i) => v.assign(tf.tensor(start[i]!, v.shape)));
        for (let t = 0; t < 5; t++) opt.minimize(loss, false, vars);
        expectSameTensors(vars, want, 'variables');
        await expectSameOptimizerState(opt, ref, 'state');
        tf.dispose(want);
      });

      it(
        'state moves from ours into tf.train.* (setWeights by position) and continues (Adam: see ' + 'README)',
        async () => {
          const { vars, loss } = mlp(29);
          const opt = ours();
          for (let t = 0; t < 5; t++) opt.minimize(loss, false, vars);
          const ref = tfjs();
          await ref.setWeights(await opt.getWeights());
          const start = vars.map(values);
          for (let t = 0; t < 5; t++) opt.minimize(loss, false, vars);
          const want = vars.map((v) => v.clone());
          vars.forEach((v, i) => v.assign(tf.tensor(start[i]!, v.shape)));
          for (let t = 0; t < 5; t++) ref.minimize(loss, false, vars);
          if (className === 'WasmOptimAdam') {
            // tf.train.adam's setWeights rebuilds its bias-correction products as pow(β, iter + 1),
            // not the running float32 product it keeps while training: close, not bit-identical.
            expect(maxRelative(vars, want)).toBeLessThan(1e-5);
          } else {
            expectSameTensors(vars, want, 'variables');
            await expectSameOptimizerState(opt, ref, 'state');
          }
          tf.dispose(want);
        },
      );

      it('every wasm-optim backend (simd, wasm, js) gives the same bits', () => {
        expectBackendsAgree(ours);
      });
    });

    describe('state keyed by variable name', () => {
      it('Adam: subsets, null gradients and late variables match tf.train.adam (positions kept consistent)', () => {
        const make = (prefix: string): tf.Variable[] =>
          [0, 1, 2].map((k) => tf.variable(tf.tensor(normals(40 + k, 10)), true, `${prefix}${unique}/v${k}`));
        unique++;
        const va = make('tf');
        const vb = make('ours');
        const ref = tf.train.adam(0.01);
        const opt = W.adam(0.01);
        const grad = (t: number, k: number): tf.Tensor => tf.tensor(normals(100 * t + k, 10));
        // Call patterns: both variables; only the first; the second with a null gradient; a
        // variable appearing at call 4 at a fresh position; all three.
        const plan: (number | [number, null])[][] = [[0, 1], [0], [0, [1, null]], [0, 1, 2], [0, 1, 2], [0, 1, 2]];
        plan.forEach((call, t) => {
          for (const [vars, optimizer] of [
            [va, ref],
            [vb, opt],
          ] as const) {
            const list = call.map((item) =>
              Array.isArray(item)
                ? { name: vars[item[0]]!.name, tensor: null as unknown as tf.Tensor }
                : { name: vars[item]!.name, tensor: grad(t, item) },
            );
            optimizer.applyGradients(list);
            tf.dispose(list.map((l) => l.tensor).filter((x) => x !== null));
          }
        });
        expectSameTensors(vb, va, 'variables');
        expect(opt.iterations).toBe(ref.iterations);
      });

      it('Adam: betas changed mid-run, with a variable sitting out calls, match tf.train.adam', () => {
        expectSameWithFieldChanges(tf.train.adam(0.02, 0.9, 0.999), W.adam(0.02, 0.9, 0.999), {
          2: { beta1: 0.7 },
          4: { beta2: 0.99 },
        });
      });

      it('a call order that changes does not mix state up (tf.train.* would: it keys by position)', () => {
        const run = (optimizer: tf.Optimizer, swap: boolean): Float32Array[] => {
          const vars = [0, 1].map((k) => tf.variable(tf.tensor(normals(60 + k, 10)), true, `order${unique++}`));
          for (let t = 0; t < 6; t++) {
            const order = swap && t % 2 === 1 ? [1, 0] : [0, 1];
            const list = order.map((k) => ({
              name: vars[k]!.name,
              tensor: tf.tensor(normals(200 + 10 * t + k, 10, 10 ** k)),
            }));
            optimizer.applyGradients(list);
            tf.dispose(list.map((l) => l.tensor));
          }
          return vars.map(values);
        };
        const steady = run(W.adagrad(0.1), false);
        const swapped = run(W.adagrad(0.1), true);
        steady.forEach((v, k) => expectSameBits(swapped[k]!, v, `variable ${k}`));
        const tfSteady = run(tf.train.adagrad(0.1), false);
        const tfSwapped = run(tf.train.adagrad(0.1), true);
        expect(firstMismatch('tf.train.adagrad', tfSwapped[0]!, tfSteady[0]!)).not.toBeNull();
        tfSteady.forEach((v, k) => expectSameBits(steady[k]!, v, `steady order vs tf.train.adagrad, variable ${k}`));
      });

      it('NamedTensorMap gradients work like NamedTensor[] ones', () => {
        const [a, b] = [mlp(71), mlp(71)];
        const byList = W.rmsprop(0.01, 0.9, 0.9);
        const byMap = W.rmsprop(0.01, 0.9, 0.9);
        for (let t = 0; t < 4; t++) {
          const ga = tf.variableGrads(a.loss, a.vars);
          byList.applyGradients(a.vars.map((v) => ({ name: v.name, tensor: ga.grads[v.name]! })));
          tf.dispose([ga.value, ...Object.values(ga.grads)]);
          const gb = tf.variableGrads(b.loss, b.vars);
          byMap.applyGradients(gb.grads);
          tf.dispose([gb.value, ...Object.values(gb.grads)]);
        }
        expectSameTensors(b.vars, a.vars, 'variables');
      });
    });

    describe('TF.js integration', () => {
      it('instanceof: ours are tf.Optimizer; tf.train.* are not ours', () => {
        expect(W.adam() instanceof tf.Optimizer).toBe(true);
        expect(W.adam() instanceof W.WasmOptimAdam).toBe(true);
        expect(tf.train.adam() instanceof W.WasmOptimAdam).toBe(false);
        expect(W.sgd(0.1) instanceof W.WasmOptimAdam).toBe(false);
      });

      it('classes are registered for deserialization under their own names', () => {
        const map = tf.serialization.SerializationMap.getMap().classNameMap;
        for (const name of [
          'WasmOptimSGD',
          'WasmOptimMomentum',
          'WasmOptimAdagrad',
          'WasmOptimRMSProp',
          'WasmOptimAdam',
          'WasmOptimAdadelta',
        ]) {
          expect(map[name], name).toBeDefined();
        }
        expect(map['Adam']?.[0]).toBe(tf.AdamOptimizer); // TF.js's own untouched
        const opt = W.rmsprop(0.02, 0.8, 0.3, 1e-5, true);
        const [cls, fromConfig] = map['WasmOptimRMSProp']!;
        const copy = fromConfig(cls, opt.getConfig()) as W.WasmOptimRMSProp;
        expect(copy).toBeInstanceOf(W.WasmOptimRMSProp);
        expect(copy.getConfig()).toEqual({
          learningRate: 0.02,
          decay: 0.8,
          momentum: 0.3,
          epsilon: 1e-5,
          centered: true,
        });
      });

      it('hyperparameter fields are live, validated, and in getConfig', () => {
        const { vars, loss } = mlp(83);
        const ref = mlp(83);
        const opt = W.adam(0.01);
        const tfOpt = tf.train.adam(0.01) as tf.AdamOptimizer & { learningRate: number };
        opt.minimize(loss, false, vars);
        tfOpt.minimize(ref.loss, false, ref.vars);
        opt.learningRate = 0.002;
        tfOpt.learningRate = 0.002;
        opt.minimize(loss, false, vars);
        tfOpt.minimize(ref.loss, false, ref.vars);
        expectSameTensors(vars, ref.vars, 'after changing learningRate');
        expect(opt.getConfig()['learningRate']).toBe(0.002);
        expect(() => {
          opt.learningRate = -1;
        }).toThrow(RangeError);
        expect(opt.learningRate).toBe(0.002);
      });

      it(
        'Adam save/load: ours resumes bit for bit; tf.train.adam itself does not (pow vs running ' + 'product)',
        async () => {
          const { xs, ys } = classificationData(13, 64);
          const resumeGap = async (optimizer: tf.Optimizer): Promise<number> => {
            const model = denseModel();
            model.compile({ optimizer, loss: 'categoricalCrossentropy' });
            await model.fit(xs, ys, { ...fitArgs, epochs: 5 });
            const saver = memorySaver();
            await model.save(saver.handler, { includeOptimizer: true });
            const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saver.artifacts()));
            await model.fit(xs, ys, { ...fitArgs, epochs: 5 });
            await loaded.fit(xs, ys, { ...fitArgs, epochs: 5 });
            const gap = maxUlps(loaded.getWeights(), model.getWeights());
            model.dispose();
            loaded.dispose();
            return gap;
          };
          expect(await resumeGap(W.adam(0.01))).toBe(0);
          // tf.train.adam's setWeights sets accBeta = pow(β, iter + 1) where training had the
          // float32 running product: the resumed run drifts (TF.js 4.22 behaviour, kept here as
          // evidence for the README's note).
          expect(await resumeGap(tf.train.adam(0.01))).toBeGreaterThan(0);
        },
      );

      it('getWeights snapshots are owned by the optimizer: no growth over repeated calls', async () => {
        const { vars, loss } = mlp(89);
        const opt = W.adadelta(1);
        opt.minimize(loss, false, vars);
        await opt.getWeights();
        const count = tf.memory().numTensors;
        for (let k = 0; k < 5; k++) await opt.getWeights();
        expect(tf.memory().numTensors).toBe(count);
        opt.dispose();
        expect(tf.memory().numTensors).toBe(count - 9); // iter + 2 × 4 state tensors released
      });

      it('errors name the problem', async () => {
        const opt = W.adagrad(0.1);
        expect(() => opt.applyGradients({ nowhere: tf.scalar(1) })).toThrow(/no variable named "nowhere"/);
        const v = tf.variable(tf.zeros([3]), true, `err${unique++}`);
        expect(() => opt.applyGradients({ [v.name]: tf.zeros([4]) })).toThrow(/shape/);
        await expect(
          opt.setWeights([
            { name: 'iter', tensor: tf.scalar(0, 'int32') },
            { name: 'x/accumulator', tensor: tf.zeros([2]) },
            { name: 'y/accumulator', tensor: tf.zeros([2]) },
          ]),
        ).resolves.toBeUndefined();
        // No saved name matches: position binding, and the sizes must agree.
        expect(() => opt.applyGradients({ [v.name]: tf.zeros([3]) })).toThrow(/"x" \(shape \[2\]\) does not fit/);
        opt.dispose();
        expect(() => opt.applyGradients({ [v.name]: tf.zeros([3]) })).toThrow(/disposed/);
        await expect(
          W.adam().setWeights([
            { name: 'iter', tensor: tf.scalar(0, 'int32') },
            { name: 'x/m', tensor: tf.zeros([2]) },
          ]),
        ).rejects.toThrow(/multiple of 2/);
        expect(() => W.adagrad(-1)).toThrow(RangeError);
        expect(() => W.sgd(undefined as unknown as number)).toThrow(/learningRate must be defined/);
      });
    });
  });
}

/** Makes `backendName` the TF.js backend (wasm: single-threaded, binaries from node_modules). */
export async function useBackend(backendName: 'cpu' | 'wasm'): Promise<void> {
  if (backendName === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dist = new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url);
    wasm.setWasmPaths(decodeURIComponent(dist.pathname));
  } else {
    await import('@tensorflow/tfjs-backend-cpu');
  }
  await tf.setBackend(backendName);
  await tf.ready();
}

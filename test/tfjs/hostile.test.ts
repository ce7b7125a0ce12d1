// wasm-optim/tfjs under hostile use, on the TF.js cpu and wasm backends: getWeights() calls in
// flight together and interleaved with steps, dispose() racing getWeights()/setWeights(), every
// public method after dispose(), variables re-created under an old name with another shape, and
// the wasm-optim optimizers the wrapper holds being disposed whenever it lets go of one.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adagrad } from '../../src/optimizers/adagrad.js';
import * as W from '../../src/tfjs/index.js';
import {
  CASES,
  classificationData,
  denseModel,
  expectSameBits,
  fitArgs,
  memorySaver,
  mlp,
  normals,
  useBackend,
  values,
} from './shared.js';

let unique = 0;
/** A variable name no other test uses. */
const fresh = (stem: string): string => `hostile${unique++}/${stem}`;

/** A variable holding `data` (the initial tensor disposed: tf.variable() shares, not takes, it). */
function variable(data: Float32Array, shape: number[], name: string): tf.Variable {
  const init = tf.tensor(data, shape);
  const v = tf.variable(init, true, name);
  init.dispose();
  return v;
}

/** Plain copies of weights (name, shape, values), to compare after the tensors are gone. */
function copyWeights(weights: readonly W.NamedTensor[]): { name: string; shape: number[]; values: Float32Array }[] {
  return weights.map((w) => ({ name: w.name, shape: [...w.tensor.shape], values: values(w.tensor) }));
}

/** The saved weight bytes of a model artifact (one ArrayBuffer or several). */
function weightBytes(artifacts: tf.io.ModelArtifacts): Uint8Array {
  const data = artifacts.weightData;
  const parts = Array.isArray(data) ? data : data === undefined ? [] : [data];
  return new Uint8Array(tf.io.concatenateArrayBuffers(parts));
}

/** The wasm-optim optimizers SpyAdagrad made (in order), each with its dispose() count. */
const spyCores: { core: Adagrad; disposals: number }[] = [];

/**
 * An Adagrad wrapper recording every wasm-optim optimizer it makes, in spyCores (not a field:
 * the first is made inside the base constructor, before fields exist), and each one's dispose()
 * calls (the core's own dispose() is called through when it has one).
 */
class SpyAdagrad extends W.WasmOptimAdagrad {
  static override className = 'SpyAdagrad';

  protected override makeCore(params: number[], options: Record<string, unknown>): Adagrad {
    const core = super.makeCore(params, options);
    const record = { core, disposals: 0 };
    const own = (core as { dispose?: unknown }).dispose;
    Object.defineProperty(core, 'dispose', {
      configurable: true,
      value: () => {
        record.disposals++;
        if (typeof own === 'function') own.call(core);
      },
    });
    spyCores.push(record);
    return core;
  }
}

describe.each(['cpu', 'wasm'] as const)('wasm-optim/tfjs under hostile use, TF.js %s backend', (backendName) => {
  beforeAll(async () => {
    await useBackend(backendName);
  });

  describe('getWeights() calls in flight together', () => {
    it('two calls at once: both resolve to valid tensors of the same state; dispose() releases all', async () => {
      const { vars, loss } = mlp(101);
      const opt = W.rmsprop(0.01, 0.9, 0.5, null, true);
      opt.minimize(loss, false, vars);
      const baseline = tf.memory().numTensors;
      const [a, b] = await Promise.all([opt.getWeights(), opt.getWeights()]);
      for (const w of [...a, ...b]) expect(w.tensor.isDisposed, w.name).toBe(false);
      expect(a.map((w) => w.name)).toEqual(b.map((w) => w.name));
      a.forEach((w, i) => expectSameBits(values(b[i]!.tensor), values(w.tensor), w.name));
      expect(a.length).toBe(1 + 3 * 4); // iter + rms, momentum, mg for 4 variables
      opt.dispose();
      expect(tf.memory().numTensors).toBe(baseline);
    });

    it(
      'calls interleaved with minimize: each resolves to the state at its call (as tf.train.adam has it), none ' +
        'disposed or leaked',
      async () => {
        const a = mlp(103);
        const b = mlp(103);
        // The reference states before steps 2, 3 and 4.
        const ref = tf.train.adam(0.01);
        ref.minimize(a.loss, false, a.vars);
        const want: { name: string; shape: number[]; values: Float32Array }[][] = [];
        for (let k = 0; k < 3; k++) {
          const weights = await ref.getWeights();
          want.push(copyWeights(weights));
          tf.dispose(weights[0]!.tensor); // tf.train.adam's iter scalar is the caller's
          ref.minimize(a.loss, false, a.vars);
        }
        ref.dispose();

        const opt = W.adam(0.01);
        opt.minimize(b.loss, false, b.vars);
        const baseline = tf.memory().numTensors;
        const calls: Promise<W.NamedTensor[]>[] = [];
        for (let k = 0; k < 3; k++) {
          calls.push(opt.getWeights());
          if (k === 2) calls.push(opt.getWeights()); // two calls at the same state, too
          opt.minimize(b.loss, false, b.vars);
        }
        const got = await Promise.all(calls);
        const wantOf = [want[0]!, want[1]!, want[2]!, want[2]!];
        got.forEach((weights, k) => {
          for (const w of weights) expect(w.tensor.isDisposed, `call ${k}: ${w.name}`).toBe(false);
          const copy = copyWeights(weights);
          expect(
            copy.map((w) => w.shape),
            `call ${k}: shapes`,
          ).toEqual(wantOf[k]!.map((w) => w.shape));
          copy.forEach((w, i) => expectSameBits(w.values, wantOf[k]![i]!.values, `call ${k}: ${w.name}`));
        });
        // A later call releases the snapshots of older states: memory stays bounded.
        const later = await opt.getWeights();
        expect(tf.memory().numTensors).toBe(baseline + later.length);
        opt.dispose();
        expect(tf.memory().numTensors).toBe(baseline);
      },
    );

    it('a call while an earlier snapshot is still in use leaves it valid when the state has not changed', async () => {
      const { vars, loss } = mlp(107);
      const opt = W.adagrad(0.1);
      opt.minimize(loss, false, vars);
      const first = await opt.getWeights();
      const second = await opt.getWeights();
      for (const w of first) expect(w.tensor.isDisposed, w.name).toBe(false);
      second.forEach((w, i) => expectSameBits(values(w.tensor), values(first[i]!.tensor), w.name));
      opt.dispose();
    });

    it('two model.save(includeOptimizer) at once both succeed, with the same bytes', async () => {
      const { xs, ys } = classificationData(17, 32);
      const model = denseModel();
      model.compile({ optimizer: W.adam(0.01), loss: 'categoricalCrossentropy' });
      await model.fit(xs, ys, { ...fitArgs, epochs: 1 });
      const savers = [memorySaver(), memorySaver(), memorySaver()];
      await Promise.all(savers.map((s) => model.save(s.handler, { includeOptimizer: true })));
      const bytes = savers.map((s) => weightBytes(s.artifacts()));
      expect(bytes[1]).toEqual(bytes[0]);
      expect(bytes[2]).toEqual(bytes[0]);
      model.optimizer.dispose();
      model.dispose();
      tf.dispose([xs, ys]);
    });
  });

  describe('dispose() racing getWeights() and setWeights()', () => {
    it(
      'dispose() while getWeights() is pending: the call rejects naming the class and method; nothing ' + 'leaks',
      async () => {
        const { vars, loss } = mlp(109);
        const opt = W.adam(0.01);
        opt.minimize(loss, false, vars);
        const baseline = tf.memory().numTensors;
        const pending = opt.getWeights();
        opt.dispose();
        await expect(pending).rejects.toThrow(/^WasmOptimAdam\.getWeights: the optimizer was disposed/);
        expect(tf.memory().numTensors).toBe(baseline);
      },
    );

    it('dispose() while two getWeights() are pending, one of them already resolved: nothing leaks', async () => {
      const { vars, loss } = mlp(113);
      const opt = W.adadelta(1);
      opt.minimize(loss, false, vars);
      const baseline = tf.memory().numTensors;
      const done = await opt.getWeights();
      const pending = [opt.getWeights(), opt.getWeights()];
      opt.dispose();
      for (const w of done) expect(w.tensor.isDisposed).toBe(true); // released by dispose(), as documented
      for (const p of pending) await expect(p).rejects.toThrow(/WasmOptimAdadelta\.getWeights: .*disposed/);
      expect(tf.memory().numTensors).toBe(baseline);
    });

    it('dispose() while setWeights() is pending: the call rejects, and the optimizer stays disposed', async () => {
      const { vars, loss } = mlp(127);
      const source = W.adagrad(0.1);
      source.minimize(loss, false, vars);
      const weights = await source.getWeights();
      const opt = W.adagrad(0.1);
      const pending = opt.setWeights(weights);
      opt.dispose();
      await expect(pending).rejects.toThrow(/^WasmOptimAdagrad\.setWeights: the optimizer was disposed/);
      expect(() => opt.minimize(loss, false, vars)).toThrow(/WasmOptimAdagrad\.minimize: .*disposed/);
      await expect(opt.getWeights()).rejects.toThrow(/WasmOptimAdagrad\.getWeights: .*disposed/);
      source.dispose();
    });

    it(
      'setWeights() still reads its input when a getWeights() call of another state releases it ' + 'meanwhile',
      async () => {
        const { vars, loss } = mlp(131);
        const opt = W.momentum(0.05, 0.9);
        opt.minimize(loss, false, vars);
        const weights = await opt.getWeights();
        const copy = copyWeights(weights);
        const pending = opt.setWeights(weights);
        opt.minimize(loss, false, vars); // a new state: the next getWeights() may release `weights`
        await opt.getWeights();
        await expect(pending).resolves.toBeUndefined();
        const loaded = copyWeights(await opt.getWeights());
        expect(loaded.map((w) => w.name)).toEqual(copy.map((w) => w.name));
        loaded.forEach((w, i) => expectSameBits(w.values, copy[i]!.values, w.name));
        opt.dispose();
      },
    );

    it.each(CASES)(
      '$label: every method of a disposed optimizer throws naming the class and the method; config reads still work',
      async ({ ours, className }) => {
        const { vars, loss } = mlp(137);
        const opt = ours();
        opt.minimize(loss, false, vars);
        const config = opt.getConfig();
        opt.dispose();
        const disposed = (method: string): RegExp =>
          new RegExp(`^${className}\\.${method}: the optimizer has been disposed`);
        const before = tf.memory().numTensors;
        expect(() => opt.minimize(loss, false, vars)).toThrow(disposed('minimize'));
        expect(() => opt.minimize(loss, true)).toThrow(disposed('minimize'));
        expect(tf.memory().numTensors).toBe(before); // no gradients computed and dropped
        expect(() => opt.computeGradients(loss, vars)).toThrow(disposed('computeGradients'));
        const grads = vars.map((v) => ({ name: v.name, tensor: tf.zerosLike(v) }));
        expect(() => opt.applyGradients(grads)).toThrow(disposed('applyGradients'));
        tf.dispose(grads.map((g) => g.tensor));
        await expect(opt.getWeights()).rejects.toThrow(disposed('getWeights'));
        await expect(opt.setWeights([{ name: 'iter', tensor: tf.scalar(0, 'int32') }])).rejects.toThrow(
          disposed('setWeights'),
        );
        expect(() => {
          (opt as unknown as { learningRate: number }).learningRate = 0.5;
        }).toThrow(disposed('learningRate'));
        expect(tf.memory().numTensors).toBe(before + 1); // only the test's own iter scalar
        // Reading the configuration holds no memory: it keeps working (tfjs-layers serializes it).
        expect(opt.getConfig()).toEqual(config);
        expect(opt.getClassName()).toBe(className);
        expect(['simd', 'wasm', 'js']).toContain(opt.backend);
        expect(() => opt.dispose()).not.toThrow(); // a second dispose() does nothing
      },
    );
  });

  describe('malformed arguments', () => {
    it('get errors naming the method and the problem, and change nothing', async () => {
      const opt = W.adagrad(0.1);
      const v = variable(normals(950, 4), [4], fresh('v'));
      const start = values(v);
      const disposedGrad = tf.zeros([4]);
      disposedGrad.dispose();
      const bad: [unknown, RegExp][] = [
        [null, /^WasmOptimAdagrad\.applyGradients: expected a NamedTensorMap/],
        [[null], /^WasmOptimAdagrad\.applyGradients: item 0 is not a \{ name, tensor \}/],
        [{ [v.name]: 'x' }, /^WasmOptimAdagrad\.applyGradients: the gradient of ".*" is not a tensor/],
        [{ [v.name]: disposedGrad }, /^WasmOptimAdagrad\.applyGradients: the gradient of ".*" has been disposed/],
      ];
      for (const [arg, error] of bad) expect(() => opt.applyGradients(arg as tf.NamedTensorMap)).toThrow(error);
      const notScalar = tf.zeros([2]);
      await expect(opt.setWeights([{ name: 'iter', tensor: notScalar }])).rejects.toThrow(
        /^WasmOptimAdagrad\.setWeights: the first weight must be the 'iter' scalar/,
      );
      await expect(opt.setWeights([null as unknown as W.NamedTensor])).rejects.toThrow(
        /^WasmOptimAdagrad\.setWeights: item 0 is not a \{ name, tensor \}/,
      );
      expect(opt.iterations).toBe(0);
      expectSameBits(values(v), start, 'variable untouched');
      expect((await opt.getWeights()).map((w) => w.name)).toEqual(['iter']);
      opt.dispose();
      tf.dispose([v, notScalar]);
    });
  });

  describe('a variable re-created under the same name', () => {
    /**
     * Trains `u` and `w` 3 steps, re-creates `w` (same name) with `shape`, trains 3 more. The
     * reference is tf.train.* with the new `w` at a fresh position (the old one sitting out with
     * a null gradient): that is, a new variable, which is what ours must make of it.
     */
    const run = async (tfjs: () => tf.Optimizer, optimizer: W.WasmOptimizer, shape: number[]): Promise<void> => {
      const size = shape.reduce((a, b) => a * b, 1);
      const grad = (t: number, k: number, at: number[]): tf.Tensor =>
        tf.tensor(
          normals(
            1000 * t + k,
            at.reduce((a, b) => a * b, 1),
          ),
          at,
        );
      // Reference: u, w, then w2 in w's place but at position 2.
      const ref = tfjs();
      const [ru, rw] = [fresh('u'), fresh('w')].map((name, k) => variable(normals(500 + k, 6), [2, 3], name)) as [
        tf.Variable,
        tf.Variable,
      ];
      const rw2 = variable(normals(600, size), shape, fresh('w2'));
      for (let t = 0; t < 3; t++) {
        const list = [
          { name: ru.name, tensor: grad(t, 0, [2, 3]) },
          { name: rw.name, tensor: grad(t, 1, [2, 3]) },
        ];
        ref.applyGradients(list);
        tf.dispose(list.map((l) => l.tensor));
      }
      for (let t = 3; t < 6; t++) {
        const list = [
          { name: ru.name, tensor: grad(t, 0, [2, 3]) },
          { name: rw.name, tensor: null as unknown as tf.Tensor },
          { name: rw2.name, tensor: grad(t, 1, shape) },
        ];
        ref.applyGradients(list);
        tf.dispose([list[0]!.tensor, list[2]!.tensor]);
      }
      const refWeights = copyWeights(await ref.getWeights()).filter((w) => !w.name.startsWith(`${rw.name}/`));

      // Ours: u, w; w disposed and made again with the same name and the new shape.
      const baseline = tf.memory().numTensors;
      const uName = fresh('u');
      const wName = fresh('w');
      const u = variable(normals(500, 6), [2, 3], uName);
      let w = variable(normals(501, 6), [2, 3], wName);
      for (let t = 0; t < 3; t++) {
        const list = [
          { name: uName, tensor: grad(t, 0, [2, 3]) },
          { name: wName, tensor: grad(t, 1, [2, 3]) },
        ];
        optimizer.applyGradients(list);
        tf.dispose(list.map((l) => l.tensor));
      }
      w.dispose();
      w = variable(normals(600, size), shape, wName);
      for (let t = 3; t < 6; t++) {
        const list = [
          { name: uName, tensor: grad(t, 0, [2, 3]) },
          { name: wName, tensor: grad(t, 1, shape) },
        ];
        optimizer.applyGradients(list);
        tf.dispose(list.map((l) => l.tensor));
      }
      expectSameBits(values(u), values(ru), 'u (unchanged variable)');
      expectSameBits(values(w), values(rw2), 'w (re-created)');
      const weights = copyWeights(await optimizer.getWeights());
      expect(weights.map((x) => x.name)).toEqual(
        refWeights.map((x) => x.name.replace(ru.name, uName).replace(rw2.name, wName)),
      );
      expect(weights.map((x) => x.shape)).toEqual(refWeights.map((x) => x.shape));
      weights.forEach((x, i) => expectSameBits(x.values, refWeights[i]!.values, `state ${x.name}`));
      expect(optimizer.iterations).toBe(6);
      optimizer.dispose();
      tf.dispose([u, w]);
      expect(tf.memory().numTensors).toBe(baseline);
      ref.dispose();
      tf.dispose([ru, rw, rw2]);
    };

    it.each(CASES)(
      '$label: another size gets fresh state, like a new variable in tf.train.*; the others keep theirs',
      async ({ tfjs, ours }) => {
        await run(tfjs, ours(), [4]);
      },
    );

    it.each(CASES)(
      '$label: the same size in another shape ([2, 3] → [3, 2]) gets fresh state too',
      async ({ tfjs, ours }) => {
        await run(tfjs, ours(), [3, 2]);
      },
    );

    it('the same shape keeps its state, as in tf.train.* (it keys state by position)', () => {
      const ref = tf.train.adagrad(0.1);
      const opt = W.adagrad(0.1);
      const results = [ref, opt].map((optimizer) => {
        const name = fresh('same');
        let v = variable(normals(700, 5), [5], name);
        for (let t = 0; t < 6; t++) {
          if (t === 3) {
            v.dispose();
            v = variable(normals(701, 5), [5], name);
          }
          const g = tf.tensor(normals(800 + t, 5));
          optimizer.applyGradients([{ name, tensor: g }]);
          g.dispose();
        }
        const out = values(v);
        v.dispose();
        return out;
      });
      expectSameBits(results[1]!, results[0]!, 'variable');
      ref.dispose();
      opt.dispose();
    });

    it('re-creating again and again keeps working and leaks nothing', async () => {
      const opt = W.adam(0.01);
      const name = fresh('again');
      const other = variable(normals(900, 7), [7], fresh('other'));
      const baseline = tf.memory().numTensors;
      for (let k = 1; k <= 20; k++) {
        const v = variable(normals(900 + k, k), [k], name);
        const list = [
          { name, tensor: tf.onesLike(v) },
          { name: other.name, tensor: tf.onesLike(other) },
        ];
        opt.applyGradients(list);
        tf.dispose([...list.map((l) => l.tensor), v]);
      }
      expect(tf.memory().numTensors).toBe(baseline);
      const weights = await opt.getWeights();
      expect(weights.map((w) => `${w.name}:${w.tensor.shape}`)).toEqual([
        'iter:',
        `${name}/m:20`,
        `${other.name}/m:7`,
        `${name}/v:20`,
        `${other.name}/v:7`,
      ]);
      opt.dispose();
      other.dispose();
    });
  });

  describe('the wasm-optim optimizers the wrapper holds', () => {
    it(
      'each is disposed exactly once: when setWeights or a re-created variable replaces it, and at ' + 'dispose()',
      async () => {
        spyCores.length = 0;
        const opt = new SpyAdagrad(0.1);
        const name = fresh('spy');
        let v = variable(new Float32Array(3), [3], name);
        tf.tidy(() => opt.applyGradients({ [name]: tf.onesLike(v) }));
        expect(spyCores.map((c) => c.disposals)).toEqual([0]);
        await opt.setWeights(await opt.getWeights());
        expect(spyCores.map((c) => c.disposals)).toEqual([1, 0]);
        tf.tidy(() => opt.applyGradients({ [name]: tf.onesLike(v) }));
        v.dispose();
        v = variable(new Float32Array(5), [5], name);
        tf.tidy(() => opt.applyGradients({ [name]: tf.onesLike(v) }));
        expect(spyCores.length).toBe(3);
        expect(spyCores.map((c) => c.disposals)).toEqual([1, 1, 0]);
        opt.dispose();
        opt.dispose();
        expect(spyCores.map((c) => c.disposals)).toEqual([1, 1, 1]);
        v.dispose();
      },
    );
  });

  afterAll(() => {
    // Every test disposed what it made; nothing should be left from this file's variables.
    const left = Object.keys(tf.engine().registeredVariables).filter((n) => n.startsWith('hostile'));
    expect(left).toEqual([]);
  });
});

// adagrad(…, { sparseVariables }): embedding tables stepped only in the rows their gradient
// touches, against tf.train.adagrad (which steps every row) bit for bit, on the cpu and wasm
// backends; the documented exceptions; and the option's errors.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Optimizer } from '../../src/optimizer.js';
import type { SparseGrad } from '../../src/sparse-grad.js';
import * as W from '../../src/tfjs/index.js';
import { expectSameBits, fitArgs, normals, useBackend, values } from './shared.js';

let unique = 0;
const NEG_ZERO_BITS = 0x80000000;

/** An embedding table [rows, width] and a dense head [width, 2], as plain variables under a fresh prefix. */
function embeddingModel(rows: number, width: number): { prefix: string; emb: tf.Variable; head: tf.Variable } {
  const prefix = `sparse${unique++}`;
  const emb = tf.variable(tf.tensor(normals(7, rows * width, 0.5), [rows, width]), true, `${prefix}/emb`);
  const head = tf.variable(tf.tensor(normals(8, width * 2, 0.5), [width, 2]), true, `${prefix}/head`);
  return { prefix, emb, head };
}

/** Mean squared error of gather(emb, ids) · head against a fixed target. */
function lossOf(emb: tf.Variable, head: tf.Variable, ids: readonly number[]): () => tf.Scalar {
  return () =>
    tf.tidy(() => {
      const rows = tf.gather(emb, tf.tensor1d([...ids], 'int32'));
      const target = tf.tensor(normals(ids.length, ids.length * 2), [ids.length, 2]);
      return tf.mean(tf.square(tf.sub(tf.matMul(rows, head), target)));
    });
}

/**
 * Records, call by call, the rows of the row-sparse gradient the wasm-optim step receives for
 * parameter `index` (the steps still run). vi.restoreAllMocks() (afterEach) removes the spy.
 */
function recordSparseSteps(index: number): number[][] {
  const rows: number[][] = [];
  const real = Optimizer.prototype.step;
  vi.spyOn(Optimizer.prototype, 'step').mockImplementation(function (this: Optimizer<never>, grads) {
    const grad = grads?.[index];
    if (grad !== null && grad !== undefined && !(grad instanceof Float32Array))
      rows.push([...(grad as SparseGrad).indices]);
    return real.call(this, grads);
  });
  return rows;
}

function f32(...xs: number[]): Float32Array {
  return Float32Array.from(xs);
}

/**
 * The suite on one backend. tfjs-backend-wasm 4.22 has no UnsortedSegmentSum kernel, so
 * tf.gather has no gradient there: the tests through tf.gather run on cpu only (`gather`).
 */
function defineSparseSuite(backendName: 'cpu' | 'wasm'): void {
  const gather = backendName === 'cpu';
  describe(`adagrad sparseVariables on the TF.js ${backendName} backend`, () => {
    beforeAll(async () => {
      await useBackend(backendName);
    });
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it.runIf(gather)(
      'tf.gather embedding: 6 minimize steps equal tf.train.adagrad bit for bit; only touched rows step',
      async () => {
        // Repeated ids within a batch, rows touched once, many, or never (1, 2, 4, 6, 8…).
        const batches = [[3, 7, 3, 12], [7, 7, 7], [0, 39, 3], [12, 20, 20, 5], [3], [25, 3, 25, 3]];
        const a = embeddingModel(40, 6);
        const b = embeddingModel(40, 6);
        const ref = tf.train.adagrad(0.1);
        const opt = W.adagrad(0.1, 0.1, { sparseVariables: [b.emb.name] });
        const before = values(b.emb);
        const steps = recordSparseSteps(1); // parameter 1: the embedding (0 is a placeholder, 2 the head)
        for (const [t, ids] of batches.entries()) {
          ref.minimize(lossOf(a.emb, a.head, ids), false, [a.emb, a.head]);
          opt.minimize(lossOf(b.emb, b.head, ids), false, [b.emb, b.head]);
          expectSameBits(values(b.emb), values(a.emb), `emb after step ${t + 1}`);
          expectSameBits(values(b.head), values(a.head), `head after step ${t + 1}`);
          const ours = await opt.getWeights();
          const theirs = await ref.getWeights();
          expect(ours.map((w) => w.name)).toEqual([
            'iter',
            `${b.prefix}/emb/accumulator`,
            `${b.prefix}/head/accumulator`,
          ]);
          ours.forEach((w, k) =>
            expectSameBits(values(w.tensor), values(theirs[k]!.tensor), `${w.name}, step ${t + 1}`),
          );
        }
        // Each step gave the core exactly the distinct gathered rows, ascending.
        expect(steps).toEqual(batches.map((ids) => [...new Set(ids)].sort((x, y) => x - y)));
        // Rows never gathered kept their values; their accumulators their initial 0.1.
        const touched = new Set(batches.flat());
        const after = values(b.emb);
        const acc = values((await opt.getWeights())[1]!.tensor);
        for (let row = 0; row < 40; row++) {
          if (touched.has(row)) continue;
          expectSameBits(after.subarray(row * 6, row * 6 + 6), before.subarray(row * 6, row * 6 + 6), `row ${row}`);
          expectSameBits(acc.subarray(row * 6, row * 6 + 6), new Float32Array(6).fill(0.1), `accumulator row ${row}`);
        }
        opt.dispose();
        ref.dispose();
        tf.dispose([a.emb, a.head, b.emb, b.head]);
      },
    );

    it('edge rows: ±0, −0 over −0 values, NaN, ±Inf, subnormal gradients — 3 steps equal tf.train.adagrad', () => {
      // Rows: 0 all +0; 1 all −0; 2 −0 where the values hold −0 (stepped: TF.js makes them +0);
      // 3 +0 over −0 values (skipped: −0 + −0 = −0); 4 a NaN; 5 an Inf; 6 a subnormal; 7 plain.
      const init = f32(1, 2, 3, 4, 5, 6, -0, 0.5, -0, -0, -0, 0, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9);
      const grad = f32(
        0,
        0,
        0,
        -0,
        -0,
        -0,
        -0,
        -0,
        0,
        0,
        0,
        -0,
        0,
        Number.NaN,
        0,
        -Infinity,
        0,
        0,
        0,
        1e-45,
        0,
        1,
        -2,
        3,
      );
      const prefix = `edge${unique++}`;
      const a = tf.variable(tf.tensor(init, [8, 3]), true, `${prefix}/ref`);
      const b = tf.variable(tf.tensor(init, [8, 3]), true, `${prefix}/ours`);
      const ref = tf.train.adagrad(0.25);
      const opt = W.adagrad(0.25, 0.1, { sparseVariables: [b.name] });
      const steps = recordSparseSteps(1);
      for (let t = 0; t < 3; t++) {
        tf.tidy(() => {
          ref.applyGradients([{ name: a.name, tensor: tf.tensor(grad, [8, 3]) }]);
          opt.applyGradients({ [b.name]: tf.tensor(grad, [8, 3]) });
        });
        expectSameBits(values(b), values(a), `step ${t + 1}`);
      }
      // Row 2 only at the first step: its values are +0 from then on, and +0 + +0 = +0.
      expect(steps).toEqual([
        [2, 4, 5, 6, 7],
        [4, 5, 6, 7],
        [4, 5, 6, 7],
      ]);
      // The −0 value under a −0 gradient became +0 (as in TF.js); those under +0 stayed −0.
      const bits = new Uint32Array(values(b).buffer);
      expect([bits[6], bits[8], bits[9], bits[10]]).toEqual([0, NEG_ZERO_BITS, NEG_ZERO_BITS, NEG_ZERO_BITS]);
      opt.dispose();
      ref.dispose();
      tf.dispose([a, b]);
    });

    it('a gradient touching no row leaves the variable its tensor; iterations still count', () => {
      const { emb } = embeddingModel(5, 2);
      const opt = W.adagrad(0.1, 0.1, { sparseVariables: [emb.name] });
      const dataId = emb.dataId;
      const before = values(emb);
      tf.tidy(() => opt.applyGradients({ [emb.name]: tf.zeros([5, 2]) }));
      expect(emb.dataId).toBe(dataId);
      expectSameBits(values(emb), before, 'values');
      expect(opt.iterations).toBe(1);
      // A new value assigned from outside is read in at the next step.
      emb.assign(tf.fill([5, 2], 2));
      tf.tidy(() => opt.applyGradients({ [emb.name]: tf.tensor([0, 0, 1, 1, 0, 0, 0, 0, 0, 0], [5, 2]) }));
      const got = values(emb);
      expect(got[0]).toBe(2);
      expect(got[2]).toBeLessThan(2);
      opt.dispose();
      emb.dispose();
    });

    it.runIf(gather)(
      'a test (name, shape) => boolean; model.fit with an Embedding layer equals tf.train.adagrad',
      async () => {
        const build = (): tfl.Sequential =>
          tfl.sequential({
            layers: [
              tfl.layers.embedding({ inputDim: 30, outputDim: 4, inputLength: 3 }),
              tfl.layers.flatten(),
              tfl.layers.dense({ units: 2 }),
            ],
          });
        const reference = build();
        const model = build();
        model.setWeights(reference.getWeights());
        const seen: string[] = [];
        const opt = W.adagrad(0.05, 0.1, {
          sparseVariables: (name, shape) => {
            seen.push(`${name} [${shape}]`);
            return name.endsWith('/embeddings');
          },
        });
        const ref = tf.train.adagrad(0.05);
        reference.compile({ optimizer: ref, loss: 'meanSquaredError' });
        model.compile({ optimizer: opt, loss: 'meanSquaredError' });
        // Ids from 0 to 19 only: rows 20–29 are never touched.
        const xs = tf.tensor2d(
          Array.from({ length: 16 * 3 }, (_, i) => (i * 7) % 20),
          [16, 3],
        );
        const ys = tf.tensor(normals(3, 32), [16, 2]);
        await reference.fit(xs, ys, { ...fitArgs, epochs: 3 });
        await model.fit(xs, ys, { ...fitArgs, epochs: 3 });
        expect(opt.iterations).toBe(6);
        model
          .getWeights()
          .forEach((w, k) => expectSameBits(values(w), values(reference.getWeights()[k]!), `weight ${k}`));
        const ours = await opt.getWeights();
        const theirs = await ref.getWeights();
        ours.forEach((w, k) => expectSameBits(values(w.tensor), values(theirs[k]!.tensor), w.name));
        expect(seen.some((s) => s.endsWith('/embeddings [30,4]'))).toBe(true);
        opt.dispose();
        ref.dispose();
        model.dispose();
        reference.dispose();
        tf.dispose([xs, ys]);
      },
    );

    it.runIf(gather)('setWeights from tf.train.adagrad mid-run, then both continue bit for bit', async () => {
      const a = embeddingModel(12, 3);
      const b = embeddingModel(12, 3);
      const ref = tf.train.adagrad(0.2);
      ref.minimize(lossOf(a.emb, a.head, [1, 5, 5]), false, [a.emb, a.head]);
      b.emb.assign(a.emb);
      b.head.assign(a.head);
      const opt = W.adagrad(0.2, 0.1, { sparseVariables: [b.emb.name] });
      await opt.setWeights(await ref.getWeights());
      for (const ids of [[2, 5], [11, 11, 0], [5]]) {
        ref.minimize(lossOf(a.emb, a.head, ids), false, [a.emb, a.head]);
        opt.minimize(lossOf(b.emb, b.head, ids), false, [b.emb, b.head]);
      }
      expectSameBits(values(b.emb), values(a.emb), 'emb');
      expectSameBits(values(b.head), values(a.head), 'head');
      const ours = await opt.getWeights();
      const theirs = await ref.getWeights();
      ours.forEach((w, k) => expectSameBits(values(w.tensor), values(theirs[k]!.tensor), w.name));
      opt.dispose();
      ref.dispose();
      tf.dispose([a.emb, a.head, b.emb, b.head]);
    });

    it('a sparse variable re-created with another shape starts afresh, still row-sparse', () => {
      const name = `reshaped${unique++}`;
      const old = tf.variable(tf.ones([4, 2]), true, name);
      const opt = W.adagrad(0.5, 0.1, { sparseVariables: [name] });
      const steps = recordSparseSteps(1);
      tf.tidy(() => opt.applyGradients({ [name]: tf.tensor([0, 0, 1, 1, 0, 0, 0, 0], [4, 2]) }));
      old.dispose();
      const init = normals(5, 12);
      const b = tf.variable(tf.tensor(init, [6, 2]), true, name);
      const a = tf.variable(tf.tensor(init, [6, 2]), true, `${name}/ref`);
      const ref = tf.train.adagrad(0.5); // a fresh tf.train: the new variable's state is fresh
      const grad = f32(1, 2, 0, 0, 0, 0, 0, 0, 0, 0, -0, 3);
      tf.tidy(() => {
        ref.applyGradients([{ name: a.name, tensor: tf.tensor(grad, [6, 2]) }]);
        opt.applyGradients({ [name]: tf.tensor(grad, [6, 2]) });
      });
      expectSameBits(values(b), values(a), 'values');
      expect(steps).toEqual([[1], [0, 5]]);
      opt.dispose();
      ref.dispose();
      tf.dispose([a, b]);
    });

    describe('the documented exceptions (untouched rows are not stepped; tf.train steps them)', () => {
      it('accumulators loaded negative or NaN: tf.train makes zero-gradient values NaN, ours keeps them', async () => {
        const prefix = `exc${unique++}`;
        const init = f32(1, 2, 3, 4, 5, 6, 7, 8);
        const a = tf.variable(tf.tensor(init, [4, 2]), true, `${prefix}/ref`);
        const b = tf.variable(tf.tensor(init, [4, 2]), true, `${prefix}/ours`);
        const ref = tf.train.adagrad(0.1);
        const opt = W.adagrad(0.1, 0.1, { sparseVariables: [b.name] });
        const accumulator = f32(0.1, 0.1, 0.1, 0.1, Number.NaN, 0.1, -1, 0.1);
        for (const o of [ref, opt]) {
          const weights = [
            { name: 'iter', tensor: tf.scalar(0, 'int32') },
            { name: `${o === ref ? a.name : b.name}/accumulator`, tensor: tf.tensor(accumulator, [4, 2]) },
          ];
          await o.setWeights(weights);
          tf.dispose(weights.map((w) => w.tensor));
        }
        const grad = f32(1, -1, 0, 0, 0, 0, 0, 0);
        tf.tidy(() => {
          ref.applyGradients([{ name: a.name, tensor: tf.tensor(grad, [4, 2]) }]);
          opt.applyGradients([{ name: b.name, tensor: tf.tensor(grad, [4, 2]) }]);
        });
        const theirs = values(a);
        const ours = values(b);
        expectSameBits(ours.subarray(0, 4), theirs.subarray(0, 4), 'rows 0 and 1');
        expect([theirs[4], theirs[6]]).toEqual([Number.NaN, Number.NaN]);
        expectSameBits(ours.subarray(4), init.subarray(4), 'rows 2 and 3 (not stepped)');
        opt.dispose();
        ref.dispose();
        tf.dispose([a, b]);
      });

      it('learningRate +Infinity: tf.train makes untouched rows NaN (0·−∞), ours keeps them', () => {
        const prefix = `inf${unique++}`;
        const a = tf.variable(tf.ones([3, 2]), true, `${prefix}/ref`);
        const b = tf.variable(tf.ones([3, 2]), true, `${prefix}/ours`);
        const ref = tf.train.adagrad(Number.POSITIVE_INFINITY);
        const opt = W.adagrad(Number.POSITIVE_INFINITY, 0.1, { sparseVariables: [b.name] });
        tf.tidy(() => {
          ref.applyGradients([{ name: a.name, tensor: tf.tensor([0, 0, 1, 0, 0, 0], [3, 2]) }]);
          opt.applyGradients({ [b.name]: tf.tensor([0, 0, 1, 0, 0, 0], [3, 2]) });
        });
        expect(Array.from(values(a))).toEqual([Number.NaN, Number.NaN, -Infinity, Number.NaN, Number.NaN, Number.NaN]);
        expect(Array.from(values(b))).toEqual([1, 1, -Infinity, Number.NaN, 1, 1]);
        opt.dispose();
        ref.dispose();
        tf.dispose([a, b]);
      });

      it('initialAccumulatorValue −0: same values; untouched accumulators stay −0 where tf.train has +0', async () => {
        const prefix = `nz${unique++}`;
        const a = tf.variable(tf.ones([3, 2]), true, `${prefix}/ref`);
        const b = tf.variable(tf.ones([3, 2]), true, `${prefix}/ours`);
        const ref = tf.train.adagrad(0.1, -0);
        const opt = W.adagrad(0.1, -0, { sparseVariables: [b.name] });
        tf.tidy(() => {
          ref.applyGradients([{ name: a.name, tensor: tf.tensor([0, 0, 1, 2, 0, 0], [3, 2]) }]);
          opt.applyGradients({ [b.name]: tf.tensor([0, 0, 1, 2, 0, 0], [3, 2]) });
        });
        expectSameBits(values(b), values(a), 'values');
        const theirs = values((await ref.getWeights())[1]!.tensor);
        const ours = values((await opt.getWeights())[1]!.tensor);
        expectSameBits(ours.subarray(2, 4), theirs.subarray(2, 4), 'row 1 accumulator');
        // tf.train: +0 (0x00000000), 1 and 4 (0x3f800000, 0x40800000), +0.
        expect(Array.from(new Uint32Array(theirs.buffer))).toEqual([0, 0, 0x3f800000, 0x40800000, 0, 0]);
        expect(Array.from(ours).map((x) => Object.is(x, -0))).toEqual([true, true, false, false, true, true]);
        opt.dispose();
        ref.dispose();
        tf.dispose([a, b]);
      });
    });

    describe('errors: thrown before anything changes, naming the option', () => {
      it('a name that is not a registered variable', async () => {
        const { emb, head } = embeddingModel(4, 2);
        const opt = W.adagrad(0.1, 0.1, { sparseVariables: ['no-such-variable'] });
        const before = values(emb);
        const grads = { [emb.name]: tf.ones([4, 2]), [head.name]: tf.ones([2, 2]) };
        expect(() => opt.applyGradients(grads)).toThrow(
          /WasmOptimAdagrad\.applyGradients: settings\.sparseVariables names "no-such-variable", but no variable/,
        );
        expectSameBits(values(emb), before, 'emb');
        expect(opt.iterations).toBe(0);
        expect((await opt.getWeights()).map((w) => w.name)).toEqual(['iter']);
        opt.dispose();
        tf.dispose([emb, head, ...Object.values(grads)]);
      });

      it('a variable that is not two-dimensional, by name or by test', () => {
        const { emb, head } = embeddingModel(4, 2);
        const bias = tf.variable(tf.zeros([2]), true, `bias${unique++}`);
        const cube = tf.variable(tf.zeros([2, 2, 2]), true, `cube${unique++}`);
        const byName = W.adagrad(0.1, 0.1, { sparseVariables: [emb.name, bias.name] });
        expect(() => byName.applyGradients({ [emb.name]: tf.zeros([4, 2]) })).toThrow(
          new RegExp(`sparseVariables selects variable "${bias.name}" of shape \\[2\\]; only two-dimensional`),
        );
        const byTest = W.adagrad(0.1, 0.1, { sparseVariables: () => true });
        expect(() => byTest.applyGradients({ [emb.name]: tf.zeros([4, 2]), [cube.name]: tf.zeros([2, 2, 2]) })).toThrow(
          RangeError,
        );
        expect(byName.iterations + byTest.iterations).toBe(0);
        byName.dispose();
        byTest.dispose();
        tf.dispose([emb, head, bias, cube]);
      });

      it('a test that throws: the error at applyGradients, nothing registered or stepped', async () => {
        const { emb, head } = embeddingModel(4, 2);
        let calls = 0;
        const opt = W.adagrad(0.1, 0.1, {
          sparseVariables: (name) => {
            calls++;
            if (name === head.name) throw new Error('no verdict');
            return true;
          },
        });
        const before = values(emb);
        const grads = { [emb.name]: tf.ones([4, 2]), [head.name]: tf.ones([2, 2]) };
        expect(() => opt.applyGradients(grads)).toThrow('no verdict');
        expectSameBits(values(emb), before, 'emb');
        expect(opt.iterations).toBe(0);
        expect((await opt.getWeights()).map((w) => w.name)).toEqual(['iter']);
        // Registering the variables asks the test no more: it answered while checking.
        expect(calls).toBe(2);
        let asked = 0;
        const settled = W.adagrad(0.1, 0.1, {
          sparseVariables: (name) => {
            asked++;
            return name === emb.name;
          },
        });
        settled.applyGradients(grads);
        expect(asked).toBe(2); // once per variable, while checking
        opt.dispose();
        settled.dispose();
        tf.dispose([emb, head, ...Object.values(grads)]);
      });

      it('a value of the wrong type, or the option given to an optimizer that does not offer it', () => {
        const bad = { sparseVariables: 'emb' } as unknown as W.WasmOptimAdagradSettings;
        expect(() => W.adagrad(0.1, 0.1, bad)).toThrow(/settings\.sparseVariables must be an array of variable names/);
        const mixed = { sparseVariables: ['emb', 3] } as unknown as W.WasmOptimAdagradSettings;
        expect(() => W.adagrad(0.1, 0.1, mixed)).toThrow(TypeError);
        const settings = { sparseVariables: ['emb'] } as W.WasmOptimSettings;
        expect(() => W.adam(0.1, 0.9, 0.999, null, settings)).toThrow(
          /WasmOptimAdam: settings\.sparseVariables is offered by adagrad\(\) \(WasmOptimAdagrad\) only/,
        );
        expect(() => W.rmsprop(0.1, 0.9, 0, null, false, settings)).toThrow(TypeError);
      });
    });
  });
}

defineSparseSuite('cpu');
defineSparseSuite('wasm');

// Parameter groups and the two step interfaces: per-group hyperparameters, options written
// between steps, addParamGroup, parameters given as lengths, skipped (null) gradients, the
// zero-copy step, and how drop-in and zero-copy steps hand the values back and forth.
import { describe, expect, it } from 'vitest';
import { availableBackends } from '../src/index.js';
import { FLAVOR_CASES, classNameOf, flavorRow, hasStepOf, specFor } from './helpers/algorithms.js';
import {
  bitsOf,
  construct,
  dataBits,
  encode,
  firstBitDifference,
  gradsFor,
  stateBits,
  values,
  zeroCopyStep,
  type Algo,
  type AnyOptimizer,
} from './helpers/snapshot.js';

const backends = availableBackends();

/** Every algorithm and flavor of the table, with its two option sets (differing in every option the flavor has). */
const CASES = FLAVOR_CASES.map(({ algorithm, flavor }) => ({
  algo: classNameOf(algorithm) as Algo,
  algorithm,
  flavor,
  name: `${classNameOf(algorithm)} ${flavor}`,
}));

/** The state entry of parameter i, buffers as bits (the step included). */
const entryBits = (opt: AnyOptimizer, i: number): unknown => encode(opt.stateDict().state[i]);

describe.each(backends)('backend %s', (backend) => {
  describe.each(CASES)('$name', ({ algo, algorithm, flavor }) => {
    const [X, Y] = flavorRow(algorithm, flavor).pair;
    const hasStep = hasStepOf(algorithm, flavor);
    const settings = { flavor, backend };

    it('per-group hyperparameters apply: two groups equal two separate optimizers, bit for bit', () => {
      const lengths = [5, 3, 7];
      const user = lengths.map((n, k) => values(n, k + 1));
      const copies = user.map((p) => p.slice());
      // Group 0 takes its options from the constructor's, group 1 overrides them.
      const grouped = construct(algo, [{ params: [user[0], user[1]] }, { params: [user[2]], ...Y }], {
        ...X,
        ...settings,
      });
      const first = construct(algo, [copies[0], copies[1]], { ...X, ...settings });
      const second = construct(algo, [copies[2]], { ...X, ...Y, ...settings });
      for (let t = 1; t <= 4; t++) {
        const g = gradsFor(lengths, t);
        grouped.step(g);
        first.step([g[0]!, g[1]!]);
        second.step([g[2]!]);
      }
      expect(user.map(bitsOf)).toEqual(copies.map(bitsOf));
      expect(entryBits(grouped, 0)).toEqual(entryBits(first, 0));
      expect(entryBits(grouped, 1)).toEqual(entryBits(first, 1));
      expect(entryBits(grouped, 2)).toEqual(entryBits(second, 0));
      expect(grouped.stateDict().param_groups[1]).toMatchObject({ ...Y, params: [2] });
    });

    it('a changed paramGroups[i].lr takes effect at the next step, for that group only', () => {
      const lengths = [6, 5];
      const make = (): { opt: AnyOptimizer; user: Float32Array[] } => {
        const user = lengths.map((n, k) => values(n, k + 1));
        return { user, opt: construct(algo, [{ params: [user[0]] }, { params: [user[1]] }], { ...X, ...settings }) };
      };
      const changed = make();
      const unchanged = make();
      for (const run of [changed, unchanged]) for (let t = 1; t <= 2; t++) run.opt.step(gradsFor(lengths, t));
      // The reference: constructed with the new lr, from a copy of the state at this point.
      const dict = changed.opt.stateDict();
      dict.param_groups[1]!['lr'] = 0.25;
      const refUser = changed.user.map((p) => p.slice());
      const reference = construct(algo, [{ params: [refUser[0]] }, { params: [refUser[1]], lr: 0.25 }], {
        ...X,
        ...settings,
      });
      reference.loadStateDict(dict);

      changed.opt.paramGroups[1]!['lr'] = 0.25;
      for (const run of [changed.opt, unchanged.opt, reference]) {
        for (let t = 3; t <= 4; t++) run.step(gradsFor(lengths, t));
      }
      expect(changed.user.map(bitsOf)).toEqual(refUser.map(bitsOf));
      expect(stateBits(changed.opt)).toEqual(stateBits(reference));
      expect(bitsOf(changed.user[0]!)).toEqual(bitsOf(unchanged.user[0]!));
      expect(bitsOf(changed.user[1]!)).not.toEqual(bitsOf(unchanged.user[1]!));
    });

    // PyTorch 1.13's NAdam and RAdam have no maximize.
    if (flavor === 'torch' && 'maximize' in specFor(algorithm).rules) {
      it('a boolean written between steps takes effect: maximize = true equals stepping with −grad', () => {
        const lengths = [5, 4];
        const make = (): { opt: AnyOptimizer; user: Float32Array[] } => {
          const user = lengths.map((n, k) => values(n, k + 1));
          return { user, opt: construct(algo, user, { ...X, ...settings }) };
        };
        const flipped = make();
        const negated = make();
        for (const run of [flipped, negated]) run.opt.step(gradsFor(lengths, 1));
        flipped.opt.paramGroups[0]!['maximize'] = true;
        const g = gradsFor(lengths, 2);
        flipped.opt.step(g);
        negated.opt.step(g.map((x) => x.map((v) => -v)));
        expect(flipped.user.map(bitsOf)).toEqual(negated.user.map(bitsOf));
        expect(stateBits(flipped.opt)).not.toEqual(stateBits(negated.opt)); // the option itself differs…
        flipped.opt.paramGroups[0]!['maximize'] = false;
        expect(stateBits(flipped.opt)).toEqual(stateBits(negated.opt)); // …and nothing else
      });
    }

    it('replacing a paramGroups entry is refused, so stateDict() reports the options the next step uses', () => {
      // paramGroups is a plain mutable array (typed ParamGroup<O>[]): assigning a new group
      // object is accepted, stateDict() and the validation read the new object, but step()
      // keeps using the old one, so a run resumed from that state dict diverges. Either the
      // assignment should throw (frozen array) or step() should use the new object.
      const user = [values(5, 1)];
      const opt = construct(algo, user, { ...X, ...settings });
      opt.step(gradsFor([5], 1));
      try {
        (opt.paramGroups as unknown as Record<string, unknown>[])[0] = { ...opt.paramGroups[0]!, lr: 0.5 };
      } catch {
        // a frozen array is a fine answer too
      }
      const reference = construct(
        algo,
        user.map((p) => p.slice()),
        { ...X, ...settings },
      );
      reference.loadStateDict(opt.stateDict());
      opt.step(gradsFor([5], 2));
      reference.step(gradsFor([5], 2));
      expect(bitsOf(user[0]!)).toEqual(bitsOf(reference.params[0]!.data));
    });

    it('addParamGroup: defaults from the constructor, overrides, new state, memory growth', () => {
      const a = values(5, 1);
      const b = values(3, 2);
      const c = values(6, 3);
      const big = values(17000, 4); // 68 kB: more than one 64 kB page, so the memory grows
      const copies = [a, b, c, big].map((p) => p.slice());
      const opt = construct(algo, [a], { ...Y, ...settings });
      opt.step([values(5, 10)]);
      const defaults = encode(opt.defaults);

      opt.addParamGroup({ params: [b] });
      opt.addParamGroup({ params: [c, big], lr: 0.05 });
      expect(encode(opt.defaults)).toEqual(defaults);
      expect(opt.paramGroups.length).toBe(3);
      expect(opt.params.map((p) => [p.index, p.length])).toEqual([
        [0, 5],
        [1, 3],
        [2, 6],
        [3, 17000],
      ]);
      expect(opt.paramGroups[1]!.params.map((h) => h.index)).toEqual([1]);
      expect(opt.paramGroups[2]!.params.map((h) => h.index)).toEqual([2, 3]);
      const group1 = encode({ ...opt.paramGroups[1]!, params: undefined });
      expect(group1).toEqual(defaults);
      expect(encode({ ...opt.paramGroups[2]!, params: undefined })).toEqual({ ...(defaults as object), lr: 'n:0.05' });
      expect(opt.stateDict().param_groups.map((g) => g.params)).toEqual([[0], [1], [2, 3]]);
      // The new parameters' values were copied in; the old handle still reads live memory.
      expect(bitsOf(opt.params[1]!.data)).toEqual(bitsOf(copies[1]!));
      expect(firstBitDifference(opt.params[3]!.data, copies[3]!)).toBe(-1);
      expect(bitsOf(opt.params[0]!.data)).toEqual(bitsOf(a));
      if (algo === 'Adagrad') {
        const init = Y['initialAccumulatorValue'] as number;
        expect(opt.stateDict().state[1]).toEqual({ step: 0, sum: new Float32Array(3).fill(init) });
      } else {
        expect(Object.keys(opt.stateDict().state)).toEqual(['0']);
      }

      // Stepping: each parameter as if it had its own optimizer with its group's options.
      const alone = [
        construct(algo, [copies[0]], { ...Y, ...settings }),
        construct(algo, [copies[1]], { ...Y, ...settings }),
        construct(algo, [copies[2], copies[3]], { ...Y, lr: 0.05, ...settings }),
      ];
      alone[0]!.step([values(5, 10)]);
      for (let t = 1; t <= 2; t++) {
        const g = gradsFor([5, 3, 6, 17000], t);
        opt.step(g);
        alone[0]!.step([g[0]!]);
        alone[1]!.step([g[1]!]);
        alone[2]!.step([g[2]!, g[3]!]);
      }
      expect([a, b, c].map(bitsOf)).toEqual(copies.slice(0, 3).map(bitsOf));
      expect(firstBitDifference(big, copies[3]!)).toBe(-1);
      expect(firstBitDifference(big, values(17000, 4))).not.toBe(-1);
      expect(entryBits(opt, 0)).toEqual(entryBits(alone[0]!, 0));
      expect(entryBits(opt, 1)).toEqual(entryBits(alone[1]!, 0));
      expect(entryBits(opt, 2)).toEqual(entryBits(alone[2]!, 0));
      const bigState = opt.stateDict().state[3] as unknown as Record<string, Float32Array | number>;
      const bigAlone = alone[2]!.stateDict().state[1] as unknown as Record<string, Float32Array | number>;
      expect(Object.keys(bigState).sort()).toEqual(Object.keys(bigAlone).sort());
      for (const [name, value] of Object.entries(bigState)) {
        if (typeof value === 'number') expect(value).toBe(bigAlone[name]);
        else expect(firstBitDifference(value, bigAlone[name] as Float32Array), name).toBe(-1);
      }
    });

    it('a parameter given as a length starts at +0 and lives in the optimizer memory only', () => {
      const w = values(3, 1);
      const zeros = new Float32Array(4);
      const opt = construct(algo, [4, w], { ...X, ...settings });
      const reference = construct(algo, [zeros, w.slice()], { ...X, ...settings });
      expect(opt.params[0]!.length).toBe(4);
      expect(bitsOf(opt.params[0]!.data)).toEqual([0, 0, 0, 0]);
      // zero-copy
      zeroCopyStep(opt, gradsFor([4, 3], 1));
      reference.step(gradsFor([4, 3], 1));
      expect(bitsOf(opt.params[0]!.data)).toEqual(bitsOf(reference.params[0]!.data));
      // drop-in: the length-parameter keeps its memory values (and honours edits to them)
      opt.params[0]!.data[1] = 2.5;
      zeros[1] = 2.5; // the reference's own array (its drop-in step reads it)
      reference.step(gradsFor([4, 3], 2));
      opt.step(gradsFor([4, 3], 2));
      expect(dataBits(opt)).toEqual(dataBits(reference));
      expect(stateBits(opt)).toEqual(stateBits(reference));
      expect(bitsOf(opt.params[0]!.data)).not.toEqual([0, 0, 0, 0]);
      // and in a group
      const grouped = construct(algo, [{ params: [2] }, { params: [3], lr: 0.5 }], { ...X, ...settings });
      expect(grouped.params.map((p) => bitsOf(p.data))).toEqual([
        [0, 0],
        [0, 0, 0],
      ]);
    });

    it('a null (or undefined) grad in a drop-in step skips that parameter', () => {
      const lengths = [5, 3, 6];
      const user = lengths.map((n, k) => values(n, k + 1));
      const opt = construct(algo, user, { ...Y, ...settings });
      // Each parameter alone, stepped only when it has a gradient: the reference.
      const alone = user.map((p) => construct(algo, [p.slice()], { ...Y, ...settings }));
      const g1 = gradsFor(lengths, 1);
      opt.step(g1);
      alone.forEach((o, i) => o.step([g1[i]!]));
      const before1 = { data: bitsOf(user[1]!), state: entryBits(opt, 1) };

      const g2 = gradsFor(lengths, 2);
      opt.step([g2[0]!, null, g2[2]!]);
      alone[0]!.step([g2[0]!]);
      alone[2]!.step([g2[2]!]);
      expect(bitsOf(user[1]!)).toEqual(before1.data);
      expect(bitsOf(opt.params[1]!.data)).toEqual(before1.data);
      expect(entryBits(opt, 1)).toEqual(before1.state);
      if (hasStep) {
        expect(opt.stateDict().state[1]!.step).toBe(1);
        expect(opt.stateDict().state[0]!.step).toBe(2);
      }

      const g3 = gradsFor(lengths, 3);
      opt.step([undefined as never, g3[1]!, g3[2]!]);
      alone[1]!.step([g3[1]!]);
      alone[2]!.step([g3[2]!]);
      user.forEach((p, i) => expect(bitsOf(p), `param ${i}`).toEqual(bitsOf(alone[i]!.params[0]!.data)));
      alone.forEach((o, i) => expect(entryBits(opt, i), `state ${i}`).toEqual(entryBits(o, 0)));
      // Steps as the state shows them (PyTorch's SGD keeps none: then the buffers above tell).
      if (hasStep) expect([0, 1, 2].map((i) => opt.stateDict().state[i]!.step)).toEqual([2, 2, 3]);
    });

    it('zero-copy step() reads params[i].grad and writes params[i].data; your arrays wait', () => {
      const lengths = [5, 3];
      const user = lengths.map((n, k) => values(n, k + 1));
      const initial = user.map(bitsOf);
      const opt = construct(algo, user, { ...Y, ...settings });
      const reference = construct(
        algo,
        user.map((p) => p.slice()),
        { ...Y, ...settings },
      );
      const g = gradsFor(lengths, 1);
      opt.params.forEach((p, i) => p.grad.set(g[i]!));
      opt.step();
      reference.step(g);
      expect(dataBits(opt)).toEqual(dataBits(reference));
      expect(stateBits(opt)).toEqual(stateBits(reference));
      expect(dataBits(opt)).not.toEqual(initial);
      // The gradient memory is read, not consumed; the user's arrays are not written yet.
      expect(opt.params.map((p) => bitsOf(p.grad))).toEqual(g.map(bitsOf));
      expect(user.map(bitsOf)).toEqual(initial);
      // A second zero-copy step with the gradients left in place uses them again.
      opt.step();
      reference.step(g);
      expect(dataBits(opt)).toEqual(dataBits(reference));
    });

    it('after zero-copy steps, the next drop-in step writes memory back to your arrays (skipped ones too)', () => {
      const lengths = [5, 3, 6];
      const make = (): { opt: AnyOptimizer; user: Float32Array[] } => {
        const user = lengths.map((n, k) => values(n, k + 1));
        return { user, opt: construct(algo, user, { ...Y, ...settings }) };
      };
      const mixed = make();
      const dropIn = make();
      const g = [1, 2, 3, 4].map((t) => gradsFor(lengths, t));
      mixed.opt.step(g[0]!);
      zeroCopyStep(mixed.opt, g[1]!);
      zeroCopyStep(mixed.opt, g[2]!);
      // The rule: memory is now newer than the arrays, so an edit to an array is not read…
      const stale = mixed.user.map(bitsOf);
      mixed.user[0]![0] = 42;
      mixed.user[1]![2] = -42;
      mixed.opt.step([g[3]![0]!, null, g[3]![2]!]);
      for (const t of [0, 1, 2]) dropIn.opt.step(g[t]!);
      dropIn.opt.step([g[3]![0]!, null, g[3]![2]!]);
      // …and every array, the skipped parameter 1 included, receives the memory's values.
      expect(mixed.user.map(bitsOf)).toEqual(dropIn.user.map(bitsOf));
      expect(dataBits(mixed.opt)).toEqual(dataBits(dropIn.opt));
      expect(stateBits(mixed.opt)).toEqual(stateBits(dropIn.opt));
      expect(bitsOf(mixed.user[1]!)).not.toEqual(stale[1]);
      // Back in drop-in mode: edits to the arrays are honoured again (next test).
      mixed.opt.step(g[0]!);
      dropIn.opt.step(g[0]!);
      expect(mixed.user.map(bitsOf)).toEqual(dropIn.user.map(bitsOf));
    });

    it('edits to your arrays between drop-in steps are honoured; edits to params[i].data are not', () => {
      const lengths = [5, 3];
      const user = lengths.map((n, k) => values(n, k + 1));
      const opt = construct(algo, user, { ...Y, ...settings });
      const untouched = construct(
        algo,
        user.map((p) => p.slice()),
        { ...Y, ...settings },
      );
      opt.step(gradsFor(lengths, 1));
      untouched.step(gradsFor(lengths, 1));
      const dict = opt.stateDict();
      user[0]![0] = 2.5;
      user[1]!.fill(-0.75);
      opt.params[0]!.data[1] = 1000; // overwritten by the user's array at the next drop-in step
      // The reference: a fresh optimizer over the edited values with the same state.
      const refUser = user.map((p) => p.slice());
      const reference = construct(algo, refUser, { ...Y, ...settings });
      reference.loadStateDict(dict);
      opt.step(gradsFor(lengths, 2));
      reference.step(gradsFor(lengths, 2));
      untouched.step(gradsFor(lengths, 2));
      expect(user.map(bitsOf)).toEqual(refUser.map(bitsOf));
      expect(stateBits(opt)).toEqual(stateBits(reference));
      expect(bitsOf(user[1]!)).not.toEqual(bitsOf(untouched.params[1]!.data));
      expect(user[0]![1]).toBe(untouched.params[0]!.data[1]);
    });
  });
});

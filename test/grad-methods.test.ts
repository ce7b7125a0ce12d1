// The gradient methods users build training loops from (clipGradNorm, accumulateGrad,
// unscaleGrad, skipNonFinite, zeroGrad, clipGradValue, gradNorm): each one is checked against a
// twin optimizer stepped drop-in, `step(grads)`, on gradients computed here in float32 the way
// the method documents (PyTorch's formulas), bit for bit, for every algorithm, flavor and backend.
// The norms themselves are checked against PyTorch in test/clip.test.ts: here the total a method
// returns is trusted, and what it does with it is checked.
import { describe, expect, it } from 'vitest';
import { availableBackends, type BackendName, type Flavor } from '../src/index.js';
import type { AlgorithmName } from '../src/registry.js';
import { FLAVOR_CASES, flavorRow, hasStepOf, type Options, withDefaults } from './helpers/algorithms.js';
import { make } from './helpers/full-options.js';
import { type AnyOptimizer, gradsFor, snapshot, type Snapshot, values } from './helpers/snapshot.js';

const BACKENDS: readonly BackendName[] = availableBackends();
const fround = Math.fround;
/** Elements per tile of a step with a pending scaling (src/gradients.ts SCALE_TILE). */
const TILE = 4096;
/** One element, a SIMD tail, one short of a tile, a tile, one past it, several tiles and a tail. */
const LENGTHS = [1, 7, TILE - 1, TILE, TILE + 1, 3 * TILE + 5];

// ---------------------------------------------------------------- helpers

type Grads = (Float32Array | null)[];

interface Rig {
  opt: AnyOptimizer;
  /** The arrays the optimizer was constructed with (drop-in steps read and write them). */
  users: Float32Array[];
}

interface Config {
  algorithm: AlgorithmName;
  flavor: Flavor;
  backend: BackendName;
  options: Options;
}

/**
 * Two param groups (first half of `lengths`, second half with half the learning rate), so that
 * a method spanning groups is exercised; `extra` goes to the constructor (skipNonFinite).
 */
function rig(c: Config, lengths: readonly number[], extra: Options = {}): Rig {
  const users = lengths.map((n, k) => values(n, k + 1));
  const half = Math.ceil(lengths.length / 2);
  const lr = withDefaults(c.algorithm, c.flavor, c.options)['lr'] as number;
  const groups = [
    { params: users.slice(0, half), ...c.options },
    { params: users.slice(half), ...c.options, lr: lr / 2 },
  ].filter((g) => g.params.length > 0);
  const opt = make(c.algorithm, groups, { flavor: c.flavor, backend: c.backend, ...extra }) as unknown as AnyOptimizer;
  return { opt, users };
}

/** PyTorch 1.13's clip_grad_norm_ coefficient in float32, as the brief of the method states it. */
function torchCoef(total: number, maxNorm: number): number {
  return Math.min(fround(fround(1 / fround(total + fround(1e-6))) * fround(maxNorm)), 1);
}

const scaled = (g: Float32Array, coef: number): Float32Array => g.map((x) => fround(x * coef));

/** The float32 running sum fl(fl(g1 + g2) + g3) of the micro-batches that have a gradient (null: none). */
function runningSum(batches: readonly Grads[], i: number): Float32Array | null {
  let sum: Float32Array | null = null;
  for (const batch of batches) {
    const g = batch[i];
    if (g === null || g === undefined) continue;
    if (sum === null) sum = g.slice();
    else for (let j = 0; j < g.length; j++) sum[j] = fround(sum[j]! + g[j]!);
  }
  return sum;
}

/** Index of the first element whose bits differ (any NaN equal to any NaN), −1 if none. */
function firstDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  }
  return -1;
}

/** Where two structures of numbers and Float32Arrays first differ, bit for bit (NaNs alike); null if nowhere. */
function difference(a: unknown, b: unknown, path: string): string | null {
  if (a instanceof Float32Array || b instanceof Float32Array) {
    if (!(a instanceof Float32Array && b instanceof Float32Array)) return `${path}: one is not a Float32Array`;
    const i = firstDiff(a, b);
    return i < 0 ? null : `${path}[${i}]: ${a[i]} vs ${b[i]} (lengths ${a.length}, ${b.length})`;
  }
  if (typeof a === 'number' && typeof b === 'number') {
    return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) ? null : `${path}: ${a} vs ${b}`;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = Object.keys(a);
    const other = Object.keys(b);
    if (keys.join() !== other.join()) return `${path}: keys ${keys.join()} vs ${other.join()}`;
    for (const key of keys) {
      const d = difference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
      if (d !== null) return d;
    }
    return null;
  }
  return Object.is(a, b) ? null : `${path}: ${String(a)} vs ${String(b)}`;
}

function expectSame(got: unknown, want: unknown, where: string): void {
  const d = difference(got, want, '');
  expect(d, `${where}${d ?? ''}`).toBeNull();
}

/** What an optimizer holds that a step changes: its parameters in memory and its state dict. */
function held(opt: AnyOptimizer): { data: Float32Array[]; state: unknown } {
  return { data: opt.params.map((p) => p.data.slice()), state: structuredClone(opt.stateDict()) };
}

/** The optimizer holds exactly what its twin holds (and, when asked, the users' arrays agree). */
function expectTwins(a: Rig, b: Rig, where: string, users = false): void {
  expectSame(held(a.opt), held(b.opt), `${where}: `);
  if (users) expectSame(a.users, b.users, `${where}: user arrays`);
}

/** Writes gradients into memory (zero-copy): params[i].grad. */
function setGrads(opt: AnyOptimizer, grads: readonly Float32Array[]): void {
  opt.params.forEach((p, i) => p.grad.set(grads[i]!));
}

/** A snapshot without the gradient memory (a drop-in step copies its gradients there, skipped or not). */
function withoutGrads(s: Snapshot): Omit<Snapshot, 'grad'> {
  const { grad: _grad, ...rest } = s;
  return rest;
}

const CASES = FLAVOR_CASES.map((c) => ({ ...c, full: flavorRow(c.algorithm, c.flavor).full }));

// ---------------------------------------------------------------- 1. folding the clipping into the step

interface ClipStep {
  maxNorm: number;
  normType?: number;
  /** Indices of the parameters given as `params` (only they are measured and scaled). */
  subset?: readonly number[];
  /** zero-copy: gradients written to params[i].grad; accumulate: one accumulateGrad (drop-in semantics). */
  via: 'zero-copy' | 'accumulate';
  /** Whether the coefficient is below 1 (else exactly 1: the gradients are not changed). */
  clips: boolean;
}

// The L2 total of LENGTHS' gradients is about 100, the L1 about 15,000, the max about 1.1.
const CLIP_STEPS: readonly ClipStep[] = [
  { maxNorm: 0.5, via: 'zero-copy', clips: true },
  { maxNorm: 1e6, via: 'zero-copy', clips: false },
  { maxNorm: 0.25, subset: [0, 2, 3, 5], via: 'zero-copy', clips: true },
  { maxNorm: 0.5, normType: Infinity, via: 'accumulate', clips: true },
  { maxNorm: 2, normType: 1, subset: [5, 1], via: 'zero-copy', clips: true },
];

/** Steps a rig through CLIP_STEPS and its twin through step(grads) on the explicitly scaled gradients. */
function runClipSteps(c: Config): unknown {
  const a = rig(c, LENGTHS);
  const b = rig(c, LENGTHS);
  try {
    CLIP_STEPS.forEach((s, t) => {
      const where = `${c.algorithm} ${c.flavor} ${c.backend} step ${t + 1}`;
      const grads = gradsFor(LENGTHS, t + 1);
      if (s.via === 'zero-copy') setGrads(a.opt, grads);
      else expect(a.opt.accumulateGrad(grads)).toBe(1);
      const params = s.subset?.map((i) => a.opt.params[i]!);
      const total = a.opt.clipGradNorm(s.maxNorm, { normType: s.normType, params });
      const coef = torchCoef(total, s.maxNorm);
      if (s.clips) expect(coef, where).toBeLessThan(1);
      else expect(coef, where).toBe(1);
      // The scaling is pending: the gradients in memory still show the unscaled values.
      expectSame(a.opt.params[5]!.grad, grads[5], `${where}: grad before step`);
      const chosen = new Set(s.subset ?? LENGTHS.keys());
      b.opt.step(grads.map((g, i) => (chosen.has(i) ? scaled(g, coef) : g)));
      expect(a.opt.step()).toBe(true);
      expectTwins(a, b, where, s.via === 'accumulate');
    });
    return held(a.opt);
  } finally {
    a.opt.dispose();
    b.opt.dispose();
  }
}

describe('clipGradNorm folded into step() equals a step on fl(g · coef)', () => {
  for (const c of CASES) {
    for (const [label, options] of [
      ['full', c.full],
      ['defaults', {}],
    ] as const) {
      it(`${c.name} ${label}: every backend, tiles and tails, subsets, two groups; backends agree`, () => {
        const results = BACKENDS.map((backend) => runClipSteps({ ...c, backend, options }));
        results.forEach((r, k) => expectSame(r, results[0], `${BACKENDS[k]} vs ${BACKENDS[0]}: `));
      });
    }
  }
});

describe('a pending clipping coefficient: gradNorm measures it, clipGradValue applies it', () => {
  it.each(BACKENDS)('%s: gradNorm measures the scaled gradients, clipGradValue clamps them', (backend) => {
    const c: Config = { algorithm: 'adam', flavor: 'torch', backend, options: flavorRow('adam', 'torch').full };
    const lengths = [7, TILE + 1];
    const a = rig(c, lengths);
    const b = rig(c, lengths);
    const grads = gradsFor(lengths, 1);
    setGrads(a.opt, grads);
    const coef = torchCoef(a.opt.clipGradNorm(1), 1);
    expect(coef).toBeLessThan(1);
    const norm = a.opt.gradNorm();
    // gradNorm writes nothing: the coefficient stays pending, the gradients show the unclipped values.
    expectSame(
      a.opt.params.map((p) => p.grad),
      grads,
      'after gradNorm',
    );
    // The norm of the scaled gradients is about maxNorm (not the unscaled total, about 40).
    expect(norm).toBeGreaterThan(0.99);
    expect(norm).toBeLessThan(1.01);
    a.opt.clipGradValue(0.01);
    const clamp = (x: number): number => Math.min(Math.max(x, -fround(0.01)), fround(0.01));
    const want = grads.map((g) => scaled(g, coef).map(clamp));
    expectSame(
      a.opt.params.map((p) => p.grad),
      want,
      'after clipGradValue',
    );
    b.opt.step(want);
    expect(a.opt.step()).toBe(true);
    expectTwins(a, b, backend);
  });
});

// ---------------------------------------------------------------- 2. accumulation

/** Micro-batches for step t: parameter 1 has none in the second, parameter 4 none in any. */
function microBatches(t: number, k: number): Grads[] {
  return Array.from({ length: k }, (_, m) =>
    gradsFor(LENGTHS, 10 * t + m).map((g, i) => (i === 4 || (i === 1 && m === 1) ? null : g)),
  );
}

function accumulate(opt: AnyOptimizer, batches: readonly Grads[], reduction: 'sum' | 'mean'): void {
  batches.forEach((batch, m) => {
    expect(opt.accumulateGrad(batch, reduction)).toBe(m + 1);
    expect(opt.accumulatedGrads).toBe(m + 1);
  });
}

function runAccumulation(c: Config): unknown {
  const a = rig(c, LENGTHS);
  const b = rig(c, LENGTHS);
  const where = `${c.algorithm} ${c.flavor} ${c.backend}`;
  const withStep = hasStepOf(c.algorithm, c.flavor);
  try {
    // A: a plain zero-copy step on every parameter (so parameter 4 has a step count, and memory is
    // ahead of the users' arrays).
    const first = gradsFor(LENGTHS, 1);
    setGrads(a.opt, first);
    a.opt.step();
    b.opt.step(first);

    // B: 'sum' over three micro-batches.
    let batches = microBatches(2, 3);
    accumulate(a.opt, batches, 'sum');
    const sums = LENGTHS.map((_, i) => runningSum(batches, i));
    expectSame(a.opt.params[1]!.grad, sums[1], `${where}: grad after accumulateGrad`);
    expect(a.opt.step()).toBe(true);
    expect(a.opt.accumulatedGrads).toBe(0);
    b.opt.step(sums);
    expectTwins(a, b, `${where} sum`, true);
    if (withStep) {
      const state = a.opt.stateDict().state as Record<number, { step?: number }>;
      expect(state[4]?.step, 'a parameter without a gradient is not stepped').toBe(1);
      expect(state[0]?.step).toBe(2);
    }

    // C: 'mean' over three, after the user changed an array: accumulateGrad's step reads them.
    for (const r of [a, b]) r.users[3]![17] = 0.75;
    batches = microBatches(3, 3);
    accumulate(a.opt, batches, 'mean');
    expect(a.opt.step()).toBe(true);
    b.opt.step(LENGTHS.map((_, i) => runningSum(batches, i)?.map((x) => fround(x / 3)) ?? null));
    expectTwins(a, b, `${where} mean`, true);

    // D: 'mean' over two, then clipGradNorm: clipped fl(fl(sum / 2) · coef).
    batches = microBatches(4, 2);
    accumulate(a.opt, batches, 'mean');
    const total = a.opt.clipGradNorm(0.5);
    const coef = torchCoef(total, 0.5);
    expect(coef).toBeLessThan(1);
    expect(a.opt.step()).toBe(true);
    b.opt.step(LENGTHS.map((_, i) => runningSum(batches, i)?.map((x) => fround(fround(x / 2) * coef)) ?? null));
    expectTwins(a, b, `${where} mean + clip`, true);

    // E: zeroGrad drops an accumulation (and its reduction); the next one starts afresh.
    accumulate(a.opt, microBatches(5, 2), 'sum');
    a.opt.zeroGrad();
    expect(a.opt.accumulatedGrads).toBe(0);
    for (const p of a.opt.params) expect(p.grad.every((x) => Object.is(x, 0))).toBe(true);
    const fresh = gradsFor(LENGTHS, 6);
    expect(a.opt.accumulateGrad(fresh, 'mean')).toBe(1);
    expect(a.opt.step()).toBe(true);
    b.opt.step(fresh);
    expectTwins(a, b, `${where} after zeroGrad`, true);

    // F: every micro-batch null for every parameter but one: only that one steps.
    const lonely: Grads = LENGTHS.map((_, i) => (i === 2 ? gradsFor(LENGTHS, 7)[2]! : null));
    accumulate(a.opt, [lonely, lonely], 'sum');
    expect(a.opt.step()).toBe(true);
    b.opt.step(LENGTHS.map((_, i) => (i === 2 ? runningSum([lonely, lonely], 2) : null)));
    expectTwins(a, b, `${where} one parameter`, true);
    return held(a.opt);
  } finally {
    a.opt.dispose();
    b.opt.dispose();
  }
}

describe('accumulateGrad: sum, mean, nulls, drop-in arrays, zeroGrad, mean + clipping', () => {
  // After accumulateGrad, a handle listed in `params` that received no gradient is skipped, as
  // PyTorch's clip_grad_norm_ skips a parameter whose grad is None: the gradient an earlier step left
  // in its memory must not count. SGD steps [100, 100] on both parameters, then
  // accumulateGrad([[3, 4], null]); clipGradNorm(1, { params: [p0, p1] }) must return 5, not 141.51.
  it.each(BACKENDS)('%s: params listing a parameter without a gradient measures no stale gradient', (backend) => {
    const build = (): AnyOptimizer =>
      make('sgd', [new Float32Array(2), new Float32Array(2)], { lr: 1, backend }) as unknown as AnyOptimizer;
    const a = build();
    const b = build();
    const first = [Float32Array.of(100, 100), Float32Array.of(100, 100)];
    a.step(first);
    b.step(first);
    a.accumulateGrad([Float32Array.of(3, 4), null]);
    const total = a.clipGradNorm(1, { params: [a.params[0]!, a.params[1]!] });
    a.step();
    b.step([scaled(Float32Array.of(3, 4), torchCoef(5, 1)), null]);
    const got = { total, ...held(a) };
    const want = { total: 5, ...held(b) };
    a.dispose();
    b.dispose();
    expect(got.total).toBe(5);
    expectSame(got, want, backend);
  });

  for (const c of CASES) {
    it(`${c.name}: every backend; backends agree`, () => {
      const results = BACKENDS.map((backend) => runAccumulation({ ...c, backend, options: c.full }));
      results.forEach((r, k) => expectSame(r, results[0], `${BACKENDS[k]} vs ${BACKENDS[0]}: `));
    });
  }
});

// ---------------------------------------------------------------- 3. skipNonFinite

const SMALL = [7, TILE + 1];
const NON_FINITE = [NaN, Infinity, -Infinity] as const;
type Mode = 'drop-in' | 'zero-copy' | 'accumulate';
const MODES: readonly Mode[] = ['drop-in', 'zero-copy', 'accumulate'];

/** One step of `mode` on `grads`: drop-in step(grads), zero-copy grads + step(), or accumulateGrad + step(). */
function stepVia(r: Rig, mode: Mode, grads: readonly Float32Array[]): boolean {
  if (mode === 'drop-in') return r.opt.step(grads);
  if (mode === 'zero-copy') setGrads(r.opt, grads);
  else r.opt.accumulateGrad(grads);
  return r.opt.step();
}

function runSkips(c: Config): unknown {
  const a = rig(c, SMALL, { skipNonFinite: true });
  const b = rig(c, SMALL);
  const where = `${c.algorithm} ${c.flavor} ${c.backend}`;
  try {
    expect(a.opt.skipNonFinite).toBe(true);
    let t = 1;
    let skipped = 0;
    for (const mode of MODES) {
      for (const bad of NON_FINITE) {
        const label = `${where} ${mode} ${bad}`;
        // The bad element in the tail past the first tile, or in the small tensor's SIMD tail.
        const at: [number, number] = Number.isNaN(bad) ? [1, TILE] : [0, 5];
        const grads = gradsWith(SMALL, t, at, bad);
        const before = snapshot(a.opt, a.users);
        expect(stepVia(a, mode, grads), label).toBe(false);
        skipped++;
        expect(a.opt.skippedSteps, label).toBe(skipped);
        expect(a.opt.accumulatedGrads, label).toBe(0);
        expect(withoutGrads(snapshot(a.opt, a.users)), label).toEqual(withoutGrads(before));
        // The gradients in memory are those given (zero-copy) or their copy (one micro-batch).
        if (mode !== 'drop-in')
          expectSame(
            a.opt.params.map((p) => p.grad),
            grads,
            `${label}: grads`,
          );
        // The next finite step is as if the skipped one never happened.
        const finite = gradsFor(SMALL, t + 100);
        expect(stepVia(a, mode, finite), label).toBe(true);
        b.opt.step(finite);
        expectTwins(a, b, label, mode !== 'zero-copy');
        t++;
      }
    }
    expect(a.opt.skippedSteps).toBe(9);
    return held(a.opt);
  } finally {
    a.opt.dispose();
    b.opt.dispose();
  }
}

/** Gradients for step t, with a finite value replaced at [param, element] by x (NaN, ±Infinity). */
function gradsWith(lengths: readonly number[], t: number, at: readonly [number, number], x: number): Float32Array[] {
  const grads = gradsFor(lengths, t);
  grads[at[0]]![at[1]] = x;
  return grads;
}

describe('skipNonFinite: a NaN or ±Infinity gradient skips the step and changes nothing', () => {
  for (const c of CASES) {
    it(`${c.name}: drop-in, zero-copy and accumulated, every backend; backends agree`, () => {
      const results = BACKENDS.map((backend) => runSkips({ ...c, backend, options: c.full }));
      results.forEach((r, k) => expectSame(r, results[0], `${BACKENDS[k]} vs ${BACKENDS[0]}: `));
    });
  }

  // Row-sparse gradients: Adagrad (torch: PyTorch's sparse arithmetic; tfjs: the dense one on the
  // rows), SparseAdam, and Adam with lazy: a table of 5 rows of 3 beside a dense parameter.
  const SPARSE: readonly Omit<Config, 'backend'>[] = [
    { algorithm: 'adagrad', flavor: 'torch', options: { lr: 0.1 } },
    { algorithm: 'adagrad', flavor: 'tfjs', options: { lr: 0.1 } },
    { algorithm: 'sparseadam', flavor: 'torch', options: { lr: 0.01 } },
    { algorithm: 'adam', flavor: 'torch', options: { lr: 0.01, lazy: true, amsgrad: true } },
  ];
  for (const s of SPARSE) {
    it.each(BACKENDS)(`${s.algorithm} ${s.flavor} ${JSON.stringify(s.options)}, row-sparse: %s`, (backend) => {
      const build = (skip: boolean): Rig => {
        const users = [values(15, 1), values(6, 2)];
        const opt = make(s.algorithm, [{ data: users[0], rows: 5 }, users[1]], {
          ...s.options,
          flavor: s.flavor,
          backend,
          skipNonFinite: skip,
        }) as unknown as AnyOptimizer;
        return { opt, users };
      };
      const a = build(true);
      const b = build(false);
      const rowsOf = (t: number, bad: number) => {
        const v = values(9, 50 + t);
        v[7] = bad;
        return { indices: Int32Array.of(4, 0, 4), values: v };
      };
      const finite = (t: number) => ({ indices: Int32Array.of(1, 4), values: values(6, 70 + t) });
      let skipped = 0;
      NON_FINITE.forEach((bad, t) => {
        const label = `${backend} ${bad}`;
        // Drop-in: the dense gradient is finite, the sparse one is not.
        let before = snapshot(a.opt, a.users);
        expect(a.opt.step([rowsOf(t, bad), values(6, 90 + t)]), label).toBe(false);
        expect(a.opt.skippedSteps).toBe(++skipped);
        expect(withoutGrads(snapshot(a.opt, a.users)), label).toEqual(withoutGrads(before));
        const next = [finite(t), values(6, 95 + t)];
        expect(a.opt.step(next)).toBe(true);
        b.opt.step(next);
        expectTwins(a, b, `${label} drop-in`, true);
        // Zero-copy: the rows staged by sparseGrad(n).
        const staged = a.opt.params[0]!.sparseGrad(3);
        const bad3 = rowsOf(t + 10, bad);
        staged.indices.set(bad3.indices);
        staged.values.set(bad3.values);
        a.opt.params[1]!.grad.set(values(6, 99));
        before = snapshot(a.opt, a.users);
        expect(a.opt.step(), label).toBe(false);
        expect(a.opt.skippedSteps).toBe(++skipped);
        expect(snapshot(a.opt, a.users), label).toEqual(before);
        const again = [finite(t + 20), values(6, 97 + t)];
        expect(a.opt.step(again)).toBe(true);
        b.opt.step(again);
        expectTwins(a, b, `${label} zero-copy`, true);
      });
      a.opt.dispose();
      b.opt.dispose();
    });
  }

  it.each(BACKENDS)('%s: off by default, NaN steps through; the setter switches it', (backend) => {
    const c: Config = { algorithm: 'adam', flavor: 'torch', backend, options: {} };
    const a = rig(c, SMALL);
    expect(a.opt.skipNonFinite).toBe(false);
    expect(a.opt.step(gradsWith(SMALL, 1, [1, 3], NaN))).toBe(true);
    expect(a.opt.params[1]!.data[3]).toBeNaN();
    expect(a.users[1]![3]).toBeNaN();
    expect(a.opt.params[1]!.data[4]).not.toBeNaN();
    expect(a.opt.skippedSteps).toBe(0);
    a.opt.skipNonFinite = true;
    const before = snapshot(a.opt, a.users);
    setGrads(a.opt, gradsWith(SMALL, 2, [0, 0], Infinity));
    const withGrads = snapshot(a.opt, a.users);
    expect(a.opt.step()).toBe(false);
    expect(snapshot(a.opt, a.users)).toEqual(withGrads);
    expect(withoutGrads(withGrads)).toEqual(withoutGrads(before));
    a.opt.skipNonFinite = false;
    expect(a.opt.step()).toBe(true);
    expect(a.opt.params[0]!.data[0]).toBeNaN();
    expect(a.opt.skippedSteps).toBe(1);
    a.opt.dispose();
  });
});

describe('skipNonFinite checks exactly the gradients the step reads', () => {
  it.each(BACKENDS)('%s: a finite check of some parameters vouches for no other', (backend) => {
    const c: Config = { algorithm: 'adam', flavor: 'torch', backend, options: {} };
    const a = rig(c, SMALL, { skipNonFinite: true });
    const before = snapshot(a.opt, a.users);
    const only0 = () => ({ params: [a.opt.params[0]!] });
    const prepares: [string, () => void][] = [
      ['clipGradNorm of params[0]', () => expect(Number.isFinite(a.opt.clipGradNorm(0.1, only0()))).toBe(true)],
      ['unscaleGrad of params[0]', () => expect(a.opt.unscaleGrad(2, only0())).toBe(true)],
      ['gradNorm of params[0]', () => expect(Number.isFinite(a.opt.gradNorm(only0()))).toBe(true)],
    ];
    let skipped = 0;
    for (const [name, prepare] of prepares) {
      for (const mode of ['zero-copy', 'accumulate'] as const) {
        const grads = gradsWith(SMALL, skipped, [1, TILE], NaN);
        if (mode === 'zero-copy') setGrads(a.opt, grads);
        else {
          a.opt.accumulateGrad(grads, 'mean');
          a.opt.accumulateGrad(gradsFor(SMALL, 40), 'mean');
        }
        prepare();
        expect(a.opt.step(), `${name}, ${mode}`).toBe(false);
        expect(a.opt.skippedSteps).toBe(++skipped);
        expect(withoutGrads(snapshot(a.opt, a.users)), `${name}, ${mode}`).toEqual(withoutGrads(before));
      }
    }
    a.opt.dispose();
  });

  it.each(BACKENDS)('%s: a stale NaN of a parameter the step does not read skips nothing', (backend) => {
    const c: Config = { algorithm: 'adam', flavor: 'torch', backend, options: {} };
    const a = rig(c, SMALL, { skipNonFinite: true });
    const b = rig(c, SMALL);
    // A skipped zero-copy step leaves NaN in params[1].grad.
    setGrads(a.opt, gradsWith(SMALL, 1, [1, 3], NaN));
    expect(a.opt.step()).toBe(false);
    const g = gradsFor(SMALL, 2)[0]!;
    // Parameter 1 has no gradient in these steps: its memory is not read.
    a.opt.accumulateGrad([g, null]);
    expect(a.opt.step()).toBe(true);
    expect(a.opt.step([g, null])).toBe(true);
    a.opt.accumulateGrad([g, null]);
    const coef = torchCoef(a.opt.clipGradNorm(1), 1);
    expect(a.opt.step()).toBe(true);
    b.opt.step([g, null]);
    b.opt.step([g, null]);
    b.opt.step([scaled(g, coef), null]);
    expectTwins(a, b, backend, true);
    expect(a.opt.skippedSteps).toBe(1);
    a.opt.dispose();
    b.opt.dispose();
  });
});

// ---------------------------------------------------------------- unscaleGrad

describe('unscaleGrad', () => {
  const adam = (backend: BackendName): Config => ({
    algorithm: 'adam',
    flavor: 'torch',
    backend,
    options: flavorRow('adam', 'torch').full,
  });

  it.each(BACKENDS)('%s: fl(g · fl(1 / fl(s))) exactly, then step() as step(grads) on those', (backend) => {
    // 3, 0.1 and 1/3: inverses that round (1/3 as a float32 is not one third); 65536: exact.
    for (const s of [3, 0.1, 65536, 1 / 3]) {
      const a = rig(adam(backend), LENGTHS);
      const b = rig(adam(backend), LENGTHS);
      const grads = gradsFor(LENGTHS, 1).map((g) => g.map((x) => x * 1000));
      setGrads(a.opt, grads);
      const inverse = fround(1 / fround(s));
      const want = grads.map((g) => g.map((x) => fround(x * inverse)));
      expect(a.opt.unscaleGrad(s)).toBe(true);
      expectSame(
        a.opt.params.map((p) => p.grad),
        want,
        `lossScale ${s}: `,
      );
      expect(a.opt.step()).toBe(true);
      b.opt.step(want);
      expectTwins(a, b, `lossScale ${s}`);
      a.opt.dispose();
      b.opt.dispose();
    }
  });

  it.each(BACKENDS)('%s: after a mean accumulation, fl(fl(sum / k) · inverse); params selects', (backend) => {
    const a = rig(adam(backend), LENGTHS);
    const b = rig(adam(backend), LENGTHS);
    const batches = [gradsFor(LENGTHS, 1), gradsFor(LENGTHS, 2), gradsFor(LENGTHS, 3)];
    for (const batch of batches) a.opt.accumulateGrad(batch, 'mean');
    const inverse = fround(1 / fround(3));
    const chosen = [1, 5];
    expect(a.opt.unscaleGrad(3, { params: chosen.map((i) => a.opt.params[i]!) })).toBe(true);
    const want = LENGTHS.map((_, i) => {
      const mean = runningSum(batches, i)!.map((x) => fround(x / 3));
      return chosen.includes(i) ? mean.map((x) => fround(x * inverse)) : mean;
    });
    expectSame(a.opt.params[5]!.grad, want[5], 'unscaled');
    expect(a.opt.step()).toBe(true);
    b.opt.step(want);
    expectTwins(a, b, backend, true);
    a.opt.dispose();
    b.opt.dispose();
  });

  it.each(BACKENDS)('%s: a non-finite gradient: false, and with skipNonFinite the step is skipped', (backend) => {
    for (const bad of NON_FINITE) {
      const a = rig(adam(backend), SMALL, { skipNonFinite: true });
      const b = rig(adam(backend), SMALL);
      a.opt.step(gradsFor(SMALL, 1));
      b.opt.step(gradsFor(SMALL, 1));
      const before = snapshot(a.opt, a.users);
      setGrads(a.opt, gradsWith(SMALL, 2, [1, TILE], bad));
      expect(a.opt.unscaleGrad(1024)).toBe(false);
      expect(a.opt.step()).toBe(false);
      expect(a.opt.skippedSteps).toBe(1);
      expect(withoutGrads(snapshot(a.opt, a.users))).toEqual(withoutGrads(before));
      // Unscaled and finite: stepped.
      const grads = gradsFor(SMALL, 3);
      setGrads(a.opt, grads);
      expect(a.opt.unscaleGrad(2)).toBe(true);
      expect(a.opt.step()).toBe(true);
      b.opt.step(grads.map((g) => g.map((x) => fround(x * 0.5))));
      expectTwins(a, b, `${backend} ${bad}`);
      a.opt.dispose();
      b.opt.dispose();
    }
  });

  // unscaleGrad checks the gradients before multiplying them (as PyTorch's
  // _amp_foreach_non_finite_check_and_unscale_ does). With a loss scale below 1 the product can
  // overflow: 3e38 · fl(1/0.5) = Infinity is left in memory, and a skipNonFinite step must skip it.
  it.each(BACKENDS)('%s: unscaling that overflows leaves ±Infinity: skipNonFinite must skip', (backend) => {
    const a = rig(adam(backend), SMALL, { skipNonFinite: true });
    const before = snapshot(a.opt, a.users);
    setGrads(a.opt, gradsWith(SMALL, 1, [0, 2], 3e38));
    a.opt.unscaleGrad(0.5);
    expect(a.opt.params[0]!.grad[2]).toBe(Infinity);
    const stepped = a.opt.step();
    const after = snapshot(a.opt, a.users);
    a.opt.dispose();
    expect(stepped).toBe(false);
    expect(withoutGrads(after)).toEqual(withoutGrads(before));
  });
});

// ---------------------------------------------------------------- clipping non-finite gradients

describe('clipGradNorm with a NaN or ±Infinity gradient', () => {
  // errorIfNonfinite false (the default): coef = NaN, every clipped gradient NaN, the step makes
  // every parameter NaN, as torch.nn.utils.clip_grad_norm_ followed by optimizer.step().
  for (const c of CASES) {
    it(`${c.name}: errorIfNonfinite false: coefficient NaN, every parameter NaN, every backend alike`, () => {
      const results = BACKENDS.map((backend) => {
        const config: Config = { ...c, backend, options: c.full };
        const a = rig(config, SMALL);
        const b = rig(config, SMALL);
        const grads = gradsWith(SMALL, 1, [1, TILE], NaN);
        setGrads(a.opt, grads);
        const total = a.opt.clipGradNorm(1);
        expect(total).toBeNaN();
        expect(torchCoef(total, 1)).toBeNaN();
        expect(a.opt.step()).toBe(true);
        for (const p of a.opt.params) expect(p.data.every(Number.isNaN), backend).toBe(true);
        b.opt.step(grads.map((g) => scaled(g, NaN)));
        expectTwins(a, b, backend);
        const out = held(a.opt);
        a.opt.dispose();
        b.opt.dispose();
        return out;
      });
      results.forEach((r, k) => expectSame(r, results[0], `${BACKENDS[k]} vs ${BACKENDS[0]}: `));
    });
  }

  it.each(BACKENDS)('%s: errorIfNonfinite throws an Error, changes nothing, and step() steps unclipped', (backend) => {
    for (const bad of NON_FINITE) {
      const c: Config = { algorithm: 'adam', flavor: 'torch', backend, options: flavorRow('adam', 'torch').full };
      const a = rig(c, SMALL);
      const b = rig(c, SMALL);
      const grads = gradsWith(SMALL, 1, [0, 6], bad);
      setGrads(a.opt, grads);
      const before = snapshot(a.opt, a.users);
      let thrown: unknown;
      try {
        a.opt.clipGradNorm(1, { errorIfNonfinite: true });
      } catch (error) {
        thrown = error;
      }
      // PyTorch's RuntimeError: a plain Error, not an argument error.
      expect(thrown).toBeInstanceOf(Error);
      expect((thrown as Error).constructor).toBe(Error);
      expect((thrown as Error).message).toMatch(/clipGradNorm.*errorIfNonfinite/);
      expect(snapshot(a.opt, a.users)).toEqual(before);
      // No coefficient is pending: once the gradient is repaired, step() steps it unclipped.
      a.opt.params[0]!.grad[6] = 0.5;
      grads[0]![6] = 0.5;
      expect(a.opt.step()).toBe(true);
      b.opt.step(grads);
      expectTwins(a, b, `${backend} ${bad}`);
      a.opt.dispose();
      b.opt.dispose();
    }
  });

  // The norm of a pending mean is measured without writing it, so the throw changes nothing: the
  // gradients still show the sum ([2, 4, 6, NaN], not [1, 2, 3, NaN]).
  it.each(BACKENDS)('%s: errorIfNonfinite after a mean accumulation leaves the gradients as they were', (backend) => {
    const c: Config = { algorithm: 'sgd', flavor: 'torch', backend, options: {} };
    const a = rig(c, SMALL);
    a.opt.accumulateGrad(gradsWith(SMALL, 1, [1, 0], NaN), 'mean');
    a.opt.accumulateGrad(gradsFor(SMALL, 2), 'mean');
    const before = snapshot(a.opt, a.users);
    expect(() => a.opt.clipGradNorm(1, { errorIfNonfinite: true })).toThrow(/errorIfNonfinite/);
    const after = snapshot(a.opt, a.users);
    a.opt.dispose();
    expect(after).toEqual(before);
  });

  it.each(BACKENDS)('%s: skipNonFinite skips whatever the norm type; a finite norm steps', (backend) => {
    for (const normType of [2, 1, Infinity, 3]) {
      for (const bad of NON_FINITE) {
        const c: Config = { algorithm: 'adam', flavor: 'torch', backend, options: {} };
        const a = rig(c, SMALL, { skipNonFinite: true });
        const b = rig(c, SMALL);
        const before = snapshot(a.opt, a.users);
        setGrads(a.opt, gradsWith(SMALL, 1, [1, TILE], bad));
        a.opt.clipGradNorm(1, { normType });
        const label = `normType ${normType}, ${bad}`;
        expect(a.opt.step(), label).toBe(false);
        expect(a.opt.skippedSteps).toBe(1);
        expect(withoutGrads(snapshot(a.opt, a.users)), label).toEqual(withoutGrads(before));
        const grads = gradsFor(SMALL, 2);
        setGrads(a.opt, grads);
        const coef = torchCoef(a.opt.clipGradNorm(1, { normType }), 1);
        expect(coef).toBeLessThan(1);
        expect(a.opt.step(), label).toBe(true);
        b.opt.step(grads.map((g) => scaled(g, coef)));
        expectTwins(a, b, label);
        a.opt.dispose();
        b.opt.dispose();
      }
    }
  });
});

// ---------------------------------------------------------------- 5. errors

const ERROR_LENGTHS = [5, 3, 7];

interface ErrorRow {
  name: string;
  /** Run on the optimizer and its twin first (gradients prepared for step()). */
  prepare?: (opt: AnyOptimizer) => void;
  act: (opt: AnyOptimizer, other: AnyOptimizer) => unknown;
  error: typeof TypeError | typeof RangeError;
  /** Names the argument and the bad value. */
  message: RegExp;
}

const zeroCopy = (t: number) => (opt: AnyOptimizer) => setGrads(opt, gradsFor(ERROR_LENGTHS, t));
const accumulated = (reduction: 'sum' | 'mean') => (opt: AnyOptimizer) =>
  opt.accumulateGrad(gradsFor(ERROR_LENGTHS, 7), reduction);
const clipped = (opt: AnyOptimizer) => {
  setGrads(opt, gradsFor(ERROR_LENGTHS, 8));
  opt.clipGradNorm(0.5);
};
const loose = (value: unknown) => value as never;

const ERROR_ROWS: readonly ErrorRow[] = [
  { name: 'maxNorm negative', act: (o) => o.clipGradNorm(-1), error: RangeError, message: /maxNorm.*-1/ },
  { name: 'maxNorm NaN', act: (o) => o.clipGradNorm(NaN), error: RangeError, message: /maxNorm.*NaN/ },
  { name: 'normType 0', act: (o) => o.clipGradNorm(1, { normType: 0 }), error: RangeError, message: /normType.*\b0/ },
  {
    name: 'normType −1',
    act: (o) => o.clipGradNorm(1, { normType: -1 }),
    error: RangeError,
    message: /normType.*-1/,
  },
  {
    name: "normType '2'",
    act: (o) => o.clipGradNorm(1, { normType: loose('2') }),
    error: TypeError,
    message: /normType.*"2"/,
  },
  {
    name: "lossScale '2'",
    act: (o) => o.unscaleGrad(loose('2')),
    error: TypeError,
    message: /lossScale.*"2"/,
  },
  {
    name: 'normType null',
    act: (o) => o.clipGradNorm(1, { normType: loose(null) }),
    error: TypeError,
    message: /normType.*null/,
  },
  {
    name: 'errorIfNonfinite null',
    act: (o) => o.clipGradNorm(1, { errorIfNonfinite: loose(null) }),
    error: TypeError,
    message: /errorIfNonfinite.*null/,
  },
  {
    name: 'gradNorm normType 0',
    act: (o) => o.gradNorm({ normType: 0 }),
    error: RangeError,
    message: /gradNorm: .*normType.*\b0/,
  },
  {
    name: 'errorIfNonfinite a number',
    act: (o) => o.clipGradNorm(1, { errorIfNonfinite: loose(1) }),
    error: TypeError,
    message: /errorIfNonfinite.*\b1\b/,
  },
  {
    name: 'an unknown option key',
    act: (o) => o.clipGradNorm(1, loose({ norm_type: 2 })),
    error: TypeError,
    message: /unknown option.*norm_type/,
  },
  {
    name: 'options not an object',
    act: (o) => o.clipGradNorm(1, loose(2)),
    error: TypeError,
    message: /options.*\b2\b/,
  },
  {
    name: "another optimizer's handle",
    act: (o, other) => o.clipGradNorm(1, { params: [o.params[0]!, other.params[1]!] }),
    error: TypeError,
    message: /params\[1\].*not one of this optimizer's/,
  },
  {
    name: 'a handle twice',
    act: (o) => o.clipGradValue(1, { params: [o.params[2]!, o.params[0]!, o.params[2]!] }),
    error: RangeError,
    message: /params.*twice/,
  },
  {
    name: 'params not an array',
    act: (o) => o.unscaleGrad(2, { params: loose(o.params[0]) }),
    error: TypeError,
    message: /unscaleGrad.*params/,
  },
  { name: 'clipValue negative', act: (o) => o.clipGradValue(-0.5), error: RangeError, message: /clipValue.*-0\.5/ },
  { name: 'clipValue NaN', act: (o) => o.clipGradValue(NaN), error: RangeError, message: /clipValue.*NaN/ },
  { name: 'lossScale 0', act: (o) => o.unscaleGrad(0), error: RangeError, message: /lossScale.*\b0\b/ },
  { name: 'lossScale −1', act: (o) => o.unscaleGrad(-1), error: RangeError, message: /lossScale.*-1/ },
  {
    name: 'lossScale Infinity',
    act: (o) => o.unscaleGrad(Infinity),
    error: RangeError,
    message: /lossScale.*Infinity/,
  },
  { name: 'lossScale NaN', act: (o) => o.unscaleGrad(NaN), error: RangeError, message: /lossScale.*NaN/ },
  {
    name: 'accumulateGrad: a gradient of the wrong length',
    prepare: accumulated('sum'),
    act: (o) => o.accumulateGrad(gradsFor([5, 4, 7], 1)),
    error: RangeError,
    message: /grads\[1\].*length 4/,
  },
  {
    name: 'accumulateGrad: too few gradients',
    act: (o) => o.accumulateGrad(gradsFor([5, 3], 1)),
    error: RangeError,
    message: /accumulateGrad.*2 gradients for 3/,
  },
  {
    name: 'accumulateGrad: a Float64Array',
    act: (o) => o.accumulateGrad(loose([null, new Float64Array(3), null])),
    error: TypeError,
    message: /grads\[1\].*Float32Array/,
  },
  {
    name: 'accumulateGrad: a row-sparse gradient',
    act: (o) => o.accumulateGrad(loose([{ indices: Int32Array.of(0), values: new Float32Array(5) }, null, null])),
    error: TypeError,
    message: /grads\[0\].*dense/,
  },
  {
    name: "accumulateGrad: reduction 'avg'",
    act: (o) => o.accumulateGrad(gradsFor(ERROR_LENGTHS, 1), loose('avg')),
    error: RangeError,
    message: /reduction.*avg/,
  },
  {
    name: 'accumulateGrad: the reduction changed mid-accumulation',
    prepare: accumulated('sum'),
    act: (o) => o.accumulateGrad(gradsFor(ERROR_LENGTHS, 1), 'mean'),
    error: RangeError,
    message: /reduction.*'mean'.*'sum'/,
  },
  {
    name: 'accumulateGrad after clipGradNorm',
    prepare: clipped,
    act: (o) => o.accumulateGrad(gradsFor(ERROR_LENGTHS, 1)),
    error: TypeError,
    message: /accumulateGrad.*clipped/,
  },
  {
    name: 'step(grads) after accumulateGrad',
    prepare: accumulated('mean'),
    act: (o) => o.step(gradsFor(ERROR_LENGTHS, 1)),
    error: TypeError,
    message: /step\(grads\).*accumulateGrad/,
  },
  {
    name: 'step(grads) after clipGradNorm',
    prepare: clipped,
    act: (o) => o.step(gradsFor(ERROR_LENGTHS, 1)),
    error: TypeError,
    message: /step\(grads\).*clipGradNorm/,
  },
  {
    name: 'step(grads) after clipGradValue',
    prepare: (o) => {
      zeroCopy(9)(o);
      o.clipGradValue(0.3);
    },
    act: (o) => o.step(gradsFor(ERROR_LENGTHS, 1)),
    error: TypeError,
    message: /step\(grads\).*clipGradValue/,
  },
  {
    name: 'step(grads) after unscaleGrad',
    prepare: (o) => {
      zeroCopy(10)(o);
      o.unscaleGrad(8);
    },
    act: (o) => o.step(gradsFor(ERROR_LENGTHS, 1)),
    error: TypeError,
    message: /step\(grads\).*unscaleGrad/,
  },
  {
    name: 'skipNonFinite set to a number',
    act: (o) => {
      o.skipNonFinite = loose(1);
    },
    error: TypeError,
    message: /skipNonFinite.*\b1\b/,
  },
  {
    name: "skipNonFinite set to 'true'",
    act: (o) => {
      o.skipNonFinite = loose('true');
    },
    error: TypeError,
    message: /skipNonFinite.*"true"/,
  },
];

/** Two groups after a drop-in and a zero-copy step (memory ahead of the users' arrays). */
function errorRig(backend: BackendName): Rig {
  const r = rig(
    { algorithm: 'adam', flavor: 'torch', backend, options: flavorRow('adam', 'torch').full },
    ERROR_LENGTHS,
  );
  r.opt.step(gradsFor(ERROR_LENGTHS, 1));
  zeroCopy(2)(r.opt);
  r.opt.step();
  return r;
}

describe('invalid arguments throw naming the argument and change nothing', () => {
  describe.each(BACKENDS)('%s', (backend) => {
    const check = (row: ErrorRow): void => {
      const a = errorRig(backend);
      const b = errorRig(backend);
      const other = errorRig(backend);
      row.prepare?.(a.opt);
      row.prepare?.(b.opt);
      const before = snapshot(a.opt, a.users);
      const settings = [a.opt.skipNonFinite, a.opt.accumulatedGrads, a.opt.skippedSteps];
      let thrown: unknown;
      try {
        row.act(a.opt, other.opt);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(row.error);
      expect((thrown as Error).message).toMatch(/^Adam: /);
      expect((thrown as Error).message).toMatch(row.message);
      expect(snapshot(a.opt, a.users)).toEqual(before);
      expect([a.opt.skipNonFinite, a.opt.accumulatedGrads, a.opt.skippedSteps]).toEqual(settings);
      // And the optimizer goes on exactly like its twin that never saw the call.
      const next = gradsFor(ERROR_LENGTHS, 20);
      if (row.prepare === undefined) {
        a.opt.step(next);
        b.opt.step(next);
      } else {
        expect(a.opt.step()).toBe(true);
        expect(b.opt.step()).toBe(true);
      }
      expectTwins(a, b, row.name, true);
      for (const r of [a, b, other]) r.opt.dispose();
    };
    for (const row of ERROR_ROWS) {
      it(row.name, () => check(row));
    }

    it('skipNonFinite in the constructor must be a boolean', () => {
      for (const bad of [1, 'true']) {
        expect(() =>
          rig({ algorithm: 'sgd', flavor: 'torch', backend, options: {} }, [3], { skipNonFinite: bad }),
        ).toThrow(TypeError);
        expect(() =>
          rig({ algorithm: 'sgd', flavor: 'torch', backend, options: {} }, [3], { skipNonFinite: bad }),
        ).toThrow(/SGD: .*skipNonFinite.*(1|"true"|null)/);
      }
    });

    // null is a wrong type, as for the setter and every other boolean option (`maximize: null`).
    it('skipNonFinite: null in the constructor throws a TypeError, as the setter', () => {
      expect(() =>
        rig({ algorithm: 'sgd', flavor: 'torch', backend, options: {} }, [3], { skipNonFinite: null }),
      ).toThrow(/skipNonFinite.*null/);
    });

    it('every gradient method throws after dispose()', () => {
      const { opt } = errorRig(backend);
      opt.dispose();
      const calls: [string, () => unknown][] = [
        ['clipGradNorm', () => opt.clipGradNorm(1)],
        ['gradNorm', () => opt.gradNorm()],
        ['clipGradValue', () => opt.clipGradValue(1)],
        ['unscaleGrad', () => opt.unscaleGrad(2)],
        ['accumulateGrad', () => opt.accumulateGrad(gradsFor(ERROR_LENGTHS, 1))],
        ['zeroGrad', () => opt.zeroGrad()],
        ['step', () => opt.step()],
      ];
      for (const [name, call] of calls) expect(call, name).toThrow(new RegExp(`Adam\\.${name}: .*disposed`));
    });
  });
});

// Replays PyTorch 1.13's learning-rate sequences (test/fixtures/schedulers/reference.json, made by
// tools/reference/schedulers.py; no Python needed here) with our schedulers and asserts every
// number with Object.is: the lrs (and momentum/beta1 when cycled) after construction and after
// each step; the resumed runs from our own stateDict (after a JSON round trip) and from PyTorch's.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import * as lib from '../src/index.js';
import {
  Adam,
  ChainedScheduler,
  ReduceLROnPlateau,
  SGD,
  SequentialLR,
  getInitialLr,
  setInitialLr,
  type Scheduler,
} from '../src/index.js';
import { pow } from '../src/math/index.js';

// Builds optimizers and schedulers from the fixture's descriptions, with the same named functions as
// the generator's LAMBDAS.
/** The generator's LAMBDAS, in JavaScript: the same arithmetic (Python's `**` is pow). */
const LAMBDAS: Record<string, (x: number) => number> = {
  pow095: (e) => pow(0.95, e),
  inv: (e) => 1 / (e + 1),
  halfEvery10: (e) => pow(0.5, Math.floor(e / 10)),
  linear200: (e) => 1 - e / 200,
  warmup10: (e) => Math.min(1.0, (e + 1) / 10),
  const095: () => 0.95,
  slowDecay: (e) => 1 - 0.001 * e,
  pow09: (x) => pow(0.9, x),
  invCycle: (x) => 1 / x,
  invIter: (x) => 1 / (1 + 0.01 * x),
};

interface OptimizerSpec {
  type: 'SGD' | 'Adam';
  groups: { lr: number; momentum?: number; betas?: [number, number] }[];
}

interface SchedulerSpec {
  type: string;
  options?: Record<string, unknown>;
  schedulers?: SchedulerSpec[];
}

interface Case {
  name: string;
  optimizer: OptimizerSpec;
  scheduler: SchedulerSpec;
  steps: number;
  calls?: (number | null)[];
  track?: string[];
  initialLr?: number[];
  expected: Record<string, number[][]>;
  resume: {
    at: number;
    state: Record<string, unknown>;
    groups: { lr: number; initial_lr?: number; momentum?: number; betas?: [number, number] }[];
    expected: Record<string, number[][]>;
  };
}

/** Recorded values: key ('lr', 'momentum', 'beta1') → one row per record, one number per group. */
type Row = Record<string, number[][]>;

function makeOptimizer(spec: OptimizerSpec): lib.Optimizer<object> {
  const groups = spec.groups.map((g) => ({
    params: [1],
    lr: g.lr,
    ...(g.momentum !== undefined ? { momentum: g.momentum } : {}),
    ...(g.betas !== undefined ? { betas: g.betas } : {}),
  }));
  const lr = spec.groups[0]!.lr;
  const opt = spec.type === 'SGD' ? new SGD(groups, { lr, backend: 'js' }) : new Adam(groups, { lr, backend: 'js' });
  return opt as unknown as lib.Optimizer<object>;
}

function jsOptions(options: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (key === 'lrLambda' || key === 'scaleFn') {
      out[key] = Array.isArray(value) ? value.map((v) => LAMBDAS[v as string]!) : LAMBDAS[value as string]!;
    } else {
      out[key] = value;
    }
  }
  return out;
}

type Ctor = new (optimizer: lib.Optimizer<object>, options: Record<string, unknown>) => Scheduler;

function buildScheduler(opt: lib.Optimizer<object>, spec: SchedulerSpec): Scheduler {
  if (spec.type === 'SequentialLR') {
    const schedulers = spec.schedulers!.map((s) => buildScheduler(opt, s));
    return new SequentialLR(opt, { ...jsOptions(spec.options), schedulers } as unknown as lib.SequentialLROptions);
  }
  if (spec.type === 'ChainedScheduler') {
    return new ChainedScheduler(spec.schedulers!.map((s) => buildScheduler(opt, s)) as never);
  }
  const ctor = (lib as unknown as Record<string, Ctor>)[spec.type]!;
  return new ctor(opt, jsOptions(spec.options));
}

function stepWith(sched: Scheduler, call: number | null): void {
  if (sched instanceof ReduceLROnPlateau) sched.step(call as number);
  else if (call === null) (sched as unknown as { step(): void }).step();
  else (sched as unknown as { step(epoch: number): void }).step(call);
}

function record(opt: lib.Optimizer<object>, track: readonly string[], into: Row): void {
  const groups = opt.paramGroups as unknown as { lr: number; momentum?: number; betas?: readonly number[] }[];
  (into['lr'] ??= []).push(groups.map((g) => g.lr));
  if (track.includes('momentum')) (into['momentum'] ??= []).push(groups.map((g) => g.momentum!));
  if (track.includes('beta1')) (into['beta1'] ??= []).push(groups.map((g) => g.betas![0]!));
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/schedulers/reference.json', import.meta.url), 'utf8')) as {
  torch: string;
  cases: Case[];
};

/** Numbers compared and mismatches, by scheduler class (printed at the end). */
const stats = new Map<string, { compared: number; mismatches: number }>();

function kindOf(c: Case): string {
  return c.scheduler.type;
}

/** Compares rows; counts; returns the first mismatch as text (or null). */
function compare(c: Case, what: string, got: Row, expected: Record<string, number[][]>, offset: number): string[] {
  const bad: string[] = [];
  const s = stats.get(kindOf(c)) ?? { compared: 0, mismatches: 0 };
  stats.set(kindOf(c), s);
  for (const key of Object.keys(expected)) {
    const want = expected[key]!;
    const have = got[key] ?? [];
    expect(have.length, `${what} ${key}: number of records`).toBe(want.length);
    want.forEach((row, t) => {
      row.forEach((x, g) => {
        s.compared++;
        const y = have[t]?.[g];
        if (!Object.is(x, y)) {
          s.mismatches++;
          bad.push(`${what} ${key} at step ${t + offset}, group ${g}: expected ${x}, got ${y}`);
        }
      });
    });
  }
  return bad;
}

describe(`schedulers reproduce PyTorch ${fixture.torch}`, () => {
  it('has the reference cases', () => {
    expect(fixture.cases.length).toBeGreaterThan(200);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const track = c.track ?? [];
      const calls = c.calls ?? new Array<null>(c.steps).fill(null);
      const opt = makeOptimizer(c.optimizer);
      if (c.initialLr) setInitialLr(opt, c.initialLr);
      const sched = buildScheduler(opt, c.scheduler);
      const got: Row = {};
      record(opt, track, got);
      const k = c.resume.at;
      let ours: unknown;
      let optState: unknown;
      let initial: (number | undefined)[] = [];
      calls.forEach((call, t) => {
        stepWith(sched, call);
        record(opt, track, got);
        const last = sched.getLastLr();
        expect([...last]).toEqual(groupLrs(opt));
        if (t + 1 === k) {
          ours = JSON.parse(JSON.stringify(sched.stateDict()));
          optState = JSON.parse(JSON.stringify(opt.stateDict()));
          initial = getInitialLr(opt);
        }
      });
      const bad = compare(c, 'run', got, c.expected, 0);

      // Resumed from our own state dict (JSON round trip), into fresh objects.
      const opt2 = makeOptimizer(c.optimizer);
      if (c.initialLr) setInitialLr(opt2, c.initialLr);
      const sched2 = buildScheduler(opt2, c.scheduler);
      opt2.loadStateDict(optState as Parameters<typeof opt2.loadStateDict>[0]);
      setInitialLr(opt2, initial);
      sched2.loadStateDict(ours as Record<string, unknown>);
      bad.push(
        ...compare(c, 'resumed (ours)', continueRun(opt2, sched2, calls.slice(k), track), c.resume.expected, k + 1),
      );

      // Resumed from PyTorch's state dict and param groups.
      const opt3 = makeOptimizer(c.optimizer);
      if (c.initialLr) setInitialLr(opt3, c.initialLr);
      const sched3 = buildScheduler(opt3, c.scheduler);
      c.resume.groups.forEach((g, i) => {
        const group = opt3.paramGroups[i] as unknown as Record<string, unknown>;
        group['lr'] = g.lr;
        if (g.momentum !== undefined) group['momentum'] = g.momentum;
        if (g.betas !== undefined) group['betas'] = g.betas;
      });
      if (c.resume.groups.every((g) => g.initial_lr !== undefined)) {
        setInitialLr(
          opt3,
          c.resume.groups.map((g) => g.initial_lr),
        );
      }
      sched3.loadStateDict(c.resume.state);
      bad.push(
        ...compare(c, 'resumed (PyTorch)', continueRun(opt3, sched3, calls.slice(k), track), c.resume.expected, k + 1),
      );
      for (const o of [opt, opt2, opt3]) o.dispose();
      expect(bad.slice(0, 5), `${bad.length} mismatches`).toEqual([]);
    });
  }

  afterAll(() => {
    let compared = 0;
    let mismatches = 0;
    const lines: string[] = [];
    for (const [kind, s] of stats) {
      compared += s.compared;
      mismatches += s.mismatches;
      lines.push(`  ${kind}: ${s.compared} numbers, ${s.mismatches} mismatches`);
    }
    const total = `schedulers: ${fixture.cases.length} cases, ${compared} numbers compared, ${mismatches} mismatches`;
    console.log(`${total}\n${lines.join('\n')}`);
  });
});

function continueRun(
  opt: ReturnType<typeof makeOptimizer>,
  sched: Scheduler,
  calls: readonly (number | null)[],
  track: readonly string[],
): Row {
  const got: Row = {};
  for (const call of calls) {
    stepWith(sched, call);
    record(opt, track, got);
  }
  return got;
}

function groupLrs(opt: lib.Optimizer<object>): number[] {
  return (opt.paramGroups as unknown as { lr: number }[]).map((g) => g.lr);
}

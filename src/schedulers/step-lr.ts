// StepLR and MultiStepLR: the lr decays by gamma every stepSize epochs, or at given milestones.
import { describe, rangeError, typeError } from '../errors.js';
import { POW, powScratch } from '../math/index.js';
import { type AnyOptimizer, type LastEpochOption, LRScheduler } from './base.js';
import { integerOption, lastEpochOption, numberOption, readOptions } from './options.js';
import { bisectRight, pyFloorDiv, pyMod } from './pymath.js';
import type { SchedulerStateDict, StateReader } from './state.js';

/** gamma of StepLR, MultiStepLR and ExponentialLR: a finite number > 0. */
export const isGamma = (x: number): boolean => x > 0 && Number.isFinite(x);
export const GAMMA_RULE = 'a finite number > 0';

/** Options of {@link StepLR} (PyTorch's `step_size`, `gamma`, `last_epoch`). */
export interface StepLROptions extends LastEpochOption {
  /** Period of the decay in epochs, an integer ≥ 1 (PyTorch's `step_size`). Required. */
  stepSize: number;
  /** Multiplicative factor of the decay, > 0. Default 0.1. */
  gamma?: number;
}

/**
 * Decays each param group's lr by `gamma` every `stepSize` epochs (PyTorch's `StepLR`).
 *
 * ```text
 * chainable (step()):      lr ← lr·gamma  when lastEpoch > 0 and lastEpoch % stepSize = 0, else lr
 * closed form (step(e)):   lr = base_lr · gamma^⌊e / stepSize⌋
 * ```
 */
export class StepLR extends LRScheduler {
  /** @internal */ stepSize: number;
  /** @internal */ gamma: number;

  constructor(optimizer: AnyOptimizer, options: StepLROptions) {
    const owner = 'StepLR';
    const o = readOptions(owner, options, ['stepSize', 'gamma', 'lastEpoch'], true);
    const stepSize = integerOption(owner, o, 'stepSize', undefined, 'an integer ≥ 1', (x) => x >= 1);
    const gamma = numberOption(owner, o, 'gamma', 0.1, GAMMA_RULE, isGamma);
    super(owner, optimizer, lastEpochOption(owner, o));
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(out: number[]): void {
    const e = this.epoch;
    const keep = e === 0 || pyMod(e, this.stepSize) !== 0;
    for (let i = 0; i < this.n; i++) out[i] = keep ? this.lrs[i]! : this.lrs[i]! * this.gamma;
  }

  protected override closedFormLr(out: number[]): boolean {
    POW[0] = this.gamma;
    POW[1] = pyFloorDiv(this.epoch, this.stepSize);
    powScratch(); // POW[0] = pow(POW[0], POW[1]), boxing nothing (src/math/index.ts)
    const factor = POW[0]!;
    for (let i = 0; i < this.n; i++) out[i] = this.baseLrs[i]! * factor;
    return true;
  }

  protected writeState(dict: SchedulerStateDict): void {
    dict['step_size'] = this.stepSize;
    dict['gamma'] = this.gamma;
  }

  protected readState(reader: StateReader): () => void {
    const stepSize = reader.integer('step_size', 'an integer ≥ 1', (x) => x >= 1);
    const gamma = reader.number('gamma', GAMMA_RULE, isGamma);
    return () => {
      if (stepSize !== undefined) this.stepSize = stepSize;
      if (gamma !== undefined) this.gamma = gamma;
    };
  }
}

/** Options of {@link MultiStepLR} (PyTorch's `milestones`, `gamma`, `last_epoch`). */
export interface MultiStepLROptions extends LastEpochOption {
  /**
   * Epochs at which the lr decays: integers ≥ 0 in non-decreasing order. A milestone listed k
   * times decays by gamma^k (PyTorch counts them). Required.
   */
  milestones: readonly number[];
  /** Multiplicative factor of the decay, > 0. Default 0.1. */
  gamma?: number;
}

/** Milestones as PyTorch's Counter: sorted distinct epochs and their counts. */
interface Milestones {
  /** Every milestone, repeats included, sorted (`sorted(milestones.elements())`). */
  readonly sorted: number[];
  /** Count of each distinct milestone. */
  readonly counts: Map<number, number>;
}

function milestonesOf(sorted: number[]): Milestones {
  const counts = new Map<number, number>();
  for (const m of sorted) counts.set(m, (counts.get(m) ?? 0) + 1);
  return { sorted, counts };
}

function readMilestones(owner: string, value: unknown, where: string): Milestones {
  if (!Array.isArray(value)) throw typeError(owner, `${where} must be an array of integers, got ${describe(value)}`);
  const sorted = [...value] as unknown[];
  sorted.forEach((m, i) => {
    if (typeof m !== 'number') throw typeError(owner, `${where}[${i}] must be an integer ≥ 0, got ${describe(m)}`);
    if (!Number.isSafeInteger(m) || m < 0) {
      throw rangeError(owner, `${where}[${i}] must be an integer ≥ 0, got ${describe(m)}`);
    }
    if (i > 0 && m < (sorted[i - 1] as number)) {
      throw rangeError(
        owner,
        `${where} must be in non-decreasing order, got ${describe(m)} after ${describe(sorted[i - 1])} at index ${i}`,
      );
    }
  });
  return milestonesOf(sorted as number[]);
}

/**
 * Decays each param group's lr by `gamma` once the epoch reaches each milestone (PyTorch's
 * `MultiStepLR`).
 *
 * ```text
 * chainable (step()):      lr ← lr·gamma^count(lastEpoch)  when lastEpoch is a milestone, else lr
 * closed form (step(e)):   lr = base_lr · gamma^bisect_right(milestones, e)
 * ```
 */
export class MultiStepLR extends LRScheduler {
  /** @internal */ milestones: Milestones;
  /** @internal */ gamma: number;

  constructor(optimizer: AnyOptimizer, options: MultiStepLROptions) {
    const owner = 'MultiStepLR';
    const o = readOptions(owner, options, ['milestones', 'gamma', 'lastEpoch'], true);
    if (o['milestones'] === undefined) throw typeError(owner, 'option milestones is required (an array of integers)');
    const milestones = readMilestones(owner, o['milestones'], 'option milestones');
    const gamma = numberOption(owner, o, 'gamma', 0.1, GAMMA_RULE, isGamma);
    super(owner, optimizer, lastEpochOption(owner, o));
    this.milestones = milestones;
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(out: number[]): void {
    const count = this.milestones.counts.get(this.epoch);
    if (count === undefined) {
      for (let i = 0; i < this.n; i++) out[i] = this.lrs[i]!;
      return;
    }
    POW[0] = this.gamma;
    POW[1] = count;
    powScratch(); // POW[0] = pow(POW[0], POW[1]), boxing nothing (src/math/index.ts)
    const factor = POW[0]!;
    for (let i = 0; i < this.n; i++) out[i] = this.lrs[i]! * factor;
  }

  protected override closedFormLr(out: number[]): boolean {
    POW[0] = this.gamma;
    POW[1] = bisectRight(this.milestones.sorted, this.epoch);
    powScratch(); // POW[0] = pow(POW[0], POW[1]), boxing nothing (src/math/index.ts)
    const factor = POW[0]!;
    for (let i = 0; i < this.n; i++) out[i] = this.baseLrs[i]! * factor;
    return true;
  }

  /** milestones as PyTorch's Counter looks in JSON: `{ "30": 1, "80": 2 }`. */
  protected writeState(dict: SchedulerStateDict): void {
    const counter: Record<string, number> = {};
    for (const [m, count] of this.milestones.counts) counter[String(m)] = count;
    dict['milestones'] = counter;
    dict['gamma'] = this.gamma;
  }

  /** milestones: a Counter (`{ "30": 1 }`) or a sorted array. */
  protected readState(reader: StateReader): () => void {
    const value = reader.raw('milestones');
    let milestones: Milestones | undefined;
    if (Array.isArray(value)) {
      milestones = readMilestones(this.owner, value, 'loadStateDict: milestones');
    } else if (value !== undefined) {
      if (value === null || typeof value !== 'object') throw reader.typeError('milestones', 'an object', value);
      const sorted: number[] = [];
      for (const [key, count] of Object.entries(value as Record<string, unknown>)) {
        const m = Number(key);
        if (!Number.isSafeInteger(m) || m < 0 || String(m) !== key) {
          throw reader.rangeError('milestones', 'an object keyed by integers ≥ 0', key);
        }
        if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1 || count > 1e6) {
          throw reader.rangeError(`milestones[${key}]`, 'a count ≥ 1', count);
        }
        for (let k = 0; k < count; k++) sorted.push(m);
      }
      sorted.sort((a, b) => a - b);
      milestones = milestonesOf(sorted);
    }
    const gamma = reader.number('gamma', GAMMA_RULE, isGamma);
    return () => {
      if (milestones !== undefined) this.milestones = milestones;
      if (gamma !== undefined) this.gamma = gamma;
    };
  }
}

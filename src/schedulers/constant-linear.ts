// ConstantLR and LinearLR: a warm-up factor on the lr for the first totalIters epochs.
import { type AnyOptimizer, type LastEpochOption, LRScheduler } from './base.js';
import { integerOption, lastEpochOption, numberOption, readOptions } from './options.js';
import { pyMin } from './pymath.js';
import type { SchedulerStateDict, StateReader } from './state.js';

const isFactor = (x: number): boolean => x > 0 && x <= 1;
const FACTOR_RULE = 'a number in (0, 1]';
const isEndFactor = (x: number): boolean => x >= 0 && x <= 1;
const END_FACTOR_RULE = 'a number in [0, 1]';
const isIters = (x: number): boolean => x >= 1;
const ITERS_RULE = 'an integer ≥ 1';

/** Options of {@link ConstantLR} (PyTorch's `factor`, `total_iters`, `last_epoch`). */
export interface ConstantLROptions extends LastEpochOption {
  /** The factor applied until totalIters, in (0, 1] (PyTorch allows 0 but then divides by it). Default 1/3. */
  factor?: number;
  /** Epochs the factor lasts, an integer ≥ 1 (PyTorch's `total_iters`). Default 5. */
  totalIters?: number;
}

/**
 * Multiplies each param group's lr by `factor` until epoch `totalIters` (PyTorch's `ConstantLR`).
 *
 * ```text
 * chainable:    epoch 0: lr·factor;  epoch totalIters: lr·(1/factor);  otherwise lr
 * closed form:  base_lr · (factor + (e ≥ totalIters)·(1 − factor))
 * ```
 */
export class ConstantLR extends LRScheduler {
  /** @internal */ factor: number;
  /** @internal */ totalIters: number;

  constructor(optimizer: AnyOptimizer, options?: ConstantLROptions) {
    const owner = 'ConstantLR';
    const o = readOptions(owner, options, ['factor', 'totalIters', 'lastEpoch']);
    const factor = numberOption(owner, o, 'factor', 1.0 / 3, FACTOR_RULE, isFactor);
    const totalIters = integerOption(owner, o, 'totalIters', 5, ITERS_RULE, isIters);
    super(owner, optimizer, lastEpochOption(owner, o));
    this.factor = factor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected getLr(out: number[]): void {
    const e = this.epoch;
    for (let i = 0; i < this.n; i++) {
      const lr = this.lrs[i]!;
      if (e === 0) out[i] = lr * this.factor;
      else if (e > this.totalIters || e !== this.totalIters) out[i] = lr;
      else out[i] = lr * (1.0 / this.factor);
    }
  }

  protected override closedFormLr(out: number[]): boolean {
    const reached = this.epoch >= this.totalIters ? 1 : 0;
    for (let i = 0; i < this.n; i++) out[i] = this.baseLrs[i]! * (this.factor + reached * (1 - this.factor));
    return true;
  }

  protected writeState(dict: SchedulerStateDict): void {
    dict['factor'] = this.factor;
    dict['total_iters'] = this.totalIters;
  }

  protected readState(reader: StateReader): () => void {
    const factor = reader.number('factor', FACTOR_RULE, isFactor);
    const totalIters = reader.integer('total_iters', ITERS_RULE, isIters);
    return () => {
      if (factor !== undefined) this.factor = factor;
      if (totalIters !== undefined) this.totalIters = totalIters;
    };
  }
}

/** Options of {@link LinearLR} (PyTorch's `start_factor`, `end_factor`, `total_iters`, `last_epoch`). */
export interface LinearLROptions extends LastEpochOption {
  /** Factor at epoch 0, in (0, 1] (PyTorch allows 0 but then divides by zero). Default 1/3. */
  startFactor?: number;
  /** Factor from epoch totalIters on, in [0, 1]. Default 1. */
  endFactor?: number;
  /** Epochs over which the factor moves linearly, an integer ≥ 1. Default 5. */
  totalIters?: number;
}

/**
 * Multiplies each param group's lr by a factor moving linearly from `startFactor` to
 * `endFactor` over `totalIters` epochs (PyTorch's `LinearLR`).
 *
 * ```text
 * chainable:    epoch 0: lr·start;  e > totalIters: lr;
 *               else lr·(1 + (end − start)/(totalIters·start + (e − 1)·(end − start)))
 * closed form:  base_lr · (start + (end − start)·min(totalIters, e)/totalIters)
 * ```
 */
export class LinearLR extends LRScheduler {
  /** @internal */ startFactor: number;
  /** @internal */ endFactor: number;
  /** @internal */ totalIters: number;

  constructor(optimizer: AnyOptimizer, options?: LinearLROptions) {
    const owner = 'LinearLR';
    const o = readOptions(owner, options, ['startFactor', 'endFactor', 'totalIters', 'lastEpoch']);
    const startFactor = numberOption(owner, o, 'startFactor', 1.0 / 3, FACTOR_RULE, isFactor);
    const endFactor = numberOption(owner, o, 'endFactor', 1.0, END_FACTOR_RULE, isEndFactor);
    const totalIters = integerOption(owner, o, 'totalIters', 5, ITERS_RULE, isIters);
    super(owner, optimizer, lastEpochOption(owner, o));
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected getLr(out: number[]): void {
    const e = this.epoch;
    const start = this.startFactor;
    const end = this.endFactor;
    for (let i = 0; i < this.n; i++) {
      const lr = this.lrs[i]!;
      if (e === 0) out[i] = lr * start;
      else if (e > this.totalIters) out[i] = lr;
      else out[i] = lr * (1 + (end - start) / (this.totalIters * start + (e - 1) * (end - start)));
    }
  }

  protected override closedFormLr(out: number[]): boolean {
    const start = this.startFactor;
    const end = this.endFactor;
    const factor = start + ((end - start) * pyMin(this.totalIters, this.epoch)) / this.totalIters;
    for (let i = 0; i < this.n; i++) out[i] = this.baseLrs[i]! * factor;
    return true;
  }

  protected writeState(dict: SchedulerStateDict): void {
    dict['start_factor'] = this.startFactor;
    dict['end_factor'] = this.endFactor;
    dict['total_iters'] = this.totalIters;
  }

  protected readState(reader: StateReader): () => void {
    const startFactor = reader.number('start_factor', FACTOR_RULE, isFactor);
    const endFactor = reader.number('end_factor', END_FACTOR_RULE, isEndFactor);
    const totalIters = reader.integer('total_iters', ITERS_RULE, isIters);
    return () => {
      if (startFactor !== undefined) this.startFactor = startFactor;
      if (endFactor !== undefined) this.endFactor = endFactor;
      if (totalIters !== undefined) this.totalIters = totalIters;
    };
  }
}

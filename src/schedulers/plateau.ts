// ReduceLROnPlateau: the lr drops by a factor when a metric stops improving.
import { describe, rangeError, typeError } from '../errors.js';
import { type AnyOptimizer, checkOptimizer, groupsOf, readLrs, type Scheduler } from './base.js';
import { choiceOption, integerOption, numberOption, perGroupOption, readOptions } from './options.js';
import { pyMax } from './pymath.js';
import { encodeNumber, type SchedulerStateDict, StateReader } from './state.js';

/** Options of {@link ReduceLROnPlateau}: PyTorch's, camelCased. */
export interface ReduceLROnPlateauOptions {
  /** `'min'` (default): the metric should decrease; `'max'`: increase. */
  mode?: 'min' | 'max';
  /** new lr = lr·factor, in [0, 1). Default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before the lr drops, an integer ≥ 0. Default 10. */
  patience?: number;
  /** Threshold of a significant improvement, finite ≥ 0. Default 1e-4. */
  threshold?: number;
  /** `'rel'` (default): best·(1 ∓ threshold); `'abs'`: best ∓ threshold. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a drop before counting bad epochs again, an integer ≥ 0. Default 0. */
  cooldown?: number;
  /** Lower bound of the lr: one for all groups or one per group, ≥ 0 (PyTorch's `min_lr`). Default 0. */
  minLr?: number | readonly number[];
  /** A drop smaller than eps is skipped, ≥ 0. Default 1e-8. */
  eps?: number;
}

const KEYS = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'];
const isFactor = (x: number): boolean => x >= 0 && x < 1;
const FACTOR_RULE = 'a number in [0, 1)';
const isNonNegative = (x: number): boolean => x >= 0 && Number.isFinite(x);
const NON_NEGATIVE_RULE = 'a finite number ≥ 0';
const isCount = (x: number): boolean => x >= 0;
const COUNT_RULE = 'an integer ≥ 0';

/**
 * Reduces each param group's lr by `factor` when the metric given to step() has not improved
 * for more than `patience` epochs (PyTorch's `ReduceLROnPlateau`).
 *
 * ```text
 * better(a, best): min/rel a < best·(1 − threshold); min/abs a < best − threshold;
 *                  max/rel a > best·(threshold + 1); max/abs a > best + threshold
 * bad epochs > patience: lr ← max(lr·factor, minLr) where the drop exceeds eps; cooldown starts
 * ```
 * Unlike PyTorch 1.13 (where get_last_lr() fails before the first step), getLastLr() shows the
 * groups' lrs at construction until the first step.
 */
export class ReduceLROnPlateau implements Scheduler {
  /** The optimizer whose param groups this scheduler drives. */
  readonly optimizer: AnyOptimizer;
  readonly #n: number;
  #factor: number;
  #minLrs: number[];
  #patience: number;
  #cooldown: number;
  #cooldownCounter = 0;
  #mode: 'min' | 'max';
  #threshold: number;
  #thresholdMode: 'rel' | 'abs';
  #best: number;
  #numBadEpochs = 0;
  #eps: number;
  #lastEpoch = 0;
  readonly #lastLr: number[];

  constructor(optimizer: AnyOptimizer, options?: ReduceLROnPlateauOptions) {
    const owner = 'ReduceLROnPlateau';
    const opt = checkOptimizer(owner, optimizer);
    const groups = groupsOf(opt);
    const n = groups.length;
    const o = readOptions(owner, options, KEYS);
    this.#factor = numberOption(owner, o, 'factor', 0.1, FACTOR_RULE, isFactor);
    this.#minLrs = perGroupOption(owner, o, 'minLr', 0, n, NON_NEGATIVE_RULE, isNonNegative);
    this.#patience = integerOption(owner, o, 'patience', 10, COUNT_RULE, isCount);
    this.#cooldown = integerOption(owner, o, 'cooldown', 0, COUNT_RULE, isCount);
    this.#mode = choiceOption(owner, o, 'mode', ['min', 'max'], 'min');
    this.#threshold = numberOption(owner, o, 'threshold', 1e-4, NON_NEGATIVE_RULE, isNonNegative);
    this.#thresholdMode = choiceOption(owner, o, 'thresholdMode', ['rel', 'abs'], 'rel');
    this.#eps = numberOption(owner, o, 'eps', 1e-8, NON_NEGATIVE_RULE, isNonNegative);
    this.optimizer = opt;
    this.#n = n;
    this.#best = this.#modeWorse();
    this.#lastLr = groups.map((g) => g.lr);
  }

  /** PyTorch's `mode_worse`: +∞ in min mode, −∞ in max mode. */
  #modeWorse(): number {
    return this.#mode === 'min' ? Infinity : -Infinity;
  }

  #isBetter(a: number, best: number): boolean {
    if (this.#mode === 'min' && this.#thresholdMode === 'rel') return a < best * (1 - this.#threshold);
    if (this.#mode === 'min') return a < best - this.#threshold;
    if (this.#thresholdMode === 'rel') return a > best * (this.#threshold + 1);
    return a > best + this.#threshold;
  }

  /**
   * Records the metric of an epoch and drops the lrs if it has stopped improving.
   *
   * @param metrics - the monitored quantity (a number; NaN counts as no improvement).
   * @param epoch - deprecated in PyTorch: the epoch to record as lastEpoch (default lastEpoch + 1).
   */
  step(metrics: number, epoch?: number): void {
    const owner = 'ReduceLROnPlateau';
    if (typeof metrics !== 'number') throw typeError(owner, `step: metrics must be a number, got ${describe(metrics)}`);
    if (epoch !== undefined && (typeof epoch !== 'number' || !Number.isFinite(epoch))) {
      throw (typeof epoch === 'number' ? rangeError : typeError)(
        owner,
        `step: epoch must be a finite number, got ${describe(epoch)}`,
      );
    }
    if (this.optimizer.disposed) throw new Error(`${owner}: step: the optimizer was disposed`);
    const groups = groupsOf(this.optimizer);
    if (groups.length !== this.#n) {
      throw new Error(`${owner}: step: the optimizer has ${groups.length} param groups, the scheduler ${this.#n}`);
    }
    const current = metrics;
    this.#lastEpoch = epoch === undefined ? this.#lastEpoch + 1 : epoch;
    if (this.#isBetter(current, this.#best)) {
      this.#best = current;
      this.#numBadEpochs = 0;
    } else {
      this.#numBadEpochs += 1;
    }
    if (this.#cooldownCounter > 0) {
      this.#cooldownCounter -= 1;
      this.#numBadEpochs = 0;
    }
    if (this.#numBadEpochs > this.#patience) {
      for (let i = 0; i < this.#n; i++) {
        const group = groups[i]!;
        const oldLr = group.lr;
        const newLr = pyMax(oldLr * this.#factor, this.#minLrs[i]!);
        if (oldLr - newLr > this.#eps) group.lr = newLr;
      }
      this.#cooldownCounter = this.#cooldown;
      this.#numBadEpochs = 0;
    }
    readLrs(groups, this.#lastLr, this.#n);
  }

  /** The lr of each param group after the last step: a read-only array updated in place. */
  getLastLr(): readonly number[] {
    return this.#lastLr;
  }

  /** Whether the cooldown is running (PyTorch's `in_cooldown`). */
  get inCooldown(): boolean {
    return this.#cooldownCounter > 0;
  }

  /** The index of the last epoch (PyTorch's `last_epoch`). */
  get lastEpoch(): number {
    return this.#lastEpoch;
  }

  /** The state, PyTorch's keys; `best` and `mode_worse` may be "Infinity"/"-Infinity" strings. */
  stateDict(): SchedulerStateDict {
    return {
      factor: this.#factor,
      min_lrs: [...this.#minLrs],
      patience: this.#patience,
      cooldown: this.#cooldown,
      cooldown_counter: this.#cooldownCounter,
      mode: this.#mode,
      threshold: this.#threshold,
      threshold_mode: this.#thresholdMode,
      best: encodeNumber(this.#best),
      num_bad_epochs: this.#numBadEpochs,
      mode_worse: encodeNumber(this.#modeWorse()),
      eps: this.#eps,
      last_epoch: encodeNumber(this.#lastEpoch),
      _last_lr: this.#lastLr.map(encodeNumber),
    };
  }

  /** Restores a state (an update, as PyTorch's); validates everything first. */
  loadStateDict(dict: SchedulerStateDict): void {
    const r = new StateReader('ReduceLROnPlateau', dict);
    const n = this.#n;
    const factor = r.number('factor', FACTOR_RULE, isFactor);
    const minLrs = r.numbers('min_lrs', n, NON_NEGATIVE_RULE, isNonNegative);
    const patience = r.integer('patience', COUNT_RULE, isCount);
    const cooldown = r.integer('cooldown', COUNT_RULE, isCount);
    const cooldownCounter = r.integer('cooldown_counter', COUNT_RULE, isCount);
    const mode = r.choice('mode', ['min', 'max'] as const);
    const threshold = r.number('threshold', NON_NEGATIVE_RULE, isNonNegative);
    const thresholdMode = r.choice('threshold_mode', ['rel', 'abs'] as const);
    const best = r.number('best');
    const numBadEpochs = r.integer('num_bad_epochs', COUNT_RULE, isCount);
    r.number('mode_worse'); // derived from mode, as PyTorch's load re-derives it
    const eps = r.number('eps', NON_NEGATIVE_RULE, isNonNegative);
    const lastEpoch = r.number('last_epoch', 'a finite number', Number.isFinite);
    const lastLr = r.numbers('_last_lr', n);
    r.finish();
    if (factor !== undefined) this.#factor = factor;
    if (minLrs !== undefined) this.#minLrs = minLrs;
    if (patience !== undefined) this.#patience = patience;
    if (cooldown !== undefined) this.#cooldown = cooldown;
    if (cooldownCounter !== undefined) this.#cooldownCounter = cooldownCounter;
    if (mode !== undefined) this.#mode = mode;
    if (threshold !== undefined) this.#threshold = threshold;
    if (thresholdMode !== undefined) this.#thresholdMode = thresholdMode;
    if (best !== undefined) this.#best = best;
    if (numBadEpochs !== undefined) this.#numBadEpochs = numBadEpochs;
    if (eps !== undefined) this.#eps = eps;
    if (lastEpoch !== undefined) this.#lastEpoch = lastEpoch;
    if (lastLr !== undefined) for (let i = 0; i < n; i++) this.#lastLr[i] = lastLr[i]!;
  }
}

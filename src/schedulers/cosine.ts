// CosineAnnealingLR and CosineAnnealingWarmRestarts (SGDR).
import { rangeError } from '../errors.js';
import { COS, cosScratch, log } from '../math/index.js';
import { type AnyOptimizer, type LastEpochOption, LRScheduler } from './base.js';
import { integerOption, lastEpochOption, numberOption, readOptions } from './options.js';
import { intPow, pyMod } from './pymath.js';
import type { SchedulerStateDict, StateReader } from './state.js';

const isEtaMin = (x: number): boolean => x >= 0 && Number.isFinite(x);
const ETA_MIN_RULE = 'a finite number ≥ 0';
const isTMax = (x: number): boolean => x > 0 && Number.isFinite(x);
const T_MAX_RULE = 'a finite number > 0';

/** Options of {@link CosineAnnealingLR} (PyTorch's `T_max`, `eta_min`, `last_epoch`). */
export interface CosineAnnealingLROptions extends LastEpochOption {
  /** Half-period in epochs, > 0 (PyTorch's `T_max`). Required. */
  tMax: number;
  /** Minimum learning rate, ≥ 0 (PyTorch's `eta_min`). Default 0. */
  etaMin?: number;
}

/**
 * Anneals each param group's lr along a cosine from its initial lr to `etaMin` over `tMax`
 * epochs, then back up, periodically (PyTorch's `CosineAnnealingLR`; no restarts).
 *
 * ```text
 * chainable:  e = 0: lr
 *             first step resuming (e > 0): η + (base − η)·(1 + cos(e·π/tMax))/2
 *             (e − 1 − tMax) mod 2tMax = 0: lr + (base − η)·(1 − cos(π/tMax))/2
 *             else (1 + cos(π·e/tMax))/(1 + cos(π·(e − 1)/tMax))·(lr − η) + η
 * closed form (step(e)): η + (base − η)·(1 + cos(π·e/tMax))/2
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  /** @internal */ tMax: number;
  /** @internal */ etaMin: number;

  constructor(optimizer: AnyOptimizer, options: CosineAnnealingLROptions) {
    const owner = 'CosineAnnealingLR';
    const o = readOptions(owner, options, ['tMax', 'etaMin', 'lastEpoch'], true);
    const tMax = numberOption(owner, o, 'tMax', undefined, T_MAX_RULE, isTMax);
    const etaMin = numberOption(owner, o, 'etaMin', 0, ETA_MIN_RULE, isEtaMin);
    super(owner, optimizer, lastEpochOption(owner, o));
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected getLr(out: number[]): void {
    const e = this.epoch;
    const t = this.tMax;
    const eta = this.etaMin;
    if (e === 0) {
      for (let i = 0; i < this.n; i++) out[i] = this.lrs[i]!;
    } else if (this.stepCount === 1 && e > 0) {
      COS[0] = (e * Math.PI) / t;
      cosScratch(); // COS[0] = cos(COS[0]), boxing nothing (src/math/index.ts)
      const c = COS[0]!;
      for (let i = 0; i < this.n; i++) out[i] = eta + ((this.baseLrs[i]! - eta) * (1 + c)) / 2;
    } else if (pyMod(e - 1 - t, 2 * t) === 0) {
      COS[0] = Math.PI / t;
      cosScratch();
      const c = COS[0]!;
      for (let i = 0; i < this.n; i++) out[i] = this.lrs[i]! + ((this.baseLrs[i]! - eta) * (1 - c)) / 2;
    } else {
      COS[0] = (Math.PI * e) / t;
      cosScratch();
      const c1 = COS[0]!;
      COS[0] = (Math.PI * (e - 1)) / t;
      cosScratch();
      const ratio = (1 + c1) / (1 + COS[0]!);
      for (let i = 0; i < this.n; i++) out[i] = ratio * (this.lrs[i]! - eta) + eta;
    }
  }

  protected override closedFormLr(out: number[]): boolean {
    const eta = this.etaMin;
    COS[0] = (Math.PI * this.epoch) / this.tMax;
    cosScratch();
    const c = COS[0]!;
    for (let i = 0; i < this.n; i++) out[i] = eta + ((this.baseLrs[i]! - eta) * (1 + c)) / 2;
    return true;
  }

  protected writeState(dict: SchedulerStateDict): void {
    dict['T_max'] = this.tMax;
    dict['eta_min'] = this.etaMin;
  }

  protected readState(reader: StateReader): () => void {
    const tMax = reader.number('T_max', T_MAX_RULE, isTMax);
    const etaMin = reader.number('eta_min', ETA_MIN_RULE, isEtaMin);
    return () => {
      if (tMax !== undefined) this.tMax = tMax;
      if (etaMin !== undefined) this.etaMin = etaMin;
    };
  }
}

/** Options of {@link CosineAnnealingWarmRestarts} (PyTorch's `T_0`, `T_mult`, `eta_min`, `last_epoch`). */
export interface CosineAnnealingWarmRestartsOptions extends LastEpochOption {
  /** Epochs until the first restart, an integer ≥ 1 (PyTorch's `T_0`). Required. */
  t0: number;
  /** Factor by which the period grows after each restart, an integer ≥ 1 (PyTorch's `T_mult`). Default 1. */
  tMult?: number;
  /** Minimum learning rate, ≥ 0 (PyTorch's `eta_min`). Default 0. */
  etaMin?: number;
}

/**
 * SGDR: cosine annealing from each param group's initial lr to `etaMin` over a period T_i,
 * restarting at the initial lr; T_0 = `t0`, each period `tMult` times the previous (PyTorch's
 * `CosineAnnealingWarmRestarts`).
 *
 * ```text
 * lr = η + (base − η)·(1 + cos(π·T_cur/T_i))/2
 * step():       T_cur ← T_cur + 1; at T_cur ≥ T_i: T_cur ← T_cur − T_i, T_i ← T_i·tMult
 * step(epoch):  any epoch ≥ 0, fractional too (per batch: step(epoch + i/iters)):
 *               epoch < t0: T_i = t0, T_cur = epoch; tMult = 1: T_cur = epoch mod t0;
 *               else n = ⌊log(epoch/t0·(tMult − 1) + 1)/log(tMult)⌋, T_cur = epoch − t0·(tMult^n − 1)/(tMult − 1),
 *               T_i = t0·tMult^n
 * ```
 * lastEpoch becomes ⌊epoch⌋. Unlike the other schedulers, PyTorch's step here leaves
 * `_step_count` alone.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  /** @internal */ t0: number;
  /** @internal */ tI: number;
  /** @internal */ tMult: number;
  /** @internal */ etaMin: number;
  /** @internal */ tCur: number;

  constructor(optimizer: AnyOptimizer, options: CosineAnnealingWarmRestartsOptions) {
    const owner = 'CosineAnnealingWarmRestarts';
    const o = readOptions(owner, options, ['t0', 'tMult', 'etaMin', 'lastEpoch'], true);
    const t0 = integerOption(owner, o, 't0', undefined, 'an integer ≥ 1', (x) => x >= 1);
    const tMult = integerOption(owner, o, 'tMult', 1, 'an integer ≥ 1', (x) => x >= 1);
    const etaMin = numberOption(owner, o, 'etaMin', 0, ETA_MIN_RULE, isEtaMin);
    const lastEpoch = lastEpochOption(owner, o);
    super(owner, optimizer, lastEpoch);
    this.t0 = t0;
    this.tI = t0;
    this.tMult = tMult;
    this.etaMin = etaMin;
    this.tCur = lastEpoch;
    this.initialStep();
  }

  protected getLr(out: number[]): void {
    const eta = this.etaMin;
    COS[0] = (Math.PI * this.tCur) / this.tI;
    cosScratch();
    const c = COS[0]!;
    for (let i = 0; i < this.n; i++) out[i] = eta + ((this.baseLrs[i]! - eta) * (1 + c)) / 2;
  }

  /**
   * Advances by one epoch, or jumps to `epoch` (any number ≥ 0, fractional allowed: PyTorch's
   * `scheduler.step(epoch + i / iters)` per batch).
   */
  override step(epoch?: number): void {
    const groups = this.live('step');
    if (epoch !== undefined) {
      this.checkEpoch(epoch);
      if (epoch < 0) throw rangeError(this.owner, `step: expected a non-negative epoch, got ${epoch}`);
    }
    const epochBefore = this.epoch;
    const tCurBefore = this.tCur;
    const tIBefore = this.tI;
    let e = epoch;
    if (e === undefined && this.epoch < 0) e = 0;
    if (e === undefined) {
      e = this.epoch + 1;
      this.tCur = this.tCur + 1;
      if (this.tCur >= this.tI) {
        this.tCur = this.tCur - this.tI;
        this.tI = this.tI * this.tMult;
      }
    } else if (e >= this.t0) {
      if (this.tMult === 1) {
        this.tCur = pyMod(e, this.t0);
      } else {
        const m = this.tMult;
        const n = Math.trunc(log((e / this.t0) * (m - 1) + 1) / log(m));
        this.tCur = e - (this.t0 * (intPow(m, n) - 1)) / (m - 1);
        this.tI = this.t0 * intPow(m, n);
      }
    } else {
      this.tI = this.t0;
      this.tCur = e;
    }
    this.epoch = Math.floor(e);
    try {
      this.getLr(this.values);
      this.apply(groups);
    } catch (error) {
      this.epoch = epochBefore;
      this.tCur = tCurBefore;
      this.tI = tIBefore;
      throw error;
    }
    this.updateLastLr(groups);
  }

  protected writeState(dict: SchedulerStateDict): void {
    dict['T_0'] = this.t0;
    dict['T_i'] = this.tI;
    dict['T_mult'] = this.tMult;
    dict['eta_min'] = this.etaMin;
    dict['T_cur'] = this.tCur;
  }

  protected readState(reader: StateReader): () => void {
    const t0 = reader.integer('T_0', 'an integer ≥ 1', (x) => x >= 1);
    const tI = reader.number('T_i', 'a finite number > 0', isTMax);
    const tMult = reader.integer('T_mult', 'an integer ≥ 1', (x) => x >= 1);
    const etaMin = reader.number('eta_min', ETA_MIN_RULE, isEtaMin);
    const tCur = reader.number('T_cur', 'a finite number', Number.isFinite);
    return () => {
      if (t0 !== undefined) this.t0 = t0;
      if (tI !== undefined) this.tI = tI;
      if (tMult !== undefined) this.tMult = tMult;
      if (etaMin !== undefined) this.etaMin = etaMin;
      if (tCur !== undefined) this.tCur = tCur;
    };
  }
}

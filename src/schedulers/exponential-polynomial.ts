// ExponentialLR and PolynomialLR: the lr decays by gamma each epoch, or polynomially to zero.
import { POW, powScratch } from '../math/index.js';
import { type AnyOptimizer, type LastEpochOption, LRScheduler } from './base.js';
import { integerOption, lastEpochOption, numberOption, readOptions } from './options.js';
import { pyMin } from './pymath.js';
import type { SchedulerStateDict, StateReader } from './state.js';
import { GAMMA_RULE, isGamma } from './step-lr.js';

/** Options of {@link ExponentialLR} (PyTorch's `gamma`, `last_epoch`). */
export interface ExponentialLROptions extends LastEpochOption {
  /** Multiplicative factor of the decay per epoch, > 0. Required. */
  gamma: number;
}

/**
 * Decays each param group's lr by `gamma` every epoch (PyTorch's `ExponentialLR`).
 *
 * ```text
 * chainable:    epoch 0: lr;  otherwise lr·gamma
 * closed form:  base_lr · gamma^e
 * ```
 */
export class ExponentialLR extends LRScheduler {
  /** @internal */ gamma: number;

  constructor(optimizer: AnyOptimizer, options: ExponentialLROptions) {
    const owner = 'ExponentialLR';
    const o = readOptions(owner, options, ['gamma', 'lastEpoch'], true);
    const gamma = numberOption(owner, o, 'gamma', undefined, GAMMA_RULE, isGamma);
    super(owner, optimizer, lastEpochOption(owner, o));
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(out: number[]): void {
    for (let i = 0; i < this.n; i++) out[i] = this.epoch === 0 ? this.lrs[i]! : this.lrs[i]! * this.gamma;
  }

  protected override closedFormLr(out: number[]): boolean {
    POW[0] = this.gamma;
    POW[1] = this.epoch;
    powScratch(); // POW[0] = pow(POW[0], POW[1]), boxing nothing (src/math/index.ts)
    const factor = POW[0]!;
    for (let i = 0; i < this.n; i++) out[i] = this.baseLrs[i]! * factor;
    return true;
  }

  protected writeState(dict: SchedulerStateDict): void {
    dict['gamma'] = this.gamma;
  }

  protected readState(reader: StateReader): () => void {
    const gamma = reader.number('gamma', GAMMA_RULE, isGamma);
    return () => {
      if (gamma !== undefined) this.gamma = gamma;
    };
  }
}

const isPower = (x: number): boolean => x >= 0 && Number.isFinite(x);
const POWER_RULE = 'a finite number ≥ 0';

/** Options of {@link PolynomialLR} (PyTorch's `total_iters`, `power`, `last_epoch`). */
export interface PolynomialLROptions extends LastEpochOption {
  /** Epochs to decay over, an integer ≥ 1 (PyTorch's `total_iters`). Default 5. */
  totalIters?: number;
  /** The power of the polynomial, ≥ 0. Default 1. */
  power?: number;
}

/**
 * Decays each param group's lr polynomially to zero over `totalIters` epochs (PyTorch's
 * `PolynomialLR`).
 *
 * ```text
 * chainable:    e = 0 or e > totalIters: lr;
 *               else lr·((1 − e/totalIters)/(1 − (e − 1)/totalIters))^power
 * closed form:  base_lr · (1 − min(totalIters, e)/totalIters)^power
 * ```
 */
export class PolynomialLR extends LRScheduler {
  /** @internal */ totalIters: number;
  /** @internal */ power: number;

  constructor(optimizer: AnyOptimizer, options?: PolynomialLROptions) {
    const owner = 'PolynomialLR';
    const o = readOptions(owner, options, ['totalIters', 'power', 'lastEpoch']);
    const totalIters = integerOption(owner, o, 'totalIters', 5, 'an integer ≥ 1', (x) => x >= 1);
    const power = numberOption(owner, o, 'power', 1.0, POWER_RULE, isPower);
    super(owner, optimizer, lastEpochOption(owner, o));
    this.totalIters = totalIters;
    this.power = power;
    this.initialStep();
  }

  protected getLr(out: number[]): void {
    const e = this.epoch;
    const t = this.totalIters;
    if (e === 0 || e > t) {
      for (let i = 0; i < this.n; i++) out[i] = this.lrs[i]!;
      return;
    }
    POW[0] = (1.0 - e / t) / (1.0 - (e - 1) / t);
    POW[1] = this.power;
    powScratch(); // POW[0] = pow(POW[0], POW[1]), boxing nothing (src/math/index.ts)
    const decay = POW[0]!;
    for (let i = 0; i < this.n; i++) out[i] = this.lrs[i]! * decay;
  }

  protected override closedFormLr(out: number[]): boolean {
    const t = this.totalIters;
    POW[0] = 1.0 - pyMin(t, this.epoch) / t;
    POW[1] = this.power;
    powScratch(); // POW[0] = pow(POW[0], POW[1]), boxing nothing (src/math/index.ts)
    const factor = POW[0]!;
    for (let i = 0; i < this.n; i++) out[i] = this.baseLrs[i]! * factor;
    return true;
  }

  protected writeState(dict: SchedulerStateDict): void {
    dict['total_iters'] = this.totalIters;
    dict['power'] = this.power;
  }

  protected readState(reader: StateReader): () => void {
    const totalIters = reader.integer('total_iters', 'an integer ≥ 1', (x) => x >= 1);
    const power = reader.number('power', POWER_RULE, isPower);
    return () => {
      if (totalIters !== undefined) this.totalIters = totalIters;
      if (power !== undefined) this.power = power;
    };
  }
}

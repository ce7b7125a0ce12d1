// LambdaLR and MultiplicativeLR: the lr set or multiplied by a function of the epoch.
import { describe, rangeError, typeError } from '../errors.js';
import { type AnyOptimizer, checkOptimizer, groupsOf, type LastEpochOption, LRScheduler, readLr } from './base.js';
import { lastEpochOption, readOptions } from './options.js';
import type { SchedulerStateDict, StateReader } from './state.js';

/** A function of the epoch (an integer, or whatever step(epoch) was given) returning a factor. */
export type LrLambda = (epoch: number) => number;

/** Options of {@link LambdaLR} and {@link MultiplicativeLR} (PyTorch's `lr_lambda`, `last_epoch`). */
export interface LambdaLROptions extends LastEpochOption {
  /** One function for every param group, or an array of one per group (PyTorch's `lr_lambda`). Required. */
  lrLambda: LrLambda | readonly LrLambda[];
}

function readLambdas(owner: string, options: unknown, groups: number): { lambdas: LrLambda[]; lastEpoch: number } {
  const o = readOptions(owner, options, ['lrLambda', 'lastEpoch'], true);
  const given = o['lrLambda'];
  let lambdas: LrLambda[];
  if (Array.isArray(given)) {
    if (given.length !== groups) {
      throw rangeError(
        owner,
        `option lrLambda: expected ${groups} functions (one per param group), got ${given.length}`,
      );
    }
    given.forEach((f, i) => {
      if (typeof f !== 'function')
        throw typeError(owner, `option lrLambda[${i}] must be a function, got ${describe(f)}`);
    });
    lambdas = given as LrLambda[];
  } else if (typeof given === 'function') {
    lambdas = new Array<LrLambda>(groups).fill(given as LrLambda);
  } else {
    throw typeError(
      owner,
      `option lrLambda must be a function or an array of one per param group, got ${describe(given)}`,
    );
  }
  return { lambdas, lastEpoch: lastEpochOption(owner, o) };
}

function factorOf(owner: string, f: LrLambda, epoch: number, i: number): number {
  const x = f(epoch);
  if (typeof x !== 'number') {
    throw typeError(owner, `lrLambda${i > 0 ? `[${i}]` : ''}(${epoch}) must return a number, got ${describe(x)}`);
  }
  return x;
}

/** The number of param groups of the optimizer, checked first (a TypeError naming the argument). */
function groupCount(owner: string, optimizer: unknown): number {
  return groupsOf(checkOptimizer(owner, optimizer)).length;
}

/**
 * Sets each param group's lr to its initial lr times `lrLambda(epoch)` (PyTorch's `LambdaLR`).
 * The functions are not part of the state dict (PyTorch saves only callable objects' fields).
 *
 * ```text
 * lr = base_lr · lrLambda(e)
 * ```
 */
export class LambdaLR extends LRScheduler {
  /** @internal */ readonly lambdas: LrLambda[];

  constructor(optimizer: AnyOptimizer, options: LambdaLROptions) {
    const owner = 'LambdaLR';
    const { lambdas, lastEpoch } = readLambdas(owner, options, groupCount(owner, optimizer));
    super(owner, optimizer, lastEpoch);
    this.lambdas = lambdas;
    this.initialStep();
  }

  protected getLr(out: number[]): void {
    for (let i = 0; i < this.n; i++) out[i] = this.baseLrs[i]! * factorOf(this.owner, this.lambdas[i]!, this.epoch, i);
  }

  protected writeState(_dict: SchedulerStateDict): void {}

  protected readState(_reader: StateReader): () => void {
    return () => {};
  }
}

/**
 * Multiplies each param group's lr by `lrLambda(epoch)` every epoch after the first (PyTorch's
 * `MultiplicativeLR`). The functions are not part of the state dict.
 *
 * ```text
 * e > 0: lr ← lr·lrLambda(e);  e ≤ 0: lr
 * ```
 */
export class MultiplicativeLR extends LRScheduler {
  /** @internal */ readonly lambdas: LrLambda[];

  constructor(optimizer: AnyOptimizer, options: LambdaLROptions) {
    const owner = 'MultiplicativeLR';
    const { lambdas, lastEpoch } = readLambdas(owner, options, groupCount(owner, optimizer));
    super(owner, optimizer, lastEpoch);
    this.lambdas = lambdas;
    this.initialStep();
  }

  protected getLr(out: number[]): void {
    const groups = groupsOf(this.optimizer);
    for (let i = 0; i < this.n; i++) {
      readLr(groups, i, this.lrs); // read here, after the previous group's lrLambda, as PyTorch does
      const lr = this.lrs[i]!;
      out[i] = this.epoch > 0 ? lr * factorOf(this.owner, this.lambdas[i]!, this.epoch, i) : lr;
    }
  }

  protected writeState(_dict: SchedulerStateDict): void {}

  protected readState(_reader: StateReader): () => void {
    return () => {};
  }
}

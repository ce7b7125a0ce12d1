// SequentialLR and ChainedScheduler: schedulers combined on one optimizer.
import { describe, rangeError, typeError } from '../errors.js';
import {
  type AnyOptimizer,
  checkOptimizer,
  groupsOf,
  initialLrArray,
  LRScheduler,
  readLrs,
  type Scheduler,
} from './base.js';
import { lastEpochOption, readOptions } from './options.js';
import { bisectRight } from './pymath.js';
import { encodeNumber, type SchedulerStateDict, StateReader } from './state.js';

/** Options of {@link SequentialLR} (PyTorch's `schedulers`, `milestones`, `last_epoch`). */
export interface SequentialLROptions {
  /**
   * The schedulers to run one after another, all built on this optimizer (epoch-based ones:
   * not ReduceLROnPlateau, SequentialLR or ChainedScheduler, which PyTorch cannot restart). Required.
   */
  schedulers: readonly LRScheduler[];
  /** Epochs at which the next scheduler takes over: one fewer than schedulers, integers in non-decreasing order. */
  milestones: readonly number[];
  /** PyTorch's `last_epoch`. Default −1. */
  lastEpoch?: number;
}

/** A scheduler a composite can hold and load. */
type Member = LRScheduler | SequentialLR | ChainedScheduler;

function prepareMemberLoad(member: Member, dict: unknown, where: string, owner: string): () => void {
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) {
    throw typeError(owner, `loadStateDict: ${where} must be an object, got ${describe(dict)}`);
  }
  return member.prepareLoad(new StateReader(`${owner}: ${where} (${member.constructor.name})`, dict), true);
}

function prepareMembersLoad(members: readonly Member[], reader: StateReader, owner: string): (() => void) | undefined {
  const raw = reader.raw('_schedulers');
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length !== members.length) {
    throw reader.typeError('_schedulers', `an array of ${members.length} state dicts`, raw);
  }
  const loads = members.map((m, i) => prepareMemberLoad(m, raw[i], `_schedulers[${i}]`, owner));
  return () => {
    for (const load of loads) load();
  };
}

/**
 * Runs schedulers one after another, switching at the milestones (PyTorch's `SequentialLR`).
 * The constructor resets each group's lr to its initial_lr, steps every scheduler's lastEpoch
 * back by one and redoes the first scheduler's initial step; at a milestone the next scheduler
 * is stepped with `step(0)` (its closed form, where it has one), as PyTorch 1.13 does.
 */
export class SequentialLR implements Scheduler {
  /** The optimizer whose param groups this scheduler drives. */
  readonly optimizer: AnyOptimizer;
  readonly #schedulers: readonly LRScheduler[];
  #milestones: number[];
  #lastEpoch: number;
  readonly #lastLr: number[];

  constructor(optimizer: AnyOptimizer, options: SequentialLROptions) {
    const owner = 'SequentialLR';
    const opt = checkOptimizer(owner, optimizer);
    const o = readOptions(owner, options, ['schedulers', 'milestones', 'lastEpoch'], true);
    const schedulers = o['schedulers'];
    if (!Array.isArray(schedulers) || schedulers.length === 0) {
      throw typeError(owner, `option schedulers must be a non-empty array of schedulers, got ${describe(schedulers)}`);
    }
    schedulers.forEach((s: unknown, i) => {
      if (!(s instanceof LRScheduler)) {
        throw typeError(
          owner,
          `option schedulers[${i}] must be an epoch-based scheduler (not ReduceLROnPlateau, SequentialLR or ` +
            `ChainedScheduler), got ${describe(s)}`,
        );
      }
      if (s.optimizer !== opt) {
        throw rangeError(
          owner,
          `option schedulers[${i}] belongs to another optimizer (all schedulers must drive the optimizer given)`,
        );
      }
    });
    const milestones = o['milestones'];
    if (!Array.isArray(milestones)) {
      throw typeError(owner, `option milestones must be an array of integers, got ${describe(milestones)}`);
    }
    if (milestones.length !== schedulers.length - 1) {
      throw rangeError(
        owner,
        `option milestones must have one fewer element than schedulers: got ${schedulers.length} schedulers and ` +
          `${milestones.length} milestones`,
      );
    }
    milestones.forEach((m: unknown, i) => {
      if (typeof m !== 'number' || !Number.isSafeInteger(m) || (i > 0 && m < milestones[i - 1])) {
        throw (typeof m === 'number' ? rangeError : typeError)(
          owner,
          `option milestones[${i}] must be an integer, in non-decreasing order, got ${describe(m)}`,
        );
      }
    });
    const lastEpoch = lastEpochOption(owner, o);
    const groups = groupsOf(opt);
    const initial = initialLrArray(opt);
    groups.forEach((_, i) => {
      if (initial[i] === undefined) {
        throw rangeError(owner, `param group ${i} has no initial_lr (was it added after the schedulers were built?)`);
      }
    });
    const members = schedulers as LRScheduler[];
    this.optimizer = opt;
    this.#schedulers = [...members];
    this.#milestones = [...(milestones as number[])];
    this.#lastEpoch = lastEpoch + 1;
    const oldLrs = groups.map((g) => g.lr);
    const oldStates = members.map((s) => s.stateDict());
    try {
      for (let i = 0; i < groups.length; i++) groups[i]!.lr = initial[i]!;
      for (const s of members) s._shiftEpoch(-1);
      members[0]!._initialStep();
    } catch (error) {
      members.forEach((s, i) => s.loadStateDict(oldStates[i]!));
      groups.forEach((g, i) => (g.lr = oldLrs[i]!));
      throw error;
    }
    this.#lastLr = [...members[0]!.getLastLr()];
  }

  /** Steps the scheduler of the current epoch (`step(0)` for one starting at this epoch). */
  step(): void {
    const epoch = this.#lastEpoch + 1;
    const idx = bisectRight(this.#milestones, epoch);
    const scheduler = this.#schedulers[idx]!;
    if (idx > 0 && this.#milestones[idx - 1] === epoch) scheduler.step(0);
    else scheduler.step();
    this.#lastEpoch = epoch;
    const last = scheduler.getLastLr();
    for (let i = 0; i < this.#lastLr.length; i++) this.#lastLr[i] = last[i]!;
  }

  /** The lr of each param group after the last step: a read-only array updated in place. */
  getLastLr(): readonly number[] {
    return this.#lastLr;
  }

  /** The index of the last epoch (PyTorch's `last_epoch`). */
  get lastEpoch(): number {
    return this.#lastEpoch;
  }

  /** The schedulers, in order. */
  get schedulers(): readonly LRScheduler[] {
    return this.#schedulers;
  }

  /** The state: `_milestones`, `last_epoch`, `_last_lr` and `_schedulers` (each scheduler's state dict). */
  stateDict(): SchedulerStateDict {
    return {
      _milestones: [...this.#milestones],
      last_epoch: encodeNumber(this.#lastEpoch),
      _last_lr: this.#lastLr.map(encodeNumber),
      _schedulers: this.#schedulers.map((s) => s.stateDict()),
    };
  }

  /** Restores a state (an update, as PyTorch's), its schedulers' too; validates everything first. */
  loadStateDict(dict: SchedulerStateDict): void {
    this.prepareLoad(new StateReader('SequentialLR', dict), true)();
  }

  /** @internal */
  prepareLoad(reader: StateReader, finish: boolean): () => void {
    const raw = reader.raw('_milestones');
    let milestones: number[] | undefined;
    if (raw !== undefined) {
      if (!Array.isArray(raw) || raw.length !== this.#milestones.length) {
        throw reader.typeError('_milestones', `an array of ${this.#milestones.length} integers`, raw);
      }
      milestones = reader.numbers('_milestones', raw.length, 'an integer', Number.isSafeInteger);
    }
    const lastEpoch = reader.number('last_epoch', 'a finite number', Number.isFinite);
    const lastLr = reader.numbers('_last_lr', this.#lastLr.length);
    const members = prepareMembersLoad(this.#schedulers, reader, 'SequentialLR');
    if (finish) reader.finish();
    return () => {
      if (milestones !== undefined) this.#milestones = milestones;
      if (lastEpoch !== undefined) this.#lastEpoch = lastEpoch;
      if (lastLr !== undefined) for (let i = 0; i < lastLr.length; i++) this.#lastLr[i] = lastLr[i]!;
      members?.();
    };
  }
}

/**
 * Steps several schedulers of one optimizer together, each on the lrs the previous one left
 * (PyTorch's `ChainedScheduler`). It has no initial step of its own. Each scheduler's step is
 * atomic, the chain's is not: if one throws, those before it have stepped (as in PyTorch).
 */
export class ChainedScheduler implements Scheduler {
  /** The optimizer of the schedulers. */
  readonly optimizer: AnyOptimizer;
  readonly #schedulers: readonly Member[];
  readonly #lastLr: number[];

  /**
   * @param schedulers - a non-empty array of schedulers of one optimizer (epoch-based ones,
   *   SequentialLR or ChainedScheduler; not ReduceLROnPlateau, whose step needs a metric).
   */
  constructor(schedulers: readonly (LRScheduler | SequentialLR | ChainedScheduler)[]) {
    const owner = 'ChainedScheduler';
    if (!Array.isArray(schedulers) || schedulers.length === 0) {
      throw typeError(
        owner,
        `argument schedulers must be a non-empty array of schedulers, got ${describe(schedulers)}`,
      );
    }
    schedulers.forEach((s: unknown, i) => {
      if (!(s instanceof LRScheduler || s instanceof SequentialLR || s instanceof ChainedScheduler)) {
        throw typeError(
          owner,
          `argument schedulers[${i}] must be a scheduler (not ReduceLROnPlateau), got ${describe(s)}`,
        );
      }
    });
    const members = schedulers as Member[];
    const optimizer = checkOptimizer(owner, members[0]!.optimizer, 'schedulers[0].optimizer');
    members.forEach((s, i) => {
      if (s.optimizer !== optimizer) {
        throw rangeError(
          owner,
          `argument schedulers[${i}] belongs to another optimizer than schedulers[0] (all must share one)`,
        );
      }
    });
    this.optimizer = optimizer;
    this.#schedulers = [...members];
    this.#lastLr = groupsOf(optimizer).map((g) => g.lr);
  }

  /** Steps every scheduler, in order. */
  step(): void {
    for (let i = 0; i < this.#schedulers.length; i++) this.#schedulers[i]!.step();
    const groups = groupsOf(this.optimizer);
    readLrs(groups, this.#lastLr, this.#lastLr.length);
  }

  /** The lr of each param group after the last step: a read-only array updated in place. */
  getLastLr(): readonly number[] {
    return this.#lastLr;
  }

  /** The schedulers, in order. */
  get schedulers(): readonly (LRScheduler | SequentialLR | ChainedScheduler)[] {
    return this.#schedulers;
  }

  /** The state: `_last_lr` and `_schedulers` (each scheduler's state dict). */
  stateDict(): SchedulerStateDict {
    return {
      _last_lr: this.#lastLr.map(encodeNumber),
      _schedulers: this.#schedulers.map((s) => s.stateDict()),
    };
  }

  /** Restores a state (an update, as PyTorch's), its schedulers' too; validates everything first. */
  loadStateDict(dict: SchedulerStateDict): void {
    this.prepareLoad(new StateReader('ChainedScheduler', dict), true)();
  }

  /** @internal */
  prepareLoad(reader: StateReader, finish: boolean): () => void {
    const lastLr = reader.numbers('_last_lr', this.#lastLr.length);
    const members = prepareMembersLoad(this.#schedulers, reader, 'ChainedScheduler');
    if (finish) reader.finish();
    return () => {
      if (lastLr !== undefined) for (let i = 0; i < lastLr.length; i++) this.#lastLr[i] = lastLr[i]!;
      members?.();
    };
  }
}

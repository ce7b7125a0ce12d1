// The machinery every epoch-based scheduler shares (PyTorch 1.13's _LRScheduler): attaching to
// an optimizer, `initial_lr` per param group, the constructor's initial step, step() with
// PyTorch's chainable and closed forms, atomic writes to the param groups, and the state dict.
import { describe, rangeError, typeError } from '../errors.js';
import { OPTION_VALUE, Optimizer, RAW_GROUP, type RawGroup } from '../optimizer.js';
import { encodeNumber, type SchedulerStateDict, StateReader } from './state.js';

/**
 * What a scheduler drives: any wasm-optim optimizer, whatever its algorithm, or a
 * `wasm-optim/tfjs` optimizer (recognized by its SCHEDULABLE brand: this entry cannot import
 * TF.js code), both through `paramGroups` (each group's options, assigned and checked live).
 */
export interface AnyOptimizer {
  /** The groups whose `lr` (and, for some schedulers, `momentum`) the scheduler sets. */
  readonly paramGroups: readonly object[];
  /** Whether the optimizer was disposed (a scheduler over it then throws). */
  readonly disposed: boolean;
}

/** The brand of optimizers outside this entry that schedulers drive: src/tfjs/param-group.ts. */
const SCHEDULABLE = Symbol.for('wasm-optim.schedulable');

/** Whether a group's options include `key` (PyTorch asks `key in optimizer.defaults`). */
export function groupsHave(optimizer: AnyOptimizer, key: string): boolean {
  const first = optimizer.paramGroups[0];
  return first !== undefined && key in first;
}

/** The options of a param group a scheduler reads and writes. */
export interface LiveGroup {
  lr: number;
  momentum?: number;
  betas?: readonly [number, number];
}

/**
 * PyTorch keeps `initial_lr` in each param group (set by the first scheduler built on the
 * optimizer, reused by later ones); wasm-optim's param groups hold only the algorithm's options,
 * so it lives here: one array per optimizer, indexed by param group (undefined: not set yet).
 * A WeakMap: it does not keep optimizers alive.
 */
const initialLrMap = new WeakMap<AnyOptimizer, (number | undefined)[]>();

/** @internal The live initial_lr array of an optimizer (created empty on first use). */
export function initialLrArray(optimizer: AnyOptimizer): (number | undefined)[] {
  let array = initialLrMap.get(optimizer);
  if (array === undefined) initialLrMap.set(optimizer, (array = []));
  return array;
}

/**
 * PyTorch's `param_group['initial_lr']` of each param group of `optimizer` (a copy), undefined
 * for a group no scheduler has set it for. Save it with the optimizer's state dict when you
 * checkpoint: a scheduler constructed with `lastEpoch ≠ −1` needs it (see setInitialLr).
 */
export function getInitialLr(optimizer: AnyOptimizer): (number | undefined)[] {
  const o = checkOptimizer('getInitialLr', optimizer);
  const array = initialLrMap.get(o) ?? [];
  return o.paramGroups.map((_, i) => array[i]);
}

/**
 * Sets PyTorch's `param_group['initial_lr']` of each param group of `optimizer` (one number ≥ 0
 * per group, or undefined or null to unset it, so that getInitialLr's output after a JSON round
 * trip is accepted): what PyTorch's `optimizer.load_state_dict` restores before a scheduler
 * resumes with `lastEpoch ≠ −1`.
 */
export function setInitialLr(optimizer: AnyOptimizer, lrs: readonly (number | null | undefined)[]): void {
  const owner = 'setInitialLr';
  const o = checkOptimizer(owner, optimizer);
  const n = o.paramGroups.length;
  if (!Array.isArray(lrs)) throw typeError(owner, `argument lrs must be an array, got ${describe(lrs)}`);
  if (lrs.length !== n)
    throw rangeError(owner, `argument lrs must have ${n} elements (one per group), got ${lrs.length}`);
  const copy = lrs.map((x) => (x === null ? undefined : x));
  copy.forEach((x, i) => {
    if (x !== undefined && (typeof x !== 'number' || !(x >= 0) || x === Infinity)) {
      throw (typeof x === 'number' ? rangeError : typeError)(
        owner,
        `lrs[${i}] must be a finite number ≥ 0 (or undefined), got ${describe(x)}`,
      );
    }
  });
  const array = initialLrArray(o);
  array.length = 0;
  array.push(...copy);
}

/**
 * Checks that `optimizer` is a live wasm-optim optimizer: a TypeError naming the argument
 * otherwise (PyTorch: "… is not an Optimizer").
 */
export function checkOptimizer(owner: string, optimizer: unknown, name = 'optimizer'): AnyOptimizer {
  const branded =
    typeof optimizer === 'object' && optimizer !== null && (optimizer as Record<symbol, unknown>)[SCHEDULABLE] === true;
  if (!(optimizer instanceof Optimizer) && !branded) {
    throw typeError(
      owner,
      `argument ${name} must be a wasm-optim Optimizer (or a wasm-optim/tfjs one), got ${describe(optimizer)}`,
    );
  }
  const checked = optimizer as AnyOptimizer;
  if (checked.disposed) throw typeError(owner, `argument ${name} is a disposed Optimizer`);
  return checked;
}

/** The param groups of an optimizer, as the options a scheduler drives. */
export function groupsOf(optimizer: AnyOptimizer): readonly LiveGroup[] {
  return optimizer.paramGroups as unknown as readonly LiveGroup[];
}

/**
 * `Object.is` on numbers, without its cost: V8 boxes a float64 to pass it to Object.is beside a
 * tagged value (an accessor's result), which made every step allocate.
 */
function sameNumber(a: number, b: number): boolean {
  // `x !== x`: NaN (the project allows self-compare for that).
  return a === b ? a !== 0 || 1 / a === 1 / b : a !== a && b !== b;
}

/** A wasm-optim group's allocation-free access (RAW_GROUP in optimizer.ts); undefined on others. */
function rawOf(group: LiveGroup): RawGroup | undefined {
  return (group as { [RAW_GROUP]?: RawGroup })[RAW_GROUP];
}

/**
 * @internal Copies each group's lr into `out`. No double crosses a call for wasm-optim's groups:
 * their options are read directly (a group's getter returns a boxed double, 16 bytes a read).
 */
export function readLrs(groups: readonly LiveGroup[], out: number[], n: number): void {
  for (let i = 0; i < n; i++) readLr(groups, i, out);
}

/** @internal Copies group i's lr into out[i] (see readLrs). */
export function readLr(groups: readonly LiveGroup[], i: number, out: number[]): void {
  const group = groups[i]!;
  const raw = rawOf(group);
  if (raw !== undefined) out[i] = raw.options.lr;
  else out[i] = group.lr;
}

/**
 * @internal Sets group i's lr to values[i] unless it already is (as Object.is), without boxing it
 * for wasm-optim's groups (see readLrs): the value is passed in its array, as a double argument
 * to a call V8 does not inline would be boxed.
 */
export function writeLr(groups: readonly LiveGroup[], i: number, values: readonly number[]): void {
  const group = groups[i]!;
  const value = values[i]!;
  const raw = rawOf(group);
  if (raw !== undefined) {
    if (sameNumber(raw.options.lr, value)) return;
    OPTION_VALUE[0] = value;
    raw.set('lr');
  } else if (!sameNumber(group.lr, value)) group.lr = value;
}

/** Which option of the param groups a scheduler cycles with the lr: none, SGD's momentum or Adam's beta1. */
export type MomentumKind = 'momentum' | 'beta1' | null;

/** What every scheduler offers (the epoch-based ones, the composite ones and ReduceLROnPlateau). */
export interface Scheduler {
  /** The optimizer whose param groups the scheduler drives. */
  readonly optimizer: AnyOptimizer;
  /**
   * The learning rate of each param group after the last step (PyTorch's `get_last_lr()`): a
   * read-only array the scheduler updates in place on each step; copy it to keep a value.
   */
  getLastLr(): readonly number[];
  /** The scheduler's state, PyTorch's keys (snake_case), JSON-safe (see README of schedulers). */
  stateDict(): SchedulerStateDict;
  /** Restores a state from stateDict() (or from PyTorch's, exported to JSON); validates all first. */
  loadStateDict(dict: SchedulerStateDict): void;
}

/** Options every epoch-based scheduler takes. */
export interface LastEpochOption {
  /**
   * The index of the last epoch (PyTorch's `last_epoch`): −1 (default) starts the schedule;
   * another value resumes it and needs every param group's initial_lr set (by an earlier
   * scheduler on this optimizer, or setInitialLr).
   */
  lastEpoch?: number;
}

/** How a scheduler's constructor sets initial_lr (PyTorch: setdefault to the lr, or OneCycleLR's overwrite). */
export interface InitialLrPlan {
  readonly values: readonly number[];
  readonly overwrite: boolean;
}

/**
 * The base of the epoch-based schedulers (PyTorch's `_LRScheduler`). A subclass implements
 * `getLr` (PyTorch's chainable `get_lr()`) and, where PyTorch has one, `closedFormLr`
 * (`_get_closed_form_lr`, used by `step(epoch)`).
 *
 * - The constructor performs PyTorch's initial step: the param groups' lrs change at once.
 * - `step()` advances one epoch; `step(epoch)` (deprecated in PyTorch, still supported by 1.13)
 *   jumps to `epoch`, with the closed form where PyTorch has one.
 * - Every step is atomic: if it throws (a user function throws, an option is refused by the
 *   optimizer), the scheduler and the param groups are as before.
 * - step() allocates nothing in steady state over a wasm-optim optimizer, even when the lr (and
 *   momentum) changes at every step; only a changed Adam beta1 allocates (a new betas pair).
 */
export abstract class LRScheduler implements Scheduler {
  /** The optimizer whose param groups this scheduler drives. */
  readonly optimizer: AnyOptimizer;
  /** @internal The class name, prefixing error messages. */
  protected readonly owner: string;
  /** @internal Number of param groups (fixed at construction). */
  protected readonly n: number;
  /** @internal PyTorch's `base_lrs`. */
  protected baseLrs: number[];
  /** @internal PyTorch's `last_epoch`. */
  protected epoch: number;
  /** @internal PyTorch's `_step_count`. */
  protected stepCount = 0;
  /** @internal getLr()'s output, reused. */
  protected readonly values: number[];
  /** @internal Each group's lr when step() began (read once: see readLrs), for getLr. */
  protected readonly lrs: number[];
  /** @internal Momentum (or beta1) computed by getLr when cycled; applied before the lrs. */
  protected readonly momenta: number[];
  /** @internal Which option momenta go to; null: none. */
  protected momentumKind: MomentumKind = null;
  readonly #lastLr: number[];
  readonly #oldLrs: number[];
  readonly #oldMomenta: number[];
  readonly #pairs: [number, number][];
  /** initial_lr as it was before this constructor, to undo on a failed construction. */
  #initialBefore: (number | undefined)[] | null = null;

  /**
   * @internal Checks the optimizer and lastEpoch, then sets or checks initial_lr (PyTorch's
   * `_LRScheduler.__init__` up to the initial step, which the subclass runs via initialStep()).
   */
  protected constructor(owner: string, optimizer: unknown, lastEpoch: number, plan?: InitialLrPlan) {
    this.owner = owner;
    const o = checkOptimizer(owner, optimizer);
    const groups = groupsOf(o);
    const n = groups.length;
    const initial = initialLrArray(o);
    if (lastEpoch === -1) {
      this.#initialBefore = [...initial];
      for (let i = 0; i < n; i++) {
        if (plan?.overwrite || initial[i] === undefined) initial[i] = plan ? plan.values[i]! : groups[i]!.lr;
      }
    } else {
      for (let i = 0; i < n; i++) {
        if (initial[i] === undefined) {
          throw rangeError(
            owner,
            `option lastEpoch is ${lastEpoch} (resuming), but param group ${i} has no initial_lr: construct with ` +
              'lastEpoch −1, or restore initial_lr first (setInitialLr)',
          );
        }
      }
    }
    this.optimizer = o;
    this.n = n;
    this.baseLrs = initial.slice(0, n) as number[];
    this.epoch = lastEpoch;
    this.values = new Array<number>(n).fill(0);
    this.lrs = new Array<number>(n).fill(0);
    this.momenta = new Array<number>(n).fill(0);
    this.#lastLr = new Array<number>(n).fill(0);
    this.#oldLrs = new Array<number>(n).fill(0);
    this.#oldMomenta = new Array<number>(n).fill(0);
    this.#pairs = Array.from({ length: n }, () => [0, 0]);
  }

  /**
   * @internal The constructor's last act (PyTorch's `_initial_step`): `_step_count = 0`, then
   * step(). On error undoes initial_lr and calls `undo` (the subclass's own group changes).
   */
  protected initialStep(undo?: () => void): void {
    try {
      this.stepCount = 0;
      this.step();
    } catch (error) {
      undo?.();
      this.#undoInitialLr();
      throw error;
    }
    this.#initialBefore = null;
  }

  #undoInitialLr(): void {
    if (this.#initialBefore === null) return;
    const array = initialLrArray(this.optimizer);
    array.length = 0;
    array.push(...this.#initialBefore);
  }

  /** The index of the last epoch (PyTorch's `last_epoch`). */
  get lastEpoch(): number {
    return this.epoch;
  }

  /** The base learning rates, one per param group (PyTorch's `base_lrs`); a copy. */
  get baseLr(): number[] {
    return [...this.baseLrs];
  }

  /** @internal SequentialLR's "undo" of a step: `scheduler.last_epoch -= 1`. */
  _shiftEpoch(delta: number): void {
    this.epoch += delta;
  }

  /** @internal SequentialLR's call of `_initial_step()` on its first scheduler. */
  _initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** @internal PyTorch's chainable `get_lr()`: writes one lr per group into `out`. */
  protected abstract getLr(out: number[]): void;

  /**
   * @internal PyTorch's `_get_closed_form_lr()`, used by step(epoch): writes into `out` and
   * returns true, or returns false where PyTorch has none (then getLr is used).
   */
  protected closedFormLr(_out: number[]): boolean {
    return false;
  }

  /**
   * The learning rate of each param group after the last step (PyTorch's `get_last_lr()`). The
   * same read-only array every time, updated in place by each step: copy it to keep a value.
   */
  getLastLr(): readonly number[] {
    return this.#lastLr;
  }

  /** @internal The optimizer's live groups; throws if it was disposed or its groups changed. */
  protected live(where: string): readonly LiveGroup[] {
    if (this.optimizer.disposed) throw new Error(`${this.owner}: ${where}: the optimizer was disposed`);
    const groups = groupsOf(this.optimizer);
    if (groups.length !== this.n) {
      throw new Error(
        `${this.owner}: ${where}: the optimizer has ${groups.length} param groups, the scheduler was built ` +
          `for ${this.n} (groups added after a scheduler was built are not scheduled)`,
      );
    }
    return groups;
  }

  /** @internal Checks step()'s epoch argument. */
  protected checkEpoch(epoch: unknown): number {
    if (typeof epoch !== 'number') throw typeError(this.owner, `step: epoch must be a number, got ${describe(epoch)}`);
    if (!Number.isFinite(epoch)) throw rangeError(this.owner, `step: epoch must be finite, got ${describe(epoch)}`);
    return epoch;
  }

  /**
   * Advances the schedule and sets each param group's lr (PyTorch's `step()`).
   *
   * @param epoch - deprecated in PyTorch but supported by 1.13: jump to this epoch, computing the
   *   lrs in closed form where PyTorch has one (else with the chainable form). Any finite number.
   */
  step(epoch?: number): void {
    const groups = this.live('step');
    if (epoch !== undefined) this.checkEpoch(epoch);
    const epochBefore = this.epoch;
    const countBefore = this.stepCount;
    this.stepCount++;
    try {
      readLrs(groups, this.lrs, this.n);
      if (epoch === undefined) {
        this.epoch++;
        this.getLr(this.values);
      } else {
        this.epoch = epoch;
        if (!this.closedFormLr(this.values)) this.getLr(this.values);
      }
      this.apply(groups);
    } catch (error) {
      this.epoch = epochBefore;
      this.stepCount = countBefore;
      throw error;
    }
    this.updateLastLr(groups);
  }

  /** @internal Copies the groups' lrs into getLastLr()'s array. */
  protected updateLastLr(groups: readonly LiveGroup[]): void {
    readLrs(groups, this.#lastLr, this.n);
  }

  /**
   * @internal Writes `momenta` (when cycled) then `values` into the groups; if the optimizer
   * refuses one, restores every value written and rethrows.
   */
  protected apply(groups: readonly LiveGroup[]): void {
    const n = this.n;
    const kind = this.momentumKind;
    for (let i = 0; i < n; i++) {
      const lr = this.values[i]!;
      if (!(lr >= 0) || lr === Infinity) {
        throw rangeError(
          this.owner,
          `step: the lr computed for param group ${i} is ${describe(lr)}, which the optimizer cannot take ` +
            '(PyTorch would set it; an lr must be a finite number ≥ 0)',
        );
      }
    }
    readLrs(groups, this.#oldLrs, n);
    for (let i = 0; kind !== null && i < n; i++) {
      const group = groups[i]!;
      const raw = rawOf(group);
      if (kind !== 'momentum') this.#oldMomenta[i] = group.betas![0];
      else if (raw !== undefined) this.#oldMomenta[i] = raw.options.momentum!;
      else this.#oldMomenta[i] = group.momentum!;
    }
    let i = 0;
    let phase = 0;
    try {
      if (kind !== null) {
        for (; i < n; i++) this.#setMomentum(groups[i]!, i, this.momenta);
      }
      phase = 1;
      for (i = 0; i < n; i++) writeLr(groups, i, this.values);
    } catch (error) {
      for (let k = 0; k < (phase === 1 ? i : 0); k++) groups[k]!.lr = this.#oldLrs[k]!;
      if (kind !== null) {
        for (let k = 0; k < (phase === 1 ? n : i); k++) this.#setMomentum(groups[k]!, k, this.#oldMomenta);
      }
      throw error;
    }
  }

  /** Sets group i's momentum (or beta1) to values[i] (an array: a double argument would be boxed). */
  #setMomentum(group: LiveGroup, i: number, values: readonly number[]): void {
    const value = values[i]!;
    if (this.momentumKind === 'momentum') {
      const raw = rawOf(group);
      if (raw !== undefined) {
        if (sameNumber(raw.options.momentum!, value)) return;
        OPTION_VALUE[0] = value;
        raw.set('momentum');
      } else if (!sameNumber(group.momentum!, value)) group.momentum = value;
    } else {
      // A new pair each time beta1 changes: the optimizer stores a frozen copy (16 + 32 bytes).
      const betas = group.betas!;
      if (sameNumber(betas[0], value)) return;
      const pair = this.#pairs[i]!;
      pair[0] = value;
      pair[1] = betas[1];
      group.betas = pair;
    }
  }

  /**
   * The scheduler's state (PyTorch's `state_dict()`): PyTorch's keys (`last_epoch`, `base_lrs`,
   * `_step_count`, `_last_lr`, and the class's own such as `step_size` or `T_max`), with
   * non-finite numbers as strings so that a JSON round trip loads back exactly. Arrays are copies.
   */
  stateDict(): SchedulerStateDict {
    const dict: SchedulerStateDict = {
      base_lrs: this.baseLrs.map(encodeNumber),
      last_epoch: encodeNumber(this.epoch),
      _step_count: this.stepCount,
      _last_lr: this.#lastLr.map(encodeNumber),
    };
    this.writeState(dict);
    return dict;
  }

  /**
   * Restores a state (PyTorch's `load_state_dict`, an update: keys the dict lacks keep their
   * value). Takes stateDict()'s output, its JSON round trip, or PyTorch's `state_dict()` exported
   * to JSON (functions dropped, ±inf as strings). Everything is validated first; on error
   * nothing changes. Like PyTorch, it does not touch the param groups: load the optimizer's
   * state too.
   */
  loadStateDict(dict: SchedulerStateDict): void {
    this.prepareLoad(new StateReader(this.owner, dict), true)();
  }

  /** @internal Validates a state dict and returns the function that loads it. */
  prepareLoad(reader: StateReader, finish: boolean): () => void {
    const n = this.n;
    const baseLrs = reader.numbers('base_lrs', n);
    const lastEpoch = reader.number('last_epoch', 'a finite number', Number.isFinite);
    const stepCount = reader.integer('_step_count', 'an integer ≥ 0', (x) => x >= 0);
    const lastLr = reader.numbers('_last_lr', n);
    const own = this.readState(reader);
    if (finish) reader.finish();
    return () => {
      if (baseLrs !== undefined) this.baseLrs = baseLrs;
      if (lastEpoch !== undefined) this.epoch = lastEpoch;
      if (stepCount !== undefined) this.stepCount = stepCount;
      if (lastLr !== undefined) for (let i = 0; i < n; i++) this.#lastLr[i] = lastLr[i]!;
      own();
    };
  }

  /** @internal Adds the class's own keys to a state dict. */
  protected abstract writeState(dict: SchedulerStateDict): void;

  /** @internal Validates the class's own keys; returns the function that loads them. */
  protected abstract readState(reader: StateReader): () => void;
}

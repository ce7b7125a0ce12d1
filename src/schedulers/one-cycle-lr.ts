// OneCycleLR: the 1cycle policy (Smith & Topin, "Super-Convergence", 2017).
import { rangeError, typeError } from '../errors.js';
import { COS, cosScratch } from '../math/index.js';
import {
  type AnyOptimizer,
  checkOptimizer,
  groupsHave,
  groupsOf,
  initialLrArray,
  type LastEpochOption,
  LRScheduler,
} from './base.js';
import { isRate, RATE_RULE } from './cyclic-lr.js';
import {
  booleanOption,
  choiceOption,
  integerOption,
  lastEpochOption,
  numberOption,
  perGroupOption,
  readOptions,
} from './options.js';
import type { SchedulerStateDict, StateReader } from './state.js';

/** How OneCycleLR anneals between two values. */
export type AnnealStrategy = 'cos' | 'linear';

/** Output of OneCycleLR's #valueInto. */
const VALUES = new Float64Array(2);

/** Options of {@link OneCycleLR}: PyTorch's, camelCased. */
export interface OneCycleLROptions extends LastEpochOption {
  /** Peak lr: one for all groups or one per group (PyTorch's `max_lr`). Required. */
  maxLr: number | readonly number[];
  /** Steps in the cycle, an integer ≥ 1. Required unless epochs and stepsPerEpoch are given. */
  totalSteps?: number;
  /** With stepsPerEpoch, gives totalSteps = epochs·stepsPerEpoch (integers ≥ 1). */
  epochs?: number;
  /** With epochs, gives totalSteps = epochs·stepsPerEpoch. */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr, in [0, 1]. Default 0.3. */
  pctStart?: number;
  /** `'cos'` (default) or `'linear'` annealing. */
  annealStrategy?: AnnealStrategy;
  /**
   * Cycle momentum inversely to the lr: the optimizer's `momentum`, or beta1 of `betas` for the
   * Adam family. Default true.
   */
  cycleMomentum?: boolean;
  /** Momentum at the lr's peak, one or one per group. Default 0.85. */
  baseMomentum?: number | readonly number[];
  /** Momentum at the start and end, one or one per group. Default 0.95. */
  maxMomentum?: number | readonly number[];
  /** initial lr = maxLr/divFactor, > 0. Default 25. */
  divFactor?: number;
  /** min lr = initial lr/finalDivFactor, > 0. Default 1e4. */
  finalDivFactor?: number;
  /** Three phases (up, down to the initial lr, then down to the min lr) as in the paper. Default false. */
  threePhase?: boolean;
}

/** The per-group values PyTorch keeps in param groups (our groups hold only the algorithm's options). */
type GroupKey = 'initial_lr' | 'max_lr' | 'min_lr' | 'max_momentum' | 'base_momentum';
const GROUP_KEYS: readonly GroupKey[] = ['initial_lr', 'max_lr', 'min_lr', 'max_momentum', 'base_momentum'];

/** One phase of the schedule, as PyTorch's `_schedule_phases` entries. */
interface Phase {
  end_step: number;
  start_lr: GroupKey;
  end_lr: GroupKey;
  start_momentum: GroupKey;
  end_momentum: GroupKey;
}

const KEYS = [
  'maxLr',
  'totalSteps',
  'epochs',
  'stepsPerEpoch',
  'pctStart',
  'annealStrategy',
  'cycleMomentum',
  'baseMomentum',
  'maxMomentum',
  'divFactor',
  'finalDivFactor',
  'threePhase',
  'lastEpoch',
];
const positive = (x: number): boolean => x > 0 && Number.isFinite(x);
const POSITIVE_RULE = 'a finite number > 0';

/**
 * The 1cycle policy (PyTorch's `OneCycleLR`): each param group's lr rises from maxLr/divFactor
 * to maxLr over pctStart of totalSteps, then falls to the initial lr/finalDivFactor; momentum
 * (or Adam's beta1) moves inversely between maxMomentum and baseMomentum. Step it after every
 * batch; stepping past totalSteps throws.
 *
 * ```text
 * phase k from step a to b: pct = (e − a)/(b − a)
 * cos:    v = end + (start − end)/2·(cos(π·pct) + 1)
 * linear: v = (end − start)·pct + start
 * ```
 * PyTorch keeps `initial_lr`, `max_lr`, `min_lr`, `max_momentum` and `base_momentum` in the
 * param groups; here initial_lr is the optimizer's (getInitialLr) and the others are the
 * scheduler's, saved in its state dict under those names (arrays, one per group).
 */
export class OneCycleLR extends LRScheduler {
  /** @internal */ totalSteps: number;
  /** @internal */ phases: Phase[];
  /** @internal */ annealStrategy: AnnealStrategy;
  /** @internal */ cycleMomentum: boolean;
  /** @internal */ useBeta1: boolean;
  /** @internal */ groupValues: Record<Exclude<GroupKey, 'initial_lr'>, number[]>;

  constructor(optimizer: AnyOptimizer, options: OneCycleLROptions) {
    const owner = 'OneCycleLR';
    const opt = checkOptimizer(owner, optimizer);
    const groups = groupsOf(opt);
    const n = groups.length;
    const o = readOptions(owner, options, KEYS, true);
    const intRule = 'an integer ≥ 1';
    const isCount = (x: number): boolean => x >= 1;
    let totalSteps: number;
    if (o['totalSteps'] !== undefined) {
      totalSteps = integerOption(owner, o, 'totalSteps', undefined, intRule, isCount);
    } else if (o['epochs'] === undefined && o['stepsPerEpoch'] === undefined) {
      throw typeError(owner, 'option totalSteps is required (an integer ≥ 1), or options epochs and stepsPerEpoch');
    } else {
      const epochs = integerOption(owner, o, 'epochs', undefined, intRule, isCount);
      const stepsPerEpoch = integerOption(owner, o, 'stepsPerEpoch', undefined, intRule, isCount);
      totalSteps = epochs * stepsPerEpoch;
    }
    const pctStart = numberOption(owner, o, 'pctStart', 0.3, 'a number in [0, 1]', (x) => x >= 0 && x <= 1);
    const threePhase = booleanOption(owner, o, 'threePhase', false);
    const annealStrategy = choiceOption<AnnealStrategy>(owner, o, 'annealStrategy', ['cos', 'linear'], 'cos');
    const maxLrs = perGroupOption(owner, o, 'maxLr', undefined, n, RATE_RULE, isRate);
    const divFactor = numberOption(owner, o, 'divFactor', 25, POSITIVE_RULE, positive);
    const finalDivFactor = numberOption(owner, o, 'finalDivFactor', 1e4, POSITIVE_RULE, positive);
    const cycleMomentum = booleanOption(owner, o, 'cycleMomentum', true);
    const lastEpoch = lastEpochOption(owner, o);
    let useBeta1 = false;
    let maxMomentums: number[] = [];
    let baseMomentums: number[] = [];
    if (cycleMomentum) {
      if (!groupsHave(opt, 'momentum') && !groupsHave(opt, 'betas')) {
        throw rangeError(
          owner,
          'optimizer must support momentum with `cycle_momentum` option enabled (option cycleMomentum: ' +
            `${opt.constructor.name} has neither momentum nor betas; pass cycleMomentum: false)`,
        );
      }
      useBeta1 = groupsHave(opt, 'betas');
      const [rule, ok] = useBeta1
        ? ['a number in [0, 1) (beta1)', (x: number) => x >= 0 && x < 1]
        : [RATE_RULE, isRate];
      maxMomentums = perGroupOption(owner, o, 'maxMomentum', 0.95, n, rule as string, ok as (x: number) => boolean);
      baseMomentums = perGroupOption(owner, o, 'baseMomentum', 0.85, n, rule as string, ok as (x: number) => boolean);
    }
    const initialLrs = maxLrs.map((m) => m / divFactor);
    super(owner, opt, lastEpoch, { values: initialLrs, overwrite: true });
    const initial = initialLrArray(opt);
    this.totalSteps = totalSteps;
    this.phases = threePhase
      ? [
          phase(pctStart * totalSteps - 1, 'initial_lr', 'max_lr', 'max_momentum', 'base_momentum'),
          phase(2 * pctStart * totalSteps - 2, 'max_lr', 'initial_lr', 'base_momentum', 'max_momentum'),
          phase(totalSteps - 1, 'initial_lr', 'min_lr', 'max_momentum', 'max_momentum'),
        ]
      : [
          phase(pctStart * totalSteps - 1, 'initial_lr', 'max_lr', 'max_momentum', 'base_momentum'),
          phase(totalSteps - 1, 'max_lr', 'min_lr', 'base_momentum', 'max_momentum'),
        ];
    this.annealStrategy = annealStrategy;
    this.groupValues = {
      max_lr: maxLrs,
      min_lr: initial.slice(0, n).map((lr) => lr! / finalDivFactor),
      max_momentum: maxMomentums,
      base_momentum: baseMomentums,
    };
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    const oldMomenta = groups.map((g) => (useBeta1 ? g.betas![0] : g.momentum!));
    const setMomenta = (values: readonly number[]): void => {
      groups.forEach((g, i) => {
        if (useBeta1) g.betas = [values[i]!, g.betas![1]];
        else g.momentum = values[i]!;
      });
    };
    if (cycleMomentum && lastEpoch === -1) setMomenta(maxMomentums);
    this.momentumKind = cycleMomentum ? (useBeta1 ? 'beta1' : 'momentum') : null;
    this.initialStep(() => {
      if (cycleMomentum && lastEpoch === -1) setMomenta(oldMomenta);
    });
  }

  /**
   * @internal valueOf's output slot `slot` of VALUES: the per-group value by PyTorch's group key,
   * through a Float64Array rather than a return value (a call V8 does not inline boxes a double).
   */
  #valueInto(slot: number, key: GroupKey, i: number, initial: readonly (number | undefined)[]): void {
    if (key === 'initial_lr') VALUES[slot] = initial[i]!;
    else VALUES[slot] = this.groupValues[key][i]!;
  }

  /** @internal A per-group value by PyTorch's group key. */
  protected value(key: GroupKey, i: number, initial: readonly (number | undefined)[]): number {
    return key === 'initial_lr' ? initial[i]! : this.groupValues[key][i]!;
  }

  /** @internal */
  protected anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'cos') {
      COS[0] = Math.PI * pct;
      cosScratch(); // COS[0] = cos(COS[0]), boxing nothing (src/math/index.ts)
      const cosOut = COS[0]! + 1;
      return end + ((start - end) / 2.0) * cosOut;
    }
    return (end - start) * pct + start;
  }

  protected getLr(out: number[]): void {
    const stepNum = this.epoch;
    if (stepNum > this.totalSteps) {
      throw rangeError(
        this.owner,
        `step: tried to step ${stepNum + 1} times; the specified number of total steps is ${this.totalSteps}`,
      );
    }
    const initial = initialLrArray(this.optimizer);
    const phases = this.phases;
    for (let i = 0; i < this.n; i++) {
      let startStep = 0;
      for (let k = 0; k < phases.length; k++) {
        const p = phases[k]!;
        const endStep = p.end_step;
        if (stepNum <= endStep || k === phases.length - 1) {
          if (endStep - startStep === 0) {
            throw rangeError(this.owner, `step: phase ${k} has zero length (PyTorch: float division by zero)`);
          }
          const pct = (stepNum - startStep) / (endStep - startStep);
          // anneal(start, end, pct) written out, with no double crossing a call (see #valueInto).
          const cosine = this.annealStrategy === 'cos';
          let cosOut = 0;
          if (cosine) {
            COS[0] = Math.PI * pct;
            cosScratch(); // COS[0] = cos(COS[0]), boxing nothing (src/math/index.ts)
            cosOut = COS[0]! + 1;
          }
          this.#valueInto(0, p.start_lr, i, initial);
          this.#valueInto(1, p.end_lr, i, initial);
          let start = VALUES[0]!;
          let end = VALUES[1]!;
          if (cosine) out[i] = end + ((start - end) / 2.0) * cosOut;
          else out[i] = (end - start) * pct + start;
          if (this.cycleMomentum) {
            this.#valueInto(0, p.start_momentum, i, initial);
            this.#valueInto(1, p.end_momentum, i, initial);
            start = VALUES[0]!;
            end = VALUES[1]!;
            if (cosine) this.momenta[i] = end + ((start - end) / 2.0) * cosOut;
            else this.momenta[i] = (end - start) * pct + start;
          }
          break;
        }
        startStep = p.end_step;
      }
    }
  }

  protected writeState(dict: SchedulerStateDict): void {
    dict['total_steps'] = this.totalSteps;
    dict['_schedule_phases'] = this.phases.map((p) => ({ ...p }));
    dict['cycle_momentum'] = this.cycleMomentum;
    if (this.cycleMomentum) dict['use_beta1'] = this.useBeta1;
    for (const key of GROUP_KEYS) if (key !== 'initial_lr') dict[key] = [...this.groupValues[key]];
  }

  protected readState(reader: StateReader): () => void {
    const n = this.n;
    const totalSteps = reader.integer('total_steps', 'an integer ≥ 1', (x) => x >= 1);
    const rawPhases = reader.raw('_schedule_phases');
    let phases: Phase[] | undefined;
    if (rawPhases !== undefined) {
      if (!Array.isArray(rawPhases) || rawPhases.length < 1) {
        throw reader.typeError('_schedule_phases', 'a non-empty array of phases', rawPhases);
      }
      phases = rawPhases.map((p: unknown, k) => {
        const where = `_schedule_phases[${k}]`;
        if (p === null || typeof p !== 'object') throw reader.typeError(where, 'an object', p);
        const r = p as Record<string, unknown>;
        const endStep = r['end_step'];
        if (typeof endStep !== 'number' || !Number.isFinite(endStep)) {
          throw reader.typeError(`${where}.end_step`, 'a finite number', endStep);
        }
        const key = (name: string): GroupKey => {
          const v = r[name];
          if (typeof v !== 'string' || !(GROUP_KEYS as readonly string[]).includes(v)) {
            throw reader.rangeError(`${where}.${name}`, `one of ${GROUP_KEYS.join(', ')}`, v);
          }
          return v as GroupKey;
        };
        return phase(endStep, key('start_lr'), key('end_lr'), key('start_momentum'), key('end_momentum'));
      });
    }
    const cycleMomentum = reader.boolean('cycle_momentum');
    if (cycleMomentum === true && !this.cycleMomentum) {
      throw reader.rangeError('cycle_momentum', 'false (this scheduler was built without cycleMomentum)', true);
    }
    const useBeta1 = reader.boolean('use_beta1');
    if (useBeta1 !== undefined && this.cycleMomentum && useBeta1 !== this.useBeta1) {
      throw reader.rangeError('use_beta1', `${this.useBeta1} (the optimizer's kind)`, useBeta1);
    }
    const values: Partial<Record<GroupKey, number[]>> = {};
    for (const key of GROUP_KEYS) {
      if (key === 'initial_lr') continue;
      const length = key.endsWith('momentum') && !this.cycleMomentum ? 0 : n;
      const raw = reader.raw(key);
      if (raw !== undefined && !(Array.isArray(raw) && raw.length === 0 && length === 0)) {
        values[key] = reader.numbers(key, n, RATE_RULE, isRate);
      }
    }
    return () => {
      if (totalSteps !== undefined) this.totalSteps = totalSteps;
      if (phases !== undefined) this.phases = phases;
      if (cycleMomentum !== undefined) {
        this.cycleMomentum = cycleMomentum;
        this.momentumKind = cycleMomentum ? (this.useBeta1 ? 'beta1' : 'momentum') : null;
      }
      for (const key of GROUP_KEYS) {
        const v = values[key];
        if (v !== undefined && key !== 'initial_lr') this.groupValues[key] = v;
      }
    };
  }
}

function phase(
  endStep: number,
  startLr: GroupKey,
  endLr: GroupKey,
  startMomentum: GroupKey,
  endMomentum: GroupKey,
): Phase {
  return {
    end_step: endStep,
    start_lr: startLr,
    end_lr: endLr,
    start_momentum: startMomentum,
    end_momentum: endMomentum,
  };
}

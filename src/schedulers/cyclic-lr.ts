// CyclicLR: the lr cycles between two boundaries (Smith, "Cyclical Learning Rates", 2017).
import { describe, rangeError, typeError } from '../errors.js';
import { POW, pow, powScratch } from '../math/index.js';
import { type AnyOptimizer, checkOptimizer, groupsHave, groupsOf, type LastEpochOption, LRScheduler } from './base.js';
import {
  booleanOption,
  choiceOption,
  functionOption,
  lastEpochOption,
  numberOption,
  perGroupOption,
  readOptions,
} from './options.js';
import type { SchedulerStateDict, StateReader } from './state.js';

/** CyclicLR's built-in policies. */
export type CyclicMode = 'triangular' | 'triangular2' | 'exp_range';
/** What a custom scale function is evaluated on: the cycle number or the iteration. */
export type ScaleMode = 'cycle' | 'iterations';

const MODES: readonly CyclicMode[] = ['triangular', 'triangular2', 'exp_range'];
const SCALE_MODES: readonly ScaleMode[] = ['cycle', 'iterations'];
export const isRate = (x: number): boolean => x >= 0 && Number.isFinite(x);
export const RATE_RULE = 'a finite number ≥ 0';

/** Options of {@link CyclicLR}: PyTorch's, camelCased. */
export interface CyclicLROptions extends LastEpochOption {
  /** Lower lr boundary: one for all groups or one per group (PyTorch's `base_lr`). Required. */
  baseLr: number | readonly number[];
  /** Upper lr boundary: one for all groups or one per group (PyTorch's `max_lr`). Required. */
  maxLr: number | readonly number[];
  /** Iterations in the increasing half of a cycle, > 0. Default 2000. */
  stepSizeUp?: number;
  /** Iterations in the decreasing half, ≥ 0. Default: stepSizeUp. */
  stepSizeDown?: number;
  /** `'triangular'` (default), `'triangular2'` (amplitude halved each cycle) or `'exp_range'` (gamma^iteration). */
  mode?: CyclicMode;
  /** The constant of `'exp_range'`: scale = gamma^iteration. Default 1. */
  gamma?: number;
  /** A custom scale policy x ↦ [0, 1]; when given, `mode` is ignored (PyTorch's `scale_fn`). */
  scaleFn?: (x: number) => number;
  /** What scaleFn is evaluated on: `'cycle'` (default) or `'iterations'`. Only with scaleFn. */
  scaleMode?: ScaleMode;
  /** Cycle the optimizer's `momentum` inversely to the lr. Default true (needs an optimizer with momentum). */
  cycleMomentum?: boolean;
  /** Lower momentum boundary, one or one per group. Default 0.8. */
  baseMomentum?: number | readonly number[];
  /** Upper momentum boundary, one or one per group. Default 0.9. */
  maxMomentum?: number | readonly number[];
}

const KEYS = [
  'baseLr',
  'maxLr',
  'stepSizeUp',
  'stepSizeDown',
  'mode',
  'gamma',
  'scaleFn',
  'scaleMode',
  'cycleMomentum',
  'baseMomentum',
  'maxMomentum',
  'lastEpoch',
];

/**
 * Cycles each param group's lr between `baseLr` and `maxLr` (PyTorch's `CyclicLR`), and its
 * momentum inversely between `maxMomentum` and `baseMomentum`. Step it after every batch.
 *
 * ```text
 * cycle = ⌊1 + e/(up + down)⌋,  x = 1 + e/(up + down) − cycle
 * s = x ≤ r ? x/r : (x − 1)/(r − 1)            (r = up/(up + down))
 * lr = base + (max − base)·s·scale,  momentum = maxM − (maxM − baseM)·s·scale
 * scale: triangular 1; triangular2 1/2^(cycle − 1); exp_range gamma^e; or scaleFn(cycle or e)
 * ```
 * The constructor sets each group's lr to baseLr and momentum to baseMomentum (lastEpoch −1),
 * as PyTorch's does. A custom scaleFn is not part of the state dict.
 */
export class CyclicLR extends LRScheduler {
  /** @internal */ maxLrs: number[];
  /** @internal */ totalSize: number;
  /** @internal */ stepRatio: number;
  /** @internal */ mode: string;
  /** @internal */ gamma: number;
  /** @internal */ scaleMode: ScaleMode;
  /** @internal */ readonly scaleFnCustom: ((x: number) => number) | undefined;
  /** @internal */ cycleMomentum: boolean;
  /** @internal */ baseMomentums: number[];
  /** @internal */ maxMomentums: number[];

  constructor(optimizer: AnyOptimizer, options: CyclicLROptions) {
    const owner = 'CyclicLR';
    const opt = checkOptimizer(owner, optimizer);
    const groups = groupsOf(opt);
    const n = groups.length;
    const o = readOptions(owner, options, KEYS, true);
    const baseLrs = perGroupOption(owner, o, 'baseLr', undefined, n, RATE_RULE, isRate);
    const maxLrs = perGroupOption(owner, o, 'maxLr', undefined, n, RATE_RULE, isRate);
    const up = numberOption(owner, o, 'stepSizeUp', 2000, 'a finite number > 0', (x) => x > 0 && Number.isFinite(x));
    const down = numberOption(owner, o, 'stepSizeDown', up, RATE_RULE, isRate);
    const scaleFn = functionOption<(x: number) => number>(owner, o, 'scaleFn', undefined);
    let mode: string;
    let scaleMode: ScaleMode;
    if (scaleFn === undefined) {
      mode = choiceOption(owner, o, 'mode', MODES, 'triangular');
      scaleMode = mode === 'exp_range' ? 'iterations' : 'cycle';
    } else {
      const given = o['mode'];
      if (given !== undefined && typeof given !== 'string') {
        throw typeError(owner, `option mode must be a string, got ${describe(given)}`);
      }
      mode = given ?? 'triangular';
      scaleMode = choiceOption(owner, o, 'scaleMode', SCALE_MODES, 'cycle');
    }
    const gamma = numberOption(owner, o, 'gamma', 1.0, 'a finite number > 0', (x) => x > 0 && Number.isFinite(x));
    const cycleMomentum = booleanOption(owner, o, 'cycleMomentum', true);
    const lastEpoch = lastEpochOption(owner, o);
    let baseMomentumOption: number[] = [];
    let maxMomentums: number[] = [];
    if (cycleMomentum) {
      if (!groupsHave(opt, 'momentum')) {
        throw rangeError(
          owner,
          'optimizer must support momentum with `cycle_momentum` option enabled (option cycleMomentum: ' +
            `${opt.constructor.name} has no momentum; pass cycleMomentum: false)`,
        );
      }
      baseMomentumOption = perGroupOption(owner, o, 'baseMomentum', 0.8, n, RATE_RULE, isRate);
      maxMomentums = perGroupOption(owner, o, 'maxMomentum', 0.9, n, RATE_RULE, isRate);
    }
    super(owner, opt, lastEpoch, lastEpoch === -1 ? { values: baseLrs, overwrite: false } : undefined);
    // PyTorch sets lr (and momentum) before its base constructor; setting lr after the initial_lr
    // setdefault, with baseLr as its value, leaves the same state.
    const oldLrs = groups.map((g) => g.lr);
    const oldMomenta = groups.map((g) => g.momentum);
    const undo = (): void => {
      groups.forEach((g, i) => {
        g.lr = oldLrs[i]!;
        if (cycleMomentum) g.momentum = oldMomenta[i]!;
      });
    };
    try {
      if (lastEpoch === -1) groups.forEach((g, i) => (g.lr = baseLrs[i]!));
      if (cycleMomentum && lastEpoch === -1) groups.forEach((g, i) => (g.momentum = baseMomentumOption[i]!));
    } catch (error) {
      undo();
      throw error;
    }
    this.maxLrs = maxLrs;
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.mode = mode;
    this.gamma = gamma;
    this.scaleFnCustom = scaleFn;
    this.scaleMode = scaleMode;
    this.cycleMomentum = cycleMomentum;
    this.baseMomentums = cycleMomentum ? groups.map((g) => g.momentum!) : [];
    this.maxMomentums = maxMomentums;
    this.momentumKind = cycleMomentum ? 'momentum' : null;
    this.initialStep(undo);
    this.baseLrs = baseLrs;
  }

  /** @internal PyTorch's `scale_fn`. */
  protected scale(x: number): number {
    const custom = this.scaleFnCustom;
    if (custom !== undefined) {
      const s = custom(x);
      if (typeof s !== 'number') throw typeError(this.owner, `scaleFn(${x}) must return a number, got ${describe(s)}`);
      return s;
    }
    if (this.mode === 'triangular') return 1;
    if (this.mode === 'triangular2') return 1 / pow(2, x - 1);
    return pow(this.gamma, x);
  }

  protected getLr(out: number[]): void {
    const e = this.epoch;
    const cycle = Math.floor(1 + e / this.totalSize);
    const x = 1 + e / this.totalSize - cycle;
    const r = this.stepRatio;
    const scaleFactor = x <= r ? x / r : (x - 1) / (r - 1);
    const at = this.scaleMode === 'cycle' ? cycle : e;
    if (this.scaleFnCustom !== undefined) {
      // scale() calls the user's function once per use, as PyTorch does.
      for (let i = 0; i < this.n; i++) {
        const baseHeight = (this.maxLrs[i]! - this.baseLrs[i]!) * scaleFactor;
        out[i] = this.baseLrs[i]! + baseHeight * this.scale(at);
      }
      if (this.cycleMomentum) {
        for (let i = 0; i < this.n; i++) {
          const baseHeight = (this.maxMomentums[i]! - this.baseMomentums[i]!) * scaleFactor;
          this.momenta[i] = this.maxMomentums[i]! - baseHeight * this.scale(at);
        }
      }
      return;
    }
    // The built-in modes: scale(at) computed once, here, as no double crosses a call (a call V8
    // does not inline boxes its double arguments and result); the same value as scale(at).
    let scale = 1;
    if (this.mode === 'triangular2') {
      POW[0] = 2;
      POW[1] = at - 1;
      powScratch(); // POW[0] = pow(POW[0], POW[1]), boxing nothing (src/math/index.ts)
      scale = 1 / POW[0]!;
    } else if (this.mode !== 'triangular') {
      POW[0] = this.gamma;
      POW[1] = at;
      powScratch();
      scale = POW[0]!;
    }
    for (let i = 0; i < this.n; i++) {
      const baseHeight = (this.maxLrs[i]! - this.baseLrs[i]!) * scaleFactor;
      out[i] = this.baseLrs[i]! + baseHeight * scale;
    }
    if (this.cycleMomentum) {
      for (let i = 0; i < this.n; i++) {
        const baseHeight = (this.maxMomentums[i]! - this.baseMomentums[i]!) * scaleFactor;
        this.momenta[i] = this.maxMomentums[i]! - baseHeight * scale;
      }
    }
  }

  protected writeState(dict: SchedulerStateDict): void {
    dict['max_lrs'] = [...this.maxLrs];
    dict['total_size'] = this.totalSize;
    dict['step_ratio'] = this.stepRatio;
    dict['mode'] = this.mode;
    dict['gamma'] = this.gamma;
    dict['scale_mode'] = this.scaleMode;
    dict['cycle_momentum'] = this.cycleMomentum;
    if (this.cycleMomentum) {
      dict['base_momentums'] = [...this.baseMomentums];
      dict['max_momentums'] = [...this.maxMomentums];
    }
  }

  protected readState(reader: StateReader): () => void {
    const n = this.n;
    const maxLrs = reader.numbers('max_lrs', n, RATE_RULE, isRate);
    const totalSize = reader.number('total_size', 'a finite number > 0', (x) => x > 0 && Number.isFinite(x));
    const stepRatio = reader.number('step_ratio', 'a number in (0, 1]', (x) => x > 0 && x <= 1);
    const mode = this.scaleFnCustom === undefined ? reader.choice('mode', MODES) : reader.raw('mode');
    if (mode !== undefined && typeof mode !== 'string') throw reader.typeError('mode', 'a string', mode);
    const gamma = reader.number('gamma', 'a finite number > 0', (x) => x > 0 && Number.isFinite(x));
    const scaleMode = reader.choice('scale_mode', SCALE_MODES);
    const cycleMomentum = reader.boolean('cycle_momentum');
    if (cycleMomentum === true && !this.cycleMomentum) {
      throw reader.rangeError('cycle_momentum', 'false (this scheduler was built without cycleMomentum)', true);
    }
    const baseMomentums = reader.numbers('base_momentums', n, RATE_RULE, isRate);
    const maxMomentums = reader.numbers('max_momentums', n, RATE_RULE, isRate);
    return () => {
      if (maxLrs !== undefined) this.maxLrs = maxLrs;
      if (totalSize !== undefined) this.totalSize = totalSize;
      if (stepRatio !== undefined) this.stepRatio = stepRatio;
      if (mode !== undefined) this.mode = mode;
      if (gamma !== undefined) this.gamma = gamma;
      if (scaleMode !== undefined) this.scaleMode = scaleMode;
      if (cycleMomentum !== undefined) {
        this.cycleMomentum = cycleMomentum;
        this.momentumKind = cycleMomentum ? 'momentum' : null;
      }
      if (baseMomentums !== undefined) this.baseMomentums = baseMomentums;
      if (maxMomentums !== undefined) this.maxMomentums = maxMomentums;
    };
  }
}

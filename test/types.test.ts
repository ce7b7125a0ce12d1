// The public types as a user writes them. Checked by `tsc -p tsconfig.json` (part of `npm test`):
// each `@ts-expect-error` line must be an error, so loosening a type fails the check as surely as
// tightening one. The runtime test only proves the typed objects are what the constructors take.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  Adadelta,
  type AdadeltaOptions,
  Adagrad,
  type AdagradOptions,
  Adam,
  type AdamOptions,
  Adamax,
  type AdamaxOptions,
  AdamW,
  type ClipGradNormOptions,
  type DecodedStateDict,
  type GradSelection,
  Momentum,
  NAdam,
  type NAdamOptions,
  type Optimizer,
  type OptimizerOptions,
  type ParamGroup,
  type ParamGroupInit,
  type ParamHandle,
  RAdam,
  type RAdamOptions,
  RMSprop,
  type RMSpropOptions,
  SGD,
  type SGDOptions,
  SparseAdam,
  type SparseAdamOptions,
  type StateDict,
  StepLR,
  type StepLROptions,
} from '../src/index.js';

// Every options type takes a partial object literal: each option has a default.
const adam: AdamOptions = { lr: 1 };
const adamW: AdamOptions = { weightDecay: 0.1, betas: [0.8, 0.9] };
const adagrad: AdagradOptions = { lr: 0.1 };
const rmsprop: RMSpropOptions = { alpha: 0.9 };
const sgd: SGDOptions = { momentum: 0.9, nesterov: true };
const adadelta: AdadeltaOptions = { rho: 0.9 };
const adamax: AdamaxOptions = {};
const nadam: NAdamOptions = { momentumDecay: 4e-3 };
const radam: RAdamOptions = { lr: 1e-3 };
const sparseAdam: SparseAdamOptions = { eps: 1e-8 };

// …but not a wrong one.
// @ts-expect-error lr is a number
const badLr: AdamOptions = { lr: '1' };
// @ts-expect-error betas is a pair
const badBetas: AdamOptions = { betas: [0.9] };
// @ts-expect-error an unknown option (a typo of weightDecay)
const typo: AdamOptions = { weight_decay: 0 };
// @ts-expect-error SGD has no betas
const wrongAlgorithm: SGDOptions = { betas: [0.9, 0.999] };
// @ts-expect-error stepSize has no default: StepLR requires it
const noStepSize: StepLROptions = { gamma: 0.5 };

// Constructor options: the algorithm's options plus flavor, backend and skipNonFinite.
const withFlavor: OptimizerOptions<AdamOptions> = { ...adam, flavor: 'tfjs', backend: 'js' };
// @ts-expect-error no such flavor
const badFlavor: OptimizerOptions<AdamOptions> = { flavor: 'jax' };
const group: ParamGroupInit<AdamOptions> = { params: [new Float32Array(2)], lr: 0.1 };

// What an optimizer shows is resolved: every option of a live group is there. (Types only: this
// function is never called.)
function liveTypes(live: Adam, decoded: DecodedStateDict): unknown[] {
  expectTypeOf(live.paramGroups[0]!.lr).toEqualTypeOf<number>();
  expectTypeOf(live.paramGroups[0]!.betas).toEqualTypeOf<readonly [number, number]>();
  expectTypeOf(live.stateDict().param_groups[0]!.amsgrad).toEqualTypeOf<boolean>();
  // @ts-expect-error a live group's lr is a number, not a string
  live.paramGroups[0]!.lr = '0.1';

  // The generic exported types have defaults, so they can be named bare.
  const anyDict: StateDict = live.stateDict();
  const anyGroup: ParamGroup = live.paramGroups[0]!;
  const anyOptimizer: Optimizer = live;
  const clip: ClipGradNormOptions = { normType: 2, params: live.params };
  const selection: GradSelection = { params: [live.params[0]!] };
  expectTypeOf(clip.params).toEqualTypeOf<readonly ParamHandle[] | undefined>();
  // @ts-expect-error params are the optimizer's handles, not arrays
  const badSelection: GradSelection = { params: [new Float32Array(1)] };
  return [anyDict, anyGroup, anyOptimizer, decoded, selection, badSelection];
}

describe('the public types', () => {
  it('typed options objects are what the constructors take', () => {
    const p = () => [new Float32Array([1, 2])];
    const opts = [
      new Adam(p(), adam),
      new AdamW(p(), adamW),
      new Adagrad(p(), adagrad),
      new RMSprop(p(), rmsprop),
      new SGD(p(), sgd),
      new Momentum(p(), sgd),
      new Adadelta(p(), adadelta),
      new Adamax(p(), adamax),
      new NAdam(p(), nadam),
      new RAdam(p(), radam),
      new SparseAdam(p(), sparseAdam),
      new Adam(p(), withFlavor),
      new Adam([group]),
    ];
    expect(opts[0]!.paramGroups[0]!.lr).toBe(1);
    expect(opts[11]!.flavor).toBe('tfjs');
    const schedule = new StepLR(opts[0]!, { stepSize: 2 });
    expect(schedule.getLastLr()).toEqual([1]);
    for (const o of opts) o.dispose();
    expect(typeof liveTypes).toBe('function');
    expect([badLr, badBetas, typo, wrongAlgorithm, noStepSize, badFlavor]).toHaveLength(6);
  });
});

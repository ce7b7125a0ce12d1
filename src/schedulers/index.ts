/**
 * Learning-rate schedulers: PyTorch 1.13's `torch.optim.lr_scheduler`, same names and semantics,
 * options camelCased, reproducing PyTorch's float64 lr sequences exactly (its recursive
 * "chainable" forms for step(), its closed forms for step(epoch); cos, pow and log as glibc's, from
 * src/math). They drive any wasm-optim optimizer's param groups (`lr`, and `momentum` or
 * `betas[0]` for CyclicLR/OneCycleLR).
 *
 * Conventions (where PyTorch leaves a choice, or wasm-optim differs):
 * - Constructors take `(optimizer, options)`; ChainedScheduler takes `(schedulers)`. The
 *   constructor performs PyTorch's initial step, so the groups' lrs change at once. `verbose`
 *   is not supported.
 * - `initial_lr`: PyTorch keeps it in each param group; wasm-optim's groups hold only the
 *   algorithm's options, so it is kept per optimizer in a module-level
 *   `WeakMap<Optimizer, number[]>` (read and restore it with getInitialLr/setInitialLr; save it
 *   with your checkpoint if you resume with `lastEpoch ≠ −1`). As in PyTorch, the first scheduler
 *   built on an optimizer sets it (OneCycleLR overwrites it) and later ones reuse it.
 * - State dicts use PyTorch's key names (`last_epoch`, `base_lrs`, `_step_count`, `_last_lr`,
 *   `T_max`, `_schedulers`, …), so a PyTorch `state_dict()` exported to JSON loads too (keys
 *   holding functions or weak references, and `verbose`, are ignored). Values are JSON-safe:
 *   ±Infinity and NaN are written as the strings "Infinity", "-Infinity", "NaN"; MultiStepLR's
 *   milestones as PyTorch's Counter in JSON (`{ "30": 1 }`); OneCycleLR adds the group keys
 *   PyTorch keeps in param groups (`max_lr`, `min_lr`, `max_momentum`, `base_momentum`). Loading
 *   is an update, validated completely before anything changes; like PyTorch's, it leaves the
 *   param groups alone (load the optimizer's state dict for those).
 * - `getLastLr()` returns one read-only array per scheduler, updated in place by each step: copy
 *   it to keep values. step() allocates nothing itself (the optimizer's option setters may when a
 *   value changes; unchanged values are not assigned).
 * - Steps are atomic: when PyTorch would fail (OneCycleLR past totalSteps, a throwing lrLambda)
 *   or set an lr the optimizer refuses (negative: OneCycleLR 'linear' one step past its end, a
 *   custom scaleFn going negative), step() throws and nothing changes. Param groups added after a
 *   scheduler was built make its step() throw (PyTorch would schedule them inconsistently).
 * - ReduceLROnPlateau's getLastLr() shows the lrs at construction until its first step (PyTorch
 *   1.13 has no get_last_lr for it).
 * @module
 */
export {
  LRScheduler,
  getInitialLr,
  setInitialLr,
  type AnyOptimizer,
  type LastEpochOption,
  type Scheduler,
} from './base.js';
export type { SchedulerStateDict, StateNumber } from './state.js';
export { StepLR, MultiStepLR, type StepLROptions, type MultiStepLROptions } from './step-lr.js';
export { ConstantLR, LinearLR, type ConstantLROptions, type LinearLROptions } from './constant-linear.js';
export {
  ExponentialLR,
  PolynomialLR,
  type ExponentialLROptions,
  type PolynomialLROptions,
} from './exponential-polynomial.js';
export {
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  type CosineAnnealingLROptions,
  type CosineAnnealingWarmRestartsOptions,
} from './cosine.js';
export { LambdaLR, MultiplicativeLR, type LambdaLROptions, type LrLambda } from './lambda-lr.js';
export { CyclicLR, type CyclicLROptions, type CyclicMode, type ScaleMode } from './cyclic-lr.js';
export { OneCycleLR, type OneCycleLROptions, type AnnealStrategy } from './one-cycle-lr.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau.js';
export { SequentialLR, ChainedScheduler, type SequentialLROptions } from './composite.js';

// The learning-rate schedulers, PyTorch 1.13's (torch.optim.lr_scheduler), camelCased.
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

/**
 * wasm-optim: gradient-descent optimizers as WebAssembly SIMD kernels over shared linear
 * memory, bit-identical to PyTorch (default) or TensorFlow.js, with a pure-JS fallback.
 * @packageDocumentation
 */
export { Adagrad, type AdagradOptions } from './optimizers/adagrad.js';
export { RMSprop, type RMSpropOptions } from './optimizers/rmsprop.js';
export { SGD, Momentum, type SGDOptions } from './optimizers/sgd.js';
export { Adam, AdamW, type AdamOptions } from './optimizers/adam.js';
export { Adadelta, type AdadeltaOptions } from './optimizers/adadelta.js';
export { NAdam, type NAdamOptions } from './optimizers/nadam.js';
export { RAdam, type RAdamOptions } from './optimizers/radam.js';
export { Adamax, type AdamaxOptions } from './optimizers/adamax.js';
export { SparseAdam, type SparseAdamOptions } from './optimizers/sparse-adam.js';
export {
  Optimizer,
  type OptimizerOptions,
  type ParamGroup,
  type ParamGroupInit,
  type ParamInit,
  type ParamState,
  type BufferInput,
  type StateDict,
  type StateDictInput,
} from './optimizer.js';
export { ParamHandle } from './param.js';
export type { ClipGradNormOptions, GradReduction, GradSelection, NormType } from './gradients.js';
export type { RowParamInit, SparseGrad } from './sparse-grad.js';
export type { Flavor, StateName } from './spec.js';
export type { AuxKey } from './backend/contract.generated.js';
export {
  availableBackends,
  backendUnavailableReason,
  detectBackend,
  simdFma,
  type BackendChoice,
  type BackendName,
  type FmaKind,
} from './backend/index.js';
export {
  stateDictFromJSON,
  stateDictToJSON,
  type DecodedStateDict,
  type Float32BufferJSON,
  type GroupValueJSON,
  type NumberJSON,
  type SpecialNumberJSON,
  type StateDictJSON,
  type StateDictLike,
  type StateValueJSON,
} from './state-json.js';
export {
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  LRScheduler,
  MultiStepLR,
  MultiplicativeLR,
  OneCycleLR,
  PolynomialLR,
  ReduceLROnPlateau,
  SequentialLR,
  StepLR,
  getInitialLr,
  setInitialLr,
  type AnnealStrategy,
  type AnyOptimizer,
  type ConstantLROptions,
  type CosineAnnealingLROptions,
  type CosineAnnealingWarmRestartsOptions,
  type CyclicLROptions,
  type CyclicMode,
  type ExponentialLROptions,
  type LambdaLROptions,
  type LastEpochOption,
  type LinearLROptions,
  type LrLambda,
  type MultiStepLROptions,
  type OneCycleLROptions,
  type PolynomialLROptions,
  type ReduceLROnPlateauOptions,
  type ScaleMode,
  type Scheduler,
  type SchedulerStateDict,
  type SequentialLROptions,
  type StateNumber,
  type StepLROptions,
} from './schedulers/index.js';

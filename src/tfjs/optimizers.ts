// The seven TF.js optimizers, each a WasmOptimizer over the wasm-optim algorithm with flavor
// 'tfjs': same constructor arguments, defaults, public fields, getConfig/fromConfig and
// getWeights names as tfjs-core 4.22's, registered for serialization under their own names.
import * as tf from '@tensorflow/tfjs-core';
import { Adadelta } from '../optimizers/adadelta.js';
import { Adagrad } from '../optimizers/adagrad.js';
import { Adam } from '../optimizers/adam.js';
import { Adamax } from '../optimizers/adamax.js';
import { runningProductF32 } from '../optimizers/float32-power.js';
import { RMSprop } from '../optimizers/rmsprop.js';
import { Momentum, SGD } from '../optimizers/sgd.js';
import type { StateName } from '../spec.js';
import { clipSettingsOf } from './clipping.js';
import { type SparseVariables, WasmOptimizer, type StateSlot, type WasmOptimSettings } from './optimizer.js';

type ConfigDict = tf.serialization.ConfigDict;

const ADAGRAD_SLOTS: readonly StateSlot[] = [{ suffix: 'accumulator', state: 'sum' }];
const RMSPROP_SLOTS: readonly StateSlot[] = [
  { suffix: 'rms', state: 'square_avg' },
  { suffix: 'momentum', state: 'momentum_buffer' },
];
const RMSPROP_CENTERED_SLOTS: readonly StateSlot[] = [...RMSPROP_SLOTS, { suffix: 'mg', state: 'grad_avg' }];
const MOMENTUM_SLOTS: readonly StateSlot[] = [{ suffix: 'momentum', state: 'momentum_buffer' }];
const ADAM_SLOTS: readonly StateSlot[] = [
  { suffix: 'm', state: 'exp_avg' },
  { suffix: 'v', state: 'exp_avg_sq' },
];
const ADADELTA_SLOTS: readonly StateSlot[] = [
  { suffix: 'accum_grad', state: 'square_avg' },
  { suffix: 'accum_var', state: 'acc_delta' },
];
const ADAMAX_SLOTS: readonly StateSlot[] = [
  { suffix: 'm', state: 'exp_avg' },
  { suffix: 'v', state: 'exp_inf' },
];
const NO_SLOTS: readonly StateSlot[] = [];

function required(owner: string, name: string, value: unknown): number {
  if (value === undefined || value === null) throw new TypeError(`${owner}: ${name} must be defined`);
  return value as number;
}

/** TF.js's default epsilon when none is given: the backend's (1e-7 on cpu and wasm). */
function backendEpsilon(epsilon: number | null | undefined): number {
  return epsilon ?? tf.backend().epsilon();
}

/** Settings of WasmOptimAdagrad: the backend, and the variables that take the row-sparse path. */
export interface WasmOptimAdagradSettings extends WasmOptimSettings {
  /**
   * Embedding tables (variables of shape [rows, width]) to step row by row: by name, or a test
   * `(name, shape) => boolean` (e.g. `(name) => name.endsWith('/embeddings')`). Not given: none.
   *
   * For such a variable, each step reads its dense gradient once and steps only the rows that
   * have a nonzero element (NaN, ±Inf and subnormals count as nonzero; so does −0 where the
   * variable holds −0), with TF.js's own arithmetic on those rows; the other rows, their values
   * and their accumulators, are not touched. `tf.train.adagrad` steps every row, but a row whose
   * gradient is ±0 comes out of its step unchanged (accumulator + 0 = accumulator; the update
   * (±0/√(accumulator + ε))·(−lr) is ±0, and adding it changes no value but a −0 under a −0
   * gradient), so the two are bit-identical (a NaN stays NaN; NaN bit patterns are not
   * compared) provided that learningRate is finite as a float32 (else 0·−∞ makes tf.train's
   * untouched rows NaN) and each skipped element's accumulator + ε is > 0 (always, unless
   * setWeights loaded accumulators ≤ −ε or NaN: tf.train then makes those values NaN). The one
   * other difference: with initialAccumulatorValue −0, rows never stepped keep −0 accumulators
   * where tf.train's become +0 (the variable's values are the same).
   *
   * What it saves is the optimizer's arithmetic and state traffic (the accumulator) on rows not
   * touched, and the copy of the gradient into wasm-optim's memory. It does not make a step
   * O(touched rows): TF.js still materialises the gradient as a dense [rows, width] tensor, which
   * is scanned once to find the rows, and a stepped variable is still written back whole as a
   * new tensor (TF.js tensors are immutable). Those two full-table passes remain, so on
   * TF.js's cpu backend, where they cost about as much as our dense step, expect little gain.
   *
   * Checked at each applyGradients, before anything changes: a listed name that is not a
   * registered variable, or a selected variable that is not two-dimensional, throws. Not part of
   * getConfig(): an optimizer restored from a saved model steps densely (the same values).
   */
  sparseVariables?: SparseVariables;
}

/**
 * `tf.train.adagrad` on wasm-optim: `accumulator ← accumulator + g²;
 * θ ← θ − lr·g/√(accumulator + ε)`, ε the backend epsilon (1e-7) read at each step as TF.js does.
 * Weights: `iter`, then `${variable}/accumulator` per variable. With `settings.sparseVariables`,
 * embedding tables step only the rows their gradient touches (WasmOptimAdagradSettings).
 */
export class WasmOptimAdagrad extends WasmOptimizer {
  /** The name tf.serialization registers the class under (a saved model's optimizer `className`). */
  static className = 'WasmOptimAdagrad';

  constructor(learningRate: number, initialAccumulatorValue = 0.1, settings?: WasmOptimAdagradSettings) {
    super({ lr: required('WasmOptimAdagrad', 'learningRate', learningRate), initialAccumulatorValue }, settings, true);
  }

  protected makeCore(params: number[], options: Record<string, unknown>): Adagrad {
    return new Adagrad(params, options);
  }

  protected stateSlots(): readonly StateSlot[] {
    return ADAGRAD_SLOTS;
  }

  protected override initialValue(state: StateName): number {
    return state === 'sum' ? this.initialAccumulatorValue : 0;
  }

  protected override beforeStep(): void {
    const eps = tf.backend().epsilon();
    if (eps !== this.option('eps')) this.setOption('eps', eps);
  }

  /** The learning rate (tf.train's `learningRate`). */
  get learningRate(): number {
    return this.option('lr');
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set learningRate(value: number) {
    this.setOption('lr', value, 'learningRate');
  }
  /** Starting value of accumulators created from now on. */
  get initialAccumulatorValue(): number {
    return this.option('initialAccumulatorValue');
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set initialAccumulatorValue(value: number) {
    this.setOption('initialAccumulatorValue', value, 'initialAccumulatorValue');
  }

  getConfig(): ConfigDict {
    return {
      learningRate: this.learningRate,
      initialAccumulatorValue: this.initialAccumulatorValue,
      ...this.clipConfig(),
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: ConfigDict,
  ): T {
    return new cls(config['learningRate'], config['initialAccumulatorValue'], clipSettingsOf(config));
  }
}

/**
 * `tf.train.rmsprop` on wasm-optim: `rms ← decay·rms + (1 − decay)·g²`; centered:
 * `mg ← decay·mg + (1 − decay)·g`, den = √(rms − (mg² + ε)), else den = √(rms + ε);
 * `momentum ← momentum·momentum + lr·g/den; θ ← θ − momentum`. The momentum slot exists even at
 * momentum 0, as in TF.js. Weights: `iter`, `…/rms` per variable, `…/momentum`, then `…/mg` if centered.
 */
export class WasmOptimRMSProp extends WasmOptimizer {
  /** The name tf.serialization registers the class under (a saved model's optimizer `className`). */
  static className = 'WasmOptimRMSProp';

  constructor(
    learningRate: number,
    decay = 0.9,
    momentum = 0,
    epsilon: number | null = null,
    centered = false,
    settings?: WasmOptimSettings,
  ) {
    super(
      {
        lr: required('WasmOptimRMSProp', 'learningRate', learningRate),
        alpha: decay,
        momentum,
        eps: backendEpsilon(epsilon),
        centered,
      },
      settings,
    );
  }

  protected override groupOptions(): readonly 'momentum'[] {
    return ['momentum'];
  }

  protected makeCore(params: number[], options: Record<string, unknown>): RMSprop {
    return new RMSprop(params, options);
  }

  protected stateSlots(): readonly StateSlot[] {
    return this.centered ? RMSPROP_CENTERED_SLOTS : RMSPROP_SLOTS;
  }

  /** The learning rate (tf.train's `learningRate`). */
  get learningRate(): number {
    return this.option('lr');
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set learningRate(value: number) {
    this.setOption('lr', value, 'learningRate');
  }
  /** The decay of the moving average of squared gradients (tf.train.rmsprop's `decay`; PyTorch's `alpha`). */
  get decay(): number {
    return this.option('alpha');
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set decay(value: number) {
    this.setOption('alpha', value, 'decay');
  }
  /** The momentum (0: none). */
  get momentum(): number {
    return this.option('momentum');
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set momentum(value: number) {
    this.setOption('momentum', value, 'momentum');
  }
  /** Added to the denominator (the value given, or the backend's epsilon when null). */
  get epsilon(): number {
    return this.option('eps');
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set epsilon(value: number) {
    this.setOption('eps', value, 'epsilon');
  }
  /** Whether the gradient is normalized by its estimated variance (centered RMSprop). */
  get centered(): boolean {
    return this.option('centered');
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set centered(value: boolean) {
    this.setOption('centered', value, 'centered');
  }

  getConfig(): ConfigDict {
    return {
      learningRate: this.learningRate,
      decay: this.decay,
      momentum: this.momentum,
      epsilon: this.epsilon,
      centered: this.centered,
      ...this.clipConfig(),
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: ConfigDict,
  ): T {
    return new cls(
      config['learningRate'],
      config['decay'],
      config['momentum'],
      config['epsilon'],
      config['centered'],
      clipSettingsOf(config),
    );
  }
}

/**
 * `tf.train.sgd` on wasm-optim: `θ ← θ − lr·g`. No state; weights: `iter` only.
 */
export class WasmOptimSGD extends WasmOptimizer {
  /** The name tf.serialization registers the class under (a saved model's optimizer `className`). */
  static className = 'WasmOptimSGD';

  constructor(learningRate: number, settings?: WasmOptimSettings) {
    super({ lr: required('WasmOptimSGD', 'learningRate', learningRate) }, settings);
  }

  protected makeCore(params: number[], options: Record<string, unknown>): SGD {
    return new SGD(params, options);
  }

  protected stateSlots(): readonly StateSlot[] {
    return NO_SLOTS;
  }

  /** The learning rate (tf.train's `learningRate`). */
  get learningRate(): number {
    return this.option('lr');
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set learningRate(value: number) {
    this.setOption('lr', value, 'learningRate');
  }
  /** TF.js's setter; here assigning `learningRate` works as well. */
  setLearningRate(learningRate: number): void {
    this.learningRate = learningRate;
  }

  getConfig(): ConfigDict {
    return { learningRate: this.learningRate, ...this.clipConfig() };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: ConfigDict,
  ): T {
    return new cls(config['learningRate'], clipSettingsOf(config));
  }
}

/**
 * `tf.train.momentum` on wasm-optim: `momentum ← m·momentum + g` (starts at 0);
 * `θ ← θ − lr·(useNesterov ? g + m·momentum : momentum)`. Weights: `iter`, `…/momentum` per variable.
 */
export class WasmOptimMomentum extends WasmOptimizer {
  /** The name tf.serialization registers the class under (a saved model's optimizer `className`). */
  static className = 'WasmOptimMomentum';

  constructor(learningRate: number, momentum: number, useNesterov = false, settings?: WasmOptimSettings) {
    super(
      {
        lr: required('WasmOptimMomentum', 'learningRate', learningRate),
        momentum: required('WasmOptimMomentum', 'momentum', momentum),
        nesterov: useNesterov,
      },
      settings,
    );
  }

  protected override groupOptions(): readonly 'momentum'[] {
    return ['momentum'];
  }

  protected makeCore(params: number[], options: Record<string, unknown>): Momentum {
    return new Momentum(params, options);
  }

  protected stateSlots(): readonly StateSlot[] {
    return MOMENTUM_SLOTS;
  }

  /** The learning rate (tf.train's `learningRate`). */
  get learningRate(): number {
    return this.option('lr');
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set learningRate(value: number) {
    this.setOption('lr', value, 'learningRate');
  }
  /** The momentum. */
  get momentum(): number {
    return this.option('momentum');
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set momentum(value: number) {
    this.setOption('momentum', value, 'momentum');
  }
  /** Whether the momentum step is Nesterov's. */
  get useNesterov(): boolean {
    return this.option('nesterov');
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set useNesterov(value: boolean) {
    this.setOption('nesterov', value, 'useNesterov');
  }
  /** TF.js's setter; here assigning `learningRate` works as well. */
  setLearningRate(learningRate: number): void {
    this.learningRate = learningRate;
  }
  /** Takes effect at the next step (in tfjs-core 4.22 it only changes getConfig()). */
  setMomentum(momentum: number): void {
    this.momentum = momentum;
  }

  getConfig(): ConfigDict {
    return {
      learningRate: this.learningRate,
      momentum: this.momentum,
      useNesterov: this.useNesterov,
      ...this.clipConfig(),
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: ConfigDict,
  ): T {
    return new cls(config['learningRate'], config['momentum'], config['useNesterov'], clipSettingsOf(config));
  }
}

/**
 * What tf.train.adam and tf.train.adamax share: the live fields learningRate, beta1, beta2 and
 * epsilon over wasm-optim's lr, betas and eps.
 */
abstract class WasmOptimAdamFamily extends WasmOptimizer {
  protected override groupOptions(): readonly 'betas'[] {
    return ['betas'];
  }

  /** The learning rate (tf.train's `learningRate`). */
  get learningRate(): number {
    return this.option('lr');
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set learningRate(value: number) {
    this.setOption('lr', value, 'learningRate');
  }
  /** The decay rate of the first moment estimates. */
  get beta1(): number {
    return this.option<readonly number[]>('betas')[0]!;
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set beta1(value: number) {
    this.setOption('betas', [value, this.beta2], 'beta1');
  }
  /** The decay rate of the second moment estimates. */
  get beta2(): number {
    return this.option<readonly number[]>('betas')[1]!;
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set beta2(value: number) {
    this.setOption('betas', [this.beta1, value], 'beta2');
  }
  /** Added to the denominator (the value given, or the backend's epsilon when null). */
  get epsilon(): number {
    return this.option('eps');
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set epsilon(value: number) {
    this.setOption('eps', value, 'epsilon');
  }
}

/**
 * `tf.train.adam` on wasm-optim: `m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
 * θ ← θ − lr·(m/(1 − β1ᵗ)) / (√(v/(1 − β2ᵗ)) + ε)`, with TF.js's float32 running products βᵗ
 * advanced once per applyGradients call. Weights: `iter`, `…/m` per variable, then `…/v`.
 */
export class WasmOptimAdam extends WasmOptimAdamFamily {
  /** The name tf.serialization registers the class under (a saved model's optimizer `className`). */
  static className = 'WasmOptimAdam';

  constructor(
    learningRate = 0.001,
    beta1 = 0.9,
    beta2 = 0.999,
    epsilon: number | null = null,
    settings?: WasmOptimSettings,
  ) {
    super({ lr: learningRate, betas: [beta1, beta2], eps: backendEpsilon(epsilon) }, settings);
    this.#accBeta = [Math.fround(beta1), Math.fround(beta2)];
  }

  protected makeCore(params: number[], options: Record<string, unknown>): Adam {
    return new Adam(params, options);
  }

  protected stateSlots(): readonly StateSlot[] {
    return ADAM_SLOTS;
  }

  /** TF.js's accBeta1, accBeta2: float32 running products, advanced once per applyGradients. */
  #accBeta: [number, number];

  protected override sharedAux(): { acc_beta1: number; acc_beta2: number } {
    return { acc_beta1: this.#accBeta[0], acc_beta2: this.#accBeta[1] };
  }

  protected override afterStep(): void {
    this.#accBeta = [
      Math.fround(this.#accBeta[0] * Math.fround(this.beta1)),
      Math.fround(this.#accBeta[1] * Math.fround(this.beta2)),
    ];
  }

  /**
   * After setWeights: the running products of `iterations + 1` factors, what uninterrupted
   * training has (tf.train.adam uses pow(β, iterations + 1) here, which can differ in the last
   * bits), so a saved and reloaded run continues exactly.
   */
  protected override afterSetWeights(): void {
    // runningProductF32: bounded time, whatever iteration count a checkpoint carries.
    this.#accBeta = [
      runningProductF32(Math.fround(this.beta1), this.iterations),
      runningProductF32(Math.fround(this.beta2), this.iterations),
    ];
  }

  getConfig(): ConfigDict {
    return {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      ...this.clipConfig(),
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: ConfigDict,
  ): T {
    return new cls(config['learningRate'], config['beta1'], config['beta2'], config['epsilon'], clipSettingsOf(config));
  }
}

/**
 * `tf.train.adadelta` on wasm-optim: `update = √(accum_var + ε)/√(accum_grad + ε)·g` with the
 * accumulated gradient from before this step, then `accum_grad ← ρ·accum_grad + (1 − ρ)·g²`,
 * `accum_var ← ρ·accum_var + (1 − ρ)·update²`, `θ ← θ − lr·update`.
 * Weights: `iter`, `…/accum_grad` per variable, then `…/accum_var`.
 */
export class WasmOptimAdadelta extends WasmOptimizer {
  /** The name tf.serialization registers the class under (a saved model's optimizer `className`). */
  static className = 'WasmOptimAdadelta';

  constructor(learningRate = 0.001, rho = 0.95, epsilon: number | null = null, settings?: WasmOptimSettings) {
    super({ lr: learningRate, rho, eps: backendEpsilon(epsilon) }, settings);
  }

  protected makeCore(params: number[], options: Record<string, unknown>): Adadelta {
    return new Adadelta(params, options);
  }

  protected stateSlots(): readonly StateSlot[] {
    return ADADELTA_SLOTS;
  }

  /** The learning rate (tf.train's `learningRate`). */
  get learningRate(): number {
    return this.option('lr');
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set learningRate(value: number) {
    this.setOption('lr', value, 'learningRate');
  }
  /** The decay rate of the running averages. */
  get rho(): number {
    return this.option('rho');
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set rho(value: number) {
    this.setOption('rho', value, 'rho');
  }
  /** Added to the denominator (the value given, or the backend's epsilon when null). */
  get epsilon(): number {
    return this.option('eps');
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set epsilon(value: number) {
    this.setOption('eps', value, 'epsilon');
  }

  getConfig(): ConfigDict {
    return { learningRate: this.learningRate, rho: this.rho, epsilon: this.epsilon, ...this.clipConfig() };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: ConfigDict,
  ): T {
    return new cls(config['learningRate'], config['rho'], config['epsilon'], clipSettingsOf(config));
  }
}

/**
 * `tf.train.adamax` on wasm-optim: `m ← β1·m + (1 − β1)·g; v ← max(β2·v, |g|);
 * θ ← θ + (−lr/(iteration·decay + 1))/(1 − accBeta1) · m/(v + ε)`, with TF.js's float32
 * iteration counter and running product accBeta1 advanced once per applyGradients call.
 * Weights: `iter`, `…/m` per variable, then `…/v`. tf.train.adamax itself has no
 * getWeights/setWeights (both throw in tfjs-core 4.22), so its models cannot be saved with
 * `includeOptimizer`; this one can, and resumes bit for bit.
 */
export class WasmOptimAdamax extends WasmOptimAdamFamily {
  /** The name tf.serialization registers the class under (a saved model's optimizer `className`). */
  static className = 'WasmOptimAdamax';

  constructor(
    learningRate = 0.002,
    beta1 = 0.9,
    beta2 = 0.999,
    epsilon: number | null = null,
    decay = 0,
    settings?: WasmOptimSettings,
  ) {
    super({ lr: learningRate, betas: [beta1, beta2], eps: backendEpsilon(epsilon), lrDecay: decay }, settings);
    this.#accBeta1 = Math.fround(beta1);
  }

  protected makeCore(params: number[], options: Record<string, unknown>): Adamax {
    return new Adamax(params, options);
  }

  protected stateSlots(): readonly StateSlot[] {
    return ADAMAX_SLOTS;
  }

  /** TF.js's accBeta1 and iteration: float32, advanced once per applyGradients call. */
  #accBeta1: number;
  #iteration = 0;

  protected override sharedAux(): { acc_beta1: number; iteration: number } {
    return { acc_beta1: this.#accBeta1, iteration: this.#iteration };
  }

  protected override afterStep(): void {
    this.#accBeta1 = Math.fround(this.#accBeta1 * Math.fround(this.beta1));
    this.#iteration = Math.fround(this.#iteration + 1);
  }

  /** After setWeights: the counters of `iterations` uninterrupted calls at the current β1. */
  protected override afterSetWeights(): void {
    this.#accBeta1 = runningProductF32(Math.fround(this.beta1), this.iterations); // bounded time
    this.#iteration = Math.min(this.iterations, 2 ** 24); // a float32 counter stops at 2^24
  }

  /** Learning-rate decay: the step uses lr / (iteration·decay + 1). */
  get decay(): number {
    return this.option('lrDecay');
  }
  /** Sets it from the next step on; checked as the constructor's argument (an invalid value throws). */
  set decay(value: number) {
    this.setOption('lrDecay', value, 'decay');
  }

  getConfig(): ConfigDict {
    return {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      decay: this.decay,
      ...this.clipConfig(),
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: ConfigDict,
  ): T {
    return new cls(
      config['learningRate'],
      config['beta1'],
      config['beta2'],
      config['epsilon'],
      config['decay'],
      clipSettingsOf(config),
    );
  }
}

for (const cls of [
  WasmOptimSGD,
  WasmOptimMomentum,
  WasmOptimAdagrad,
  WasmOptimRMSProp,
  WasmOptimAdam,
  WasmOptimAdadelta,
  WasmOptimAdamax,
]) {
  tf.serialization.registerClass(cls);
}

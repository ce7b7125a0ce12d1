/**
 * `wasm-optim/tfjs`: drop-in replacements for `tf.train.*` whose update step runs wasm-optim's
 * WebAssembly kernels, bit-identical to tfjs-core 4.22's optimizers. Use them anywhere TF.js
 * takes an optimizer: `model.compile({ optimizer: adam(1e-3), … })`, `optimizer.minimize(f)`.
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { adagrad } from 'wasm-optim/tfjs';
 * model.compile({ optimizer: adagrad(0.01), loss: 'categoricalCrossentropy' });
 * await model.fit(xs, ys, { epochs: 5 });
 * ```
 *
 * Needs `@tensorflow/tfjs-core` (a peer dependency of this entry only). Importing this module
 * registers the classes for serialization, so a model saved with `includeOptimizer: true`
 * loads back with its optimizer and state.
 *
 * State is kept per variable name. A variable re-created under a known name (a model disposed
 * and built again) continues that state if its shape is the same, as with `tf.train.*`, and
 * starts afresh, as a new variable, if its shape differs (`tf.train.*` throws there).
 * `getWeights()` snapshots the state at the call (calls in flight together or beside training
 * steps each get a consistent one); its tensors belong to the optimizer and stay valid until a
 * getWeights() call after the state changed, or `dispose()`. After `dispose()` every method
 * throws, naming the class and the method, except configuration reads such as `getConfig()`.
 *
 * Each factory's last argument also takes Keras's gradient clipping (`{ clipnorm }`, `{ clipvalue }`,
 * `{ globalClipnorm }`), and `learningRateSchedule(optimizer, schedule)` is a model.fit callback
 * setting the learning rate per epoch or batch (a Keras-style function or a wasm-optim scheduler).
 * @packageDocumentation
 */
import {
  WasmOptimAdadelta,
  WasmOptimAdagrad,
  WasmOptimAdam,
  WasmOptimAdamax,
  WasmOptimMomentum,
  WasmOptimRMSProp,
  WasmOptimSGD,
} from './optimizers.js';
import type { WasmOptimSettings } from './optimizer.js';
import type { WasmOptimAdagradSettings } from './optimizers.js';

export type { WasmOptimAdagradSettings };
export {
  WasmOptimAdadelta,
  WasmOptimAdagrad,
  WasmOptimAdam,
  WasmOptimAdamax,
  WasmOptimMomentum,
  WasmOptimRMSProp,
  WasmOptimSGD,
};
export { WasmOptimizer, type NamedTensor, type SparseVariables, type WasmOptimSettings } from './optimizer.js';
export type { ClipSettings } from './clipping.js';
export { SCHEDULABLE, type ParamGroupView } from './param-group.js';
export {
  learningRateSchedule,
  type LearningRateScheduleCallback,
  type LearningRateScheduleOptions,
  type LrScheduler,
  type ScheduleFunction,
} from './schedule-callback.js';

/** Like `tf.train.sgd(learningRate)`. */
export function sgd(learningRate: number, settings?: WasmOptimSettings): WasmOptimSGD {
  return new WasmOptimSGD(learningRate, settings);
}

/** Like `tf.train.momentum(learningRate, momentum, useNesterov = false)`. */
export function momentum(
  learningRate: number,
  momentum: number,
  useNesterov = false,
  settings?: WasmOptimSettings,
): WasmOptimMomentum {
  return new WasmOptimMomentum(learningRate, momentum, useNesterov, settings);
}

/**
 * Like `tf.train.adagrad(learningRate, initialAccumulatorValue = 0.1)`. `settings.sparseVariables`
 * names embedding tables to step only in the rows their gradient touches, with the same results
 * (see WasmOptimAdagradSettings for exactly when): `adagrad(0.1, 0.1, { sparseVariables: ['emb'] })`.
 */
export function adagrad(
  learningRate: number,
  initialAccumulatorValue = 0.1,
  settings?: WasmOptimAdagradSettings,
): WasmOptimAdagrad {
  return new WasmOptimAdagrad(learningRate, initialAccumulatorValue, settings);
}

/**
 * Like `tf.train.rmsprop(learningRate, decay = 0.9, momentum = 0, epsilon = null, centered = false)`;
 * epsilon null means the backend's (1e-7).
 */
export function rmsprop(
  learningRate: number,
  decay = 0.9,
  momentum = 0,
  epsilon: number | null = null,
  centered = false,
  settings?: WasmOptimSettings,
): WasmOptimRMSProp {
  return new WasmOptimRMSProp(learningRate, decay, momentum, epsilon, centered, settings);
}

/** Like `tf.train.adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = null)`. */
export function adam(
  learningRate = 0.001,
  beta1 = 0.9,
  beta2 = 0.999,
  epsilon: number | null = null,
  settings?: WasmOptimSettings,
): WasmOptimAdam {
  return new WasmOptimAdam(learningRate, beta1, beta2, epsilon, settings);
}

/** Like `tf.train.adadelta(learningRate = 0.001, rho = 0.95, epsilon = null)`. */
export function adadelta(
  learningRate = 0.001,
  rho = 0.95,
  epsilon: number | null = null,
  settings?: WasmOptimSettings,
): WasmOptimAdadelta {
  return new WasmOptimAdadelta(learningRate, rho, epsilon, settings);
}

/**
 * Like `tf.train.adamax(learningRate = 0.002, beta1 = 0.9, beta2 = 0.999, epsilon = null, decay = 0)`;
 * epsilon null means the backend's (1e-7). Unlike tf.train.adamax it has getWeights/setWeights.
 */
export function adamax(
  learningRate = 0.002,
  beta1 = 0.9,
  beta2 = 0.999,
  epsilon: number | null = null,
  decay = 0,
  settings?: WasmOptimSettings,
): WasmOptimAdamax {
  return new WasmOptimAdamax(learningRate, beta1, beta2, epsilon, decay, settings);
}

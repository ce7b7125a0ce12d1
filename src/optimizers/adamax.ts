import { AdamaxStep, AdamaxStepTfjs } from '../backend/contract.generated.js';
import { REC_FLAGS } from '../backend/record.js';
import { Optimizer, type OptimizerOptions, type ParamGroupInit, type ParamInit } from '../optimizer.js';
import type { AlgorithmSpec, KernelContracts, StateName } from '../spec.js';
import { runningProductF32 } from './float32-power.js';

/** Adamax's hyperparameters (PyTorch's, camelCased, plus TF.js's learning-rate decay). */
export interface AdamaxOptions {
  /** Learning rate. Default 2e-3. */
  lr?: number;
  /** Decay rates of the first moment and of the infinity norm, each in [0, 1). Default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** torch: inside the max, `max(β2·u, |g| + eps)`, default 1e-8; tfjs: added to u in the division, default 1e-7. */
  eps?: number;
  /** L2 penalty added to the gradient. Default 0. torch only. */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing it. Default false. torch only. */
  maximize?: boolean;
  /**
   * TF.js's `decay`: the step size is lr / (1 + iteration·lrDecay), iteration counting from 0.
   * Default 0. tfjs only.
   */
  lrDecay?: number;
}

const BUFFERS: readonly StateName[] = ['exp_avg', 'exp_inf'];

/** The kernels' records, by name (scripts/gen-contract.mjs generates the offsets from this literal). */
export const kernels = {
  torch: {
    kernel: 'adamaxStep',
    scalars: ['negClr', 'beta1', 'oneMinusBeta1', 'beta2', 'eps', 'weightDecay'],
    state: ['exp_avg', 'exp_inf'],
    flags: ['maximize', 'weightDecay'],
  },
  tfjs: {
    kernel: 'adamaxStepTfjs',
    scalars: ['scale', 'beta1', 'oneMinusBeta1', 'beta2', 'eps'],
    state: ['exp_avg', 'exp_inf'],
    flags: [],
  },
} as const satisfies KernelContracts;

/** 2^24: TF.js's float32 iteration counter stops there (2^24 + 1 rounds back to 2^24). */
const F32_COUNTER_LIMIT = 2 ** 24;

const spec: AlgorithmSpec<Required<AdamaxOptions>> = {
  name: 'Adamax',
  rules: {
    lr: { kind: 'number', min: 0 },
    betas: { kind: 'pair', min: 0, max: 1, maxExclusive: true },
    eps: { kind: 'number', min: 0 },
    weightDecay: { kind: 'number', min: 0 },
    maximize: { kind: 'boolean' },
    lrDecay: { kind: 'number', min: 0 },
  },
  stateAtConstruction: false,
  flavors: {
    torch: {
      defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false, lrDecay: 0 },
      unsupported: ['lrDecay'],
      contract: kernels.torch,
      buffers: () => BUFFERS,
      initialValue: () => 0,
      writeRecord(f32, u32, word, o, step) {
        const K = AdamaxStep;
        u32[word + REC_FLAGS] = (o.maximize ? K.FLAG_MAXIMIZE : 0) | (o.weightDecay !== 0 ? K.FLAG_WEIGHT_DECAY : 0);
        // PyTorch, in float64: clr = lr / (1 − β1^t), then −clr as a float32 scalar.
        f32[word + K.negClr] = -(o.lr / (1 - o.betas[0] ** step));
        f32[word + K.beta1] = o.betas[0];
        f32[word + K.oneMinusBeta1] = 1 - o.betas[0]; // float64 first, as Python computes it
        f32[word + K.beta2] = o.betas[1];
        f32[word + K.eps] = o.eps;
        f32[word + K.weightDecay] = o.weightDecay;
      },
    },
    // aux[0]: TF.js's accBeta1, the float32 running product β1^t for this step; aux[1]: its
    // float32 iteration counter (t − 1). TF.js keeps both once per optimizer; a parameter that
    // steps every time has the same.
    tfjs: {
      defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-7, weightDecay: 0, maximize: false, lrDecay: 0 },
      unsupported: ['weightDecay', 'maximize'],
      contract: kernels.tfjs,
      auxKeys: ['acc_beta1', 'iteration'],
      frameworkNames: { options: { decay: 'lrDecay' }, state: { m: 'exp_avg', v: 'exp_inf' } },
      buffers: () => BUFFERS,
      initialValue: () => 0,
      writeRecord(f32, u32, word, o, step, aux) {
        const fl = Math.fround;
        const beta1 = fl(o.betas[0]);
        if (step === 1) {
          aux[0] = beta1;
          aux[1] = 0;
        }
        const K = AdamaxStepTfjs;
        u32[word + REC_FLAGS] = 0;
        // lr_t = fl(−lr) / (iteration·decay + 1), then lr_t / (1 − accBeta1): float32 scalar ops.
        const lrT = fl(fl(-o.lr) / fl(fl(aux[1]! * fl(o.lrDecay)) + 1));
        f32[word + K.scale] = lrT / fl(1 - aux[0]!);
        f32[word + K.beta1] = beta1;
        f32[word + K.oneMinusBeta1] = 1 - o.betas[0]; // float64 first, as JavaScript computes it
        f32[word + K.beta2] = o.betas[1];
        f32[word + K.eps] = o.eps;
        aux[0] = fl(aux[0]! * beta1);
        aux[1] = fl(aux[1]! + 1);
      },
      restoreAux(aux, o, step) {
        if (step === 0) return;
        // What writeRecord leaves after `step` steps, in bounded time (a loaded step can be 2^53 − 1).
        aux[0] = runningProductF32(Math.fround(o.betas[0]), step);
        aux[1] = Math.min(step, F32_COUNTER_LIMIT);
      },
    },
  },
};

/**
 * Adamax (Kingma & Ba, 2015, §7.1): Adam with the infinity norm — each coordinate's step is
 * scaled by an exponentially weighted maximum of past |g| instead of a root mean square.
 *
 * ```text
 * torch:  g ← ±grad + weightDecay·θ;  m ← β1·m + (1 − β1)·g;  u ← max(β2·u, |g| + eps)
 *         θ ← θ − lr/(1 − β1^t) · m/u
 * tfjs:   m ← β1·m + (1 − β1)·g;  u ← max(β2·u, |g|)
 *         θ ← θ − lr/(1 + (t − 1)·lrDecay)/(1 − β1^t) · m/(u + eps)   (β1^t a float32 running product)
 * ```
 *
 * State: `exp_avg` (m; TF.js `…/m`), `exp_inf` (u; TF.js `…/v`); the tfjs flavor also saves
 * `acc_beta1` and `iteration`, TF.js's float32 counters, so a reloaded run continues exactly.
 * Defaults: lr 2e-3, betas [0.9, 0.999], eps 1e-8 (torch) or 1e-7 (tfjs), weightDecay 0,
 * maximize false, lrDecay 0. Flavor `'tfjs'` reproduces `tf.train.adamax(lr, β1, β2, eps,
 * decay)`; it has no weightDecay or maximize, and torch has no lrDecay.
 *
 * @example
 * ```ts
 * const w = new Float32Array([1, 2, 3]);
 * const opt = new Adamax([w], { lr: 2e-3 });
 * opt.step([new Float32Array([0.5, -0.5, 1])]);
 * ```
 */
export class Adamax extends Optimizer<Required<AdamaxOptions>> {
  /** @internal What the shared machinery knows of the algorithm: rules, flavors, kernels. */
  static readonly spec: AlgorithmSpec<Required<AdamaxOptions>> = spec;

  constructor(
    params: readonly ParamInit[] | readonly ParamGroupInit<AdamaxOptions>[],
    options?: OptimizerOptions<AdamaxOptions>,
  ) {
    super(spec, params, options);
  }
}

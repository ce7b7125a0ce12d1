import { RmspropStep, RmspropStepTfjs } from '../backend/contract.generated.js';
import { REC_FLAGS } from '../backend/record.js';
import { Optimizer, type OptimizerOptions, type ParamGroupInit, type ParamInit } from '../optimizer.js';
import type { AlgorithmSpec, KernelContracts, SparsePath, StateName } from '../spec.js';

/** RMSprop's hyperparameters (PyTorch's, camelCased; `alpha` is TF.js's `decay`). */
export interface RMSpropOptions {
  /** Learning rate. Default 1e-2. */
  lr?: number;
  /** Smoothing constant of the squared-gradient average. Default 0.99 (torch), 0.9 (tfjs). */
  alpha?: number;
  /** Added for numerical stability: outside the root (torch, default 1e-8), inside (tfjs, default 1e-7). */
  eps?: number;
  /** L2 penalty added to the gradient. Default 0. torch only. */
  weightDecay?: number;
  /** Momentum factor. Default 0. */
  momentum?: number;
  /** Normalize by the estimated variance (subtract the squared mean gradient). Default false. */
  centered?: boolean;
  /** Maximize the objective instead of minimizing it. Default false. torch only. */
  maximize?: boolean;
  /**
   * Row-sparse gradients (README "Embeddings"): `true` steps only the listed rows, whose state
   * alone moves — TensorFlow's SparseApplyRMSProp semantics, not equal to a dense step (an unlisted row's
   * state would decay there). `false` (default) refuses a row-sparse gradient. Default false.
   */
  lazy?: boolean;
}

const SQ: readonly StateName[] = ['square_avg'];
const SQ_MOM: readonly StateName[] = ['square_avg', 'momentum_buffer'];
const SQ_AVG: readonly StateName[] = ['square_avg', 'grad_avg'];
const SQ_MOM_AVG: readonly StateName[] = ['square_avg', 'momentum_buffer', 'grad_avg'];

/** The kernels' records, by name (scripts/gen-contract.mjs generates the offsets from this literal). */
export const kernels = {
  torch: {
    kernel: 'rmspropStep',
    scalars: ['alpha', 'oneMinusAlpha', 'eps', 'weightDecay', 'momentum', 'negLr'],
    state: ['square_avg', 'momentum_buffer', 'grad_avg'],
    flags: ['maximize', 'weightDecay', 'centered', 'momentum'],
  },
  tfjs: {
    kernel: 'rmspropStepTfjs',
    scalars: ['alpha', 'oneMinusAlpha', 'eps', 'momentum', 'lr'],
    state: ['square_avg', 'momentum_buffer', 'grad_avg'],
    flags: ['centered'],
  },
} as const satisfies KernelContracts;

/** Row-sparse gradients: the dense kernel on the listed rows, when the group asks for it. */
const LAZY: SparsePath<Required<RMSpropOptions>> = {
  refuse: (o) => (o.lazy ? null : 'lazy = false (set lazy: true to step only the listed rows)'),
};

const spec: AlgorithmSpec<Required<RMSpropOptions>> = {
  name: 'RMSprop',
  rules: {
    lr: { kind: 'number', min: 0 },
    alpha: { kind: 'number', min: 0 },
    eps: { kind: 'number', min: 0 },
    weightDecay: { kind: 'number', min: 0 },
    momentum: { kind: 'number', min: 0 },
    centered: { kind: 'boolean' },
    maximize: { kind: 'boolean' },
    lazy: { kind: 'boolean', defaultOnLoad: true },
  },
  stateAtConstruction: false,
  flavors: {
    torch: {
      defaults: {
        lr: 1e-2,
        alpha: 0.99,
        eps: 1e-8,
        weightDecay: 0,
        momentum: 0,
        centered: false,
        maximize: false,
        lazy: false,
      },
      unsupported: [],
      contract: kernels.torch,
      // PyTorch keeps momentum_buffer only when momentum > 0 and grad_avg only when centered.
      buffers: (o) => (o.momentum > 0 ? (o.centered ? SQ_MOM_AVG : SQ_MOM) : o.centered ? SQ_AVG : SQ),
      initialValue: () => 0,
      writeRecord(f32, u32, word, o) {
        const K = RmspropStep;
        u32[word + REC_FLAGS] =
          (o.maximize ? K.FLAG_MAXIMIZE : 0) |
          (o.weightDecay !== 0 ? K.FLAG_WEIGHT_DECAY : 0) |
          (o.centered ? K.FLAG_CENTERED : 0) |
          (o.momentum > 0 ? K.FLAG_MOMENTUM : 0);
        f32[word + K.alpha] = o.alpha;
        f32[word + K.oneMinusAlpha] = 1 - o.alpha; // float64 first, as Python computes it
        f32[word + K.eps] = o.eps;
        f32[word + K.weightDecay] = o.weightDecay;
        f32[word + K.momentum] = o.momentum;
        f32[word + K.negLr] = -o.lr;
      },
      sparse: LAZY,
    },
    tfjs: {
      // tf.train.rmsprop(learningRate, decay = 0.9, momentum = 0, epsilon = backend 1e-7, centered = false)
      defaults: {
        lr: 1e-2,
        alpha: 0.9,
        eps: 1e-7,
        weightDecay: 0,
        momentum: 0,
        centered: false,
        maximize: false,
        lazy: false,
      },
      unsupported: ['weightDecay', 'maximize'],
      contract: kernels.tfjs,
      frameworkNames: {
        options: { decay: 'alpha' },
        state: { rms: 'square_avg', momentum: 'momentum_buffer', mg: 'grad_avg' },
      },
      // TF.js keeps its momentum slot (lr × PyTorch's buffer) even when momentum is 0.
      buffers: (o) => (o.centered ? SQ_MOM_AVG : SQ_MOM),
      initialValue: () => 0,
      writeRecord(f32, u32, word, o) {
        const K = RmspropStepTfjs;
        u32[word + REC_FLAGS] = o.centered ? K.FLAG_CENTERED : 0;
        f32[word + K.alpha] = o.alpha;
        f32[word + K.oneMinusAlpha] = 1 - o.alpha;
        f32[word + K.eps] = o.eps;
        f32[word + K.momentum] = o.momentum;
        f32[word + K.lr] = o.lr;
      },
      sparse: LAZY,
    },
  },
};

/**
 * RMSprop (Hinton, 2012): Adagrad with exponential forgetting. The squared-gradient average
 * decays by `alpha` each step, so old gradients fade and the step size does not vanish.
 *
 * ```text
 * torch:  g ← ±grad + weightDecay·θ;  v ← α·v + (1 − α)·g²
 *         centered: m ← α·m + (1 − α)·g;  v̂ = v − m²   else v̂ = v
 *         momentum > 0: b ← momentum·b + g / (√v̂ + eps);  θ ← θ − lr·b
 *         else          θ ← θ − lr·g / (√v̂ + eps)
 * tfjs:   v ← α·v + (1 − α)·g²;  centered: m ← α·m + (1 − α)·g, den = √(v − (m² + eps))
 *         else den = √(v + eps);  b ← momentum·b + lr·g / den;  θ ← θ − b
 * ```
 *
 * Defaults (torch): lr 1e-2, alpha 0.99, eps 1e-8 (outside the root), weightDecay 0,
 * momentum 0, centered false, maximize false. Flavor `'tfjs'` reproduces `tf.train.rmsprop`:
 * alpha (its `decay`) 0.9, eps 1e-7 inside the root, lr inside the momentum buffer, and the
 * centered form subtracts eps (NaN while the variance estimate is below eps, as in TF.js).
 * With `lazy: true`, a row-sparse gradient steps only its listed rows (README "Embeddings").
 *
 * @example
 * ```ts
 * const w = new Float32Array([1, 2, 3]);
 * const opt = new RMSprop([w], { lr: 0.01, momentum: 0.9 });
 * opt.step([new Float32Array([0.5, -0.5, 1])]);
 * ```
 */
export class RMSprop extends Optimizer<Required<RMSpropOptions>> {
  /** @internal What the shared machinery knows of the algorithm: rules, flavors, kernels. */
  static readonly spec: AlgorithmSpec<Required<RMSpropOptions>> = spec;

  constructor(
    params: readonly ParamInit[] | readonly ParamGroupInit<RMSpropOptions>[],
    options?: OptimizerOptions<RMSpropOptions>,
  ) {
    super(spec, params, options);
  }
}

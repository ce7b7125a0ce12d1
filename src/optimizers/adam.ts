import { AdamStep, AdamStepTfjs } from '../backend/contract.generated.js';
import { REC_FLAGS } from '../backend/record.js';
import { Optimizer, type OptimizerOptions, type ParamGroupInit, type ParamInit } from '../optimizer.js';
import type { AlgorithmSpec, FlavorSpec, KernelContracts, SparsePath, StateName } from '../spec.js';
import { runningProductF32 } from './float32-power.js';

/** Adam's and AdamW's hyperparameters (PyTorch's, camelCased). */
export interface AdamOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Decay rates of the first and second moment estimates, each in [0, 1). Default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** Added to the denominator, outside the root, after bias correction. Default 1e-8 (torch), 1e-7 (tfjs). */
  eps?: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 1e-2). */
  weightDecay?: number;
  /** Use the maximum of past second moments (AMSGrad). Default false. torch only. */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it. Default false. torch only. */
  maximize?: boolean;
  /**
   * Row-sparse gradients (README "Embeddings"): `true` steps only the listed rows, whose state
   * alone moves — TensorFlow's LazyAdam semantics, not equal to a dense step (an unlisted row's
   * state would decay there). `false` (default) refuses a row-sparse gradient. Default false.
   */
  lazy?: boolean;
}

const MOMENTS: readonly StateName[] = ['exp_avg', 'exp_avg_sq'];
const MOMENTS_MAX: readonly StateName[] = ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'];

/** The kernels' records, by name (scripts/gen-contract.mjs generates the offsets from this literal). */
export const kernels = {
  torch: {
    kernel: 'adamStep',
    scalars: [
      'negStepSize',
      'bc2Sqrt',
      'eps',
      'beta1',
      'oneMinusBeta1',
      'beta2',
      'oneMinusBeta2',
      'decayOrWeightDecay',
    ],
    state: ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'],
    flags: ['maximize', 'weightDecay', 'amsgrad', 'decoupled'],
  },
  tfjs: {
    kernel: 'adamStepTfjs',
    scalars: ['negLr', 'a1', 'a2', 'beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'eps'],
    state: ['exp_avg', 'exp_avg_sq'],
    flags: [],
  },
} as const satisfies KernelContracts;

/** Row-sparse gradients: the dense kernel on the listed rows, when the group asks for it. */
const LAZY: SparsePath<Required<AdamOptions>> = {
  refuse: (o) => (o.lazy ? null : 'lazy = false (set lazy: true to step only the listed rows)'),
};

function torch(decoupled: boolean, weightDecay: number): FlavorSpec<Required<AdamOptions>> {
  return {
    defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay, amsgrad: false, maximize: false, lazy: false },
    unsupported: [],
    contract: kernels.torch,
    buffers: (o) => (o.amsgrad ? MOMENTS_MAX : MOMENTS),
    initialValue: () => 0,
    writeRecord(f32, u32, word, o, step) {
      // Indexing, not destructuring: array destructuring allocates an iterator on every step.
      const beta1 = o.betas[0],
        beta2 = o.betas[1];
      const K = AdamStep;
      u32[word + REC_FLAGS] =
        (o.maximize ? K.FLAG_MAXIMIZE : 0) |
        (o.amsgrad ? K.FLAG_AMSGRAD : 0) |
        (decoupled ? K.FLAG_DECOUPLED : o.weightDecay !== 0 ? K.FLAG_WEIGHT_DECAY : 0);
      // PyTorch, in float64: bias_correction = 1 − β^t, step_size = lr / bias_correction1,
      // then −step_size and √bias_correction2 used as float32 scalars.
      f32[word + K.negStepSize] = -(o.lr / (1 - beta1 ** step));
      f32[word + K.bc2Sqrt] = Math.sqrt(1 - beta2 ** step);
      f32[word + K.eps] = o.eps;
      f32[word + K.beta1] = beta1;
      f32[word + K.oneMinusBeta1] = 1 - beta1;
      f32[word + K.beta2] = beta2;
      f32[word + K.oneMinusBeta2] = 1 - beta2;
      f32[word + K.decayOrWeightDecay] = decoupled ? 1 - o.lr * o.weightDecay : o.weightDecay;
    },
    sparse: LAZY,
  };
}

/** aux[0], aux[1] of a parameter: TF.js's float32 running products β1^t, β2^t for the next step. */
const tfjs: FlavorSpec<Required<AdamOptions>> = {
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-7, weightDecay: 0, amsgrad: false, maximize: false, lazy: false },
  unsupported: ['weightDecay', 'amsgrad', 'maximize'],
  contract: kernels.tfjs,
  frameworkNames: { state: { m: 'exp_avg', v: 'exp_avg_sq' } },
  auxKeys: ['acc_beta1', 'acc_beta2'],
  buffers: () => MOMENTS,
  initialValue: () => 0,
  writeRecord(f32, u32, word, o, step, aux) {
    const beta1 = Math.fround(o.betas[0]),
      beta2 = Math.fround(o.betas[1]);
    if (step === 1) {
      aux[0] = beta1;
      aux[1] = beta2;
    }
    const K = AdamStepTfjs;
    u32[word + REC_FLAGS] = 0;
    f32[word + K.negLr] = -o.lr;
    f32[word + K.a1] = 1 - aux[0]!; // exact in float64, rounded once: TF.js's float32 1 − accBeta1
    f32[word + K.a2] = 1 - aux[1]!;
    f32[word + K.beta1] = beta1;
    f32[word + K.oneMinusBeta1] = 1 - o.betas[0];
    f32[word + K.beta2] = beta2;
    f32[word + K.oneMinusBeta2] = 1 - o.betas[1];
    f32[word + K.eps] = o.eps;
    aux[0] = Math.fround(aux[0]! * beta1);
    aux[1] = Math.fround(aux[1]! * beta2);
  },
  sparse: LAZY,
  restoreAux(aux, o, step) {
    if (step === 0) return;
    // β·β^step as writeRecord would have left it after `step` steps, in bounded time (a loaded
    // step count can be up to 2^53 − 1).
    aux[0] = runningProductF32(Math.fround(o.betas[0]), step);
    aux[1] = runningProductF32(Math.fround(o.betas[1]), step);
  },
};

const rules: AlgorithmSpec<Required<AdamOptions>>['rules'] = {
  lr: { kind: 'number', min: 0 },
  betas: { kind: 'pair', min: 0, max: 1, maxExclusive: true },
  eps: { kind: 'number', min: 0 },
  weightDecay: { kind: 'number', min: 0 },
  amsgrad: { kind: 'boolean' },
  maximize: { kind: 'boolean' },
  lazy: { kind: 'boolean', defaultOnLoad: true },
};

const adamSpec: AlgorithmSpec<Required<AdamOptions>> = {
  name: 'Adam',
  rules,
  stateAtConstruction: false,
  flavors: { torch: torch(false, 0), tfjs },
};

const adamWSpec: AlgorithmSpec<Required<AdamOptions>> = {
  name: 'AdamW',
  rules,
  stateAtConstruction: false,
  flavors: { torch: torch(true, 1e-2) }, // TF.js has no AdamW
};

/**
 * Adam (Kingma & Ba, 2015): RMSprop's per-coordinate scaling plus momentum, both as
 * bias-corrected exponential moving averages.
 *
 * ```text
 * torch:  g ← ±grad + weightDecay·θ;  m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 *         amsgrad: v̂ ← max(v̂, v)
 *         θ ← θ − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + eps)
 * tfjs:   the same moments; θ ← θ − lr · (m/(1 − β1^t)) / (√(v/(1 − β2^t)) + eps),
 *         with β^t as float32 running products
 * ```
 *
 * Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8 (torch) or 1e-7 (tfjs), weightDecay 0,
 * amsgrad false, maximize false. Flavor `'tfjs'` reproduces `tf.train.adam(lr, β1, β2, eps)`,
 * including its float32 bias-correction products (which drift from β^t by ~1e-5 relative at
 * β2 = 0.999); it has no weightDecay, amsgrad or maximize. With `lazy: true`, a row-sparse
 * gradient steps only its listed rows (TF's LazyAdam; README "Embeddings").
 *
 * @example
 * ```ts
 * const w = new Float32Array([1, 2, 3]);
 * const opt = new Adam([w], { lr: 1e-3, betas: [0.9, 0.999] });
 * opt.step([new Float32Array([0.5, -0.5, 1])]);
 * ```
 */
export class Adam extends Optimizer<Required<AdamOptions>> {
  /** @internal What the shared machinery knows of the algorithm: rules, flavors, kernels. */
  static readonly spec: AlgorithmSpec<Required<AdamOptions>> = adamSpec;

  constructor(
    params: readonly ParamInit[] | readonly ParamGroupInit<AdamOptions>[],
    options?: OptimizerOptions<AdamOptions>,
  ) {
    super(adamSpec, params, options);
  }
}

/**
 * AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay — the parameter shrinks
 * by `1 − lr·weightDecay` before the Adam update instead of the gradient carrying an L2 term.
 *
 * ```text
 * θ ← θ·(1 − lr·weightDecay), then Adam without weight decay
 * ```
 *
 * Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 1e-2, amsgrad false,
 * maximize false. torch flavor only (TF.js has no AdamW).
 */
export class AdamW extends Optimizer<Required<AdamOptions>> {
  /** @internal What the shared machinery knows of the algorithm: rules, flavors, kernels. */
  static readonly spec: AlgorithmSpec<Required<AdamOptions>> = adamWSpec;

  constructor(
    params: readonly ParamInit[] | readonly ParamGroupInit<AdamOptions>[],
    options?: OptimizerOptions<AdamOptions>,
  ) {
    super(adamWSpec, params, options);
  }
}

import { SgdStep, SgdStepTfjs } from '../backend/contract.generated.js';
import { REC_FLAGS } from '../backend/record.js';
import { Optimizer, type OptimizerOptions, type ParamGroupInit, type ParamInit } from '../optimizer.js';
import type { AlgorithmSpec, FlavorSpec, KernelContracts, StateName } from '../spec.js';

/** SGD's hyperparameters (PyTorch's, camelCased). */
export interface SGDOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Momentum factor. Default 0 (SGD), 0.9 (Momentum). */
  momentum?: number;
  /** Dampening of the momentum: buf ← momentum·buf + (1 − dampening)·g. Default 0. torch only. */
  dampening?: number;
  /** L2 penalty added to the gradient. Default 0. torch only. */
  weightDecay?: number;
  /** Nesterov momentum (torch: needs momentum > 0 and dampening 0). Default false. */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it. Default false. torch only. */
  maximize?: boolean;
}

const NONE: readonly StateName[] = [];
const BUFFER: readonly StateName[] = ['momentum_buffer'];
/** aux[0] of a parameter: 1 once its momentum buffer exists (PyTorch's buffer is None before). */
const STARTED = 0;

/** The kernels' records, by name (scripts/gen-contract.mjs generates the offsets from this literal). */
export const kernels = {
  torch: {
    kernel: 'sgdStep',
    scalars: ['negLr', 'momentum', 'oneMinusDampening', 'weightDecay'],
    state: ['momentum_buffer'],
    flags: ['maximize', 'weightDecay', 'momentum', 'nesterov', 'firstMomentum'],
  },
  tfjs: {
    kernel: 'sgdStepTfjs',
    scalars: ['negLr', 'momentum'],
    state: ['momentum_buffer'],
    flags: ['momentum', 'nesterov'],
  },
} as const satisfies KernelContracts;

const torch: FlavorSpec<Required<SGDOptions>> = {
  defaults: { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  unsupported: [],
  contract: kernels.torch,
  stepInState: false, // PyTorch's SGD state is only its momentum buffer
  buffers: (o) => (o.momentum !== 0 ? BUFFER : NONE),
  // PyTorch creates the buffer at the first step with momentum and keeps it from then on.
  shownState: (_o, aux) => (aux[STARTED] !== 0 ? BUFFER : NONE),
  loadable: () => ({ required: NONE, optional: BUFFER }),
  restoreAux(aux, _o, _step, has) {
    aux[STARTED] = has('momentum_buffer') ? 1 : 0;
  },
  crossCheck: (o) =>
    o.nesterov && (o.momentum <= 0 || o.dampening !== 0)
      ? `nesterov = true requires momentum > 0 and dampening = 0 (got momentum ${o.momentum}, dampening ${o.dampening})`
      : null,
  initialValue: () => 0,
  writeRecord(f32, u32, word, o, _step, aux) {
    const K = SgdStep;
    let flags = (o.maximize ? K.FLAG_MAXIMIZE : 0) | (o.weightDecay !== 0 ? K.FLAG_WEIGHT_DECAY : 0);
    if (o.momentum !== 0) {
      flags |= K.FLAG_MOMENTUM | (o.nesterov ? K.FLAG_NESTEROV : 0) | (aux[STARTED] === 0 ? K.FLAG_FIRST_MOMENTUM : 0);
      aux[STARTED] = 1;
    }
    u32[word + REC_FLAGS] = flags;
    f32[word + K.negLr] = -o.lr;
    f32[word + K.momentum] = o.momentum;
    f32[word + K.oneMinusDampening] = 1 - o.dampening; // float64 first, as Python computes it
    f32[word + K.weightDecay] = o.weightDecay;
  },
};

/** TF.js: tf.train.sgd, or tf.train.momentum when `hasBuffer` says so. */
function tfjs(
  defaults: Required<SGDOptions>,
  hasBuffer: (o: Readonly<Required<SGDOptions>>) => boolean,
): FlavorSpec<Required<SGDOptions>> {
  return {
    defaults,
    unsupported: ['dampening', 'weightDecay', 'maximize'],
    contract: kernels.tfjs,
    frameworkNames: { options: { useNesterov: 'nesterov' }, state: { momentum: 'momentum_buffer' } },
    buffers: (o) => (hasBuffer(o) ? BUFFER : NONE),
    initialValue: () => 0,
    writeRecord(f32, u32, word, o) {
      const K = SgdStepTfjs;
      u32[word + REC_FLAGS] = hasBuffer(o) ? K.FLAG_MOMENTUM | (o.nesterov ? K.FLAG_NESTEROV : 0) : 0;
      f32[word + K.negLr] = -o.lr;
      f32[word + K.momentum] = o.momentum;
    },
  };
}

const rules: AlgorithmSpec<Required<SGDOptions>>['rules'] = {
  lr: { kind: 'number', min: 0 },
  momentum: { kind: 'number', min: 0 },
  dampening: { kind: 'number', min: -Infinity },
  weightDecay: { kind: 'number', min: 0 },
  nesterov: { kind: 'boolean' },
  maximize: { kind: 'boolean' },
};

const sgdSpec: AlgorithmSpec<Required<SGDOptions>> = {
  name: 'SGD',
  rules,
  stateAtConstruction: false,
  flavors: {
    torch,
    // momentum 0 is tf.train.sgd (no state); momentum > 0 or Nesterov is tf.train.momentum.
    tfjs: tfjs(torch.defaults, (o) => o.momentum > 0 || o.nesterov),
  },
};

const momentumDefaults: Required<SGDOptions> = { ...torch.defaults, momentum: 0.9 };

const momentumSpec: AlgorithmSpec<Required<SGDOptions>> = {
  ...sgdSpec,
  name: 'Momentum',
  flavors: {
    torch: { ...torch, defaults: momentumDefaults },
    // tf.train.momentum keeps its accumulator even with momentum 0.
    tfjs: tfjs(momentumDefaults, () => true),
  },
};

/**
 * Stochastic gradient descent, with optional momentum (heavy ball), dampening and Nesterov.
 *
 * ```text
 * torch:  g ← ±grad + weightDecay·θ
 *         momentum ≠ 0: b ← first ? g : momentum·b + (1 − dampening)·g
 *                       d = nesterov ? g + momentum·b : b
 *         θ ← θ − lr·d
 * tfjs:   sgd:      θ ← θ − lr·g
 *         momentum: b ← momentum·b + g (b starts at 0);  θ ← θ − lr·(nesterov ? g + momentum·b : b)
 * ```
 *
 * Defaults: lr 1e-3, momentum 0, dampening 0, weightDecay 0, nesterov false, maximize false.
 * PyTorch's first momentum step copies the gradient into the buffer; TF.js's accumulator
 * starts at zero. Flavor `'tfjs'` reproduces `tf.train.sgd` (momentum 0) and
 * `tf.train.momentum` (momentum > 0 or nesterov); see also {@link Momentum}.
 *
 * @example
 * ```ts
 * const w = new Float32Array([1, 2, 3]);
 * const opt = new SGD([w], { lr: 0.1, momentum: 0.9, nesterov: true });
 * opt.step([new Float32Array([0.5, -0.5, 1])]);
 * ```
 */
export class SGD extends Optimizer<Required<SGDOptions>> {
  /** @internal What the shared machinery knows of the algorithm: rules, flavors, kernels. */
  static readonly spec: AlgorithmSpec<Required<SGDOptions>> = sgdSpec;

  constructor(
    params: readonly ParamInit[] | readonly ParamGroupInit<SGDOptions>[],
    options?: OptimizerOptions<SGDOptions>,
  ) {
    super(sgdSpec, params, options);
  }
}

/**
 * SGD with momentum by default (momentum 0.9): TF.js's and Keras's "momentum" optimizer.
 * The torch flavor is exactly {@link SGD}; the tfjs flavor is `tf.train.momentum`, which keeps
 * its accumulator even when momentum is 0 (where `SGD` with `flavor: 'tfjs'` is `tf.train.sgd`).
 */
export class Momentum extends Optimizer<Required<SGDOptions>> {
  /** @internal What the shared machinery knows of the algorithm: rules, flavors, kernels. */
  static readonly spec: AlgorithmSpec<Required<SGDOptions>> = momentumSpec;

  constructor(
    params: readonly ParamInit[] | readonly ParamGroupInit<SGDOptions>[],
    options?: OptimizerOptions<SGDOptions>,
  ) {
    super(momentumSpec, params, options);
  }
}

import { AdagradSparseStep, AdagradStep, AdagradStepTfjs } from '../backend/contract.generated.js';
import { REC_FLAGS } from '../backend/record.js';
import { Optimizer, type OptimizerOptions, type ParamGroupInit, type ParamInit } from '../optimizer.js';
import type { AlgorithmSpec, KernelContracts, StateName } from '../spec.js';

/** Adagrad's hyperparameters (PyTorch's, camelCased). */
export interface AdagradOptions {
  /** Learning rate. Default 1e-2. */
  lr?: number;
  /** Learning-rate decay: step t uses lr / (1 + (t − 1)·lrDecay). Default 0. torch only. */
  lrDecay?: number;
  /** L2 penalty added to the gradient. Default 0. torch only. */
  weightDecay?: number;
  /** Starting value of the accumulator `sum`. Default 0 (torch), 0.1 (tfjs). */
  initialAccumulatorValue?: number;
  /** Added for numerical stability: outside the root (torch, default 1e-10), inside (tfjs, default 1e-7). */
  eps?: number;
  /** Maximize the objective instead of minimizing it. Default false. torch only. */
  maximize?: boolean;
}

const SUM: readonly StateName[] = ['sum'];

/** The kernels' records, by name (scripts/gen-contract.mjs generates the offsets from this literal). */
export const kernels = {
  torch: {
    kernel: 'adagradStep',
    scalars: ['negClr', 'eps', 'weightDecay'],
    state: ['sum'],
    flags: ['maximize', 'weightDecay'],
  },
  tfjs: { kernel: 'adagradStepTfjs', scalars: ['negLr', 'eps'], state: ['sum'], flags: [] },
  // PyTorch's sparse path rounds differently from its dense one (no FMA in the sum, one in the update).
  torchSparse: { kernel: 'adagradSparseStep', scalars: ['negClr', 'eps'], state: ['sum'], flags: ['maximize'] },
} as const satisfies KernelContracts;

const spec: AlgorithmSpec<Required<AdagradOptions>> = {
  name: 'Adagrad',
  rules: {
    lr: { kind: 'number', min: 0 },
    lrDecay: { kind: 'number', min: 0 },
    weightDecay: { kind: 'number', min: 0 },
    initialAccumulatorValue: { kind: 'number', min: 0 },
    eps: { kind: 'number', min: 0 },
    maximize: { kind: 'boolean' },
  },
  stateAtConstruction: true,
  flavors: {
    torch: {
      defaults: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
      unsupported: [],
      contract: kernels.torch,
      buffers: () => SUM,
      initialValue: (_name, options) => options.initialAccumulatorValue,
      writeRecord(f32, u32, word, o, step) {
        const K = AdagradStep;
        u32[word + REC_FLAGS] = (o.maximize ? K.FLAG_MAXIMIZE : 0) | (o.weightDecay !== 0 ? K.FLAG_WEIGHT_DECAY : 0);
        // PyTorch: clr = lr / (1 + (step − 1) * lr_decay) in float64, then −clr as a float32 scalar.
        f32[word + K.negClr] = -(o.lr / (1 + (step - 1) * o.lrDecay));
        f32[word + K.eps] = o.eps;
        f32[word + K.weightDecay] = o.weightDecay;
      },
      sparse: {
        contract: kernels.torchSparse,
        writeRecord(f32, u32, word, o, step) {
          const K = AdagradSparseStep;
          u32[word + REC_FLAGS] = o.maximize ? K.FLAG_MAXIMIZE : 0;
          f32[word + K.negClr] = -(o.lr / (1 + (step - 1) * o.lrDecay));
          f32[word + K.eps] = o.eps;
        },
        // torch.optim.Adagrad: "weight_decay option is not compatible with sparse gradients".
        refuse: (o) =>
          o.weightDecay !== 0 ? `weightDecay = ${o.weightDecay} (PyTorch's sparse Adagrad has none)` : null,
      },
    },
    tfjs: {
      // tf.train.adagrad(learningRate, initialAccumulatorValue = 0.1); epsilon is the backend's 1e-7.
      defaults: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0.1, eps: 1e-7, maximize: false },
      unsupported: ['lrDecay', 'weightDecay', 'maximize'],
      contract: kernels.tfjs,
      frameworkNames: { state: { accumulator: 'sum' } },
      buffers: () => SUM,
      initialValue: (_name, options) => options.initialAccumulatorValue,
      writeRecord(f32, u32, word, o) {
        u32[word + REC_FLAGS] = 0;
        f32[word + AdagradStepTfjs.negLr] = -o.lr;
        f32[word + AdagradStepTfjs.eps] = o.eps;
      },
      // TF's SparseApplyAdagrad: the dense arithmetic on the listed rows only.
      sparse: {},
    },
  },
};

/**
 * Adagrad (Duchi et al., 2011): each coordinate's step is divided by the root of the sum of
 * all its squared gradients, so coordinates with large gradients take small steps and rare
 * ones large steps — the cure for gradients of very different scales ("different units").
 *
 * ```text
 * torch:  g ← ±grad + weightDecay·θ;  sum ← sum + g²;  θ ← θ − lr_t · g / (√sum + eps)
 *         lr_t = lr / (1 + (t − 1)·lrDecay)
 * tfjs:   sum ← sum + g²;             θ ← θ − lr · g / √(sum + eps)
 * ```
 *
 * Row-sparse gradients (README "Embeddings"): only the listed rows of θ and `sum` change. The
 * torch flavor uses PyTorch's sparse arithmetic (`sum ← sum + g²` without a fused multiply-add,
 * `θ ← fma(g / std, −lr_t, θ)`) and refuses weightDecay ≠ 0 as PyTorch does; tfjs applies its
 * dense arithmetic to the listed rows (TF's SparseApplyAdagrad).
 *
 * Warning: `sum` only grows, so the effective step lr/√sum tends to zero and training can
 * stall long before a minimum; RMSprop's forgetting fixes that.
 *
 * Defaults (torch): lr 1e-2, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10
 * (outside the root), maximize false. Flavor `'tfjs'` reproduces `tf.train.adagrad`:
 * eps 1e-7 inside the root, initialAccumulatorValue 0.1, and no lrDecay, weightDecay or maximize.
 *
 * @example
 * ```ts
 * const w = new Float32Array([1, 2, 3]);
 * const opt = new Adagrad([w], { lr: 0.1 });
 * opt.step([new Float32Array([0.5, -0.5, 1])]); // w is updated in place
 * ```
 */
export class Adagrad extends Optimizer<Required<AdagradOptions>> {
  /** @internal What the shared machinery knows of the algorithm: rules, flavors, kernels. */
  static readonly spec: AlgorithmSpec<Required<AdagradOptions>> = spec;

  constructor(
    params: readonly ParamInit[] | readonly ParamGroupInit<AdagradOptions>[],
    options?: OptimizerOptions<AdagradOptions>,
  ) {
    super(spec, params, options);
  }
}

import { SparseAdamStep } from '../backend/contract.generated.js';
import { REC_FLAGS } from '../backend/record.js';
import { Optimizer, type OptimizerOptions, type ParamGroupInit, type ParamInit } from '../optimizer.js';
import type { AlgorithmSpec, KernelContracts, StateName } from '../spec.js';

/** SparseAdam's hyperparameters (PyTorch's, camelCased). */
export interface SparseAdamOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Decay rates of the first and second moment estimates, each in [0, 1). Default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** Added to √v, outside the root and not bias-corrected (unlike Adam). Default 1e-8. */
  eps?: number;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize?: boolean;
}

const MOMENTS: readonly StateName[] = ['exp_avg', 'exp_avg_sq'];

/** The kernel's record, by name (scripts/gen-contract.mjs generates the offsets from this literal). */
export const kernels = {
  torch: {
    kernel: 'sparseAdamStep',
    scalars: ['negStepSize', 'eps', 'oneMinusBeta1', 'oneMinusBeta2'],
    state: ['exp_avg', 'exp_avg_sq'],
    flags: ['maximize'],
  },
} as const satisfies KernelContracts;

const spec: AlgorithmSpec<Required<SparseAdamOptions>> = {
  name: 'SparseAdam',
  rules: {
    lr: { kind: 'number', min: 0 },
    betas: { kind: 'pair', min: 0, max: 1, maxExclusive: true },
    eps: { kind: 'number', min: 0 },
    maximize: { kind: 'boolean' },
  },
  stateAtConstruction: false,
  flavors: {
    torch: {
      defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, maximize: false },
      unsupported: [],
      contract: kernels.torch,
      buffers: () => MOMENTS,
      initialValue: () => 0,
      writeRecord(f32, u32, word, o, step) {
        const beta1 = o.betas[0],
          beta2 = o.betas[1];
        const K = SparseAdamStep;
        u32[word + REC_FLAGS] = o.maximize ? K.FLAG_MAXIMIZE : 0;
        // PyTorch, in float64: step_size = lr · √(1 − β2^t) / (1 − β1^t); −step_size as a float32 scalar.
        f32[word + K.negStepSize] = -((o.lr * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step));
        f32[word + K.eps] = o.eps;
        f32[word + K.oneMinusBeta1] = 1 - beta1;
        f32[word + K.oneMinusBeta2] = 1 - beta2;
      },
      // Lazy by design: the listed rows only, with the same kernel.
      sparse: {},
    },
  },
};

/**
 * SparseAdam (PyTorch's `torch.optim.SparseAdam`): Adam for embedding tables, lazy — a row-sparse
 * gradient moves only the listed rows' parameters and moments; the other rows' moments do not
 * decay. Declare the table with rows (`{ data, rows }`) and step with `{ indices, values }`
 * (README "Embeddings"); repeated rows are summed first.
 *
 * ```text
 * for each listed row:  m ← m + (1 − β1)·(g − m);  v ← v + (1 − β2)·(g² − v)
 *                       θ ← θ − lr·√(1 − β2^t)/(1 − β1^t) · m / (√v + eps)
 * t = the parameter's own step count (every step it takes, sparse or dense)
 * ```
 *
 * Bit-identical to PyTorch 1.13's CPU SparseAdam. Unlike PyTorch it also takes a dense gradient,
 * stepping every row (as if all were listed) — so a model's dense parameters can share the
 * optimizer. Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, maximize false. torch flavor only.
 *
 * @example
 * ```ts
 * const table = new Float32Array(1000 * 16); // 1000 rows of 16
 * const opt = new SparseAdam([{ data: table, rows: 1000 }], { lr: 0.01 });
 * opt.step([{ indices: Int32Array.of(3, 7, 3), values: new Float32Array(3 * 16).fill(0.5) }]);
 * ```
 */
export class SparseAdam extends Optimizer<Required<SparseAdamOptions>> {
  /** @internal What the shared machinery knows of the algorithm: rules, flavors, kernels. */
  static readonly spec: AlgorithmSpec<Required<SparseAdamOptions>> = spec;

  constructor(
    params: readonly ParamInit[] | readonly ParamGroupInit<SparseAdamOptions>[],
    options?: OptimizerOptions<SparseAdamOptions>,
  ) {
    super(spec, params, options);
  }
}

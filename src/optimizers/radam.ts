import { RadamStep } from '../backend/contract.generated.js';
import { REC_FLAGS } from '../backend/record.js';
import { Optimizer, type OptimizerOptions, type ParamGroupInit, type ParamInit } from '../optimizer.js';
import type { AlgorithmSpec, KernelContracts, StateName } from '../spec.js';

/** RAdam's hyperparameters (PyTorch's, camelCased). */
export interface RAdamOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Decay rates of the first and second moment estimates, each in [0, 1). Default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** Added to √v before the bias correction (rectified steps only). Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
}

const MOMENTS: readonly StateName[] = ['exp_avg', 'exp_avg_sq'];

/**
 * The kernel's record, by name (scripts/gen-contract.mjs generates the offsets from this literal).
 * Ten scalars: the ninth sits in the record's reserved word, the tenth in the unused state2 word.
 */
export const kernels = {
  torch: {
    kernel: 'radamStep',
    scalars: ['lr', 'bc1', 'eps', 'bc2Sqrt', 'beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'weightDecay', 'rect'],
    state: ['exp_avg', 'exp_avg_sq'],
    flags: ['weightDecay', 'rectified'],
  },
} as const satisfies KernelContracts;

const spec: AlgorithmSpec<Required<RAdamOptions>> = {
  name: 'RAdam',
  rules: {
    lr: { kind: 'number', min: 0 },
    betas: { kind: 'pair', min: 0, max: 1, maxExclusive: true },
    eps: { kind: 'number', min: 0 },
    weightDecay: { kind: 'number', min: 0 },
  },
  stateAtConstruction: false,
  // torch only: TF.js 4.22 has no RAdam.
  flavors: {
    torch: {
      defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 },
      unsupported: [],
      contract: kernels.torch,
      buffers: () => MOMENTS,
      initialValue: () => 0,
      writeRecord(f32, u32, word, o, step) {
        const beta1 = o.betas[0],
          beta2 = o.betas[1];
        // PyTorch, in float64: the bias corrections, ρ∞ and ρ_t, and for ρ_t > 5 the
        // rectification factor; each used as a float32 scalar.
        const beta2Power = beta2 ** step;
        const bc1 = 1 - beta1 ** step;
        const bc2 = 1 - beta2Power;
        const rhoInf = 2 / (1 - beta2) - 1;
        const rhoT = rhoInf - (2 * step * beta2Power) / bc2;
        const rectified = rhoT > 5;
        const K = RadamStep;
        u32[word + REC_FLAGS] = (o.weightDecay !== 0 ? K.FLAG_WEIGHT_DECAY : 0) | (rectified ? K.FLAG_RECTIFIED : 0);
        f32[word + K.lr] = o.lr;
        f32[word + K.bc1] = bc1;
        f32[word + K.eps] = o.eps;
        f32[word + K.bc2Sqrt] = Math.sqrt(bc2);
        f32[word + K.beta1] = beta1;
        f32[word + K.oneMinusBeta1] = 1 - beta1;
        f32[word + K.beta2] = beta2;
        f32[word + K.oneMinusBeta2] = 1 - beta2;
        f32[word + K.weightDecay] = o.weightDecay;
        f32[word + K.rect] = rectified
          ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
          : 0;
      },
    },
  },
};

/**
 * RAdam (Liu et al., 2020): Adam whose adaptive step is switched on only once the variance of
 * the adaptive learning rate is tractable (ρ_t > 5), and then scaled by a rectification term;
 * before that it is SGD with bias-corrected momentum.
 *
 * ```text
 * g ← grad + weightDecay·θ;  m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  m̂ = m/(1 − β1^t)
 * ρ∞ = 2/(1 − β2) − 1;  ρ_t = ρ∞ − 2t·β2^t/(1 − β2^t)
 * ρ_t > 5:  r = √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t))
 *           θ ← θ − m̂·lr · √(1 − β2^t)/(√v + eps) · r
 * else:     θ ← θ − m̂·lr
 * ```
 *
 * State: `exp_avg` (m), `exp_avg_sq` (v). Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8,
 * weightDecay 0. torch flavor only (TF.js has no RAdam); PyTorch 1.13's RAdam has no `maximize`
 * or decoupled weight decay.
 *
 * @example
 * ```ts
 * const w = new Float32Array([1, 2, 3]);
 * const opt = new RAdam([w], { lr: 1e-3 });
 * opt.step([new Float32Array([0.5, -0.5, 1])]);
 * ```
 */
export class RAdam extends Optimizer<Required<RAdamOptions>> {
  /** @internal What the shared machinery knows of the algorithm: rules, flavors, kernels. */
  static readonly spec: AlgorithmSpec<Required<RAdamOptions>> = spec;

  constructor(
    params: readonly ParamInit[] | readonly ParamGroupInit<RAdamOptions>[],
    options?: OptimizerOptions<RAdamOptions>,
  ) {
    super(spec, params, options);
  }
}

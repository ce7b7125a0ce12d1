import { AdadeltaStep, AdadeltaStepTfjs } from '../backend/contract.generated.js';
import { REC_FLAGS } from '../backend/record.js';
import { Optimizer, type OptimizerOptions, type ParamGroupInit, type ParamInit } from '../optimizer.js';
import type { AlgorithmSpec, KernelContracts, StateName } from '../spec.js';

/** Adadelta's hyperparameters (PyTorch's, camelCased). */
export interface AdadeltaOptions {
  /** Scale of the update. Default 1 (torch), 1e-3 (tfjs). */
  lr?: number;
  /** Decay of both running averages, in [0, 1]. Default 0.9 (torch), 0.95 (tfjs). */
  rho?: number;
  /** Added inside both roots. Default 1e-6 (torch), 1e-7 (tfjs). */
  eps?: number;
  /** L2 penalty added to the gradient. Default 0. torch only. */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing it. Default false. torch only. */
  maximize?: boolean;
}

const BUFFERS: readonly StateName[] = ['square_avg', 'acc_delta'];

/** The kernels' records, by name (scripts/gen-contract.mjs generates the offsets from this literal). */
export const kernels = {
  torch: {
    kernel: 'adadeltaStep',
    scalars: ['negLr', 'rho', 'oneMinusRho', 'eps', 'weightDecay'],
    state: ['square_avg', 'acc_delta'],
    flags: ['maximize', 'weightDecay'],
  },
  tfjs: {
    kernel: 'adadeltaStepTfjs',
    scalars: ['negLr', 'rho', 'oneMinusRho', 'eps'],
    state: ['square_avg', 'acc_delta'],
    flags: [],
  },
} as const satisfies KernelContracts;

const spec: AlgorithmSpec<Required<AdadeltaOptions>> = {
  name: 'Adadelta',
  rules: {
    lr: { kind: 'number', min: 0 },
    rho: { kind: 'number', min: 0, max: 1 },
    eps: { kind: 'number', min: 0 },
    weightDecay: { kind: 'number', min: 0 },
    maximize: { kind: 'boolean' },
  },
  stateAtConstruction: false,
  flavors: {
    torch: {
      defaults: { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false },
      unsupported: [],
      contract: kernels.torch,
      buffers: () => BUFFERS,
      initialValue: () => 0,
      writeRecord(f32, u32, word, o) {
        const K = AdadeltaStep;
        u32[word + REC_FLAGS] = (o.maximize ? K.FLAG_MAXIMIZE : 0) | (o.weightDecay !== 0 ? K.FLAG_WEIGHT_DECAY : 0);
        f32[word + K.negLr] = -o.lr;
        f32[word + K.rho] = o.rho;
        f32[word + K.oneMinusRho] = 1 - o.rho; // float64 first, as Python computes it
        f32[word + K.eps] = o.eps;
        f32[word + K.weightDecay] = o.weightDecay;
      },
    },
    tfjs: {
      defaults: { lr: 1e-3, rho: 0.95, eps: 1e-7, weightDecay: 0, maximize: false },
      unsupported: ['weightDecay', 'maximize'],
      contract: kernels.tfjs,
      frameworkNames: { state: { accum_grad: 'square_avg', accum_var: 'acc_delta' } },
      buffers: () => BUFFERS,
      initialValue: () => 0,
      writeRecord(f32, u32, word, o) {
        const K = AdadeltaStepTfjs;
        u32[word + REC_FLAGS] = 0;
        f32[word + K.negLr] = -o.lr;
        f32[word + K.rho] = o.rho;
        f32[word + K.oneMinusRho] = 1 - o.rho; // float64 first, as JavaScript computes it
        f32[word + K.eps] = o.eps;
      },
    },
  },
};

/**
 * Adadelta (Zeiler, 2012): no hand-tuned step size — each coordinate moves by the ratio of the
 * root-mean-square of its past updates to that of its gradients, both decayed by rho.
 *
 * ```text
 * torch:  g ← ±grad + weightDecay·θ;  s ← ρ·s + (1 − ρ)·g²
 *         δ = √(u + eps) / √(s + eps) · g;  u ← ρ·u + (1 − ρ)·δ²;  θ ← θ − lr·δ
 * tfjs:   δ uses the accumulated gradient s from BEFORE this step (so its first δ is g)
 * ```
 *
 * State: `square_avg` (s; TF.js accum_grad), `acc_delta` (u; TF.js accum_var).
 * Defaults (torch): lr 1, rho 0.9, eps 1e-6, weightDecay 0, maximize false; (tfjs) lr 1e-3,
 * rho 0.95, eps 1e-7.
 *
 * @example
 * ```ts
 * const w = new Float32Array([1, 2, 3]);
 * const opt = new Adadelta([w]);
 * opt.step([new Float32Array([0.5, -0.5, 1])]);
 * ```
 */
export class Adadelta extends Optimizer<Required<AdadeltaOptions>> {
  /** @internal What the shared machinery knows of the algorithm: rules, flavors, kernels. */
  static readonly spec: AlgorithmSpec<Required<AdadeltaOptions>> = spec;

  constructor(
    params: readonly ParamInit[] | readonly ParamGroupInit<AdadeltaOptions>[],
    options?: OptimizerOptions<AdadeltaOptions>,
  ) {
    super(spec, params, options);
  }
}

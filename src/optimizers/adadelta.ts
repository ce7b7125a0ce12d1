import { FLAG_MAXIMIZE, FLAG_WEIGHT_DECAY, REC_FLAGS, REC_SCALARS } from '../backend/record.js';
import { Optimizer, type OptimizerOptions, type ParamGroupInit, type ParamInit } from '../optimizer.js';
import type { AlgorithmSpec, FlavorSpec, StateName } from '../spec.js';

/** Adadelta's hyperparameters (PyTorch's, camelCased). */
export interface AdadeltaOptions {
  /** Scale of the update. Default 1 (torch), 1e-3 (tfjs). */
  lr: number;
  /** Decay of both running averages, in [0, 1]. Default 0.9 (torch), 0.95 (tfjs). */
  rho: number;
  /** Added inside both roots. Default 1e-6 (torch), 1e-7 (tfjs). */
  eps: number;
  /** L2 penalty added to the gradient. Default 0. torch only. */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it. Default false. torch only. */
  maximize: boolean;
}

const BUFFERS: readonly StateName[] = ['square_avg', 'acc_delta'];

function flavor(
  defaults: AdadeltaOptions,
  kernel: 'adadeltaStep' | 'adadeltaStepTfjs',
  unsupported: FlavorSpec<AdadeltaOptions>['unsupported'],
): FlavorSpec<AdadeltaOptions> {
  return {
    defaults,
    unsupported,
    kernel,
    buffers: () => BUFFERS,
    initialValue: () => 0,
    writeRecord(f32, u32, word, o) {
      u32[word + REC_FLAGS] = (o.maximize ? FLAG_MAXIMIZE : 0) | (o.weightDecay !== 0 ? FLAG_WEIGHT_DECAY : 0);
      const s = word + REC_SCALARS;
      f32[s] = -o.lr;
      f32[s + 1] = o.rho;
      f32[s + 2] = 1 - o.rho; // float64 first, as Python and JavaScript compute it
      f32[s + 3] = o.eps;
      f32[s + 4] = o.weightDecay;
    },
  };
}

const spec: AlgorithmSpec<AdadeltaOptions> = {
  name: 'Adadelta',
  rules: {
    lr: { kind: 'number', min: 0 },
    rho: { kind: 'number', min: 0, max: 1 },
    eps: { kind: 'number', min: 0 },
    weightDecay: { kind: 'number', min: 0 },
    maximize: { kind: 'boolean' },
  },
  slots: { square_avg: 0, acc_delta: 1 },
  stateAtConstruction: false,
  flavors: {
    torch: flavor({ lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false }, 'adadeltaStep', []),
    tfjs: flavor({ lr: 1e-3, rho: 0.95, eps: 1e-7, weightDecay: 0, maximize: false }, 'adadeltaStepTfjs', [
      'weightDecay',
      'maximize',
    ]),
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
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(
    params: readonly ParamInit[] | readonly ParamGroupInit<AdadeltaOptions>[],
    options?: OptimizerOptions<AdadeltaOptions>,
  ) {
    super(spec, params, options);
  }
}

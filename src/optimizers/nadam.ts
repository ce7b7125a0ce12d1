import { NadamStep } from '../backend/contract.generated.js';
import { REC_FLAGS } from '../backend/record.js';
import { Optimizer, type OptimizerOptions, type ParamGroupInit, type ParamInit } from '../optimizer.js';
import type { AlgorithmSpec, KernelContracts, StateName } from '../spec.js';
import { runningProductF32From } from './float32-power.js';

/** NAdam's hyperparameters (PyTorch's, camelCased). */
export interface NAdamOptions {
  /** Learning rate. Default 2e-3. */
  lr?: number;
  /** Decay rates of the first and second moment estimates, each in [0, 1). Default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** Added to the denominator, outside the root, after bias correction. Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** ψ of the momentum schedule μ_t = β1·(1 − 0.5·0.96^(t·ψ)). Default 4e-3. */
  momentumDecay?: number;
}

const MOMENTS: readonly StateName[] = ['exp_avg', 'exp_avg_sq'];

/** The kernel's record, by name (scripts/gen-contract.mjs generates the offsets from this literal). */
export const kernels = {
  torch: {
    kernel: 'nadamStep',
    scalars: [
      'negGradStep',
      'negMomentumStep',
      'bc2',
      'eps',
      'beta1',
      'oneMinusBeta1',
      'beta2',
      'oneMinusBeta2',
      'weightDecay',
    ],
    state: ['exp_avg', 'exp_avg_sq'],
    flags: ['weightDecay'],
  },
} as const satisfies KernelContracts;

/** μ_t in float64, as PyTorch 1.13 computes it: β1·(1 − 0.5·0.96^(t·ψ)). */
function mu(beta1: number, momentumDecay: number, t: number): number {
  return beta1 * (1 - 0.5 * 0.96 ** (t * momentumDecay));
}

// μ_t and μ_(t+1) of the last record written: the other tensors of a step ask for the same pair,
// and the next step's μ_t is this step's μ_(t+1), so most records need no power at all (a power
// costs about as much as the rest of a small tensor's step). [β1, ψ, t, μ_t, μ_(t+1)].
const lastMu = new Float64Array([NaN, NaN, NaN, NaN, NaN]);

/** Sets lastMu to μ_t, μ_(t+1) for these options: the same values mu() gives. */
function musAt(beta1: number, momentumDecay: number, t: number): void {
  const same = Object.is(lastMu[0], beta1) && Object.is(lastMu[1], momentumDecay);
  if (same && lastMu[2] === t) return;
  lastMu[3] = same && lastMu[2] === t - 1 ? lastMu[4]! : mu(beta1, momentumDecay, t);
  lastMu[4] = mu(beta1, momentumDecay, t + 1);
  lastMu[0] = beta1;
  lastMu[1] = momentumDecay;
  lastMu[2] = t;
}

// The last answer of restoreMuProduct: a load usually restores many parameters at one step count.
const recent = { beta1: NaN, momentumDecay: NaN, steps: -1, value: 1 };

/**
 * PyTorch's float32 `mu_product` after `steps` steps: p ← fl(p·fl(μ_t)) from p = 1, in bounded
 * time. μ_t never decreases with t (ψ ≥ 0) and stays ≤ β1 < 1, so:
 *  - once fl(μ_t) = fl(β1), every later factor is fl(β1): runningProductF32From jumps to the end;
 *  - once a step leaves p unchanged (p = 0, or p stuck at a subnormal such as 2^-149 whose
 *    product with a factor > 1/2 rounds back to it), every later one does: a later factor is no
 *    smaller and at most 1, and rounding is monotone.
 * One of the two happens within a few thousand steps (at most 2,370 over β1 from 0 to 1 − 2^-53
 * and ψ from 1e-12 to 1e6): fl(μ_t) reaches fl(β1) by t ≈ 408/ψ, and for ψ below about 0.1 the
 * early factors (≈ β1/2) drive the product to its fixed point first.
 */
function restoreMuProduct(beta1: number, momentumDecay: number, steps: number): number {
  if (Object.is(recent.beta1, beta1) && Object.is(recent.momentumDecay, momentumDecay) && recent.steps === steps) {
    return recent.value;
  }
  const b = Math.fround(beta1);
  let p = 1;
  if (Object.is(b, -0)) {
    // β1 = −0: every factor is −0, so the product is ±0 with the sign alternating.
    p = steps === 0 ? 1 : steps % 2 === 1 ? -0 : 0;
  } else {
    let t = 1;
    for (; t <= steps; t++) {
      const m = Math.fround(mu(beta1, momentumDecay, t));
      if (m === b) break;
      const next = Math.fround(p * m);
      if (next === p) {
        t = steps + 1;
        break;
      }
      p = next;
    }
    if (t <= steps) p = runningProductF32From(p, b, steps - t + 1);
  }
  recent.beta1 = beta1;
  recent.momentumDecay = momentumDecay;
  recent.steps = steps;
  recent.value = p;
  return p;
}

const spec: AlgorithmSpec<Required<NAdamOptions>> = {
  name: 'NAdam',
  rules: {
    lr: { kind: 'number', min: 0 },
    betas: { kind: 'pair', min: 0, max: 1, maxExclusive: true },
    eps: { kind: 'number', min: 0 },
    weightDecay: { kind: 'number', min: 0 },
    momentumDecay: { kind: 'number', min: 0 },
  },
  stateAtConstruction: false,
  // torch only: TF.js 4.22 has no NAdam.
  flavors: {
    torch: {
      defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 },
      unsupported: [],
      contract: kernels.torch,
      // aux[0]: PyTorch's float32 mu_product, the product of fl(μ_i) over the steps taken.
      auxKeys: ['mu_product'],
      buffers: () => MOMENTS,
      initialValue: () => 0,
      writeRecord(f32, u32, word, o, step, aux) {
        const beta1 = o.betas[0],
          beta2 = o.betas[1];
        if (step === 1) aux[0] = 1; // PyTorch's fresh state: mu_product = 1
        // PyTorch, float64 scalars: μ_t, μ_(t+1); the float32 tensor mu_product; then
        // mu_product_next = mu_product·μ_t·μ_(t+1) in float32 (1.13 multiplies μ_t in twice).
        musAt(beta1, o.momentumDecay, step);
        const muT = lastMu[3]!,
          muNext = lastMu[4]!;
        const muProduct = Math.fround(aux[0]! * Math.fround(muT));
        const muProductNext = Math.fround(Math.fround(muProduct * Math.fround(muT)) * Math.fround(muNext));
        aux[0] = muProduct;
        const K = NadamStep;
        u32[word + REC_FLAGS] = o.weightDecay !== 0 ? K.FLAG_WEIGHT_DECAY : 0;
        f32[word + K.negGradStep] = (-o.lr * (1 - muT)) / (1 - muProduct);
        f32[word + K.negMomentumStep] = (-o.lr * muNext) / (1 - muProductNext);
        f32[word + K.bc2] = 1 - beta2 ** step;
        f32[word + K.eps] = o.eps;
        f32[word + K.beta1] = beta1;
        f32[word + K.oneMinusBeta1] = 1 - beta1;
        f32[word + K.beta2] = beta2;
        f32[word + K.oneMinusBeta2] = 1 - beta2;
        f32[word + K.weightDecay] = o.weightDecay;
      },
      restoreAux(aux, o, step) {
        // A dict without mu_product (PyTorch's always has one): rebuilt from the step count.
        aux[0] = restoreMuProduct(o.betas[0], o.momentumDecay, step);
      },
    },
  },
};

/**
 * NAdam (Dozat, 2016): Adam with Nesterov momentum — the update looks ahead by applying the next
 * step's momentum coefficient, with a warming-up momentum schedule μ_t.
 *
 * ```text
 * g ← grad + weightDecay·θ;  μ_t = β1·(1 − 0.5·0.96^(t·ψ));  Π ← Π·μ_t   (mu_product, float32)
 * m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  d = √(v / (1 − β2^t)) + eps
 * θ ← θ − lr·(1 − μ_t)/(1 − Π) · g/d
 * θ ← θ − lr·μ_(t+1)/(1 − Π·μ_t·μ_(t+1)) · m/d        (PyTorch 1.13: μ_t enters twice)
 * ```
 *
 * State: `exp_avg` (m), `exp_avg_sq` (v) and `mu_product` (Π, a number). Defaults: lr 2e-3,
 * betas [0.9, 0.999], eps 1e-8, weightDecay 0, momentumDecay 4e-3. torch flavor only (TF.js has
 * no NAdam); PyTorch 1.13's NAdam has no `maximize`.
 *
 * @example
 * ```ts
 * const w = new Float32Array([1, 2, 3]);
 * const opt = new NAdam([w], { lr: 2e-3 });
 * opt.step([new Float32Array([0.5, -0.5, 1])]);
 * ```
 */
export class NAdam extends Optimizer<Required<NAdamOptions>> {
  /** @internal What the shared machinery knows of the algorithm: rules, flavors, kernels. */
  static readonly spec: AlgorithmSpec<Required<NAdamOptions>> = spec;

  constructor(
    params: readonly ParamInit[] | readonly ParamGroupInit<NAdamOptions>[],
    options?: OptimizerOptions<NAdamOptions>,
  ) {
    super(spec, params, options);
  }
}

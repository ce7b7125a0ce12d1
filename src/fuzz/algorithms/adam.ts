// Adam and AdamW (golden README, "Formulas"), used once the registry has 'adam' / 'adamw':
//   torch:  g = maximize ? −grad : grad;  Adam: g = fma(θ, weightDecay, g)
//           AdamW: θ = θ·(1 − lr·weightDecay) first (one float32 scalar), no L2 term
//           m = fma(g, 1 − β1, m·β1);  v = fma((1 − β2)·g, g, v·β2);  amsgrad: v̂ = max(v̂, v), used for v
//           θ = θ − (lr / (1 − β1^t))·m / (√v / √(1 − β2^t) + eps)     (float64 scalars)
//   tfjs:   m = β1·m + g·(1 − β1);  v = β2·v + g²·(1 − β2)
//           θ = θ + ((m / (1 − B1)) / (√(v / (1 − B2)) + eps))·(−lr)
//           B1, B2: TF.js's accBeta, float32 running products that start at β and are
//           multiplied by β after each step (β^t when β is fixed; rounding in the bound)
import type { Arith, B } from '../bounded.js';
import {
  BOOLEAN,
  EPS,
  LR,
  WEIGHT_DECAY,
  type AlgorithmDescription,
  type CustomDomain,
  type OracleRule,
  type Options,
} from '../describe.js';

export const BETAS: CustomDomain = {
  kind: 'custom',
  edges: [
    [0.9, 0.999],
    [0, 0],
    [0, 0.999],
    [0.9, 0],
    [0.5, 0.9],
    [0.999999, 0.999999],
    [0.8, 0.99],
  ],
  typical: (r) => [1 - r.logUniform(-3, -0.3), 1 - r.logUniform(-4, -0.5)],
  invalid: [[1, 0.999], [0.9, 1], [-0.1, 0.999], [0.9, -1e-45], [NaN, 0.999], [0.9, NaN], [0.9], '0.9', 0.9, null, {}],
};

const betas = (o: Readonly<Options>): [number, number] => o['betas'] as [number, number];

function torchRule(decoupled: boolean): OracleRule {
  return {
    buffers: (o) => ({ exp_avg: 0, exp_avg_sq: 0, ...(o['amsgrad'] ? { max_exp_avg_sq: 0 } : {}) }),
    scalars(o, t) {
      const [b1, b2] = betas(o);
      const lr = o['lr'] as number;
      return {
        b1,
        oneMinusB1: 1 - b1,
        b2,
        oneMinusB2: 1 - b2,
        sqrtBc2: Math.sqrt(1 - b2 ** t),
        negStepSize: -(lr / (1 - b1 ** t)),
        eps: o['eps'] as number,
        wd: o['weightDecay'] as number,
        decay: 1 - lr * (o['weightDecay'] as number),
      };
    },
    update({ param, grad, state, s, o }, A) {
      let g = o['maximize'] ? A.neg(grad) : grad;
      let p = param;
      if (decoupled) p = A.mul(p, s['decay']!);
      else if (o['weightDecay'] !== 0) g = A.fma(param, s['wd']!, g);
      const exp_avg = A.fma(g, s['oneMinusB1']!, A.mul(state['exp_avg']!, s['b1']!));
      const exp_avg_sq = A.fma(A.mul(s['oneMinusB2']!, g), g, A.mul(state['exp_avg_sq']!, s['b2']!));
      const out: Record<string, B> = { exp_avg, exp_avg_sq };
      let v = exp_avg_sq;
      if (o['amsgrad']) {
        v = A.max(state['max_exp_avg_sq']!, exp_avg_sq);
        out['max_exp_avg_sq'] = v;
      }
      const denom = A.add(A.div(A.sqrt(v), s['sqrtBc2']!), s['eps']!);
      return { param: A.add(p, A.div(A.mul(s['negStepSize']!, exp_avg), denom)), state: out };
    },
  };
}

/**
 * TF.js's accBeta as this step uses it: it starts at β and is multiplied by β after every step
 * (β^t while β is fixed; after a change of betas, the product of the betas actually in force).
 * At most t roundings: relative error ≤ t·u (plus t·η once it is subnormal).
 */
function runningProduct(memo: Record<string, number>, key: string, beta: number, t: number, A: Arith): B {
  const used = memo[key] ?? Math.fround(beta);
  memo[key] = used * Math.fround(beta);
  return A.approx(used, 1.01 * t * 2 ** -24 * used + t * 2 ** -150, true);
}

const tfjsRule: OracleRule = {
  buffers: () => ({ exp_avg: 0, exp_avg_sq: 0 }),
  scalars(o, t, A, memo) {
    const [b1, b2] = betas(o);
    return {
      b1,
      oneMinusB1: 1 - b1,
      b2,
      oneMinusB2: 1 - b2,
      a1: A.sub(A.c(1), runningProduct(memo, 'accBeta1', b1, t, A)),
      a2: A.sub(A.c(1), runningProduct(memo, 'accBeta2', b2, t, A)),
      eps: o['eps'] as number,
      negLr: -(o['lr'] as number),
    };
  },
  update({ param, grad, state, s }, A) {
    const exp_avg = A.add(A.mul(state['exp_avg']!, s['b1']!), A.mul(grad, s['oneMinusB1']!));
    const exp_avg_sq = A.add(A.mul(state['exp_avg_sq']!, s['b2']!), A.mul(A.mul(grad, grad), s['oneMinusB2']!));
    const step = A.div(A.div(exp_avg, s['a1']!), A.add(A.sqrt(A.div(exp_avg_sq, s['a2']!)), s['eps']!));
    return { param: A.add(A.mul(step, s['negLr']!), param), state: { exp_avg, exp_avg_sq } };
  },
  aliases: { exp_avg: ['m'], exp_avg_sq: ['v'] },
};

const options = {
  lr: LR,
  betas: BETAS,
  eps: EPS,
  weightDecay: WEIGHT_DECAY,
  amsgrad: BOOLEAN,
  maximize: BOOLEAN,
};

export const adam: AlgorithmDescription = {
  algorithm: 'adam',
  options,
  oracle: { torch: torchRule(false), tfjs: tfjsRule },
};

export const adamw: AlgorithmDescription = {
  algorithm: 'adamw',
  options,
  oracle: { torch: torchRule(true) },
};

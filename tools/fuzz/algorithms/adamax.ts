// Adamax (golden README, "Addendum"), used once the registry has 'adamax':
//   torch:  g = maximize ? −grad : grad;  g = fma(θ, weightDecay, g)
//           m = fma(g, 1 − β1, m·β1);  u = max(u·β2, |g| + eps)
//           θ = θ + (−lr / (1 − β1^t))·m / u                          (float64 scalar, then float32)
//   tfjs:   m = m·β1 + g·(1 − β1);  u = max(u·β2, |g|)
//           θ = (lr_t / (1 − B1))·(m / (u + eps)) + θ,  lr_t = −lr / (iteration·decay + 1)
//           B1: TF.js's accBeta1 (float32 running product); iteration: its float32 counter, t − 1
import {
  BETAS,
  BOOLEAN,
  EPS,
  LR,
  WEIGHT_DECAY,
  nonNegative,
  runningProduct,
  type AlgorithmDescription,
} from '../describe.js';

/** 2^24: a float32 counter stops there. */
const F32_COUNTER_LIMIT = 2 ** 24;

export const adamax: AlgorithmDescription = {
  algorithm: 'adamax',
  options: {
    lr: LR,
    betas: BETAS,
    eps: EPS,
    weightDecay: WEIGHT_DECAY,
    maximize: BOOLEAN,
    lrDecay: nonNegative([0, 1e-3, 0.5, 1, 1e6, 1e30, Infinity], -4, 1),
  },
  oracle: {
    torch: {
      buffers: () => ({ exp_avg: 0, exp_inf: 0 }),
      scalars(o, t) {
        const [b1, b2] = o['betas'] as [number, number];
        return {
          b1,
          oneMinusB1: 1 - b1,
          b2,
          eps: o['eps'] as number,
          wd: o['weightDecay'] as number,
          negClr: -((o['lr'] as number) / (1 - b1 ** t)),
        };
      },
      update({ param, grad, state, s, o }, A) {
        let g = o['maximize'] ? A.neg(grad) : grad;
        if (o['weightDecay'] !== 0) g = A.fma(param, s['wd']!, g);
        const exp_avg = A.fma(g, s['oneMinusB1']!, A.mul(state['exp_avg']!, s['b1']!));
        const exp_inf = A.max(A.mul(state['exp_inf']!, s['b2']!), A.add(A.abs(g), s['eps']!));
        return { param: A.add(param, A.div(A.mul(s['negClr']!, exp_avg), exp_inf)), state: { exp_avg, exp_inf } };
      },
    },
    tfjs: {
      buffers: () => ({ exp_avg: 0, exp_inf: 0 }),
      scalars(o, t, A, memo) {
        const [b1, b2] = o['betas'] as [number, number];
        const iteration = Math.min(t - 1, F32_COUNTER_LIMIT);
        const lrT = A.div(A.c(-(o['lr'] as number)), A.add(A.mul(A.c(iteration), A.c(o['lrDecay'] as number)), A.c(1)));
        return {
          b1,
          oneMinusB1: 1 - b1,
          b2,
          eps: o['eps'] as number,
          scale: A.div(lrT, A.sub(A.c(1), runningProduct(memo, 'accBeta1', b1, t, A))),
        };
      },
      update({ param, grad, state, s }, A) {
        const exp_avg = A.add(A.mul(state['exp_avg']!, s['b1']!), A.mul(grad, s['oneMinusB1']!));
        const exp_inf = A.max(A.mul(state['exp_inf']!, s['b2']!), A.abs(grad));
        const step = A.mul(s['scale']!, A.div(exp_avg, A.add(exp_inf, s['eps']!)));
        return { param: A.add(step, param), state: { exp_avg, exp_inf } };
      },
      aliases: { exp_avg: ['m'], exp_inf: ['v'] },
    },
  },
};

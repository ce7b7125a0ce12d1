// Adagrad (golden README, "Formulas"):
//   torch:  g = maximize ? −grad : grad;  g = fma(θ, weightDecay, g);  sum = fma(g, g, sum)
//           θ = θ − clr·g / (√sum + eps),  clr = lr / (1 + (t − 1)·lrDecay)  (float64, then one scalar)
//   tfjs:   sum = sum + g²;  θ = θ − lr · g / √(sum + eps)   (eps inside the root)
// Row-sparse gradients (coalesced first; only the listed rows change):
//   torch:  PyTorch's sparse Adagrad, its own rounding: g = maximize ? −grad : grad;
//           sum = sum + g·g (two roundings, no FMA);  std = √sum + eps;  θ = fma(g / std, −clr, θ)
//           (weightDecay ≠ 0 is refused, as PyTorch does)
//   tfjs:   the dense rule on the listed rows
import { BOOLEAN, EPS, LR, WEIGHT_DECAY, nonNegative, type AlgorithmDescription } from '../describe.js';

export const adagrad: AlgorithmDescription = {
  algorithm: 'adagrad',
  options: {
    lr: LR,
    lrDecay: nonNegative([0, 1e-3, 0.5, 1, 1e6, 1e30, Infinity], -4, 1),
    weightDecay: WEIGHT_DECAY,
    initialAccumulatorValue: nonNegative([0, 1e-45, 1e-20, 0.1, 1, 1e10, 3e38], -3, 1),
    eps: EPS,
    maximize: BOOLEAN,
  },
  strictStateNames: true,
  oracle: {
    torch: {
      buffers: (o) => ({ sum: o['initialAccumulatorValue'] as number }),
      scalars: (o, t) => ({
        negClr: -((o['lr'] as number) / (1 + (t - 1) * (o['lrDecay'] as number))),
        eps: o['eps'] as number,
        wd: o['weightDecay'] as number,
      }),
      update({ param, grad, state, s, o }, A) {
        let g = o['maximize'] ? A.neg(grad) : grad;
        if (o['weightDecay'] !== 0) g = A.fma(param, s['wd']!, g);
        const sum = A.fma(g, g, state['sum']!);
        const std = A.add(A.sqrt(sum), s['eps']!);
        return { param: A.add(param, A.div(A.mul(s['negClr']!, g), std)), state: { sum } };
      },
    },
    tfjs: {
      buffers: (o) => ({ sum: o['initialAccumulatorValue'] as number }),
      scalars: (o) => ({ negLr: -(o['lr'] as number), eps: o['eps'] as number }),
      update({ param, grad, state, s }, A) {
        const sum = A.add(state['sum']!, A.mul(grad, grad));
        const step = A.mul(A.div(grad, A.sqrt(A.add(sum, s['eps']!))), s['negLr']!);
        return { param: A.add(step, param), state: { sum } };
      },
    },
  },
  sparseOracle: {
    torch: {
      buffers: (o) => ({ sum: o['initialAccumulatorValue'] as number }),
      scalars: (o, t) => ({
        negClr: -((o['lr'] as number) / (1 + (t - 1) * (o['lrDecay'] as number))),
        eps: o['eps'] as number,
      }),
      update({ param, grad, state, s, o }, A) {
        const g = o['maximize'] ? A.neg(grad) : grad;
        const sum = A.add(state['sum']!, A.mul(g, g));
        const std = A.add(A.sqrt(sum), s['eps']!);
        return { param: A.fma(A.div(g, std), s['negClr']!, param), state: { sum } };
      },
    },
  },
};

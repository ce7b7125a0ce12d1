// SparseAdam (PyTorch 1.13's torch.optim.SparseAdam; torch only), written from its update:
//   g = maximize ? −grad : grad           (every operation rounded to float32; no FMA)
//   m = m + (g − m)·(1 − β1)
//   v = v + (g·g − v)·(1 − β2)
//   θ = θ + (m / (√v + eps))·(−step_size),  step_size = lr·√(1 − β2^t)/(1 − β1^t)  (float64, one scalar)
// A dense gradient steps every row; a row-sparse one only the listed rows (lazy: the others keep
// their parameters and moments), with the repeated rows summed first.
import { BETAS, BOOLEAN, EPS, LR, type AlgorithmDescription, type Options } from '../describe.js';

const betas = (o: Readonly<Options>): [number, number] => o['betas'] as [number, number];

export const sparseadam: AlgorithmDescription = {
  algorithm: 'sparseadam',
  options: { lr: LR, betas: BETAS, eps: EPS, maximize: BOOLEAN },
  strictStateNames: true,
  oracle: {
    torch: {
      buffers: () => ({ exp_avg: 0, exp_avg_sq: 0 }),
      scalars(o, t) {
        const [b1, b2] = betas(o);
        const lr = o['lr'] as number;
        return {
          oneMinusB1: 1 - b1,
          oneMinusB2: 1 - b2,
          negStepSize: -((lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t)),
          eps: o['eps'] as number,
        };
      },
      update({ param, grad, state, s, o }, A) {
        const g = o['maximize'] ? A.neg(grad) : grad;
        const m = state['exp_avg']!;
        const v = state['exp_avg_sq']!;
        const exp_avg = A.add(m, A.mul(A.sub(g, m), s['oneMinusB1']!));
        const exp_avg_sq = A.add(v, A.mul(A.sub(A.mul(g, g), v), s['oneMinusB2']!));
        const denom = A.add(A.sqrt(exp_avg_sq), s['eps']!);
        return { param: A.add(param, A.mul(A.div(exp_avg, denom), s['negStepSize']!)), state: { exp_avg, exp_avg_sq } };
      },
    },
  },
};

// NAdam, PyTorch 1.13 (golden README, "Addendum"), torch only:
//   g = fma(θ, weightDecay, g);  μ_t = β1·(1 − 0.5·0.96^(t·ψ))   (float64)
//   Π = fl(Π·fl(μ_t)) (float32, from 1);  Π_next = fl(fl(Π·fl(μ_t))·fl(μ_(t+1)))   (μ_t twice, sic)
//   m = fma(g, 1 − β1, m·β1);  v = fma((1 − β2)·g, g, v·β2);  d = √(v / (1 − β2^t)) + eps
//   θ = θ + (−lr·(1 − μ_t)/(1 − Π))·g / d;  θ = θ + (−lr·μ_(t+1)/(1 − Π_next))·m / d
// Π is float32 scalar arithmetic, computed here exactly as PyTorch does (memo, per tensor).
import { BETAS, EPS, LR, WEIGHT_DECAY, nonNegative, type AlgorithmDescription } from '../describe.js';

const mu = (b1: number, psi: number, t: number): number => b1 * (1 - 0.5 * 0.96 ** (t * psi));

export const nadam: AlgorithmDescription = {
  algorithm: 'nadam',
  options: {
    lr: LR,
    betas: BETAS,
    eps: EPS,
    weightDecay: WEIGHT_DECAY,
    momentumDecay: nonNegative([0, 1e-45, 4e-3, 0.1, 1, 100, Infinity], -4, 0),
  },
  oracle: {
    torch: {
      buffers: () => ({ exp_avg: 0, exp_avg_sq: 0 }),
      scalars(o, t, _A, memo) {
        const [b1, b2] = o['betas'] as [number, number];
        const psi = o['momentumDecay'] as number;
        const lr = o['lr'] as number;
        const muT = mu(b1, psi, t);
        const muNext = mu(b1, psi, t + 1);
        const product = Math.fround((t === 1 ? 1 : (memo['muProduct'] ?? 1)) * Math.fround(muT));
        memo['muProduct'] = product;
        const next = Math.fround(Math.fround(product * Math.fround(muT)) * Math.fround(muNext));
        return {
          b1,
          oneMinusB1: 1 - b1,
          b2,
          oneMinusB2: 1 - b2,
          bc2: 1 - b2 ** t,
          eps: o['eps'] as number,
          wd: o['weightDecay'] as number,
          gradStep: (-lr * (1 - muT)) / (1 - product),
          momentumStep: (-lr * muNext) / (1 - next),
        };
      },
      update({ param, grad, state, s, o }, A) {
        const g = o['weightDecay'] !== 0 ? A.fma(param, s['wd']!, grad) : grad;
        const exp_avg = A.fma(g, s['oneMinusB1']!, A.mul(state['exp_avg']!, s['b1']!));
        const exp_avg_sq = A.fma(A.mul(s['oneMinusB2']!, g), g, A.mul(state['exp_avg_sq']!, s['b2']!));
        const denom = A.add(A.sqrt(A.div(exp_avg_sq, s['bc2']!)), s['eps']!);
        const p1 = A.add(param, A.div(A.mul(s['gradStep']!, g), denom));
        return { param: A.add(p1, A.div(A.mul(s['momentumStep']!, exp_avg), denom)), state: { exp_avg, exp_avg_sq } };
      },
    },
  },
};

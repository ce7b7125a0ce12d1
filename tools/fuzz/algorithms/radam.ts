// RAdam, PyTorch 1.13 (golden README, "Addendum"), torch only:
//   g = fma(θ, weightDecay, g);  m = fma(g, 1 − β1, m·β1);  v = fma((1 − β2)·g, g, v·β2)
//   ρ∞ = 2/(1 − β2) − 1;  ρ_t = ρ∞ − 2t·β2^t/(1 − β2^t)   (float64)
//   upd = (m / (1 − β1^t))·lr;  ρ_t > 5: upd = (upd·((1/(√v + eps))·√(1 − β2^t)))·rect
//   θ = θ − upd
import { BETAS, EPS, LR, WEIGHT_DECAY, type AlgorithmDescription, type Options } from '../describe.js';

/** The rectification factor in float64 as PyTorch computes it when ρ_t > 5 (always > 0), else 0. */
function rectification(o: Readonly<Options>, t: number): number {
  const b2 = (o['betas'] as [number, number])[1];
  const rhoInf = 2 / (1 - b2) - 1;
  const rhoT = rhoInf - (2 * t * b2 ** t) / (1 - b2 ** t);
  return rhoT > 5 ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
}

export const radam: AlgorithmDescription = {
  algorithm: 'radam',
  options: { lr: LR, betas: BETAS, eps: EPS, weightDecay: WEIGHT_DECAY },
  oracle: {
    torch: {
      buffers: () => ({ exp_avg: 0, exp_avg_sq: 0 }),
      scalars(o, t) {
        const [b1, b2] = o['betas'] as [number, number];
        return {
          b1,
          oneMinusB1: 1 - b1,
          b2,
          oneMinusB2: 1 - b2,
          bc1: 1 - b1 ** t,
          bc2Sqrt: Math.sqrt(1 - b2 ** t),
          lr: o['lr'] as number,
          eps: o['eps'] as number,
          wd: o['weightDecay'] as number,
          rect: rectification(o, t),
          one: 1,
        };
      },
      update({ param, grad, state, s, o, t }, A) {
        const g = o['weightDecay'] !== 0 ? A.fma(param, s['wd']!, grad) : grad;
        const exp_avg = A.fma(g, s['oneMinusB1']!, A.mul(state['exp_avg']!, s['b1']!));
        const exp_avg_sq = A.fma(A.mul(s['oneMinusB2']!, g), g, A.mul(state['exp_avg_sq']!, s['b2']!));
        let update = A.mul(A.div(exp_avg, s['bc1']!), s['lr']!);
        if (rectification(o, t) !== 0) {
          const adaptive = A.mul(A.div(s['one']!, A.add(A.sqrt(exp_avg_sq), s['eps']!)), s['bc2Sqrt']!);
          update = A.mul(A.mul(update, adaptive), s['rect']!);
        }
        return { param: A.sub(param, update), state: { exp_avg, exp_avg_sq } };
      },
    },
  },
};

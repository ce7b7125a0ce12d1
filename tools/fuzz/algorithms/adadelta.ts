// Adadelta (golden README, "Formulas"), used once the registry has 'adadelta':
//   torch:  g = maximize ? −grad : grad;  g = fma(θ, weightDecay, g)
//           v = fma((1 − ρ)·g, g, v·ρ);  δ = √(u + eps) / √(v + eps) · g   (the NEW v)
//           u = fma((1 − ρ)·δ, δ, u·ρ);  θ = fma(δ, −lr, θ)   (fma rounded once, as PyTorch)
//   tfjs:   δ = √(u + eps) / √(v + eps) · g   (the OLD v);  v = ρ·v + g²·(1 − ρ)
//           u = ρ·u + δ²·(1 − ρ);  θ = θ + δ·(−lr)
// State names: square_avg = v (tfjs accum_grad), acc_delta = u (tfjs accum_var).
import { BOOLEAN, EPS, LR, WEIGHT_DECAY, unitInterval, type AlgorithmDescription } from '../describe.js';

export const adadelta: AlgorithmDescription = {
  algorithm: 'adadelta',
  options: {
    lr: LR,
    rho: unitInterval([0, 1e-45, 0.5, 0.9, 0.95, 0.999999, 1]),
    eps: EPS,
    weightDecay: WEIGHT_DECAY,
    maximize: BOOLEAN,
  },
  oracle: {
    torch: {
      buffers: () => ({ square_avg: 0, acc_delta: 0 }),
      scalars: (o) => ({
        rho: o['rho'] as number,
        oneMinusRho: 1 - (o['rho'] as number),
        eps: o['eps'] as number,
        wd: o['weightDecay'] as number,
        negLr: -(o['lr'] as number),
      }),
      update({ param, grad, state, s, o }, A) {
        let g = o['maximize'] ? A.neg(grad) : grad;
        if (o['weightDecay'] !== 0) g = A.fma(param, s['wd']!, g);
        const square_avg = A.fma(A.mul(s['oneMinusRho']!, g), g, A.mul(state['square_avg']!, s['rho']!));
        const std = A.sqrt(A.add(square_avg, s['eps']!));
        const delta = A.mul(A.div(A.sqrt(A.add(state['acc_delta']!, s['eps']!)), std), g);
        const acc_delta = A.fma(A.mul(s['oneMinusRho']!, delta), delta, A.mul(state['acc_delta']!, s['rho']!));
        return { param: A.fma(delta, s['negLr']!, param), state: { square_avg, acc_delta } };
      },
    },
    tfjs: {
      buffers: () => ({ square_avg: 0, acc_delta: 0 }),
      scalars: (o) => ({
        rho: o['rho'] as number,
        oneMinusRho: 1 - (o['rho'] as number),
        eps: o['eps'] as number,
        negLr: -(o['lr'] as number),
      }),
      update({ param, grad, state, s }, A) {
        const upd = A.mul(
          A.div(A.sqrt(A.add(state['acc_delta']!, s['eps']!)), A.sqrt(A.add(state['square_avg']!, s['eps']!))),
          grad,
        );
        const square_avg = A.add(A.mul(state['square_avg']!, s['rho']!), A.mul(A.mul(grad, grad), s['oneMinusRho']!));
        const acc_delta = A.add(A.mul(state['acc_delta']!, s['rho']!), A.mul(A.mul(upd, upd), s['oneMinusRho']!));
        return { param: A.add(A.mul(upd, s['negLr']!), param), state: { square_avg, acc_delta } };
      },
      aliases: { square_avg: ['accum_grad'], acc_delta: ['accum_var'] },
    },
  },
};

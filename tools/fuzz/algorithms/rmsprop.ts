// RMSprop (golden README, "Formulas"):
//   torch:  g = maximize ? −grad : grad;  g = fma(θ, weightDecay, g);  v = fma((1 − α)·g, g, v·α)
//           centered: m = fma(g, 1 − α, m·α), den = √fma(−m, m, v) + eps;  else den = √v + eps
//           momentum > 0: b = b·μ + g/den, θ = fma(b, −lr, θ);  else θ = θ + (−lr·g)/den
//           (fma = PyTorch's fused multiply-add, rounded once)
//   tfjs:   v = α·v + g²·(1 − α);  centered: m = α·m + g·(1 − α), den = √(v − (m² + eps))
//           else den = √(v + eps);  b = μ·b + lr·g/den (always kept);  θ = θ − b
// 1 − α is computed in float64 and used as one float32 scalar, as both frameworks do.
import { BOOLEAN, EPS, LR, WEIGHT_DECAY, nonNegative, type AlgorithmDescription } from '../describe.js';

export const rmsprop: AlgorithmDescription = {
  algorithm: 'rmsprop',
  options: {
    lr: LR,
    // PyTorch only asks alpha ≥ 0: above 1 is valid (and makes 1 − α negative).
    alpha: {
      ...nonNegative([0, 1e-45, 0.5, 0.9, 0.99, 0.999999, 1, 1.5, 1e10], -3, 0),
      typical: (r) => (r.chance(0.7) ? 1 - r.logUniform(-6, -0.5) : r.float()),
    },
    eps: EPS,
    weightDecay: WEIGHT_DECAY,
    momentum: {
      ...nonNegative([0, 1e-45, 0.5, 0.9, 0.99, 0.999, 1, 2], -3, 0),
      typical: (r) => (r.chance(0.7) ? 1 - r.logUniform(-3, -0.3) : r.float()),
    },
    centered: BOOLEAN,
    maximize: BOOLEAN,
  },
  strictStateNames: true,
  oracle: {
    torch: {
      buffers: (o) => ({
        square_avg: 0,
        ...((o['momentum'] as number) > 0 ? { momentum_buffer: 0 } : {}),
        ...(o['centered'] ? { grad_avg: 0 } : {}),
      }),
      scalars: (o) => ({
        alpha: o['alpha'] as number,
        oneMinusAlpha: 1 - (o['alpha'] as number),
        eps: o['eps'] as number,
        wd: o['weightDecay'] as number,
        momentum: o['momentum'] as number,
        negLr: -(o['lr'] as number),
      }),
      update({ param, grad, state, s, o }, A) {
        let g = o['maximize'] ? A.neg(grad) : grad;
        if (o['weightDecay'] !== 0) g = A.fma(param, s['wd']!, g);
        const square_avg = A.fma(A.mul(s['oneMinusAlpha']!, g), g, A.mul(state['square_avg']!, s['alpha']!));
        const out: Record<string, typeof param> = { square_avg };
        let avg;
        if (o['centered']) {
          const grad_avg = A.fma(g, s['oneMinusAlpha']!, A.mul(state['grad_avg']!, s['alpha']!));
          out['grad_avg'] = grad_avg;
          avg = A.sqrt(A.fma(A.neg(grad_avg), grad_avg, square_avg));
        } else {
          avg = A.sqrt(square_avg);
        }
        avg = A.add(avg, s['eps']!);
        let p;
        if ((o['momentum'] as number) > 0) {
          const buf = A.add(A.mul(state['momentum_buffer']!, s['momentum']!), A.div(g, avg));
          out['momentum_buffer'] = buf;
          p = A.fma(buf, s['negLr']!, param);
        } else {
          p = A.add(param, A.div(A.mul(s['negLr']!, g), avg));
        }
        return { param: p, state: out };
      },
    },
    tfjs: {
      buffers: (o) => ({ square_avg: 0, momentum_buffer: 0, ...(o['centered'] ? { grad_avg: 0 } : {}) }),
      scalars: (o) => ({
        alpha: o['alpha'] as number,
        oneMinusAlpha: 1 - (o['alpha'] as number),
        eps: o['eps'] as number,
        momentum: o['momentum'] as number,
        lr: o['lr'] as number,
      }),
      update({ param, grad, state, s, o }, A) {
        const square_avg = A.add(
          A.mul(state['square_avg']!, s['alpha']!),
          A.mul(A.mul(grad, grad), s['oneMinusAlpha']!),
        );
        const out: Record<string, typeof param> = { square_avg };
        let den;
        if (o['centered']) {
          const grad_avg = A.add(A.mul(state['grad_avg']!, s['alpha']!), A.mul(grad, s['oneMinusAlpha']!));
          out['grad_avg'] = grad_avg;
          den = A.sqrt(A.sub(square_avg, A.add(A.mul(grad_avg, grad_avg), s['eps']!)));
        } else {
          den = A.sqrt(A.add(square_avg, s['eps']!));
        }
        const buf = A.add(A.mul(state['momentum_buffer']!, s['momentum']!), A.div(A.mul(grad, s['lr']!), den));
        out['momentum_buffer'] = buf;
        return { param: A.sub(param, buf), state: out };
      },
    },
  },
};

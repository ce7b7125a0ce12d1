// RMSprop at its defaults (non-centered, no momentum): torch.optim.RMSprop(lr=1e-2) /
// tf.train.rmsprop(0.01).

import { REC_FLAGS, RmspropStep } from '../../dist/backend/contract.generated.js';

/** @type {import('./index.mjs').BenchAlgorithm} */
export default {
  id: 'rmsprop',
  algorithm: 'rmsprop',
  title: 'RMSprop',
  configuration: 'defaults (lr 1e-2; non-centered, no momentum)',
  options: {},
  traffic: { reads: ['param', 'grad', 'square_avg'], writes: ['param', 'square_avg'] },
  plain: {
    states: 1,
    step(p, g, s) {
      const squareAvg = s[0],
        lr = 1e-2,
        alpha = 0.99,
        eps = 1e-8;
      const oneMinusAlpha = 1 - alpha;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        squareAvg[i] = alpha * squareAvg[i] + oneMinusAlpha * gi * gi;
        p[i] -= (lr * gi) / (Math.sqrt(squareAvg[i]) + eps);
      }
    },
  },
  tfjs: (tf) => tf.train.rmsprop(1e-2),
  // src/optimizers/rmsprop.ts, torch flavor: 1 − alpha in float64 first, as the facade; flags 0
  // (not centered, no momentum, no weight decay). Offsets by name from the kernel contract.
  raw: {
    kernel: 'rmspropStep',
    states: 1,
    record(f32, u32, word) {
      u32[word + REC_FLAGS] = 0;
      f32[word + RmspropStep.alpha] = 0.99;
      f32[word + RmspropStep.oneMinusAlpha] = 1 - 0.99;
      f32[word + RmspropStep.eps] = 1e-8;
      f32[word + RmspropStep.weightDecay] = 0;
      f32[word + RmspropStep.momentum] = 0;
      f32[word + RmspropStep.negLr] = -1e-2;
    },
  },
};

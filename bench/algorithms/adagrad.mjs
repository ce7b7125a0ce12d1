// Adagrad at its defaults: torch.optim.Adagrad(lr=1e-2) / tf.train.adagrad(0.01).

import { AdagradStep, REC_FLAGS } from '../../dist/backend/contract.generated.js';

/** @type {import('./index.mjs').BenchAlgorithm} */
export default {
  id: 'adagrad',
  algorithm: 'adagrad',
  title: 'Adagrad',
  configuration: 'defaults (lr 1e-2)',
  options: {},
  traffic: { reads: ['param', 'grad', 'sum'], writes: ['param', 'sum'] },
  plain: {
    states: 1,
    step(p, g, s) {
      const sum = s[0],
        lr = 1e-2,
        eps = 1e-10;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        sum[i] += gi * gi;
        p[i] -= (lr * gi) / (Math.sqrt(sum[i]) + eps);
      }
    },
  },
  tfjs: (tf) => tf.train.adagrad(1e-2),
  // src/optimizers/adagrad.ts, torch flavor: negClr = −lr / (1 + (step − 1)·lrDecay) = −lr at
  // lrDecay 0; flags 0 (no maximize, no weight decay). Offsets by name from the kernel contract.
  raw: {
    kernel: 'adagradStep',
    states: 1,
    record(f32, u32, word) {
      u32[word + REC_FLAGS] = 0;
      f32[word + AdagradStep.negClr] = -1e-2;
      f32[word + AdagradStep.eps] = 1e-10;
      f32[word + AdagradStep.weightDecay] = 0;
    },
  },
};

// Adagrad at its defaults: torch.optim.Adagrad(lr=1e-2) / tf.train.adagrad(0.01).

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
  // src/optimizers/adagrad.ts, torch flavor: h0 = −lr / (1 + (step − 1)·lrDecay) = −lr at
  // lrDecay 0, h1 = eps, h2 = weightDecay; flags 0 (no maximize, no weight decay).
  raw: {
    kernel: 'adagradStep',
    states: 1,
    record(f32, u32, word) {
      u32[word + 6] = 0;
      f32[word + 8] = -1e-2;
      f32[word + 9] = 1e-10;
      f32[word + 10] = 0;
    },
  },
};

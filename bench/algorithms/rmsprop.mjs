// RMSprop at its defaults (non-centered, no momentum): torch.optim.RMSprop(lr=1e-2) /
// tf.train.rmsprop(0.01).

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
  // src/optimizers/rmsprop.ts, torch flavor: h0 alpha, h1 1 − alpha (float64 first), h2 eps,
  // h3 weightDecay, h4 momentum, h5 −lr; flags 0 (not centered, no momentum, no weight decay).
  raw: {
    kernel: 'rmspropStep',
    states: 1,
    record(f32, u32, word) {
      u32[word + 6] = 0;
      f32[word + 8] = 0.99;
      f32[word + 9] = 1 - 0.99;
      f32[word + 10] = 1e-8;
      f32[word + 11] = 0;
      f32[word + 12] = 0;
      f32[word + 13] = -1e-2;
    },
  },
};

// Adadelta at its defaults: torch.optim.Adadelta(lr=1, rho=0.9, eps=1e-6) /
// tf.train.adadelta() (learningRate 0.001, rho 0.95). Used only once the library's registry
// has 'adadelta'.

/** @type {import('./index.mjs').BenchAlgorithm} */
export default {
  id: 'adadelta',
  algorithm: 'adadelta',
  title: 'Adadelta',
  configuration: 'defaults (lr 1, rho 0.9)',
  options: {},
  traffic: { reads: ['param', 'grad', 'square_avg', 'acc_delta'], writes: ['param', 'square_avg', 'acc_delta'] },
  plain: {
    states: 2,
    step(p, g, s) {
      const squareAvg = s[0],
        accDelta = s[1],
        lr = 1,
        rho = 0.9,
        eps = 1e-6;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        squareAvg[i] = rho * squareAvg[i] + (1 - rho) * gi * gi;
        const delta = (Math.sqrt(accDelta[i] + eps) / Math.sqrt(squareAvg[i] + eps)) * gi;
        accDelta[i] = rho * accDelta[i] + (1 - rho) * delta * delta;
        p[i] -= lr * delta;
      }
    },
  },
  tfjs: (tf) => tf.train.adadelta(),
};

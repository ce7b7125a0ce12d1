// Adamax at its defaults: torch.optim.Adamax(lr=2e-3) / tf.train.adamax(0.002). Used only once
// the library's registry has 'adamax'.

const lr = 2e-3,
  beta1 = 0.9,
  beta2 = 0.999,
  eps = 1e-8;

/** @type {import('./index.mjs').BenchAlgorithm} */
export default {
  id: 'adamax',
  algorithm: 'adamax',
  title: 'Adamax',
  configuration: 'defaults (lr 2e-3, betas 0.9/0.999)',
  options: {},
  traffic: { reads: ['param', 'grad', 'exp_avg', 'exp_inf'], writes: ['param', 'exp_avg', 'exp_inf'] },
  plain: {
    states: 2,
    step(p, g, s, t) {
      const m = s[0],
        u = s[1];
      const clr = lr / (1 - beta1 ** t);
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        u[i] = Math.max(beta2 * u[i], Math.abs(gi) + eps);
        p[i] -= (clr * m[i]) / u[i];
      }
    },
  },
  tfjs: (tf) => tf.train.adamax(2e-3),
};

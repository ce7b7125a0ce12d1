// NAdam at its defaults: torch.optim.NAdam(lr=2e-3, momentum_decay=4e-3), which TF.js does not
// have. Used only once the library's registry has 'nadam'.

const lr = 2e-3,
  beta1 = 0.9,
  beta2 = 0.999,
  eps = 1e-8,
  psi = 4e-3;

const mu = (/** @type {number} */ t) => beta1 * (1 - 0.5 * 0.96 ** (t * psi));

/** @type {import('./index.mjs').BenchAlgorithm} */
export default {
  id: 'nadam',
  algorithm: 'nadam',
  title: 'NAdam',
  configuration: 'defaults (lr 2e-3, betas 0.9/0.999, momentum decay 4e-3)',
  options: {},
  traffic: { reads: ['param', 'grad', 'exp_avg', 'exp_avg_sq'], writes: ['param', 'exp_avg', 'exp_avg_sq'] },
  plain: {
    states: 2,
    step(p, g, s, t) {
      const m = s[0],
        v = s[1];
      // μ's running product from scratch each step: O(t), negligible beside the loop below.
      let product = 1;
      for (let k = 1; k <= t; k++) product *= mu(k);
      const gradStep = (lr * (1 - mu(t))) / (1 - product);
      const momentumStep = (lr * mu(t + 1)) / (1 - product * mu(t + 1));
      const bc2 = 1 - beta2 ** t;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        const denom = Math.sqrt(v[i] / bc2) + eps;
        p[i] -= (gradStep * gi + momentumStep * m[i]) / denom;
      }
    },
  },
};

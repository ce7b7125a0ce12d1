// RAdam at its defaults: torch.optim.RAdam(lr=1e-3), which TF.js does not have. Used only once
// the library's registry has 'radam'. The benchmark's steps are mostly past the rectification
// threshold (ρ_t > 5 from step 6 at β2 = 0.999), where the kernel does the most work.

const lr = 1e-3,
  beta1 = 0.9,
  beta2 = 0.999,
  eps = 1e-8;
const rhoInf = 2 / (1 - beta2) - 1;

/** @type {import('./index.mjs').BenchAlgorithm} */
export default {
  id: 'radam',
  algorithm: 'radam',
  title: 'RAdam',
  configuration: 'defaults (lr 1e-3, betas 0.9/0.999)',
  options: {},
  // The raw kernel replays step 7, a rectified one (the facade's own steps are mostly rectified).
  copiedAfter: 6,
  traffic: { reads: ['param', 'grad', 'exp_avg', 'exp_avg_sq'], writes: ['param', 'exp_avg', 'exp_avg_sq'] },
  plain: {
    states: 2,
    step(p, g, s, t) {
      const m = s[0],
        v = s[1];
      const bc1 = 1 - beta1 ** t;
      const bc2 = 1 - beta2 ** t;
      const rhoT = rhoInf - (2 * t * beta2 ** t) / bc2;
      const rect = rhoT > 5 ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
      const scale = (lr / bc1) * Math.sqrt(bc2) * rect;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        p[i] -= rect > 0 ? (scale * m[i]) / (Math.sqrt(v[i]) + eps) : (lr / bc1) * m[i];
      }
    },
  },
};

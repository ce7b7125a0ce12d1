// Adam and AdamW at their defaults: torch.optim.Adam(lr=1e-3) / tf.train.adam(0.001), and
// torch.optim.AdamW(lr=1e-3, weight_decay=1e-2), which TF.js does not have. Used only once
// the library's registry has 'adam' / 'adamw'.

const lr = 1e-3,
  beta1 = 0.9,
  beta2 = 0.999,
  eps = 1e-8;

/** @type {import('./index.mjs').PlainLoop} */
const adamLoop = {
  states: 2,
  step(p, g, s, t) {
    const m = s[0],
      v = s[1];
    const stepSize = lr / (1 - beta1 ** t);
    const bias2Root = Math.sqrt(1 - beta2 ** t);
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / bias2Root + eps);
    }
  },
};

/**
 * AdamW: the parameter shrinks by (1 − lr·weightDecay) first, then Adam's step.
 * @type {import('./index.mjs').PlainLoop}
 */
const adamwLoop = {
  states: 2,
  step(p, g, s, t) {
    const m = s[0],
      v = s[1],
      decay = 1 - lr * 1e-2;
    const stepSize = lr / (1 - beta1 ** t);
    const bias2Root = Math.sqrt(1 - beta2 ** t);
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      p[i] = p[i] * decay - (stepSize * m[i]) / (Math.sqrt(v[i]) / bias2Root + eps);
    }
  },
};

const TRAFFIC = { reads: ['param', 'grad', 'exp_avg', 'exp_avg_sq'], writes: ['param', 'exp_avg', 'exp_avg_sq'] };

/** @type {import('./index.mjs').BenchAlgorithm} */
export const adam = {
  id: 'adam',
  algorithm: 'adam',
  title: 'Adam',
  configuration: 'defaults (lr 1e-3, betas 0.9/0.999)',
  options: {},
  traffic: TRAFFIC,
  plain: adamLoop,
  tfjs: (tf) => tf.train.adam(1e-3),
};

/** @type {import('./index.mjs').BenchAlgorithm} */
export const adamw = {
  id: 'adamw',
  algorithm: 'adamw',
  title: 'AdamW',
  configuration: 'defaults (lr 1e-3, weight decay 1e-2); TF.js has no AdamW',
  options: {},
  traffic: TRAFFIC,
  plain: adamwLoop,
};

// SGD, plain and with momentum: torch.optim.SGD(lr=1e-2[, momentum=0.9]) / tf.train.sgd(0.01)
// and tf.train.momentum(0.01, 0.9), the library's 'sgd' and 'momentum' (SGD with momentum 0.9
// by default). Plain SGD moves 12 bytes per element and is the one purely memory-bound case.

/** @type {import('./index.mjs').BenchAlgorithm} */
export const sgd = {
  id: 'sgd',
  algorithm: 'sgd',
  title: 'SGD',
  configuration: 'lr 1e-2, no momentum',
  options: { lr: 1e-2 },
  traffic: { reads: ['param', 'grad'], writes: ['param'] },
  copyBaseline: true,
  plain: {
    states: 0,
    step(p, g) {
      const lr = 1e-2;
      for (let i = 0; i < p.length; i++) p[i] -= lr * g[i];
    },
  },
  tfjs: (tf) => tf.train.sgd(1e-2),
};

/** @type {import('./index.mjs').BenchAlgorithm} */
export const momentum = {
  id: 'momentum',
  algorithm: 'momentum',
  title: 'SGD with momentum',
  configuration: 'lr 1e-2, momentum 0.9',
  options: { lr: 1e-2, momentum: 0.9 },
  traffic: { reads: ['param', 'grad', 'momentum_buffer'], writes: ['param', 'momentum_buffer'] },
  plain: {
    states: 1,
    step(p, g, s) {
      const buf = s[0],
        lr = 1e-2,
        momentum = 0.9;
      for (let i = 0; i < p.length; i++) {
        buf[i] = momentum * buf[i] + g[i];
        p[i] -= lr * buf[i];
      }
    },
  },
  tfjs: (tf) => tf.train.momentum(1e-2, 0.9),
};

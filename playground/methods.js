// The methods raced on the surface: one table entry each. A method is shown when the library
// exports its class; its options come from the sliders (Momentum is SGD with momentum: the
// torch flavor is torch.optim.SGD, the tfjs flavor tf.train.momentum). `effective` is the
// per-coordinate effective learning rate after step t, from the optimizer's state and its
// group's options: what multiplies the gradient (or, for Adam, the first moment).

/**
 * @typedef {{ lr: number, eps: number, alpha: number, momentum: number }} Settings
 * @typedef {'torch' | 'tfjs'} Flavor
 * @typedef {(state: Record<string, any>, group: Record<string, any>, flavor: Flavor, t: number) => number[]} Effective
 * @typedef {object} Method
 * @property {string} id
 * @property {string} label
 * @property {string} className  the wasm-optim export
 * @property {string} color
 * @property {(s: Settings) => Record<string, number>} options
 * @property {Effective} [effective]  else the chart shows the step taken per unit of gradient
 */

/** @type {Effective} */
const constant = (_state, group) => [group.lr, group.lr];

/** lr / (√acc + eps) (torch: eps outside the root) or lr / √(acc + eps) (tfjs: inside). */
const normalised = (/** @type {string} */ name) =>
  /** @type {Effective} */ (
    (state, group, flavor) =>
      Array.from(state[name], (acc) =>
        flavor === 'tfjs' ? group.lr / Math.sqrt(acc + group.eps) : group.lr / (Math.sqrt(acc) + group.eps),
      )
  );

/** @type {Effective} lr/(1 − β1^t) / (√(v/(1 − β2^t)) + eps), per unit of the first moment. */
const adam = (state, group, _flavor, t) => {
  const [beta1, beta2] = group.betas;
  return Array.from(
    state.exp_avg_sq,
    (v) => group.lr / (1 - beta1 ** t) / (Math.sqrt(v / (1 - beta2 ** t)) + group.eps),
  );
};

/** @type {Effective} lr · √(acc_delta + eps) / √(square_avg + eps). */
const adadelta = (state, group) =>
  Array.from(
    state.square_avg,
    (v, i) => (group.lr * Math.sqrt(state.acc_delta[i] + group.eps)) / Math.sqrt(v + group.eps),
  );

/** @type {Effective} lr/(1 − β1^t) / u (torch) or / (u + eps) (tfjs), per unit of the first moment. */
const adamax = (state, group, flavor, t) => {
  const [beta1] = group.betas;
  const scale = group.lr / (1 + (flavor === 'tfjs' ? (t - 1) * group.lrDecay : 0)) / (1 - beta1 ** t);
  return Array.from(state.exp_inf, (u) => scale / (flavor === 'tfjs' ? u + group.eps : u));
};

/** @type {Method[]} */
export const METHODS = [
  { id: 'sgd', label: 'SGD', className: 'SGD', color: '#ff5a4e', options: (s) => ({ lr: s.lr }), effective: constant },
  {
    id: 'momentum',
    label: 'Momentum',
    className: 'Momentum',
    color: '#ffb020',
    options: (s) => ({ lr: s.lr, momentum: s.momentum }),
    effective: constant,
  },
  {
    id: 'adagrad',
    label: 'Adagrad',
    className: 'Adagrad',
    color: '#35a7ff',
    options: (s) => ({ lr: s.lr, eps: s.eps }),
    effective: normalised('sum'),
  },
  {
    id: 'rmsprop',
    label: 'RMSprop',
    className: 'RMSprop',
    color: '#3ee07f',
    options: (s) => ({ lr: s.lr, alpha: s.alpha, eps: s.eps }),
    effective: normalised('square_avg'),
  },
  {
    id: 'adam',
    label: 'Adam',
    className: 'Adam',
    color: '#d07bff',
    options: (s) => ({ lr: s.lr, eps: s.eps }),
    effective: adam,
  },
  {
    id: 'adadelta',
    label: 'Adadelta (its defaults)',
    className: 'Adadelta',
    color: '#f2f2f2',
    options: () => ({}),
    effective: adadelta,
  },
  {
    id: 'adamax',
    label: 'Adamax',
    className: 'Adamax',
    color: '#4ee0d6',
    options: (s) => ({ lr: s.lr, eps: s.eps }),
    effective: adamax,
  },
  // torch flavor only: under the tfjs switch they show as unavailable (TF.js has no NAdam, RAdam).
  {
    id: 'nadam',
    label: 'NAdam',
    className: 'NAdam',
    color: '#ff7ac8',
    options: (s) => ({ lr: s.lr, eps: s.eps }),
  },
  {
    id: 'radam',
    label: 'RAdam',
    className: 'RAdam',
    color: '#a8e05f',
    options: (s) => ({ lr: s.lr, eps: s.eps }),
  },
];

/** The methods whose class this build of the library exports. */
export function availableMethods(/** @type {Record<string, unknown>} */ lib) {
  return METHODS.filter((m) => typeof lib[m.className] === 'function');
}

// SGD and Momentum (golden README, "Formulas"):
//   torch:  g = maximize ? −grad : grad;  g = fma(θ, weightDecay, g)
//           momentum ≠ 0: b = (first use) ? g : fma(g, 1 − dampening, b·μ)
//                         d = nesterov ? fma(b, μ, g) : b        else d = g
//           θ = fma(d, −lr, θ)          (fma = PyTorch's fused multiply-add, rounded once)
//   tfjs:   tf.train.sgd:      θ = (−lr)·g + θ
//           tf.train.momentum: a = μ·a + g (a starts at 0);  θ = (−lr)·(nesterov ? g + a·μ : a) + θ
// SGD's tfjs flavor is tf.train.sgd at momentum 0 and tf.train.momentum otherwise (or with
// Nesterov); Momentum's is always tf.train.momentum. The torch flavor of both is PyTorch's SGD.
// PyTorch rule: nesterov needs momentum > 0 and dampening = 0.
import {
  BOOLEAN,
  LR,
  WEIGHT_DECAY,
  nonNegative,
  type AlgorithmDescription,
  type Domain,
  type ElementOutput,
  type OracleRule,
  type Options,
} from '../describe.js';

const MOMENTUM: Domain = {
  ...nonNegative([0, 1e-45, 0.5, 0.9, 0.99, 0.999, 1, 2], -3, 0),
  typical: (r) => (r.chance(0.7) ? 1 - r.logUniform(-3, -0.3) : r.float()),
};

const torch: OracleRule = {
  buffers: (o): Record<string, number | null> => ((o['momentum'] as number) !== 0 ? { momentum_buffer: null } : {}),
  scalars: (o) => ({
    wd: o['weightDecay'] as number,
    momentum: o['momentum'] as number,
    oneMinusDampening: 1 - (o['dampening'] as number),
    negLr: -(o['lr'] as number),
  }),
  update({ param, grad, state, s, o }, A) {
    let g = o['maximize'] ? A.neg(grad) : grad;
    if (o['weightDecay'] !== 0) g = A.fma(param, s['wd']!, g);
    let d = g;
    const out: Record<string, typeof param> = {};
    if ((o['momentum'] as number) !== 0) {
      const prev = state['momentum_buffer'];
      const buf = prev === undefined ? g : A.fma(g, s['oneMinusDampening']!, A.mul(prev, s['momentum']!));
      out['momentum_buffer'] = buf;
      d = o['nesterov'] ? A.fma(buf, s['momentum']!, g) : buf;
    }
    return { param: A.fma(d, s['negLr']!, param), state: out };
  },
};

function tfjs(hasBuffer: (o: Readonly<Options>) => boolean): OracleRule {
  return {
    buffers: (o): Record<string, number | null> => (hasBuffer(o) ? { momentum_buffer: 0 } : {}),
    scalars: (o) => ({ momentum: o['momentum'] as number, negLr: -(o['lr'] as number) }),
    update({ param, grad, state, s, o }, A): ElementOutput {
      if (!hasBuffer(o)) return { param: A.add(A.mul(s['negLr']!, grad), param), state: {} };
      const acc = A.add(A.mul(s['momentum']!, state['momentum_buffer']!), grad);
      const d = o['nesterov'] ? A.add(grad, A.mul(acc, s['momentum']!)) : acc;
      return { param: A.add(A.mul(s['negLr']!, d), param), state: { momentum_buffer: acc } };
    },
  };
}

const options = {
  lr: LR,
  momentum: MOMENTUM,
  // PyTorch does not check dampening: only values no rule accepts (NaN, …) are used as bad input.
  dampening: { kind: 'number', edges: [0, 0.1, 0.5, 1, -1], typical: (r) => r.float() } as Domain,
  weightDecay: WEIGHT_DECAY,
  nesterov: BOOLEAN,
  maximize: BOOLEAN,
};

// PyTorch's rule; TF.js's momentum optimizer takes useNesterov with any momentum.
const valid = (o: Readonly<Options>, flavor: string): boolean =>
  flavor === 'tfjs' || !o['nesterov'] || ((o['momentum'] as number) > 0 && o['dampening'] === 0);
const invalidCombos = {
  torch: [
    { nesterov: true, momentum: 0 },
    { nesterov: true, momentum: 0.9, dampening: 0.5 },
  ],
};

// PyTorch's momentum buffer is None until the first momentum step: a state may lack it.
const optionalState = { torch: ['momentum_buffer'] };

export const sgd: AlgorithmDescription = {
  algorithm: 'sgd',
  options,
  valid,
  invalidCombos,
  optionalState,
  oracle: { torch, tfjs: tfjs((o) => (o['momentum'] as number) > 0 || o['nesterov'] === true) },
};

export const momentum: AlgorithmDescription = {
  algorithm: 'momentum',
  options,
  valid,
  invalidCombos,
  optionalState,
  oracle: { torch, tfjs: tfjs(() => true) },
};

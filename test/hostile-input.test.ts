// Input that tries to trick the optimizer: values that change between reads (getters,
// Proxies), options inherited from Object.prototype, handles written at run time, typed arrays
// in disguise, sparse arrays, checkpoints that went through plain JSON or come from the other
// flavor, and everything after dispose(). Each value must be read once, and what is stored is
// what was checked.
import { afterEach, describe, expect, it } from 'vitest';
import { Adam, Adagrad, RMSprop, SGD, availableBackends } from '../src/index.js';
import { FULL_CONFIGS, make } from './helpers/full-options.js';
import { encode, gradsFor, values } from './helpers/snapshot.js';

const live: { dispose(): void }[] = [];
afterEach(() => {
  live.splice(0).forEach((opt) => opt.dispose());
});
const keep = <T extends { dispose(): void }>(opt: T): T => {
  live.push(opt);
  return opt;
};

/** A value that reads as `first` once and as `later` from then on, counting its reads. */
function shifty<T>(first: T, later: T): { get: () => T; reads: () => number } {
  let reads = 0;
  return { get: () => (reads++ === 0 ? first : later), reads: () => reads };
}

describe.each(availableBackends())('backend %s', (backend) => {
  it('an option behind a getter is read once: the checked value is the stored one', () => {
    const lr = shifty(0.1, -5);
    const options = {
      backend,
      get lr() {
        return lr.get();
      },
    };
    const opt = keep(new Adagrad([new Float32Array(3)], options));
    expect(lr.reads()).toBe(1);
    expect(opt.paramGroups[0]!.lr).toBe(0.1);
    expect(opt.defaults.lr).toBe(0.1);
  });

  it('a pair whose elements are getters, and a Proxy of options, are read once each', () => {
    const beta = shifty(0.9, 2);
    const betas = [0, 0.999];
    Object.defineProperty(betas, 0, { get: beta.get, enumerable: true });
    let reads = 0;
    const options = new Proxy(
      { lr: 0.01, betas, backend },
      {
        get(target, key, receiver) {
          if (key === 'lr') reads++;
          return Reflect.get(target, key, receiver);
        },
      },
    );
    const opt = keep(new Adam([new Float32Array(2)], options as never));
    expect(beta.reads()).toBe(1);
    expect(reads).toBe(1);
    expect(opt.paramGroups[0]!.betas).toEqual([0.9, 0.999]);
    // A setter given a pair with a getter reads it once too.
    const later = shifty(0.5, 7);
    const next = [0, 0.9];
    Object.defineProperty(next, 0, { get: later.get });
    opt.paramGroups[0]!.betas = next as unknown as [number, number];
    expect(later.reads()).toBe(1);
    expect(opt.paramGroups[0]!.betas).toEqual([0.5, 0.9]);
  });

  it('a gradient list whose element is a getter is read once per step', () => {
    const good = values(4, 1);
    const opt = keep(new SGD([values(4, 2)], { lr: 0.1, backend }));
    const twin = keep(new SGD([values(4, 2)], { lr: 0.1, backend }));
    const grads: (Float32Array | null)[] = [null];
    const grad = shifty<Float32Array | null>(good, new Float32Array(1000));
    Object.defineProperty(grads, 0, { get: grad.get });
    opt.step(grads);
    twin.step([good]);
    expect(grad.reads()).toBe(1);
    expect(encode(opt.params[0]!.data)).toEqual(encode(twin.params[0]!.data));
  });

  it('options inherited from Object.prototype are ignored', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['lr'] = -5;
    proto['momentum'] = 'x';
    try {
      const opt = keep(new SGD([new Float32Array(2)], { backend }));
      expect(opt.paramGroups[0]!.lr).toBe(1e-3);
      opt.addParamGroup({ params: [new Float32Array(1)] });
      expect(opt.paramGroups[1]!.momentum).toBe(0);
      const dict = opt.stateDict();
      opt.loadStateDict(dict);
    } finally {
      delete proto['lr'];
      delete proto['momentum'];
    }
  });

  it('a ParamHandle cannot be changed at run time', () => {
    const opt = keep(new Adagrad([new Float32Array(3), new Float32Array(5)], { backend }));
    const handle = opt.params[0]! as unknown as Record<string, number>;
    const before = {
      index: handle['index'],
      length: handle['length'],
      data: handle['dataOffset'],
      grad: handle['gradOffset'],
    };
    for (const key of ['index', 'length', 'dataOffset', 'gradOffset']) {
      expect(() => {
        handle[key] = 1 << 20;
      }, key).toThrow(TypeError);
    }
    expect({
      index: handle['index'],
      length: handle['length'],
      data: handle['dataOffset'],
      grad: handle['gradOffset'],
    }).toEqual(before);
    expect(Object.isFrozen(opt.params[0])).toBe(true);
  });

  it('typed arrays in disguise are refused by their internal type, not their prototype', () => {
    const bytes = new Uint8Array(12);
    Object.setPrototypeOf(bytes, Float32Array.prototype);
    expect(() => new Adagrad([bytes as unknown as Float32Array], { backend })).toThrow(
      /params\[0\] must be a Float32Array/,
    );
    // A Float32Array whose length property lies: the internal length counts.
    const liar = new Float32Array(8);
    Object.defineProperty(liar, 'length', { value: 2 });
    const opt = keep(new Adagrad([new Float32Array(2)], { backend }));
    expect(() => opt.step([liar])).toThrow(/grads\[0\] has length 8, expected 2/);
  });

  it('a detached parameter array is refused with a TypeError naming it', () => {
    const gone = new Float32Array(4);
    structuredClone(gone.buffer, { transfer: [gone.buffer] });
    expect(() => new Adagrad([new Float32Array(2), gone], { backend })).toThrow(TypeError);
    expect(() => new Adagrad([new Float32Array(2), gone], { backend })).toThrow(
      /params\[1\] is a Float32Array whose buffer is detached/,
    );
    const opt = keep(new Adagrad([new Float32Array(2)], { backend }));
    expect(() => opt.addParamGroup({ params: [gone] })).toThrow(
      /addParamGroup: params\[0\] is a Float32Array whose buffer is detached/,
    );
    expect(opt.params.length).toBe(1);
  });

  it('a state-dict buffer with holes is refused, naming the index', () => {
    const opt = keep(new RMSprop([values(4, 1)], { backend }));
    opt.step([values(4, 2)]);
    const dict = opt.stateDict() as unknown as { state: Record<number, Record<string, unknown>> };
    // biome-ignore lint/suspicious/noSparseArray: the hole is the hostile input under test
    dict.state[0]!['square_avg'] = [1, 2, , 4];
    const before = encode(opt.stateDict());
    expect(() => opt.loadStateDict(dict as never)).toThrow(/state\[0\]\.square_avg has a hole at index 2/);
    expect(encode(opt.stateDict())).toEqual(before);
  });

  it('a state dict of the other flavor is refused', () => {
    const torch = keep(new Adam([values(3, 1)], { backend }));
    const tfjs = keep(new Adam([values(3, 1)], { backend, flavor: 'tfjs' }));
    torch.step([values(3, 2)]);
    tfjs.step([values(3, 2)]);
    expect(() => tfjs.loadStateDict(torch.stateDict())).toThrow(
      /saved by a "torch"-flavor optimizer; this one is 'tfjs'/,
    );
    expect(() => torch.loadStateDict(tfjs.stateDict())).toThrow(
      /saved by a "tfjs"-flavor optimizer; this one is 'torch'/,
    );
    // Without the key (a dict made by hand, or by PyTorch) it is taken as this flavor's.
    const { flavor: _flavor, ...bare } = torch.stateDict();
    torch.loadStateDict(bare);
  });

  describe.each(FULL_CONFIGS.map((c) => [`${c.algorithm} ${c.flavor}`, c] as const))('%s', (_name, config) => {
    it('resumes bit-identically from a plain JSON round trip of its state dict', () => {
      const lengths = [6, 2];
      const options = { ...config.options, flavor: config.flavor, backend };
      const opt = keep(
        make(
          config.algorithm,
          lengths.map((n, k) => values(n, k)),
          options,
        ),
      );
      const twin = keep(
        make(
          config.algorithm,
          lengths.map((n, k) => values(n, k)),
          options,
        ),
      );
      for (let t = 1; t <= 3; t++) opt.step(gradsFor(lengths, t));
      // Float32Array → {"0": …, "1": …} in plain JSON: accepted as it comes back.
      twin.loadStateDict(JSON.parse(JSON.stringify(opt.stateDict())));
      opt.params.forEach((p, i) => twin.params[i]!.data.set(p.data));
      for (let t = 4; t <= 6; t++) {
        for (const o of [opt, twin]) {
          o.params.forEach((p, i) => p.grad.set(gradsFor(lengths, t)[i]!));
          o.step();
        }
      }
      expect(encode(twin.params.map((p) => p.data))).toEqual(encode(opt.params.map((p) => p.data)));
      expect(encode(twin.stateDict())).toEqual(encode(opt.stateDict()));
    });
  });

  it('after dispose() every call throws a clear error, and a second dispose() does nothing', () => {
    const opt = new RMSprop([values(4, 1)], { backend });
    const handle = opt.params[0]!;
    const group = opt.paramGroups[0]!;
    opt.dispose();
    expect(opt.disposed).toBe(true);
    expect(opt.memoryBytes).toBe(0);
    const calls: [string, () => unknown][] = [
      ['step', () => opt.step([values(4, 2)])],
      ['step', () => opt.step()],
      ['stateDict', () => opt.stateDict()],
      ['loadStateDict', () => opt.loadStateDict({ state: {}, param_groups: [] })],
      ['addParamGroup', () => opt.addParamGroup({ params: [new Float32Array(1)] })],
      ['params', () => opt.params],
      ['paramGroups', () => opt.paramGroups],
      [
        'paramGroups[0].lr',
        () => {
          group.lr = 0.5;
        },
      ],
    ];
    for (const [what, call] of calls) {
      expect(call, what).toThrow(
        new RegExp(`^RMSprop\\.${what.replace(/[[\].]/g, '\\$&')}: the optimizer has been disposed`),
      );
    }
    expect(() => handle.data).toThrow(/RMSprop: the optimizer has been disposed; parameter 0's data and grad are gone/);
    expect(() => handle.grad).toThrow(/disposed/);
    expect(() => opt.dispose()).not.toThrow();
  });
});

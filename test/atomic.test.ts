// Failures that must leave the optimizer exactly as it was: a failed addParamGroup (bad input,
// or more than the memory holds), an option setter or a loadStateDict whose new buffers do not
// fit, and drop-in steps whose user arrays were detached or resized. Each case checks the
// optimizer's observable state bit for bit, then that it continues exactly like a twin that
// never saw the failed call, with both step forms. Every algorithm, flavor and backend.
import { afterEach, describe, expect, it } from 'vitest';
import { availableBackends } from '../src/index.js';
import type { AnyOptimizer } from '../src/registry.js';
import { FULL_CONFIGS, bytesPerElement, make } from './helpers/full-options.js';
import { encode, gradsFor, values } from './helpers/snapshot.js';

const LENGTHS = [5, 3, 17];
const live: AnyOptimizer[] = [];
afterEach(() => {
  live.splice(0).forEach((opt) => opt.dispose());
});

/** Everything observable of the small parameters `from` onwards, bit-exact. */
function observe(opt: AnyOptimizer, users: readonly Float32Array[], from = 0): unknown {
  const dict = opt.stateDict();
  return encode({
    users,
    data: opt.params.slice(from).map((p) => p.data.slice()),
    grad: opt.params.slice(from).map((p) => p.grad.slice()),
    count: opt.params.length,
    memory: opt.memoryBytes,
    groups: opt.paramGroups.map((g) => ({ ...g, params: g.params.map((h) => h.index) })),
    state: Object.fromEntries(Object.entries(dict.state).filter(([key]) => Number(key) >= from)),
  });
}

/** A drop-in step, a zero-copy step with lr 0 (it must still change nothing), another drop-in. */
function continueBoth(opts: readonly AnyOptimizer[]): void {
  for (const opt of opts) {
    opt.step(gradsFor(LENGTHS, 4));
    const group = opt.paramGroups[0] as unknown as Record<string, unknown>;
    const lr = group['lr'];
    group['lr'] = 0;
    opt.params.forEach((p, i) => p.grad.set(gradsFor(LENGTHS, 5)[i]!));
    opt.step();
    group['lr'] = lr;
    opt.step(gradsFor(LENGTHS, 6));
  }
}

describe.each(availableBackends())('backend %s', (backend) => {
  describe.each(FULL_CONFIGS.map((c) => [`${c.algorithm} ${c.flavor}`, c] as const))('%s', (_name, config) => {
    const options = { ...config.options, flavor: config.flavor, backend };
    /** Two optimizers with the same history: two drop-in steps and a zero-copy one. */
    function twins(): { opt: AnyOptimizer; twin: AnyOptimizer; users: Float32Array[]; twinUsers: Float32Array[] } {
      const users = LENGTHS.map((n, k) => values(n, k + 1));
      const twinUsers = users.map((u) => u.slice());
      const opt = make(config.algorithm, users, options);
      const twin = make(config.algorithm, twinUsers, options);
      live.push(opt, twin);
      for (const o of [opt, twin]) {
        o.step(gradsFor(LENGTHS, 1));
        o.step(gradsFor(LENGTHS, 2));
        o.params.forEach((p, i) => p.grad.set(gradsFor(LENGTHS, 3)[i]!));
        o.step();
      }
      return { opt, twin, users, twinUsers };
    }

    const failedAdditions: [string, (opt: AnyOptimizer, users: Float32Array[]) => unknown, RegExp][] = [
      ['an invalid option', () => ({ params: [new Float32Array(4)], lr: -1 }), /invalid addParamGroup: lr: -1/],
      [
        'a second parameter that is not a Float32Array',
        () => ({ params: [new Float32Array(4), [1, 2]] }),
        /params\[1\] must be a Float32Array/,
      ],
      [
        'a parameter already in the optimizer',
        (_o, users) => ({ params: [new Float32Array(2), users[2]] }),
        /params\[1\] is the same Float32Array/,
      ],
      [
        'a parameter sharing memory with one of ours',
        (_o, users) => ({ params: [new Float32Array(users[2]!.buffer, 8, 3)] }),
        /params\[0\] shares memory/,
      ],
      [
        "a view of the optimizer's own memory",
        (opt) => ({ params: [opt.params[1]!.data] }),
        /params\[0\] is a view of this optimizer's own memory/,
      ],
      [
        'more than 4 GiB',
        () => ({ params: [new Float32Array(8), Math.floor(2 ** 32 / bytesPerElement(config)) + 1] }),
        /addParamGroup: 2 parameters of \d+ elements in total need [\d.]+ GiB \(\d+ bytes\)[\s\S]*at most 4 GiB/,
      ],
    ];
    for (const [what, group, message] of failedAdditions) {
      it(`addParamGroup with ${what} throws and changes nothing`, () => {
        const { opt, twin, users, twinUsers } = twins();
        const before = observe(opt, users);
        expect(() => opt.addParamGroup(group(opt, users) as never)).toThrow(message);
        expect(observe(opt, users)).toEqual(before);
        continueBoth([opt, twin]);
        expect(observe(opt, users)).toEqual(observe(twin, twinUsers));
      });
    }

    it('a drop-in step whose parameter array was detached throws before changing anything', () => {
      const { opt, twin, users } = twins();
      opt.step(gradsFor(LENGTHS, 7)); // memory and users in step
      twin.step(gradsFor(LENGTHS, 7));
      structuredClone(users[1]!.buffer, { transfer: [users[1]!.buffer] });
      const intact = [users[0]!, users[2]!];
      const before = observe(opt, intact);
      expect(() => opt.step(gradsFor(LENGTHS, 8))).toThrow(
        /parameter 1, the Float32Array you gave, now has length 0 where it had 3: its buffer was detached/,
      );
      expect(observe(opt, intact)).toEqual(before);
      // Zero-copy steps still work, and match the twin.
      for (const o of [opt, twin]) {
        o.params.forEach((p, i) => p.grad.set(gradsFor(LENGTHS, 9)[i]!));
        o.step();
      }
      expect(encode(opt.params.map((p) => p.data))).toEqual(encode(twin.params.map((p) => p.data)));
      expect(encode(opt.stateDict().state)).toEqual(encode(twin.stateDict().state));
    });

    it('a detached gradient is refused, naming it', () => {
      const { opt, users } = twins();
      const grads = gradsFor(LENGTHS, 7);
      structuredClone(grads[2]!.buffer, { transfer: [grads[2]!.buffer] });
      const before = observe(opt, users);
      expect(() => opt.step(grads)).toThrow(/grads\[2\] has length 0 \(its buffer is detached\), expected 17/);
      expect(observe(opt, users)).toEqual(before);
    });
  });

  it('a parameter on a resizable buffer that grows or shrinks is refused before the step', () => {
    for (const newLength of [40, 8]) {
      const buffer = new ArrayBuffer(20, { maxByteLength: 400 });
      const tracking = new Float32Array(buffer); // length-tracking: follows the buffer
      tracking.set([1, 2, 3, 4, 5]);
      const other = values(3, 2);
      const opt = make('adam', [tracking, other], { backend });
      const twin = make(
        'adam',
        [
          values(5, 9)
            .fill(0)
            .map((_, i) => i + 1),
          other.slice(),
        ],
        { backend },
      );
      live.push(opt, twin);
      opt.step([values(5, 3), values(3, 4)]);
      twin.step([values(5, 3), values(3, 4)]);
      buffer.resize(newLength);
      const before = encode(opt.stateDict());
      expect(() => opt.step([values(5, 5), values(3, 6)])).toThrow(
        new RegExp(
          `parameter 0, the Float32Array you gave, now has length ${newLength / 4} where it had 5: its buffer was ` +
            `resized`,
        ),
      );
      expect(encode(opt.stateDict())).toEqual(before);
      expect(encode(other)).toEqual(encode(twin.params[1]!.data));
    }
  });

  it('switching on an option whose buffers do not fit throws, naming the option, and changes nothing', () => {
    // RMSprop torch, 12 bytes per element: a first parameter fills the memory to within 1 MiB,
    // so centered (a buffer more) cannot fit for it, but still fits for a small second group.
    const big = Math.floor((2 ** 32 - 2 ** 20) / 12);
    const users = [values(5, 1), values(3, 2)];
    const opt = make('rmsprop', [{ params: [big] }, { params: users }], { lr: 0.01, backend });
    const alone = make(
      'rmsprop',
      users.map((u) => u.slice()),
      { lr: 0.01, backend },
    );
    live.push(opt, alone);
    opt.step([null, values(5, 3), values(3, 4)]);
    alone.step([values(5, 3), values(3, 4)]);
    const before = observe(opt, users, 1);
    const group0 = opt.paramGroups[0] as unknown as Record<string, unknown>;
    expect(() => {
      group0['centered'] = true;
    }).toThrow(
      new RegExp(
        String.raw`RMSprop: paramGroups\[0\]\.centered = true: the new state buffers need ` +
          String.raw`[\d.]+ GiB \(\d+ bytes\)[\s\S]*at most 4 GiB`,
      ),
    );
    expect(group0['centered']).toBe(false);
    expect(observe(opt, users, 1)).toEqual(before);
    // The small group can still switch it on, and steps on exactly as a fresh optimizer would.
    (opt.paramGroups[1] as unknown as Record<string, unknown>)['centered'] = true;
    (alone.paramGroups[0] as unknown as Record<string, unknown>)['centered'] = true;
    opt.step([null, values(5, 5), values(3, 6)]);
    alone.step([values(5, 5), values(3, 6)]);
    expect(encode(users)).toEqual(encode(alone.params.map((p) => p.data)));
  });

  it('loadStateDict whose new buffers do not fit throws and changes nothing', () => {
    const big = Math.floor((2 ** 32 - 2 ** 20) / 12);
    const users = [values(5, 1), values(3, 2)];
    const opt = make('rmsprop', [{ params: [big] }, { params: users }], { lr: 0.01, backend });
    live.push(opt);
    opt.step([null, values(5, 3), values(3, 4)]);
    const before = observe(opt, users, 1);
    const dict = opt.stateDict();
    // A momentum buffer for the big parameter: 1.3 GB more. The Float32Array is never written,
    // so it costs no memory until read.
    (dict.param_groups[0] as Record<string, unknown>)['momentum'] = 0.9;
    dict.state[0] = { step: 1, square_avg: new Float32Array(big), momentum_buffer: new Float32Array(big) };
    expect(() => opt.loadStateDict(dict)).toThrow(
      /RMSprop: loadStateDict: the state buffers it brings need [\d.]+ GiB[\s\S]*at most 4 GiB/,
    );
    expect(observe(opt, users, 1)).toEqual(before);
  });

  it('a constructor past 4 GiB throws a RangeError with the bytes and the limit, on every backend alike', () => {
    expect(() => make('adam', [300_000_000], { backend })).toThrow(
      new RegExp(
        String.raw`^Adam: the constructor: 1 parameter of 300000000 elements needs 4\.47 GiB ` +
          String.raw`\(4800000\d{3} bytes\) of memory[\s\S]*` +
          String.raw`a WebAssembly memory holds at most 4 GiB \(4294967296 bytes\)`,
      ),
    );
    expect(() => make('sgd', [{ params: [200_000_000, 200_000_000] }, { params: [200_000_000] }], { backend })).toThrow(
      /^SGD: the constructor: 3 parameters of 600000000 elements in total need 4\.47 GiB/,
    );
    const error = (() => {
      try {
        make('adagrad', [2 ** 30 - 1], { backend });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(RangeError);
  });
});

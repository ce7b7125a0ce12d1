// Zero-copy handles across memory growth. memory.grow detaches every view of the old buffer
// (writes to it vanish silently), so ParamHandle re-derives its views whenever the buffer
// changed. These tests force growth and show that nothing written is lost and that earlier
// optimizers and parameters keep stepping exactly like optimizers that never grew.
import { describe, expect, it } from 'vitest';
import { Adagrad, RMSprop, availableBackends } from '../src/index.js';
import { expectSameBits } from './helpers/bits.js';
import { randomF32, rng } from './helpers/random.js';

describe.each(availableBackends())('backend %s', (backend) => {
  it('handles stay live and keep their values when addParamGroup grows the memory', () => {
    const random = rng(1);
    const w = randomF32(random, 1001, 'normal');
    const grads = [0, 1, 2, 3].map(() => randomF32(random, 1001, 'normal'));
    const big = randomF32(random, 300_000, 'normal');
    const bigGrads = [0, 1].map(() => randomF32(random, 300_000, 'normal'));

    const opt = new RMSprop([w.slice()], { momentum: 0.9, backend });
    const handle = opt.params[0]!;
    handle.grad.set(grads[0]!);
    opt.step();
    const staleData = handle.data;
    // Written before the growth, read by the step after it: must not be lost.
    handle.grad.set(grads[1]!);
    const bytesBefore = opt.memoryBytes;
    opt.addParamGroup({ params: [big.slice()], lr: 0.001 });
    expect(opt.memoryBytes).toBeGreaterThan(bytesBefore);
    expect(staleData.length, 'a view taken before the growth is detached').toBe(0);
    opt.step();
    opt.params[1]!.grad.set(bigGrads[0]!);
    handle.grad.set(grads[2]!);
    opt.step();

    // The same history on an optimizer created with both groups from the start.
    const reference = new RMSprop([{ params: [w.slice()] }, { params: [big.slice()], lr: 0.001 }], {
      momentum: 0.9,
      backend,
    });
    reference.step([grads[0]!, null]);
    reference.step([grads[1]!, new Float32Array(300_000)]);
    reference.step([grads[2]!, bigGrads[0]!]);
    expectSameBits(handle.data, reference.params[0]!.data, 'first parameter');
    expectSameBits(opt.params[1]!.data, reference.params[1]!.data, 'added parameter');
    const got = opt.stateDict().state;
    const want = reference.stateDict().state;
    for (const name of ['square_avg', 'momentum_buffer'] as const) {
      expectSameBits(got[0]![name]!, want[0]![name]!, `state[0].${name}`);
      expectSameBits(got[1]![name]!, want[1]![name]!, `state[1].${name}`);
    }
  });

  it('growth by many added groups keeps every earlier parameter intact', () => {
    const random = rng(2);
    const initial = randomF32(random, 100, 'normal');
    const first = initial.slice();
    const opt = new Adagrad([first], { backend });
    const gradFirst = randomF32(random, 100, 'normal');
    opt.step([gradFirst]);
    const afterOne = first.slice();
    const sizes: number[] = [];
    for (let g = 0; g < 12; g++) {
      opt.addParamGroup({ params: [randomF32(random, 50_000 + g * 997, 'normal')] });
      sizes.push(opt.memoryBytes);
      expectSameBits(opt.params[0]!.data, afterOne, `first parameter after group ${g}`);
    }
    expect(new Set(sizes).size, 'the memory really grew several times').toBeGreaterThan(3);
    // A drop-in step still writes back into the user's array, and equals a lone optimizer.
    opt.step([gradFirst, ...opt.params.slice(1).map(() => null)]);
    const alone = new Adagrad([initial.slice()], { backend });
    alone.step([gradFirst]);
    alone.step([gradFirst]);
    expectSameBits(first, alone.params[0]!.data, 'first parameter after two steps');
    expectSameBits(opt.stateDict().state[0]!.sum!, alone.stateDict().state[0]!.sum!, 'first sum');
  });

  it('many optimizers alive at once each keep their own memory', () => {
    const random = rng(3);
    const inits = Array.from({ length: 24 }, () => randomF32(random, 40_000, 'normal'));
    const grads = Array.from({ length: 24 }, () => randomF32(random, 40_000, 'normal'));
    const opts = inits.map((init) => new Adagrad([init.slice()], { lr: 0.1, backend }));
    for (let t = 0; t < 2; t++)
      opts.forEach((opt, i) => {
        opt.params[0]!.grad.set(grads[i]!);
        opt.step();
      });
    // Each must equal a lone optimizer with the same history.
    for (const i of [0, 11, 23]) {
      const alone = new Adagrad([inits[i]!.slice()], { lr: 0.1, backend });
      alone.step([grads[i]!]);
      alone.step([grads[i]!]);
      expectSameBits(opts[i]!.params[0]!.data, alone.params[0]!.data, `optimizer ${i}`);
    }
  });
});

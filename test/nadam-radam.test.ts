// What NAdam and RAdam have that the shared suites do not cover: torch only, NAdam's float32
// mu_product (a number in the state dict, rebuilt from `step` when a dict lacks it), and RAdam's
// rectified steps (ρ_t > 5 only from step 6: the conformance suite's three steps never get there).
// Their arithmetic is held to PyTorch by the golden files (torch/nadam.json, torch/radam.json)
// and across backends by the conformance suite.
import { describe, expect, it } from 'vitest';
import { availableBackends, type BackendName } from '../src/index.js';
import { OPTIMIZERS } from '../src/registry.js';
import { expectSameBits } from './helpers/bits.js';
import { randomF32, rng, type Regime } from './helpers/random.js';

const bits = (x: Float32Array): number[] => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));

describe.each(['nadam', 'radam'].filter((name) => name in OPTIMIZERS))('%s', (name) => {
  it("flavor 'tfjs' is refused: TF.js has no such optimizer", () => {
    expect(() => new OPTIMIZERS[name]!([3], { flavor: 'tfjs' })).toThrow(/flavor 'tfjs' is not available/);
  });

  it('has no maximize (PyTorch 1.13 has none)', () => {
    expect(() => new OPTIMIZERS[name]!([3], { maximize: true })).toThrow(/maximize/);
  });
});

/** PyTorch's mu_product after `steps` steps, by the loop itself. */
function muProductLoop(beta1: number, psi: number, steps: number): number {
  let p = 1;
  for (let t = 1; t <= steps; t++) p = Math.fround(p * Math.fround(beta1 * (1 - 0.5 * 0.96 ** (t * psi))));
  return p;
}

describe.each(availableBackends())('NAdam mu_product (backend %s)', (backend) => {
  const N = 5;
  const NAdam = OPTIMIZERS['nadam']!;

  it.each([
    { betas: [0.9, 0.999], momentumDecay: 4e-3, steps: 1 },
    { betas: [0.9, 0.999], momentumDecay: 4e-3, steps: 37 },
    { betas: [0.99, 0.999], momentumDecay: 0.5, steps: 2000 },
    { betas: [0.9999, 0.99], momentumDecay: 2, steps: 3000 },
    { betas: [0.5, 0.9], momentumDecay: 0, steps: 300 },
    { betas: [0, 0.9], momentumDecay: 4e-3, steps: 3 },
    { betas: [0.99999999, 0.9], momentumDecay: 1, steps: 1000 },
    { betas: [0.999, 0.9], momentumDecay: 1e-3, steps: 3000 },
    { betas: [-0, 0.9], momentumDecay: 1, steps: 5 },
  ])(
    'betas $betas, momentumDecay $momentumDecay: $steps steps, save without mu_product, load, one more step: ' +
      'bit-identical',
    ({ betas, momentumDecay, steps }) => {
      const random = rng(11);
      const gradient = (): Float32Array => Float32Array.from({ length: N }, () => 2 * random() - 1);
      const options = { backend, lr: 0.01, betas, momentumDecay };
      const a = new NAdam([N], options);
      for (let t = 0; t < steps; t++) a.step([gradient()]);
      const saved = a.stateDict();
      const { mu_product: muProduct, ...rest } = saved.state[0]! as Record<string, unknown>;
      expect(muProduct).toBe(muProductLoop(betas[0]!, momentumDecay, steps));

      const b = new NAdam([N], options);
      b.params[0]!.data.set(a.params[0]!.data);
      b.loadStateDict({ state: { 0: rest }, param_groups: saved.param_groups });
      expect(Object.is((b.stateDict().state[0] as Record<string, unknown>)['mu_product'], muProduct)).toBe(true);
      const g = gradient();
      a.step([g]);
      b.step([g.slice()]);
      expect(bits(b.params[0]!.data)).toEqual(bits(a.params[0]!.data));
    },
  );

  it.each([
    { betas: [0.9, 0.999], momentumDecay: 4e-3, want: 0 },
    // The product sticks at 2^-149 (× a factor > 1/2 rounds back to it) while fl(μ_t) < fl(β1)
    // for ~4e6 steps, then × fl(β1) leaves it there too.
    { betas: [0.9999, 0.999], momentumDecay: 1e-4, want: 2 ** -149 },
    { betas: [0.999, 0.999], momentumDecay: 1e-3, want: muProductLoop(0.999, 1e-3, 500_000) },
    { betas: [0.99999999, 0.999], momentumDecay: 1, want: muProductLoop(0.99999999, 1, 2000) },
    { betas: [-0, 0.999], momentumDecay: 1, want: -0 },
  ])(
    'betas $betas, momentumDecay $momentumDecay: a step count of 2^53 − 1 without mu_product loads promptly',
    ({ betas, momentumDecay, want }) => {
      const opt = new NAdam([N], { backend, betas, momentumDecay });
      opt.loadStateDict({
        state: { 0: { step: Number.MAX_SAFE_INTEGER, exp_avg: new Float32Array(N), exp_avg_sq: new Float32Array(N) } },
        param_groups: opt.stateDict().param_groups,
      });
      expect(Object.is((opt.stateDict().state[0] as Record<string, unknown>)['mu_product'], want)).toBe(true);
    },
  );

  it('a loaded mu_product is used as it is (a PyTorch state dict round-trips)', () => {
    const opt = new NAdam([N], { backend });
    opt.step([new Float32Array(N).fill(0.5)]);
    const saved = opt.stateDict();
    const entry = saved.state[0] as Record<string, unknown>;
    expect(typeof entry['mu_product']).toBe('number');
    const other = new NAdam([N], { backend });
    other.loadStateDict({ state: { 0: { ...entry, mu_product: 0.25 } }, param_groups: saved.param_groups });
    expect((other.stateDict().state[0] as Record<string, unknown>)['mu_product']).toBe(0.25);
    other.step([new Float32Array(N).fill(0.5)]);
    const mu2 = Math.fround(0.9 * (1 - 0.5 * 0.96 ** (2 * 4e-3)));
    expect((other.stateDict().state[0] as Record<string, unknown>)['mu_product']).toBe(Math.fround(0.25 * mu2));
  });
});

describe('RAdam: rectified steps, Wasm kernels equal the JS reference', () => {
  const others = availableBackends().filter((b) => b !== 'js');
  const RAdam = OPTIMIZERS['radam']!;
  const STEPS = 9; // unrectified steps 1–5, rectified 6–9 (β2 0.999 and 0.99)

  it.each([
    { betas: [0.9, 0.999], weightDecay: 0, eps: 1e-8 },
    { betas: [0.8, 0.99], weightDecay: 0.1, eps: 1e-3 },
  ])('betas $betas, weightDecay $weightDecay, eps $eps', (options) => {
    for (const regime of ['normal', 'wide', 'special'] as Regime[]) {
      const run = (backend: BackendName): Float32Array[][] => {
        const random = rng(42);
        const lengths = Array.from({ length: 34 }, (_, n) => n).concat([257, 1000]);
        const params = lengths.map((n) => randomF32(random, n, regime === 'special' ? 'normal' : regime));
        const opt = new RAdam(params, { ...options, lr: 0.01, backend });
        const out: Float32Array[][] = [];
        for (let t = 0; t < STEPS; t++) {
          opt.step(lengths.map((n) => randomF32(random, n, regime)));
          const state = opt.stateDict().state as Record<number, Record<string, Float32Array>>;
          out.push(params.flatMap((p, k) => [p.slice(), state[k]!['exp_avg']!, state[k]!['exp_avg_sq']!]));
        }
        return out;
      };
      const want = run('js');
      for (const backend of others) {
        run(backend).forEach((arrays, t) =>
          arrays.forEach((got, k) => expectSameBits(got, want[t]![k]!, `${backend} ${regime} step ${t + 1} #${k}`)),
        );
      }
    }
  });
});

describe('NAdam: param groups with different momentum schedules step as separate optimizers', () => {
  it.each(availableBackends())('backend %s', (backend) => {
    const NAdam = OPTIMIZERS['nadam']!;
    const random = rng(3);
    const init = [randomF32(random, 9, 'normal'), randomF32(random, 6, 'normal'), randomF32(random, 5, 'normal')];
    const groups = [{ momentumDecay: 0.1 }, { momentumDecay: 4e-3, betas: [0.8, 0.99] }, { momentumDecay: 0.1 }];
    const together = new NAdam(
      groups.map((g, k) => ({ params: [init[k]!.slice()], ...g })),
      { backend },
    );
    const apart = groups.map((g, k) => new NAdam([init[k]!.slice()], { ...g, backend }));
    const grads = Array.from({ length: 6 }, () => init.map((x) => randomF32(random, x.length, 'normal')));
    for (const step of grads) together.step(step.map((g) => g.slice()));
    // Each alone from start to end: nothing shared with the other groups' steps.
    apart.forEach((opt, k) => {
      for (const step of grads) opt.step([step[k]!.slice()]);
    });
    apart.forEach((opt, k) => expectSameBits(together.params[k]!.data, opt.params[0]!.data, `group ${k}`));
  });
});

describe('RAdam: non-finite gradients before the rectification switches on', () => {
  // Before ρ_t > 5 the step is θ ← θ − lr·m/(1 − β1^t): an infinite gradient gives an infinite
  // first moment and so ∓Infinity in the parameter (PyTorch's too), not the NaN of Adam's m/√v.
  it('NaN gives NaN, ±Infinity gives ∓Infinity, the same bits on every backend', () => {
    const RAdam = OPTIMIZERS['radam']!;
    const runs = availableBackends().map((backend) => {
      const w = Float32Array.from([1, -2, 3, 0.5]);
      const opt = new RAdam([w], { lr: 0.01, backend });
      opt.step([Float32Array.from([Number.NaN, Infinity, -Infinity, 0.25])]);
      opt.step([Float32Array.from([0.5, 0.5, 0.5, 0.5])]);
      return w;
    });
    const w = runs[0]!;
    expect(Number.isNaN(w[0]!)).toBe(true);
    expect(w[1]).toBe(-Infinity);
    expect(w[2]).toBe(Infinity);
    expect(Number.isFinite(w[3]!)).toBe(true);
    for (const other of runs.slice(1)) expectSameBits(other, w, 'vs the first backend');
  });
});

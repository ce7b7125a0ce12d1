// The float64 oracle's own soundness and power. Soundness: for any float32 operands (±0,
// subnormals, huge, ±Infinity, NaN), the float32 result of each operation lies within the
// bound the oracle's arithmetic carries, or is exactly the special value it declares certain;
// and so does a float32 evaluation of a whole update rule (written here with Math.fround, not
// the library's kernels). Power: an oracle rule with a wrong formula is caught at once.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { DESCRIPTIONS } from '../tools/fuzz/algorithms/index.js';
import { ARITH, type B, exact } from '../tools/fuzz/bounded.js';
import { caseFromJson } from '../tools/fuzz/case.js';
import type { OracleRule } from '../tools/fuzz/describe.js';
import { runCase } from '../tools/fuzz/runner.js';

const fl = Math.fround;

/** Is the float32 value `got` allowed by the oracle value `want`? */
function within(want: B, got: number): boolean {
  if (want.unknown) return true;
  if (!want.finite) return want.v !== want.v ? got !== got : got === want.v;
  return Number.isFinite(got) && Math.abs(got - want.v) <= want.e;
}

const f32 = fc
  .oneof(
    { weight: 3, arbitrary: fc.float({ noDefaultInfinity: false, noNaN: false }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        0,
        -0,
        1e-45,
        -1e-45,
        1.1754942e-38,
        3.4028235e38,
        -3.4028235e38,
        Infinity,
        -Infinity,
        NaN,
        1,
        -1,
      ),
    },
  )
  .map(fl);

it('each operation: the float32 result is within the bound (or the declared special)', () => {
  // For float32 operands, +, −, ×, ÷ and √ in float64 then fround are correctly rounded.
  fc.assert(
    fc.property(f32, f32, f32, (a, b, c) => {
      const [x, y, z] = [exact(a), exact(b), exact(c)];
      const checks: [B, number][] = [
        [ARITH.add(x, y), fl(a + b)],
        [ARITH.sub(x, y), fl(a - b)],
        [ARITH.mul(x, y), fl(a * b)],
        [ARITH.div(x, y), fl(a / b)],
        [ARITH.sqrt(x), fl(Math.sqrt(a))],
        [ARITH.max(x, y), Math.max(a, b)],
        [ARITH.abs(x), Math.abs(a)],
        [ARITH.abs(ARITH.sub(x, y)), Math.abs(fl(a - b))],
        // fma: rounding the float64 sum once more may double-round, but stays within the bound.
        [ARITH.fma(x, y, z), fl(a * b + c)],
        // Chains: errors propagate through the bound.
        [
          ARITH.div(ARITH.mul(x, y), ARITH.add(ARITH.sqrt(z), ARITH.c(1e-8))),
          fl(fl(a * b) / fl(fl(Math.sqrt(c)) + fl(1e-8))),
        ],
        [ARITH.sub(ARITH.mul(z, x), ARITH.mul(y, y)), fl(fl(c * a) - fl(b * b))],
      ];
      return checks.every(([want, got]) => within(want, got));
    }),
    { seed: 42, numRuns: 20_000 },
  );
});

it('a whole update (tfjs RMSprop, centered, with momentum) evaluated in float32 stays within the bound', () => {
  const rule = DESCRIPTIONS['rmsprop']!.oracle.tfjs!;
  const o = { lr: 0.01, alpha: 0.9, eps: 1e-7, momentum: 0.9, centered: true, weightDecay: 0, maximize: false };
  fc.assert(
    fc.property(f32, f32, f32, f32, f32, (p, g, v, m, b) => {
      const s = Object.fromEntries(
        Object.entries(rule.scalars(o, 1, ARITH, {})).map(([k, x]) => [k, typeof x === 'number' ? ARITH.c(x) : x]),
      );
      const out = rule.update(
        {
          param: exact(p),
          grad: exact(g),
          state: { square_avg: exact(v), grad_avg: exact(m), momentum_buffer: exact(b) },
          s,
          o,
          t: 1,
        },
        ARITH,
      );
      // TF.js's order, every operation rounded.
      const sq = fl(fl(v * fl(o.alpha)) + fl(fl(g * g) * fl(1 - o.alpha)));
      const ga = fl(fl(m * fl(o.alpha)) + fl(g * fl(1 - o.alpha)));
      const den = fl(Math.sqrt(fl(sq - fl(fl(ga * ga) + fl(o.eps)))));
      const buf = fl(fl(b * fl(o.momentum)) + fl(fl(g * fl(o.lr)) / den));
      return (
        within(out.param, fl(p - buf)) &&
        within(out.state['square_avg']!, sq) &&
        within(out.state['grad_avg']!, ga) &&
        within(out.state['momentum_buffer']!, buf)
      );
    }),
    { seed: 43, numRuns: 20_000 },
  );
});

it('catches a wrong formula: torch Adagrad with eps inside the root', () => {
  const description = DESCRIPTIONS['adagrad']!;
  const right = description.oracle.torch!;
  const wrong: OracleRule = {
    ...right,
    update({ param, grad, state, s }, A) {
      const sum = A.fma(grad, grad, state['sum']!);
      return { param: A.add(param, A.div(A.mul(s['negClr']!, grad), A.sqrt(A.add(sum, s['eps']!)))), state: { sum } };
    },
  };
  const c = caseFromJson({
    format: 'wasm-optim-fuzz/1',
    algorithm: 'adagrad',
    flavor: 'torch',
    options: { eps: 1e-3, lr: 0.1 },
    tensors: [{ init: [1, -2, 0.5], source: true }],
    groups: [{ size: 1, options: {} }],
    laws: [],
    ops: [
      { op: 'step', mode: 'dropin', grads: [[0.25, 1, -0.125]] },
      { op: 'step', mode: 'zerocopy', grads: [[0.5, -1, 2]] },
    ],
  });
  expect(runCase(c).mismatches).toEqual([]);
  (description.oracle as Record<string, OracleRule>)['torch'] = wrong;
  try {
    expect(runCase(c).mismatches[0]).toMatchObject({ kind: 'oracle', check: 'adagrad/torch', op: 0 });
  } finally {
    (description.oracle as Record<string, OracleRule>)['torch'] = right;
  }
});

// The project's performance targets (speed-ups, facade costs, kernel expectations), checked
// against one run's numbers: ratios from one run, reported, never asserted (no timing test fails a
// build). Only the full and --quick reports show them; npm start's summary does not.
import { num, times } from './report.mjs';
import { MEMORY_COPY } from './tasks.mjs';

/**
 * @typedef {object} Verdict
 * @property {string} target
 * @property {string} algorithm
 * @property {string} measured
 * @property {'met' | 'missed' | 'not measured'} verdict
 */

/** The speed-up targets are set for these two; the facade targets for every configuration. */
const SPEED_TARGET_ALGORITHMS = ['adagrad', 'rmsprop'];

/**
 * @param {import('./report.mjs').Row[]} rows  finished rows
 * @param {import('./facade.mjs').FacadeResult[]} facade
 * @returns {Verdict[]}
 */
export function verdicts(rows, facade) {
  /** @type {Verdict[]} */
  const out = [];
  /**
   * Worst SIMD (torch flavor) speed-up over sizes ≥ minN against a baseline, with the
   * per-size values and the tfjs flavor's worst for context.
   * @param {string} target @param {string} algorithm @param {'vsPlainJs' | 'vsTfjsWasm' | 'vsTfjsCpu'} key
   * @param {number} goal @param {number} minN
   */
  const speed = (target, algorithm, key, goal, minN) => {
    const pick = (/** @type {string} */ flavor) =>
      rows.filter(
        (r) =>
          r.algorithm === algorithm &&
          r.implementation === 'wasm-optim simd' &&
          r.flavor === flavor &&
          r.n >= minN &&
          r[key] !== null,
      );
    const torch = pick('torch');
    if (torch.length === 0) {
      out.push({ target, algorithm, measured: '—', verdict: 'not measured' });
      return;
    }
    const worst = torch.reduce((a, b) => (/** @type {number} */ (b[key]) < /** @type {number} */ (a[key]) ? b : a));
    const tfjs = pick('tfjs');
    const tfjsWorst = tfjs.length === 0 ? null : Math.min(...tfjs.map((r) => /** @type {number} */ (r[key])));
    const each = torch.map((r) => `${r.size} ${times(r[key])}`).join(', ');
    const tfjsNote = tfjsWorst === null ? '' : `; tfjs flavor min ${times(tfjsWorst)}`;
    out.push({
      target,
      algorithm,
      measured: `min ${times(worst[key])} (${each})${tfjsNote}`,
      verdict: /** @type {number} */ (worst[key]) >= goal ? 'met' : 'missed',
    });
  };
  for (const algorithm of SPEED_TARGET_ALGORITHMS) {
    if (!rows.some((r) => r.algorithm === algorithm)) continue;
    speed('SIMD ≥ 8× plain JS loop at N ≥ 16K', algorithm, 'vsPlainJs', 8, 16 * 1024);
    speed('SIMD ≥ 5× TF.js wasm at N ≥ 16K', algorithm, 'vsTfjsWasm', 5, 16 * 1024);
    speed('SIMD ≥ 100× TF.js cpu (every N measured)', algorithm, 'vsTfjsCpu', 100, 0);
  }
  kernelExpectations(rows, out);
  for (const f of facade) {
    const algorithm = f.variant;
    const withRaw = f.paths.filter((p) => p.zeroCopyRatio !== null && p.dropInRatio !== null && p.n >= 256 * 1024);
    /**
     * @param {string} target @param {(p: import('./facade.mjs').PathResult) => number} ratio @param {number} goal
     */
    const path = (target, ratio, goal) => {
      if (withRaw.length === 0) {
        out.push({ target, algorithm, measured: '—', verdict: 'not measured' });
        return;
      }
      const values = withRaw.map((p) => ({ size: p.size, r: ratio(p) }));
      const worst = Math.max(...values.map((v) => v.r));
      out.push({
        target,
        algorithm,
        measured: values.map((v) => `${v.size} ${times(v.r)}`).join(', '),
        verdict: worst <= goal ? 'met' : 'missed',
      });
    };
    path('zero-copy step() ≤ 1.05× raw kernel at N ≥ 256K', (p) => /** @type {number} */ (p.zeroCopyRatio), 1.05);
    path('drop-in step(grads) ≤ 1.4× raw kernel', (p) => /** @type {number} */ (p.dropInRatio), 1.4);
    out.push(
      f.perCall === null
        ? { target: 'step() on a 16-element tensor ≤ 150 ns', algorithm, measured: '—', verdict: 'not measured' }
        : {
            target: 'step() on a 16-element tensor ≤ 150 ns',
            algorithm,
            measured: `${f.perCall.zeroCopyNs.toFixed(0)} ns (step(grads): ${f.perCall.dropInNs.toFixed(0)} ns)`,
            verdict: f.perCall.zeroCopyNs <= 150 ? 'met' : 'missed',
          },
    );
    out.push(
      f.tensors === null
        ? { target: '100 × 1000 within 1.15× of 1 × 100K', algorithm, measured: '—', verdict: 'not measured' }
        : {
            target: '100 × 1000 within 1.15× of 1 × 100K',
            algorithm,
            measured: `${times(f.tensors.ratio)} (${num(f.tensors.manyNs)} vs ${num(f.tensors.oneNs)} ns/element)`,
            verdict: f.tensors.ratio <= 1.15 ? 'met' : 'missed',
          },
    );
    if (f.heap === null) {
      out.push({ target: 'zero JS heap growth per step', algorithm, measured: '—', verdict: 'not measured' });
    } else {
      const { zeroCopy, dropIn } = f.heap;
      // heapUsed moves by some kilobytes on its own (the JIT's code and feedback live on the
      // heap), while the smallest V8 heap object takes 8 bytes or more: under 4 bytes per step
      // over 10,000 steps, with no GC during them, is no allocation per step.
      const none = (/** @type {import('./heap.mjs').HeapGrowth} */ h) => h.allocatedPerStep < 4 && h.gcEvents === 0;
      const cell = (/** @type {import('./heap.mjs').HeapGrowth} */ h) =>
        `${h.allocatedPerStep.toFixed(2)} B/step, ${h.gcEvents} GC,` +
        ` ${Math.max(0, h.retainedPerStep).toFixed(2)} B/step retained`;
      out.push({
        target: 'zero JS heap growth per step',
        algorithm,
        measured: `zero-copy ${cell(zeroCopy)}; drop-in ${cell(dropIn)} (${zeroCopy.steps} steps each)`,
        verdict: none(zeroCopy) && none(dropIn) ? 'met' : 'missed',
      });
    }
  }
  return out;
}

/**
 * Kernel expectations: the torch flavor (exact FMA emulation) within 1.2× of the tfjs flavor, and
 * SIMD ≥ 5× the plain JS loop, for Adagrad and RMSprop at every N; SGD within 1.3× of a copy of
 * the same bytes past the last cache level (N ≥ 4M), and Adam within 1.6× of Adagrad.
 * Each is a ratio of two rows of the same size, SIMD backend, torch flavor unless named.
 * @param {import('./report.mjs').Row[]} rows @param {Verdict[]} out
 */
function kernelExpectations(rows, out) {
  const ns = (
    /** @type {string} */ algorithm,
    /** @type {string} */ implementation,
    /** @type {string} */ flavor,
    /** @type {number} */ n,
  ) =>
    rows.find(
      (r) => r.algorithm === algorithm && r.implementation === implementation && r.flavor === flavor && r.n === n,
    )?.nsPerElement ?? null;
  /**
   * @param {string} target @param {string} algorithm  the row label
   * @param {(n: number) => [number | null, number | null]} pair  numerator and denominator at n
   * @param {(ratio: number) => boolean} holds @param {number} minN
   */
  const ratioTarget = (target, algorithm, pair, holds, minN) => {
    const sizes = [...new Set(rows.filter((r) => r.n >= minN).map((r) => r.n))].sort((a, b) => a - b);
    const values = sizes.flatMap((n) => {
      const [a, b] = pair(n);
      const size = rows.find((r) => r.n === n)?.size ?? String(n);
      return a === null || b === null ? [] : [{ size, r: a / b }];
    });
    if (values.length === 0) {
      out.push({ target, algorithm, measured: '—', verdict: 'not measured' });
      return;
    }
    out.push({
      target,
      algorithm,
      measured: values.map((v) => `${v.size} ${times(v.r)}`).join(', '),
      verdict: values.every((v) => holds(v.r)) ? 'met' : 'missed',
    });
  };
  const simd = 'wasm-optim simd';
  for (const algorithm of SPEED_TARGET_ALGORITHMS) {
    if (!rows.some((r) => r.algorithm === algorithm)) continue;
    ratioTarget(
      'torch flavor ≤ 1.2× tfjs flavor (every N)',
      algorithm,
      (n) => [ns(algorithm, simd, 'torch', n), ns(algorithm, simd, 'tfjs', n)],
      (r) => r <= 1.2,
      0,
    );
    ratioTarget(
      'SIMD ≥ 5× plain JS loop (every N)',
      algorithm,
      (n) => [ns(algorithm, 'plain JS loop', 'torch', n), ns(algorithm, simd, 'torch', n)],
      (r) => r >= 5,
      0,
    );
  }
  if (rows.some((r) => r.algorithm === 'sgd')) {
    ratioTarget(
      'SGD ≤ 1.3× a copy of the same bytes at N ≥ 4M',
      'sgd',
      (n) => [ns('sgd', simd, 'torch', n), ns('sgd', MEMORY_COPY, 'torch', n)],
      (r) => r <= 1.3,
      4 * 1024 * 1024,
    );
  }
  if (rows.some((r) => r.algorithm === 'adam') && rows.some((r) => r.algorithm === 'adagrad')) {
    ratioTarget(
      'Adam ≤ 1.6× Adagrad (every N)',
      'adam',
      (n) => [ns('adam', simd, 'torch', n), ns('adagrad', simd, 'torch', n)],
      (r) => r <= 1.6,
      0,
    );
  }
}

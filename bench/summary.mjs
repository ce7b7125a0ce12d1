// The short benchmark summary `npm start` prints (`--summary`): one plain-text table a newcomer
// can read — step time per element of wasm-optim, a hand-written JS loop and TF.js, and how many
// times faster wasm-optim is — with a few lines saying what was measured. The full report, with
// every implementation, the facade's costs and the project's performance targets, is
// `npm run bench`.
import { num, times } from './report.mjs';
import { PLAIN_JS, TFJS_CPU, TFJS_WASM } from './tasks.mjs';

/**
 * Columns padded to their widest cell, numbers right-aligned.
 * @param {string[]} header @param {string[][]} body @param {string} align  'l' | 'r' per column
 * @returns {string[]}
 */
function textTable(header, body, align) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (/** @type {string[]} */ cells) =>
    cells
      .map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
}

/**
 * @param {{ rows: import('./report.mjs').Row[], variants: import('./algorithms/index.mjs').Variant[],
 *           machineLine: string, loadAtStart: number, wallSeconds: number, failures: number }} run
 * @returns {string}
 */
export function summaryText({ rows, variants, machineLine, loadAtStart, wallSeconds, failures }) {
  /** @param {import('./report.mjs').Row | undefined} r */
  const ns = (r) => (r === undefined ? '—' : r.nsPerElement === null ? 'skipped' : num(r.nsPerElement));
  /** @type {string[][]} */
  const body = [];
  const sizes = [...new Set(rows.map((r) => r.n))].sort((a, b) => a - b);
  for (const variant of variants) {
    for (const n of sizes) {
      const of = (/** @type {string} */ implementation) =>
        rows.find((r) => r.algorithm === variant.id && r.n === n && r.implementation === implementation);
      const simd = of('wasm-optim simd');
      if (simd === undefined) continue;
      body.push([
        variant.title,
        simd.size,
        ns(simd),
        ns(of(PLAIN_JS)),
        ns(of(TFJS_WASM)),
        ns(of(TFJS_CPU)),
        times(simd.vsPlainJs),
        times(simd.vsTfjsWasm),
        times(simd.vsTfjsCpu),
      ]);
    }
  }
  const header = [
    'optimizer',
    'N',
    'wasm-optim',
    'plain JS',
    'TF.js wasm',
    'TF.js cpu',
    '× plain JS',
    '× TF.js wasm',
    '× TF.js cpu',
  ];
  const load = loadAtStart > 1 ? `, load average ${loadAtStart.toFixed(1)} at start` : '';
  const lines = [
    '',
    'Benchmark summary: time of one optimizer step, in nanoseconds per parameter (lower is better),',
    'and how many times faster wasm-optim is than each (× columns; below 1× it is slower).',
    '',
    ...textTable(header, body, 'lrrrrrrrr'),
    '',
    'N: parameters updated per step (K = 1024, M = 1024²), Float32Array, the same gradients for all.',
    'wasm-optim: its SIMD backend with the defaults (PyTorch semantics, bit for bit).',
    'plain JS: the same update as a hand-written JS loop. TF.js: tf.train optimizers 4.22 on its',
    'wasm and cpu backends. Each number is a median over many steps: expect some noise from run to',
    'run, more when other programs keep the cores busy.',
    `Measured on ${machineLine}${load}, in ${wallSeconds.toFixed(0)} s.`,
    ...(failures === 0 ? [] : [`${failures} measurement${failures === 1 ? '' : 's'} failed: see the messages above.`]),
    'Full report (every optimizer, 1K–16M, facade costs, charts): npm run bench -- --quick (about 3 min)',
    'or npm run bench (about 15 min).',
  ];
  return `${lines.join('\n')}\n`;
}

// Turns measurements into rows (ns/element, GB/s, speed-ups) and rows into Markdown.
import { TRAFFIC } from './traffic.mjs';

export const PLAIN_JS = 'plain JS loop';
export const TFJS_WASM = 'TF.js wasm';

/** Display order of implementations within one algorithm and size. */
export const IMPLEMENTATION_ORDER = [
  'wasm-optim simd', 'wasm-optim simd drop-in', 'wasm-optim wasm', 'wasm-optim js',
  PLAIN_JS, TFJS_WASM, 'TF.js cpu',
];

/**
 * @typedef {object} Row
 * @property {string} algorithm
 * @property {string} flavor
 * @property {string} implementation
 * @property {string} size              label, e.g. '4M'
 * @property {number} n
 * @property {number | null} nsPerElement  median step latency / n; null when skipped
 * @property {number | null} rme        relative margin of error of the mean latency, %
 * @property {number | null} gbps       TRAFFIC bytes per element / nsPerElement
 * @property {number | null} vsPlainJs  plain JS loop's ns/element ÷ this row's (> 1: faster)
 * @property {number | null} vsTfjsWasm TF.js wasm's ns/element ÷ this row's
 * @property {import('./measure.mjs').Measurement | null} measurement  raw, per step
 * @property {string} [skipped]         why the row was not measured
 */

/**
 * @param {import('./task.mjs').TaskSpec} spec
 * @param {import('./measure.mjs').Measurement | null} measurement
 * @param {string} [skipped]
 * @returns {Row}
 */
export function makeRow(spec, measurement, skipped) {
  const implementation = spec.path === 'drop-in' ? `${spec.implementation} drop-in` : spec.implementation;
  const ns = measurement === null ? null : measurement.medianNs / spec.n;
  return {
    algorithm: spec.algorithm,
    flavor: spec.flavor,
    implementation,
    size: spec.sizeLabel,
    n: spec.n,
    nsPerElement: ns,
    rme: measurement?.rme ?? null,
    // bytes / ns = GB/s (10^9 bytes per second).
    gbps: ns === null ? null : TRAFFIC[spec.algorithm].bytes / ns,
    vsPlainJs: null,
    vsTfjsWasm: null,
    measurement,
    ...(skipped === undefined ? {} : { skipped }),
  };
}

/**
 * Fills in the speed-ups once every row of a run is known, and sorts the rows.
 * @param {Row[]} rows
 * @returns {Row[]}
 */
export function finishRows(rows) {
  const find = (/** @type {Row} */ row, /** @type {string} */ implementation) =>
    rows.find((r) => r.algorithm === row.algorithm && r.n === row.n && r.implementation === implementation)?.nsPerElement ?? null;
  for (const row of rows) {
    if (row.nsPerElement === null) continue;
    const plain = find(row, PLAIN_JS);
    const tfWasm = find(row, TFJS_WASM);
    row.vsPlainJs = plain === null ? null : plain / row.nsPerElement;
    row.vsTfjsWasm = tfWasm === null ? null : tfWasm / row.nsPerElement;
  }
  const order = (/** @type {Row} */ r) => {
    const i = IMPLEMENTATION_ORDER.indexOf(r.implementation);
    return (i < 0 ? IMPLEMENTATION_ORDER.length : i) * 2 + (r.flavor === 'torch' ? 0 : 1);
  };
  return rows.sort((a, b) => a.algorithm.localeCompare(b.algorithm) || a.n - b.n || order(a) - order(b));
}

/** Three significant digits, without exponent notation for the ranges seen here. */
function num(/** @type {number | null} */ x) {
  if (x === null || !Number.isFinite(x)) return '—';
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

const times = (/** @type {number | null} */ x) => (x === null ? '—' : `${num(x)}×`);

/**
 * @param {string[]} header
 * @param {string[][]} body
 * @param {string} align  one of 'l' | 'r' per column
 */
function table(header, body, align) {
  const rule = [...align].map((a) => (a === 'r' ? '---:' : ':---'));
  return [header, rule, ...body].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/**
 * ns(simd, torch) ÷ ns(simd, tfjs): what the exact FMA emulation of the torch flavor costs;
 * and ns(drop-in) ÷ ns(zero-copy): what copying the user's arrays costs.
 * @param {Row[]} rows
 * @returns {string[][]}
 */
function ratioRows(rows) {
  const ns = (/** @type {Row} */ like, /** @type {string} */ impl, /** @type {string} */ flavor) =>
    rows.find((r) => r.algorithm === like.algorithm && r.n === like.n && r.implementation === impl && r.flavor === flavor)?.nsPerElement ?? null;
  /** @type {string[][]} */
  const out = [];
  for (const row of rows) {
    if (row.implementation !== 'wasm-optim simd' || row.flavor !== 'torch' || row.nsPerElement === null) continue;
    const tfjsFlavor = ns(row, 'wasm-optim simd', 'tfjs');
    const dropIn = ns(row, 'wasm-optim simd drop-in', 'torch');
    out.push([
      row.algorithm, row.size,
      tfjsFlavor === null ? '—' : num(row.nsPerElement / tfjsFlavor),
      dropIn === null ? '—' : num(dropIn / row.nsPerElement),
    ]);
  }
  return out;
}

/**
 * The whole report: results table, ratios, notes.
 * @param {Row[]} rows  finished rows
 * @param {string[]} notes
 * @returns {string}
 */
export function markdown(rows, notes) {
  const body = rows.map((r) => [
    r.algorithm, r.flavor, r.implementation, r.size,
    r.skipped === undefined ? num(r.nsPerElement) : 'skipped',
    r.rme === null ? '—' : `±${r.rme.toFixed(1)}%`,
    num(r.gbps), times(r.vsPlainJs), times(r.vsTfjsWasm),
  ]);
  const parts = [
    table(['algorithm', 'flavor', 'implementation', 'N', 'ns/element', 'rme', 'GB/s', 'vs plain JS', 'vs TF.js wasm'], body, 'lllrrrrrr'),
  ];
  const ratios = ratioRows(rows);
  if (ratios.length > 0) {
    parts.push(table(['algorithm', 'N', 'simd torch ÷ tfjs flavor', 'simd drop-in ÷ zero-copy'], ratios, 'lrrr'));
  }
  if (notes.length > 0) parts.push(notes.map((n) => `- ${n}`).join('\n'));
  return `${parts.join('\n\n')}\n`;
}

// Turns measurements into rows (ns/element, GB/s, speed-ups) and rows, facade results and
// target verdicts into the Markdown report.
import { MEMORY_COPY, PLAIN_JS, TFJS_CPU, TFJS_WASM } from './tasks.mjs';

/** Display order of implementations within one configuration and size. */
export const IMPLEMENTATION_ORDER = [
  'wasm-optim simd',
  'wasm-optim wasm',
  'wasm-optim js',
  PLAIN_JS,
  MEMORY_COPY,
  TFJS_WASM,
  TFJS_CPU,
];

/**
 * @typedef {object} Row
 * @property {string} algorithm         the configuration's id, e.g. 'adagrad', 'momentum'
 * @property {string} flavor
 * @property {string} implementation
 * @property {string} size              label, e.g. '4M'
 * @property {number} n
 * @property {number | null} nsPerElement  median step latency / n; null when not measured
 * @property {number | null} rme        relative margin of error of the mean latency, %
 * @property {number | null} gbps       the configuration's bytes per element / nsPerElement
 * @property {number | null} vsPlainJs  plain JS loop's ns/element ÷ this row's (> 1: faster)
 * @property {number | null} vsTfjsWasm TF.js wasm's ns/element ÷ this row's
 * @property {number | null} vsTfjsCpu  TF.js cpu's ns/element ÷ this row's
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
  const ns = measurement === null ? null : measurement.medianNs / spec.n;
  return {
    algorithm: spec.variant.id,
    flavor: spec.flavor,
    implementation: spec.implementation,
    size: spec.sizeLabel,
    n: spec.n,
    nsPerElement: ns,
    rme: measurement?.rme ?? null,
    // bytes / ns = GB/s (10^9 bytes per second).
    gbps: ns === null ? null : spec.variant.bytes / ns,
    vsPlainJs: null,
    vsTfjsWasm: null,
    vsTfjsCpu: null,
    measurement,
    ...(skipped === undefined ? {} : { skipped }),
  };
}

/**
 * Fills in the speed-ups once every row of a run is known, and sorts the rows.
 * @param {Row[]} rows
 * @param {string[]} order  configuration ids in report order
 * @returns {Row[]}
 */
export function finishRows(rows, order) {
  const find = (/** @type {Row} */ row, /** @type {string} */ implementation) =>
    rows.find((r) => r.algorithm === row.algorithm && r.n === row.n && r.implementation === implementation)
      ?.nsPerElement ?? null;
  for (const row of rows) {
    if (row.nsPerElement === null) continue;
    const ratio = (/** @type {number | null} */ other) =>
      other === null ? null : other / /** @type {number} */ (row.nsPerElement);
    row.vsPlainJs = ratio(find(row, PLAIN_JS));
    row.vsTfjsWasm = ratio(find(row, TFJS_WASM));
    row.vsTfjsCpu = ratio(find(row, TFJS_CPU));
  }
  const rank = (/** @type {Row} */ r) => {
    const i = IMPLEMENTATION_ORDER.indexOf(r.implementation);
    return (i < 0 ? IMPLEMENTATION_ORDER.length : i) * 2 + (r.flavor === 'torch' ? 0 : 1);
  };
  return rows.sort((a, b) => order.indexOf(a.algorithm) - order.indexOf(b.algorithm) || a.n - b.n || rank(a) - rank(b));
}

/** Three significant digits, without exponent notation for the ranges seen here. */
export function num(/** @type {number | null | undefined} */ x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  if (Math.abs(x) >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

export const times = (/** @type {number | null | undefined} */ x) =>
  x === null || x === undefined ? '—' : `${num(x)}×`;

/**
 * @param {string[]} header
 * @param {string[][]} body
 * @param {string} align  one of 'l' | 'r' per column
 */
export function table(header, body, align) {
  const rule = [...align].map((a) => (a === 'r' ? '---:' : ':---'));
  return [header, rule, ...body].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** @param {Row[]} rows @returns {string} */
export function mainTable(rows) {
  const body = rows.map((r) => [
    r.algorithm,
    r.flavor,
    r.implementation,
    r.size,
    r.skipped === undefined ? num(r.nsPerElement) : 'skipped',
    r.rme === null ? '—' : `±${r.rme.toFixed(1)}%`,
    num(r.gbps),
    times(r.vsPlainJs),
    times(r.vsTfjsWasm),
    times(r.vsTfjsCpu),
  ]);
  return table(
    [
      'algorithm',
      'flavor',
      'implementation',
      'N',
      'ns/element',
      'rme',
      'GB/s',
      'vs plain JS',
      'vs TF.js wasm',
      'vs TF.js cpu',
    ],
    body,
    'lllrrrrrrr',
  );
}

/**
 * The SIMD rows only: the table the README shows.
 * @param {Row[]} rows
 * @returns {string}
 */
export function summaryTable(rows) {
  const simd = rows.filter((r) => r.implementation === 'wasm-optim simd' && r.nsPerElement !== null);
  const body = simd.map((r) => [
    r.algorithm,
    r.flavor,
    r.size,
    num(r.nsPerElement),
    num(r.gbps),
    times(r.vsPlainJs),
    times(r.vsTfjsWasm),
    times(r.vsTfjsCpu),
  ]);
  return table(
    ['algorithm', 'flavor', 'N', 'ns/element', 'GB/s', 'vs plain JS', 'vs TF.js wasm', 'vs TF.js cpu'],
    body,
    'llrrrrrr',
  );
}

/**
 * ns(simd, torch) ÷ ns(simd, tfjs): what the exact FMA emulation of the torch flavor costs.
 * @param {Row[]} rows
 * @returns {string | null}
 */
function flavorTable(rows) {
  /** @type {string[][]} */
  const body = [];
  for (const row of rows) {
    if (row.implementation !== 'wasm-optim simd' || row.flavor !== 'torch' || row.nsPerElement === null) continue;
    const tfjs = rows.find(
      (r) =>
        r.algorithm === row.algorithm &&
        r.n === row.n &&
        r.implementation === row.implementation &&
        r.flavor === 'tfjs',
    );
    if (tfjs?.nsPerElement == null) continue;
    body.push([
      row.algorithm,
      row.size,
      num(row.nsPerElement),
      num(tfjs.nsPerElement),
      num(row.nsPerElement / tfjs.nsPerElement),
    ]);
  }
  if (body.length === 0) return null;
  return table(
    ['algorithm', 'N', 'simd torch ns/element', 'simd tfjs flavor', 'torch ÷ tfjs (cost of exact FMA)'],
    body,
    'lrrrr',
  );
}

/** @param {import('./heap.mjs').HeapGrowth | undefined} h */
const heapCell = (h) => (h === undefined ? '—' : `${h.allocatedPerStep.toFixed(2)} B/step, ${h.gcEvents} GC`);

/**
 * @param {import('./facade.mjs').FacadeResult[]} facade
 * @returns {string[]}
 */
export function facadeTables(facade) {
  if (facade.length === 0) return [];
  const perCall = facade.map((f) => [
    f.variant,
    f.perCall === null ? '—' : `${f.perCall.zeroCopyNs.toFixed(0)} ns`,
    f.perCall === null ? '—' : `${f.perCall.dropInNs.toFixed(0)} ns`,
    f.tensors === null ? '—' : num(f.tensors.manyNs),
    f.tensors === null ? '—' : num(f.tensors.oneNs),
    f.tensors === null ? '—' : times(f.tensors.ratio),
    heapCell(f.heap?.zeroCopy),
    heapCell(f.heap?.dropIn),
  ]);
  const paths = facade.flatMap((f) =>
    f.paths.map((p) => [
      f.variant,
      p.size,
      num(p.rawNs),
      num(p.zeroCopyNs),
      num(p.dropInNs),
      num(p.copiesNs),
      times(p.zeroCopyRatio),
      times(p.dropInRatio),
      p.rawNs === null ? '—' : times(p.dropInNs / (p.rawNs + p.copiesNs)),
    ]),
  );
  return [
    table(
      [
        'algorithm',
        'step(), 16 elements',
        'step(grads), 16 elements',
        '100 × 1000 ns/element',
        '1 × 100,000 ns/element',
        '100 × 1000 ÷ 1 × 100K',
        'heap, zero-copy (10,000 steps)',
        'heap, drop-in',
      ],
      perCall,
      'lrrrrrrr',
    ),
    table(
      [
        'algorithm',
        'N',
        'raw kernel ns/element',
        'zero-copy step()',
        'drop-in step(grads)',
        'the 3 copies alone',
        'zero-copy ÷ raw',
        'drop-in ÷ raw',
        'drop-in ÷ (raw + copies)',
      ],
      paths,
      'lrrrrrrrr',
    ),
  ];
}

/**
 * @param {import('./targets.mjs').Verdict[]} verdicts
 * @returns {string}
 */
export function targetsTable(verdicts) {
  const mark = { met: '✅ met', missed: '❌ missed', 'not measured': '— not measured' };
  return table(
    ['target', 'algorithm', 'measured', 'verdict'],
    verdicts.map((v) => [v.target, v.algorithm, v.measured, mark[v.verdict]]),
    'llll',
  );
}

/**
 * The whole report.
 * @param {{ title: string, rows: Row[], facade: import('./facade.mjs').FacadeResult[],
 *           sparse?: string | null, verdicts: import('./targets.mjs').Verdict[], notes: string[] }} parts
 * @returns {string}
 */
export function markdown({ title, rows, facade, sparse = null, verdicts, notes }) {
  const out = [`# ${title}`];
  if (rows.some((r) => r.implementation === 'wasm-optim simd' && r.nsPerElement !== null)) {
    out.push('## Summary: wasm-optim simd', summaryTable(rows));
  }
  if (rows.length > 0) {
    out.push('## Step time by implementation', mainTable(rows));
    const flavors = flavorTable(rows);
    if (flavors !== null) out.push(flavors);
  }
  if (facade.length > 0) {
    out.push('## Facade costs (simd backend, torch flavor, through the public API)', ...facadeTables(facade));
  }
  if (sparse !== null) out.push('## Row-sparse steps on embedding tables (simd backend)', sparse);
  if (verdicts.length > 0) out.push('## Targets', targetsTable(verdicts));
  if (notes.length > 0) out.push('## Notes', notes.map((n) => `- ${n}`).join('\n'));
  return `${out.join('\n\n')}\n`;
}

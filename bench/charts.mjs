// Which charts are drawn from a run's rows: per configuration, ns/element against N (log-log)
// and the speed-up over the plain JS loop at each N. Drawing itself is in svg.mjs.
import { barChart, lineChart } from './svg.mjs';
import { MEMORY_COPY, PLAIN_JS, TFJS_CPU, TFJS_WASM } from './tasks.mjs';

/** One colour per implementation (and flavor), the same in every chart. @type {Record<string, string>} */
const COLORS = {
  'wasm-optim simd': '#c0392b',
  'wasm-optim simd · tfjs flavor': '#f08a7e',
  'wasm-optim wasm': '#e67e22',
  'wasm-optim js': '#b7950b',
  [PLAIN_JS]: '#555555',
  [MEMORY_COPY]: '#999999',
  [TFJS_WASM]: '#2471a3',
  [TFJS_CPU]: '#27ae60',
};

/**
 * The legend name: flavor shown only where it distinguishes two lines of one implementation.
 * @param {import('./report.mjs').Row} row
 */
function seriesName(row) {
  return row.implementation.startsWith('wasm-optim') && row.flavor === 'tfjs'
    ? `${row.implementation} · tfjs flavor`
    : row.implementation;
}

/** @param {import('./report.mjs').Row[]} rows */
function bySeries(rows) {
  /** @type {Map<string, import('./report.mjs').Row[]>} */
  const map = new Map();
  for (const row of rows) {
    if (row.nsPerElement === null) continue;
    const name = seriesName(row);
    map.set(name, [...(map.get(name) ?? []), row]);
  }
  const rank = (/** @type {string} */ name) => Object.keys(COLORS).indexOf(name);
  return [...map.entries()].sort((a, b) => rank(a[0]) - rank(b[0]));
}

/**
 * @param {import('./report.mjs').Row[]} rows  finished rows
 * @param {import('./algorithms/index.mjs').Variant[]} variants
 * @param {string} machineLine  shown under the title
 * @returns {{ file: string, svg: string }[]}
 */
export function drawCharts(rows, variants, machineLine) {
  const out = [];
  for (const algorithm of [...new Set(rows.map((r) => r.algorithm))]) {
    const mine = rows.filter((r) => r.algorithm === algorithm);
    if (!mine.some((r) => r.nsPerElement !== null)) continue;
    const sizes = [...new Map(mine.map((r) => [r.n, r.size])).entries()].sort((a, b) => a[0] - b[0]);
    const series = bySeries(mine);
    const label = variants.find((v) => v.id === algorithm)?.title ?? algorithm;
    out.push({
      file: `ns-per-element-${algorithm}.svg`,
      svg: lineChart({
        title: `${label} step: ns per element (lower is better)`,
        subtitle: machineLine,
        xLabel: 'N (float32 elements)',
        yLabel: 'ns / element (median)',
        xTicks: sizes.map(([value, text]) => ({ value, label: text })),
        series: series.map(([name, list]) => ({
          name,
          color: COLORS[name] ?? '#000',
          dashed: name.endsWith('tfjs flavor'),
          points: list.map((r) => ({ x: r.n, y: /** @type {number} */ (r.nsPerElement) })),
        })),
      }),
    });
    out.push({
      file: `speedup-${algorithm}.svg`,
      svg: barChart({
        title: `${label} step: speed-up over the plain JS loop (higher is better)`,
        subtitle: machineLine,
        xLabel: 'N (float32 elements)',
        yLabel: '× plain JS loop (log scale)',
        groups: sizes.map(([n, text]) => ({
          label: text,
          bars: series
            // The copy is a yardstick for the ns/element chart, not an optimizer to rank.
            .filter(([name]) => name !== PLAIN_JS && name !== MEMORY_COPY)
            .map(([name, list]) => ({
              name,
              color: COLORS[name] ?? '#000',
              value: list.find((r) => r.n === n)?.vsPlainJs ?? null,
            })),
        })),
      }),
    });
  }
  return out;
}

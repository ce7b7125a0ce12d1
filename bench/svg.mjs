// Hand-written SVG charts (no chart library): a log-log line chart and a log-scale bar chart.
// Plain SVG 1.1 with inline attributes, so it renders in browsers, GitHub and rsvg-convert.

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

/** @param {string} s */
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** @param {number} x */
const r1 = (x) => Math.round(x * 10) / 10;

/**
 * Tick label for a power-of-ten axis: 0.01, 0.1, 1, 10, 100, 1000.
 * @param {number} v
 */
const decimal = (v) => (v >= 1 ? String(Math.round(v)) : v.toPrecision(1));

/**
 * The decades [10^lo, 10^hi] that cover the values.
 * @param {number[]} values  positive
 */
function decades(values) {
  const lo = Math.floor(Math.log10(Math.min(...values)));
  const hi = Math.ceil(Math.log10(Math.max(...values)));
  return { lo, hi: hi === lo ? hi + 1 : hi };
}

/**
 * @typedef {object} Series
 * @property {string} name
 * @property {string} color
 * @property {boolean} [dashed]
 * @property {{ x: number, y: number }[]} points
 */

/**
 * A log-log line chart, one line per series.
 * @param {{ title: string, subtitle?: string, xLabel: string, yLabel: string, series: Series[],
 *           xTicks: { value: number, label: string }[] }} chart
 * @returns {string}
 */
export function lineChart({ title, subtitle = '', xLabel, yLabel, series, xTicks }) {
  const W = 860,
    H = 480,
    left = 70,
    right = 250,
    top = 62,
    bottom = 58;
  const plotW = W - left - right,
    plotH = H - top - bottom;
  const xs = xTicks.map((t) => t.value);
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => y > 0);
  if (ys.length === 0) return emptyChart(W, H, title, subtitle);
  const xMin = Math.log10(Math.min(...xs)),
    xMax = Math.log10(Math.max(...xs));
  const { lo, hi } = decades(ys);
  const X = (/** @type {number} */ x) =>
    left + (xMax === xMin ? plotW / 2 : ((Math.log10(x) - xMin) / (xMax - xMin)) * plotW);
  const Y = (/** @type {number} */ y) => top + plotH - ((Math.log10(y) - lo) / (hi - lo)) * plotH;

  const out = [header(W, H, title, subtitle)];
  // Grid: a line per decade, fainter lines at 2× and 5×.
  for (let d = lo; d <= hi; d++) {
    const v = 10 ** d;
    out.push(`<line x1="${left}" x2="${left + plotW}" y1="${r1(Y(v))}" y2="${r1(Y(v))}" stroke="#ccc"/>`);
    out.push(
      `<text x="${left - 8}" y="${r1(Y(v) + 4)}" text-anchor="end" font-size="12" fill="#333">${decimal(v)}</text>`,
    );
    if (d < hi) {
      for (const m of [2, 5])
        out.push(`<line x1="${left}" x2="${left + plotW}" y1="${r1(Y(m * v))}" y2="${r1(Y(m * v))}" stroke="#eee"/>`);
    }
  }
  for (const t of xTicks) {
    out.push(`<line x1="${r1(X(t.value))}" x2="${r1(X(t.value))}" y1="${top}" y2="${top + plotH}" stroke="#eee"/>`);
    out.push(
      `<text x="${r1(X(t.value))}" y="${top + plotH + 18}" text-anchor="middle" font-size="12" fill="#333">` +
        `${esc(t.label)}</text>`,
    );
  }
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  out.push(axisLabels(left, top, plotW, plotH, xLabel, yLabel));

  series.forEach((s, i) => {
    const points = s.points.filter((p) => p.y > 0).sort((a, b) => a.x - b.x);
    const path = points.map((p, k) => `${k === 0 ? 'M' : 'L'}${r1(X(p.x))},${r1(Y(p.y))}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (points.length > 1) out.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const p of points) out.push(`<circle cx="${r1(X(p.x))}" cy="${r1(Y(p.y))}" r="3" fill="${s.color}"/>`);
    // Legend entry.
    const ly = top + 8 + i * 20;
    out.push(
      `<line x1="${left + plotW + 16}" x2="${left + plotW + 40}" y1="${ly}" y2="${ly}"` +
        ` stroke="${s.color}" stroke-width="2"${dash}/>`,
    );
    out.push(`<text x="${left + plotW + 46}" y="${ly + 4}" font-size="12" fill="#222">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/**
 * @typedef {object} BarGroup
 * @property {string} label
 * @property {{ name: string, color: string, value: number | null }[]} bars
 */

/**
 * Grouped bars on a log scale starting from a baseline (1× = as fast as the reference):
 * faster implementations rise above it, slower ones hang below.
 * @param {{ title: string, subtitle?: string, yLabel: string, xLabel: string, groups: BarGroup[],
 *           baseline?: number }} chart
 * @returns {string}
 */
export function barChart({ title, subtitle = '', yLabel, xLabel, groups, baseline = 1 }) {
  const W = 860,
    H = 480,
    left = 70,
    right = 250,
    top = 62,
    bottom = 58;
  const plotW = W - left - right,
    plotH = H - top - bottom;
  const values = groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v) => v !== null && v > 0);
  if (values.length === 0) return emptyChart(W, H, title, subtitle);
  const { lo, hi } = decades([.../** @type {number[]} */ (values), baseline]);
  const Y = (/** @type {number} */ y) => top + plotH - ((Math.log10(y) - lo) / (hi - lo)) * plotH;

  const out = [header(W, H, title, subtitle)];
  for (let d = lo; d <= hi; d++) {
    const v = 10 ** d;
    out.push(`<line x1="${left}" x2="${left + plotW}" y1="${r1(Y(v))}" y2="${r1(Y(v))}" stroke="#ddd"/>`);
    out.push(
      `<text x="${left - 8}" y="${r1(Y(v) + 4)}" text-anchor="end" font-size="12" fill="#333">${decimal(v)}×</text>`,
    );
  }
  const groupW = plotW / groups.length;
  const names = [...new Map(groups.flatMap((g) => g.bars).map((b) => [b.name, b.color])).entries()];
  const barW = Math.max(4, Math.min(28, (groupW * 0.8) / Math.max(1, names.length)));
  groups.forEach((g, gi) => {
    const x0 = left + gi * groupW + (groupW - barW * names.length) / 2;
    names.forEach(([name, color], bi) => {
      const bar = g.bars.find((b) => b.name === name);
      if (bar === undefined || bar.value === null || !(bar.value > 0)) return;
      const yv = Y(bar.value),
        yb = Y(baseline);
      const x = x0 + bi * barW;
      out.push(
        `<rect x="${r1(x)}" y="${r1(Math.min(yv, yb))}" width="${r1(barW - 2)}"` +
          ` height="${r1(Math.max(1, Math.abs(yb - yv)))}" fill="${color}">` +
          `<title>${esc(`${name} ${g.label}: ${bar.value.toPrecision(3)}×`)}</title></rect>`,
      );
      const label =
        bar.value >= 10 ? bar.value.toFixed(0) : bar.value >= 1 ? bar.value.toFixed(1) : bar.value.toPrecision(1);
      const ty = bar.value >= baseline ? yv - 4 : yv + 12;
      out.push(
        `<text x="${r1(x + (barW - 2) / 2)}" y="${r1(ty)}" text-anchor="middle"` +
          ` font-size="${barW < 18 ? 8 : 10}" fill="#222">${label}</text>`,
      );
    });
    out.push(
      `<text x="${r1(left + gi * groupW + groupW / 2)}" y="${top + plotH + 18}"` +
        ` text-anchor="middle" font-size="12" fill="#333">${esc(g.label)}</text>`,
    );
  });
  out.push(
    `<line x1="${left}" x2="${left + plotW}" y1="${r1(Y(baseline))}" y2="${r1(Y(baseline))}"` +
      ' stroke="#222" stroke-width="1.5"/>',
  );
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  out.push(axisLabels(left, top, plotW, plotH, xLabel, yLabel));
  names.forEach(([name, color], i) => {
    const ly = top + 8 + i * 20;
    out.push(`<rect x="${left + plotW + 16}" y="${ly - 6}" width="14" height="12" fill="${color}"/>`);
    out.push(`<text x="${left + plotW + 36}" y="${ly + 4}" font-size="12" fill="#222">${esc(name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/** @param {number} W @param {number} H @param {string} title @param {string} subtitle */
function header(W, H, title, subtitle) {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT}>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="600" fill="#111">${esc(title)}</text>`,
    `<text x="${W / 2}" y="44" text-anchor="middle" font-size="11" fill="#666">${esc(subtitle)}</text>`,
  ].join('\n');
}

/**
 * @param {number} left @param {number} top @param {number} plotW @param {number} plotH
 * @param {string} xLabel @param {string} yLabel
 */
function axisLabels(left, top, plotW, plotH, xLabel, yLabel) {
  const cy = top + plotH / 2;
  return [
    `<text x="${left + plotW / 2}" y="${top + plotH + 44}" text-anchor="middle" font-size="13" fill="#111">` +
      `${esc(xLabel)}</text>`,
    `<text x="18" y="${cy}" text-anchor="middle" font-size="13" fill="#111" transform="rotate(-90 18 ${cy})">` +
      `${esc(yLabel)}</text>`,
  ].join('\n');
}

/** @param {number} W @param {number} H @param {string} title @param {string} subtitle */
function emptyChart(W, H, title, subtitle) {
  return (
    `${header(W, H, title, subtitle)}\n` +
    `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="14" fill="#666">no data</text>\n</svg>`
  );
}

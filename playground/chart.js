// The side charts, log scale over the iterations: each method's effective step size per
// coordinate (solid: first coordinate, w / x; dashed: second, b / y), and the lr each method's
// steps used, as its schedule set it.

const M = { left: 52, right: 12, top: 12, bottom: 30 };

/**
 * @typedef {{ color: string, dash: number[], values: number[] }} Series  values[i]: after step i + 1
 */

/**
 * @param {CanvasRenderingContext2D} ctx  in CSS pixels
 * @param {number} width
 * @param {number} height
 * @param {import('./race.js').Race} race
 * @param {number} budget
 */
export function drawChart(ctx, width, height, race, budget) {
  /** @type {Series[]} */
  const series = [];
  for (const r of race.runners) {
    for (const coord of [0, 1]) {
      series.push({ color: r.method.color, dash: coord === 0 ? [] : [5, 4], values: r.effective.map((e) => e[coord]) });
    }
  }
  drawLogSeries(ctx, width, height, series, budget, 8);
}

/**
 * The lr of each step, one line per method (they coincide where the methods' base lrs do; drawn
 * last first, so the first method's line is on top).
 * @param {CanvasRenderingContext2D} ctx  in CSS pixels
 * @param {number} width
 * @param {number} height
 * @param {import('./race.js').Race} race
 * @param {number} budget
 */
export function drawLrChart(ctx, width, height, race, budget) {
  const series = race.runners.map((r) => ({ color: r.method.color, dash: [], values: r.lrs })).reverse();
  drawLogSeries(ctx, width, height, series, budget, 6);
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} width
 * @param {number} height
 * @param {Series[]} series
 * @param {number} budget
 * @param {number} decades  at most this many decades shown (the top ones)
 */
function drawLogSeries(ctx, width, height, series, budget, decades) {
  ctx.fillStyle = '#0e1726';
  ctx.fillRect(0, 0, width, height);
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (const v of s.values) {
      if (v > 0 && Number.isFinite(v)) {
        lo = Math.min(lo, Math.log10(v));
        hi = Math.max(hi, Math.log10(v));
      }
    }
  }
  if (!Number.isFinite(lo)) {
    lo = -3;
    hi = 0;
  }
  hi = Math.ceil(hi + 1e-9);
  lo = Math.max(Math.floor(lo), hi - decades);
  if (hi - lo < 2) lo = hi - 2;
  const plotW = width - M.left - M.right;
  const plotH = height - M.top - M.bottom;
  const X = (t) => M.left + (t / budget) * plotW;
  const Y = (v) => M.top + ((hi - Math.log10(v)) / (hi - lo)) * plotH;

  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#9fb3c8';
  ctx.strokeStyle = '#23344d';
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let d = lo; d <= hi; d++) {
    const y = Y(10 ** d);
    ctx.beginPath();
    ctx.moveTo(M.left, y);
    ctx.lineTo(width - M.right, y);
    ctx.stroke();
    ctx.fillText(`1e${d}`, M.left - 6, y);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (let t = 0; t <= budget; t += 100) {
    ctx.beginPath();
    ctx.moveTo(X(t), M.top);
    ctx.lineTo(X(t), height - M.bottom);
    ctx.stroke();
    ctx.fillText(String(t), X(t), height - M.bottom + 6);
  }

  ctx.save();
  ctx.beginPath();
  ctx.rect(M.left, M.top, plotW, plotH);
  ctx.clip();
  ctx.lineWidth = 1.6;
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.setLineDash(s.dash);
    ctx.beginPath();
    let pen = false;
    s.values.forEach((v, i) => {
      if (!(v > 0 && Number.isFinite(v))) {
        pen = false;
        return;
      }
      const y = Math.min(height + 10, Y(v));
      if (pen) ctx.lineTo(X(i + 1), y);
      else ctx.moveTo(X(i + 1), y);
      pen = true;
    });
    ctx.stroke();
  }
  ctx.restore();
  ctx.setLineDash([]);
}

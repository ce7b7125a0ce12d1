// The second chart: each method's effective step size per coordinate over the iterations,
// log scale. Solid: first coordinate (w / x); dashed: second (b / y).

const M = { left: 52, right: 12, top: 12, bottom: 30 };

/**
 * @param {CanvasRenderingContext2D} ctx  in CSS pixels
 * @param {number} width
 * @param {number} height
 * @param {import('./race.js').Race} race
 * @param {number} budget
 */
export function drawChart(ctx, width, height, race, budget) {
  ctx.fillStyle = '#0e1726';
  ctx.fillRect(0, 0, width, height);
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of race.runners) {
    for (const e of r.effective) {
      for (const v of e) {
        if (v > 0 && Number.isFinite(v)) {
          lo = Math.min(lo, Math.log10(v));
          hi = Math.max(hi, Math.log10(v));
        }
      }
    }
  }
  if (!Number.isFinite(lo)) {
    lo = -3;
    hi = 0;
  }
  hi = Math.ceil(hi + 1e-9);
  lo = Math.max(Math.floor(lo), hi - 8);
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
  for (const r of race.runners) {
    for (const coord of [0, 1]) {
      ctx.strokeStyle = r.method.color;
      ctx.setLineDash(coord === 0 ? [] : [5, 4]);
      ctx.beginPath();
      let pen = false;
      r.effective.forEach((e, i) => {
        const v = e[coord];
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
  }
  ctx.restore();
  ctx.setLineDash([]);
}

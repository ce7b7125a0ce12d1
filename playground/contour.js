// Filled contour plot of a surface (height bands, low = dark) with the methods' paths on top.

const BANDS = 18;
/** Band colours from the lowest loss (dark navy) to the highest (pale). */
const STOPS = [
  [9, 20, 38],
  [22, 52, 88],
  [45, 92, 140],
  [96, 141, 184],
  [163, 192, 217],
  [232, 239, 246],
];

function colour(t) {
  const s = Math.min(STOPS.length - 1.000001, Math.max(0, t * (STOPS.length - 1)));
  const i = Math.floor(s);
  const f = s - i;
  return STOPS[i].map((c, k) => Math.round(c + (STOPS[i + 1][k] - c) * f));
}

const cache = new Map();

/**
 * The surface as an image of width × height device pixels (cached): heights at pixel centres,
 * log- or linearly mapped to BANDS bands, a darker line where the band changes.
 * @param {import('./surfaces.js').Surface} surface
 */
export function surfaceImage(surface, width, height) {
  const key = `${surface.id}:${width}x${height}`;
  if (cache.has(key)) return cache.get(key);
  const {
    x: [x0, x1],
    y: [y0, y1],
  } = surface.domain;
  const heights = new Float64Array(width * height);
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j < height; j++) {
    const y = y1 - ((j + 0.5) / height) * (y1 - y0);
    for (let i = 0; i < width; i++) {
      const v = surface.f(x0 + ((i + 0.5) / width) * (x1 - x0), y);
      heights[j * width + i] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const floor = (hi - lo) * 1e-4; // log scale: four decades of bands above the lowest point
  const map =
    surface.scale === 'log'
      ? (v) => Math.log((v - lo + floor) / floor) / Math.log((hi - lo + floor) / floor)
      : (v) => (v - lo) / (hi - lo);
  const band = new Uint8Array(width * height);
  for (let k = 0; k < band.length; k++) band[k] = Math.min(BANDS - 1, Math.floor(map(heights[k]) * BANDS));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const image = ctx.createImageData(width, height);
  const palette = Array.from({ length: BANDS }, (_, b) => colour((b + 0.5) / BANDS));
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const k = j * width + i;
      const edge = (i + 1 < width && band[k + 1] !== band[k]) || (j + 1 < height && band[k + width] !== band[k]);
      const [r, g, b] = palette[band[k]];
      const shade = edge ? 0.72 : 1;
      image.data.set([r * shade, g * shade, b * shade, 255], 4 * k);
    }
  }
  ctx.putImageData(image, 0, 0);
  cache.set(key, canvas);
  return canvas;
}

/** Keeps far-away points drawable (canvas coordinates must stay finite and moderate). */
const clamp = (v) => Math.max(-1e5, Math.min(1e5, v));

/**
 * Draws the surface, its minimum, the start point and every method's path.
 * @param {CanvasRenderingContext2D} ctx  in CSS pixels
 * @param {ReturnType<import('./view.js').makeView>} view
 * @param {import('./surfaces.js').Surface} surface
 * @param {import('./race.js').Race} race
 */
export function drawSurface(ctx, view, surface, race) {
  const dpr = ctx.getTransform().a;
  ctx.drawImage(
    surfaceImage(surface, Math.round(view.width * dpr), Math.round(view.height * dpr)),
    0,
    0,
    view.width,
    view.height,
  );
  if (surface.minimum) {
    const [mx, my] = view.toCanvas(...surface.minimum);
    ctx.strokeStyle = '#ffe066';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(mx - 6, my - 6);
    ctx.lineTo(mx + 6, my + 6);
    ctx.moveTo(mx + 6, my - 6);
    ctx.lineTo(mx - 6, my + 6);
    ctx.stroke();
  }
  ctx.lineJoin = 'round';
  for (const runner of race.runners) {
    if (runner.path.length < 2) continue;
    for (const [style, width] of [
      ['rgba(0,0,0,0.55)', 4],
      [runner.method.color, 2],
    ]) {
      ctx.strokeStyle = style;
      ctx.lineWidth = width;
      ctx.beginPath();
      let pen = false;
      for (const [x, y] of runner.path) {
        if (!Number.isFinite(x) || !Number.isFinite(y)) break;
        const [px, py] = view.toCanvas(x, y);
        if (pen) ctx.lineTo(clamp(px), clamp(py));
        else ctx.moveTo(clamp(px), clamp(py));
        pen = true;
      }
      ctx.stroke();
    }
    const last = runner.path.at(-1);
    if (last.every(Number.isFinite)) {
      const [px, py] = view.toCanvas(...last);
      ctx.fillStyle = runner.method.color;
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.arc(clamp(px), clamp(py), 4.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  }
  const [sx, sy] = view.toCanvas(...race.start);
  ctx.fillStyle = '#fff';
  ctx.strokeStyle = '#000';
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.arc(sx, sy, 6, 0, 2 * Math.PI);
  ctx.fill();
  ctx.stroke();
}

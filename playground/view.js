// Coordinates of a surface's region on a canvas of CSS size width × height (y grows upward).

/**
 * @param {import('./surfaces.js').Surface} surface
 * @param {number} width
 * @param {number} height
 */
export function makeView(surface, width, height) {
  const {
    x: [x0, x1],
    y: [y0, y1],
  } = surface.domain;
  return {
    width,
    height,
    /** World → canvas CSS pixels. */
    toCanvas: (/** @type {number} */ x, /** @type {number} */ y) => [
      ((x - x0) / (x1 - x0)) * width,
      ((y1 - y) / (y1 - y0)) * height,
    ],
    /** Canvas CSS pixels → world. */
    toWorld: (/** @type {number} */ px, /** @type {number} */ py) => [
      x0 + (px / width) * (x1 - x0),
      y1 - (py / height) * (y1 - y0),
    ],
  };
}

/** Sizes a canvas for crisp drawing at the device pixel ratio; returns its 2D context in CSS px. */
export function setupCanvas(
  /** @type {HTMLCanvasElement} */ canvas,
  /** @type {number} */ width,
  /** @type {number} */ height,
) {
  const dpr = Math.max(1, Math.round(window.devicePixelRatio || 1));
  canvas.width = width * dpr;
  canvas.height = height * dpr;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

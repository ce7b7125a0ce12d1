// The loss surfaces: f, its gradient, the region drawn, where the minimum is, a start point.
// Plain float64 JavaScript; the optimizers see float32 (the gradient is stored in a Float32Array).

/**
 * @typedef {object} Surface
 * @property {string} id
 * @property {string} label
 * @property {string} formula
 * @property {[string, string]} axes  names of the two coordinates
 * @property {(x: number, y: number) => number} f
 * @property {(x: number, y: number) => [number, number]} grad
 * @property {{ x: [number, number], y: [number, number] }} domain
 * @property {[number, number] | null} minimum
 * @property {[number, number]} start
 * @property {'log' | 'linear'} scale  how heights map to colour bands
 */

/** @type {Surface[]} */
export const SURFACES = [
  // The default: 100 times steeper across (b) than along (w). At the default lr (0.0891, the
  // page explains it) plain SGD zig-zags across and creeps along, Momentum overshoots and settles,
  // the adaptive methods go straight at it: each method's character shows.
  {
    id: 'valley',
    label: 'Narrow valley',
    formula: 'f(w, b) = 0.1·w² + 10·b²',
    axes: ['w', 'b'],
    f: (w, b) => 0.1 * w * w + 10 * b * b,
    grad: (w, b) => [0.2 * w, 20 * b],
    domain: { x: [-3, 3], y: [-2, 2] },
    minimum: [0, 0],
    start: [-2, 1.5],
    scale: 'log',
  },
  {
    id: 'bowl',
    label: 'Elongated bowl',
    formula: 'f(w, b) = w² + 10·b²',
    axes: ['w', 'b'],
    f: (w, b) => w * w + 10 * b * b,
    grad: (w, b) => [2 * w, 20 * b],
    domain: { x: [-3, 3], y: [-2, 2] }, // equal scale on a 3:2 canvas: the ellipses are true
    minimum: [0, 0],
    start: [-2, 1.5],
    scale: 'log',
  },
  {
    id: 'rosenbrock',
    label: 'Rosenbrock',
    formula: 'f(x, y) = (1 − x)² + 100·(y − x²)²',
    axes: ['x', 'y'],
    f: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
    grad: (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
    domain: { x: [-2, 2], y: [-1, 3] },
    minimum: [1, 1],
    start: [-1.5, 2],
    scale: 'log',
  },
  {
    id: 'saddle',
    label: 'Saddle',
    formula: 'f(x, y) = x² − y²',
    axes: ['x', 'y'],
    f: (x, y) => x * x - y * y,
    grad: (x, y) => [2 * x, -2 * y],
    domain: { x: [-2, 2], y: [-1.5, 1.5] },
    minimum: null,
    start: [-1.8, 0.01],
    scale: 'linear',
  },
  {
    id: 'beale',
    label: 'Beale',
    formula: 'f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²',
    axes: ['x', 'y'],
    f: (x, y) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
    grad: (x, y) => {
      const a = 1.5 - x + x * y;
      const b = 2.25 - x + x * y * y;
      const c = 2.625 - x + x * y ** 3;
      return [
        2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y ** 3 - 1),
        2 * a * x + 4 * b * x * y + 6 * c * x * y * y,
      ];
    },
    domain: { x: [-4.5, 4.5], y: [-3, 3] },
    minimum: [3, 0.5],
    start: [-2, -2],
    scale: 'log',
  },
];

/** @param {string} id */
export function surfaceById(id) {
  return SURFACES.find((s) => s.id === id) ?? SURFACES[0];
}

// The baseline: the loop a user would write by hand over Float32Arrays, with the same
// default hyperparameters as torch (each element is rounded to float32 when stored; the
// arithmetic in between is JavaScript's float64).
import { inputs } from '../data.mjs';
import { assertFinite } from '../task.mjs';

/**
 * @param {Float32Array} p @param {Float32Array} g @param {Float32Array} sum
 * @param {number} lr @param {number} eps
 */
function adagradLoop(p, g, sum, lr, eps) {
  for (let i = 0; i < p.length; i++) {
    const gi = g[i];
    sum[i] += gi * gi;
    p[i] -= (lr * gi) / (Math.sqrt(sum[i]) + eps);
  }
}

/**
 * RMSprop, non-centered, no momentum.
 * @param {Float32Array} p @param {Float32Array} g @param {Float32Array} squareAvg
 * @param {number} lr @param {number} alpha @param {number} eps
 */
function rmspropLoop(p, g, squareAvg, lr, alpha, eps) {
  const oneMinusAlpha = 1 - alpha;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i];
    squareAvg[i] = alpha * squareAvg[i] + oneMinusAlpha * gi * gi;
    p[i] -= (lr * gi) / (Math.sqrt(squareAvg[i]) + eps);
  }
}

/**
 * @param {string} algorithm
 * @param {number} n
 * @returns {import('../task.mjs').Instance}
 */
export function plainLoop(algorithm, n) {
  const { params, grads } = inputs(n);
  let p = params.slice();
  let g = grads.slice();
  let state = new Float32Array(n);
  const fn = algorithm === 'adagrad'
    ? () => adagradLoop(p, g, state, 1e-2, 1e-10)
    : () => rmspropLoop(p, g, state, 1e-2, 0.99, 1e-8);
  return {
    fn,
    check: () => assertFinite(p, `${algorithm} plain JS params`),
    dispose: () => { p = g = state = new Float32Array(0); },
  };
}

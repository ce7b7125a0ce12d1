// The memory-bound yardstick: Float32Array.prototype.set copying the gradient into the
// parameter array. It touches the same cache lines in the same way as plain SGD does (grad
// read; param read for ownership, then written: 12 bytes per element), so an SGD step can be
// compared with the fastest way the engine moves those bytes, measured in the same run.
import { inputs } from '../data.mjs';
import { assertFinite } from '../task.mjs';

/**
 * @param {import('../algorithms/index.mjs').Variant} variant
 * @param {number} n
 * @returns {import('../task.mjs').Instance}
 */
export function memoryCopy(variant, n) {
  const { params, grads } = inputs(n);
  let p = params.slice();
  let g = grads.slice();
  return {
    fn: () => p.set(g),
    check: () => assertFinite(p, `${variant.id} memory copy`),
    dispose: () => {
      p = g = new Float32Array(0);
    },
  };
}

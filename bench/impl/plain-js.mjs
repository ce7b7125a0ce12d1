// The baseline: the loop a user would write by hand over Float32Arrays, with the same default
// hyperparameters as torch (each element is rounded to float32 when stored; the arithmetic in
// between is JavaScript's float64). The loops themselves are in the algorithm descriptions.
import { inputs } from '../data.mjs';
import { assertFinite } from '../task.mjs';

/**
 * @param {import('../algorithms/index.mjs').Variant} variant  with a `plain` loop
 * @param {number} n
 * @returns {import('../task.mjs').Instance}
 */
export function plainLoop(variant, n) {
  const plain = variant.plain;
  if (plain === undefined) throw new Error(`${variant.id} has no plain JS loop`);
  const { params, grads } = inputs(n);
  let p = params.slice();
  let g = grads.slice();
  let states = Array.from({ length: plain.states }, () => new Float32Array(n));
  let t = 0;
  return {
    fn: () => plain.step(p, g, states, ++t),
    check: () => assertFinite(p, `${variant.id} plain JS params`),
    dispose: () => {
      p = g = new Float32Array(0);
      states = [];
    },
  };
}

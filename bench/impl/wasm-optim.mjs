// The library under test, as users call it: the built package (its registry's classes),
// never the sources.
import { inputs } from '../data.mjs';
import { assertFinite } from '../task.mjs';

/**
 * Zero-copy: the optimizer owns the arrays (`new Adagrad([n])` makes a zeroed parameter in
 * its memory); data and gradient are written into the live views once, and the timed step
 * is `opt.step()`, the kernel alone plus one 64-byte record per tensor.
 * @param {import('../algorithms/index.mjs').Variant} variant
 * @param {number} n
 * @param {'simd' | 'wasm' | 'js'} backend
 * @param {'torch' | 'tfjs'} flavor
 * @returns {import('../task.mjs').Instance & { opt: import('../../dist/registry.js').AnyOptimizer }}
 */
export function zeroCopy(variant, n, backend, flavor) {
  const { params, grads } = inputs(n);
  let opt = new variant.Class([n], { ...variant.options, backend, flavor });
  if (opt.backend !== backend) throw new Error(`asked for backend '${backend}', got '${opt.backend}'`);
  const handle = opt.params[0];
  handle.data.set(params);
  handle.grad.set(grads);
  return {
    opt,
    fn: () => opt.step(),
    check: () => assertFinite(handle.data, `${variant.id} ${backend} params`),
    // No dispose() in the API: drop the reference so the next GC frees the memory.
    dispose: () => {
      opt = /** @type {any} */ (null);
    },
  };
}

/**
 * Drop-in: the user keeps a Float32Array parameter; `opt.step([grad])` copies it and the
 * gradient into the optimizer's memory, runs the kernel and copies the result back.
 * @param {import('../algorithms/index.mjs').Variant} variant
 * @param {number} n
 * @param {'simd' | 'wasm' | 'js'} backend
 * @returns {import('../task.mjs').Instance & { param: Float32Array, grad: Float32Array,
 *   opt: import('../../dist/registry.js').AnyOptimizer }}
 */
export function dropIn(variant, n, backend) {
  const { params, grads } = inputs(n);
  const param = params.slice();
  const grad = grads.slice();
  const gradList = [grad]; // made once: the list is not what is measured
  let opt = new variant.Class([param], { ...variant.options, backend });
  return {
    opt,
    param,
    grad,
    fn: () => opt.step(gradList),
    check: () => assertFinite(param, `${variant.id} ${backend} drop-in params`),
    dispose: () => {
      opt = /** @type {any} */ (null);
    },
  };
}

/**
 * Many tensors: `count` parameters of `length` elements in one optimizer, stepped zero-copy.
 * @param {import('../algorithms/index.mjs').Variant} variant
 * @param {number} count
 * @param {number} length
 * @returns {import('../task.mjs').Instance}
 */
export function manyTensors(variant, count, length) {
  const { params, grads } = inputs(count * length);
  let opt = new variant.Class(
    Array.from({ length: count }, () => length),
    { ...variant.options, backend: 'simd' },
  );
  opt.params.forEach((handle, k) => {
    handle.data.set(params.subarray(k * length, (k + 1) * length));
    handle.grad.set(grads.subarray(k * length, (k + 1) * length));
  });
  return {
    fn: () => opt.step(),
    check: () => opt.params.forEach((h) => assertFinite(h.data, `${variant.id} ${count} × ${length} params`)),
    dispose: () => {
      opt = /** @type {any} */ (null);
    },
  };
}

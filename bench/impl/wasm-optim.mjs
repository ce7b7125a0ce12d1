// The library under test, as users call it: the built package, never the sources.
import { Adagrad, RMSprop } from '../../dist/index.js';
import { inputs } from '../data.mjs';
import { assertFinite } from '../task.mjs';

/** @type {Record<string, typeof Adagrad | typeof RMSprop>} */
const CLASSES = { adagrad: Adagrad, rmsprop: RMSprop };

/**
 * Zero-copy: the optimizer owns the arrays (`new Adagrad([n])` makes a zeroed parameter in
 * its memory); data and gradient are written into the live views once, and the timed step
 * is `opt.step()`, the kernel alone plus one 64-byte record per tensor.
 * @param {string} algorithm
 * @param {number} n
 * @param {'simd' | 'wasm' | 'js'} backend
 * @param {'torch' | 'tfjs'} flavor
 * @returns {import('../task.mjs').Instance}
 */
export function zeroCopy(algorithm, n, backend, flavor) {
  const { params, grads } = inputs(n);
  let opt = new CLASSES[algorithm]([n], { backend, flavor });
  if (opt.backend !== backend) throw new Error(`asked for backend '${backend}', got '${opt.backend}'`);
  const handle = opt.params[0];
  handle.data.set(params);
  handle.grad.set(grads);
  return {
    fn: () => opt.step(),
    check: () => assertFinite(handle.data, `${algorithm} ${backend} params`),
    // No dispose() in the API: drop the reference so the next GC frees the memory.
    dispose: () => { opt = /** @type {any} */ (null); },
  };
}

/**
 * Drop-in: the user keeps a Float32Array parameter; `opt.step([grad])` copies it and the
 * gradient into the optimizer's memory, runs the kernel and copies the result back.
 * @param {string} algorithm
 * @param {number} n
 * @param {'simd' | 'wasm' | 'js'} backend
 * @returns {import('../task.mjs').Instance}
 */
export function dropIn(algorithm, n, backend) {
  const { params, grads } = inputs(n);
  const param = params.slice();
  const gradList = [grads.slice()]; // allocated once: the list is not what is measured
  let opt = new CLASSES[algorithm]([param], { backend });
  return {
    fn: () => opt.step(gradList),
    check: () => assertFinite(param, `${algorithm} ${backend} drop-in params`),
    dispose: () => { opt = /** @type {any} */ (null); },
  };
}

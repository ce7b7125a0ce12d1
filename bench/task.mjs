// What a benchmark task is: a description plus a factory, so the big arrays of a task exist
// only while it runs (16M elements × 3 arrays is 192 MB per implementation).

/**
 * @typedef {object} Instance  a ready-to-time task
 * @property {() => void} fn       one optimizer step: the timed function
 * @property {() => void} check    throws if the run went wrong (NaN, leaked tensors)
 * @property {() => void} dispose  releases what create() allocated
 */

/**
 * @typedef {object} TaskSpec
 * @property {string} algorithm       'adagrad' | 'rmsprop'
 * @property {string} flavor          whose formula is computed: 'torch' or 'tfjs'
 * @property {string} implementation  e.g. 'wasm-optim simd', 'plain JS loop', 'TF.js wasm'
 * @property {'zero-copy' | 'drop-in' | ''} path  how data reaches a wasm-optim kernel
 * @property {string} sizeLabel       '4M'
 * @property {number} n               elements
 * @property {{ timeCapMs?: number, minSamples?: number }} limits  caps for slow implementations
 * @property {() => Promise<Instance> | Instance} create
 */

/**
 * A task's display name, unique within a run.
 * @param {Pick<TaskSpec, 'algorithm' | 'flavor' | 'implementation' | 'path' | 'sizeLabel'>} t
 * @returns {string}
 */
export function taskName(t) {
  const path = t.path === 'drop-in' ? ' drop-in' : '';
  return `${t.algorithm} ${t.sizeLabel} ${t.implementation}${path} (${t.flavor})`;
}

/**
 * Throws unless every value is finite: a NaN or infinity would mean the numbers were garbage
 * (and, on some CPUs, that the timings were of slow paths).
 * @param {Float32Array} values
 * @param {string} what
 */
export function assertFinite(values, what) {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`${what}: element ${i} is ${values[i]}`);
  }
}

// What a benchmark task is: a description plus a factory, so the big arrays of a task exist
// only while it runs (16M elements × 3 arrays is 192 MB per implementation).

/**
 * @typedef {object} Instance  a ready-to-time task
 * @property {() => unknown} fn    one optimizer step: the timed function
 * @property {() => void} check    throws if the run went wrong (NaN, leaked tensors)
 * @property {() => void} dispose  releases what create() allocated
 */

/**
 * @typedef {object} TaskSpec
 * @property {import('./algorithms/index.mjs').Variant} variant
 * @property {string} flavor          whose formula is computed: 'torch' or 'tfjs'
 * @property {string} implementation  e.g. 'wasm-optim simd', 'plain JS loop', 'TF.js wasm'
 * @property {string} sizeLabel       '4M'
 * @property {number} n               elements
 * @property {{ timeCapMs?: number, minSamples?: number }} limits  caps for slow implementations
 * @property {() => Promise<Instance> | Instance} create
 * @property {string} [skip]          why the task is not run
 */

/**
 * A task's display name, unique within a run.
 * @param {Pick<TaskSpec, 'variant' | 'flavor' | 'implementation' | 'sizeLabel'>} t
 * @returns {string}
 */
export function taskName(t) {
  return `${t.variant.id} ${t.sizeLabel} ${t.implementation} (${t.flavor})`;
}

/**
 * Throws unless every value is finite: a NaN or infinity would mean the numbers were garbage
 * (and, on some CPUs, that the timings were of slow paths).
 * @param {ArrayLike<number>} values
 * @param {string} what
 */
export function assertFinite(values, what) {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`${what}: element ${i} is ${values[i]}`);
  }
}

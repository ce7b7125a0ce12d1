// TensorFlow.js 4.22 optimizers on its 'cpu' (JavaScript) and 'wasm' (XNNPACK, SIMD,
// single-threaded under Node) backends, used as a TF.js user would: a tf.variable and
// optimizer.applyGradients with a gradient tensor made once.
import { createRequire } from 'node:module';
import path from 'node:path';
import { inputs } from '../data.mjs';
import { assertFinite } from '../task.mjs';

/** @type {any} */
let tf = null;
/** @type {Promise<any> | null} */
let loading = null;
/** True once a backend is set: tf.memory() throws before. */
let backendSet = false;

/**
 * Loads TF.js once, on first use, so runs without TF.js rows do not pay for it.
 * @returns {Promise<any>} the tfjs-core namespace
 * @throws when the TF.js packages are not installed
 */
export function loadTf() {
  loading ??= (async () => {
    const core = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // No network here: point the wasm backend at the binaries shipped in its package.
    const require = createRequire(import.meta.url);
    const dist =
      path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    wasm.setWasmPaths(dist);
    // PROD only silences TF.js's console warnings (e.g. the tfjs-node advert); no checks change.
    core.enableProdMode();
    tf = core;
    return core;
  })();
  return loading;
}

/**
 * Whether TF.js can be loaded here (it is a dev dependency: an installed wasm-optim has none).
 * @returns {Promise<string | null>} why not, or null when it loads
 */
export async function tfUnavailableReason() {
  try {
    await loadTf();
    return null;
  } catch (error) {
    loading = null;
    return /** @type {Error} */ (error).message.split('\n')[0];
  }
}

/**
 * What the runtime picked, for the machine section of the results.
 * @returns {Promise<Record<string, unknown>>}
 */
export async function tfInfo() {
  const core = await loadTf();
  return {
    version: core.version_core,
    wasmSimd: await core.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    wasmThreads: await core.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
  };
}

/**
 * @param {import('../algorithms/index.mjs').Variant} variant  with a `tfjs` optimizer
 * @param {number} n
 * @param {'cpu' | 'wasm'} backend
 * @returns {Promise<import('../task.mjs').Instance>}
 */
export async function tfjsTask(variant, n, backend) {
  const make = variant.tfjs;
  if (make === undefined) throw new Error(`${variant.id} has no TF.js optimizer`);
  await loadTf();
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend '${backend}' failed to initialize`);
  await tf.ready();
  backendSet = true;
  const { params, grads } = inputs(n);
  const initial = tf.tensor1d(params);
  const variable = tf.variable(initial, true);
  initial.dispose();
  const gradient = tf.tensor1d(grads);
  const optimizer = make(tf);
  const gradientMap = { [variable.name]: gradient };
  const step = () => tf.tidy(() => optimizer.applyGradients(gradientMap));
  // The first step creates the optimizer's slot variables; from then on each step must
  // leave the tensor count unchanged, or the timings would include leaked allocations.
  step();
  const tensors = tf.memory().numTensors;
  return {
    fn: step,
    check: () => {
      const now = tf.memory().numTensors;
      if (now !== tensors) throw new Error(`TF.js ${backend}: ${now - tensors} tensors leaked by the timed steps`);
      assertFinite(variable.dataSync(), `${variant.id} TF.js ${backend} params`);
    },
    dispose: () => {
      optimizer.dispose();
      // tf.train.momentum's dispose() forgets the learning-rate scalar of its SGD base class.
      if (optimizer.c !== undefined && !optimizer.c.isDisposed) optimizer.c.dispose();
      tf.dispose([variable, gradient]);
    },
  };
}

/** @returns {number} live TF.js tensors, 0 if TF.js was never loaded */
export function liveTensors() {
  return backendSet ? tf.memory().numTensors : 0;
}

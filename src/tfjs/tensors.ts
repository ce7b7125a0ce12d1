// Moving float32 data between TF.js tensors and the optimizer's own memory, as cheaply as each
// TF.js backend allows without changing what any other tensor, or any array a user holds, sees.
//
// - cpu backend: `dataSync()` returns the tensor's own backing array (no copy), so reading is
//   free. Writing allocates a fresh array and swaps it in with `variable.assign` (in a tidy):
//   writing into the old array in place would also change arrays users got from `dataSync()`
//   or passed to `tf.tensor()`, which TF.js treats as immutable snapshots.
// - wasm backend: tensors live in its WebAssembly heap and `dataSync()` copies, so we read
//   through a view of the heap (no copy). Writing goes through a new tensor too: writing into
//   the heap in place is NOT safe there, because the backend caches XNNPACK operators with
//   packed weights per tensor id (matMul, conv2d), so a kernel changed in place would keep
//   being multiplied by its old packed copy. (Measured: in-place writes silently diverge.)
// - any other backend (webgl, webgpu, …): `dataSync()` and `variable.assign(tf.tensor(copy))`.
import * as tf from '@tensorflow/tfjs-core';

/** The part of tfjs-backend-wasm's BackendWasm used here (duck-typed: no import needed). */
interface HeapBackend {
  typedArrayFromHeap(info: { shape: number[]; dtype: tf.DataType; dataId: object }): ArrayBufferView;
}

function ownerBackend(t: tf.Tensor): tf.KernelBackend | undefined {
  return tf.engine().state.tensorInfo.get(t.dataId)?.backend;
}

function isHeapBackend(backend: tf.KernelBackend | undefined): backend is tf.KernelBackend & HeapBackend {
  return backend !== undefined && typeof (backend as Partial<HeapBackend>).typedArrayFromHeap === 'function';
}

/**
 * The float32 values of `t`: the backend's own array or a view of its heap where possible.
 * Valid until TF.js next allocates; copy it out before running any TF.js op.
 */
export function readValues(t: tf.Tensor): Float32Array {
  const backend = ownerBackend(t);
  if (isHeapBackend(backend)) return backend.typedArrayFromHeap(t) as Float32Array;
  return t.dataSync() as Float32Array;
}

/**
 * Gives `variable` the values `values` (same length) as a new tensor. Call inside `tf.tidy`,
 * which disposes the temporary. `values` may be a view that changes later: it is copied.
 */
export function writeValues(variable: tf.Variable, values: Float32Array): void {
  // tf.tensor() writes to the current backend: the wasm backend's write() copies into its
  // heap; the others may keep the array they are given, so they get their own copy.
  const copy = isHeapBackend(tf.backend()) ? values : values.slice();
  variable.assign(tf.tensor(copy, variable.shape, 'float32'));
}

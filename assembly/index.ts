// The kernel module: every algorithm's step functions, one binary per build (SIMD, SIMD with
// relaxed SIMD's hardware FMA, and scalar).
// Memory is imported (env.memory): the facade owns it and lays out params, grads and state.
export { adagradStep, adagradStepTfjs } from './adagrad';
export { rmspropStep, rmspropStepTfjs } from './rmsprop';
export { sgdStep, sgdStepTfjs } from './sgd';
export { adamStep, adamStepTfjs } from './adam';
export { adadeltaStep, adadeltaStepTfjs } from './adadelta';
export { relaxedMaddLane } from './fma';

/** First byte the facade may use: everything below belongs to the compiler's static data. */
export function heapBase(): usize {
  return __heap_base;
}

// The kernel module: every algorithm's step functions, one binary per build (SIMD, SIMD with
// relaxed SIMD's hardware FMA, and scalar). The list of kernels is generated from the kernel
// contracts (scripts/gen-contract.mjs).
// Memory is imported (env.memory): the facade owns it and lays out params, grads and state.
import {
  RECORD_BYTES, REC_COUNT, REC_FLAGS, REC_GRAD, REC_PARAM, REC_SCALARS, REC_STATE0, REC_STATE1, REC_STATE2,
} from './contract.generated';

export * from './kernels.generated';
export { relaxedMaddLane } from './fma';
export { expandSparseRows } from './sparse';

/** First byte the facade may use: everything below belongs to the compiler's static data. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * The record layout this binary was compiled with, field by field (0 record bytes, 1 param,
 * 2 grad, 3–5 state0–2, 6 count, 7 flags, 8 first scalar; −1 past the end), so a test can hold
 * it against the facade's.
 */
export function recordLayout(field: i32): i32 {
  switch (field) {
    case 0: return <i32>RECORD_BYTES;
    case 1: return <i32>REC_PARAM;
    case 2: return <i32>REC_GRAD;
    case 3: return <i32>REC_STATE0;
    case 4: return <i32>REC_STATE1;
    case 5: return <i32>REC_STATE2;
    case 6: return <i32>REC_COUNT;
    case 7: return <i32>REC_FLAGS;
    case 8: return <i32>REC_SCALARS;
    default: return -1;
  }
}
export { clampGrad, gradNorms, gradsFinite, normOf, scaleGrad, unscaleGrads } from './grads';

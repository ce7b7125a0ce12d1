// The tensor record the kernels read, one 64-byte record per parameter tensor, filled by the
// facade before each step. The layout and each kernel's names for its scalars, state buffers
// and flags are generated from the kernel contracts (`export const kernels` in
// src/optimizers/*.ts) into contract.generated.ts; assembly/contract.generated.ts is its twin.
import { RECORD_BYTES } from './contract.generated.js';

export {
  RECORD_BYTES,
  REC_COUNT,
  REC_FLAGS,
  REC_GRAD,
  REC_PARAM,
  REC_STATE0,
  REC_STATE1,
  REC_STATE2,
} from './contract.generated.js';

// Byte addresses in a 4 GiB memory reach 2^32 − 1, so every byte-to-word conversion is unsigned:
// a signed `>> 2` once turned offsets past 2 GiB negative and steps silently did nothing. These
// two are the only places the kernels and the facade make that conversion for records.

/** The word index of record `k` of the table at byte `table`. */
export function recordWord(table: number, k: number): number {
  return (table + k * RECORD_BYTES) >>> 2;
}

/** The word index of the buffer whose byte pointer is the record's `field` (REC_PARAM, REC_GRAD, a state name …). */
export function pointerWord(u32: Uint32Array, rec: number, field: number): number {
  return u32[rec + field]! >>> 2;
}

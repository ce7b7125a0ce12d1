// The tensor record the kernels read: the TypeScript mirror of assembly/record.ts.
// One 64-byte record per parameter tensor; the facade fills them before each step.

export const RECORD_BYTES = 64;

/** Offsets in 32-bit words from the start of a record. */
export const REC_PARAM = 0;
export const REC_GRAD = 1;
export const REC_STATE0 = 2;
export const REC_STATE1 = 3;
export const REC_STATE2 = 4;
export const REC_COUNT = 5;
export const REC_FLAGS = 6;
/** Word offset of the first of eight float32 hyperparameter slots. */
export const REC_SCALARS = 8;

// Byte addresses in a 4 GiB memory reach 2^32 − 1, so every byte-to-word conversion is unsigned:
// a signed `>> 2` once turned offsets past 2 GiB negative and steps silently did nothing. These
// two are the only places the kernels and the facade make that conversion for records.

/** The word index of record `k` of the table at byte `table`. */
export function recordWord(table: number, k: number): number {
  return (table + k * RECORD_BYTES) >>> 2;
}

/** The word index of the buffer whose byte pointer is the record's `field` (REC_PARAM, REC_GRAD, REC_STATE0 …). */
export function pointerWord(u32: Uint32Array, rec: number, field: number): number {
  return u32[rec + field]! >>> 2;
}

export const FLAG_MAXIMIZE = 1;
export const FLAG_WEIGHT_DECAY = 2;
export const FLAG_CENTERED = 4;
export const FLAG_MOMENTUM = 8;
export const FLAG_NESTEROV = 16;
/** SGD: the momentum buffer starts now (PyTorch copies the gradient into it). */
export const FLAG_FIRST_MOMENTUM = 32;
export const FLAG_AMSGRAD = 64;
/** Adam: decoupled weight decay (AdamW), param ← param·decay before the update. */
export const FLAG_DECOUPLED = 128;

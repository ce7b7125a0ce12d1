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

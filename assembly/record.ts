// The uniform kernel ABI: every `<algorithm>Step(table, count)` walks `count` tensor records
// laid out back to back at `table`. The facade fills one record per parameter tensor before each
// step, so all tensors of an optimizer, whatever their param group, are updated in one call into
// Wasm and the kernels allocate nothing.
//
//   offset  type  field
//   0       u32   param     byte pointer to n f32
//   4       u32   grad      byte pointer to n f32
//   8       u32   state0    state buffers, in the order the kernel's contract names them
//   12      u32   state1
//   16      u32   state2
//   20      u32   n         element count
//   24      u32   flags     the contract's flag bits
//   28      u32   reserved  (a ninth f32 scalar, for a contract that names nine or more)
//   32      f32   h0 … h7   scalar hyperparameters, already rounded to float32 by the facade
//
// A tenth scalar and beyond take the state words (state2, then state1) of buffers the contract
// does not name: the facade writes the state pointers first, then the flavor's scalars.
//
// The layout and every kernel's names for its scalars, state buffers and flags come from one
// place: `export const kernels` in src/optimizers/<algorithm>.ts, from which
// scripts/gen-contract.mjs writes contract.generated.ts (here, in byte offsets) and its twin
// src/backend/contract.generated.ts. A kernel reads `recF32(rec, RmspropStep.alpha)`, never a
// position.

import { REC_COUNT, REC_FLAGS, REC_GRAD, REC_PARAM } from './contract.generated';

export { RECORD_BYTES } from './contract.generated';

@inline export function recParam(rec: usize): usize { return <usize>load<u32>(rec + REC_PARAM); }
@inline export function recGrad(rec: usize): usize { return <usize>load<u32>(rec + REC_GRAD); }
@inline export function recCount(rec: usize): usize { return <usize>load<u32>(rec + REC_COUNT); }
@inline export function recFlags(rec: usize): u32 { return load<u32>(rec + REC_FLAGS); }
/** The state buffer whose pointer sits at byte `field` (a contract's state name). */
@inline export function recPtr(rec: usize, field: usize): usize { return <usize>load<u32>(rec + field); }
/** The float32 scalar at byte `field` (a contract's scalar name). */
@inline export function recF32(rec: usize, field: usize): f32 { return load<f32>(rec + field); }

@inline export function flipSign(x: f32, mask: u32): f32 {
  return reinterpret<f32>(reinterpret<u32>(x) ^ mask);
}

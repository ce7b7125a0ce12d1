// The uniform kernel ABI: every `<algorithm>Step(table, count)` walks `count` tensor records
// laid out back to back at `table`. The facade (src/backend/record.ts mirrors these offsets)
// fills one record per parameter tensor before each step, so all tensors of an optimizer,
// whatever their param group, are updated in one call into Wasm and the kernels allocate nothing.
//
//   offset  type  field
//   0       u32   param     byte pointer to n f32
//   4       u32   grad      byte pointer to n f32
//   8       u32   state0    first state buffer  (sum, square_avg, exp_avg)
//   12      u32   state1    second state buffer (momentum_buffer, exp_avg_sq, acc_delta)
//   16      u32   state2    third state buffer  (grad_avg, max_exp_avg_sq)
//   20      u32   n         element count
//   24      u32   flags     FLAG_* bits below
//   28      u32   reserved
//   32      f32   h0 … h7   scalar hyperparameters, already rounded to float32 by the facade

export const RECORD_BYTES: usize = 64;

export const FLAG_MAXIMIZE: u32 = 1;
export const FLAG_WEIGHT_DECAY: u32 = 2;
export const FLAG_CENTERED: u32 = 4;
export const FLAG_MOMENTUM: u32 = 8;
export const FLAG_NESTEROV: u32 = 16;
/** SGD: the momentum buffer starts now (PyTorch copies the gradient into it). */
export const FLAG_FIRST_MOMENTUM: u32 = 32;
export const FLAG_AMSGRAD: u32 = 64;
/** Adam: decoupled weight decay (AdamW), param ← param·decay before the update. */
export const FLAG_DECOUPLED: u32 = 128;

@inline export function recParam(rec: usize): usize { return <usize>load<u32>(rec, 0); }
@inline export function recGrad(rec: usize): usize { return <usize>load<u32>(rec, 4); }
@inline export function recState0(rec: usize): usize { return <usize>load<u32>(rec, 8); }
@inline export function recState1(rec: usize): usize { return <usize>load<u32>(rec, 12); }
@inline export function recState2(rec: usize): usize { return <usize>load<u32>(rec, 16); }
@inline export function recCount(rec: usize): usize { return <usize>load<u32>(rec, 20); }
@inline export function recFlags(rec: usize): u32 { return load<u32>(rec, 24); }
@inline export function recH(rec: usize, i: usize): f32 { return load<f32>(rec + 32 + (i << 2)); }

@inline export function flipSign(x: f32, mask: u32): f32 {
  return reinterpret<f32>(reinterpret<u32>(x) ^ mask);
}

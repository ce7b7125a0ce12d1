// Row-sparse gradients: turns each sparse tensor's index list into one tensor record per listed
// row, so the algorithms' own kernels (or their sparse twins) step exactly those rows.
//
// A descriptor (DESCRIPTOR_BYTES, u32 words) per sparse tensor, written by the facade:
//   0 template  byte pointer to the tensor's record (param, state and scalars as for a dense step;
//               count = the row width)
//   1 indices   byte pointer to n row indices (u32, each < rows: the facade checked them)
//   2 n         number of indices
//   3 values    byte pointer to n rows of gradient values, in index order
//   4 map       byte pointer to one u32 per row of the parameter, all 0 between steps
//   5 rowBytes  width · 4
//   6 unique    written here: the number of distinct rows (= records written for this tensor)
//   7 states    bits 0–7: how many of the record's state words hold buffers (the contract's state
//               count; the words past them may hold scalars, see record.ts); bit 8 (NEGATED): the
//               kernel negates the gradient (maximize)
//
// Repeated rows are summed in order of appearance, as torch's coalesce() does (README
// "Embeddings"): fl(fl(v_a + v_b) + v_c). PyTorch negates a maximized gradient before coalescing,
// so with NEGATED the repeats are summed negated and the sum negated back, −(−v_a + −v_b), for the
// kernel to negate again: where repeats cancel that is −(+0) = −0, and the kernel's g is PyTorch's
// +0 (a plain sum would give +0, and the kernel −0). The rows are compacted in place: the k-th distinct row
// moves to values row k and its index to indices[k] (k ≤ its first position, so nothing unread
// is overwritten). The map holds k + 1 for a row seen this step and is cleared before returning.

import { RECORD_BYTES, REC_GRAD, REC_PARAM, REC_STATE0, REC_STATE1, REC_STATE2 } from './contract.generated';

export const DESCRIPTOR_BYTES: usize = 32;
const NEGATED: u32 = 0x100;

/** Expands `count` descriptors at `descs` into row records at `out`; returns how many it wrote. */
export function expandSparseRows(descs: usize, count: u32, out: usize): u32 {
  let total: u32 = 0;
  for (let d: u32 = 0; d < count; d++) {
    const desc = descs + <usize>d * DESCRIPTOR_BYTES;
    const template = <usize>load<u32>(desc), indices = <usize>load<u32>(desc, 4), n = load<u32>(desc, 8);
    const values = <usize>load<u32>(desc, 12), map = <usize>load<u32>(desc, 16), rowBytes = <usize>load<u32>(desc, 20);
    const param = <usize>load<u32>(template + REC_PARAM);
    const states = load<u32>(desc, 28) & 0xff;
    const negated = (load<u32>(desc, 28) & NEGATED) != 0;
    // Only buffer pointers move with the row; 0 is a buffer not allocated (never read).
    const state0 = states > 0 ? <usize>load<u32>(template + REC_STATE0) : 0;
    const state1 = states > 1 ? <usize>load<u32>(template + REC_STATE1) : 0;
    const state2 = states > 2 ? <usize>load<u32>(template + REC_STATE2) : 0;
    let unique: u32 = 0;
    for (let i: u32 = 0; i < n; i++) {
      const row = <usize>load<u32>(indices + (<usize>i << 2));
      const seen = load<u32>(map + (row << 2));
      const from = values + <usize>i * rowBytes;
      if (seen != 0) {
        if (negated) addRowNegated(values + <usize>(seen - 1) * rowBytes, from, rowBytes);
        else addRow(values + <usize>(seen - 1) * rowBytes, from, rowBytes);
        continue;
      }
      const to = values + <usize>unique * rowBytes;
      if (unique != i) memory.copy(to, from, rowBytes);
      store<u32>(indices + (<usize>unique << 2), <u32>row);
      const rec = out + <usize>(total + unique) * RECORD_BYTES;
      copyRecord(rec, template);
      const offset = row * rowBytes;
      store<u32>(rec + REC_PARAM, <u32>(param + offset));
      store<u32>(rec + REC_GRAD, <u32>to);
      if (state0 != 0) store<u32>(rec + REC_STATE0, <u32>(state0 + offset));
      if (state1 != 0) store<u32>(rec + REC_STATE1, <u32>(state1 + offset));
      if (state2 != 0) store<u32>(rec + REC_STATE2, <u32>(state2 + offset));
      unique++;
      store<u32>(map + (row << 2), unique);
    }
    for (let k: u32 = 0; k < unique; k++) store<u32>(map + (<usize>load<u32>(indices + (<usize>k << 2)) << 2), 0);
    store<u32>(desc, unique, 24);
    total += unique;
  }
  return total;
}

/** A record's 64 bytes: plain loads and stores (memory.copy is a call out of the engine's code). */
@inline function copyRecord(to: usize, from: usize): void {
  if (ASC_FEATURE_SIMD) {
    for (let j: usize = 0; j < RECORD_BYTES; j += 16) v128.store(to + j, v128.load(from + j));
  } else {
    for (let j: usize = 0; j < RECORD_BYTES; j += 8) store<u64>(to + j, load<u64>(from + j));
  }
}

/** to[j] = fl(to[j] + from[j]) over one row (the same bits lane by lane or one at a time). */
function addRow(to: usize, from: usize, rowBytes: usize): void {
  let j: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 16 <= rowBytes; j += 16) v128.store(to + j, f32x4.add(v128.load(to + j), v128.load(from + j)));
  }
  for (; j < rowBytes; j += 4) store<f32>(to + j, load<f32>(to + j) + load<f32>(from + j));
}

/** to[j] = −fl(−to[j] + −from[j]): the sum of the negated repeats, negated back (see the header). */
function addRowNegated(to: usize, from: usize, rowBytes: usize): void {
  let j: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 16 <= rowBytes; j += 16) {
      const sum = f32x4.add(f32x4.neg(v128.load(to + j)), f32x4.neg(v128.load(from + j)));
      v128.store(to + j, f32x4.neg(sum));
    }
  }
  for (; j < rowBytes; j += 4) store<f32>(to + j, -(-load<f32>(to + j) + -load<f32>(from + j)));
}

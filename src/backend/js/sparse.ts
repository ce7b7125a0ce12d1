// Row-sparse gradients, the readable reference of assembly/sparse.ts (descriptor layout and the
// order of summing repeated rows are described there): one row record per distinct listed row.
import { RECORD_BYTES, REC_GRAD, REC_PARAM, REC_STATE0 } from '../record.js';

/** Bytes of one sparse-tensor descriptor, and its words. */
export const DESCRIPTOR_BYTES = 32;
export const DESC_TEMPLATE = 0;
export const DESC_INDICES = 1;
export const DESC_COUNT = 2;
export const DESC_VALUES = 3;
export const DESC_MAP = 4;
export const DESC_ROW_BYTES = 5;
export const DESC_UNIQUE = 6;
export const DESC_STATES = 7;
/** Bit of the DESC_STATES word: the kernel negates the gradient (maximize); see assembly/sparse.ts. */
export const DESC_NEGATED = 0x100;

export function expandSparseRows(
  f32: Float32Array,
  u32: Uint32Array,
  descs: number,
  count: number,
  out: number,
): number {
  let total = 0;
  for (let d = 0; d < count; d++) {
    const desc = (descs + d * DESCRIPTOR_BYTES) >>> 2;
    const template = u32[desc + DESC_TEMPLATE]! >>> 2;
    const indices = u32[desc + DESC_INDICES]! >>> 2;
    const n = u32[desc + DESC_COUNT]!;
    const values = u32[desc + DESC_VALUES]!;
    const map = u32[desc + DESC_MAP]! >>> 2;
    const rowBytes = u32[desc + DESC_ROW_BYTES]!;
    const width = rowBytes >>> 2;
    const states = u32[desc + DESC_STATES]! & 0xff;
    const negated = (u32[desc + DESC_STATES]! & DESC_NEGATED) !== 0;
    let unique = 0;
    for (let i = 0; i < n; i++) {
      const row = u32[indices + i]!;
      const seen = u32[map + row]!;
      const from = (values + i * rowBytes) >>> 2;
      if (seen !== 0) {
        const to = (values + (seen - 1) * rowBytes) >>> 2;
        // Maximized: the negated repeats summed, negated back (assembly/sparse.ts says why).
        if (negated) for (let j = 0; j < width; j++) f32[to + j] = -Math.fround(-f32[to + j]! + -f32[from + j]!);
        else for (let j = 0; j < width; j++) f32[to + j] = f32[to + j]! + f32[from + j]!;
        continue;
      }
      const to = values + unique * rowBytes;
      if (unique !== i) u32.copyWithin(to >>> 2, from, from + width);
      u32[indices + unique] = row;
      const rec = (out + (total + unique) * RECORD_BYTES) >>> 2;
      u32.copyWithin(rec, template, template + RECORD_BYTES / 4);
      const offset = row * rowBytes;
      u32[rec + REC_PARAM] = u32[template + REC_PARAM]! + offset;
      u32[rec + REC_GRAD] = to;
      for (let s = 0; s < states; s++) {
        const base = u32[template + REC_STATE0 + s]!;
        if (base !== 0) u32[rec + REC_STATE0 + s] = base + offset;
      }
      unique++;
      u32[map + row] = unique;
    }
    for (let k = 0; k < unique; k++) u32[map + u32[indices + k]!] = 0;
    u32[desc + DESC_UNIQUE] = unique;
    total += unique;
  }
  return total;
}
